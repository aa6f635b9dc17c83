use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base)]
pub struct Pair(i64, String);

#[derive(Model, Debug, Clone)]
#[model(base = Base)]
pub enum Shape {
    Circle,
}

fn main() {}
