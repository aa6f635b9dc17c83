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

// Statements, `if` without `else`, match guards and binding patterns are refused.
#[hybrids]
impl Employee {
    #[hybrid]
    pub fn with_let(&self) -> i64 {
        let doubled = self.id * 2;
        doubled + 1
    }
    #[hybrid]
    pub fn guarded(&self) -> i64 {
        match self.id {
            n if n > 10 => 1,
            _ => 0,
        }
    }
    #[hybrid]
    pub fn bound(&self) -> bool {
        if let Some(m) = self.manager_id { m > 3 } else { false }
    }
}

fn main() {}
