//! UNION / INTERSECT / EXCEPT.

use super::lists::ExprList;
use super::select::{IntoSelectStmt, SelectStmt};
use super::subquery::{Cte, Subquery};
use crate::compiled::{Compiled, Executable};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::expr::Node;

/// A set operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    /// UNION (duplicates removed).
    Union,
    /// UNION ALL.
    UnionAll,
    /// INTERSECT.
    Intersect,
    /// INTERSECT ALL.
    IntersectAll,
    /// EXCEPT.
    Except,
    /// EXCEPT ALL.
    ExceptAll,
}

impl SetOp {
    /// The SQL keyword(s).
    pub fn sql(self) -> &'static str {
        match self {
            SetOp::Union => "UNION",
            SetOp::UnionAll => "UNION ALL",
            SetOp::Intersect => "INTERSECT",
            SetOp::IntersectAll => "INTERSECT ALL",
            SetOp::Except => "EXCEPT",
            SetOp::ExceptAll => "EXCEPT ALL",
        }
    }
}

/// The parts of a set operation.
#[derive(Debug, Clone)]
pub struct CompoundCore {
    /// The operator between every pair of members.
    pub op: SetOp,
    /// The member SELECTs.
    pub selects: Vec<SelectStmt>,
    /// ORDER BY of the whole result.
    pub order_by: Vec<Node>,
    /// LIMIT of the whole result.
    pub limit: Option<u64>,
    /// OFFSET of the whole result.
    pub offset: Option<u64>,
}

/// A set operation over SELECTs: `union(a, b)`, `a.union_all(b)`.
///
/// ORDER BY / LIMIT apply to the whole result; refer to result columns by the
/// first member's columns.
#[derive(Debug, Clone)]
pub struct CompoundSelect {
    core: CompoundCore,
}

impl CompoundSelect {
    /// A set operation over `selects`.
    pub fn new(op: SetOp, selects: Vec<SelectStmt>) -> Self {
        CompoundSelect {
            core: CompoundCore {
                op,
                selects,
                order_by: Vec::new(),
                limit: None,
                offset: None,
            },
        }
    }

    /// The statement.
    pub fn into_stmt(self) -> SelectStmt {
        SelectStmt::Compound(Box::new(self.core))
    }

    /// ORDER BY of the whole result.
    pub fn order_by(mut self, exprs: impl ExprList) -> Self {
        self.core.order_by.extend(exprs.into_nodes());
        self
    }

    /// LIMIT of the whole result.
    pub fn limit(mut self, n: u64) -> Self {
        self.core.limit = Some(n);
        self
    }

    /// OFFSET of the whole result.
    pub fn offset(mut self, n: u64) -> Self {
        self.core.offset = Some(n);
        self
    }

    /// A derived table over the result.
    pub fn subquery(self, name: &str) -> Subquery {
        Subquery::new(self.into_stmt(), name)
    }

    /// A CTE over the result.
    pub fn cte(self, name: &str) -> Cte {
        Cte::new(self.into_stmt(), name)
    }

    /// Compile for a dialect; panics when it cannot be (see `try_compile`).
    pub fn compile(&self, dialect: &dyn Dialect) -> Compiled {
        self.try_compile(dialect).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Compile for a dialect.
    pub fn try_compile(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        crate::compiler::compile_select_stmt(
            &SelectStmt::Compound(Box::new(self.core.clone())),
            dialect,
        )
    }
}

impl IntoSelectStmt for CompoundSelect {
    fn into_select_stmt(self) -> SelectStmt {
        self.into_stmt()
    }
}

impl Executable for CompoundSelect {
    fn cacheable(&self) -> bool {
        true
    }

    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        self.try_compile(dialect)
    }
}

fn compound(op: SetOp, a: impl IntoSelectStmt, b: impl IntoSelectStmt) -> CompoundSelect {
    CompoundSelect::new(op, vec![a.into_select_stmt(), b.into_select_stmt()])
}

/// `a UNION b`.
pub fn union(a: impl IntoSelectStmt, b: impl IntoSelectStmt) -> CompoundSelect {
    compound(SetOp::Union, a, b)
}
/// `a UNION ALL b`.
pub fn union_all(a: impl IntoSelectStmt, b: impl IntoSelectStmt) -> CompoundSelect {
    compound(SetOp::UnionAll, a, b)
}
/// `a INTERSECT b`.
pub fn intersect(a: impl IntoSelectStmt, b: impl IntoSelectStmt) -> CompoundSelect {
    compound(SetOp::Intersect, a, b)
}
/// `a INTERSECT ALL b`.
pub fn intersect_all(a: impl IntoSelectStmt, b: impl IntoSelectStmt) -> CompoundSelect {
    compound(SetOp::IntersectAll, a, b)
}
/// `a EXCEPT b`.
pub fn except(a: impl IntoSelectStmt, b: impl IntoSelectStmt) -> CompoundSelect {
    compound(SetOp::Except, a, b)
}
/// `a EXCEPT ALL b`.
pub fn except_all(a: impl IntoSelectStmt, b: impl IntoSelectStmt) -> CompoundSelect {
    compound(SetOp::ExceptAll, a, b)
}
