//! Result values converted to their column's SQL type, where the driver gave
//! another form.
//!
//! A driver only knows what the database says about a result column, which is
//! sometimes less than the statement knows: SQLite gives `sum(amount)` of a
//! `NUMERIC(10, 2)` column as a REAL and `x IS NULL` as an integer, MySQL gives
//! `SUM` of integers as a DECIMAL, MariaDB a JSON column as text. The compiler
//! records the type of each result column where it is exact
//! ([`Compiled::column_types`](crate::Compiled::column_types)); the engine
//! converts each value with [`decode_as`], as SQLAlchemy's result processors
//! do for the expression's type. Only changes of form are made (a REAL to the
//! decimal it prints as, at the type's scale; 0/1 to a boolean; ISO text to a
//! date): a value that does not convert is left as the driver gave it.

use crate::row::QueryResult;
use crate::sql_type::SqlType;
use crate::value::Value;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// `v` as a value of SQL type `ty`, when it is another form of one.
///
/// ```
/// use oxalchemy_core::{SqlType, Value, column_decode::decode_as};
/// let sum = decode_as(&SqlType::Numeric(10, 2), Value::Float(3.75));
/// assert_eq!(sum, Value::Decimal("3.75".parse().unwrap()));
/// assert_eq!(decode_as(&SqlType::Boolean, Value::Int(1)), Value::Bool(true));
/// assert_eq!(decode_as(&SqlType::Integer, Value::from("x")), Value::from("x"));
/// ```
pub fn decode_as(ty: &SqlType, v: Value) -> Value {
    match (ty, v) {
        (SqlType::Integer | SqlType::BigInteger | SqlType::SmallInteger, Value::Decimal(d))
            if d.fract().is_zero() =>
        {
            i64::try_from(d).map_or(Value::Decimal(d), Value::Int)
        }
        (SqlType::Float | SqlType::Double, Value::Decimal(d)) => {
            f64::try_from(d).map_or(Value::Decimal(d), Value::Float)
        }
        (SqlType::Float | SqlType::Double, Value::Int(i)) => Value::Float(i as f64),
        (SqlType::Numeric(_, scale), v @ (Value::Float(_) | Value::Int(_) | Value::Text(_))) => {
            match to_decimal(&v) {
                Some(d) => Value::Decimal(at_scale(d, *scale)),
                None => v,
            }
        }
        (SqlType::Boolean, Value::Int(i @ (0 | 1))) => Value::Bool(i == 1),
        (SqlType::Date, Value::Text(s)) => parsed(s, |s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(Value::Date)
        }),
        (SqlType::Time, Value::Text(s)) => parsed(s, |s| {
            NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
                .ok()
                .map(Value::Time)
        }),
        (SqlType::DateTime, Value::Text(s)) => {
            parsed(s, |s| naive_datetime(s).map(Value::DateTime))
        }
        (SqlType::Timestamp, Value::Text(s)) => parsed(s, |s| {
            DateTime::parse_from_rfc3339(s)
                .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%#z"))
                .map(|d| d.with_timezone(&Utc))
                .ok()
                .or_else(|| naive_datetime(s).map(|d| d.and_utc()))
                .map(Value::Timestamp)
        }),
        (_, v) => v,
    }
}

impl QueryResult {
    /// Convert each column whose type is given ([`decode_as`]); a result with
    /// other columns than types (text, DDL) is left alone.
    pub fn decode_columns(&mut self, types: &[Option<SqlType>]) {
        if types.len() != self.columns.len() || types.iter().all(Option::is_none) {
            return;
        }
        for row in &mut self.rows {
            for (value, ty) in row.iter_mut().zip(types) {
                if let Some(ty) = ty
                    && !value.is_null()
                {
                    *value = decode_as(ty, std::mem::take(value));
                }
            }
        }
    }
}

fn to_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from(*i)),
        // The shortest text of a double is the number that was written (2.675,
        // not 2.67499999..): what a server's NUMERIC would hold.
        Value::Float(f) if f.is_finite() => {
            let text = f.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&format!("{f:e}")))
                .ok()
        }
        // Exactly or not at all: text with more digits than a Decimal holds
        // stays text (and asking for a Decimal is an error), never rounded.
        Value::Text(s) => {
            let s = s.trim();
            Decimal::from_str_exact(s)
                .or_else(|_| Decimal::from_scientific(s))
                .ok()
        }
        _ => None,
    }
}

