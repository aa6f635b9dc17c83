//! Decimal parameters as DECIMAL values.
//!
//! The binary protocol has no way to send a parameter as DECIMAL (mysql_async
//! sends a `Decimal`'s exact text as a string), and a string parameter makes
//! the expression around it a string: `COALESCE(amount, ?)` came back as text,
//! and `amount = ?` compared as doubles. pymysql under SQLAlchemy writes the
//! value as a decimal literal instead. So each `?` bound to a `Decimal` is
//! written `CAST(? AS DECIMAL(65, s))`, `s` being the value's own scale: the
//! server sees an exact decimal of the value's digits, as for the literal
//! (`COALESCE(amount, 0.5)` is `0.50` for a `NUMERIC(10, 2)` amount). The SQL
//! then depends on the scales only, so prepared statements are still shared.

use crate::sql_scan::{Token, tokens};
use oxalchemy_core::Value;
use std::fmt::Write as _;

/// `sql` with every placeholder bound to a `Decimal` cast to DECIMAL, or
/// `None` when no parameter is a `Decimal` (the SQL is used as it is).
pub(crate) fn with_decimal_casts(sql: &str, params: &[Value]) -> Option<String> {
    if !params.iter().any(|p| matches!(p, Value::Decimal(_))) {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 32);
    let mut copied = 0;
    let placeholders = tokens(sql)
        .into_iter()
        .filter(|(_, t)| *t == Token::Placeholder);
    for ((at, _), value) in placeholders.zip(params) {
        if let Value::Decimal(d) = value {
            out.push_str(&sql[copied..at]);
            let _ = write!(out, "CAST(? AS DECIMAL(65, {}))", d.scale());
            copied = at + 1;
        }
    }
    out.push_str(&sql[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_decimal_placeholders_are_cast() {
        let d = |s: &str| Value::Decimal(s.parse().unwrap());
        assert_eq!(
            with_decimal_casts(
                "SELECT coalesce(a, ?) FROM t WHERE b = ? AND c = '?'",
                &[d("0.50"), Value::Int(1)]
            )
            .as_deref(),
            Some("SELECT coalesce(a, CAST(? AS DECIMAL(65, 2))) FROM t WHERE b = ? AND c = '?'")
        );
        assert_eq!(
            with_decimal_casts("SELECT ?, ?", &[Value::Int(1), d("-3")]).as_deref(),
            Some("SELECT ?, CAST(? AS DECIMAL(65, 0))")
        );
        assert_eq!(with_decimal_casts("SELECT ?", &[Value::Int(1)]), None);
    }
}
