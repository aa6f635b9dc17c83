//! `SqliteDialect`: how SQLite spells SQL.

use oxalchemy_core::expr::StringOp;
use oxalchemy_core::{
    DatePart, DeleteUsing, Dialect, DistinctFrom, LongInList, SentinelInsert, SqlType,
    TrueDivision, Value, standard_string_op, standard_type_name,
};
use std::borrow::Cow;

/// Words SQLite reserves (or treats specially) beyond the common list of core.
/// Quoting a word that did not need it is harmless, so the list errs on the safe side.
/// Kept sorted: looked up by binary search.
const SQLITE_RESERVED: &[&str] = &[
    "abort",
    "action",
    "after",
    "attach",
    "autoincrement",
    "before",
    "begin",
    "cascade",
    "commit",
    "conflict",
    "deferrable",
    "deferred",
    "detach",
    "each",
    "escape",
    "exclude",
    "exclusive",
    "explain",
    "fail",
    "filter",
    "first",
    "following",
    "generated",
    "glob",
    "groups",
    "immediate",
    "indexed",
    "initially",
    "instead",
    "isnull",
    "last",
    "match",
    "materialized",
    "no",
    "nothing",
    "notnull",
    "nulls",
    "of",
    "others",
    "plan",
    "pragma",
    "preceding",
    "query",
    "raise",
    "recursive",
    "regexp",
    "reindex",
    "release",
    "rename",
    "restrict",
    "rollback",
    "rowid",
    "savepoint",
    "temp",
    "temporary",
    "ties",
    "transaction",
    "unbounded",
    "vacuum",
    "virtual",
    "without",
];

/// The SQLite dialect: `?` placeholders, `"` quoting, SQLite's type names and
/// its few departures from standard SQL (no parenthesized UNION members,
/// `LIMIT -1` for an OFFSET alone, booleans as `1`/`0`, an autoincrement key
/// declared inline as `INTEGER PRIMARY KEY`).
///
/// ```
/// use oxalchemy_core::{Dialect, SqlType};
/// use oxalchemy_sqlite::SqliteDialect;
/// let d = SqliteDialect::default();
/// assert_eq!(d.name(), "sqlite");
/// assert_eq!(d.type_name(&SqlType::DateTime, false), "DATETIME");
/// let mut out = String::new();
/// d.write_identifier("order", &mut out);
/// assert_eq!(out, "\"order\"");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

impl SqliteDialect {
    /// A new SQLite dialect (the same as `SqliteDialect::default()`).
    pub fn new() -> Self {
        SqliteDialect
    }
}

impl Dialect for SqliteDialect {
    fn reflector(&self) -> Option<&'static dyn oxalchemy_core::reflection::Reflector> {
        Some(&crate::reflection::REFLECTOR)
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    /// `SQLITE_MAX_VARIABLE_NUMBER` of the bundled SQLite.
    fn max_params(&self) -> usize {
        32_766
    }

    fn is_reserved_word(&self, lower: &str) -> bool {
        SQLITE_RESERVED.binary_search(&lower).is_ok() || CoreDefaults.is_reserved_word(lower)
    }

    /// Declared types are chosen so the driver can map results back from the
    /// column's declared type (`BOOLEAN` -> bool, `DATETIME` -> datetime, ...).
    fn type_name(&self, ty: &SqlType, _keyed: bool) -> String {
        match ty {
            SqlType::Integer => "INTEGER".into(),
            SqlType::BigInteger => "BIGINT".into(),
            SqlType::SmallInteger => "SMALLINT".into(),
            SqlType::Varchar(Some(n)) => format!("VARCHAR({n})"),
            SqlType::Varchar(None) | SqlType::Text => "TEXT".into(),
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Float => "REAL".into(),
            SqlType::Double => "DOUBLE".into(),
            SqlType::Numeric(p, s) => format!("NUMERIC({p}, {s})"),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME".into(),
            SqlType::DateTime => "DATETIME".into(),
            SqlType::Timestamp => "TIMESTAMP".into(),
            SqlType::Uuid => "UUID".into(),
            SqlType::Json => "JSON".into(),
            SqlType::LargeBinary => "BLOB".into(),
            SqlType::TinyInteger => "TINYINT".into(),
            SqlType::UnsignedTinyInteger => "TINYINT UNSIGNED".into(),
            SqlType::UnsignedSmallInteger => "SMALLINT UNSIGNED".into(),
            SqlType::UnsignedInteger => "INTEGER UNSIGNED".into(),
            SqlType::UnsignedBigInteger => "BIGINT UNSIGNED".into(),
            // SQLite keeps any declared type name: arrays and JSONB are JSON text.
            SqlType::Jsonb | SqlType::Array(_) => "JSON".into(),
            other => standard_type_name(other),
        }
    }

