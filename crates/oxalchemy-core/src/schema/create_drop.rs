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

    /// DROP every table of this collection that exists, children before parents.
    pub async fn drop_all(&self, bind: &dyn SchemaBind) -> Result<()> {
        let dialect = bind.schema_dialect();
        let mut conn = bind.schema_connection().await?;
        for table in self.sorted_tables().into_iter().rev() {
            if !table_exists(&mut *conn, &*dialect, &table).await? {
                continue;
            }
            conn.run(DropTable::new(&table).compile_for(&*dialect)?)
                .await?;
        }
        conn.finish().await
    }
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
