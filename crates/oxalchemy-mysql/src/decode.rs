//! Decoding: result columns into oxalchemy [`Value`]s, by the column's declared type.
//!
//! Works for both wire formats: the binary protocol (prepared statements) sends
//! typed values, the text protocol sends every value as text, which is parsed here
//! by the column type.
//!
//! | column type                              | `Value`                                   |
//! |------------------------------------------|-------------------------------------------|
//! | `TINYINT(1)` / `BOOL` holding 0 or 1     | `Bool` (other values stay `Int`)          |
//! | `BIT(1)`                                 | `Bool`; wider `BIT(n)`: `Int`             |
//! | other integers, `YEAR`                   | `Int` (`Decimal` above `i64::MAX`)        |
//! | `FLOAT` / `DOUBLE`                       | `Float`                                   |
//! | `DECIMAL`                                | `Decimal` (`Text` beyond 28 digits)       |
//! | `DATE` / `DATETIME` / `TIMESTAMP`        | `Date` / `DateTime` (zero dates: `Null`)  |
//! | `TIME` within a day                      | `Time` (negative or >= 24h: `Text`)       |
//! | `JSON` (MySQL)                           | `Json`                                    |
//! | strings and blobs with charset `binary`  | `Bytes`                                   |
//! | other strings (also `ENUM`, MariaDB JSON) | `Text`                                   |

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use mysql_async::Column;
use mysql_async::Value as MyValue;
use mysql_async::consts::{ColumnFlags, ColumnType};
use oxalchemy_core::Value;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The `binary` character set: the column holds bytes, not text.
const BINARY_CHARSET: u16 = 63;

/// Decode one value of `column`.
pub(crate) fn from_mysql(value: MyValue, column: &Column) -> Value {
    use ColumnType::*;
    if value == MyValue::NULL {
        return Value::Null;
    }
    match column.column_type() {
        MYSQL_TYPE_TINY if column.column_length() == 1 => match integer(value) {
            Value::Int(i @ (0 | 1)) => Value::Bool(i == 1),
            other => other,
        },
        MYSQL_TYPE_TINY | MYSQL_TYPE_SHORT | MYSQL_TYPE_LONG | MYSQL_TYPE_INT24
        | MYSQL_TYPE_LONGLONG | MYSQL_TYPE_YEAR => integer(value),
        MYSQL_TYPE_FLOAT | MYSQL_TYPE_DOUBLE => float(value),
        MYSQL_TYPE_DECIMAL | MYSQL_TYPE_NEWDECIMAL => decimal(value),
        MYSQL_TYPE_DATE | MYSQL_TYPE_NEWDATE => match temporal(value) {
            Value::DateTime(dt) => Value::Date(dt.date()),
            other => other,
        },
        MYSQL_TYPE_DATETIME
        | MYSQL_TYPE_DATETIME2
        | MYSQL_TYPE_TIMESTAMP
        | MYSQL_TYPE_TIMESTAMP2 => temporal(value),
        MYSQL_TYPE_TIME | MYSQL_TYPE_TIME2 => time(value),
        MYSQL_TYPE_BIT => bits(value, column.column_length()),
        MYSQL_TYPE_JSON => match value {
            MyValue::Bytes(b) => match serde_json::from_slice(&b) {
                Ok(j) => Value::Json(j),
                Err(_) => text_or_bytes(b),
            },
            other => fallback(other),
        },
        MYSQL_TYPE_NULL => Value::Null,
        _ => match value {
            MyValue::Bytes(b) => {
                if column.character_set() == BINARY_CHARSET
                    && !column.flags().contains(ColumnFlags::ENUM_FLAG)
                    && !column.flags().contains(ColumnFlags::SET_FLAG)
                {
                    Value::Bytes(b)
                } else {
                    text_or_bytes(b)
                }
            }
            other => fallback(other),
        },
    }
}

fn text_or_bytes(b: Vec<u8>) -> Value {
    match String::from_utf8(b) {
        Ok(s) => Value::Text(s),
        Err(e) => Value::Bytes(e.into_bytes()),
    }
}