/// `d` at exactly `scale` fractional digits, as a `NUMERIC(p, s)` column of
/// PostgreSQL or MySQL/MariaDB holds it: rounded half away from zero (1.005
/// -> 1.01, -1.005 -> -1.01) or padded with zeros (3 -> 3.00); a zero loses
/// its sign (-0.001 -> 0.00), as on the servers. Drivers whose database keeps
/// what was written (SQLite) apply it on the way out.
///
/// ```
/// use oxalchemy_core::column_decode::at_scale;
/// assert_eq!(at_scale("1.005".parse().unwrap(), 2).to_string(), "1.01");
/// assert_eq!(at_scale("3".parse().unwrap(), 2).to_string(), "3.00");
/// ```
pub fn at_scale(d: Decimal, scale: u32) -> Decimal {
    let mut d = d.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    if d.scale() < scale {
        d.rescale(scale);
    }
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    d
}

fn naive_datetime(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// The parsed form of `s`, or `s` itself when it does not parse.
fn parsed(s: String, parse: impl FnOnce(&str) -> Option<Value>) -> Value {
    parse(s.trim()).unwrap_or(Value::Text(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row::Columns;
    use std::sync::Arc;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_take_their_type_without_loss() {
        let n2 = SqlType::Numeric(10, 2);
        assert_eq!(
            decode_as(&n2, Value::Float(2.675)),
            Value::Decimal(dec("2.68"))
        );
        assert_eq!(
            decode_as(&n2, Value::Float(0.1 + 0.2)),
            Value::Decimal(dec("0.30"))
        );
        assert_eq!(decode_as(&n2, Value::Int(3)), Value::Decimal(dec("3.00")));
        assert_eq!(
            decode_as(&n2, Value::from("1.5")),
            Value::Decimal(dec("1.50"))
        );
        assert_eq!(decode_as(&n2, Value::from("n/a")), Value::from("n/a"));
        // A decimal the server computed keeps its own scale.
        assert_eq!(
            decode_as(&n2, Value::Decimal(dec("1.875"))),
            Value::Decimal(dec("1.875"))
        );
        assert_eq!(
            decode_as(&SqlType::BigInteger, Value::Decimal(dec("1"))),
            Value::Int(1)
        );
        assert_eq!(
            decode_as(&SqlType::Integer, Value::Decimal(dec("1.5"))),
            Value::Decimal(dec("1.5"))
        );
        assert_eq!(
            decode_as(&SqlType::Double, Value::Decimal(dec("0.5"))),
            Value::Float(0.5)
        );
        assert_eq!(decode_as(&SqlType::Boolean, Value::Int(2)), Value::Int(2));
    }

    #[test]
    fn text_dates_are_parsed() {
        let dt = NaiveDate::from_ymd_opt(2024, 1, 2)
            .unwrap()
            .and_hms_micro_opt(3, 4, 5, 6)
            .unwrap();
        let text = || Value::from("2024-01-02 03:04:05.000006");
        assert_eq!(decode_as(&SqlType::DateTime, text()), Value::DateTime(dt));
        assert_eq!(
            decode_as(&SqlType::Timestamp, text()),
            Value::Timestamp(dt.and_utc())
        );
        assert_eq!(
            decode_as(&SqlType::Date, Value::from("2024-01-02")),
            Value::Date(dt.date())
        );
        assert_eq!(
            decode_as(&SqlType::Time, Value::from("03:04:05.000006")),
            Value::Time(dt.time())
        );
        assert_eq!(
            decode_as(&SqlType::Date, Value::from("soon")),
            Value::from("soon")
        );
    }

    #[test]
    fn a_result_is_converted_column_by_column() {
        let mut r = QueryResult {
            columns: Arc::new(Columns::new(vec!["total".into(), "flag".into()])),
            rows: vec![
                vec![Value::Float(3.75), Value::Int(0)],
                vec![Value::Null, Value::Int(1)],
            ],
            rows_affected: 0,
            last_insert_id: None,
        };
        r.decode_columns(&[Some(SqlType::Numeric(10, 2)), None]);
        assert_eq!(r.rows[0], [Value::Decimal(dec("3.75")), Value::Int(0)]);
        assert_eq!(r.rows[1], [Value::Null, Value::Int(1)]);
        // Types for other columns than the result has: nothing is touched.
        r.decode_columns(&[Some(SqlType::Boolean)]);
        assert_eq!(r.rows[0][1], Value::Int(0));
    }
}
