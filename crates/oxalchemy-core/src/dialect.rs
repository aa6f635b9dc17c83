//! The `Dialect` trait: how one backend spells SQL.
//!
//! The compiler (`crate::compiler`) walks a statement once and asks the dialect
//! only where backends differ. Every method has a default matching standard SQL
//! (and PostgreSQL where the standard is silent); a backend overrides the few
//! it needs, as sea-query's backends do.

use crate::error::{Error, Result};
use crate::expr::{DatePart, StringOp};
use crate::sql_type::SqlType;
use std::borrow::Cow;
use std::fmt::Debug;

/// How a backend spells an upsert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertStyle {
    /// `INSERT .. ON CONFLICT (..) DO NOTHING / DO UPDATE SET ..` (PostgreSQL, SQLite).
    OnConflict,
    /// `INSERT .. ON DUPLICATE KEY UPDATE ..` (MySQL, MariaDB).
    OnDuplicateKey,
}

/// Whether the rows of a multi-row `INSERT .. RETURNING` can be matched to
/// the VALUES rows they came from (SQLAlchemy's "insertmanyvalues" sentinels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReturningOrder {
    /// No promise (SQLite says the order is arbitrary; MySQL has no RETURNING):
    /// insert one row per statement to match generated keys to rows.
    Unordered,
    /// RETURNING rows come back in the order of the VALUES rows (MariaDB).
    InsertionOrder,
    /// Rows are fed to the table in VALUES order through
    /// `INSERT INTO t (..) SELECT .. FROM (VALUES (.., 0), (.., 1)) AS imp_sen(.., sen_counter)
    /// ORDER BY sen_counter RETURNING ..`, so generated keys ascend in row
    /// order: sort the RETURNING rows by the generated key (PostgreSQL).
    SentinelSelect,
}

/// How `a / b` gives the true quotient (SQLAlchemy 2's `/`: `7 / 2` is 3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrueDivision {
    /// `/` divides integers exactly (MySQL): written as is.
    Native,
    /// `/` truncates integers: the divisor is cast, to its own type when it is
    /// a NUMERIC or floating type, else to NUMERIC (`a / CAST(b AS NUMERIC)`, PostgreSQL).
    CastDivisor,
    /// `/` truncates integers: the divisor is made a float (`a / (b + 0.0)`, SQLite).
    FloatDivisor,
}

/// How `IS [NOT] DISTINCT FROM` (a comparison where NULL equals NULL) is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DistinctFrom {
    /// `a IS DISTINCT FROM b` / `a IS NOT DISTINCT FROM b` (PostgreSQL).
    Standard,
    /// `a IS NOT b` / `a IS b` (SQLite).
    Is,
    /// `NOT (a <=> b)` / `a <=> b` (MySQL, MariaDB).
    NullSafeEqual,
}

/// How an UPDATE names the other tables its WHERE or SET clause refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpdateFrom {
    /// `UPDATE t SET c = u.x FROM u WHERE ..` (PostgreSQL, SQLite 3.33 and later).
    FromClause,
    /// `UPDATE t, u SET t.c = u.x WHERE ..` (MySQL, MariaDB).
    TableList,
}

/// How a DELETE names the other tables its WHERE clause refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeleteUsing {
    /// `DELETE FROM t USING u WHERE ..` (PostgreSQL).
    Using,
    /// `DELETE FROM t USING t, u WHERE ..` (MySQL, MariaDB).
    UsingTarget,
    /// No multi-table DELETE: `DELETE FROM t WHERE EXISTS (SELECT 1 FROM u WHERE ..)` (SQLite).
    Exists,
}

