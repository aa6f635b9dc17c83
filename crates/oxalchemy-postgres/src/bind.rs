//! Binding [`Value`]s to statement parameters, by the type the server inferred.
//!
//! tokio-postgres sends every parameter in PostgreSQL's binary format, which
//! must match the parameter's type exactly (an `i64` cannot go where the server
//! expects `int4`). [`convert`] therefore turns each `Value` into a [`Bound`]
//! value of the parameter's type (`Statement::params()`): integers are
//! range-checked into int2/int4/int8, text is parsed where the server expects a
//! number, date or UUID, and so on. A value that does not fit is a `DataError`;
//! a value of a kind that cannot be converted at all is a `ProgrammingError`.

use bytes::{BufMut, BytesMut};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use oxalchemy_core::{Error, Result, Value};
use postgres_types::{IsNull, Kind, ToSql, Type, to_sql_checked};
use rust_decimal::{Decimal, RoundingStrategy};
use std::borrow::Cow;
use std::error::Error as StdError;
use std::net::IpAddr;
use std::str::FromStr;
use uuid::Uuid;

/// The PostgreSQL types a parameter can have, as far as binding cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    /// text, varchar, bpchar, name, unknown, citext, xml, enum labels: UTF-8 bytes.
    Text,
    Bytea,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    Uuid,
    Json,
    Jsonb,
    /// oid and the reg* aliases: unsigned 32 bit.
    Oid,
    /// The one-byte `"char"` type.
    Char,
    Inet,
    /// Anything else: only NULL binds.
    Other,
}

/// Classify a parameter type (domains by their base type).
pub(crate) fn target_of(ty: &Type) -> Target {
    match ty.kind() {
        Kind::Domain(base) => return target_of(base),
        Kind::Enum(_) => return Target::Text,
        _ => {}
    }
    match *ty {
        Type::BOOL => Target::Bool,
        Type::INT2 => Target::Int2,
        Type::INT4 => Target::Int4,
        Type::INT8 => Target::Int8,
        Type::FLOAT4 => Target::Float4,
        Type::FLOAT8 => Target::Float8,
        Type::NUMERIC => Target::Numeric,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::XML => {
            Target::Text
        }
        Type::BYTEA => Target::Bytea,
        Type::DATE => Target::Date,
        Type::TIME => Target::Time,
        Type::TIMESTAMP => Target::Timestamp,
        Type::TIMESTAMPTZ => Target::Timestamptz,
        Type::UUID => Target::Uuid,
        Type::JSON => Target::Json,
        Type::JSONB => Target::Jsonb,
        Type::OID
        | Type::REGCLASS
        | Type::REGTYPE
        | Type::REGPROC
        | Type::REGPROCEDURE
        | Type::REGOPER
        | Type::REGOPERATOR
        | Type::REGNAMESPACE
        | Type::REGROLE
        | Type::REGCONFIG
        | Type::REGDICTIONARY
        | Type::XID
        | Type::CID => Target::Oid,
        Type::CHAR => Target::Char,
        Type::INET | Type::CIDR => Target::Inet,
        _ if ty.name() == "citext" => Target::Text,
        _ => Target::Other,
    }
}

/// A parameter value already converted to its PostgreSQL type.
#[derive(Debug)]
pub(crate) enum Bound<'a> {
    Null,
    Bool(bool),
    I16(i16),
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    Decimal(Decimal),
    /// A numeric NaN / +Infinity / -Infinity (the sign word of the header).
    NumericSpecial(u16),
    Text(Cow<'a, str>),
    Bytes(Cow<'a, [u8]>),
    Date(NaiveDate),
    Time(NaiveTime),
    Timestamp(NaiveDateTime),
    Timestamptz(DateTime<Utc>),
    Uuid(Uuid),
    /// JSON text; `jsonb` adds the format version byte.
    Json {
        jsonb: bool,
        text: Cow<'a, str>,
    },
    Oid(u32),
    Char(i8),
    Inet(IpAddr),
}

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for Bound<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self {
            Bound::Null => return Ok(IsNull::Yes),
            Bound::Bool(v) => return v.to_sql(ty, out),
            Bound::I16(v) => out.put_i16(*v),
            Bound::I32(v) => out.put_i32(*v),
            Bound::I64(v) => out.put_i64(*v),
            Bound::F32(v) => out.put_f32(*v),
            Bound::F64(v) => out.put_f64(*v),
            Bound::Decimal(v) => return v.to_sql(ty, out),
            Bound::NumericSpecial(sign) => {
                out.put_u16(0); // no digit groups
                out.put_i16(0); // weight
                out.put_u16(*sign);
                out.put_u16(0); // display scale
            }
            Bound::Text(s) => out.put_slice(s.as_bytes()),
            Bound::Bytes(b) => out.put_slice(b),
            Bound::Date(v) => return v.to_sql(ty, out),
            Bound::Time(v) => return v.to_sql(ty, out),
            Bound::Timestamp(v) => return v.to_sql(ty, out),
            Bound::Timestamptz(v) => return v.to_sql(ty, out),
            Bound::Uuid(v) => out.put_slice(v.as_bytes()),
            Bound::Json { jsonb, text } => {
                if *jsonb {
                    out.put_u8(1);
                }
                out.put_slice(text.as_bytes());
            }
            Bound::Oid(v) => out.put_u32(*v),
            Bound::Char(v) => out.put_i8(*v),
            Bound::Inet(v) => return v.to_sql(ty, out),
        }
        Ok(IsNull::No)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// What a failed conversion says.
struct Param<'v> {
    value: &'v Value,
    index: usize,
    ty: &'v Type,
}

