//! `MysqlDialect`: how MySQL and MariaDB spell SQL.
//!
//! One dialect serves both servers; the differences (RETURNING, INTERSECT/EXCEPT,
//! `CAST(.. AS JSON)`) are read from the [`ServerInfo`] it carries. The driver
//! updates that information in place (an atomic word) after its first
//! connection, so every `Arc` handed out earlier sees the real server.
//!
//! Type choices (DDL):
//!
//! | `SqlType`                    | MySQL / MariaDB                                      |
//! |------------------------------|------------------------------------------------------|
//! | `Boolean`                    | `BOOL` (an alias of `TINYINT(1)`)                    |
//! | `Float` / `Double`           | `FLOAT` / `DOUBLE`                                   |
//! | `Numeric(p, s)`              | `DECIMAL(p, s)`                                      |
//! | `Varchar(Some(n))`           | `VARCHAR(n)`                                         |
//! | `Text`, `Varchar(None)`      | `TEXT`; `VARCHAR(255)` when keyed (PK/unique/index)  |
//! | `Time`                       | `TIME(6)` (microseconds kept)                        |
//! | `DateTime`                   | `DATETIME(6)`                                        |
//! | `Timestamp`                  | `DATETIME(6)` holding UTC (see below)                |
//! | `Uuid`                       | `CHAR(36)` (hyphenated text)                         |
//! | `Json`                       | `JSON` (on MariaDB an alias of `LONGTEXT` + check)   |
//! | `LargeBinary`                | `LONGBLOB`                                           |
//! | `Enum`                       | native `ENUM('a', 'b')`                              |
//!
//! `Timestamp` is `DATETIME(6)` rather than MySQL's `TIMESTAMP`, whose range ends
//! in 2038 and which converts through the session time zone. Every connection
//! sets `time_zone = '+00:00'` and values are bound and read as UTC.
//!
//! MySQL cannot index a `TEXT` column without a prefix length, so a text column
//! without a length that is part of a key becomes `VARCHAR(255)` (255 characters
//! of utf8mb4 fit InnoDB's index limit) instead of failing as SQLAlchemy does.
//!
//! String literals (DDL only: server defaults, CHECK and ENUM values) escape `'`
//! as `''` and, because the server treats `\` as an escape character in
//! literals unless `NO_BACKSLASH_ESCAPES` is in `sql_mode`, `\` as `\\`. The
//! driver sets `sql_mode` on every connection and tells the dialect whether that
//! mode includes `NO_BACKSLASH_ESCAPES`.

use crate::server_info::{ServerFlavor, ServerInfo, ServerInfoCell};
use oxalchemy_core::expr::StringOp;
use oxalchemy_core::{
    DatePart, DeleteUsing, Dialect, DistinctFrom, LongInList, ReturningOrder, SqlType,
    TrueDivision, UpdateFrom, UpsertStyle, Value, replace_ascii_case,
};
use std::borrow::Cow;
use std::fmt;

/// The SQL dialect of MySQL and MariaDB.
///
/// Cheap to share: the driver hands out one `Arc<MysqlDialect>` whose server
/// information it updates after the first connection.
///
/// ```
/// use oxalchemy_core::{Dialect, SqlType};
/// use oxalchemy_mysql::MysqlDialect;
/// let d = MysqlDialect::default();
/// let mut out = String::new();
/// d.write_identifier("order", &mut out);
/// assert_eq!(out, "`order`");
/// assert_eq!(d.type_name(&SqlType::Text, false), "TEXT");
/// assert_eq!(d.type_name(&SqlType::Text, true), "VARCHAR(255)");
/// assert!(!d.supports_returning());
/// assert!(MysqlDialect::mariadb((10, 11, 6)).supports_returning());
/// ```
pub struct MysqlDialect {
    server: ServerInfoCell,
    backslash_escapes: bool,
}

impl MysqlDialect {
    /// The dialect for a given server.
    pub fn new(server: ServerInfo) -> Self {
        MysqlDialect {
            server: ServerInfoCell::new(server),
            backslash_escapes: true,
        }
    }

