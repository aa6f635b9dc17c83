//! `Value`: one database value, as bound into a statement or read from a row.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use std::fmt;
use uuid::Uuid;

/// One database value. Every parameter is bound as a `Value` (never interpolated
/// into SQL text) and every column of a fetched row arrives as one.
///
/// ```
/// use oxalchemy_core::Value;
/// assert_eq!(Value::from("sandy"), Value::Text("sandy".into()));
/// assert_eq!(Value::from(Some(5_i32)), Value::Int(5));
/// assert_eq!(Value::from(None::<i64>), Value::Null);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum Value {
    /// SQL NULL.
    #[default]
    Null,
    /// BOOLEAN.
    Bool(bool),
    /// Any integer type (SMALLINT, INTEGER, BIGINT).
    Int(i64),
    /// REAL / FLOAT / DOUBLE.
    Float(f64),
    /// Exact NUMERIC / DECIMAL.
    Decimal(Decimal),
    /// Text of any length.
    Text(String),
    /// Binary data.
    Bytes(Vec<u8>),
    /// A calendar date.
    Date(NaiveDate),
    /// A time of day.
    Time(NaiveTime),
    /// A date and time without time zone.
    DateTime(NaiveDateTime),
    /// A point in time (TIMESTAMP WITH TIME ZONE), in UTC.
    Timestamp(DateTime<Utc>),
    /// A UUID.
    Uuid(Uuid),
    /// A JSON document.
    Json(serde_json::Value),
}

impl Value {
    /// True for SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A short name of the variant, for error messages ("integer", "text", ...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Decimal(_) => "decimal",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::DateTime(_) => "datetime",
            Value::Timestamp(_) => "timestamp",
            Value::Uuid(_) => "uuid",
            Value::Json(_) => "json",
        }
    }

    /// Describe the value for an error message: its kind and a short rendering.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "NULL".to_owned(),
            Value::Text(s) if s.chars().count() > 40 => {
                let short: String = s.chars().take(40).collect();
                format!("text {short:?}...")
            }
            Value::Bytes(b) => format!("bytes (len {})", b.len()),
            other => format!("{} {}", other.kind_name(), other),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Decimal(v) => write!(f, "{v}"),
            Value::Text(v) => write!(f, "{v:?}"),
            Value::Bytes(v) => write!(f, "<{} bytes>", v.len()),
            Value::Date(v) => write!(f, "{v}"),
            Value::Time(v) => write!(f, "{v}"),
            Value::DateTime(v) => write!(f, "{v}"),
            Value::Timestamp(v) => write!(f, "{v}"),
            Value::Uuid(v) => write!(f, "{v}"),
            Value::Json(v) => write!(f, "{v}"),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident via $conv:expr),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Self {
                #[allow(clippy::redundant_closure_call)]
                Value::$variant(($conv)(v))
            }
        })*
    };
}

value_from! {
    bool => Bool via |v| v,
    i8 => Int via i64::from,
    i16 => Int via i64::from,
    i32 => Int via i64::from,
    i64 => Int via |v| v,
    u8 => Int via i64::from,
    u16 => Int via i64::from,
    u32 => Int via i64::from,
    f32 => Float via f64::from,
    f64 => Float via |v| v,
    Decimal => Decimal via |v| v,
    String => Text via |v| v,
    &str => Text via str::to_owned,
    &String => Text via String::clone,
    Box<str> => Text via String::from,
    std::sync::Arc<str> => Text via |v: std::sync::Arc<str>| v.to_string(),
    Vec<u8> => Bytes via |v| v,
    &[u8] => Bytes via <[u8]>::to_vec,
    NaiveDate => Date via |v| v,
    NaiveTime => Time via |v| v,
    NaiveDateTime => DateTime via |v| v,
    DateTime<Utc> => Timestamp via |v| v,
    Uuid => Uuid via |v| v,
    serde_json::Value => Json via |v| v,
}

impl<const N: usize> From<&[u8; N]> for Value {
    fn from(v: &[u8; N]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

/// An integer when it fits `i64`, else an exact `Decimal` (MySQL's
/// `BIGINT UNSIGNED` holds up to `u64::MAX`).
///
/// ```
/// use oxalchemy_core::Value;
/// assert_eq!(Value::from(7_u64), Value::Int(7));
/// assert_eq!(Value::from(u64::MAX), Value::Decimal(u64::MAX.into()));
/// ```
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        i64::try_from(v).map_or_else(|_| Value::Decimal(Decimal::from(v)), Value::Int)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl From<&Value> for Value {
    fn from(v: &Value) -> Self {
        v.clone()
    }
}