impl Param<'_> {
    /// The value cannot be converted to the parameter's type at all.
    fn mismatch(&self) -> Error {
        Error::ProgrammingError {
            message: format!(
                "cannot bind {} to parameter ${} of type {}: pass a value of a matching kind, \
                 or CAST the parameter in the SQL",
                self.value.describe(),
                self.index + 1,
                self.ty.name()
            ),
            sql: None,
        }
    }

    /// The value is of a convertible kind but does not fit.
    fn data(&self, why: &str) -> Error {
        Error::DataError {
            message: format!(
                "cannot bind {} to parameter ${} of type {}: {why}",
                self.value.describe(),
                self.index + 1,
                self.ty.name()
            ),
            sql: None,
        }
    }

    fn out_of_range(&self) -> Error {
        self.data("the value is out of range for the type")
    }

    fn invalid_text(&self) -> Error {
        self.data(&format!("invalid input syntax for type {}", self.ty.name()))
    }
}

/// Convert one parameter value (`index` counts from 0) to the type `ty`.
pub(crate) fn convert<'a>(value: &'a Value, ty: &Type, index: usize) -> Result<Bound<'a>> {
    let p = Param { value, index, ty };
    let target = target_of(ty);
    match value {
        Value::Null => Ok(Bound::Null),
        Value::Bool(b) => from_bool(*b, target, &p),
        Value::Int(i) => from_int(*i, target, &p),
        Value::Float(f) => from_float(*f, target, &p),
        Value::Decimal(d) => from_decimal(*d, target, &p),
        Value::Text(s) => from_text(s, target, &p),
        Value::Bytes(b) => match target {
            Target::Bytea => Ok(Bound::Bytes(Cow::Borrowed(b))),
            Target::Text => std::str::from_utf8(b)
                .map(|s| Bound::Text(Cow::Borrowed(s)))
                .map_err(|_| p.data("the bytes are not valid UTF-8 text")),
            Target::Uuid => Uuid::from_slice(b)
                .map(Bound::Uuid)
                .map_err(|_| p.data("a UUID needs exactly 16 bytes")),
            _ => Err(p.mismatch()),
        },
        Value::Date(d) => match target {
            Target::Date => Ok(Bound::Date(*d)),
            Target::Timestamp => Ok(Bound::Timestamp(d.and_time(NaiveTime::MIN))),
            Target::Timestamptz => Ok(Bound::Timestamptz(d.and_time(NaiveTime::MIN).and_utc())),
            Target::Text => Ok(Bound::Text(Cow::Owned(d.to_string()))),
            _ => Err(p.mismatch()),
        },
        Value::Time(t) => match target {
            Target::Time => Ok(Bound::Time(*t)),
            Target::Text => Ok(Bound::Text(Cow::Owned(t.to_string()))),
            _ => Err(p.mismatch()),
        },
        Value::DateTime(dt) => match target {
            Target::Timestamp => Ok(Bound::Timestamp(*dt)),
            Target::Timestamptz => Ok(Bound::Timestamptz(dt.and_utc())),
            Target::Date => Ok(Bound::Date(dt.date())),
            Target::Time => Ok(Bound::Time(dt.time())),
            Target::Text => Ok(Bound::Text(Cow::Owned(
                dt.format("%Y-%m-%d %H:%M:%S%.f").to_string(),
            ))),
            _ => Err(p.mismatch()),
        },
        Value::Timestamp(ts) => match target {
            Target::Timestamptz => Ok(Bound::Timestamptz(*ts)),
            Target::Timestamp => Ok(Bound::Timestamp(ts.naive_utc())),
            Target::Date => Ok(Bound::Date(ts.date_naive())),
            Target::Text => Ok(Bound::Text(Cow::Owned(ts.to_rfc3339()))),
            _ => Err(p.mismatch()),
        },
        Value::Uuid(u) => match target {
            Target::Uuid => Ok(Bound::Uuid(*u)),
            Target::Text => Ok(Bound::Text(Cow::Owned(u.hyphenated().to_string()))),
            Target::Bytea => Ok(Bound::Bytes(Cow::Owned(u.as_bytes().to_vec()))),
            _ => Err(p.mismatch()),
        },
        Value::Json(j) => match target {
            Target::Json | Target::Jsonb | Target::Text => {
                let text = Cow::Owned(j.to_string());
                Ok(match target {
                    Target::Text => Bound::Text(text),
                    t => Bound::Json {
                        jsonb: t == Target::Jsonb,
                        text,
                    },
                })
            }
            _ => Err(p.mismatch()),
        },
        _ => Err(p.mismatch()),
    }
}

