use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base)]
pub struct Employee {
    #[mapped_column(primary_key)]
    pub id: i64,
    pub name: String,
    pub ratio: f64,
    pub manager_id: Option<i64>,
}

#[hybrids]
impl Employee {
    #[hybrid]
    pub fn by_value(self) -> i64 {
        self.id
    }
    #[hybrid(sql = by_value)]
    pub fn misspelled(&self) -> i64 {
        self.id
    }
}

impl Employee {
    // #[hybrid] needs #[hybrids] on its impl block.
    #[hybrid]
    pub fn lonely(&self) -> i64 {
        self.id
    }
}

fn main() {}
