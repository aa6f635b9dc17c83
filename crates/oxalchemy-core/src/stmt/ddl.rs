//! DDL statements: CREATE/DROP TABLE and INDEX.

use crate::compiled::{Compiled, Executable};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::schema::{Index, Table};

/// `CREATE TABLE ..` for a table definition.
#[derive(Debug, Clone)]
pub struct CreateTable {
    pub(crate) table: Table,
    pub(crate) if_not_exists: bool,
}

impl CreateTable {
    /// CREATE TABLE for `table`.
    pub fn new(table: &Table) -> Self {
        CreateTable {
            table: table.clone(),
            if_not_exists: false,
        }
    }
    /// Add `IF NOT EXISTS`.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }
}

impl Executable for CreateTable {
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        crate::compiler::compile_create_table(self, dialect)
    }
}

/// `DROP TABLE ..`.
#[derive(Debug, Clone)]
pub struct DropTable {
    pub(crate) table: Table,
    pub(crate) if_exists: bool,
}

impl DropTable {
    /// DROP TABLE for `table`.
    pub fn new(table: &Table) -> Self {
        DropTable {
            table: table.clone(),
            if_exists: false,
        }
    }
    /// Add `IF EXISTS`.
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }
}

impl Executable for DropTable {
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        let mut sql = String::from("DROP TABLE ");
        if self.if_exists {
            sql.push_str("IF EXISTS ");
        }
        crate::compiler::write_table_name(dialect, &self.table, &mut sql);
        Ok(Compiled::with_kind(
            sql,
            Vec::new(),
            crate::statement::StatementKind::Ddl,
        ))
    }
}

/// `CREATE [UNIQUE] INDEX name ON table (columns)`.
#[derive(Debug, Clone)]
pub struct CreateIndex {
    pub(crate) table: Table,
    pub(crate) index: Index,
}

impl CreateIndex {
    /// CREATE INDEX for one index of `table`.
    pub fn new(table: &Table, index: Index) -> Self {
        CreateIndex {
            table: table.clone(),
            index,
        }
    }
}

impl Executable for CreateIndex {
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        let mut sql = String::from(if self.index.unique {
            "CREATE UNIQUE INDEX "
        } else {
            "CREATE INDEX "
        });
        dialect.write_identifier(&self.index.name, &mut sql);
        sql.push_str(" ON ");
        crate::compiler::write_table_name(dialect, &self.table, &mut sql);
        sql.push_str(" (");
        if self.index.expressions.is_empty() {
            for (i, c) in self.index.columns.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                dialect.write_identifier(c, &mut sql);
            }
        } else {
            // Reflected expression elements: trusted SQL from the database's catalog.
            sql.push_str(&self.index.expressions.join(", "));
        }
        sql.push(')');
        Ok(Compiled::with_kind(
            sql,
            Vec::new(),
            crate::statement::StatementKind::Ddl,
        ))
    }
}

/// `DROP INDEX name` (MySQL: `DROP INDEX name ON table`).
#[derive(Debug, Clone)]
pub struct DropIndex {
    pub(crate) table: Table,
    pub(crate) name: String,
}

impl DropIndex {
    /// DROP INDEX `name` of `table`.
    pub fn new(table: &Table, name: &str) -> Self {
        DropIndex {
            table: table.clone(),
            name: name.to_owned(),
        }
    }
}

impl Executable for DropIndex {
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        let mut sql = String::from("DROP INDEX ");
        if let Some(schema) = self.table.schema()
            && !dialect.drop_index_names_table()
        {
            dialect.write_identifier(schema, &mut sql);
            sql.push('.');
        }
        dialect.write_identifier(&self.name, &mut sql);
        if dialect.drop_index_names_table() {
            sql.push_str(" ON ");
            crate::compiler::write_table_name(dialect, &self.table, &mut sql);
        }
        Ok(Compiled::with_kind(
            sql,
            Vec::new(),
            crate::statement::StatementKind::Ddl,
        ))
    }
}
