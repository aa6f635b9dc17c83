//! SQL type -> the Rust field type the ORM maps it with (`oxalchemy::orm::FieldType`),
//! plus the `#[mapped_column(..)]` options that keep the column's exact SQL type.

use crate::naming::string_literal;
use oxalchemy::SqlType;

/// How one column's type is written in the generated struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedType {
    /// The field type without `Option` (`i32`, `String`, `chrono::NaiveDateTime`).
    pub rust: String,
    /// A `mapped_column` option keeping the SQL type (`length = 50`,
    /// `sql_type = oxalchemy::sql_type::Numeric(10, 2)`), when the field type's own
    /// SQL type differs from the column's.
    pub option: Option<String>,
    /// Why the mapping is approximate, written as a comment above the field.
    pub note: Option<String>,
}

impl MappedType {
    fn plain(rust: &str) -> Self {
        MappedType {
            rust: rust.to_owned(),
            option: None,
            note: None,
        }
    }

    fn with_option(rust: &str, option: String) -> Self {
        MappedType {
            rust: rust.to_owned(),
            option: Some(option),
            note: None,
        }
    }
}

/// The Rust type of a column of `sql_type` (`column` names it in notes).
///
/// Date, time, UUID, JSON and decimal types are written with their crate paths
/// (`chrono::`, `uuid::`, `serde_json::`, `rust_decimal::`): the crate that includes
/// the generated file depends on those crates, as the ORM does.
pub fn map_type(column: &str, sql_type: &SqlType) -> MappedType {
    match sql_type {
        SqlType::SmallInteger => MappedType::plain("i16"),
        SqlType::Integer => MappedType::plain("i32"),
        SqlType::BigInteger => MappedType::plain("i64"),
        SqlType::Boolean => MappedType::plain("bool"),
        SqlType::Float => MappedType::plain("f32"),
        SqlType::Double => MappedType::plain("f64"),
        SqlType::Text => MappedType::plain("String"),
        SqlType::Varchar(Some(n)) => MappedType::with_option("String", format!("length = {n}")),
        SqlType::Varchar(None) => MappedType::with_option(
            "String",
            "sql_type = oxalchemy::SqlType::Varchar(None)".to_owned(),
        ),
        SqlType::Numeric(p, s) => MappedType::with_option(
            "rust_decimal::Decimal",
            format!("sql_type = oxalchemy::sql_type::Numeric({p}, {s})"),
        ),
        SqlType::Date => MappedType::plain("chrono::NaiveDate"),
        SqlType::Time => MappedType::plain("chrono::NaiveTime"),
        SqlType::DateTime => MappedType::plain("chrono::NaiveDateTime"),
        SqlType::Timestamp => MappedType::plain("chrono::DateTime<chrono::Utc>"),
        SqlType::Uuid => MappedType::plain("uuid::Uuid"),
        SqlType::Json => MappedType::plain("serde_json::Value"),
        SqlType::LargeBinary => MappedType::plain("Vec<u8>"),
        SqlType::Enum { .. } | SqlType::Set(_) | SqlType::Char(_) => keep("String", sql_type),
        SqlType::TinyInteger | SqlType::UnsignedTinyInteger => keep("i16", sql_type),
        SqlType::UnsignedSmallInteger => keep("i32", sql_type),
        SqlType::UnsignedInteger => keep("i64", sql_type),
        SqlType::UnsignedBigInteger => MappedType {
            note: Some(format!(
                "oxalchemy-codegen: column {column} is BIGINT UNSIGNED, mapped as i64: values \
                 above i64::MAX do not fit"
            )),
            ..keep("i64", sql_type)
        },
        SqlType::Jsonb => keep("serde_json::Value", sql_type),
        SqlType::Other(text) => match other_field_type(text) {
            Some(rust) => keep(rust, sql_type),
            None => unmapped(column, sql_type),
        },
        // The drivers read an array as JSON (`[1, 2]`); no field type binds one back.
        SqlType::Array(_) => MappedType {
            note: Some(format!(
                "oxalchemy-codegen: column {column} is an array ({}), mapped as \
                 serde_json::Value: reads give the array as JSON, but the driver cannot bind \
                 JSON to an array parameter, so write this column through Core with a CAST",
                describe(sql_type)
            )),
            ..keep("serde_json::Value", sql_type)
        },
        other => unmapped(column, other),
    }
}

