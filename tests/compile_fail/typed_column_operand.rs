use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base)]
pub struct User {
    #[mapped_column(primary_key)]
    pub id: i64,
    pub name: String,
}

fn main() {
    let _ = User::NAME.eq(5);
}
