//! `insert(&table)`: INSERT with one or many rows, from a SELECT, RETURNING, upsert.

use super::dml_target::DmlTarget;
use super::lists::{ExprList, SelectList};
use super::select::{IntoSelectStmt, SelectStmt};
use super::values::{IntoValues, ValueList};
use crate::compiled::{Compiled, Executable};
use crate::dialect::{AsDialect, Dialect};
use crate::error::Result;
use crate::expr::{AnyType, Expr, ExprLike, Node};
use crate::schema::Table;
use std::borrow::Cow;

/// What an upsert does on a conflict.
#[derive(Debug, Clone)]
pub enum OnConflictAction {
    /// Skip the row.
    DoNothing,
    /// Update the existing row with these values (`excluded("col")` = the proposed value).
    DoUpdate(ValueList),
}

/// The ON CONFLICT clause of an upsert.
#[derive(Debug, Clone)]
pub struct OnConflict {
    /// The conflict target columns (a unique constraint or the primary key);
    /// ignored on MySQL, which reacts to any unique key.
    pub target: Vec<Node>,
    /// What to do.
    pub action: OnConflictAction,
    /// `DO UPDATE SET .. WHERE cond`: update only the conflicting rows where
    /// `cond` holds (emulated on MySQL, see [`Insert::on_conflict_do_update_where`]).
    pub where_: Option<Node>,
}

/// An INSERT statement.
///
/// ```
/// use oxalchemy_core::{MetaData, insert, Value, sql_type::{Integer, Text}};
/// let md = MetaData::new();
/// let users = md.table("users", |t| { t.column("id", Integer).primary_key(); t.column("name", Text); });
/// let one = insert(&users).values([("name", Value::from("sandy"))]);
/// let many = insert(&users).values_many([[("name", "a")], [("name", "b")]]);
/// let upsert = insert(&users)
///     .values((("id", 1), ("name", "sandy")))
///     .on_conflict_do_update(users.c("id"), [("name", oxalchemy_core::excluded("name"))]);
/// # let _ = (one, many, upsert);
/// ```
#[derive(Debug, Clone)]
pub struct Insert {
    pub(crate) table: Table,
    pub(crate) rows: Vec<ValueList>,
    pub(crate) from_select: Option<(Vec<String>, SelectStmt)>,
    pub(crate) returning: Vec<Node>,
    pub(crate) on_conflict: Option<OnConflict>,
    pub(crate) sort_by_parameter_order: bool,
}

/// `INSERT INTO table ..`.
pub fn insert(table: impl DmlTarget) -> Insert {
    Insert {
        table: table.target_table(),
        rows: Vec::new(),
        from_select: None,
        returning: Vec::new(),
        on_conflict: None,
        sort_by_parameter_order: false,
    }
}

/// In an upsert's update values: the value proposed for insertion into `column`
/// (`excluded.column` on PostgreSQL/SQLite, `VALUES(column)` on MySQL).
pub fn excluded(column: &str) -> Expr<AnyType> {
    Expr::new(Node::Excluded(Cow::Owned(column.to_owned())))
}

impl Insert {
    /// One row of values (merged into the current row when called again).
    pub fn values(mut self, values: impl IntoValues) -> Self {
        let new = values.into_values();
        let single = self.rows.len() == 1;
        match self.rows.last_mut() {
            Some(row) if single => {
                for (k, v) in new {
                    match row.iter_mut().find(|(rk, _)| *rk == k) {
                        Some(slot) => slot.1 = v,
                        None => row.push((k, v)),
                    }
                }
            }
            _ => self.rows.push(new),
        }
        self
    }

    /// Many rows in one statement (`VALUES (..), (..)`); every row must name the same columns.
    pub fn values_many<I, V>(mut self, rows: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: IntoValues,
    {
        self.rows
            .extend(rows.into_iter().map(IntoValues::into_values));
        self
    }

    /// `INSERT INTO table (columns) SELECT ..`.
    pub fn from_select<I, S>(mut self, columns: I, select: impl IntoSelectStmt) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.from_select = Some((
            columns.into_iter().map(Into::into).collect(),
            select.into_select_stmt(),
        ));
        self
    }

    /// `RETURNING ..` (emulated on MySQL for an autoincrement key; see the contract).
    pub fn returning(mut self, columns: impl SelectList) -> Self {
        self.returning.extend(columns.into_nodes());
        self
    }

