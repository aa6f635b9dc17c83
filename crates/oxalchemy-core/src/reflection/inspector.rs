//! `inspect(&engine)`: SQLAlchemy's `Inspector`, answering from the database.

use super::metadata_reflect::reflector_of;
use super::reflected::{PrimaryKeyConstraint, ReflectedColumn, ReflectedTable};
use super::reflector::{Reflector, TableRef};
use crate::error::Result;
use crate::schema::{CheckConstraint, ForeignKey, Index, UniqueConstraint};
use crate::schema_bind::{SchemaBind, SchemaConnection};
use std::fmt;
use std::sync::Arc;

/// Reads the database's catalog without building a `MetaData`
/// (SQLAlchemy's `inspect(engine)`). Every call asks the database afresh.
///
/// Table arguments are `"table"` (default schema) or `"schema.table"`.
///
/// ```no_run
/// # async fn run(engine: oxalchemy_core::dialect::GenericDialect) {}
/// // let insp = inspect(&engine).await?;
/// // insp.table_names().await?; insp.columns("users").await?;
/// ```
#[derive(Clone)]
pub struct Inspector {
    bind: Arc<dyn SchemaBind>,
    reflector: &'static dyn Reflector,
    default_schema: String,
}

impl fmt::Debug for Inspector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspector")
            .field("dialect", &self.bind.schema_dialect().name())
            .field("default_schema", &self.default_schema)
            .finish()
    }
}

/// An [`Inspector`] over `bind` (an engine). Fails with `Unsupported` when
/// the backend has no reflection, or with the connection's error.
pub async fn inspect<B: SchemaBind + Clone + 'static>(bind: &B) -> Result<Inspector> {
    Inspector::new(Arc::new(bind.clone())).await
}

impl Inspector {
    /// An inspector over a shared bind.
    pub async fn new(bind: Arc<dyn SchemaBind>) -> Result<Inspector> {
        let reflector = reflector_of(&*bind)?;
        let default_schema = {
            let mut conn = bind.schema_connection().await?;
            let name = reflector.default_schema_name(&mut *conn).await?;
            conn.finish().await?;
            name
        };
        Ok(Inspector {
            bind,
            reflector,
            default_schema,
        })
    }

    /// The connection's default schema (`public`, the MySQL database, `main`).
    pub fn default_schema_name(&self) -> &str {
        &self.default_schema
    }

    async fn with_conn<T>(
        &self,
        f: impl for<'c> FnOnce(
            &'c dyn Reflector,
            &'c mut dyn SchemaConnection,
        ) -> crate::driver::BoxFuture<'c, Result<T>>,
    ) -> Result<T> {
        let mut conn = self.bind.schema_connection().await?;
        let out = f(self.reflector, &mut *conn).await?;
        conn.finish().await?;
        Ok(out)
    }

    /// The table names of the default schema, sorted.
    pub async fn table_names(&self) -> Result<Vec<String>> {
        self.with_conn(|r, c| r.table_names(c, None)).await
    }

    /// The table names of `schema`, sorted.
    pub async fn table_names_in(&self, schema: &str) -> Result<Vec<String>> {
        let schema = schema.to_owned();
        self.with_conn(move |r, c| Box::pin(async move { r.table_names(c, Some(&schema)).await }))
            .await
    }

    /// The view names of the default schema, sorted.
    pub async fn view_names(&self) -> Result<Vec<String>> {
        self.with_conn(|r, c| r.view_names(c, None)).await
    }

    /// The view names of `schema`, sorted.
    pub async fn view_names_in(&self, schema: &str) -> Result<Vec<String>> {
        let schema = schema.to_owned();
        self.with_conn(move |r, c| Box::pin(async move { r.view_names(c, Some(&schema)).await }))
            .await
    }

    /// The schema names.
    pub async fn schema_names(&self) -> Result<Vec<String>> {
        self.with_conn(|r, c| r.schema_names(c)).await
    }

    /// True when the table exists.
    pub async fn has_table(&self, table: &str) -> Result<bool> {
        let t = TableRef::parse(table);
        let names = match t.schema {
            Some(s) => self.table_names_in(s).await?,
            None => self.table_names().await?,
        };
        Ok(names.iter().any(|n| n == t.name))
    }

    /// Everything about one table at once (one set of catalog queries).
    pub async fn reflect_table(&self, table: &str) -> Result<ReflectedTable> {
        let table = table.to_owned();
        self.with_conn(move |r, c| {
            Box::pin(async move {
                let mut t = r.reflect_table(c, TableRef::parse(&table)).await?;
                t.sort_constraints();
                Ok(t)
            })
        })
        .await
    }

    /// The columns, in table order.
    pub async fn columns(&self, table: &str) -> Result<Vec<ReflectedColumn>> {
        Ok(self.reflect_table(table).await?.columns)
    }

    /// The primary key (columns in key order).
    pub async fn pk_constraint(&self, table: &str) -> Result<PrimaryKeyConstraint> {
        Ok(self.reflect_table(table).await?.primary_key)
    }

    /// The foreign keys.
    pub async fn foreign_keys(&self, table: &str) -> Result<Vec<ForeignKey>> {
        Ok(self.reflect_table(table).await?.foreign_keys)
    }

    /// The indexes (not those backing a primary key or unique constraint).
    pub async fn indexes(&self, table: &str) -> Result<Vec<Index>> {
        Ok(self.reflect_table(table).await?.indexes)
    }

    /// The UNIQUE constraints.
    pub async fn unique_constraints(&self, table: &str) -> Result<Vec<UniqueConstraint>> {
        Ok(self.reflect_table(table).await?.unique_constraints)
    }

    /// The CHECK constraints.
    pub async fn check_constraints(&self, table: &str) -> Result<Vec<CheckConstraint>> {
        Ok(self.reflect_table(table).await?.check_constraints)
    }

    /// The table comment, if any.
    pub async fn table_comment(&self, table: &str) -> Result<Option<String>> {
        Ok(self.reflect_table(table).await?.comment)
    }
}
