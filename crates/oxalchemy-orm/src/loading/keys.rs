//! Hashable key values, to match children to parents.

use crate::session::normalize_value;
use oxalchemy_core::{SqlType, Value};

pub(crate) use crate::key_part::KeyPart;

/// A key: the values of one or more columns.
pub(crate) type Key = Vec<KeyPart>;

fn part(v: &Value) -> KeyPart {
    KeyPart::of(v)
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
pub(crate) fn row_key(values: &[Value]) -> Vec<KeyPart> {
    values.iter().map(KeyPart::of).collect()
}
