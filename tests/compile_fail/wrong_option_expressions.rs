use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

pub struct Color;

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base)]
pub struct Item {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(sql_type = 5)]
    pub name: String,
    #[mapped_column(default = Color)]
    pub color: String,
    pub tags: Related<Vec<String>>,
}

fn main() {}
