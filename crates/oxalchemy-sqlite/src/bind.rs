//! Binding [`Value`]s as SQLite parameters.
//!
//! SQLite has five storage classes (NULL, INTEGER, REAL, TEXT, BLOB), so richer
//! values are bound in the text forms SQLite's own date functions use and the
//! driver's decoder parses back (see `decode.rs`).

use chrono::{NaiveTime, Timelike};
use oxalchemy_core::Value;
use rusqlite::types::{ToSql, ToSqlOutput, Value as SqlValue, ValueRef};

/// A borrowed [`Value`] that rusqlite can bind.
pub(crate) struct BindValue<'a>(pub &'a Value);

impl ToSql for BindValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Float(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
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

/// The text a non-primitive value is stored as; `None` for a variant this
/// driver does not know.
pub(crate) fn text_form(value: &Value) -> Option<String> {
    Some(match value {
        Value::Decimal(d) => d.to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Time(t) => format_time(t),
        Value::DateTime(dt) => format!("{} {}", dt.format("%Y-%m-%d"), format_time(&dt.time())),
        Value::Timestamp(ts) => {
            let naive = ts.naive_utc();
            format!(
                "{} {}+00:00",
                naive.format("%Y-%m-%d"),
                format_time(&naive.time())
            )
        }
        Value::Uuid(u) => u.hyphenated().to_string(),
        Value::Json(j) => j.to_string(),
        _ => return None,
    })
}

/// `HH:MM:SS`, with `.ffffff` when there are microseconds (or `.fffffffff`
/// for nanoseconds): whole seconds print as SQLite's `time('now')` does, so
/// equality with values SQLite produced itself works.
fn format_time(t: &NaiveTime) -> String {
    let nanos = t.nanosecond() % 1_000_000_000;
    let fmt = if nanos == 0 {
        "%H:%M:%S"
    } else if nanos.is_multiple_of(1_000) {
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
        let whole = NaiveTime::from_hms_opt(1, 2, 3).unwrap();
        assert_eq!(text_form(&Value::Time(whole)).unwrap(), "01:02:03");
        assert_eq!(
            text_form(&Value::DateTime(d.and_time(t))).unwrap(),
            "2024-02-29 13:05:09.000120"
        );
        let ts = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            text_form(&Value::Timestamp(ts)).unwrap(),
            "2024-01-02 03:04:05+00:00"
        );
        assert_eq!(
            text_form(&Value::Json(serde_json::json!({"a": [1]}))).unwrap(),
            r#"{"a":[1]}"#
        );
    }
}
