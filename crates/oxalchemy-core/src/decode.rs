//! `FromValue`: typed decoding of database values into Rust types.

use crate::value::Value;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

/// Why a value could not be decoded; turned into `Error::DecodeError` with the column name.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeMismatch {
    /// The Rust type asked for.
    pub rust_type: &'static str,
    /// What the database held.
    pub found: String,
}

impl DecodeMismatch {
    /// A mismatch for `T` given `value`.
    pub fn new<T>(value: &Value) -> Self {
        DecodeMismatch {
            rust_type: std::any::type_name::<T>(),
            found: value.describe(),
        }
    }
}

/// A Rust type that can be read from a database [`Value`].
///
/// Conversions are lenient where backends differ in storage, strict where data
/// would be lost: SQLite stores booleans as integers and dates as text, so
/// `bool` accepts `0`/`1` and `NaiveDate` accepts ISO text; an `i32` refuses a
/// value out of its range; a NULL only decodes into `Option<T>`.
///
/// ```
/// use oxalchemy_core::{FromValue, Value};
/// assert_eq!(i32::from_value(&Value::Int(7)).unwrap(), 7);
/// assert_eq!(bool::from_value(&Value::Int(1)).unwrap(), true);
/// assert!(String::from_value(&Value::Null).is_err());
/// assert_eq!(Option::<String>::from_value(&Value::Null).unwrap(), None);
/// ```
pub trait FromValue: Sized {
    /// Decode `value`, or say why it does not fit.
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch>;

    /// Decode an owned value (avoids a copy for text and bytes).
    fn from_value_owned(value: Value) -> Result<Self, DecodeMismatch> {
        Self::from_value(&value)
    }
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        Ok(value.clone())
    }
    fn from_value_owned(value: Value) -> Result<Self, DecodeMismatch> {
        Ok(value)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some).map_err(|mut e| {
                e.rust_type = std::any::type_name::<Self>();
                e
            }),
        }
    }
    fn from_value_owned(value: Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value_owned(v).map(Some).map_err(|mut e| {
                e.rust_type = std::any::type_name::<Self>();
                e
            }),
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Bool(b) => Ok(*b),
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            v => Err(DecodeMismatch::new::<bool>(v)),
        }
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
                match value {
                    Value::Int(i) => <$t>::try_from(*i).map_err(|_| DecodeMismatch::new::<$t>(value)),
                    Value::Bool(b) => Ok(<$t>::from(*b)),
                    Value::Decimal(d) if d.fract().is_zero() => {
                        // Through i128: a u64 above i64::MAX (MySQL's BIGINT UNSIGNED) is exact.
                        i128::try_from(*d).ok().and_then(|i| <$t>::try_from(i).ok()).ok_or_else(|| DecodeMismatch::new::<$t>(value))
                    }
                    v => Err(DecodeMismatch::new::<$t>(v)),
                }
            }
        }
    )*};
}
int_from_value!(i8, i16, i32, i64, u8, u16, u32, u64);

impl FromValue for f64 {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Float(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            Value::Decimal(d) => f64::try_from(*d).map_err(|_| DecodeMismatch::new::<f64>(value)),
            v => Err(DecodeMismatch::new::<f64>(v)),
        }
    }
}

impl FromValue for f32 {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        f64::from_value(value)
            .map(|f| f as f32)
            .map_err(|_| DecodeMismatch::new::<f32>(value))
    }
}

impl FromValue for Decimal {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Decimal(d) => Ok(*d),
            Value::Int(i) => Ok(Decimal::from(*i)),
            Value::Float(f) => {
                Decimal::try_from(*f).map_err(|_| DecodeMismatch::new::<Decimal>(value))
            }
            // Exactly or not at all: text with more digits than a Decimal
            // holds is refused, never rounded.
            Value::Text(s) => {
                Decimal::from_str_exact(s.trim()).map_err(|_| DecodeMismatch::new::<Decimal>(value))
            }
            v => Err(DecodeMismatch::new::<Decimal>(v)),
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Text(s) => Ok(s.clone()),
            v => Err(DecodeMismatch::new::<String>(v)),
        }
    }
    fn from_value_owned(value: Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Text(s) => Ok(s),
            v => Err(DecodeMismatch::new::<String>(&v)),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Bytes(b) => Ok(b.clone()),
            v => Err(DecodeMismatch::new::<Vec<u8>>(v)),
        }
    }
    fn from_value_owned(value: Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Bytes(b) => Ok(b),
            v => Err(DecodeMismatch::new::<Vec<u8>>(&v)),
        }
    }
}

impl FromValue for NaiveDate {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Date(d) => Ok(*d),
            Value::DateTime(dt) => Ok(dt.date()),
            Value::Text(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| DecodeMismatch::new::<NaiveDate>(value)),
            v => Err(DecodeMismatch::new::<NaiveDate>(v)),
        }
    }
}

impl FromValue for NaiveTime {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Time(t) => Ok(*t),
            Value::Text(s) => {
                NaiveTime::from_str(s).map_err(|_| DecodeMismatch::new::<NaiveTime>(value))
            }
            v => Err(DecodeMismatch::new::<NaiveTime>(v)),
        }
    }
}

fn parse_naive_datetime(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()
}

impl FromValue for NaiveDateTime {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::DateTime(dt) => Ok(*dt),
            Value::Timestamp(ts) => Ok(ts.naive_utc()),
            Value::Text(s) => {
                parse_naive_datetime(s).ok_or_else(|| DecodeMismatch::new::<NaiveDateTime>(value))
            }
            v => Err(DecodeMismatch::new::<NaiveDateTime>(v)),
        }
    }
}

impl FromValue for DateTime<Utc> {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Timestamp(ts) => Ok(*ts),
            Value::DateTime(dt) => Ok(dt.and_utc()),
            Value::Text(s) => DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z")
                        .map(|d| d.with_timezone(&Utc))
                        .ok()
                })
                .or_else(|| parse_naive_datetime(s).map(|d| d.and_utc()))
                .ok_or_else(|| DecodeMismatch::new::<DateTime<Utc>>(value)),
            v => Err(DecodeMismatch::new::<DateTime<Utc>>(v)),
        }
    }
}

impl FromValue for Uuid {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Uuid(u) => Ok(*u),
            Value::Text(s) => Uuid::parse_str(s).map_err(|_| DecodeMismatch::new::<Uuid>(value)),
            Value::Bytes(b) => Uuid::from_slice(b).map_err(|_| DecodeMismatch::new::<Uuid>(value)),
            v => Err(DecodeMismatch::new::<Uuid>(v)),
        }
    }
}

impl FromValue for serde_json::Value {
    fn from_value(value: &Value) -> Result<Self, DecodeMismatch> {
        match value {
            Value::Json(j) => Ok(j.clone()),
            Value::Text(s) => {
                serde_json::from_str(s).map_err(|_| DecodeMismatch::new::<serde_json::Value>(value))
            }
            Value::Bytes(b) => serde_json::from_slice(b)
                .map_err(|_| DecodeMismatch::new::<serde_json::Value>(value)),
            v => Err(DecodeMismatch::new::<serde_json::Value>(v)),
        }
    }
}
