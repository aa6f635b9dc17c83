//! `PostgresDialect`: how PostgreSQL spells SQL.

use oxalchemy_core::expr::StringOp;
use oxalchemy_core::{
    Dialect, LongInList, ReturningOrder, SqlType, Value, standard_string_op, standard_type_name,
};
use std::borrow::Cow;

/// PostgreSQL's reserved key words (the "reserved" column of the PostgreSQL
/// manual's appendix C, as SQLAlchemy's postgresql dialect lists them). They
/// are quoted when used as identifiers, on top of the words every dialect quotes.
const POSTGRES_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// The PostgreSQL dialect: `$1, $2, ..` placeholders, `"` quoting, JSONB for
/// JSON, identity columns for autoincrement keys, and every optional construct
/// (RETURNING, FULL OUTER JOIN, NULLS FIRST/LAST, ILIKE, INTERSECT/EXCEPT).
///
/// ```
/// use oxalchemy_core::Dialect;
/// use oxalchemy_postgres::PostgresDialect;
///
/// let d = PostgresDialect::default();
/// let mut sql = String::from("SELECT ");
/// d.write_identifier("user", &mut sql);
/// sql.push_str(" FROM t WHERE id = ");
/// d.write_placeholder(1, &mut sql);
/// assert_eq!(sql, r#"SELECT "user" FROM t WHERE id = $1"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostgresDialect;

impl PostgresDialect {
    /// A PostgreSQL dialect (the same as `PostgresDialect::default()`).
    pub fn new() -> Self {
        PostgresDialect
    }
}

impl Dialect for PostgresDialect {
    fn comment_style(&self) -> oxalchemy_core::CommentStyle {
        oxalchemy_core::CommentStyle::Statements
    }