    /// CAST targets with the right *affinity*: SQLite casts to a type name
    /// without a known affinity as NUMERIC, which would turn `'2024-01-02'`
    /// into `2024`, so dates, times, UUIDs and JSON cast to TEXT.
    fn cast_type_name(&self, ty: &SqlType) -> String {
        match ty {
            ty if ty.is_integer() => "INTEGER".into(),
            SqlType::Boolean => "INTEGER".into(),
            SqlType::Float | SqlType::Double => "REAL".into(),
            SqlType::Numeric(p, s) => format!("NUMERIC({p}, {s})"),
            SqlType::LargeBinary => "BLOB".into(),
            _ => "TEXT".into(),
        }
    }

    fn autoincrement_column(&self, _ty: &SqlType) -> String {
        "INTEGER".into()
    }

    fn inline_autoincrement_primary_key(&self) -> bool {
        true
    }

    fn supports_returning(&self) -> bool {
        true
    }

    fn supports_full_outer_join(&self) -> bool {
        true
    }

    fn supports_nulls_ordering(&self) -> bool {
        true
    }

    fn supports_ilike(&self) -> bool {
        false
    }

    fn supports_intersect_except(&self) -> bool {
        true
    }

    /// SQLite has INTERSECT and EXCEPT but not their ALL forms.
    fn supports_intersect_except_all(&self) -> bool {
        false
    }

    /// `INSERT .. SELECT .. FROM t ON CONFLICT` parses `ON` as a join constraint.
    fn upsert_select_needs_where(&self) -> bool {
        true
    }

    fn parenthesize_compound_members(&self) -> bool {
        false
    }

