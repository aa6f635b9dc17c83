use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "user_account")]
pub struct User {
    pub id: i64,
    pub name: String,
}

fn main() {}