/// How an `in_()` list of more than 1 000 plain integers (or plain strings)
/// is sent as one parameter instead of one parameter per value, so no list
/// meets the protocol's parameter limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LongInList {
    /// No way: one parameter per value.
    None,
    /// `IN (SELECT unnest(CAST(CAST(? AS TEXT) AS BIGINT[])))` over an array
    /// literal `{1,2,..}` (PostgreSQL).
    UnnestArray,
    /// `IN (SELECT value FROM json_each(?))` over JSON text (SQLite).
    JsonEach,
    /// `IN (SELECT v FROM JSON_TABLE(?, '$[*]' COLUMNS (v .. PATH '$')) AS t)`
    /// over JSON text (MySQL 8, MariaDB 10.6+).
    JsonTable,
}

/// How a multi-row `INSERT .. RETURNING` with
/// [`Insert::sort_by_parameter_order`](crate::Insert::sort_by_parameter_order)
/// feeds its rows to the table in VALUES order, when the backend's RETURNING
/// gives no order of its own: generated keys then ascend in row order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SentinelInsert {
    /// No way: insert one row per statement (`Unsupported`).
    None,
    /// `INSERT INTO t (..) SELECT p0, .. FROM (VALUES (CAST(? AS type), .., 0), ..)
    /// AS imp_sen (p0, .., sen_counter) ORDER BY sen_counter` (PostgreSQL).
    NamedColumns,
    /// `INSERT INTO t (..) SELECT column1, .. FROM (VALUES (?, .., 0), ..) ORDER BY
    /// columnN` (SQLite, whose VALUES columns are named `column1`, `column2` ..).
    NumberedColumns,
}

/// How comments on tables and columns are written in DDL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommentStyle {
    /// No comments in the schema (SQLite): `create_all` leaves them out, as SQLAlchemy does.
    Unsupported,
    /// `col INT COMMENT 'x'` and `CREATE TABLE t (..) COMMENT 'x'` (MySQL, MariaDB).
    Inline,
    /// `COMMENT ON TABLE t IS 'x'` / `COMMENT ON COLUMN t.c IS 'x'` after the
    /// CREATE TABLE (PostgreSQL).
    Statements,
}

/// Words that must be quoted when used as identifiers on every backend.
const COMMON_RESERVED: &[&str] = &[
    "all",
    "alter",
    "and",
    "any",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "column",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "default",
    "delete",
    "desc",
    "distinct",
    "drop",
    "else",
    "end",
    "except",
    "exists",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "in",
    "index",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "primary",
    "references",
    "right",
    "select",
    "set",
    "table",
    "then",
    "to",
    "true",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
    "range",
    "rows",
    "over",
    "partition",
    "returning",
    "order",
    "level",
    "rank",
    "row",
    "current",
    "date",
    "time",
    "timestamp",
    "interval",
    "trigger",
    "view",
    "analyse",
    "analyze",
    "collate",
    "leading",
    "trailing",
    "both",
    "only",
    "some",
    "do",
    "option",
    "read",
    "database",
    "schema",
    "sql",
    "if",
    "replace",
    "ignore",
    "add",
    "int",
    "integer",
    "varchar",
    "char",
    "text",
    "numeric",
    "decimal",
    "real",
    "float",
    "double",
    "boolean",
    "bigint",
    "smallint",
    "procedure",
    "function",
    "return",
    "while",
    "loop",
];

/// True when `lower` (a lower-cased word) is reserved on at least one common
/// backend: dialects extend this list with their own words.
pub fn is_common_reserved_word(lower: &str) -> bool {
    // Every identifier the compiler writes asks this: a binary search over
    // the list sorted once, not a scan of ~130 words.
    static SORTED: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| sorted_words(COMMON_RESERVED));
    SORTED.binary_search(&lower).is_ok()
}

