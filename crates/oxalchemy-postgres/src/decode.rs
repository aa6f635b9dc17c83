//! Decoding result columns (PostgreSQL's binary format) into [`Value`]s, by column type.
//!
//! | PostgreSQL type                                   | `Value`            |
//! |---------------------------------------------------|--------------------|
//! | bool                                              | `Bool`             |
//! | int2, int4, int8, oid and the reg* types, xid     | `Int`              |
//! | float4, float8                                    | `Float`            |
//! | numeric (NaN and infinities: `Float`), money      | `Decimal`          |
//! | text, varchar, bpchar, name, citext, xml, enums, "char" | `Text`       |
//! | bytea                                             | `Bytes`            |
//! | date / time / timestamp / timestamptz             | `Date` / `Time` / `DateTime` / `Timestamp` |
//! | uuid                                              | `Uuid`             |
//! | json, jsonb; one-dimensional arrays (as a JSON array) | `Json`         |
//! | interval, timetz, inet, cidr                      | `Text` (PostgreSQL's spelling) |
//! | void                                              | `Null`             |
//!
//! Domains decode as their base type. Any other type is a `DataError` naming it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use oxalchemy_core::Value;
use postgres_types::{FromSql, Kind, Type};
use rust_decimal::Decimal;
use std::error::Error as StdError;
use uuid::Uuid;

type BoxError = Box<dyn StdError + Sync + Send>;

/// The raw bytes of one column or array element (`None` for NULL), for decoding by hand.
pub(crate) struct RawValue<'a>(pub Option<&'a [u8]>);

impl<'a> FromSql<'a> for RawValue<'a> {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(RawValue(Some(raw)))
    }

    fn from_sql_null(_ty: &Type) -> Result<Self, BoxError> {
        Ok(RawValue(None))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

/// Decode one value of type `ty`; the error says why it could not be decoded.
pub(crate) fn decode(ty: &Type, raw: Option<&[u8]>) -> Result<Value, String> {
    let Some(raw) = raw else {
        return Ok(Value::Null);
    };
    decode_present(ty, raw).map_err(|e| e.to_string())
}

fn decode_present(ty: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    match ty.kind() {
        Kind::Domain(base) => return decode_present(base, raw),
        Kind::Enum(_) => return text(raw),
        Kind::Array(member) => return array(ty, member, raw),
        _ => {}
    }
    Ok(match *ty {
        Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
        Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
        Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
        Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
        Type::FLOAT4 => Value::Float(widen(f32::from_sql(ty, raw)?)),
        Type::FLOAT8 => Value::Float(f64::from_sql(ty, raw)?),
        Type::NUMERIC => numeric(ty, raw)?,
        Type::MONEY => Value::Decimal(Decimal::new(i64::from_sql(&Type::INT8, raw)?, 2)),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::XML => {
            text(raw)?
        }
        Type::CHAR => {
            let b = i8::from_sql(ty, raw)? as u8;
            Value::Text(if b == 0 {
                String::new()
            } else {
                char::from(b).to_string()
            })
        }
        Type::BYTEA => Value::Bytes(raw.to_vec()),
        Type::DATE => Value::Date(NaiveDate::from_sql(ty, raw)?),
        Type::TIME => Value::Time(NaiveTime::from_sql(ty, raw)?),
        Type::TIMESTAMP => Value::DateTime(NaiveDateTime::from_sql(ty, raw)?),
        Type::TIMESTAMPTZ => Value::Timestamp(DateTime::<Utc>::from_sql(ty, raw)?),
        Type::UUID => Value::Uuid(Uuid::from_sql(ty, raw)?),
        Type::JSON | Type::JSONB => Value::Json(serde_json::Value::from_sql(ty, raw)?),
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
        | Type::CID => Value::Int(u32::from_be_bytes(fixed::<4>(raw)?).into()),
        Type::XID8 => Value::Int(
            i64::try_from(u64::from_be_bytes(fixed::<8>(raw)?))
                .map_err(|_| "xid8 value exceeds the i64 range")?,
        ),
        Type::INTERVAL => Value::Text(interval(raw)?),
        Type::TIMETZ => Value::Text(timetz(raw)?),
        Type::INET | Type::CIDR => Value::Text(inet(raw)?),
        Type::VOID => Value::Null,
        _ if ty.name() == "citext" => text(raw)?,
        _ => {
            return Err(format!(
                "the driver cannot decode the PostgreSQL type {} (oid {}); CAST the column to TEXT in the query",
                ty.name(),
                ty.oid()
            )
            .into());
        }
    })
}

fn text(raw: &[u8]) -> Result<Value, BoxError> {
    Ok(Value::Text(std::str::from_utf8(raw)?.to_owned()))
}

fn fixed<const N: usize>(raw: &[u8]) -> Result<[u8; N], BoxError> {
    raw.try_into()
        .map_err(|_| format!("expected {N} bytes, got {}", raw.len()).into())
}

/// A REAL widened by its shortest decimal spelling, so `0.1::real` reads as `0.1`.
fn widen(f: f32) -> f64 {
    if f.is_finite() {
        f.to_string().parse().unwrap_or(f64::from(f))
    } else {
        f64::from(f)
    }
}

fn numeric(ty: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    if raw.len() >= 6 {
        match u16::from_be_bytes([raw[4], raw[5]]) {
            0xC000 => return Ok(Value::Float(f64::NAN)),
            0xD000 => return Ok(Value::Float(f64::INFINITY)),
            0xF000 => return Ok(Value::Float(f64::NEG_INFINITY)),
            _ => {}
        }
    }
    Decimal::from_sql(ty, raw).map(Value::Decimal).map_err(|e| {
        format!(
            "the numeric value does not fit rust_decimal::Decimal ({e}: at most 28 significant digits); \
             CAST it to float8 or text in the query"
        )
        .into()
    })
}

fn array(ty: &Type, member: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    let elements = Vec::<RawValue<'_>>::from_sql(ty, raw)?;
    let mut out = Vec::with_capacity(elements.len());
    for RawValue(e) in elements {
        let v = match e {
            None => Value::Null,
            Some(bytes) => decode_present(member, bytes)?,
        };
        out.push(to_json(v));
    }
    Ok(Value::Json(serde_json::Value::Array(out)))
}

/// A decoded array element as JSON.
fn to_json(v: Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(b),
        Value::Int(i) => J::from(i),
        Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        Value::Decimal(d) => {
            serde_json::from_str(&d.to_string()).unwrap_or(J::String(d.to_string()))
        }
        Value::Text(s) => J::String(s),
        Value::Bytes(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            J::String(format!("\\x{hex}"))
        }
        Value::Json(j) => j,
        other => J::String(other.to_string()),
    }
}