/// The field type of a type reflection kept as text ([`SqlType::Other`]) when the drivers
/// read and write it as one of the ORM's field types: MySQL's other integer, text and
/// binary types, PostgreSQL's plain `json` and text-like types.
fn other_field_type(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let base = lower.split(['(', ' ']).next().unwrap_or("");
    let unsigned = lower.contains("unsigned");
    Some(match base {
        "mediumint" if unsigned => "i64",
        "mediumint" => "i32",
        "year" => "i16",
        "bit" => "i64",
        "tinytext" | "mediumtext" | "longtext" | "citext" | "xml" | "nchar" | "nvarchar"
        | "bpchar" | "name" => "String",
        "tinyblob" | "blob" | "mediumblob" | "longblob" | "binary" | "varbinary" => "Vec<u8>",
        // PostgreSQL's plain `json` (oxalchemy's Json creates JSONB there).
        "json" => "serde_json::Value",
        _ => return None,
    })
}

/// `rust` with `sql_type = <the exact type>`.
fn keep(rust: &str, sql_type: &SqlType) -> MappedType {
    MappedType::with_option(rust, format!("sql_type = {}", sql_type_expr(sql_type)))
}

/// A Rust expression of `sql_type` (an `oxalchemy::SqlType` value, or a marker that
/// converts into one), for `sql_type = ..` and `t.column(.., ..)`.
pub fn sql_type_expr(sql_type: &SqlType) -> String {
    let strings = |values: &[String]| {
        values
            .iter()
            .map(|v| string_literal(v))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match sql_type {
        SqlType::Numeric(p, s) => format!("oxalchemy::sql_type::Numeric({p}, {s})"),
        SqlType::Varchar(n) => format!("oxalchemy::SqlType::Varchar({n:?})"),
        SqlType::Char(n) => format!("oxalchemy::SqlType::Char({n:?})"),
        SqlType::Enum {
            name,
            variants,
            native,
        } => format!(
            "oxalchemy::sql_type::Enum::new({}, [{}]){}",
            string_literal(name),
            strings(variants),
            if *native { ".native()" } else { "" }
        ),
        SqlType::Set(values) => format!(
            "oxalchemy::SqlType::Set(vec![{}])",
            values
                .iter()
                .map(|v| format!("String::from({})", string_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SqlType::Array(inner) => format!(
            "oxalchemy::SqlType::Array(Box::new({}))",
            sql_type_expr(inner)
        ),
        SqlType::Other(text) => {
            format!(
                "oxalchemy::SqlType::Other(String::from({}))",
                string_literal(text)
            )
        }
        unit @ (SqlType::Integer
        | SqlType::BigInteger
        | SqlType::SmallInteger
        | SqlType::Text
        | SqlType::Boolean
        | SqlType::Float
        | SqlType::Double
        | SqlType::Date
        | SqlType::Time
        | SqlType::DateTime
        | SqlType::Timestamp
        | SqlType::Uuid
        | SqlType::Json
        | SqlType::LargeBinary
        | SqlType::TinyInteger
        | SqlType::UnsignedTinyInteger
        | SqlType::UnsignedSmallInteger
        | SqlType::UnsignedInteger
        | SqlType::UnsignedBigInteger
        | SqlType::Jsonb) => format!("oxalchemy::SqlType::{unit:?}"),
        // A variant newer than this generator: its SQL spelled as text keeps the code
        // compiling (written back verbatim in DDL).
        newer => format!(
            "oxalchemy::SqlType::Other(String::from({}))",
            string_literal(&format!("{newer:?}"))
        ),
    }
}

/// A type with no Rust field type: mapped as `String` (what the drivers hand back for
/// most types they do not decode natively), with a note saying so.
fn unmapped(column: &str, sql_type: &SqlType) -> MappedType {
    MappedType {
        note: Some(format!(
            "oxalchemy-codegen: column {column} has type {}, which no Rust field type maps; \
             mapped as String: reads give the driver's text, but a backend without a text \
             encoding for the type (PostgreSQL) refuses it as a parameter, so write this column \
             through Core with a CAST",
            describe(sql_type)
        )),
        ..keep("String", sql_type)
    }
}

/// A type as a reader knows it: `INTERVAL`, `Integer[]`.
fn describe(sql_type: &SqlType) -> String {
    match sql_type {
        SqlType::Other(text) => text.clone(),
        SqlType::Array(inner) => format!("{}[]", describe(inner)),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_type_has_a_field_type() {
        let cases = [
            (SqlType::SmallInteger, "i16", None),
            (SqlType::Integer, "i32", None),
            (SqlType::BigInteger, "i64", None),
            (SqlType::Boolean, "bool", None),
            (SqlType::Float, "f32", None),
            (SqlType::Double, "f64", None),
            (SqlType::Text, "String", None),
            (SqlType::Varchar(Some(30)), "String", Some("length = 30")),
            (
                SqlType::Numeric(10, 2),
                "rust_decimal::Decimal",
                Some("sql_type = oxalchemy::sql_type::Numeric(10, 2)"),
            ),
            (SqlType::Date, "chrono::NaiveDate", None),
            (SqlType::Time, "chrono::NaiveTime", None),
            (SqlType::DateTime, "chrono::NaiveDateTime", None),
            (SqlType::Timestamp, "chrono::DateTime<chrono::Utc>", None),
            (SqlType::Uuid, "uuid::Uuid", None),
            (SqlType::Json, "serde_json::Value", None),
            (SqlType::LargeBinary, "Vec<u8>", None),
        ];
        for (sql, rust, option) in cases {
            let m = map_type("c", &sql);
            assert_eq!(m.rust, rust, "{sql:?}");
            assert_eq!(m.option.as_deref(), option, "{sql:?}");
            assert_eq!(m.note, None, "{sql:?}");
        }
    }

    #[test]
    fn types_kept_as_text_map_where_the_drivers_agree() {
        let field = |text: &str| map_type("c", &SqlType::Other(text.into()));
        for (text, rust) in [
            ("mediumint(9)", "i32"),
            ("MEDIUMINT UNSIGNED", "i64"),
            ("year(4)", "i16"),
            ("bit(3)", "i64"),
            ("longtext", "String"),
            ("blob", "Vec<u8>"),
            ("varbinary(10)", "Vec<u8>"),
            ("json", "serde_json::Value"),
            ("JSON", "serde_json::Value"),
        ] {
            let m = field(text);
            assert_eq!(m.rust, rust, "{text}");
            assert_eq!(m.note, None, "{text}");
            assert!(m.option.unwrap().contains("SqlType::Other"), "{text}");
        }
        let interval = field("interval");
        assert_eq!(interval.rust, "String");
        assert!(
            interval
                .note
                .unwrap()
                .contains("column c has type interval")
        );
    }

    #[test]
    fn enums_keep_their_values() {
        let m = map_type(
            "mood",
            &SqlType::Enum {
                name: "mood".into(),
                variants: vec!["happy".into(), "sad \"x\"".into()],
                native: false,
            },
        );
        assert_eq!(m.rust, "String");
        assert_eq!(
            m.option.as_deref(),
            Some(r#"sql_type = oxalchemy::sql_type::Enum::new("mood", ["happy", "sad \"x\""])"#)
        );
    }
}
