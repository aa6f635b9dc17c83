//! `MetaData::reflect` and friends, and `Table::autoload`.

use super::reflector::{Reflector, TableRef};
use crate::error::{Error, Result};
use crate::schema::{MetaData, Table};
use crate::schema_bind::{SchemaBind, SchemaConnection};
use std::collections::VecDeque;

/// What [`MetaData::reflect_with`] reads.
///
/// ```
/// use oxalchemy_core::reflection::ReflectOptions;
/// let opts = ReflectOptions::new().schema("sales").only(["orders", "customers"]);
/// assert_eq!(opts.schema_name(), Some("sales"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReflectOptions {
    schema: Option<String>,
    only: Option<Vec<String>>,
    views: bool,
}

impl ReflectOptions {
    /// Every table of the default schema.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read `schema` instead of the default one (a PostgreSQL schema, a
    /// MySQL database, an attached SQLite database). Its tables get that
    /// schema: `metadata.get_table("schema.name")`.
    pub fn schema(mut self, schema: &str) -> Self {
        self.schema = Some(schema.to_owned());
        self
    }

    /// Only these tables (plus the tables their foreign keys reach, as
    /// SQLAlchemy does); a name the database lacks is an `ArgumentError`.
    pub fn only<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.only = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Also read views (as tables: columns only).
    pub fn views(mut self, on: bool) -> Self {
        self.views = on;
        self
    }

    /// The schema to read, if not the default one.
    pub fn schema_name(&self) -> Option<&str> {
        self.schema.as_deref()
    }
}

/// The dialect's reflector, or `Unsupported` naming the backend.
pub(crate) fn reflector_of(bind: &dyn SchemaBind) -> Result<&'static dyn Reflector> {
    let dialect = bind.schema_dialect();
    dialect.reflector().ok_or_else(|| {
        dialect.unsupported(
            "reflection",
            Some("this backend has no catalog queries; declare the tables with metadata.table(..)"),
        )
    })
}

impl MetaData {
    /// Read every table of the database's default schema into this
    /// collection (columns, types, nullability, server defaults, primary
    /// keys, foreign keys, indexes, unique and check constraints, comments).
    /// Tables already in the collection are kept as they are.
    ///
    /// ```no_run
    /// # async fn run(engine: &dyn oxalchemy_core::SchemaBind) -> oxalchemy_core::Result<()> {
    /// let metadata = oxalchemy_core::MetaData::new();
    /// metadata.reflect(engine).await?;
    /// let users = metadata.get_table("users").unwrap();
    /// # Ok(()) }
    /// ```
    pub async fn reflect(&self, bind: &dyn SchemaBind) -> Result<()> {
        self.reflect_with(bind, ReflectOptions::new()).await
    }

    /// Read only the named tables (and the tables their foreign keys reach).
    pub async fn reflect_only<I, S>(&self, bind: &dyn SchemaBind, names: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.reflect_with(bind, ReflectOptions::new().only(names))
            .await
    }

    /// Read every table of `schema` (a PostgreSQL schema, a MySQL database).
    pub async fn reflect_schema(&self, bind: &dyn SchemaBind, schema: &str) -> Result<()> {
        self.reflect_with(bind, ReflectOptions::new().schema(schema))
            .await
    }

    /// Read what `options` say.
    pub async fn reflect_with(&self, bind: &dyn SchemaBind, options: ReflectOptions) -> Result<()> {
        let reflector = reflector_of(bind)?;
        let mut conn = bind.schema_connection().await?;
        let schema = options.schema.as_deref();
        let mut available = reflector.table_names(&mut *conn, schema).await?;
        if options.views {
            available.extend(reflector.view_names(&mut *conn, schema).await?);
        }
        let names = match options.only {
            Some(only) => {
                let missing: Vec<&String> =
                    only.iter().filter(|n| !available.contains(n)).collect();
                if !missing.is_empty() {
                    return Err(Error::argument(format!(
                        "cannot reflect {}: no such table in {}; the tables there are: {}",
                        missing
                            .iter()
                            .map(|n| format!("{n:?}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        schema.map_or("the default schema".to_owned(), |s| format!("schema {s:?}")),
                        available.join(", ")
                    )));
                }
                only
            }
            None => available,
        };
        let queue = names
            .into_iter()
            .map(|n| (options.schema.clone(), n))
            .collect();
        reflect_queue(self, reflector, &mut *conn, queue).await?;
        conn.finish().await
    }
}

impl Table {
    /// The table `name` (`"schema.name"` for another schema) read from the
    /// database into `metadata`, with the tables its foreign keys reach (as
    /// SQLAlchemy's `Table(name, metadata, autoload_with=engine)`). A table
    /// already in `metadata` is returned as it is. A table the database lacks
    /// is an `ArgumentError` naming it.
    pub async fn autoload(name: &str, metadata: &MetaData, bind: &dyn SchemaBind) -> Result<Table> {
        if let Some(t) = metadata.get_table(name) {
            return Ok(t);
        }
        let reflector = reflector_of(bind)?;
        let r = TableRef::parse(name);
        let mut conn = bind.schema_connection().await?;
        let queue = VecDeque::from([(r.schema.map(str::to_owned), r.name.to_owned())]);
        reflect_queue(metadata, reflector, &mut *conn, queue).await?;
        conn.finish().await?;
        metadata.get_table(name).ok_or_else(|| {
            Error::invalid_request(format!(
                "table {name:?} was reflected but is not in the MetaData"
            ))
        })
    }
}

/// Reflect each queued table not yet in `metadata`, queueing the targets of
/// its foreign keys, so every foreign key resolves within the collection.
async fn reflect_queue(
    metadata: &MetaData,
    reflector: &dyn Reflector,
    conn: &mut dyn SchemaConnection,
    mut queue: VecDeque<(Option<String>, String)>,
) -> Result<()> {
    while let Some((schema, name)) = queue.pop_front() {
        let key = match &schema {
            Some(s) => format!("{s}.{name}"),
            None => name.clone(),
        };
        if metadata.get_table(&key).is_some() {
            continue;
        }
        let mut reflected = reflector
            .reflect_table(
                conn,
                TableRef {
                    schema: schema.as_deref(),
                    name: &name,
                },
            )
            .await?;
        reflected.sort_constraints();
        for fk in &reflected.foreign_keys {
            let target_schema = fk.target_schema().map(str::to_owned).or(schema.clone());
            queue.push_back((target_schema, fk.target_table().to_owned()));
        }
        metadata.add_table(Table::from_reflected(reflected)?);
    }
    Ok(())
}
