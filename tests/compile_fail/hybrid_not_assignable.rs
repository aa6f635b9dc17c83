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
    pub fn shout(&self) -> String {
        self.name.to_ascii_uppercase()
    }
}

// A hybrid is an expression, not a column: nothing assigns to it.
fn main() {
    let _ = update(Employee::table()).set(Employee::SHOUT, "X");
    let _ = insert(Employee::table()).values((Employee::SHOUT, "X"));
}
