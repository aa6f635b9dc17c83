//! `ResultShape`: how a row of a model query decodes (models, tuples, scalars).

use crate::any_model::AnyModel;
use crate::mapper::Mapper;
use crate::model::Model;
use oxalchemy_core::{Error, FromValue, Result, Value};

/// A type a row of `session.scalars(select(..))` decodes into: a model (its
/// columns in mapper order), a plain value (one column), or a tuple of them.
pub trait ResultShape: Sized + Send {
    /// How many columns one value takes.
    fn width() -> usize;
    /// Decode from the next `width()` values.
    fn decode(values: &mut std::vec::IntoIter<Value>) -> Result<Self>;

    /// The models this value holds (itself for a model, the models of a
    /// tuple, none for a plain value), for the loaders that fill their
    /// relationships after the query.
    fn models_mut<'a>(&'a mut self, out: &mut Vec<&'a mut dyn AnyModel>) {
        let _ = out;
    }

    /// The models this shape decodes, with the position of their first
    /// column when the shape starts at column `offset` (the loaders find the
    /// entities of a query this way).
    fn entities(offset: usize, out: &mut Vec<(usize, &'static Mapper)>) {
        let _ = (offset, out);
    }
}

/// Decode a model from the next columns of a row.
pub fn decode_model<M: Model>(values: &mut std::vec::IntoIter<Value>) -> Result<M> {
    let n = M::mapper().columns.len();
    let taken: Vec<Value> = values.by_ref().take(n).collect();
    if taken.len() != n {
        return Err(Error::invalid_request(format!(
            "a row for {} needs {n} columns but had {}",
            M::mapper().model,
            taken.len()
        )));
    }
    M::from_values(taken)
}

macro_rules! scalar_shapes {
    ($($t:ty),*) => {$(
        impl ResultShape for $t {
            fn width() -> usize { 1 }
            fn decode(values: &mut std::vec::IntoIter<Value>) -> Result<Self> {
                let v = values.next().unwrap_or(Value::Null);
                <$t as FromValue>::from_value_owned(v)
                    .map_err(|m| oxalchemy_core::row::decode_error(m, "0".to_owned()))
            }
        }
        impl ResultShape for Option<$t> {
            fn width() -> usize { 1 }
            fn decode(values: &mut std::vec::IntoIter<Value>) -> Result<Self> {
                let v = values.next().unwrap_or(Value::Null);
                <Option<$t> as FromValue>::from_value_owned(v)
                    .map_err(|m| oxalchemy_core::row::decode_error(m, "0".to_owned()))
            }
        }
    )*};
}

scalar_shapes!(
    bool,
    i16,
    i32,
    i64,
    f32,
    f64,
    String,
    Vec<u8>,
    rust_decimal::Decimal,
    chrono::NaiveDate,
    chrono::NaiveTime,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>,
    uuid::Uuid,
    serde_json::Value
);

impl ResultShape for Value {
    fn width() -> usize {
        1
    }
    fn decode(values: &mut std::vec::IntoIter<Value>) -> Result<Self> {
        Ok(values.next().unwrap_or(Value::Null))
    }
}

macro_rules! tuple_shapes {
    ($($name:ident),+) => {
        impl<$($name: ResultShape),+> ResultShape for ($($name,)+) {
            fn width() -> usize { 0 $(+ $name::width())+ }
            fn decode(values: &mut std::vec::IntoIter<Value>) -> Result<Self> {
                Ok(($($name::decode(values)?,)+))
            }
            #[allow(non_snake_case)]
            fn models_mut<'a>(&'a mut self, out: &mut Vec<&'a mut dyn AnyModel>) {
                let ($($name,)+) = self;
                $($name.models_mut(out);)+
            }
            fn entities(offset: usize, out: &mut Vec<(usize, &'static Mapper)>) {
                let mut at = offset;
                $(
                    $name::entities(at, out);
                    at += $name::width();
                )+
                let _ = at;
            }
        }
    };
}

tuple_shapes!(A);
tuple_shapes!(A, B);
tuple_shapes!(A, B, C);
tuple_shapes!(A, B, C, D);
tuple_shapes!(A, B, C, D, E);
tuple_shapes!(A, B, C, D, E, F);
