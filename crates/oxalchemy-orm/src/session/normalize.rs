//! Canonical column values: a row read back from the database is converted to
//! the `Value` variants a model's `to_values` produces for that SQL type, so a
//! snapshot compares equal to an unchanged object on every backend (SQLite
//! returns dates and UUIDs as text and booleans as integers, MariaDB JSON as text).

use crate::mapper::Mapper;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use oxalchemy_core::{FromValue, SqlType, Value};
use rust_decimal::Decimal;
use uuid::Uuid;

fn canonical<T: FromValue + Into<Value>>(v: Value) -> Value {
    match T::from_value_owned(v.clone()) {
        Ok(t) => t.into(),
        Err(_) => v,
    }
}

/// The canonical form of `v` for a column of type `ty` (unchanged when it
/// does not convert: the value is then kept as the database gave it).
pub(crate) fn normalize_value(ty: &SqlType, v: Value) -> Value {
    if v.is_null() {
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

/// Normalize a full row (mapper order).
pub(crate) fn normalize_row(mapper: &Mapper, values: Vec<Value>) -> Vec<Value> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| match mapper.columns.get(i) {
            Some(c) => normalize_value(&(c.sql_type)(), v),
            None => v,
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
