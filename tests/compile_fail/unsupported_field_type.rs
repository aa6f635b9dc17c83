use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Debug, Clone, Default)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base)]
pub struct Place {
    #[mapped_column(primary_key)]
    pub id: i64,
    pub location: Point,
    pub visits: u128,
}

fn main() {}