/// `words` sorted and without duplicates, for `binary_search` (dialects keep
/// their reserved-word lists in reading order and sort them once with this).
pub fn sorted_words(words: &[&'static str]) -> Vec<&'static str> {
    let mut v = words.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// The rules of one SQL dialect. Object-safe: the engine holds an `Arc<dyn Dialect>`.
pub trait Dialect: Send + Sync + Debug + 'static {
    /// The dialect's name: `"sqlite"`, `"postgresql"`, `"mysql"`.
    fn name(&self) -> &'static str;

    /// The identifier quote character.
    fn quote_char(&self) -> char {
        '"'
    }

    /// True when `lower` (a lower-cased word) is reserved on this backend.
    fn is_reserved_word(&self, lower: &str) -> bool {
        is_common_reserved_word(lower)
    }

    /// Write an identifier, quoted when it needs to be (reserved word, upper
    /// case, spaces or other characters outside `[a-z0-9_]`, leading digit).
    fn write_identifier(&self, ident: &str, out: &mut String) {
        let plain = !ident.is_empty()
            && ident
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !ident.as_bytes()[0].is_ascii_digit()
            && !self.is_reserved_word(ident);
        if plain {
            out.push_str(ident);
        } else {
            let q = self.quote_char();
            out.push(q);
            for ch in ident.chars() {
                if ch == q {
                    out.push(q);
                }
                out.push(ch);
            }
            out.push(q);
        }
    }

    /// Write the placeholder for the `index`-th (1-based) bound parameter.
    fn write_placeholder(&self, index: usize, out: &mut String) {
        let _ = index;
        out.push('?');
    }

    /// The most bound parameters one statement may have: 65 535 on
    /// PostgreSQL and MySQL (a 16-bit count in their protocols), 32 766 on
    /// SQLite (`SQLITE_MAX_VARIABLE_NUMBER`). A Core INSERT of more rows is
    /// run as several statements, and a long `in_()` list is sent as one
    /// parameter (see `docs/core.md`).
    fn max_params(&self) -> usize {
        65_535
    }

    /// Write a string literal (DDL only: server defaults and CHECK values, where
    /// binds are not allowed). Quotes are doubled; backslashes are escaped where
    /// the backend treats them as escapes.
    fn write_string_literal(&self, s: &str, out: &mut String) {
        out.push('\'');
        for ch in s.chars() {
            if ch == '\'' {
                out.push('\'');
            }
            out.push(ch);
        }
        out.push('\'');
    }

    /// The DDL/CAST spelling of a type. `keyed` is true when the column is part
    /// of a primary key, unique constraint or index (MySQL needs a bounded type there).
    fn type_name(&self, ty: &SqlType, keyed: bool) -> String {
        let _ = keyed;
        standard_type_name(ty)
    }

    /// The type spelled in `CAST(x AS <type>)`.
    fn cast_type_name(&self, ty: &SqlType) -> String {
        self.type_name(ty, false)
    }

    /// The column type and clauses for an autoincrementing integer primary key
    /// column, e.g. `INTEGER` + `GENERATED BY DEFAULT AS IDENTITY`. Returns the
    /// text that replaces the type (and may carry a suffix).
    fn autoincrement_column(&self, ty: &SqlType) -> String {
        format!(
            "{} GENERATED BY DEFAULT AS IDENTITY",
            self.type_name(ty, true)
        )
    }

    /// True when an autoincrement key must be declared inline as
    /// `col INTEGER PRIMARY KEY` (SQLite's rowid alias) rather than as a table constraint.
    fn inline_autoincrement_primary_key(&self) -> bool {
        false
    }

    /// True when `INSERT/UPDATE/DELETE .. RETURNING` exists.
    fn supports_returning(&self) -> bool {
        true
    }

    /// True when `FULL OUTER JOIN` exists.
    fn supports_full_outer_join(&self) -> bool {
        true
    }

    /// True when `ORDER BY x NULLS FIRST/LAST` exists (else emulated with `x IS NULL`).
    fn supports_nulls_ordering(&self) -> bool {
        true
    }

    /// True when `ILIKE` exists (else emulated with `lower(x) LIKE lower(y)`).
    fn supports_ilike(&self) -> bool {
        false
    }

    /// True when `UPDATE .. RETURNING` exists (MariaDB has INSERT/DELETE RETURNING only).
    fn supports_update_returning(&self) -> bool {
        self.supports_returning()
    }

    /// True when `DELETE .. RETURNING` exists.
    fn supports_delete_returning(&self) -> bool {
        self.supports_returning()
    }

    /// True when the ENUM type is native (MySQL); elsewhere an Enum column gets a CHECK constraint.
    fn native_enum(&self) -> bool {
        false
    }

    /// True when `DROP INDEX` must name the table (`DROP INDEX ix ON t`, MySQL).
    fn drop_index_names_table(&self) -> bool {
        false
    }

    /// The dialect's own name for a portable function (`length` -> `char_length`
    /// on MySQL), or `None` to write the name as given.
    fn function_name(&self, portable: &str) -> Option<&'static str> {
        let _ = portable;
        None
    }

    /// True when `INTERSECT ALL` / `EXCEPT ALL` exist.
    fn supports_intersect_except_all(&self) -> bool {
        self.supports_intersect_except()
    }

    /// True when `INTERSECT` and `EXCEPT` exist.
    fn supports_intersect_except(&self) -> bool {
        true
    }

    /// True when the members of a UNION may be parenthesized (`(SELECT ..) UNION (SELECT ..)`).
    fn parenthesize_compound_members(&self) -> bool {
        true
    }

    /// How upserts are spelled.
    fn upsert_style(&self) -> UpsertStyle {
        UpsertStyle::OnConflict
    }

    /// True when string concatenation is the `||` operator (else `CONCAT(a, b)`).
    fn concat_is_operator(&self) -> bool {
        true
    }

    /// The LIMIT to write when only OFFSET is given, if the backend needs one.
    fn limit_for_offset_only(&self) -> Option<&'static str> {
        None
    }

    /// How to insert a row of all defaults.
    fn default_values_insert(&self) -> &'static str {
        "DEFAULT VALUES"
    }

    /// True when an UPDATE or DELETE may start with a WITH clause
    /// (`WITH c AS (..) UPDATE ..`). Otherwise each subquery that uses a CTE
    /// declares it itself (`.. IN (WITH c AS (..) SELECT ..)`), as MariaDB needs.
    fn supports_update_delete_with(&self) -> bool {
        true
    }

    /// True when the SELECT of an `INSERT .. SELECT .. ON CONFLICT` must not end
    /// with its FROM clause (SQLite would read `ON` as a join constraint), so
    /// the compiler adds `WHERE true` there.
    fn upsert_select_needs_where(&self) -> bool {
        false
    }

    /// How a multi-row `INSERT .. RETURNING` built with
    /// [`Insert::sort_by_parameter_order`](crate::Insert::sort_by_parameter_order)
    /// keeps its rows matchable to the VALUES rows.
    fn returning_order(&self) -> ReturningOrder {
        ReturningOrder::Unordered
    }

    /// How [`Insert::sort_by_parameter_order`](crate::Insert::sort_by_parameter_order)
    /// is written when [`returning_order`](Self::returning_order) is not
    /// `InsertionOrder`. Default: the named sentinel form for `SentinelSelect`, none otherwise.
    fn sentinel_insert(&self) -> SentinelInsert {
        match self.returning_order() {
            ReturningOrder::SentinelSelect => SentinelInsert::NamedColumns,
            _ => SentinelInsert::None,
        }
    }

    /// How `a / b` gives the true quotient.
    fn true_division(&self) -> TrueDivision {
        TrueDivision::CastDivisor
    }

    /// True when `FLOOR(x)` exists (else floor division is emulated with CAST).
    fn supports_floor(&self) -> bool {
        true
    }

    /// True when `CAST(x AS NUMERIC(p, s))` rounds to `s` digits (else the
    /// compiler adds `ROUND(.., s)`: SQLite keeps every digit).
    fn numeric_cast_rounds(&self) -> bool {
        true
    }

    /// True when a placeholder names its parameter's position (`$1`), so one
    /// parameter can be written twice: a GROUP BY, HAVING or ORDER BY
    /// expression identical to one of the select list then reuses its
    /// placeholders, which PostgreSQL needs to see them as the same expression.
    fn numbered_placeholders(&self) -> bool {
        false
    }

    /// True when `LAG(x, n, default)` / `LEAD(..)` take the default (else it is
    /// emulated with a row count over the same window: MariaDB).
    fn supports_lag_lead_default(&self) -> bool {
        true
    }

    /// True when `SELECT DISTINCT ON (..)` exists.
    fn supports_distinct_on(&self) -> bool {
        false
    }

    /// How `IS [NOT] DISTINCT FROM` is spelled.
    fn distinct_from(&self) -> DistinctFrom {
        DistinctFrom::Standard
    }

    /// How an UPDATE refers to other tables.
    fn update_from(&self) -> UpdateFrom {
        UpdateFrom::FromClause
    }

    /// How a DELETE refers to other tables.
    fn delete_using(&self) -> DeleteUsing {
        DeleteUsing::Using
    }

    /// The SQL written before and after the operand of `extract(part, x)`:
    /// [`standard_extract`] (`EXTRACT(year FROM ` and `)`) by default.
    fn extract(&self, part: DatePart) -> (&'static str, &'static str) {
        standard_extract(part)
    }

    /// The SQL written before and after the operand of a [`StringOp`]. The
    /// defaults are standard SQL (`octet_length(x)`, `char_length(x)`, ASCII
    /// case mapping with `translate(x, 'ABC..', 'abc..')`, comparisons as
    /// written); a backend overrides what it spells otherwise.
    fn string_op(&self, op: StringOp) -> (Cow<'static, str>, Cow<'static, str>) {
        standard_string_op(op)
    }

    /// The operator of integer division truncating toward zero
    /// ([`BinOp::TruncDiv`](crate::expr::BinOp::TruncDiv)), spaces included:
    /// `" / "` by default (integer `/` truncates on PostgreSQL and SQLite).
    fn truncating_division_operator(&self) -> &'static str {
        " / "
    }

    /// SQL that lists whether a table exists: returns rows when it does.
    /// Parameters are bound in the dialect's placeholder style.
    fn has_table_query(&self, schema: Option<&str>, table: &str) -> (String, Vec<crate::Value>);

    /// SQL listing whether the named enum type `name` exists (rows when it
    /// does), for backends with `CREATE TYPE .. AS ENUM` (PostgreSQL); `None`
    /// (the default) where enums are not named types. When `Some`, a
    /// reflected table's `Enum` column is created with its named type, made
    /// first by `create_all` and dropped after the tables by `drop_all`.
    fn has_enum_type_query(
        &self,
        schema: Option<&str>,
        name: &str,
    ) -> Option<(String, Vec<crate::Value>)> {
        let _ = (schema, name);
        None
    }

    /// How table and column comments are written in DDL (default: not at all).
    fn comment_style(&self) -> CommentStyle {
        CommentStyle::Unsupported
    }

    /// The catalog queries reflection runs on this backend (`MetaData::reflect`,
    /// `Table::autoload`, `inspect`); `None` (the default) makes them `Unsupported`.
    fn reflector(&self) -> Option<&'static dyn crate::reflection::Reflector> {
        None
    }

    /// How a long `in_()` list travels as one parameter (default: it does not).
    fn long_in_list(&self) -> LongInList {
        LongInList::None
    }

    /// `SELECT .. FOR UPDATE` locks rows here (default true); where it is
    /// false the clause is left out, as SQLAlchemy's SQLite dialect does
    /// (SQLite locks the whole database on write instead).
    fn supports_for_update(&self) -> bool {
        true
    }

    /// Statement that starts a transaction.
    fn begin_sql(&self) -> &'static str {
        "BEGIN"
    }

    /// The literal for a boolean in DDL (server defaults).
    fn boolean_literal(&self, value: bool) -> &'static str {
        if value { "TRUE" } else { "FALSE" }
    }

    /// An `Unsupported` error naming this dialect.
    fn unsupported(&self, feature: &str, hint: Option<&str>) -> Error {
        Error::unsupported(feature, self.name(), hint)
    }

    /// Check that a construct is available, else `Unsupported`.
    fn require(&self, available: bool, feature: &str, hint: Option<&str>) -> Result<()> {
        if available {
            Ok(())
        } else {
            Err(self.unsupported(feature, hint))
        }
    }
}

