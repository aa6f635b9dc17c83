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

// Outside the translated subset: a compile error at the expression, suggesting `expr = ..`.
#[hybrids]
impl Employee {
    #[hybrid]
    pub fn words(&self) -> usize {
        self.name.split(' ').count()
    }
    #[hybrid]
    pub fn shifted(&self) -> i64 {
        self.id << 2
    }
    #[hybrid]
    pub fn constant(&self) -> i64 {
        i64::MAX
    }
}

fn main() {}
