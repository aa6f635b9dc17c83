//! Canonical column values: a row read back from the database is converted to
//! the `Value` variants a model's `to_values` produces for that SQL type, so a
//! snapshot compares equal to an unchanged object on every backend (SQLite
//! returns dates and UUIDs as text and booleans as integers, MariaDB JSON as text).

use crate::mapper::Mapper;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use oxalchemy_core::{FromValue, SqlType, Value};
use rust_decimal::Decimal;
use uuid::Uuid;

/// `v` converted through `T` (kept as the database gave it when it does
/// not convert). Reads `v` by reference, so nothing is copied first.
fn canonical<T: FromValue + Into<Value>>(v: Value) -> Value {
    match T::from_value(&v) {
        Ok(t) => t.into(),
        Err(_) => v,
    }
}

/// True when `v` is already the variant a model produces for `ty` (the
/// conversion would give it back unchanged).
fn is_canonical(ty: &SqlType, v: &Value) -> bool {
    matches!(
        (ty, v),
        (_, Value::Null)
            | (
                SqlType::Integer | SqlType::BigInteger | SqlType::SmallInteger,
                Value::Int(_)
            )
            | (SqlType::Boolean, Value::Bool(_))
            | (SqlType::Double, Value::Float(_))
            | (SqlType::Numeric(..), Value::Decimal(_))
            | (
                SqlType::Varchar(_) | SqlType::Text | SqlType::Enum { .. },
                Value::Text(_)
            )
            | (SqlType::Date, Value::Date(_))
            | (SqlType::Time, Value::Time(_))
            | (SqlType::DateTime, Value::DateTime(_))
            | (SqlType::Timestamp, Value::Timestamp(_))
            | (SqlType::Uuid, Value::Uuid(_))
            | (SqlType::Json, Value::Json(_))
            | (SqlType::LargeBinary, Value::Bytes(_))
    )
}

/// The canonical form of `v` for a column of type `ty` (unchanged when it
/// does not convert: the value is then kept as the database gave it).
pub(crate) fn normalize_value(ty: &SqlType, v: Value) -> Value {
    if is_canonical(ty, &v) {
        return v;
    }
    match ty {
        SqlType::Integer | SqlType::BigInteger | SqlType::SmallInteger => canonical::<i64>(v),
        SqlType::Boolean => canonical::<bool>(v),
        SqlType::Float => canonical::<f32>(v),
        SqlType::Double => canonical::<f64>(v),
        SqlType::Numeric(..) => canonical::<Decimal>(v),
        SqlType::Varchar(_) | SqlType::Text | SqlType::Enum { .. } => canonical::<String>(v),
        SqlType::Date => canonical::<NaiveDate>(v),
        SqlType::Time => canonical::<NaiveTime>(v),
        SqlType::DateTime => canonical::<NaiveDateTime>(v),
        SqlType::Timestamp => canonical::<DateTime<Utc>>(v),
        SqlType::Uuid => canonical::<Uuid>(v),
        SqlType::Json => canonical::<serde_json::Value>(v),
        SqlType::LargeBinary => canonical::<Vec<u8>>(v),
        _ => v,
    }
}

/// The canonical form of `v`, read by reference: one copy of the value
/// (the conversion's result when it converts, else a clone).
fn normalize_ref(ty: &SqlType, v: &Value) -> Value {
    if is_canonical(ty, v) {
        return v.clone();
    }
    fn conv<T: FromValue + Into<Value>>(v: &Value) -> Value {
        match T::from_value(v) {
            Ok(t) => t.into(),
            Err(_) => v.clone(),
        }
    }
    match ty {
        SqlType::Integer | SqlType::BigInteger | SqlType::SmallInteger => conv::<i64>(v),
        SqlType::Boolean => conv::<bool>(v),
        SqlType::Float => conv::<f32>(v),
        SqlType::Double => conv::<f64>(v),
        SqlType::Numeric(..) => conv::<Decimal>(v),
        SqlType::Varchar(_) | SqlType::Text | SqlType::Enum { .. } => conv::<String>(v),
        SqlType::Date => conv::<NaiveDate>(v),
        SqlType::Time => conv::<NaiveTime>(v),
        SqlType::DateTime => conv::<NaiveDateTime>(v),
        SqlType::Timestamp => conv::<DateTime<Utc>>(v),
        SqlType::Uuid => conv::<Uuid>(v),
        SqlType::Json => conv::<serde_json::Value>(v),
        SqlType::LargeBinary => conv::<Vec<u8>>(v),
        _ => v.clone(),
    }
}

/// The SQL types of a mapper's columns (mapper order), worked out once per
/// batch of rows rather than once per value.
pub(crate) fn column_types(mapper: &Mapper) -> Vec<SqlType> {
    mapper.columns.iter().map(|c| (c.sql_type)()).collect()
}

/// Normalize a full row (mapper order).
pub(crate) fn normalize_row(mapper: &Mapper, values: Vec<Value>) -> Vec<Value> {
    normalize_row_typed(&column_types(mapper), values)
}

/// Normalize a full row whose column types are `types` (see [`column_types`]).
pub(crate) fn normalize_row_typed(types: &[SqlType], values: Vec<Value>) -> Vec<Value> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| match types.get(i) {
            Some(ty) => normalize_value(ty, v),
            None => v,
        })
        .collect()
}

/// A normalized copy of `values` (a slice of a result row): each value is
/// copied once.
pub(crate) fn normalized_copy(types: &[SqlType], values: &[Value]) -> Vec<Value> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| match types.get(i) {
            Some(ty) => normalize_ref(ty, v),
            None => v.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_forms_become_model_forms() {
        assert_eq!(
            normalize_value(&SqlType::Boolean, Value::Int(1)),
            Value::Bool(true)
        );
        assert_eq!(
            normalize_value(&SqlType::Date, Value::Text("2024-02-29".into())),
            Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
        assert_eq!(normalize_value(&SqlType::Text, Value::Null), Value::Null);
        assert_eq!(
            normalize_value(&SqlType::Integer, Value::Int(7)),
            Value::Int(7)
        );
    }
}
