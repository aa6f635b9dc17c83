//! SQLite declared type names to oxalchemy types.

use oxalchemy_core::SqlType;
use oxalchemy_core::reflection::TypeText;

/// The oxalchemy type of a column declared as `decl` (the inverse of
/// `SqliteDialect::type_name`, plus the common spellings SQLAlchemy knows).
pub(crate) fn sql_type(decl: &str, table: &str, column: &str) -> SqlType {
    let t = TypeText::parse(decl);
    let unsigned = t.suffix.contains("UNSIGNED") || t.base.ends_with(" UNSIGNED");
    let base = t.base.trim_end_matches(" UNSIGNED");
    match base {
        "INTEGER" | "INT" | "MEDIUMINT" if unsigned => SqlType::UnsignedInteger,
        "INTEGER" | "INT" => SqlType::Integer,
        "BIGINT" if unsigned => SqlType::UnsignedBigInteger,
        "BIGINT" => SqlType::BigInteger,
        "SMALLINT" if unsigned => SqlType::UnsignedSmallInteger,
        "SMALLINT" => SqlType::SmallInteger,
        "TINYINT" if unsigned => SqlType::UnsignedTinyInteger,
        "TINYINT" => SqlType::TinyInteger,
        "VARCHAR" | "NVARCHAR" | "CHARACTER VARYING" | "VARYING CHARACTER" => {
            SqlType::Varchar(t.arg_u32(0))
        }
        "CHAR" | "NCHAR" | "CHARACTER" => SqlType::Char(t.arg_u32(0)),
        "TEXT" | "CLOB" => SqlType::Text,
        "BOOLEAN" | "BOOL" => SqlType::Boolean,
        "REAL" | "FLOAT" => SqlType::Float,
        "DOUBLE" | "DOUBLE PRECISION" => SqlType::Double,
        "NUMERIC" | "DECIMAL" => match (t.arg_u32(0), t.arg_u32(1)) {
            (Some(p), s) => SqlType::Numeric(p, s.unwrap_or(0)),
            (None, _) => SqlType::Other(decl.trim().to_owned()),
        },
        "DATE" => SqlType::Date,
        "TIME" => SqlType::Time,
        "DATETIME" => SqlType::DateTime,
        "TIMESTAMP" => SqlType::Timestamp,
        "UUID" => SqlType::Uuid,
        "JSON" => SqlType::Json,
        "BLOB" => SqlType::LargeBinary,
        _ => SqlType::unknown(decl.trim(), table, column),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteDialect;
    use oxalchemy_core::Dialect;

    /// Reading back what the dialect writes gives the same type.
    #[test]
    fn dialect_type_names_read_back() {
        let d = SqliteDialect;
        for ty in [
            SqlType::Integer,
            SqlType::BigInteger,
            SqlType::SmallInteger,
            SqlType::TinyInteger,
            SqlType::UnsignedInteger,
            SqlType::UnsignedBigInteger,
            SqlType::UnsignedSmallInteger,
            SqlType::UnsignedTinyInteger,
            SqlType::Varchar(Some(20)),
            SqlType::Char(Some(2)),
            SqlType::Text,
            SqlType::Boolean,
            SqlType::Float,
            SqlType::Double,
            SqlType::Numeric(10, 2),
            SqlType::Date,
            SqlType::Time,
            SqlType::DateTime,
            SqlType::Timestamp,
            SqlType::Uuid,
            SqlType::Json,
            SqlType::LargeBinary,
            SqlType::Other("INTERVALISH".into()),
        ] {
            assert_eq!(sql_type(&d.type_name(&ty, false), "t", "c"), ty, "{ty:?}");
        }
        assert_eq!(sql_type("int", "t", "c"), SqlType::Integer);
        assert_eq!(sql_type("decimal(5)", "t", "c"), SqlType::Numeric(5, 0));
    }
}
