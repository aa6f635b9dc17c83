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

// Rust and SQL disagree on these for some text: refused, with the exact alternative.
#[hybrids]
impl Employee {
    #[hybrid]
    pub fn lower(&self) -> String {
        self.name.to_lowercase()
    }
    #[hybrid]
    pub fn trimmed(&self) -> String {
        self.name.trim().to_owned()
    }
    #[hybrid]
    pub fn padded(&self) -> String {
        format!("{:>8}", self.name)
    }
}

fn main() {}