    /// Promise that the rows of a multi-row `INSERT .. RETURNING` can be
    /// matched to the VALUES rows (SQLAlchemy's `sort_by_parameter_order`),
    /// as the ORM needs to hand generated keys to the right objects.
    ///
    /// How depends on the dialect's [`ReturningOrder`](crate::ReturningOrder):
    /// PostgreSQL inserts from an ordered VALUES list with a sentinel counter
    /// (`INSERT INTO t (..) SELECT .. FROM (VALUES (.., 0), (.., 1)) AS imp_sen(..)
    /// ORDER BY sen_counter RETURNING ..`), so generated keys ascend in row
    /// order; SQLite does the same with its VALUES columns (`column1`, ..);
    /// MariaDB returns rows in insertion order; elsewhere (MySQL) a multi-row
    /// `INSERT .. RETURNING` with this flag is `Error::Unsupported` (insert
    /// one row per statement). One row, or no RETURNING: no effect.
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, insert, sql_type::{Integer, Text}};
    /// let md = MetaData::new();
    /// let users = md.table("users", |t| { t.column("id", Integer).primary_key(); t.column("name", Text); });
    /// let stmt = insert(&users)
    ///     .values_many([[("name", "a")], [("name", "b")]])
    ///     .returning(users.c("id"))
    ///     .sort_by_parameter_order();
    /// # let _ = stmt;
    /// ```
    pub fn sort_by_parameter_order(mut self) -> Self {
        self.sort_by_parameter_order = true;
        self
    }

    /// Upsert: skip rows that conflict on `target` (a unique column or tuple of them).
    pub fn on_conflict_do_nothing(mut self, target: impl ExprList) -> Self {
        self.on_conflict = Some(OnConflict {
            target: target.into_nodes(),
            action: OnConflictAction::DoNothing,
            where_: None,
        });
        self
    }

    /// Upsert: on a conflict on `target`, update the existing row with `set`.
    pub fn on_conflict_do_update(mut self, target: impl ExprList, set: impl IntoValues) -> Self {
        self.on_conflict = Some(OnConflict {
            target: target.into_nodes(),
            action: OnConflictAction::DoUpdate(set.into_values()),
            where_: None,
        });
        self
    }

    /// Upsert with a condition (SQLAlchemy's `on_conflict_do_update(.., where=..)`):
    /// on a conflict on `target`, update the existing row with `set` only where
    /// `cond` holds (`excluded("col")` is the proposed value, the table's
    /// columns the existing row). PostgreSQL and SQLite write `DO UPDATE SET ..
    /// WHERE cond`; MySQL, which has no such clause, assigns
    /// `col = IF(cond, value, col)` to each column, the columns `cond` reads
    /// last (a `cond` reading two of the updated columns is `Unsupported` there).
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, insert, excluded, ExprLike, sql_type::Integer};
    /// let md = MetaData::new();
    /// let t = md.table("t", |t| { t.column("id", Integer).primary_key(); t.column("n", Integer); });
    /// let stmt = insert(&t).values((("id", 1), ("n", 5)))
    ///     .on_conflict_do_update_where(t.c("id"), [("n", excluded("n"))], t.c("n").lt(excluded("n")));
    /// # let _ = stmt;
    /// ```
    pub fn on_conflict_do_update_where(
        mut self,
        target: impl ExprList,
        set: impl IntoValues,
        cond: impl ExprLike,
    ) -> Self {
        self.on_conflict = Some(OnConflict {
            target: target.into_nodes(),
            action: OnConflictAction::DoUpdate(set.into_values()),
            where_: Some(cond.into_node()),
        });
        self
    }

    /// MySQL's spelling of an upsert (same as `on_conflict_do_update` without a target).
    pub fn on_duplicate_key_update(mut self, set: impl IntoValues) -> Self {
        self.on_conflict = Some(OnConflict {
            target: Vec::new(),
            action: OnConflictAction::DoUpdate(set.into_values()),
            where_: None,
        });
        self
    }

    /// True when rows of values or a `SELECT` were given (`values(..)`,
    /// `values_many(..)`, `from_select(..)`).
    pub fn has_values(&self) -> bool {
        !self.rows.is_empty() || self.from_select.is_some()
    }

    /// The target table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Compile; panics when it cannot be compiled for the dialect (see `try_compile`).
    pub fn compile(&self, dialect: &(impl AsDialect + ?Sized)) -> Compiled {
        self.try_compile(dialect).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Compile for a dialect.
    pub fn try_compile(&self, dialect: &(impl AsDialect + ?Sized)) -> Result<Compiled> {
        let dialect = dialect.as_dialect();
        crate::compiler::compile_insert(self, dialect)
    }
}

impl Executable for Insert {
    fn cacheable(&self) -> bool {
        true
    }

    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        self.try_compile(dialect)
    }

    /// Rows in chunks of at most `max_params` parameters each (SQLAlchemy's
    /// insertmanyvalues batches by a fixed row count; here by the protocol's
    /// limit).
    fn split_for(
        &self,
        dialect: &dyn Dialect,
        max_params: usize,
        params: usize,
    ) -> Result<Option<Vec<Compiled>>> {
        if self.rows.len() < 2 || self.from_select.is_some() || params == 0 {
            return Ok(None);
        }
        // Rows of one statement, from the average parameters per row; halved
        // until every chunk fits (rows with SQL expressions may bind more).
        let mut per = (max_params.saturating_mul(self.rows.len()) / params).max(1);
        loop {
            let mut parts = Vec::with_capacity(self.rows.len().div_ceil(per));
            let mut fits = true;
            for chunk in self.rows.chunks(per) {
                let part = Insert {
                    rows: chunk.to_vec(),
                    ..self.clone()
                };
                let compiled = part.try_compile(dialect)?;
                if compiled.params().len() > max_params && per > 1 {
                    fits = false;
                    break;
                }
                parts.push(compiled);
            }
            if fits {
                return Ok(Some(parts));
            }
            per = (per / 2).max(1);
        }
    }
}
