//! `Reflector`: the catalog queries one backend implements.

use super::reflected::ReflectedTable;
use crate::driver::BoxFuture;
use crate::error::Result;
use crate::schema_bind::SchemaConnection;
use std::fmt::Debug;

/// A table named for reflection: its schema (`None`: the default schema) and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableRef<'a> {
    /// The schema, or `None` for the connection's default schema.
    pub schema: Option<&'a str>,
    /// The table name.
    pub name: &'a str,
}

impl<'a> TableRef<'a> {
    /// `"schema.table"` or `"table"`, split at the first dot.
    pub fn parse(qualified: &'a str) -> Self {
        match qualified.split_once('.') {
            Some((schema, name)) if !schema.is_empty() && !name.is_empty() => TableRef {
                schema: Some(schema),
                name,
            },
            _ => TableRef {
                schema: None,
                name: qualified,
            },
        }
    }

    /// `schema.name` or `name`, for messages.
    pub fn display(&self) -> String {
        match self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.to_owned(),
        }
    }
}

/// The catalog queries of one backend. Object-safe: a dialect hands out a
/// `&'static dyn Reflector` from [`Dialect::reflector`](crate::Dialect::reflector).
///
/// Each method runs its queries on the given connection. `schema` `None`
/// means the connection's default schema (PostgreSQL's `current_schema()`,
/// MySQL's current database, SQLite's `main`).
pub trait Reflector: Send + Sync + Debug {
    /// The connection's default schema name.
    fn default_schema_name<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
    ) -> BoxFuture<'a, Result<String>>;

    /// The schema names (PostgreSQL schemas without the system ones, MySQL
    /// databases, SQLite's attached databases).
    fn schema_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
    ) -> BoxFuture<'a, Result<Vec<String>>>;

    /// The table names of `schema` (views excluded), sorted by name.
    fn table_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>>>;

    /// The view names of `schema`, sorted by name.
    fn view_names<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        schema: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>>>;

    /// Everything about one table; an `ArgumentError` naming it when the
    /// database has no such table. Foreign keys carry the target's schema
    /// name whenever it differs from `table.schema` (the default schema
    /// counts as the actual name, e.g. `public`), else `None`.
    fn reflect_table<'a>(
        &'a self,
        conn: &'a mut dyn SchemaConnection,
        table: TableRef<'a>,
    ) -> BoxFuture<'a, Result<ReflectedTable>>;
}