fn as_text(b: &[u8]) -> Option<&str> {
    std::str::from_utf8(b).ok().map(str::trim)
}

fn integer(value: MyValue) -> Value {
    match value {
        MyValue::Int(i) => Value::Int(i),
        MyValue::UInt(u) => {
            i64::try_from(u).map_or_else(|_| Value::Decimal(Decimal::from(u)), Value::Int)
        }
        MyValue::Bytes(b) => match as_text(&b) {
            Some(s) => s
                .parse::<i64>()
                .map(Value::Int)
                .or_else(|_| Decimal::from_str(s).map(Value::Decimal))
                .unwrap_or_else(|_| text_or_bytes(b)),
            None => Value::Bytes(b),
        },
        other => fallback(other),
    }
}

/// A FLOAT arrives as `f32`; widen it through its shortest decimal form so
/// `0.1` reads back as `0.1`, not `0.10000000149011612`.
fn widen_f32(f: f32) -> f64 {
    f.to_string().parse().unwrap_or(f64::from(f))
}

fn float(value: MyValue) -> Value {
    match value {
        MyValue::Float(f) => Value::Float(widen_f32(f)),
        MyValue::Double(d) => Value::Float(d),
        MyValue::Int(i) => Value::Float(i as f64),
        MyValue::UInt(u) => Value::Float(u as f64),
        MyValue::Bytes(b) => match as_text(&b).and_then(|s| s.parse::<f64>().ok()) {
            Some(f) => Value::Float(f),
            None => text_or_bytes(b),
        },
        other => fallback(other),
    }
}

/// `text` as a Decimal without rounding: trailing fractional zeros beyond
/// Decimal's 28 digits of scale (`DECIMAL(65, 30)` pads to 30) are dropped,
/// any other digit it cannot hold gives `None`.
fn exact_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str_exact(text).ok().or_else(|| {
        if !text.contains('.') {
            return None;
        }
        Decimal::from_str_exact(text.trim_end_matches('0').trim_end_matches('.')).ok()
    })
}

fn decimal(value: MyValue) -> Value {
    match value {
        MyValue::Bytes(b) => match as_text(&b).and_then(exact_decimal) {
            Some(d) => Value::Decimal(d),
            None => text_or_bytes(b),
        },
        MyValue::Int(i) => Value::Decimal(Decimal::from(i)),
        MyValue::UInt(u) => Value::Decimal(Decimal::from(u)),
        MyValue::Double(f) => Decimal::try_from(f).map_or(Value::Float(f), Value::Decimal),
        other => fallback(other),
    }
}

fn temporal(value: MyValue) -> Value {
    match value {
        MyValue::Date(y, mo, d, h, mi, s, us) => {
            match NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d)).and_then(
                |date| date.and_hms_micro_opt(u32::from(h), u32::from(mi), u32::from(s), us),
            ) {
                Some(dt) => Value::DateTime(dt),
                // Zero dates (0000-00-00), as mysqlclient and PyMySQL read them.
                None => Value::Null,
            }
        }
        MyValue::Bytes(b) => {
            let Some(s) = as_text(&b) else {
                return Value::Bytes(b);
            };
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f") {
                Value::DateTime(dt)
            } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Value::DateTime(d.and_time(NaiveTime::MIN))
            } else if s.starts_with("0000-00-00") {
                Value::Null
            } else {
                text_or_bytes(b)
            }
        }
        other => fallback(other),
    }
}

fn time(value: MyValue) -> Value {
    match value {
        MyValue::Time(negative, days, h, m, s, us) => {
            if !negative
                && days == 0
                && let Some(t) =
                    NaiveTime::from_hms_micro_opt(u32::from(h), u32::from(m), u32::from(s), us)
            {
                return Value::Time(t);
            }
            let hours = u64::from(days) * 24 + u64::from(h);
            let sign = if negative { "-" } else { "" };
            Value::Text(format!("{sign}{hours:02}:{m:02}:{s:02}.{us:06}"))
        }
        MyValue::Bytes(b) => {
            match as_text(&b).and_then(|s| NaiveTime::parse_from_str(s, "%H:%M:%S%.f").ok()) {
                Some(t) => Value::Time(t),
                None => text_or_bytes(b),
            }
        }
        other => fallback(other),
    }
}

