//! The `Model` trait that `#[derive(Model)]` implements.

use crate::mapper::Mapper;
use oxalchemy_core::{Result, Table, Value};

/// A mapped struct: one row of its table as an owned value.
///
/// Implemented by `#[derive(Model)]`; the columns are the non-relationship
/// fields in declaration order ([`Mapper::columns`]), and `to_values` /
/// `from_values` convert in that order (rows are read by position, never by
/// name lookups).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a mapped model",
    label = "expected a struct with #[derive(Model)]",
    note = "relationships, entities and sessions work with types that derive Model"
)]
pub trait Model: Clone + Send + Sync + Sized + 'static {
    /// The primary key: a single value, or a tuple for a composite key.
    type PrimaryKey: PrimaryKey;

    /// The static mapping description.
    fn mapper() -> &'static Mapper;

    /// The model's Core table (built once, on first use).
    fn table() -> &'static Table;

    /// The column values, in mapper order.
    fn to_values(&self) -> Vec<Value>;

    /// Build a value from column values in mapper order (relationships not loaded).
    fn from_values(values: Vec<Value>) -> Result<Self>;

    /// Overwrite the column fields from values in mapper order (relationships untouched).
    fn set_values(&mut self, values: Vec<Value>) -> Result<()> {
        let fresh = Self::from_values(values)?;
        let _ = std::mem::replace(self, fresh);
        Ok(())
    }

    /// Append the primary-key values of this object, in key order, to `out`
    /// (the derive writes them straight from the key fields).
    fn push_key_values(&self, out: &mut Vec<Value>) {
        out.extend(self.primary_key_values());
    }

    /// The value the session stores and writes: the object itself, or for a
    /// `#[derive(Polymorphic)]` enum the variant's value (the session keeps
    /// each row as its own class).
    #[doc(hidden)]
    fn as_persisted(&self) -> &dyn crate::AnyModel {
        self
    }

    /// [`as_persisted`](Self::as_persisted), mutably.
    #[doc(hidden)]
    fn as_persisted_mut(&mut self) -> &mut dyn crate::AnyModel {
        self
    }

    /// The primary-key values of this object, in key order.
    fn primary_key_values(&self) -> Vec<Value> {
        let values = self.to_values();
        Self::mapper()
            .primary_key
            .iter()
            .map(|&i| values[i].clone())
            .collect()
    }
}

/// A primary-key value: `session.get::<User>(5)`, `session.get::<Link>((1, 2))`.
pub trait PrimaryKey {
    /// The key's column values, in key order.
    fn into_key_values(self) -> Vec<Value>;
}

macro_rules! single_keys {
    ($($t:ty),*) => {$(
        impl PrimaryKey for $t {
            fn into_key_values(self) -> Vec<Value> {
                vec![Value::from(self)]
            }
        }
    )*};
}

single_keys!(
    i16,
    i32,
    i64,
    String,
    &str,
    uuid::Uuid,
    chrono::NaiveDate,
    Value
);

macro_rules! tuple_keys {
    ($($name:ident),+) => {
        impl<$($name: Into<Value>),+> PrimaryKey for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_key_values(self) -> Vec<Value> {
                let ($($name,)+) = self;
                vec![$($name.into()),+]
            }
        }
    };
}

tuple_keys!(A, B);
tuple_keys!(A, B, C);
tuple_keys!(A, B, C, D);
