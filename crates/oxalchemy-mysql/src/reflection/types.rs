//! MySQL / MariaDB `COLUMN_TYPE` text to oxalchemy types.

use oxalchemy_core::SqlType;
use oxalchemy_core::reflection::TypeText;

/// The oxalchemy type of a `COLUMN_TYPE` (`int(10) unsigned`, `tinyint(1)`,
/// `enum('a','b')`). `column` names an ENUM's type after its column.
pub(crate) fn sql_type(column_type: &str, table: &str, column: &str) -> SqlType {
    let t = TypeText::parse(column_type);
    let unsigned = t.suffix.split(' ').any(|w| w == "UNSIGNED");
    match t.base.as_str() {
        // BOOLEAN is TINYINT(1): read back as a boolean, so a BOOLEAN column reads
        // the same as on the other backends (SQLAlchemy gives TINYINT(display_width=1)).
        "TINYINT" if t.arg_u32(0) == Some(1) && !unsigned => SqlType::Boolean,
        "TINYINT" if unsigned => SqlType::UnsignedTinyInteger,
        "TINYINT" => SqlType::TinyInteger,
        "SMALLINT" if unsigned => SqlType::UnsignedSmallInteger,
        "SMALLINT" => SqlType::SmallInteger,
        "INT" | "INTEGER" if unsigned => SqlType::UnsignedInteger,
        "INT" | "INTEGER" => SqlType::Integer,
        "BIGINT" if unsigned => SqlType::UnsignedBigInteger,
        "BIGINT" => SqlType::BigInteger,
        "VARCHAR" => SqlType::Varchar(t.arg_u32(0)),
        "CHAR" => SqlType::Char(t.arg_u32(0)),
        "TEXT" => SqlType::Text,
        "FLOAT" => SqlType::Float,
        "DOUBLE" | "DOUBLE PRECISION" | "REAL" => SqlType::Double,
        "DECIMAL" | "NUMERIC" => {
            SqlType::Numeric(t.arg_u32(0).unwrap_or(10), t.arg_u32(1).unwrap_or(0))
        }
        "DATE" => SqlType::Date,
        "TIME" => SqlType::Time,
        "DATETIME" => SqlType::DateTime,
        "TIMESTAMP" => SqlType::Timestamp,
        "JSON" => SqlType::Json,
        "UUID" => SqlType::Uuid,
        "LONGBLOB" => SqlType::LargeBinary,
        // MySQL's ENUM is a column type (native); on PostgreSQL it becomes a
        // named type called after the column.
        "ENUM" => SqlType::Enum {
            name: column.to_owned(),
            variants: t.args,
            native: true,
        },
        "SET" => SqlType::Set(t.args),
        // Known MySQL types with no portable counterpart: kept exactly, no warning.
        "MEDIUMINT" | "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT" | "TINYBLOB" | "BLOB"
        | "MEDIUMBLOB" | "BINARY" | "VARBINARY" | "BIT" | "YEAR" => {
            SqlType::Other(column_type.to_owned())
        }
        _ => SqlType::unknown(column_type, table, column),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MysqlDialect;
    use oxalchemy_core::Dialect;

    #[test]
    fn column_types() {
        let s = |t: &str| sql_type(t, "t", "c");
        assert_eq!(s("tinyint(1)"), SqlType::Boolean);
        assert_eq!(s("tinyint(4)"), SqlType::TinyInteger);
        assert_eq!(s("int(10) unsigned"), SqlType::UnsignedInteger);
        assert_eq!(s("bigint(20) unsigned"), SqlType::UnsignedBigInteger);
        assert_eq!(s("int(11)"), SqlType::Integer);
        assert_eq!(s("decimal(10,2)"), SqlType::Numeric(10, 2));
        assert_eq!(s("datetime(6)"), SqlType::DateTime);
        assert_eq!(
            s("enum('a','it''s')"),
            SqlType::Enum {
                name: "c".into(),
                variants: vec!["a".into(), "it's".into()],
                native: true,
            }
        );
        assert_eq!(
            s("set('x','y')"),
            SqlType::Set(vec!["x".into(), "y".into()])
        );
        assert_eq!(s("longtext"), SqlType::Other("longtext".into()));
        assert_eq!(s("geometry"), SqlType::Other("geometry".into()));
    }

    #[test]
    fn ddl_of_new_types() {
        let d = MysqlDialect::mariadb((10, 11, 6));
        let ty = |t: SqlType| d.type_name(&t, false);
        assert_eq!(ty(SqlType::UnsignedInteger), "INTEGER UNSIGNED");
        assert_eq!(ty(SqlType::UnsignedBigInteger), "BIGINT UNSIGNED");
        assert_eq!(ty(SqlType::UnsignedSmallInteger), "SMALLINT UNSIGNED");
        assert_eq!(ty(SqlType::UnsignedTinyInteger), "TINYINT UNSIGNED");
        assert_eq!(ty(SqlType::TinyInteger), "TINYINT");
        assert_eq!(
            ty(SqlType::Set(vec!["a".into(), "b'c".into()])),
            "SET('a', 'b''c')"
        );
        assert_eq!(ty(SqlType::Char(Some(3))), "CHAR(3)");
        assert_eq!(ty(SqlType::Jsonb), "JSON");
        assert_eq!(ty(SqlType::Other("mediumtext".into())), "mediumtext");
        assert_eq!(d.cast_type_name(&SqlType::UnsignedInteger), "UNSIGNED");
    }
}
