// `#[model(default)]` puts each `mapped_column(default = ..)` in the generated
// `Default`: a default the field cannot hold is an error at the expression.
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone)]
#[model(base = Base, table = "job", default)]
pub struct Job {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(default = "high")]
    pub priority: i64,
}

fn main() {}
