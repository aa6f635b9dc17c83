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
        SqlType::Enum { name, variants } => {
            let values: Vec<String> = variants.iter().map(|v| string_literal(v)).collect();
            MappedType::with_option(
                "String",
                format!(
                    "sql_type = oxalchemy::sql_type::Enum::new({}, [{}])",
                    string_literal(name),
                    values.join(", ")
                ),
            )
        }
        other => unmapped(column, other),
    }
}

/// A type with no Rust field type: mapped as `String` (what the drivers hand back for
/// most types they do not decode natively), with a note saying so.
fn unmapped(column: &str, sql_type: &SqlType) -> MappedType {
    MappedType {
        rust: "String".to_owned(),
        option: None,
        note: Some(format!(
            "oxalchemy-codegen: column {column} has type {sql_type:?}, which no Rust field type \
             maps; mapped as String (change the type if the driver returns something else)"
        )),
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
    fn enums_keep_their_values() {
        let m = map_type(
            "mood",
            &SqlType::Enum {
                name: "mood".into(),
                variants: vec!["happy".into(), "sad \"x\"".into()],
            },
        );
        assert_eq!(m.rust, "String");
        assert_eq!(
            m.option.as_deref(),
            Some(r#"sql_type = oxalchemy::sql_type::Enum::new("mood", ["happy", "sad \"x\""])"#)
        );
    }
}
