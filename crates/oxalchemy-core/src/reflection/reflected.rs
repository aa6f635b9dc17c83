//! What reflection reads from a database, backend-neutral.

use crate::schema::{CheckConstraint, ForeignKey, Index, UniqueConstraint};
use crate::sql_type::SqlType;

/// One column as the database describes it (SQLAlchemy's `get_columns()` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReflectedColumn {
    /// The column name.
    pub name: String,
    /// The type, mapped to an oxalchemy type ([`SqlType::Other`] when unknown).
    pub sql_type: SqlType,
    /// True when NULL is allowed.
    pub nullable: bool,
    /// The server default as SQL text, as the database reports it (`0`,
    /// `'draft'::character varying`, `CURRENT_TIMESTAMP`); `None` for none,
    /// and for the sequence default of a PostgreSQL serial column.
    pub default: Option<String>,
    /// True for an autoincrementing column: SQLite's `INTEGER PRIMARY KEY`,
    /// PostgreSQL's serial and identity columns, MySQL's `AUTO_INCREMENT`.
    pub autoincrement: bool,
    /// The column comment, if any (SQLite has none).
    pub comment: Option<String>,
}

/// A primary key: its columns in key order, and its name where the database has one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrimaryKeyConstraint {
    /// The constraint name (`users_pkey` on PostgreSQL, `PRIMARY` on MySQL, `None` on SQLite).
    pub name: Option<String>,
    /// The key columns, in key order (empty when the table has no primary key).
    pub columns: Vec<String>,
}

/// Everything reflection reads about one table.
///
/// The lists are normalized so the same DDL reads the same on every backend:
/// indexes that only back a primary key or unique constraint (SQLite's
/// autoindexes, PostgreSQL's constraint indexes, MySQL's UNIQUE KEYs) and
/// the indexes MySQL adds by itself for a foreign key are not listed as
/// indexes; MariaDB's `json_valid` checks of JSON columns are not listed as checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReflectedTable {
    /// The schema asked for (`None`: the connection's default schema).
    pub schema: Option<String>,
    /// The table name.
    pub name: String,
    /// The columns, in table order.
    pub columns: Vec<ReflectedColumn>,
    /// The primary key.
    pub primary_key: PrimaryKeyConstraint,
    /// The foreign keys. A target in the table's own schema has `target_schema() == None`.
    pub foreign_keys: Vec<ForeignKey>,
    /// The indexes (expression indexes included, with their SQL in `expressions()`).
    pub indexes: Vec<Index>,
    /// The UNIQUE constraints.
    pub unique_constraints: Vec<UniqueConstraint>,
    /// The CHECK constraints, with the condition as the database reports it.
    pub check_constraints: Vec<CheckConstraint>,
    /// The table comment, if any.
    pub comment: Option<String>,
}

impl ReflectedTable {
    /// Sort the constraint and index lists by name (unnamed ones last, then by
    /// columns), so the same DDL lists the same way on every backend.
    pub fn sort_constraints(&mut self) {
        fn key(name: Option<&str>, cols: &[String]) -> (bool, String, Vec<String>) {
            (name.is_none(), name.unwrap_or("").to_owned(), cols.to_vec())
        }
        self.foreign_keys
            .sort_by_key(|f| key(f.name(), f.columns()));
        self.indexes
            .sort_by_key(|i| key(Some(i.name()), i.columns()));
        self.unique_constraints
            .sort_by_key(|u| key(u.name(), u.columns()));
        self.check_constraints
            .sort_by_key(|c| key(c.name(), &[c.sql().to_owned()]));
    }
}
