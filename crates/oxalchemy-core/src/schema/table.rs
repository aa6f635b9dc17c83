//! `Table`: a cheap, cloneable handle to one table's definition.

use super::column_def::ColumnDef;
use super::constraint::{CheckConstraint, ForeignKey, Index, UniqueConstraint};
use crate::expr::{Alias, Column, Source};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A table: name, optional schema, columns and constraints.
///
/// Built through [`MetaData::table`](super::MetaData::table); cloning is an
/// `Arc` clone. `c("name")` gives a column expression for statements.
///
/// ```
/// use oxalchemy_core::{MetaData, sql_type::{Integer, Varchar}};
/// let metadata = MetaData::new();
/// let users = metadata.table("users", |t| {
///     t.column("id", Integer).primary_key();
///     t.column("name", Varchar(50)).not_null();
/// });
/// assert_eq!(users.name(), "users");
/// assert_eq!(users.primary_key(), ["id"]);
/// assert!(users.get_column("email").is_none());
/// ```
#[derive(Clone)]
pub struct Table(pub(crate) Arc<TableInner>);

pub(crate) struct TableInner {
    pub(crate) name: String,
    pub(crate) schema: Option<String>,
    pub(crate) columns: Vec<ColumnDef>,
    pub(crate) by_name: HashMap<String, usize>,
    pub(crate) primary_key: Vec<String>,
    pub(crate) foreign_keys: Vec<ForeignKey>,
    pub(crate) uniques: Vec<UniqueConstraint>,
    pub(crate) checks: Vec<CheckConstraint>,
    pub(crate) indexes: Vec<Index>,
    pub(crate) comment: Option<String>,
    /// The primary key constraint's name (reflected tables; `None`: the database names it).
    pub(crate) primary_key_name: Option<String>,
    /// True for a table built by `Table::from_reflected` (DDL keeps what was read exactly).
    pub(crate) reflected: bool,
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Table({})", self.fullname())
    }
}

impl Table {
    /// Build a table outside any `MetaData` (the ORM builds its models' tables
    /// this way and registers them with their base's metadata).
    ///
    /// ```
    /// use oxalchemy_core::{Table, sql_type::Integer};
    /// let t = Table::build("t", |t| { t.column("id", Integer).primary_key(); }).unwrap();
    /// assert_eq!(t.primary_key(), ["id"]);
    /// ```
    pub fn build(name: &str, build: impl FnOnce(&mut super::TableBuilder)) -> crate::Result<Table> {
        let mut b = super::TableBuilder::default();
        build(&mut b);
        super::metadata::finish_table(name, b)
    }

    /// The table name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The schema, if any.
    pub fn schema(&self) -> Option<&str> {
        self.0.schema.as_deref()
    }

    /// `schema.name` or `name`.
    pub fn fullname(&self) -> String {
        match &self.0.schema {
            Some(s) => format!("{s}.{}", self.0.name),
            None => self.0.name.clone(),
        }
    }

    /// A column expression. Panics, naming the table and its columns, when there is no such
    /// column (use [`get_column`](Self::get_column) for a fallible lookup).
    pub fn c(&self, name: &str) -> Column {
        self.get_column(name).unwrap_or_else(|| {
            panic!(
                "table {:?} has no column {:?}; its columns are: {}",
                self.fullname(),
                name,
                self.column_names().join(", ")
            )
        })
    }

    /// A column expression, or `None` when the table has no such column.
    pub fn get_column(&self, name: &str) -> Option<Column> {
        let idx = *self.0.by_name.get(name)?;
        Some(Column::new(
            Source::Table(self.clone()),
            self.0.columns[idx].name.clone(),
        ))
    }

    /// The column definitions, in declaration order.
    pub fn columns(&self) -> &[ColumnDef] {
        &self.0.columns
    }

    /// One column definition by name.
    pub fn column_def(&self, name: &str) -> Option<&ColumnDef> {
        self.0.by_name.get(name).map(|&i| &self.0.columns[i])
    }

    /// The column names, in declaration order.
    pub fn column_names(&self) -> Vec<&str> {
        self.0.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The primary-key column names, in key order.
    pub fn primary_key(&self) -> Vec<&str> {
        self.0.primary_key.iter().map(String::as_str).collect()
    }

    /// The foreign keys.
    pub fn foreign_keys(&self) -> &[ForeignKey] {
        &self.0.foreign_keys
    }

    /// The UNIQUE constraints (column-level `.unique()` ones included).
    pub fn unique_constraints(&self) -> &[UniqueConstraint] {
        &self.0.uniques
    }

    /// The CHECK constraints.
    pub fn check_constraints(&self) -> &[CheckConstraint] {
        &self.0.checks
    }

    /// The primary key constraint's name, when one was given (reflection
    /// keeps it so `create_all` recreates it).
    pub fn primary_key_name(&self) -> Option<&str> {
        self.0.primary_key_name.as_deref()
    }

    /// True when the table was read from a database (`MetaData::reflect`,
    /// `Table::autoload`, `Table::from_reflected`).
    pub fn is_reflected(&self) -> bool {
        self.0.reflected
    }

    /// The comment on the table, if any.
    pub fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    /// The indexes (column-level `.index()` ones included).
    pub fn indexes(&self) -> &[Index] {
        &self.0.indexes
    }

    /// The column that autoincrements, if any: SQLAlchemy's rule (a single-column
    /// integer primary key with no foreign key, unless `autoincrement(false)`), or
    /// a column marked `autoincrement(true)`.
    pub fn autoincrement_column(&self) -> Option<&ColumnDef> {
        let explicit = self
            .0
            .columns
            .iter()
            .find(|c| c.primary_key && c.autoincrement == Some(true));
        if explicit.is_some() {
            return explicit;
        }
        if self.0.primary_key.len() != 1 {
            return None;
        }
        let col = self.column_def(&self.0.primary_key[0])?;
        let has_fk = self
            .0
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.iter().any(|c| c == &col.name));
        (col.sql_type.is_integer() && col.autoincrement.is_none() && !has_fk).then_some(col)
    }

    /// An alias of this table (`users AS u`) for self-joins.
    pub fn alias(&self, name: &str) -> Alias {
        Alias::new(self.clone(), name)
    }

    /// True when both handles point at the same definition (a clone of a
    /// table is the same table; another table of the same name is not).
    pub fn is(&self, other: &Table) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// True when both are the same table, or tables of the same name and schema.
    pub fn same_as(&self, other: &Table) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.name == other.0.name && self.0.schema == other.0.schema)
    }
}
