//! Binding: oxalchemy [`Value`]s as `mysql_async` values for prepared statements.
//!
//! | `Value`                 | sent as                                      |
//! |-------------------------|----------------------------------------------|
//! | `Bool`                  | integer 0 / 1                                |
//! | `Int` / `Float`         | 64-bit integer / double                      |
//! | `Decimal`               | its text (exact)                             |
//! | `Text` / `Bytes`        | bytes                                        |
//! | `Date` / `DateTime`     | a binary-protocol date (microseconds kept)   |
//! | `Timestamp`             | its UTC date and time                        |
//! | `Time`                  | a binary-protocol time                       |
//! | `Uuid`                  | hyphenated text (`CHAR(36)`)                 |
//! | `Json`                  | its text                                     |

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use mysql_async::Value as MyValue;
use oxalchemy_core::{Error, Result, Value};

/// Convert one parameter; `index` (0-based) names it in errors.
pub(crate) fn to_mysql(value: &Value, index: usize) -> Result<MyValue> {
    Ok(match value {
        Value::Null => MyValue::NULL,
        Value::Bool(b) => MyValue::Int(i64::from(*b)),
        Value::Int(i) => MyValue::Int(*i),
        Value::Float(f) => MyValue::Double(*f),
        Value::Decimal(d) => MyValue::Bytes(d.to_string().into_bytes()),
        Value::Text(s) => MyValue::Bytes(s.as_bytes().to_vec()),
        Value::Bytes(b) => MyValue::Bytes(b.clone()),
        Value::Date(d) => date_time(index, *d, NaiveTime::MIN)?,
        Value::Time(t) => MyValue::Time(
            false,
            0,
            t.hour() as u8,
            t.minute() as u8,
            t.second() as u8,
            micros(t),
        ),
        Value::DateTime(dt) => date_time(index, dt.date(), dt.time())?,
        Value::Timestamp(ts) => {
            let utc: NaiveDateTime = ts.naive_utc();
            date_time(index, utc.date(), utc.time())?
        }
        Value::Uuid(u) => MyValue::Bytes(u.hyphenated().to_string().into_bytes()),
        Value::Json(j) => MyValue::Bytes(j.to_string().into_bytes()),
        other => {
            return Err(Error::argument(format!(
                "parameter {}: the MySQL driver cannot bind a {} value",
                index + 1,
                other.kind_name()
            )));
        }
    })
}

/// Microseconds of a time (nanoseconds truncated; a leap second's extra second clamped).
fn micros(t: &NaiveTime) -> u32 {
    (t.nanosecond() / 1_000).min(999_999)
}

fn date_time(index: usize, date: NaiveDate, time: NaiveTime) -> Result<MyValue> {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        return Err(Error::DataError {
            message: format!(
                "parameter {}: year {year} is outside the range MySQL can store (0000-9999)",
                index + 1
            ),
            sql: None,
        });
    }
    Ok(MyValue::Date(
        year as u16,
        date.month() as u8,
        date.day() as u8,
        time.hour() as u8,
        time.minute() as u8,
        time.second() as u8,
        micros(&time),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn scalar_values() {
        assert_eq!(to_mysql(&Value::Bool(true), 0).unwrap(), MyValue::Int(1));
        assert_eq!(to_mysql(&Value::Null, 0).unwrap(), MyValue::NULL);
        assert_eq!(
            to_mysql(&Value::Decimal("12.50".parse().unwrap()), 0).unwrap(),
            MyValue::Bytes(b"12.50".to_vec())
        );
        let u = uuid::Uuid::from_u128(0x1234);
        assert_eq!(
            to_mysql(&Value::Uuid(u), 0).unwrap(),
            MyValue::Bytes(b"00000000-0000-0000-0000-000000001234".to_vec())
        );
    }

    #[test]
    fn temporal_values() {
        let dt = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_micro_opt(13, 14, 15, 123_456)
            .unwrap();
        assert_eq!(
            to_mysql(&Value::DateTime(dt), 0).unwrap(),
            MyValue::Date(2024, 2, 29, 13, 14, 15, 123_456)
        );
        let ts = Utc.from_utc_datetime(&dt);
        assert_eq!(
            to_mysql(&Value::Timestamp(ts), 0).unwrap(),
            MyValue::Date(2024, 2, 29, 13, 14, 15, 123_456)
        );
        let early = NaiveDate::from_ymd_opt(-5, 1, 1).unwrap();
        assert!(matches!(
            to_mysql(&Value::Date(early), 2),
            Err(Error::DataError { .. })
        ));
    }
}