    /// MySQL 8.0 (8.0.31 or later: INTERSECT/EXCEPT, no RETURNING). The default.
    pub fn mysql8() -> Self {
        Self::new(ServerInfo::mysql((8, 0, 31)))
    }

    /// MySQL at a given version.
    pub fn mysql(version: (u16, u16, u16)) -> Self {
        Self::new(ServerInfo::mysql(version))
    }

    /// MariaDB at a given version (10.5 and later have INSERT/DELETE .. RETURNING).
    pub fn mariadb(version: (u16, u16, u16)) -> Self {
        Self::new(ServerInfo::mariadb(version))
    }

    /// Say whether the server treats `\` as an escape in string literals (true
    /// unless `sql_mode` contains `NO_BACKSLASH_ESCAPES`). Controls
    /// [`Dialect::write_string_literal`].
    pub fn with_backslash_escapes(mut self, on: bool) -> Self {
        self.backslash_escapes = on;
        self
    }

    /// True when string literals escape backslashes.
    pub fn backslash_escapes(&self) -> bool {
        self.backslash_escapes
    }

    /// The server this dialect currently describes.
    pub fn server_info(&self) -> ServerInfo {
        self.server.get()
    }

    /// Replace the server information in place (seen by every holder of this dialect).
    pub fn set_server_info(&self, info: ServerInfo) {
        self.server.set(info);
    }

    /// True once a driver has read the server information from a live connection.
    pub fn is_server_detected(&self) -> bool {
        self.server.is_detected()
    }

    /// Record the server information read from a live connection.
    pub(crate) fn mark_detected(&self, info: ServerInfo) {
        self.server.set_detected(info);
    }

    fn is_mariadb(&self) -> bool {
        self.server_info().flavor == ServerFlavor::MariaDb
    }
}

impl Default for MysqlDialect {
    /// MySQL 8 behaviour ([`MysqlDialect::mysql8`]).
    fn default() -> Self {
        Self::mysql8()
    }
}

impl Clone for MysqlDialect {
    /// A snapshot: the clone carries the current server information but is not
    /// updated by the driver any more.
    fn clone(&self) -> Self {
        let copy =
            MysqlDialect::new(self.server_info()).with_backslash_escapes(self.backslash_escapes);
        if self.is_server_detected() {
            copy.mark_detected(self.server_info());
        }
        copy
    }
}

impl fmt::Debug for MysqlDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MysqlDialect")
            .field("server", &self.server_info())
            .field("detected", &self.is_server_detected())
            .field("backslash_escapes", &self.backslash_escapes)
            .finish()
    }
}

impl Dialect for MysqlDialect {
    fn comment_style(&self) -> oxalchemy_core::CommentStyle {
        oxalchemy_core::CommentStyle::Inline
    }

