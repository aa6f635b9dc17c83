use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "employee", polymorphic_on = "kind")]
pub struct Employee {
    #[mapped_column(primary_key)]
    pub id: i64,
    pub kind: String,
}

// inherits without a #[parent] field
#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, inherits = Employee, polymorphic_identity = "manager")]
pub struct Manager {
    pub data: Option<String>,
}

// an identity on a model outside any hierarchy
#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "plain", polymorphic_identity = "plain")]
pub struct Plain {
    #[mapped_column(primary_key)]
    pub id: i64,
}

// a subclass's own key column, and the discriminator declared again
#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "engineer", inherits = Employee, polymorphic_on = "kind")]
pub struct Engineer {
    #[parent]
    pub employee: Employee,
    #[mapped_column(primary_key)]
    pub badge: i64,
}

fn main() {}
