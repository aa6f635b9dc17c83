//! `Select<R>`: the SELECT statement builder.

use super::compound::{CompoundSelect, SetOp};
use super::lists::{ExprList, SelectList};
use super::subquery::{Cte, Subquery};
use crate::compiled::{Compiled, Executable};
use crate::dialect::{AsDialect, Dialect};
use crate::error::Result;
use crate::expr::{Alias, Expr, ExprLike, Node, Source};
use crate::row::Row;
use crate::schema::Table;
use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// The kind of a JOIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// `JOIN`.
    Inner,
    /// `LEFT OUTER JOIN`.
    Left,
    /// `FULL OUTER JOIN`.
    Full,
}

/// One JOIN of a SELECT.
#[derive(Debug, Clone)]
pub struct JoinClause {
    /// The kind.
    pub kind: JoinKind,
    /// What is joined.
    pub target: Source,
    /// The ON condition; `None` = inferred from the single foreign key between the tables.
    pub on: Option<Node>,
}

/// Something a SELECT can join to: a table, alias, subquery, CTE, or (in the
/// ORM) a relationship, which brings its own ON clause.
pub trait JoinTarget {
    /// The FROM item and, when the target knows it, the ON condition.
    fn into_join_parts(self) -> (Source, Option<Node>);

    /// Every JOIN this target adds, in order: one for a table, two for a
    /// many-to-many relationship (the association table, then the target).
    fn into_joins(self) -> Vec<(Source, Option<Node>)>
    where
        Self: Sized,
    {
        vec![self.into_join_parts()]
    }
}

impl JoinTarget for &Table {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        (Source::Table(self.clone()), None)
    }
}
impl JoinTarget for Table {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        (Source::Table(self), None)
    }
}
impl JoinTarget for &Alias {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        (Source::Alias(self.clone()), None)
    }
}
impl JoinTarget for &Subquery {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        (Source::Subquery(self.clone()), None)
    }
}
impl JoinTarget for &Cte {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        (Source::Cte(self.clone()), None)
    }
}

/// FROM items for [`Select::correlate`]: a table, alias, subquery or CTE, a
/// tuple of them, or `()` for none.
pub trait FromList {
    /// The items.
    fn into_sources(self) -> Vec<Source>;
}

impl FromList for () {
    fn into_sources(self) -> Vec<Source> {
        Vec::new()
    }
}

impl<T: JoinTarget> FromList for T {
    fn into_sources(self) -> Vec<Source> {
        vec![self.into_join_parts().0]
    }
}

macro_rules! tuple_from_list {
    ($($name:ident),+) => {
        impl<$($name: JoinTarget),+> FromList for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_sources(self) -> Vec<Source> {
                let ($($name,)+) = self;
                vec![$($name.into_join_parts().0),+]
            }
        }
    };
}

tuple_from_list!(A);
tuple_from_list!(A, B);
tuple_from_list!(A, B, C);
tuple_from_list!(A, B, C, D);

/// The clauses of one simple SELECT.
#[derive(Debug, Clone, Default)]
pub struct SelectCore {
    /// The result columns.
    pub columns: Vec<Node>,
    /// Explicit FROM items (`select_from`); more are inferred from the columns and WHERE.
    pub from: Vec<Source>,
    /// JOINs, attached to the first FROM item.
    pub joins: Vec<JoinClause>,
    /// WHERE.
    pub where_: Option<Node>,
    /// GROUP BY.
    pub group_by: Vec<Node>,
    /// HAVING.
    pub having: Option<Node>,
    /// ORDER BY.
    pub order_by: Vec<Node>,
    /// LIMIT.
    pub limit: Option<u64>,
    /// OFFSET.
    pub offset: Option<u64>,
    /// SELECT DISTINCT.
    pub distinct: bool,
    /// `SELECT DISTINCT ON (..)` (PostgreSQL).
    pub distinct_on: Vec<Node>,
    /// FOR UPDATE.
    pub for_update: bool,
    /// How a nested SELECT correlates with the enclosing queries.
    pub correlation: Correlation,
}

/// How a SELECT nested in another correlates with the enclosing queries'
/// FROM items (SQLAlchemy's `correlate` / `correlate_except`).
///
/// By default (`manual == false`) a nested SELECT omits the FROM items that
/// the *immediately* enclosing query has, when it has more than one, as
/// SQLAlchemy does. [`Select::correlate`] and [`Select::correlate_except`]
/// switch that off and name the items instead; they may come from any
/// enclosing level.
#[derive(Debug, Clone, Default)]
pub struct Correlation {
    /// Automatic correlation is off: only `correlate` / `correlate_except` apply.
    pub manual: bool,
    /// Omit these FROM items when an enclosing query has them.
    pub correlate: Vec<Source>,
    /// Omit every FROM item an enclosing query has, except these.
    pub correlate_except: Option<Vec<Source>>,
}

