//! The type each parameter is prepared with, taken from the value bound to it.
//!
//! Left to itself, PostgreSQL infers a parameter's type from where it stands:
//! `n = $1` makes `$1` an integer when `n` is one, so a float sent there would
//! be rounded (`n = 30.4` matching 30), and a parameter with no context at all
//! (`SELECT $1`, `CASE .. THEN $1`, `$1 + $2`) becomes text or is ambiguous.
//! psycopg2 under SQLAlchemy writes each value as a typed literal instead, so
//! statements are prepared with the type of the value where it has one that
//! matters: integers as int4 (int8 when they do not fit, as PostgreSQL types an
//! integer literal), floats as float8, decimals as numeric, booleans, dates,
//! times and timestamps as themselves. Text, bytes, UUIDs, JSON and NULL are
//! left for the server to infer (oid 0), so they still bind to varchar, enum,
//! uuid, json or bytea columns as they did (SQLAlchemy sends them untyped too).
//!
//! One SQL text can thus be prepared once per combination of parameter kinds;
//! the statement cache keys statements by both (see `statement_cache`).

use oxalchemy_core::Value;
use postgres_types::{Kind, Type};
use std::sync::LazyLock;

/// How one parameter is declared when its statement is prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ParamKind {
    /// Not declared: the server infers it from the context.
    Infer,
    Bool,
    Int4,
    Int8,
    Float8,
    Numeric,
    Date,
    Time,
    Timestamp,
    Timestamptz,
}

/// Oid 0: "unspecified" in a Parse message.
static UNSPECIFIED: LazyLock<Type> =
    LazyLock::new(|| Type::new(String::new(), 0, Kind::Simple, String::new()));

impl ParamKind {
    /// The declaration for a value.
    pub(crate) fn of(value: &Value) -> ParamKind {
        match value {
            Value::Bool(_) => ParamKind::Bool,
            Value::Int(i) if i32::try_from(*i).is_ok() => ParamKind::Int4,
            Value::Int(_) => ParamKind::Int8,
            Value::Float(_) => ParamKind::Float8,
            Value::Decimal(_) => ParamKind::Numeric,
            Value::Date(_) => ParamKind::Date,
            Value::Time(_) => ParamKind::Time,
            Value::DateTime(_) => ParamKind::Timestamp,
            Value::Timestamp(_) => ParamKind::Timestamptz,
            _ => ParamKind::Infer,
        }
    }

    /// The type sent in the Parse message.
    pub(crate) fn pg_type(self) -> Type {
        match self {
            ParamKind::Infer => UNSPECIFIED.clone(),
            ParamKind::Bool => Type::BOOL,
            ParamKind::Int4 => Type::INT4,
            ParamKind::Int8 => Type::INT8,
            ParamKind::Float8 => Type::FLOAT8,
            ParamKind::Numeric => Type::NUMERIC,
            ParamKind::Date => Type::DATE,
            ParamKind::Time => Type::TIME,
            ParamKind::Timestamp => Type::TIMESTAMP,
            ParamKind::Timestamptz => Type::TIMESTAMPTZ,
        }
    }
}

/// True when a statement prepared for `kinds` takes `params` as they are:
/// each value is of the kind declared, or NULL (which binds to any type).
pub(crate) fn matches(kinds: &[ParamKind], params: &[Value]) -> bool {
    kinds.len() == params.len()
        && kinds
            .iter()
            .zip(params)
            .all(|(k, v)| v.is_null() || *k == ParamKind::of(v))
}

/// Consecutive parameter sets and the kinds one statement is prepared for to take them all.
pub(crate) type Run<'a> = (&'a [Vec<Value>], Box<[ParamKind]>);

