use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, tabel = "user_account")]
pub struct User {
    #[mapped_column(primery_key)]
    pub id: i64,
    #[mapped_column(lenght = 30, uniqe)]
    pub name: String,
    #[relationship(back_populate = "user", cascade = "all, delete_orphan", lazy = "selectn")]
    pub addresses: Related<Vec<Address>>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, tablename = "address")]
pub struct Address {
    #[mapped_column(primary_key)]
    pub id: i64,
}

fn main() {}
