//! Mapping SQLite results back to [`Value`]s through the column's declared type.
//!
//! SQLite stores only NULL/INTEGER/REAL/TEXT/BLOB; the declared type of a
//! table column (`BOOLEAN`, `DATETIME`, `NUMERIC(10, 2)`, ...) says what the
//! stored value means. A value that does not parse as its declared type, or a
//! column without one (an expression), comes back raw; core's `FromValue` is
//! lenient enough to decode the raw forms (`bool` from `0`/`1`, dates from text).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use oxalchemy_core::Value;
use oxalchemy_core::column_decode::at_scale;
use rusqlite::types::ValueRef;
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

/// What a column's declared type says about its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeclKind {
    /// No mapping: the storage class decides.
    Raw,
    /// `BOOLEAN`: `0`/`1`.
    Bool,
    /// `DATE`: `YYYY-MM-DD`.
    Date,
    /// `TIME`: `HH:MM:SS[.f]`.
    Time,
    /// `DATETIME`: `YYYY-MM-DD HH:MM:SS[.f]`, no time zone.
    DateTime,
    /// `TIMESTAMP`: a point in time, UTC when the text has no offset.
    Timestamp,
    /// `NUMERIC(p, s)` / `DECIMAL`: exact numbers, read at `s` fractional digits
    /// when given (rounded half away from zero, or padded), as the servers store them.
    Decimal(Option<u32>),
    /// `UUID`: hyphenated text or 16 bytes.
    Uuid,
    /// `JSON`: a document in text (numbers may be stored as numbers).
    Json,
}

impl DeclKind {
    /// Classify a declared type (`None` for expressions).
    pub(crate) fn of(decl: Option<&str>) -> DeclKind {
        let Some(decl) = decl else {
            return DeclKind::Raw;
        };
        let upper = decl.trim().to_ascii_uppercase();
        let (base, args) = match upper.split_once('(') {
            Some((b, a)) => (b.trim(), Some(a.trim_end_matches(')'))),
            None => (upper.as_str(), None),
        };
        let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
        match base.as_str() {
            "BOOLEAN" | "BOOL" => DeclKind::Bool,
            "DATE" => DeclKind::Date,
            "TIME" | "TIME WITHOUT TIME ZONE" => DeclKind::Time,
            "DATETIME" | "TIMESTAMP WITHOUT TIME ZONE" => DeclKind::DateTime,
            "TIMESTAMP" | "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => DeclKind::Timestamp,
            "NUMERIC" | "DECIMAL" => {
                let scale = args
                    .and_then(|a| a.split(',').nth(1))
                    .and_then(|s| s.trim().parse().ok());
                DeclKind::Decimal(scale)
            }
            "UUID" | "GUID" | "UNIQUEIDENTIFIER" => DeclKind::Uuid,
            "JSON" | "JSONB" => DeclKind::Json,
            _ => DeclKind::Raw,
        }
    }
}

/// The raw value of a result cell: its storage class alone decides.
/// Text that is not valid UTF-8 comes back as bytes rather than altered.
pub(crate) fn raw(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Float(f),
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => Value::Text(s.to_owned()),
            Err(_) => Value::Bytes(t.to_vec()),
        },
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

/// Decode one cell given its column's declared kind.
pub(crate) fn decode(kind: DeclKind, v: ValueRef<'_>) -> Value {
    typed(kind, v).unwrap_or_else(|| raw(v))
}

fn text(v: ValueRef<'_>) -> Option<&str> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok(),
        _ => None,
    }
}