/// A SELECT of any form: simple or a set operation.
#[derive(Debug, Clone)]
pub enum SelectStmt {
    /// A simple SELECT.
    Simple(Box<SelectCore>),
    /// UNION / INTERSECT / EXCEPT of several SELECTs.
    Compound(Box<super::compound::CompoundCore>),
}

impl SelectStmt {
    /// The result column names (`None` for unlabeled expressions).
    pub fn output_names(&self) -> Vec<Option<String>> {
        match self {
            SelectStmt::Simple(core) => core
                .columns
                .iter()
                .map(|n| n.output_name().map(str::to_owned))
                .collect(),
            SelectStmt::Compound(c) => c
                .selects
                .first()
                .map(SelectStmt::output_names)
                .unwrap_or_default(),
        }
    }
}

/// Anything that is a SELECT: `Select<R>`, `CompoundSelect`.
pub trait IntoSelectStmt {
    /// The statement.
    fn into_select_stmt(self) -> SelectStmt;
}

impl IntoSelectStmt for SelectStmt {
    fn into_select_stmt(self) -> SelectStmt {
        self
    }
}
impl<R> IntoSelectStmt for Select<R> {
    fn into_select_stmt(self) -> SelectStmt {
        self.into_stmt()
    }
}
impl<R> IntoSelectStmt for &Select<R> {
    fn into_select_stmt(self) -> SelectStmt {
        self.clone().into_stmt()
    }
}

/// A SELECT statement whose rows decode into `R`.
///
/// ```
/// use oxalchemy_core::{MetaData, select, ExprLike, sql_type::{Integer, Text}};
/// let md = MetaData::new();
/// let users = md.table("users", |t| { t.column("id", Integer).primary_key(); t.column("name", Text); });
/// let stmt = select((users.c("id"), users.c("name")))
///     .filter(users.c("name").like("s%"))
///     .order_by(users.c("name").desc())
///     .limit(10);
/// # let _ = stmt;
/// ```
pub struct Select<R = Row> {
    core: SelectCore,
    extensions: Vec<Arc<dyn Any + Send + Sync>>,
    _marker: PhantomData<fn() -> R>,
}

impl<R> Clone for Select<R> {
    fn clone(&self) -> Self {
        Select {
            core: self.core.clone(),
            extensions: self.extensions.clone(),
            _marker: PhantomData,
        }
    }
}

impl<R> fmt::Debug for Select<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.core, f)
    }
}

/// `SELECT ..`: one column or expression, or a tuple of them (or, with the ORM, an entity).
pub fn select<S: SelectList>(columns: S) -> Select<S::Row> {
    Select {
        core: columns.into_core(),
        extensions: Vec::new(),
        _marker: PhantomData,
    }
}

impl<R> Select<R> {
    /// Build from parts (for the ORM and other front ends).
    pub fn from_core(core: SelectCore) -> Self {
        Select {
            core,
            extensions: Vec::new(),
            _marker: PhantomData,
        }
    }

    /// The clauses.
    pub fn core(&self) -> &SelectCore {
        &self.core
    }

    /// The clauses, mutably.
    pub fn core_mut(&mut self) -> &mut SelectCore {
        &mut self.core
    }

    /// The statement without its row type.
    pub fn into_stmt(self) -> SelectStmt {
        SelectStmt::Simple(Box::new(self.core))
    }

    /// Change the row type (front ends decide how rows decode).
    pub fn with_row<R2>(self) -> Select<R2> {
        Select {
            core: self.core,
            extensions: self.extensions,
            _marker: PhantomData,
        }
    }

    /// Attach front-end data (the ORM stores loader options here).
    pub fn with_extension(mut self, ext: Arc<dyn Any + Send + Sync>) -> Self {
        self.extensions.push(ext);
        self
    }

    /// Front-end data attached with [`with_extension`](Self::with_extension).
    pub fn extensions(&self) -> &[Arc<dyn Any + Send + Sync>] {
        &self.extensions
    }

