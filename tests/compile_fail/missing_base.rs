use oxalchemy::prelude::*;

#[derive(Model, Debug, Clone, Default)]
#[model(table = "user_account")]
pub struct User {
    #[mapped_column(primary_key)]
    pub id: i64,
}

#[derive(Model, Debug, Clone, Default)]
pub struct Address {
    #[mapped_column(primary_key)]
    pub id: i64,
}

fn main() {}