fn typed(kind: DeclKind, v: ValueRef<'_>) -> Option<Value> {
    if matches!(v, ValueRef::Null) {
        return Some(Value::Null);
    }
    match kind {
        DeclKind::Raw => None,
        DeclKind::Bool => match v {
            ValueRef::Integer(0) => Some(Value::Bool(false)),
            ValueRef::Integer(1) => Some(Value::Bool(true)),
            _ => None,
        },
        DeclKind::Date => NaiveDate::parse_from_str(text(v)?.trim(), "%Y-%m-%d")
            .ok()
            .map(Value::Date),
        DeclKind::Time => parse_time(text(v)?.trim()).map(Value::Time),
        DeclKind::DateTime => parse_naive_datetime(text(v)?.trim()).map(Value::DateTime),
        DeclKind::Timestamp => parse_timestamp(text(v)?.trim()).map(Value::Timestamp),
        DeclKind::Decimal(scale) => {
            let mut d = match v {
                ValueRef::Integer(i) => Decimal::from(i),
                // f64's Display is the shortest text that round-trips: 12.3, not
                // 12.300000000000001. A REAL holds the nearest binary fraction (2.675 is
                // 2.67499999..); its shortest text is the number that was written, and
                // rounding that gives what the servers give for the literal (2.68).
                ValueRef::Real(f) if f.is_finite() => Decimal::from_str(&f.to_string()).ok()?,
                ValueRef::Text(_) => {
                    let s = text(v)?.trim();
                    Decimal::from_str(s)
                        .or_else(|_| Decimal::from_scientific(s))
                        .ok()?
                }
                _ => return None,
            };
            if let Some(scale) = scale {
                d = at_scale(d, scale);
            }
            Some(Value::Decimal(d))
        }
        DeclKind::Uuid => match v {
            ValueRef::Blob(b) => Uuid::from_slice(b).ok().map(Value::Uuid),
            _ => Uuid::parse_str(text(v)?.trim()).ok().map(Value::Uuid),
        },
        DeclKind::Json => match v {
            ValueRef::Integer(i) => Some(Value::Json(serde_json::Value::from(i))),
            ValueRef::Real(f) => {
                serde_json::Number::from_f64(f).map(|n| Value::Json(serde_json::Value::Number(n)))
            }
            ValueRef::Text(_) => serde_json::from_str(text(v)?).ok().map(Value::Json),
            _ => None,
        },
    }
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

fn parse_naive_datetime(s: &str) -> Option<NaiveDateTime> {
    const FORMATS: &[&str] = &[
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    const OFFSET_FORMATS: &[&str] = &["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%#z"];
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| {
            OFFSET_FORMATS
                .iter()
                .find_map(|f| DateTime::parse_from_str(s, f).ok())
        })
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| {
            // SQLite's CURRENT_TIMESTAMP and datetime('now') are UTC without an offset.
            let s = s.strip_suffix('Z').unwrap_or(s);
            parse_naive_datetime(s).map(|n| n.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_declared_types() {
        assert_eq!(DeclKind::of(Some("BOOLEAN")), DeclKind::Bool);
        assert_eq!(
            DeclKind::of(Some("numeric(10, 2)")),
            DeclKind::Decimal(Some(2))
        );
        assert_eq!(DeclKind::of(Some("DECIMAL")), DeclKind::Decimal(None));
        assert_eq!(DeclKind::of(Some("datetime")), DeclKind::DateTime);
        assert_eq!(
            DeclKind::of(Some("TIMESTAMP WITH TIME ZONE")),
            DeclKind::Timestamp
        );
        assert_eq!(DeclKind::of(Some("VARCHAR(20)")), DeclKind::Raw);
        assert_eq!(DeclKind::of(None), DeclKind::Raw);
    }

    #[test]
    fn decimals_from_storage_classes() {
        let k = DeclKind::Decimal(Some(2));
        assert_eq!(decode(k, ValueRef::Real(12.3)).to_string(), "12.30");
        assert_eq!(decode(k, ValueRef::Integer(7)).to_string(), "7.00");
        assert_eq!(
            decode(k, ValueRef::Text(b"12345678901234567890.12")).to_string(),
            "12345678901234567890.12"
        );
        assert_eq!(decode(k, ValueRef::Text(b"abc")), Value::Text("abc".into()));
    }

    #[test]
    fn decimals_are_rounded_half_away_from_zero_at_the_scale() {
        let k = DeclKind::Decimal(Some(2));
        for (stored, expect) in [
            (ValueRef::Real(1.005), "1.01"),
            (ValueRef::Real(2.675), "2.68"),
            (ValueRef::Real(-1.005), "-1.01"),
            (ValueRef::Real(1.004_999), "1.00"),
            (ValueRef::Real(-0.001), "0.00"),
            (ValueRef::Integer(3), "3.00"),
            (ValueRef::Text(b"0.125"), "0.13"),
            (ValueRef::Text(b"-0.125"), "-0.13"),
            (
                ValueRef::Text(b"12345678901234567890.125"),
                "12345678901234567890.13",
            ),
        ] {
            assert_eq!(decode(k, stored).to_string(), expect, "{stored:?}");
        }
        assert_eq!(
            decode(DeclKind::Decimal(Some(0)), ValueRef::Real(2.5)).to_string(),
            "3"
        );
        // Without a scale the value is read as stored.
        assert_eq!(
            decode(DeclKind::Decimal(None), ValueRef::Real(1.005)).to_string(),
            "1.005"
        );
    }

    #[test]
    fn unparsable_values_come_back_raw() {
        assert_eq!(decode(DeclKind::Bool, ValueRef::Integer(2)), Value::Int(2));
        assert_eq!(
            decode(DeclKind::Date, ValueRef::Text(b"soon")),
            Value::Text("soon".into())
        );
        assert_eq!(decode(DeclKind::Date, ValueRef::Integer(5)), Value::Int(5));
        assert_eq!(
            decode(DeclKind::Json, ValueRef::Text(b"{oops")),
            Value::Text("{oops".into())
        );
        assert_eq!(
            decode(DeclKind::Raw, ValueRef::Text(&[0xff, 0xfe])),
            Value::Bytes(vec![0xff, 0xfe])
        );
    }

    #[test]
    fn timestamps_with_and_without_offsets() {
        let expect = "2024-01-02T01:04:05Z".parse::<DateTime<Utc>>().unwrap();
        for s in [
            "2024-01-02 03:04:05+02:00",
            "2024-01-02T01:04:05Z",
            "2024-01-02 01:04:05",
        ] {
            assert_eq!(
                decode(DeclKind::Timestamp, ValueRef::Text(s.as_bytes())),
                Value::Timestamp(expect),
                "{s}"
            );
        }
    }
}
