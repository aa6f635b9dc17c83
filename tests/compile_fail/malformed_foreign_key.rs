use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base)]
pub struct Address {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(foreign_key = "user_account")]
    pub user_id: i64,
    #[mapped_column(foreign_key = "a.b.c.d", ondelete = "DELETE")]
    pub other_id: i64,
}

fn main() {}
