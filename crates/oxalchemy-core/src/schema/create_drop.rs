//! `MetaData::create_all` / `drop_all`: DDL in dependency order through a [`SchemaBind`].

use super::metadata::MetaData;
use super::table::Table;
use crate::compiled::Executable;
use crate::dialect::Dialect;
use crate::error::Result;
use crate::schema_bind::{SchemaBind, SchemaConnection};
use crate::stmt::{CreateIndex, CreateTable, DropTable};

impl MetaData {
    /// CREATE every table (and its indexes) that does not exist yet, parents
    /// before children. Foreign keys must resolve within this MetaData.
    pub async fn create_all(&self, bind: &dyn SchemaBind) -> Result<()> {
        self.validate_foreign_keys()?;
        let dialect = bind.schema_dialect();
        let mut conn = bind.schema_connection().await?;
        for table in self.sorted_tables() {
            if table_exists(&mut *conn, &*dialect, &table).await? {
                continue;
            }
            for (name, variants) in named_enum_types(&table, &*dialect) {
                let (sql, params) = dialect
                    .has_enum_type_query(table.schema(), &name)
                    .expect("named_enum_types only lists types the dialect names");
                if conn
                    .run(crate::Compiled::new(sql, params))
                    .await?
                    .is_empty()
                {
                    conn.run(crate::compiler::create_enum_type(
                        &*dialect,
                        table.schema(),
                        &name,
                        &variants,
                    ))
                    .await?;
                }
            }
            conn.run(CreateTable::new(&table).compile_for(&*dialect)?)
                .await?;
            for comment in crate::compiler::comment_statements(&table, &*dialect) {
                conn.run(comment).await?;
            }
            for ix in table.indexes() {
                conn.run(CreateIndex::new(&table, ix.clone()).compile_for(&*dialect)?)
                    .await?;
            }
        }
        conn.finish().await
    }

    /// DROP every table of this collection that exists, children before
    /// parents, then the named enum types of its reflected tables (PostgreSQL).
    pub async fn drop_all(&self, bind: &dyn SchemaBind) -> Result<()> {
        let dialect = bind.schema_dialect();
        let mut conn = bind.schema_connection().await?;
        let mut types: Vec<(Option<String>, String)> = Vec::new();
        for table in self.sorted_tables().into_iter().rev() {
            if !table_exists(&mut *conn, &*dialect, &table).await? {
                continue;
            }
            conn.run(DropTable::new(&table).compile_for(&*dialect)?)
                .await?;
            for (name, _) in named_enum_types(&table, &*dialect) {
                let key = (table.schema().map(str::to_owned), name);
                if !types.contains(&key) {
                    types.push(key);
                }
            }
        }
        for (schema, name) in types {
            conn.run(crate::compiler::drop_enum_type(
                &*dialect,
                schema.as_deref(),
                &name,
            ))
            .await?;
        }
        conn.finish().await
    }
}

/// The named enum types (name, labels) a table's columns are created with.
fn named_enum_types(table: &Table, dialect: &dyn Dialect) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for col in table.columns() {
        if let Some(name) = crate::compiler::named_enum_type(col, dialect)
            && let crate::SqlType::Enum { variants, .. } = col.sql_type()
            && !out.iter().any(|(n, _)| n == name)
        {
            out.push((name.to_owned(), variants.clone()));
        }
    }
    out
}

/// True when `table` exists in the database.
pub(crate) async fn table_exists(
    conn: &mut dyn SchemaConnection,
    dialect: &dyn Dialect,
    table: &Table,
) -> Result<bool> {
    let (sql, params) = dialect.has_table_query(table.schema(), table.name());
    let result = conn.run(crate::Compiled::new(sql, params)).await?;
    Ok(!result.is_empty())
}