/// `sets` cut into runs of consecutive sets that one prepared statement
/// takes, each with the kinds to prepare it for: per parameter, the kind of
/// the run's non-NULL values (NULLs go with any kind; a parameter that is NULL
/// throughout is left to the server).
pub(crate) fn runs(sets: &[Vec<Value>]) -> Vec<Run<'_>> {
    let kind = |v: &Value| (!v.is_null()).then(|| ParamKind::of(v));
    let finish = |merged: &[Option<ParamKind>]| -> Box<[ParamKind]> {
        merged
            .iter()
            .map(|k| k.unwrap_or(ParamKind::Infer))
            .collect()
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut merged: Vec<Option<ParamKind>> = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let fits = merged.len() == set.len()
            && merged
                .iter()
                .zip(set)
                .all(|(m, v)| m.is_none() || kind(v).is_none() || *m == kind(v));
        if i > start && !fits {
            out.push((&sets[start..i], finish(&merged)));
            start = i;
            merged.clear();
        }
        if merged.is_empty() {
            merged = set.iter().map(kind).collect();
        } else {
            for (m, v) in merged.iter_mut().zip(set) {
                *m = m.or_else(|| kind(v));
            }
        }
    }
    if start < sets.len() {
        out.push((&sets[start..], finish(&merged)));
    }
    out
}

/// The declarations for a parameter list: none after the last typed one
/// (the server infers a missing tail).
pub(crate) fn declared_types(kinds: &[ParamKind]) -> Vec<Type> {
    let typed = kinds
        .iter()
        .rposition(|k| *k != ParamKind::Infer)
        .map_or(0, |i| i + 1);
    kinds[..typed].iter().map(|k| k.pg_type()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn values_declare_their_own_types() {
        assert_eq!(ParamKind::of(&Value::Int(7)), ParamKind::Int4);
        assert_eq!(
            ParamKind::of(&Value::Int(i64::from(i32::MIN))),
            ParamKind::Int4
        );
        assert_eq!(ParamKind::of(&Value::Int(1 << 40)), ParamKind::Int8);
        assert_eq!(ParamKind::of(&Value::Float(30.4)), ParamKind::Float8);
        assert_eq!(
            ParamKind::of(&Value::Decimal(Decimal::new(15, 1))),
            ParamKind::Numeric
        );
        for inferred in [
            Value::Null,
            Value::from("x"),
            Value::Bytes(vec![1]),
            Value::Uuid(uuid::Uuid::nil()),
            Value::Json(serde_json::json!(1)),
        ] {
            assert_eq!(ParamKind::of(&inferred), ParamKind::Infer, "{inferred:?}");
        }
    }

    #[test]
    fn only_the_typed_prefix_is_declared() {
        use ParamKind::*;
        assert!(declared_types(&[Infer, Infer]).is_empty());
        let types = declared_types(&[Infer, Float8, Infer]);
        assert_eq!(types.len(), 2);
        assert_eq!(types[0].oid(), 0);
        assert_eq!(types[1], Type::FLOAT8);
    }

    #[test]
    fn a_statement_matches_the_kinds_it_was_prepared_for() {
        use ParamKind::*;
        let params = [Value::Int(1), Value::Null];
        assert!(matches(&[Int4, Infer], &params));
        assert!(matches(&[Int4, Float8], &params), "NULL binds to any type");
        assert!(!matches(&[Int8, Infer], &params));
        assert!(!matches(&[Int4], &params));
        assert!(!matches(&[Infer], &[Value::Int(1)]));
    }

    #[test]
    fn sets_share_a_statement_while_their_kinds_agree() {
        use ParamKind::*;
        let set = |a: Value, b: Value| vec![a, b];
        let sets = [
            set(Value::Int(1), Value::Null),
            set(Value::Null, Value::Float(0.5)),
            set(Value::Int(2), Value::Float(1.5)),
            set(Value::from("x"), Value::Null),
            set(Value::Null, Value::Null),
        ];
        let runs = runs(&sets);
        let shapes: Vec<(usize, &[ParamKind])> =
            runs.iter().map(|(r, k)| (r.len(), &**k)).collect();
        assert_eq!(shapes, [(3, &[Int4, Float8][..]), (2, &[Infer, Infer][..])]);
        assert!(super::runs(&[]).is_empty());
        let uneven = [vec![Value::Int(1)], vec![Value::Int(1), Value::Int(2)]];
        assert_eq!(super::runs(&uneven).len(), 2);
    }
}