    fn reflector(&self) -> Option<&'static dyn oxalchemy_core::reflection::Reflector> {
        Some(&crate::reflection::REFLECTOR)
    }

    fn name(&self) -> &'static str {
        "mysql"
    }

    fn quote_char(&self) -> char {
        '`'
    }

    fn is_reserved_word(&self, lower: &str) -> bool {
        crate::reserved_words::is_reserved(lower)
    }

    fn write_placeholder(&self, _index: usize, out: &mut String) {
        out.push('?');
    }

    fn write_string_literal(&self, s: &str, out: &mut String) {
        out.push('\'');
        for ch in s.chars() {
            match ch {
                '\'' => out.push_str("''"),
                '\\' if self.backslash_escapes => out.push_str("\\\\"),
                '\0' if self.backslash_escapes => out.push_str("\\0"),
                c => out.push(c),
            }
        }
        out.push('\'');
    }

    fn type_name(&self, ty: &SqlType, keyed: bool) -> String {
        match ty {
            SqlType::Integer => "INTEGER".into(),
            SqlType::BigInteger => "BIGINT".into(),
            SqlType::SmallInteger => "SMALLINT".into(),
            SqlType::Varchar(Some(n)) => format!("VARCHAR({n})"),
            SqlType::Varchar(None) | SqlType::Text => {
                if keyed {
                    "VARCHAR(255)".into()
                } else {
                    "TEXT".into()
                }
            }
            SqlType::Boolean => "BOOL".into(),
            SqlType::Float => "FLOAT".into(),
            SqlType::Double => "DOUBLE".into(),
            SqlType::Numeric(p, s) => format!("DECIMAL({p}, {s})"),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME(6)".into(),
            SqlType::DateTime | SqlType::Timestamp => "DATETIME(6)".into(),
            SqlType::Uuid => "CHAR(36)".into(),
            SqlType::Json => "JSON".into(),
            SqlType::LargeBinary => "LONGBLOB".into(),
            SqlType::TinyInteger => "TINYINT".into(),
            SqlType::UnsignedTinyInteger => "TINYINT UNSIGNED".into(),
            SqlType::UnsignedSmallInteger => "SMALLINT UNSIGNED".into(),
            SqlType::UnsignedInteger => "INTEGER UNSIGNED".into(),
            SqlType::UnsignedBigInteger => "BIGINT UNSIGNED".into(),
            SqlType::Jsonb | SqlType::Array(_) => "JSON".into(),
            SqlType::Set(values) => {
                let mut out = String::from("SET(");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_string_literal(v, &mut out);
                }
                out.push(')');
                out
            }
            SqlType::Enum { variants, .. } => {
                let mut out = String::from("ENUM(");
                for (i, v) in variants.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_string_literal(v, &mut out);
                }
                out.push(')');
                out
            }
            other => oxalchemy_core::standard_type_name(other),
        }
    }

    fn cast_type_name(&self, ty: &SqlType) -> String {
        // CAST accepts only a few type names on MySQL and MariaDB.
        match ty {
            SqlType::Integer
            | SqlType::BigInteger
            | SqlType::SmallInteger
            | SqlType::TinyInteger
            | SqlType::Boolean => "SIGNED".into(),
            SqlType::UnsignedTinyInteger
            | SqlType::UnsignedSmallInteger
            | SqlType::UnsignedInteger
            | SqlType::UnsignedBigInteger => "UNSIGNED".into(),
            SqlType::Varchar(Some(n)) | SqlType::Char(Some(n)) => format!("CHAR({n})"),
            SqlType::Varchar(None)
            | SqlType::Char(None)
            | SqlType::Text
            | SqlType::Enum { .. }
            | SqlType::Set(_) => "CHAR".into(),
            SqlType::Float => "FLOAT".into(),
            SqlType::Double => "DOUBLE".into(),
            SqlType::Numeric(p, s) => format!("DECIMAL({p}, {s})"),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME(6)".into(),
            SqlType::DateTime | SqlType::Timestamp => "DATETIME(6)".into(),
            SqlType::Uuid => "CHAR(36)".into(),
            SqlType::Json if self.is_mariadb() => "CHAR".into(),
            SqlType::Json => "JSON".into(),
            SqlType::LargeBinary => "BINARY".into(),
            other => self.type_name(other, false),
        }
    }

    fn autoincrement_column(&self, ty: &SqlType) -> String {
        format!("{} AUTO_INCREMENT", self.type_name(ty, true))
    }

    fn supports_returning(&self) -> bool {
        self.server_info().supports_returning()
    }

    fn returning_order(&self) -> ReturningOrder {
        // MariaDB's INSERT .. RETURNING hands rows back in insertion order.
        if self.supports_returning() {
            ReturningOrder::InsertionOrder
        } else {
            ReturningOrder::Unordered
        }
    }

    fn supports_update_returning(&self) -> bool {
        // MariaDB has INSERT/DELETE .. RETURNING but not UPDATE; MySQL has none.
        false
    }

    fn supports_delete_returning(&self) -> bool {
        self.supports_returning()
    }

    fn native_enum(&self) -> bool {
        true
    }

    fn drop_index_names_table(&self) -> bool {
        true
    }

    fn function_name(&self, portable: &str) -> Option<&'static str> {
        // LENGTH counts bytes on MySQL; the portable meaning is characters.
        (portable == "length").then_some("char_length")
    }

    fn supports_full_outer_join(&self) -> bool {
        false
    }

    fn supports_nulls_ordering(&self) -> bool {
        false
    }

    fn supports_ilike(&self) -> bool {
        false
    }

    fn supports_intersect_except(&self) -> bool {
        self.server_info().supports_intersect_except()
    }

    fn supports_intersect_except_all(&self) -> bool {
        self.server_info().supports_intersect_except_all()
    }

    fn supports_update_delete_with(&self) -> bool {
        // MySQL 8 has `WITH .. UPDATE/DELETE`; MariaDB only WITH inside the subqueries.
        !self.is_mariadb()
    }

    fn upsert_style(&self) -> UpsertStyle {
        UpsertStyle::OnDuplicateKey
    }

    /// `/` divides integers exactly (a DECIMAL).
    fn true_division(&self) -> TrueDivision {
        TrueDivision::Native
    }

    fn distinct_from(&self) -> DistinctFrom {
        DistinctFrom::NullSafeEqual
    }

    /// MariaDB's LAG / LEAD take no default argument.
    fn supports_lag_lead_default(&self) -> bool {
        !self.is_mariadb()
    }

    fn update_from(&self) -> UpdateFrom {
        UpdateFrom::TableList
    }

    fn long_in_list(&self) -> LongInList {
        LongInList::JsonTable
    }

    fn delete_using(&self) -> DeleteUsing {
        DeleteUsing::UsingTarget
    }

    /// EXTRACT has no day of week, day of year or epoch: the functions that give them.
    fn extract(&self, part: DatePart) -> (&'static str, &'static str) {
        match part {
            DatePart::DayOfWeek => ("(DAYOFWEEK(", ") - 1)"),
            DatePart::DayOfYear => ("DAYOFYEAR(", ")"),
            DatePart::Epoch => ("UNIX_TIMESTAMP(", ")"),
            other => oxalchemy_core::dialect::standard_extract(other),
        }
    }

    fn concat_is_operator(&self) -> bool {
        false
    }

    /// `LENGTH` counts bytes, `CHAR_LENGTH` characters; ASCII case mapping
    /// with nested case-sensitive `REPLACE` (no `translate`; `LOWER` maps
    /// every letter); `CAST(x AS BINARY)` compares bytes, without the
    /// collation's case folding and trailing-space padding.
    fn string_op(&self, op: StringOp) -> (Cow<'static, str>, Cow<'static, str>) {
        match op {
            StringOp::ByteLength => ("LENGTH(".into(), ")".into()),
            StringOp::CharLength => ("CHAR_LENGTH(".into(), ")".into()),
            StringOp::AsciiLower => replace_ascii_case(true),
            StringOp::AsciiUpper => replace_ascii_case(false),
            _ => ("CAST(".into(), " AS BINARY)".into()),
        }
    }

    /// `DIV`: `/` is decimal division on MySQL.
    fn truncating_division_operator(&self) -> &'static str {
        " DIV "
    }

    fn limit_for_offset_only(&self) -> Option<&'static str> {
        Some("18446744073709551615")
    }

    fn default_values_insert(&self) -> &'static str {
        "() VALUES ()"
    }

    fn has_table_query(&self, schema: Option<&str>, table: &str) -> (String, Vec<Value>) {
        match schema {
            Some(schema) => (
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?"
                    .into(),
                vec![Value::from(schema), Value::from(table)],
            ),
            None => (
                "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
                    .into(),
                vec![Value::from(table)],
            ),
        }
    }

    fn boolean_literal(&self, value: bool) -> &'static str {
        if value { "1" } else { "0" }
    }
}

#[cfg(test)]
#[path = "dialect_tests.rs"]
mod tests;
