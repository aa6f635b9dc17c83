use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base)]
pub struct User {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(colour = "red")]
    pub name: String,
    #[relationship(eager)]
    pub addresses: Related<Vec<Address>>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, engine = "innodb")]
pub struct Address {
    #[mapped_column(primary_key)]
    pub id: i64,
}

fn main() {}
