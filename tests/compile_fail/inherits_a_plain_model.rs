use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

// No polymorphic_on: not the base of a hierarchy.
#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "vehicle")]
pub struct Vehicle {
    #[mapped_column(primary_key)]
    pub id: i64,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, inherits = Vehicle, polymorphic_identity = "car")]
pub struct Car {
    #[parent]
    pub vehicle: Vehicle,
    pub doors: i32,
}

#[derive(Polymorphic, Debug, Clone)]
pub enum AnyVehicle {
    Vehicle { v: Vehicle },
}

fn main() {}