fn from_bool(b: bool, target: Target, p: &Param<'_>) -> Result<Bound<'static>> {
    match target {
        Target::Bool => Ok(Bound::Bool(b)),
        Target::Int2 => Ok(Bound::I16(i16::from(b))),
        Target::Int4 => Ok(Bound::I32(i32::from(b))),
        Target::Int8 => Ok(Bound::I64(i64::from(b))),
        Target::Text => Ok(Bound::Text(Cow::Borrowed(if b { "true" } else { "false" }))),
        Target::Json | Target::Jsonb => Ok(Bound::Json {
            jsonb: target == Target::Jsonb,
            text: Cow::Borrowed(if b { "true" } else { "false" }),
        }),
        _ => Err(p.mismatch()),
    }
}

fn from_int(i: i64, target: Target, p: &Param<'_>) -> Result<Bound<'static>> {
    match target {
        Target::Int2 => i16::try_from(i)
            .map(Bound::I16)
            .map_err(|_| p.out_of_range()),
        Target::Int4 => i32::try_from(i)
            .map(Bound::I32)
            .map_err(|_| p.out_of_range()),
        Target::Int8 => Ok(Bound::I64(i)),
        Target::Float4 => Ok(Bound::F32(i as f32)),
        Target::Float8 => Ok(Bound::F64(i as f64)),
        Target::Numeric => Ok(Bound::Decimal(Decimal::from(i))),
        Target::Oid => u32::try_from(i)
            .map(Bound::Oid)
            .map_err(|_| p.out_of_range()),
        Target::Bool => match i {
            0 => Ok(Bound::Bool(false)),
            1 => Ok(Bound::Bool(true)),
            _ => Err(p.data("only 0 and 1 convert to a boolean")),
        },
        Target::Text => Ok(Bound::Text(Cow::Owned(i.to_string()))),
        Target::Json | Target::Jsonb => Ok(Bound::Json {
            jsonb: target == Target::Jsonb,
            text: Cow::Owned(i.to_string()),
        }),
        _ => Err(p.mismatch()),
    }
}

/// A float rounded to an integer the way PostgreSQL's casts round (half to even).
fn float_to_int(f: f64, p: &Param<'_>) -> Result<i64> {
    let r = f.round_ties_even();
    if r.is_finite() && r >= i64::MIN as f64 && r < i64::MAX as f64 {
        Ok(r as i64)
    } else {
        Err(p.out_of_range())
    }
}

fn from_float(f: f64, target: Target, p: &Param<'_>) -> Result<Bound<'static>> {
    match target {
        Target::Float8 => Ok(Bound::F64(f)),
        Target::Float4 => {
            let narrow = f as f32;
            if f.is_finite() && !narrow.is_finite() {
                Err(p.out_of_range())
            } else {
                Ok(Bound::F32(narrow))
            }
        }
        Target::Numeric => {
            if f.is_nan() {
                Ok(Bound::NumericSpecial(0xC000))
            } else if f == f64::INFINITY {
                Ok(Bound::NumericSpecial(0xD000))
            } else if f == f64::NEG_INFINITY {
                Ok(Bound::NumericSpecial(0xF000))
            } else {
                Decimal::try_from(f)
                    .map(Bound::Decimal)
                    .map_err(|_| p.out_of_range())
            }
        }
        Target::Int2 | Target::Int4 | Target::Int8 | Target::Oid => {
            from_int(float_to_int(f, p)?, target, p)
        }
        Target::Text => Ok(Bound::Text(Cow::Owned(f.to_string()))),
        Target::Json | Target::Jsonb if f.is_finite() => Ok(Bound::Json {
            jsonb: target == Target::Jsonb,
            text: Cow::Owned(serde_json::Value::from(f).to_string()),
        }),
        _ => Err(p.mismatch()),
    }
}

fn from_decimal(d: Decimal, target: Target, p: &Param<'_>) -> Result<Bound<'static>> {
    match target {
        Target::Numeric => Ok(Bound::Decimal(d)),
        Target::Float8 => f64::try_from(d)
            .map(Bound::F64)
            .map_err(|_| p.out_of_range()),
        Target::Float4 => f64::try_from(d)
            .map(|f| Bound::F32(f as f32))
            .map_err(|_| p.out_of_range()),
        Target::Int2 | Target::Int4 | Target::Int8 | Target::Oid => {
            let rounded = d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
            let i = i64::try_from(rounded).map_err(|_| p.out_of_range())?;
            from_int(i, target, p)
        }
        Target::Text => Ok(Bound::Text(Cow::Owned(d.to_string()))),
        Target::Json | Target::Jsonb => Ok(Bound::Json {
            jsonb: target == Target::Jsonb,
            text: Cow::Owned(d.to_string()),
        }),
        _ => Err(p.mismatch()),
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "on" | "1" => Some(true),
        "f" | "false" | "n" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(NaiveTime::MIN))
    })
}

fn parse_timestamptz(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%.f%#z"]
                .iter()
                .find_map(|f| DateTime::parse_from_str(s, f).ok())
        })
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| parse_timestamp(s).map(|d| d.and_utc()))
}