    /// Add a WHERE condition (ANDed with any previous one).
    pub fn filter(mut self, cond: impl ExprLike) -> Self {
        let node = cond.into_node();
        self.core.where_ = Some(match self.core.where_.take() {
            Some(w) => w.and(node),
            None => node,
        });
        self
    }

    /// Same as [`filter`](Self::filter) (SQLAlchemy 2.0's `where`).
    pub fn where_(self, cond: impl ExprLike) -> Self {
        self.filter(cond)
    }

    /// Add result columns.
    pub fn add_columns(mut self, columns: impl SelectList) -> Self {
        self.core.columns.extend(columns.into_nodes());
        self
    }

    /// Add an explicit FROM item.
    pub fn select_from(mut self, from: impl JoinTarget) -> Self {
        self.core.from.push(from.into_join_parts().0);
        self
    }

    fn push_join(mut self, kind: JoinKind, target: impl JoinTarget, on: Option<Node>) -> Self {
        let mut joins = target.into_joins();
        let last = joins.len().saturating_sub(1);
        let mut on = on;
        for (i, (target, implied)) in joins.drain(..).enumerate() {
            // An explicit ON applies to the last join (the target itself).
            let on = if i == last {
                on.take().or(implied)
            } else {
                implied
            };
            self.core.joins.push(JoinClause { kind, target, on });
        }
        self
    }

    /// `JOIN target ON <inferred>`: the ON clause comes from the single foreign
    /// key between the tables (an `ArgumentError` at compile time names the
    /// candidates when there are none or several), or from the relationship.
    pub fn join(self, target: impl JoinTarget) -> Self {
        self.push_join(JoinKind::Inner, target, None)
    }

    /// `JOIN target ON cond`.
    pub fn join_on(self, target: impl JoinTarget, on: impl ExprLike) -> Self {
        self.push_join(JoinKind::Inner, target, Some(on.into_node()))
    }

    /// `LEFT OUTER JOIN target ON <inferred>`.
    pub fn outerjoin(self, target: impl JoinTarget) -> Self {
        self.push_join(JoinKind::Left, target, None)
    }

    /// `LEFT OUTER JOIN target ON cond`.
    pub fn outerjoin_on(self, target: impl JoinTarget, on: impl ExprLike) -> Self {
        self.push_join(JoinKind::Left, target, Some(on.into_node()))
    }

    /// `FULL OUTER JOIN target ON <inferred>`.
    pub fn full_join(self, target: impl JoinTarget) -> Self {
        self.push_join(JoinKind::Full, target, None)
    }

    /// `FULL OUTER JOIN target ON cond` (`Unsupported` on MySQL).
    pub fn full_join_on(self, target: impl JoinTarget, on: impl ExprLike) -> Self {
        self.push_join(JoinKind::Full, target, Some(on.into_node()))
    }

    /// GROUP BY one expression or a tuple of them.
    pub fn group_by(mut self, exprs: impl ExprList) -> Self {
        self.core.group_by.extend(exprs.into_nodes());
        self
    }

    /// HAVING (ANDed with any previous one).
    pub fn having(mut self, cond: impl ExprLike) -> Self {
        let node = cond.into_node();
        self.core.having = Some(match self.core.having.take() {
            Some(h) => h.and(node),
            None => node,
        });
        self
    }

    /// ORDER BY one expression or a tuple of them (`.desc()`, `.nulls_last()` ..).
    pub fn order_by(mut self, exprs: impl ExprList) -> Self {
        self.core.order_by.extend(exprs.into_nodes());
        self
    }

    /// LIMIT.
    pub fn limit(mut self, n: u64) -> Self {
        self.core.limit = Some(n);
        self
    }

    /// OFFSET.
    pub fn offset(mut self, n: u64) -> Self {
        self.core.offset = Some(n);
        self
    }

    /// SELECT DISTINCT.
    pub fn distinct(mut self) -> Self {
        self.core.distinct = true;
        self
    }