/// Anything that names a dialect: a dialect value, `dyn Dialect`, or an
/// `Arc` of one or a `Box<dyn Dialect>`, so `stmt.compile(&engine.dialect())` works without a
/// forwarding `impl Dialect for Arc<..>` (which had to repeat every method
/// and silently used a default for any it missed).
///
/// ```
/// use oxalchemy_core::dialect::{AsDialect, GenericDialect};
/// use oxalchemy_core::{Dialect, select, literal};
/// use std::sync::Arc;
/// let shared: Arc<dyn Dialect> = Arc::new(GenericDialect);
/// assert_eq!(shared.as_dialect().name(), "generic");
/// assert_eq!(select(literal(1)).compile(&shared).sql(), "SELECT ? AS anon_1");
/// ```
pub trait AsDialect {
    /// The dialect itself.
    fn as_dialect(&self) -> &dyn Dialect;
}

impl<D: Dialect> AsDialect for D {
    fn as_dialect(&self) -> &dyn Dialect {
        self
    }
}

impl AsDialect for dyn Dialect {
    fn as_dialect(&self) -> &dyn Dialect {
        self
    }
}

impl<D: AsDialect + ?Sized> AsDialect for std::sync::Arc<D> {
    fn as_dialect(&self) -> &dyn Dialect {
        (**self).as_dialect()
    }
}