fn from_text<'a>(s: &'a str, target: Target, p: &Param<'_>) -> Result<Bound<'a>> {
    let bad = || p.invalid_text();
    match target {
        Target::Text => Ok(Bound::Text(Cow::Borrowed(s))),
        Target::Json | Target::Jsonb => Ok(Bound::Json {
            jsonb: target == Target::Jsonb,
            text: Cow::Borrowed(s),
        }),
        Target::Bytea => Ok(Bound::Bytes(Cow::Borrowed(s.as_bytes()))),
        Target::Int2 | Target::Int4 | Target::Int8 | Target::Oid => {
            let i = s.trim().parse::<i64>().map_err(|e| match e.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    p.out_of_range()
                }
                _ => bad(),
            })?;
            from_int(i, target, p)
        }
        Target::Float4 => s.trim().parse::<f32>().map(Bound::F32).map_err(|_| bad()),
        Target::Float8 => s.trim().parse::<f64>().map(Bound::F64).map_err(|_| bad()),
        Target::Numeric => {
            let t = s.trim();
            match t.to_ascii_lowercase().as_str() {
                "nan" => Ok(Bound::NumericSpecial(0xC000)),
                "infinity" | "+infinity" | "inf" => Ok(Bound::NumericSpecial(0xD000)),
                "-infinity" | "-inf" => Ok(Bound::NumericSpecial(0xF000)),
                _ => Decimal::from_str(t)
                    .or_else(|_| Decimal::from_scientific(t))
                    .map(Bound::Decimal)
                    .map_err(|_| bad()),
            }
        }
        Target::Bool => parse_bool(s).map(Bound::Bool).ok_or_else(bad),
        Target::Date => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Bound::Date)
            .map_err(|_| bad()),
        Target::Time => NaiveTime::from_str(s.trim())
            .map(Bound::Time)
            .map_err(|_| bad()),
        Target::Timestamp => parse_timestamp(s).map(Bound::Timestamp).ok_or_else(bad),
        Target::Timestamptz => parse_timestamptz(s).map(Bound::Timestamptz).ok_or_else(bad),
        Target::Uuid => Uuid::parse_str(s.trim())
            .map(Bound::Uuid)
            .map_err(|_| bad()),
        Target::Char => match s.as_bytes() {
            [] => Ok(Bound::Char(0)),
            [b] => Ok(Bound::Char(*b as i8)),
            _ => Err(p.data("the \"char\" type holds one byte")),
        },
        Target::Inet => IpAddr::from_str(s.trim())
            .map(Bound::Inet)
            .map_err(|_| bad()),
        Target::Other => Err(Error::ProgrammingError {
            message: format!(
                "cannot bind text to parameter ${} of type {}: the driver has no binary encoding \
                 for that type; write CAST(CAST(:param AS TEXT) AS {}) in the SQL",
                p.index + 1,
                p.ty.name(),
                p.ty.name()
            ),
            sql: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(v: Value, ty: Type) -> Result<Vec<u8>> {
        let b = convert(&v, &ty, 0)?;
        let mut out = BytesMut::new();
        match b.to_sql(&ty, &mut out).unwrap() {
            IsNull::Yes => Ok(Vec::new()),
            IsNull::No => Ok(out.to_vec()),
        }
    }

    #[test]
    fn integers_are_range_checked() {
        assert_eq!(bind(Value::Int(7), Type::INT2).unwrap(), [0, 7]);
        assert_eq!(bind(Value::Int(7), Type::INT4).unwrap(), [0, 0, 0, 7]);
        assert_eq!(bind(Value::Int(-1), Type::INT8).unwrap(), [0xff; 8]);
        let e = bind(Value::Int(40_000), Type::INT2).unwrap_err();
        assert!(matches!(e, Error::DataError { .. }), "{e}");
        assert!(e.to_string().contains("out of range"), "{e}");
        assert!(e.to_string().contains("int2"), "{e}");
        let e = bind(Value::Int(i64::from(i32::MAX) + 1), Type::INT4).unwrap_err();
        assert!(matches!(e, Error::DataError { .. }), "{e}");
        assert!(bind(Value::Int(-1), Type::OID).is_err());
    }

    #[test]
    fn text_is_parsed_for_typed_parameters() {
        assert_eq!(
            bind(Value::from(" 12 "), Type::INT4).unwrap(),
            [0, 0, 0, 12]
        );
        assert!(matches!(
            bind(Value::from("twelve"), Type::INT4),
            Err(Error::DataError { .. })
        ));
        assert!(matches!(
            bind(Value::from("99999999999999999999"), Type::INT8),
            Err(Error::DataError { .. })
        ));
        assert_eq!(bind(Value::from("yes"), Type::BOOL).unwrap(), [1]);
        let u = Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0);
        assert_eq!(
            bind(Value::from(u.to_string()), Type::UUID).unwrap(),
            u.as_bytes()
        );
        assert!(bind(Value::from("not-a-uuid"), Type::UUID).is_err());
        assert_eq!(
            bind(Value::from("{\"a\":1}"), Type::JSONB).unwrap(),
            b"\x01{\"a\":1}"
        );
        assert!(bind(Value::from("2024-02-30"), Type::DATE).is_err());
        assert!(bind(Value::from("2024-02-29 10:11:12.5"), Type::TIMESTAMP).is_ok());
        assert!(bind(Value::from("2024-02-29 10:11:12+02"), Type::TIMESTAMPTZ).is_ok());
        assert!(bind(Value::from("NaN"), Type::NUMERIC).is_ok());
    }

    #[test]
    fn kinds_that_cannot_convert_are_programming_errors() {
        let e = bind(Value::Bool(true), Type::UUID).unwrap_err();
        assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");
        assert!(e.to_string().contains("parameter $1 of type uuid"), "{e}");
        let e = bind(Value::from("1 day"), Type::INTERVAL).unwrap_err();
        assert!(e.to_string().contains("CAST"), "{e}");
    }

    #[test]
    fn null_binds_to_anything() {
        for ty in [Type::INT4, Type::INTERVAL, Type::JSONB, Type::TEXT_ARRAY] {
            assert!(matches!(
                convert(&Value::Null, &ty, 0).unwrap(),
                Bound::Null
            ));
        }
    }

    #[test]
    fn floats_and_decimals_convert_like_postgres_casts() {
        assert_eq!(bind(Value::Float(2.5), Type::INT4).unwrap(), [0, 0, 0, 2]);
        assert_eq!(bind(Value::Float(3.5), Type::INT4).unwrap(), [0, 0, 0, 4]);
        assert!(bind(Value::Float(f64::NAN), Type::INT4).is_err());
        assert!(bind(Value::Float(1e300), Type::FLOAT4).is_err());
        let d = Decimal::from_str("2.5").unwrap();
        assert_eq!(bind(Value::Decimal(d), Type::INT2).unwrap(), [0, 3]);
        assert_eq!(
            bind(Value::Float(f64::NAN), Type::NUMERIC).unwrap(),
            [0, 0, 0, 0, 0xC0, 0, 0, 0]
        );
    }
}
