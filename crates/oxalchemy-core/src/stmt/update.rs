//! `update(&table)`: UPDATE .. SET .. WHERE .. RETURNING.

use super::dml_target::DmlTarget;
use super::lists::SelectList;
use super::values::{IntoValues, ValueList};
use crate::compiled::{Compiled, DmlStatement, Executable};
use crate::dialect::{AsDialect, Dialect};
use crate::error::Result;
use crate::expr::{AnyType, ExprLike, Node, Operand};
use crate::schema::Table;
use std::borrow::Cow;

/// An UPDATE statement.
///
/// ```
/// use oxalchemy_core::{MetaData, update, ExprLike, sql_type::{Integer, Text}};
/// let md = MetaData::new();
/// let users = md.table("users", |t| { t.column("id", Integer).primary_key(); t.column("name", Text); t.column("visits", Integer); });
/// let stmt = update(&users)
///     .filter(users.c("id").eq(5))
///     .set("name", "patrick")
///     .set("visits", users.c("visits").add(1));
/// # let _ = stmt;
/// ```
#[derive(Debug, Clone)]
pub struct Update {
    pub(crate) table: Table,
    pub(crate) values: ValueList,
    pub(crate) where_: Option<Node>,
    pub(crate) returning: Vec<Node>,
}

/// `UPDATE table ..`.
pub fn update(table: impl DmlTarget) -> Update {
    Update {
        table: table.target_table(),
        values: Vec::new(),
        where_: None,
        returning: Vec::new(),
    }
}

impl Update {
    /// `SET column = value` (a value or an expression).
    pub fn set(mut self, column: &str, value: impl Operand<AnyType>) -> Self {
        self.values
            .push((Cow::Owned(column.to_owned()), value.into_operand()));
        self
    }

    /// Several `SET` pairs.
    pub fn values(mut self, values: impl IntoValues) -> Self {
        self.values.extend(values.into_values());
        self
    }

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

    /// The table updated.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The `SET` pairs (column name, value or expression), in order.
    pub fn set_values(&self) -> &[(Cow<'static, str>, Node)] {
        &self.values
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
        crate::compiler::compile_update(self, dialect)
    }
}

impl Executable for Update {
    fn cacheable(&self) -> bool {
        true
    }

    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        self.try_compile(dialect)
    }

    fn as_dml(&self) -> Option<DmlStatement<'_>> {
        Some(DmlStatement::Update(self))
    }
}
