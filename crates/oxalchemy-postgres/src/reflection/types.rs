//! PostgreSQL `format_type()` text to oxalchemy types.

use oxalchemy_core::SqlType;
use oxalchemy_core::reflection::TypeText;

/// The oxalchemy type of `format_type(atttypid, atttypmod)` (enums are
/// resolved by the caller, which knows the type's kind).
pub(crate) fn sql_type(formatted: &str, table: &str, column: &str) -> SqlType {
    if let Some(elem) = formatted.strip_suffix("[]") {
        return SqlType::Array(Box::new(sql_type(elem, table, column)));
    }
    let t = TypeText::parse(formatted);
    let full = if t.suffix.is_empty() {
        t.base.clone()
    } else {
        format!("{} {}", t.base, t.suffix)
    };
    match full.as_str() {
        "INTEGER" => SqlType::Integer,
        "BIGINT" => SqlType::BigInteger,
        "SMALLINT" => SqlType::SmallInteger,
        "CHARACTER VARYING" => SqlType::Varchar(t.arg_u32(0)),
        "CHARACTER" => SqlType::Char(t.arg_u32(0)),
        "TEXT" => SqlType::Text,
        "BOOLEAN" => SqlType::Boolean,
        "REAL" => SqlType::Float,
        "DOUBLE PRECISION" => SqlType::Double,
        "NUMERIC" => match (t.arg_u32(0), t.arg_u32(1)) {
            (Some(p), s) => SqlType::Numeric(p, s.unwrap_or(0)),
            // Unconstrained NUMERIC: oxalchemy's Numeric always has a precision.
            (None, _) => SqlType::Other("NUMERIC".into()),
        },
        "DATE" => SqlType::Date,
        "TIME WITHOUT TIME ZONE" => SqlType::Time,
        "TIMESTAMP WITHOUT TIME ZONE" => SqlType::DateTime,
        "TIMESTAMP WITH TIME ZONE" => SqlType::Timestamp,
        "UUID" => SqlType::Uuid,
        "JSONB" => SqlType::Jsonb,
        // oxalchemy's Json is created as JSONB here: a plain json column
        // keeps its own type so create_all recreates json.
        "JSON" => SqlType::Other("JSON".into()),
        "BYTEA" => SqlType::LargeBinary,
        _ => SqlType::unknown(formatted, table, column),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PostgresDialect;
    use oxalchemy_core::Dialect;

    #[test]
    fn format_type_texts() {
        assert_eq!(
            sql_type("character varying(50)", "t", "c"),
            SqlType::Varchar(Some(50))
        );
        assert_eq!(sql_type("numeric(10,2)", "t", "c"), SqlType::Numeric(10, 2));
        assert_eq!(
            sql_type("timestamp(3) without time zone", "t", "c"),
            SqlType::DateTime
        );
        assert_eq!(
            sql_type("integer[]", "t", "c"),
            SqlType::Array(Box::new(SqlType::Integer))
        );
        assert_eq!(sql_type("jsonb", "t", "c"), SqlType::Jsonb);
        assert_eq!(
            sql_type("interval", "t", "c"),
            SqlType::Other("interval".into())
        );
    }

    /// The DDL the dialect writes for a reflected type is valid PostgreSQL
    /// that reads back as the same type (checked live in tests/reflection*.rs).
    #[test]
    fn ddl_of_new_types() {
        let d = PostgresDialect::new();
        let ty = |t: SqlType| d.type_name(&t, false);
        assert_eq!(ty(SqlType::Jsonb), "JSONB");
        assert_eq!(ty(SqlType::Char(Some(2))), "CHAR(2)");
        assert_eq!(
            ty(SqlType::Array(Box::new(SqlType::Varchar(Some(9))))),
            "VARCHAR(9)[]"
        );
        assert_eq!(ty(SqlType::UnsignedInteger), "BIGINT");
        assert_eq!(ty(SqlType::UnsignedBigInteger), "NUMERIC(20, 0)");
        assert_eq!(ty(SqlType::TinyInteger), "SMALLINT");
        assert_eq!(
            ty(SqlType::Set(vec!["a".into(), "bc".into()])),
            "VARCHAR(5)"
        );
        assert_eq!(ty(SqlType::Other("interval".into())), "interval");
    }
}