impl AsDialect for Box<dyn Dialect> {
    fn as_dialect(&self) -> &dyn Dialect {
        &**self
    }
}

/// The standard spelling of each [`StringOp`] (see [`Dialect::string_op`]).
pub fn standard_string_op(op: StringOp) -> (Cow<'static, str>, Cow<'static, str>) {
    const UPPER: &str = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
    const LOWER: &str = "'abcdefghijklmnopqrstuvwxyz'";
    match op {
        StringOp::ByteLength => ("octet_length(".into(), ")".into()),
        StringOp::CharLength => ("char_length(".into(), ")".into()),
        StringOp::AsciiLower => ("translate(".into(), format!(", {UPPER}, {LOWER})").into()),
        StringOp::AsciiUpper => ("translate(".into(), format!(", {LOWER}, {UPPER})").into()),
        StringOp::Bytewise => ("".into(), "".into()),
    }
}

/// ASCII case mapping with nested `REPLACE` calls, for backends without
/// `translate`: `REPLACE(REPLACE(x, 'A', 'a'), 'B', 'b') ..` (`REPLACE`
/// must match case-sensitively).
pub fn replace_ascii_case(lower: bool) -> (Cow<'static, str>, Cow<'static, str>) {
    let mut before = String::new();
    let mut after = String::new();
    for upper in b'A'..=b'Z' {
        let (from, to) = if lower {
            (upper, upper.to_ascii_lowercase())
        } else {
            (upper.to_ascii_lowercase(), upper)
        };
        before.push_str("REPLACE(");
        after.push_str(&format!(", '{}', '{}')", from as char, to as char));
    }
    (before.into(), after.into())
}