fn bits(value: MyValue, width: u32) -> Value {
    match value {
        MyValue::Bytes(b) if b.len() <= 8 => {
            let n = b
                .iter()
                .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte));
            if width == 1 {
                Value::Bool(n != 0)
            } else {
                i64::try_from(n).map_or_else(|_| Value::Decimal(Decimal::from(n)), Value::Int)
            }
        }
        MyValue::Bytes(b) => Value::Bytes(b),
        other => integer(other),
    }
}

/// A value whose wire form does not match its column type: keep what it says.
fn fallback(value: MyValue) -> Value {
    match value {
        MyValue::NULL => Value::Null,
        MyValue::Bytes(b) => text_or_bytes(b),
        MyValue::Int(i) => Value::Int(i),
        MyValue::UInt(u) => integer(MyValue::UInt(u)),
        MyValue::Float(f) => Value::Float(widen_f32(f)),
        MyValue::Double(d) => Value::Float(d),
        v @ MyValue::Date(..) => temporal(v),
        v @ MyValue::Time(..) => time(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(ty: ColumnType) -> Column {
        Column::new(ty).with_character_set(45)
    }

    #[test]
    fn text_protocol_values() {
        let v = |ty, s: &str| from_mysql(MyValue::Bytes(s.as_bytes().to_vec()), &col(ty));
        assert_eq!(v(ColumnType::MYSQL_TYPE_LONGLONG, "-42"), Value::Int(-42));
        assert_eq!(
            v(ColumnType::MYSQL_TYPE_LONGLONG, "18446744073709551615"),
            Value::Decimal(Decimal::from(u64::MAX))
        );
        assert_eq!(v(ColumnType::MYSQL_TYPE_DOUBLE, "1.5"), Value::Float(1.5));
        assert_eq!(
            v(ColumnType::MYSQL_TYPE_NEWDECIMAL, "12.340"),
            Value::Decimal(Decimal::from_str("12.340").unwrap())
        );
        assert_eq!(
            v(ColumnType::MYSQL_TYPE_DATE, "2024-02-29"),
            Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
        assert_eq!(v(ColumnType::MYSQL_TYPE_DATE, "0000-00-00"), Value::Null);
        assert_eq!(
            v(ColumnType::MYSQL_TYPE_TIME, "-01:00:00"),
            Value::Text("-01:00:00".into())
        );
        assert_eq!(
            v(ColumnType::MYSQL_TYPE_VAR_STRING, "abc"),
            Value::Text("abc".into())
        );
    }

    #[test]
    fn binary_protocol_values() {
        let tiny1 = Column::new(ColumnType::MYSQL_TYPE_TINY).with_column_length(1);
        assert_eq!(from_mysql(MyValue::Int(1), &tiny1), Value::Bool(true));
        assert_eq!(from_mysql(MyValue::Int(7), &tiny1), Value::Int(7));
        let float = col(ColumnType::MYSQL_TYPE_FLOAT);
        assert_eq!(from_mysql(MyValue::Float(0.1), &float), Value::Float(0.1));
        let time = col(ColumnType::MYSQL_TYPE_TIME);
        assert_eq!(
            from_mysql(MyValue::Time(false, 1, 2, 3, 4, 0), &time),
            Value::Text("26:03:04.000000".into())
        );
        let blob = Column::new(ColumnType::MYSQL_TYPE_BLOB).with_character_set(BINARY_CHARSET);
        assert_eq!(
            from_mysql(MyValue::Bytes(vec![0xff, 0]), &blob),
            Value::Bytes(vec![0xff, 0])
        );
        let bit1 = Column::new(ColumnType::MYSQL_TYPE_BIT).with_column_length(1);
        assert_eq!(
            from_mysql(MyValue::Bytes(vec![1]), &bit1),
            Value::Bool(true)
        );
    }
}