    fn limit_for_offset_only(&self) -> Option<&'static str> {
        Some("-1")
    }

    /// Integer `/` truncates: `a / (b + 0.0)`, as SQLAlchemy writes it.
    fn true_division(&self) -> TrueDivision {
        TrueDivision::FloatDivisor
    }

    /// The bundled SQLite is built without its math functions (no FLOOR).
    fn supports_floor(&self) -> bool {
        false
    }

    /// `CAST(x AS NUMERIC(10, 2))` keeps every digit of a REAL.
    fn numeric_cast_rounds(&self) -> bool {
        false
    }

    fn distinct_from(&self) -> DistinctFrom {
        DistinctFrom::Is
    }

    fn long_in_list(&self) -> LongInList {
        LongInList::JsonEach
    }

    /// No row locks: `FOR UPDATE` is left out (SQLite locks the database on write).
    fn supports_for_update(&self) -> bool {
        false
    }

    /// No multi-table DELETE: a correlated EXISTS.
    fn delete_using(&self) -> DeleteUsing {
        DeleteUsing::Exists
    }

    /// Rows inserted from `(VALUES ..) ORDER BY column<n>` get ascending keys.
    fn sentinel_insert(&self) -> SentinelInsert {
        SentinelInsert::NumberedColumns
    }

    /// `length(CAST(x AS BLOB))` counts bytes, `length(x)` characters;
    /// `lower`/`upper` map ASCII letters only (SQLite without ICU), as
    /// `to_ascii_lowercase` does; the BINARY collation already compares bytes.
    fn string_op(&self, op: StringOp) -> (Cow<'static, str>, Cow<'static, str>) {
        match op {
            StringOp::ByteLength => ("length(CAST(".into(), " AS BLOB))".into()),
            StringOp::CharLength => ("length(".into(), ")".into()),
            StringOp::AsciiLower => ("lower(".into(), ")".into()),
            StringOp::AsciiUpper => ("upper(".into(), ")".into()),
            other => standard_string_op(other),
        }
    }

    /// `least`/`greatest` are SQLite's multi-argument `min`/`max`.
    fn function_name(&self, portable: &str) -> Option<&'static str> {
        match portable {
            "least" => Some("min"),
            "greatest" => Some("max"),
            _ => None,
        }
    }

    /// `CAST(STRFTIME('%Y', x) AS INTEGER)`, as SQLAlchemy writes it.
    fn extract(&self, part: DatePart) -> (&'static str, &'static str) {
        const AFTER: &str = ") AS INTEGER)";
        match part {
            DatePart::Year => ("CAST(STRFTIME('%Y', ", AFTER),
            DatePart::Quarter => ("((CAST(STRFTIME('%m', ", ") AS INTEGER) + 2) / 3)"),
            DatePart::Month => ("CAST(STRFTIME('%m', ", AFTER),
            DatePart::Day => ("CAST(STRFTIME('%d', ", AFTER),
            DatePart::Hour => ("CAST(STRFTIME('%H', ", AFTER),
            DatePart::Minute => ("CAST(STRFTIME('%M', ", AFTER),
            DatePart::Second => ("CAST(STRFTIME('%S', ", AFTER),
            DatePart::DayOfWeek => ("CAST(STRFTIME('%w', ", AFTER),
            DatePart::DayOfYear => ("CAST(STRFTIME('%j', ", AFTER),
            DatePart::Epoch => ("CAST(STRFTIME('%s', ", AFTER),
            other => oxalchemy_core::dialect::standard_extract(other),
        }
    }

    fn has_table_query(&self, schema: Option<&str>, table: &str) -> (String, Vec<Value>) {
        let sql = match schema {
            Some(schema) => {
                let mut sql = String::from("SELECT name FROM ");
                quote_always(schema, &mut sql);
                sql.push_str(".sqlite_master WHERE type IN ('table', 'view') AND name = ?");
                sql
            }
            None => "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ? \
                     UNION ALL \
                     SELECT name FROM sqlite_temp_master WHERE type IN ('table', 'view') AND name = ?"
                .to_owned(),
        };
        let params = if schema.is_some() {
            vec![Value::from(table)]
        } else {
            vec![Value::from(table), Value::from(table)]
        };
        (sql, params)
    }

    fn boolean_literal(&self, value: bool) -> &'static str {
        if value { "1" } else { "0" }
    }
}

/// A dialect with nothing overridden: reaches core's default rules (its common
/// reserved-word list) from inside [`SqliteDialect`]'s overrides.
#[derive(Debug)]
struct CoreDefaults;

impl Dialect for CoreDefaults {
    fn name(&self) -> &'static str {
        "core-defaults"
    }
    fn has_table_query(&self, _: Option<&str>, _: &str) -> (String, Vec<Value>) {
        (String::new(), Vec::new())
    }
}

/// Quote an identifier unconditionally (`"` doubled inside).
fn quote_always(ident: &str, out: &mut String) {
    out.push('"');
    for ch in ident.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        assert!(SQLITE_RESERVED.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn issue_11_rules() {
        let d = SqliteDialect;
        assert_eq!(d.true_division(), TrueDivision::FloatDivisor);
        assert!(
            !d.supports_floor(),
            "the bundled SQLite has no math functions"
        );
        assert!(!d.numeric_cast_rounds());
        assert_eq!(d.distinct_from(), DistinctFrom::Is);
        assert_eq!(d.delete_using(), DeleteUsing::Exists);
        assert_eq!(d.sentinel_insert(), SentinelInsert::NumberedColumns);
        assert_eq!(
            d.extract(DatePart::Month),
            ("CAST(STRFTIME('%m', ", ") AS INTEGER)")
        );
        assert!(!d.numbered_placeholders());
    }

    #[test]
    fn reserved_words_of_sqlite_and_core_are_quoted() {
        let d = SqliteDialect;
        for w in [
            "abort", "window", "vacuum", "order", "select", "loop", "all",
        ] {
            assert!(d.is_reserved_word(w), "{w}");
        }
        for w in ["name", "hair_color", "users"] {
            assert!(!d.is_reserved_word(w), "{w}");
        }
    }
}
