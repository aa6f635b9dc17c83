//! Derived tables (`(SELECT ..) AS name`) and common table expressions.

use super::compound::{CompoundSelect, SetOp};
use super::select::{IntoSelectStmt, SelectStmt};
use crate::expr::{Column, Source};
use std::fmt;
use std::sync::Arc;

struct Inner {
    stmt: SelectStmt,
    name: String,
    columns: Vec<Option<String>>,
    recursive: bool,
}

fn lookup(kind: &str, inner: &Inner, name: &str) -> Option<String> {
    let _ = kind;
    inner
        .columns
        .iter()
        .flatten()
        .find(|c| c.as_str() == name)
        .cloned()
}

fn missing(kind: &str, inner: &Inner, name: &str) -> ! {
    let known: Vec<&str> = inner.columns.iter().flatten().map(String::as_str).collect();
    panic!(
        "{kind} {:?} has no column {:?}; its columns are: {} (label expressions with .label(..) to name them)",
        inner.name,
        name,
        known.join(", ")
    )
}

/// `(SELECT ..) AS name`: a SELECT used as a table.
///
/// ```
/// use oxalchemy_core::{MetaData, select, func, ExprLike, sql_type::Integer};
/// let md = MetaData::new();
/// let addresses = md.table("addresses", |t| { t.column("id", Integer).primary_key(); t.column("user_id", Integer); });
/// let counts = select((addresses.c("user_id"), func::count(addresses.c("id")).label("n")))
///     .group_by(addresses.c("user_id"))
///     .subquery("counts");
/// let _n = counts.c("n");
/// ```
#[derive(Clone)]
pub struct Subquery(Arc<Inner>);

impl fmt::Debug for Subquery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Subquery({}: {:?})", self.0.name, self.0.stmt)
    }
}

impl Subquery {
    /// Wrap a statement.
    pub fn new(stmt: SelectStmt, name: &str) -> Self {
        let columns = stmt.output_names();
        Subquery(Arc::new(Inner {
            stmt,
            name: name.to_owned(),
            columns,
            recursive: false,
        }))
    }
    /// The alias.
    pub fn name(&self) -> &str {
        &self.0.name
    }
    /// The wrapped statement.
    pub fn stmt(&self) -> &SelectStmt {
        &self.0.stmt
    }
    /// A result column; panics naming the subquery's columns when missing.
    pub fn c(&self, name: &str) -> Column {
        self.get_column(name)
            .unwrap_or_else(|| missing("subquery", &self.0, name))
    }
    /// A result column, or `None`.
    pub fn get_column(&self, name: &str) -> Option<Column> {
        let n = lookup("subquery", &self.0, name)?;
        Some(Column::new(Source::Subquery(self.clone()), n))
    }
    /// The same derived table under another name (SQLAlchemy's
    /// `subquery.alias("a")`), to use it twice in one statement.
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, select, ExprLike, dialect::GenericDialect, sql_type::Integer};
    /// let md = MetaData::new();
    /// let t = md.table("t", |t| { t.column("id", Integer).primary_key(); t.column("x", Integer); });
    /// let sq = select((t.c("id"), t.c("x"))).subquery("sq");
    /// let other = sq.alias("other");
    /// let c = select((sq.c("id"), other.c("id")))
    ///     .join_on(&other, sq.c("x").eq(other.c("x")))
    ///     .compile(&GenericDialect);
    /// assert_eq!(c.sql(), "SELECT sq.id, other.id FROM (SELECT t.id, t.x FROM t) AS sq \
    ///     JOIN (SELECT t.id, t.x FROM t) AS other ON sq.x = other.x");
    /// ```
    pub fn alias(&self, name: &str) -> Subquery {
        Subquery(Arc::new(Inner {
            stmt: self.0.stmt.clone(),
            name: name.to_owned(),
            columns: self.0.columns.clone(),
            recursive: false,
        }))
    }
}

/// A common table expression: `WITH name AS (SELECT ..)`.
///
/// A recursive CTE starts from its anchor (`select(..).cte("name").recursive()`)
/// and adds the recursive part with [`union_all`](Cte::union_all), which may
/// refer to the CTE's own columns.
///
/// [`alias`](Cte::alias) names a second reference to the same CTE, for a self-join.
#[derive(Clone)]
pub struct Cte(Arc<Inner>, Option<Arc<str>>);