/// `EXTRACT(<part> FROM ` and `)`: standard SQL, PostgreSQL's part names.
pub fn standard_extract(part: DatePart) -> (&'static str, &'static str) {
    let before = match part {
        DatePart::Year => "EXTRACT(year FROM ",
        DatePart::Quarter => "EXTRACT(quarter FROM ",
        DatePart::Month => "EXTRACT(month FROM ",
        DatePart::Day => "EXTRACT(day FROM ",
        DatePart::Hour => "EXTRACT(hour FROM ",
        DatePart::Minute => "EXTRACT(minute FROM ",
        DatePart::Second => "EXTRACT(second FROM ",
        DatePart::DayOfWeek => "EXTRACT(dow FROM ",
        DatePart::DayOfYear => "EXTRACT(doy FROM ",
        DatePart::Epoch => "EXTRACT(epoch FROM ",
    };
    (before, ")")
}

/// The standard SQL spelling of each type (PostgreSQL's where the standard has none).
pub fn standard_type_name(ty: &SqlType) -> String {
    match ty {
        SqlType::Integer => "INTEGER".into(),
        SqlType::BigInteger => "BIGINT".into(),
        SqlType::SmallInteger => "SMALLINT".into(),
        SqlType::Varchar(Some(n)) => format!("VARCHAR({n})"),
        SqlType::Varchar(None) | SqlType::Text => "TEXT".into(),
        SqlType::Boolean => "BOOLEAN".into(),
        SqlType::Float => "REAL".into(),
        SqlType::Double => "DOUBLE PRECISION".into(),
        SqlType::Numeric(p, s) => format!("NUMERIC({p}, {s})"),
        SqlType::Date => "DATE".into(),
        SqlType::Time => "TIME".into(),
        SqlType::DateTime => "TIMESTAMP".into(),
        SqlType::Timestamp => "TIMESTAMP WITH TIME ZONE".into(),
        SqlType::Uuid => "UUID".into(),
        SqlType::Json => "JSON".into(),
        SqlType::LargeBinary => "BYTEA".into(),
        SqlType::Enum { variants, .. } => {
            let longest = variants.iter().map(|v| v.len()).max().unwrap_or(1);
            format!("VARCHAR({longest})")
        }
        SqlType::Char(Some(n)) => format!("CHAR({n})"),
        SqlType::Char(None) => "CHAR".into(),
        SqlType::TinyInteger | SqlType::UnsignedTinyInteger => "SMALLINT".into(),
        SqlType::UnsignedSmallInteger => "INTEGER".into(),
        SqlType::UnsignedInteger => "BIGINT".into(),
        SqlType::UnsignedBigInteger => "NUMERIC(20, 0)".into(),
        SqlType::Jsonb => "JSONB".into(),
        SqlType::Array(inner) => format!("{}[]", standard_type_name(inner)),
        SqlType::Set(values) => {
            // Room for every value joined by commas, as a SET value is written.
            let total: usize = values.iter().map(|v| v.len()).sum::<usize>() + values.len();
            format!("VARCHAR({})", total.max(1))
        }
        SqlType::Other(text) => text.clone(),
    }
}