    /// `SELECT DISTINCT ON (exprs)`: one row per distinct value of `exprs`, the
    /// first in ORDER BY order (PostgreSQL; `Error::Unsupported` elsewhere,
    /// where a window function in a subquery does the same:
    /// `row_number() OVER (PARTITION BY ..) = 1`).
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, select, ExprLike, sql_type::{Integer, Text}};
    /// let md = MetaData::new();
    /// let t = md.table("t", |t| { t.column("id", Integer).primary_key(); t.column("name", Text); });
    /// let stmt = select((t.c("id"), t.c("name"))).distinct_on(t.c("name")).order_by((t.c("name"), t.c("id")));
    /// # let _ = stmt;
    /// ```
    pub fn distinct_on(mut self, exprs: impl ExprList) -> Self {
        self.core.distinct_on.extend(exprs.into_nodes());
        self
    }

    /// Correlate this SELECT, when nested in another, with exactly these FROM
    /// items of the enclosing queries (any level), and switch automatic
    /// correlation off (SQLAlchemy's `correlate`). `correlate(())` correlates
    /// with nothing: the subquery keeps every FROM item.
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, select, exists, ExprLike, dialect::GenericDialect, sql_type::Integer};
    /// let md = MetaData::new();
    /// let a = md.table("a", |t| { t.column("id", Integer).primary_key(); });
    /// let b = md.table("b", |t| { t.column("id", Integer).primary_key(); t.column("a_id", Integer); });
    /// let inner = select(b.c("id")).filter(b.c("a_id").eq(a.c("id")));
    /// let auto = select(a.c("id")).filter(exists(inner.clone()));
    /// assert_eq!(auto.compile(&GenericDialect).sql(),
    ///     "SELECT a.id FROM a WHERE EXISTS (SELECT b.id FROM b WHERE b.a_id = a.id)");
    /// let none = select(a.c("id")).filter(exists(inner.correlate(())));
    /// assert_eq!(none.compile(&GenericDialect).sql(),
    ///     "SELECT a.id FROM a WHERE EXISTS (SELECT b.id FROM b, a WHERE b.a_id = a.id)");
    /// ```
    pub fn correlate(mut self, froms: impl FromList) -> Self {
        self.core.correlation.manual = true;
        self.core.correlation.correlate.extend(froms.into_sources());
        self
    }

    /// Correlate this SELECT with every FROM item of the enclosing queries
    /// (any level) except these, and switch automatic correlation off
    /// (SQLAlchemy's `correlate_except`); `correlate_except(())` correlates
    /// with all of them.
    pub fn correlate_except(mut self, froms: impl FromList) -> Self {
        self.core.correlation.manual = true;
        self.core
            .correlation
            .correlate_except
            .get_or_insert_with(Vec::new)
            .extend(froms.into_sources());
        self
    }

    /// SELECT .. FOR UPDATE (ignored on SQLite, which locks the whole database).
    pub fn with_for_update(mut self) -> Self {
        self.core.for_update = true;
        self
    }

    /// A derived table: `(SELECT ..) AS name`, with `.c("col")` like a table.
    pub fn subquery(self, name: &str) -> Subquery {
        Subquery::new(self.into_stmt(), name)
    }

    /// A common table expression `WITH name AS (SELECT ..)`; `.recursive()` for WITH RECURSIVE.
    pub fn cte(self, name: &str) -> Cte {
        Cte::new(self.into_stmt(), name)
    }

    /// `(SELECT ..)` as a value in another statement (correlates automatically).
    pub fn scalar_subquery(self) -> Expr {
        Expr::new(Node::ScalarSubquery(Box::new(self.into_stmt())))
    }

    /// `EXISTS (SELECT ..)`.
    pub fn exists(self) -> Expr<bool> {
        crate::expr::exists(self)
    }

    /// `self UNION other`.
    pub fn union(self, other: impl IntoSelectStmt) -> CompoundSelect {
        CompoundSelect::new(
            SetOp::Union,
            vec![self.into_stmt(), other.into_select_stmt()],
        )
    }

    /// `self UNION ALL other`.
    pub fn union_all(self, other: impl IntoSelectStmt) -> CompoundSelect {
        CompoundSelect::new(
            SetOp::UnionAll,
            vec![self.into_stmt(), other.into_select_stmt()],
        )
    }

    /// Compile for a dialect. Panics when the statement cannot be compiled for
    /// it (use [`try_compile`](Self::try_compile) to get the error instead).
    pub fn compile(&self, dialect: &(impl AsDialect + ?Sized)) -> Compiled {
        self.try_compile(dialect).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Compile for a dialect.
    pub fn try_compile(&self, dialect: &(impl AsDialect + ?Sized)) -> Result<Compiled> {
        let dialect = dialect.as_dialect();
        crate::compiler::compile_select_core(&self.core, dialect)
    }
}

impl<R> Executable for Select<R> {
    fn cacheable(&self) -> bool {
        true
    }

    fn front_end_options(&self) -> usize {
        self.extensions.len()
    }

    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        self.try_compile(dialect)
    }
}