/// interval: microseconds (i64), days (i32), months (i32), spelled as PostgreSQL does.
fn interval(raw: &[u8]) -> Result<String, BoxError> {
    let raw: [u8; 16] = fixed(raw)?;
    let micros = i64::from_be_bytes(raw[0..8].try_into()?);
    let days = i32::from_be_bytes(raw[8..12].try_into()?);
    let months = i32::from_be_bytes(raw[12..16].try_into()?);
    let mut parts = Vec::new();
    let (years, months) = (months / 12, months % 12);
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n.abs() == 1 { "" } else { "s" });
    if years != 0 {
        parts.push(plural(years.into(), "year"));
    }
    if months != 0 {
        parts.push(plural(months.into(), "mon"));
    }
    if days != 0 {
        parts.push(plural(days.into(), "day"));
    }
    if micros != 0 || parts.is_empty() {
        parts.push(clock(micros));
    }
    Ok(parts.join(" "))
}

/// `[-]HH:MM:SS[.ffffff]` from a count of microseconds.
fn clock(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let m = micros.unsigned_abs();
    let (secs, frac) = (m / 1_000_000, m % 1_000_000);
    let mut s = format!(
        "{sign}{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        let f = format!(".{frac:06}");
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

/// timetz: microseconds since midnight (i64), then the zone's offset west of UTC in seconds (i32).
fn timetz(raw: &[u8]) -> Result<String, BoxError> {
    let raw: [u8; 12] = fixed(raw)?;
    let micros = i64::from_be_bytes(raw[0..8].try_into()?);
    let west = i32::from_be_bytes(raw[8..12].try_into()?);
    let east = -west;
    let (sign, off) = if east < 0 { ('-', -east) } else { ('+', east) };
    let mut s = clock(micros);
    s.push(sign);
    s.push_str(&format!("{:02}", off / 3600));
    if off % 3600 != 0 {
        s.push_str(&format!(":{:02}", off % 3600 / 60));
    }
    Ok(s)
}

/// inet / cidr: family, bits, is_cidr, address length, address.
fn inet(raw: &[u8]) -> Result<String, BoxError> {
    let [family, bits, _is_cidr, len, addr @ ..] = raw else {
        return Err("inet value is too short".into());
    };
    let ip: std::net::IpAddr = match (*len, addr.len()) {
        (4, 4) => <[u8; 4]>::try_from(addr)?.into(),
        (16, 16) => <[u8; 16]>::try_from(addr)?.into(),
        _ => return Err(format!("inet value of family {family} has a bad address length").into()),
    };
    let full = if ip.is_ipv4() { 32 } else { 128 };
    Ok(if *bits == full {
        ip.to_string()
    } else {
        format!("{ip}/{bits}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_like_postgres() {
        let mk = |micros: i64, days: i32, months: i32| {
            let mut v = micros.to_be_bytes().to_vec();
            v.extend(days.to_be_bytes());
            v.extend(months.to_be_bytes());
            interval(&v).unwrap()
        };
        assert_eq!(mk(0, 0, 0), "00:00:00");
        assert_eq!(mk(3_723_500_000, 1, 14), "1 year 2 mons 1 day 01:02:03.5");
        assert_eq!(mk(-1_000_000, 2, 0), "2 days -00:00:01");
    }

    #[test]
    fn reals_widen_by_their_decimal_spelling() {
        assert_eq!(widen(0.1), 0.1);
        assert_eq!(widen(1.5), 1.5);
        assert!(widen(f32::NAN).is_nan());
    }

    #[test]
    fn unknown_types_name_themselves() {
        let e = decode(&Type::POINT, Some(&[0; 16])).unwrap_err();
        assert!(e.contains("point"), "{e}");
        assert!(e.contains("CAST"), "{e}");
        assert_eq!(decode(&Type::POINT, None).unwrap(), Value::Null);
    }
}