/// The standard-SQL dialect: every default of [`Dialect`], `?` placeholders.
/// Useful to look at compiled SQL without a backend.
///
/// ```
/// use oxalchemy_core::{MetaData, select, ExprLike, dialect::GenericDialect, sql_type::Integer};
/// let md = MetaData::new();
/// let t = md.table("t", |t| { t.column("x", Integer); });
/// let c = select(t.c("x")).filter(t.c("x").gt(1)).compile(&GenericDialect);
/// assert_eq!(c.sql(), "SELECT t.x FROM t WHERE t.x > ?");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct GenericDialect;

impl Dialect for GenericDialect {
    fn name(&self) -> &'static str {
        "generic"
    }

    fn has_table_query(&self, schema: Option<&str>, table: &str) -> (String, Vec<crate::Value>) {
        match schema {
            Some(s) => (
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?"
                    .into(),
                vec![s.into(), table.into()],
            ),
            None => (
                "SELECT 1 FROM information_schema.tables WHERE table_name = ?".into(),
                vec![table.into()],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_reserved_word_is_found() {
        for w in COMMON_RESERVED {
            assert!(is_common_reserved_word(w), "{w}");
        }
        for w in ["name", "users", "hair_color", "orders", ""] {
            assert!(!is_common_reserved_word(w), "{w}");
        }
    }
}
