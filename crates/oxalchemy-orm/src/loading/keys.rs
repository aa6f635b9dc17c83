//! Hashable key values, to match children to parents.

use crate::session::normalize_value;
use oxalchemy_core::{SqlType, Value};

/// One key value in a hashable, canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum KeyPart {
    Bool(bool),
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Uuid(uuid::Uuid),
    /// Floats by bit pattern, everything else by its text.
    Other(&'static str, String),
}

/// A key: the values of one or more columns.
pub(crate) type Key = Vec<KeyPart>;

fn part(v: &Value) -> KeyPart {
    match v {
        Value::Bool(b) => KeyPart::Bool(*b),
        Value::Int(i) => KeyPart::Int(*i),
        Value::Text(s) => KeyPart::Text(s.clone()),
        Value::Bytes(b) => KeyPart::Bytes(b.clone()),
        Value::Uuid(u) => KeyPart::Uuid(*u),
        Value::Float(f) => KeyPart::Other("float", f.to_bits().to_string()),
        Value::Decimal(d) => KeyPart::Other("decimal", d.normalize().to_string()),
        other => KeyPart::Other(other.kind_name(), other.to_string()),
    }
}

/// The key of canonical values (a model's `to_values`); `None` when one is NULL.
pub(crate) fn key_of(values: &[&Value]) -> Option<Key> {
    values
        .iter()
        .map(|v| (!v.is_null()).then(|| part(v)))
        .collect()
}

/// The key of values read from the database, made canonical by their column
/// types first (SQLite returns UUIDs and dates as text); `None` when one is NULL.
pub(crate) fn key_of_raw(values: &[(&Value, &SqlType)]) -> Option<Key> {
    values
        .iter()
        .map(|(v, ty)| {
            if v.is_null() {
                None
            } else {
                Some(part(&normalize_value(ty, (*v).clone())))
            }
        })
        .collect()
}

/// A key of any values (for de-duplicating rows); NULL is a value here.
pub(crate) fn row_key(values: &[Value]) -> Vec<Option<KeyPart>> {
    values
        .iter()
        .map(|v| (!v.is_null()).then(|| part(v)))
        .collect()
}
