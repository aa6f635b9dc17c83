//! Binding [`Value`]s as SQLite parameters.
//!
//! SQLite has five storage classes (NULL, INTEGER, REAL, TEXT, BLOB), so richer
//! values are bound as SQLAlchemy's SQLite dialect binds them, so a database
//! shared with a Python service holds, compares and sorts the same values:
//!
//! - a `Decimal` as a REAL (SQLAlchemy binds a float), so it compares as a
//!   number with any expression (a TEXT is greater than every number), when a
//!   double holds it exactly; a whole number that fits as an INTEGER; any
//!   other (more significant digits than a double keeps) is refused with a
//!   `DataError`, never rounded (SQLAlchemy rounds it to a float silently);
//! - a NaN float is refused with a `DataError` (SQLite would store NULL);
//!   the infinities are REALs SQLite holds;
//! - dates and times as text: `2024-01-02`, `03:04:05.000000` and
//!   `2024-01-02 03:04:05.000000`, always with six fractional digits (a
//!   `Timestamp` as its UTC date and time, without an offset, as SQLAlchemy
//!   writes a UTC `DateTime(timezone=True)`); the decoder reads these and the
//!   forms SQLite's own date functions write (see `decode.rs`).

use chrono::{NaiveTime, Timelike};
use oxalchemy_core::Value;
use rusqlite::types::{ToSql, ToSqlOutput, Value as SqlValue, ValueRef};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A borrowed [`Value`] that rusqlite can bind.
pub(crate) struct BindValue<'a>(pub &'a Value);

impl ToSql for BindValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Float(f) if f.is_nan() => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "NaN cannot be stored in SQLite (it would become NULL)".into(),
                ));
            }
            Value::Float(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Decimal(d) => match decimal(d) {
                Some(v) => ToSqlOutput::Owned(v),
                None => {
                    return Err(rusqlite::Error::ToSqlConversionFailure(
                        format!(
                            "the decimal {d} has more significant digits than SQLite holds \
                             exactly (a REAL keeps about 15-17, an INTEGER is whole); round it, \
                             or store it as text in a TEXT column"
                        )
                        .into(),
                    ));
                }
            },
            other => match text_form(other) {
                Some(text) => ToSqlOutput::Owned(SqlValue::Text(text)),
                None => {
                    return Err(rusqlite::Error::ToSqlConversionFailure(
                        format!("cannot bind a {} value to SQLite", other.kind_name()).into(),
                    ));
                }
            },
        })
    }
}

/// A decimal as SQLAlchemy binds it, a REAL, when a double holds it exactly
/// as written (its shortest text is `d`); else an INTEGER when it is a whole
/// number that fits; else `None`: SQLite cannot hold it as a number exactly.
fn decimal(d: &Decimal) -> Option<SqlValue> {
    let exact = f64::try_from(*d)
        .ok()
        .filter(|f| Decimal::from_str(&f.to_string()).ok() == Some(*d));
    match exact {
        Some(f) => Some(SqlValue::Real(f)),
        None => match i64::try_from(*d) {
            Ok(i) if d.fract().is_zero() => Some(SqlValue::Integer(i)),
            _ => None,
        },
    }
}

/// The text a value that is not bound as a number or blob is stored as;
/// `None` for a variant this driver does not know.
pub(crate) fn text_form(value: &Value) -> Option<String> {
    Some(match value {
        Value::Decimal(d) => d.to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Time(t) => format_time(t),
        Value::DateTime(dt) => format!("{} {}", dt.format("%Y-%m-%d"), format_time(&dt.time())),
        Value::Timestamp(ts) => {
            let naive = ts.naive_utc();
            format!(
                "{} {}",
                naive.format("%Y-%m-%d"),
                format_time(&naive.time())
            )
        }
        Value::Uuid(u) => u.hyphenated().to_string(),
        Value::Json(j) => j.to_string(),
        _ => return None,
    })
}

/// `HH:MM:SS.ffffff`, as SQLAlchemy's SQLite TIME and DATETIME write it
/// (whole seconds too: `03:04:05.000000`, so equality and ranges match rows
/// SQLAlchemy wrote); `.fffffffff` when there are nanoseconds, which
/// SQLAlchemy cannot hold.
fn format_time(t: &NaiveTime) -> String {
    let nanos = t.nanosecond() % 1_000_000_000;
    let fmt = if nanos.is_multiple_of(1_000) {
        "%H:%M:%S%.6f"
    } else {
        "%H:%M:%S%.9f"
    };
    t.format(fmt).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn text_forms() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let t = NaiveTime::from_hms_micro_opt(13, 5, 9, 120).unwrap();
        assert_eq!(text_form(&Value::Date(d)).unwrap(), "2024-02-29");
        assert_eq!(text_form(&Value::Time(t)).unwrap(), "13:05:09.000120");
        // SQLAlchemy writes whole seconds with six zeros too.
        let whole = NaiveTime::from_hms_opt(1, 2, 3).unwrap();
        assert_eq!(text_form(&Value::Time(whole)).unwrap(), "01:02:03.000000");
        assert_eq!(
            text_form(&Value::DateTime(d.and_time(t))).unwrap(),
            "2024-02-29 13:05:09.000120"
        );
        assert_eq!(
            text_form(&Value::DateTime(d.and_time(whole))).unwrap(),
            "2024-02-29 01:02:03.000000"
        );
        let ts = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            text_form(&Value::Timestamp(ts)).unwrap(),
            "2024-01-02 03:04:05.000000"
        );
        assert_eq!(
            text_form(&Value::Json(serde_json::json!({"a": [1]}))).unwrap(),
            r#"{"a":[1]}"#
        );
    }

    fn bound(v: &Value) -> SqlValue {
        match BindValue(v).to_sql().unwrap() {
            ToSqlOutput::Owned(v) => v,
            ToSqlOutput::Borrowed(ValueRef::Real(f)) => SqlValue::Real(f),
            ToSqlOutput::Borrowed(ValueRef::Integer(i)) => SqlValue::Integer(i),
            _ => unreachable!(),
        }
    }

    #[test]
    fn decimals_bind_as_numbers() {
        let d = |s: &str| Value::Decimal(s.parse().unwrap());
        assert_eq!(bound(&d("1.5")), SqlValue::Real(1.5));
        assert_eq!(bound(&d("0.10")), SqlValue::Real(0.1));
        assert_eq!(bound(&d("-3")), SqlValue::Real(-3.0));
        // More digits than a double holds: a whole number that fits, or refused.
        assert_eq!(
            bound(&d("1234567890123456789")),
            SqlValue::Integer(1_234_567_890_123_456_789)
        );
        assert!(BindValue(&d("12345678901234567890.12")).to_sql().is_err());
        assert!(BindValue(&d("0.10000000000000000001")).to_sql().is_err());
        // A huge whole number a double holds exactly is a REAL.
        assert_eq!(bound(&d("1e25")), SqlValue::Real(1e25));
    }

    #[test]
    fn nan_is_refused_infinities_bind() {
        assert!(BindValue(&Value::Float(f64::NAN)).to_sql().is_err());
        assert_eq!(
            bound(&Value::Float(f64::INFINITY)),
            SqlValue::Real(f64::INFINITY)
        );
    }
}
