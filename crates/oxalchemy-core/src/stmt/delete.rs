//! `delete(&table)`: DELETE .. WHERE .. RETURNING.

use super::dml_target::DmlTarget;
use super::lists::SelectList;
use crate::compiled::{Compiled, DmlStatement, Executable};
use crate::dialect::{AsDialect, Dialect};
use crate::error::Result;
use crate::expr::{ExprLike, Node};
use crate::schema::Table;

/// A DELETE statement.
///
/// ```
/// use oxalchemy_core::{MetaData, delete, ExprLike, sql_type::{Integer, Text}};
/// let md = MetaData::new();
/// let users = md.table("users", |t| { t.column("id", Integer).primary_key(); t.column("name", Text); });
/// let stmt = delete(&users).filter(users.c("name").eq("squidward"));
/// # let _ = stmt;
/// ```
#[derive(Debug, Clone)]
pub struct Delete {
    pub(crate) table: Table,
    pub(crate) where_: Option<Node>,
    pub(crate) returning: Vec<Node>,
}

/// `DELETE FROM table ..`.
pub fn delete(table: impl DmlTarget) -> Delete {
    Delete {
        table: table.target_table(),
        where_: None,
        returning: Vec::new(),
    }
}

impl Delete {
    /// WHERE (ANDed with any previous condition).
    pub fn filter(mut self, cond: impl ExprLike) -> Self {
        super::and_into(&mut self.where_, cond.into_node());
        self
    }

    /// Same as [`filter`](Self::filter).
    pub fn where_(self, cond: impl ExprLike) -> Self {
        self.filter(cond)
    }

    /// `RETURNING ..` (`Unsupported` where the backend lacks it).
    pub fn returning(mut self, columns: impl SelectList) -> Self {
        self.returning.extend(columns.into_nodes());
        self
    }

    /// The table deleted from.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The WHERE condition, if any.
    pub fn where_clause(&self) -> Option<&Node> {
        self.where_.as_ref()
    }

    /// True when the statement has a `RETURNING` list.
    pub fn has_returning(&self) -> bool {
        !self.returning.is_empty()
    }

    /// Compile; panics when it cannot be compiled for the dialect (see `try_compile`).
    pub fn compile(&self, dialect: &(impl AsDialect + ?Sized)) -> Compiled {
        self.try_compile(dialect).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Compile for a dialect.
    pub fn try_compile(&self, dialect: &(impl AsDialect + ?Sized)) -> Result<Compiled> {
        let dialect = dialect.as_dialect();
        crate::compiler::compile_delete(self, dialect)
    }
}

impl Executable for Delete {
    fn cacheable(&self) -> bool {
        true
    }

    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        self.try_compile(dialect)
    }

    fn as_dml(&self) -> Option<DmlStatement<'_>> {
        Some(DmlStatement::Delete(self))
    }
}
