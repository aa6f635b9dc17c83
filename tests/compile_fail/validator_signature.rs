// A validator must be `fn(&str, &T) -> Result<(), String>` with `T` the
// field's type: a wrong value type, a missing key argument or another return
// type is an error at the `validate = ..` path.
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "member")]
pub struct Member {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(length = 100, validate = Self::wrong_type)]
    pub email: String,
    #[mapped_column(validate = Self::no_key)]
    pub age: i32,
    #[mapped_column(validate = Self::returns_bool)]
    pub score: i64,
}

impl Member {
    fn wrong_type(_: &str, _: &i64) -> Result<(), String> {
        Ok(())
    }
    fn no_key(_: &i32) -> Result<(), String> {
        Ok(())
    }
    fn returns_bool(_: &str, _: &i64) -> bool {
        true
    }
}

fn main() {}
