//! `ColumnDef`: one column of a table as declared (name, type, nullability, defaults).

use crate::sql_type::SqlType;
use crate::value::Value;
use std::fmt;
use std::sync::Arc;

/// A default the database applies (`DEFAULT ..` in DDL).
#[derive(Debug, Clone, PartialEq)]
pub enum ServerDefault {
    /// A literal value, rendered as a quoted string literal (`DEFAULT '0'`), as
    /// SQLAlchemy renders `server_default="0"`.
    Literal(String),
    /// Raw SQL rendered as written (`DEFAULT CURRENT_TIMESTAMP`): only for trusted text.
    Sql(String),
}

/// A default applied by oxalchemy when an INSERT does not give the column.
#[derive(Clone)]
pub enum ColumnDefault {
    /// A fixed value.
    Value(Value),
    /// A function called once per inserted row (e.g. the current time, a new UUID).
    Callable(Arc<dyn Fn() -> Value + Send + Sync>),
}

impl ColumnDefault {
    /// The value to insert.
    pub fn produce(&self) -> Value {
        match self {
            ColumnDefault::Value(v) => v.clone(),
            ColumnDefault::Callable(f) => f(),
        }
    }
}

impl fmt::Debug for ColumnDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnDefault::Value(v) => f.debug_tuple("Value").field(v).finish(),
            ColumnDefault::Callable(_) => f.write_str("Callable(..)"),
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone)]
pub struct ColumnDef {
    pub(crate) name: String,
    pub(crate) sql_type: SqlType,
    pub(crate) nullable: bool,
    pub(crate) explicit_nullable: bool,
    pub(crate) primary_key: bool,
    /// `None` = "auto": an integer single-column primary key without a foreign key autoincrements.
    pub(crate) autoincrement: Option<bool>,
    pub(crate) default: Option<ColumnDefault>,
    pub(crate) server_default: Option<ServerDefault>,
    pub(crate) unique: bool,
    pub(crate) index: bool,
    pub(crate) comment: Option<String>,
}

impl ColumnDef {
    /// A nullable column of `sql_type` (nullable by default, as in SQLAlchemy).
    pub fn new(name: impl Into<String>, sql_type: impl Into<SqlType>) -> Self {
        ColumnDef {
            name: name.into(),
            sql_type: sql_type.into(),
            nullable: true,
            explicit_nullable: false,
            primary_key: false,
            autoincrement: None,
            default: None,
            server_default: None,
            unique: false,
            index: false,
            comment: None,
        }
    }

    /// The column name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The SQL type.
    pub fn sql_type(&self) -> &SqlType {
        &self.sql_type
    }
    /// True when NULL is allowed (primary-key columns never allow it).
    pub fn is_nullable(&self) -> bool {
        self.nullable && !self.primary_key
    }
    /// True when the column is part of the primary key.
    pub fn is_primary_key(&self) -> bool {
        self.primary_key
    }
    /// The server-side default, if any.
    pub fn server_default(&self) -> Option<&ServerDefault> {
        self.server_default.as_ref()
    }
    /// The client-side default, if any.
    pub fn default(&self) -> Option<&ColumnDefault> {
        self.default.as_ref()
    }
    /// True when declared `.unique()`.
    pub fn is_unique(&self) -> bool {
        self.unique
    }
    /// True when declared `.index()`.
    pub fn is_indexed(&self) -> bool {
        self.index
    }
    /// The comment on the column, if any.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }
    /// The explicit autoincrement setting (`None` = automatic).
    pub fn autoincrement_setting(&self) -> Option<bool> {
        self.autoincrement
    }
}
