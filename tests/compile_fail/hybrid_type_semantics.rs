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

// Type-driven refusals: formatting a float, ordering Options, float-to-integer casts.
#[hybrids]
impl Employee {
    #[hybrid]
    pub fn ratio_text(&self) -> String {
        format!("{}", self.ratio)
    }
    #[hybrid]
    pub fn senior_manager(&self) -> bool {
        self.manager_id > Some(3)
    }
    #[hybrid]
    pub fn whole_ratio(&self) -> i64 {
        self.ratio as i64
    }
}

fn main() {}