impl fmt::Debug for Cte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.1 {
            Some(alias) => write!(f, "Cte({} AS {alias}: {:?})", self.0.name, self.0.stmt),
            None => write!(f, "Cte({}: {:?})", self.0.name, self.0.stmt),
        }
    }
}

impl Cte {
    /// Wrap a statement.
    pub fn new(stmt: SelectStmt, name: &str) -> Self {
        let columns = stmt.output_names();
        Cte(
            Arc::new(Inner {
                stmt,
                name: name.to_owned(),
                columns,
                recursive: false,
            }),
            None,
        )
    }
    /// Mark as `WITH RECURSIVE`.
    pub fn recursive(self) -> Self {
        Cte(
            Arc::new(Inner {
                stmt: self.0.stmt.clone(),
                name: self.0.name.clone(),
                columns: self.0.columns.clone(),
                recursive: true,
            }),
            self.1,
        )
    }
    /// A second reference to this CTE under another name (`FROM c AS c2`),
    /// for a self-join; the WITH clause still declares the CTE once.
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, select, ExprLike, dialect::GenericDialect, sql_type::Integer};
    /// let md = MetaData::new();
    /// let t = md.table("t", |t| { t.column("id", Integer).primary_key(); t.column("x", Integer); });
    /// let c = select((t.c("id"), t.c("x"))).cte("c");
    /// let (c1, c2) = (c.alias("c1"), c.alias("c2"));
    /// let sql = select((c1.c("id"), c2.c("id")))
    ///     .join_on(&c2, c1.c("x").eq(c2.c("x")).and(c1.c("id").lt(c2.c("id"))))
    ///     .compile(&GenericDialect);
    /// assert_eq!(sql.sql(), "WITH c AS (SELECT t.id, t.x FROM t) SELECT c1.id, c2.id \
    ///     FROM c AS c1 JOIN c AS c2 ON c1.x = c2.x AND c1.id < c2.id");
    /// ```
    pub fn alias(&self, name: &str) -> Cte {
        Cte(self.0.clone(), Some(Arc::from(name)))
    }
    /// The name the statement refers to this CTE by: the alias, else the CTE's name.
    pub fn reference_name(&self) -> &str {
        self.1.as_deref().unwrap_or(&self.0.name)
    }
    /// The alias, when this is a second reference made with [`alias`](Cte::alias).
    pub fn alias_name(&self) -> Option<&str> {
        self.1.as_deref()
    }
    /// True for a recursive CTE.
    pub fn is_recursive(&self) -> bool {
        self.0.recursive
    }
    /// The CTE's name.
    pub fn name(&self) -> &str {
        &self.0.name
    }
    /// The CTE's statement.
    pub fn stmt(&self) -> &SelectStmt {
        &self.0.stmt
    }
    /// The CTE's column names.
    pub fn column_names(&self) -> Vec<&str> {
        self.0
            .columns
            .iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }
    /// A column; panics naming the CTE's columns when missing.
    pub fn c(&self, name: &str) -> Column {
        self.get_column(name)
            .unwrap_or_else(|| missing("CTE", &self.0, name))
    }
    /// A column, or `None`.
    pub fn get_column(&self, name: &str) -> Option<Column> {
        let n = lookup("CTE", &self.0, name)?;
        Some(Column::new(Source::Cte(self.clone()), n))
    }
    fn combine(&self, op: SetOp, other: impl IntoSelectStmt) -> Cte {
        let stmt = CompoundSelect::new(op, vec![self.0.stmt.clone(), other.into_select_stmt()])
            .into_stmt();
        Cte(
            Arc::new(Inner {
                stmt,
                name: self.0.name.clone(),
                columns: self.0.columns.clone(),
                recursive: self.0.recursive,
            }),
            None,
        )
    }
    /// The CTE's body `UNION ALL other` (the recursive step of a recursive CTE).
    pub fn union_all(&self, other: impl IntoSelectStmt) -> Cte {
        self.combine(SetOp::UnionAll, other)
    }
    /// The CTE's body `UNION other`.
    pub fn union(&self, other: impl IntoSelectStmt) -> Cte {
        self.combine(SetOp::Union, other)
    }
}
