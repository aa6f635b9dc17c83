//! `FieldType`: which Rust field types map to columns, and how.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use oxalchemy_core::{DecodeMismatch, FromValue, SqlType, Value};
use rust_decimal::Decimal;
use uuid::Uuid;

/// A Rust type a mapped field may have. `Option<T>` makes the column nullable.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supported type for a mapped column",
    label = "unsupported field type",
    note = "supported: bool, i16, i32, i64, f32, f64, String, Vec<u8>, chrono NaiveDate, NaiveTime, NaiveDateTime, DateTime<Utc>, uuid::Uuid, serde_json::Value, rust_decimal::Decimal, each also as Option<T>; a relationship field is Related<T>"
)]
pub trait FieldType: Sized + Clone + Send + Sync + 'static {
    /// True for `Option<T>`: the column allows NULL.
    const NULLABLE: bool = false;
    /// The SQL type of the column (`length` from `#[mapped_column(length = N)]`).
    fn sql_type(length: Option<u32>) -> SqlType;
    /// The value to bind.
    fn to_value(&self) -> Value;
    /// Decode a fetched value.
    fn from_value(value: Value) -> Result<Self, DecodeMismatch>;
}

macro_rules! field_types {
    ($($t:ty => $sql:expr;)*) => {$(
        impl FieldType for $t {
            fn sql_type(length: Option<u32>) -> SqlType {
                #[allow(clippy::redundant_closure_call)]
                ($sql)(length)
            }
            fn to_value(&self) -> Value {
                Value::from(self.clone())
            }
            fn from_value(value: Value) -> Result<Self, DecodeMismatch> {
                <$t as FromValue>::from_value_owned(value)
            }
        }
    )*};
}

field_types! {
    bool => |_| SqlType::Boolean;
    i16 => |_| SqlType::SmallInteger;
    i32 => |_| SqlType::Integer;
    i64 => |_| SqlType::BigInteger;
    f32 => |_| SqlType::Float;
    f64 => |_| SqlType::Double;
    String => |len: Option<u32>| match len { Some(n) => SqlType::Varchar(Some(n)), None => SqlType::Text };
    Vec<u8> => |_| SqlType::LargeBinary;
    NaiveDate => |_| SqlType::Date;
    NaiveTime => |_| SqlType::Time;
    NaiveDateTime => |_| SqlType::DateTime;
    DateTime<Utc> => |_| SqlType::Timestamp;
    Uuid => |_| SqlType::Uuid;
    serde_json::Value => |_| SqlType::Json;
    Decimal => |_| SqlType::Numeric(38, 10);
}

impl<T: FieldType> FieldType for Option<T> {
    const NULLABLE: bool = true;
    fn sql_type(length: Option<u32>) -> SqlType {
        T::sql_type(length)
    }
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
    fn from_value(value: Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}
