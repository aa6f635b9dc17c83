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
    let too_precise = |why: &dyn std::fmt::Display| -> BoxError {
        format!(
            "the numeric value does not fit rust_decimal::Decimal ({why}: at most 28-29 \
             significant digits); CAST it to float8 or text in the query"
        )
        .into()
    };
    let decimal = Decimal::from_sql(ty, raw).map_err(|e| too_precise(&e))?;
    // rust_decimal rounds digits it cannot hold: refuse instead.
    match numeric_text(raw) {
        Some(exact) if exact_decimal(&exact) == Some(decimal) => Ok(Value::Decimal(decimal)),
        Some(exact) => Err(too_precise(&format_args!("{exact} would be rounded"))),
        None => Err("malformed numeric value".into()),
    }
}

/// The exact decimal text of a binary NUMERIC (`ndigits`, `weight`, `sign`,
/// `dscale`, then base-10000 digits), `None` when it is malformed.
fn numeric_text(raw: &[u8]) -> Option<String> {
    let word = |i: usize| -> Option<i32> {
        Some(i32::from(i16::from_be_bytes([
            *raw.get(i)?,
            *raw.get(i + 1)?,
        ])))
    };
    let ndigits = usize::try_from(word(0)?).ok()?;
    let weight = word(2)?;
    let negative = word(4)? as u16 == 0x4000;
    let dscale = usize::from(word(6)? as u16);
    let digits: Vec<i32> = (0..ndigits)
        .map(|i| word(8 + 2 * i))
        .collect::<Option<_>>()?;
    let group = |i: i32| -> i32 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut text = String::new();
    if negative {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        text.push_str(&group(0).to_string());
        for i in 1..=weight {
            text.push_str(&format!("{:04}", group(i)));
        }
    }
    if dscale > 0 {
        let mut fraction = String::new();
        let mut j = 1;
        while fraction.len() < dscale {
            fraction.push_str(&format!("{:04}", group(weight + j)));
            j += 1;
        }
        fraction.truncate(dscale);
        text.push('.');
        text.push_str(&fraction);
    }
    Some(text)
}

/// `text` as a Decimal without rounding (trailing fractional zeros beyond
/// Decimal's scale are dropped: they change nothing).
fn exact_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str_exact(text).ok().or_else(|| {
        if !text.contains('.') {
            return None;
        }
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        Decimal::from_str_exact(trimmed).ok()
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

    #[test]
    fn numeric_text_is_exact() {
        use postgres_types::ToSql;
        for text in [
            "0",
            "1.5",
            "-1234.0500",
            "0.0001",
            "123456789012.345678",
            "10000",
            "-0.00000001",
        ] {
            let d: Decimal = text.parse().unwrap();
            let mut buf = bytes::BytesMut::new();
            d.to_sql(&Type::NUMERIC, &mut buf).unwrap();
            let back = numeric_text(&buf).unwrap();
            assert_eq!(back.parse::<Decimal>().unwrap(), d, "{text} -> {back}");
            assert_eq!(numeric(&Type::NUMERIC, &buf).unwrap(), Value::Decimal(d));
        }
        // 1.0000000000000000000000000000001 (32 fractional digits): weight 0,
        // dscale 31, digits 1, 0 x 7, 10.
        let mut raw = Vec::new();
        for w in [9_i16, 0, 0, 31, 1, 0, 0, 0, 0, 0, 0, 0, 10] {
            raw.extend_from_slice(&w.to_be_bytes());
        }
        assert_eq!(
            numeric_text(&raw).unwrap(),
            format!("1.{}1", "0".repeat(30))
        );
        assert!(numeric(&Type::NUMERIC, &raw).is_err());
    }
}
