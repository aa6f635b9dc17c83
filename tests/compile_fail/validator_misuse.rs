// `validate = ..` is refused by the derive on a primary key and when it is
// not a function; a misspelled `validate` gets its "did you mean".
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "member")]
pub struct Member {
    #[mapped_column(primary_key, validate = Self::check_id)]
    pub id: i64,
    #[mapped_column(validate = "not a function")]
    pub name: String,
    #[mapped_column(validat = Self::check_rank)]
    pub rank: i32,
}

impl Member {
    fn check_id(_: &str, _: &i64) -> Result<(), String> {
        Ok(())
    }
    fn check_rank(_: &str, _: &i32) -> Result<(), String> {
        Ok(())
    }
}

fn main() {}