    fn reflector(&self) -> Option<&'static dyn oxalchemy_core::reflection::Reflector> {
        Some(&crate::reflection::REFLECTOR)
    }

    /// Byte-wise comparison is the "C" collation (the database's default
    /// collation may order by locale rules).
    fn string_op(&self, op: StringOp) -> (Cow<'static, str>, Cow<'static, str>) {
        match op {
            StringOp::Bytewise => ("(".into(), " COLLATE \"C\")".into()),
            other => standard_string_op(other),
        }
    }

    fn name(&self) -> &'static str {
        "postgresql"
    }

    fn quote_char(&self) -> char {
        '"'
    }

    fn is_reserved_word(&self, lower: &str) -> bool {
        POSTGRES_RESERVED.binary_search(&lower).is_ok()
            || oxalchemy_core::dialect::is_common_reserved_word(lower)
    }

    fn write_placeholder(&self, index: usize, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "${index}");
    }

    fn type_name(&self, ty: &SqlType, keyed: bool) -> String {
        let _ = keyed;
        match ty {
            SqlType::Json => "JSONB".into(),
            other => standard_type_name(other),
        }
    }

    fn supports_ilike(&self) -> bool {
        true
    }

    fn supports_returning(&self) -> bool {
        true
    }

    fn returning_order(&self) -> ReturningOrder {
        ReturningOrder::SentinelSelect
    }

    /// `$n` names its parameter: GROUP BY reuses the select list's placeholders.
    fn numbered_placeholders(&self) -> bool {
        true
    }

    fn long_in_list(&self) -> LongInList {
        LongInList::UnnestArray
    }

    fn supports_distinct_on(&self) -> bool {
        true
    }

    fn supports_full_outer_join(&self) -> bool {
        true
    }

    fn supports_nulls_ordering(&self) -> bool {
        true
    }

    fn supports_intersect_except(&self) -> bool {
        true
    }

    fn has_enum_type_query(
        &self,
        schema: Option<&str>,
        name: &str,
    ) -> Option<(String, Vec<Value>)> {
        Some((
            "SELECT 1 FROM pg_catalog.pg_type t \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'e' AND t.typname::text = $1 \
             AND n.nspname::text = COALESCE($2::text, current_schema()::text)"
                .into(),
            vec![Value::from(name), schema.map_or(Value::Null, Value::from)],
        ))
    }

    fn has_table_query(&self, schema: Option<&str>, table: &str) -> (String, Vec<Value>) {
        const BASE: &str = "SELECT c.relname FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')";
        match schema {
            Some(schema) => (
                format!("{BASE} AND n.nspname = $2"),
                vec![Value::from(table), Value::from(schema)],
            ),
            None => (
                format!("{BASE} AND n.nspname = current_schema()"),
                vec![Value::from(table)],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(s: &str) -> String {
        let mut out = String::new();
        PostgresDialect.write_identifier(s, &mut out);
        out
    }

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        assert!(POSTGRES_RESERVED.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn placeholders_are_numbered() {
        let mut out = String::new();
        for i in 1..=3 {
            PostgresDialect.write_placeholder(i, &mut out);
            out.push(' ');
        }
        PostgresDialect.write_placeholder(12, &mut out);
        assert_eq!(out, "$1 $2 $3 $12");
    }

    #[test]
    fn identifiers_are_quoted_when_needed() {
        assert_eq!(ident("users"), "users");
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("ilike"), "\"ilike\"");
        assert_eq!(ident("lateral"), "\"lateral\"");
        assert_eq!(ident("select"), "\"select\"");
        assert_eq!(ident("UserName"), "\"UserName\"");
        assert_eq!(ident("has space"), "\"has space\"");
        assert_eq!(ident("1abc"), "\"1abc\"");
        assert_eq!(ident("we\"ird"), "\"we\"\"ird\"");
    }

    #[test]
    fn type_names() {
        let d = PostgresDialect;
        assert_eq!(d.type_name(&SqlType::Json, false), "JSONB");
        assert_eq!(d.type_name(&SqlType::LargeBinary, false), "BYTEA");
        assert_eq!(
            d.type_name(&SqlType::Timestamp, false),
            "TIMESTAMP WITH TIME ZONE"
        );
        assert_eq!(d.type_name(&SqlType::DateTime, false), "TIMESTAMP");
        assert_eq!(d.type_name(&SqlType::Double, false), "DOUBLE PRECISION");
        assert_eq!(d.type_name(&SqlType::Float, false), "REAL");
        assert_eq!(
            d.type_name(&SqlType::Numeric(10, 2), false),
            "NUMERIC(10, 2)"
        );
        assert_eq!(
            d.type_name(&SqlType::Varchar(Some(30)), true),
            "VARCHAR(30)"
        );
        assert_eq!(d.type_name(&SqlType::Text, false), "TEXT");
        assert_eq!(d.type_name(&SqlType::Uuid, false), "UUID");
        assert_eq!(d.type_name(&SqlType::Boolean, false), "BOOLEAN");
        assert_eq!(
            d.autoincrement_column(&SqlType::Integer),
            "INTEGER GENERATED BY DEFAULT AS IDENTITY"
        );
        assert_eq!(
            d.autoincrement_column(&SqlType::BigInteger),
            "BIGINT GENERATED BY DEFAULT AS IDENTITY"
        );
        let e = SqlType::Enum {
            name: "mood".into(),
            variants: vec!["happy".into(), "sad".into()],
            native: false,
        };
        assert_eq!(d.type_name(&e, false), "VARCHAR(5)");
    }

    #[test]
    fn capabilities() {
        let d = PostgresDialect::new();
        assert_eq!(d.name(), "postgresql");
        assert!(d.supports_ilike());
        assert!(d.supports_returning());
        assert!(d.supports_full_outer_join());
        assert!(d.supports_nulls_ordering());
        assert!(d.supports_intersect_except());
        // Issue 11: `$n` can be written twice; DISTINCT ON; the standard rest.
        assert!(d.numbered_placeholders());
        assert!(d.supports_distinct_on());
        assert!(d.supports_floor());
        assert!(d.numeric_cast_rounds());
        assert_eq!(d.true_division(), oxalchemy_core::TrueDivision::CastDivisor);
        assert_eq!(
            d.sentinel_insert(),
            oxalchemy_core::SentinelInsert::NamedColumns
        );
    }

    #[test]
    fn has_table_query_binds_names() {
        let (sql, params) = PostgresDialect.has_table_query(None, "users");
        assert!(sql.contains("current_schema()"), "{sql}");
        assert_eq!(params, vec![Value::from("users")]);
        let (sql, params) = PostgresDialect.has_table_query(Some("app"), "users");
        assert!(sql.contains("n.nspname = $2"), "{sql}");
        assert_eq!(params, vec![Value::from("users"), Value::from("app")]);
    }

    #[test]
    fn multi_row_returning_in_parameter_order_uses_the_sentinel_form() {
        use oxalchemy_core::sql_type::{Integer, Varchar};
        use oxalchemy_core::{MetaData, insert};
        let md = MetaData::new();
        let users = md.table("users", |t| {
            t.column("id", Integer).primary_key();
            t.column("name", Varchar(30));
        });
        let c = insert(&users)
            .values_many([[("name", "a")], [("name", "b")]])
            .returning(users.c("id"))
            .sort_by_parameter_order()
            .compile(&PostgresDialect);
        assert_eq!(
            c.sql(),
            "INSERT INTO users (name) SELECT p0 FROM (VALUES (CAST($1 AS TEXT), 0), \
             (CAST($2 AS TEXT), 1)) AS imp_sen (p0, sen_counter) ORDER BY sen_counter \
             RETURNING id"
        );
        assert_eq!(c.params(), [Value::from("a"), Value::from("b")]);
        // One row: the plain form.
        let one = insert(&users)
            .values([("name", "a")])
            .returning(users.c("id"))
            .sort_by_parameter_order()
            .compile(&PostgresDialect);
        assert_eq!(
            one.sql(),
            "INSERT INTO users (name) VALUES ($1) RETURNING id"
        );
    }
}
