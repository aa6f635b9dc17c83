//! What a `DoOrmExecute` listener sees of the statement about to run and
//! how it may rewrite it (SQLAlchemy's `ORMExecuteState`: `is_select`,
//! `is_update`, `is_delete`, and assigning `orm_execute_state.statement`).
//!
//! The statement is offered as data only while a listener runs: a session
//! without `DoOrmExecute` listeners never clones or inspects it.

use oxalchemy_core::expr::Node;
use oxalchemy_core::stmt::SelectCore;
use oxalchemy_core::{Error, Result};
use std::cell::RefCell;

/// Which ORM operation a `DoOrmExecute` listener is called for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrmStatementKind {
    /// `session.scalars(select(..))`: the listener may read and rewrite the
    /// SELECT ([`SessionContext::select`](super::SessionContext::select),
    /// [`rewrite_select`](super::SessionContext::rewrite_select),
    /// [`filter`](super::SessionContext::filter)).
    Select,
    /// The SELECT of `session.get(..)` for an identity the session does not
    /// hold (SQLAlchemy's `is_select` with a primary-key load):
    /// [`filter`](super::SessionContext::filter) adds to its WHERE.
    Get,
    /// An ORM-enabled bulk `update(M)` through `session.execute(..)`:
    /// [`filter`](super::SessionContext::filter) adds to its WHERE.
    Update,
    /// An ORM-enabled bulk `delete(M)` through `session.execute(..)`:
    /// [`filter`](super::SessionContext::filter) adds to its WHERE.
    Delete,
    /// `session.load(..)`: relationship loads of objects already held
    /// (SQLAlchemy's `is_relationship_load`). Only criteria apply to it.
    RelationshipLoad,
}

impl OrmStatementKind {
    /// SQLAlchemy's `is_select`: a query (`Select`, `Get`, `RelationshipLoad`).
    pub fn is_select(self) -> bool {
        matches!(
            self,
            OrmStatementKind::Select | OrmStatementKind::Get | OrmStatementKind::RelationshipLoad
        )
    }
}

/// The statement of one `DoOrmExecute` firing and the listeners' changes.
pub(crate) struct OrmExecute {
    pub(crate) kind: OrmStatementKind,
    /// The SELECT (`Select` only), as the listeners left it.
    pub(crate) select: RefCell<Option<SelectCore>>,
    /// A listener replaced or changed the SELECT.
    pub(crate) rewritten: RefCell<bool>,
    /// Conditions the listeners ANDed into the WHERE.
    pub(crate) filters: RefCell<Vec<Node>>,
}

impl OrmExecute {
    pub(crate) fn new(kind: OrmStatementKind, select: Option<&SelectCore>) -> Self {
        OrmExecute {
            kind,
            select: RefCell::new(select.cloned()),
            rewritten: RefCell::new(false),
            filters: RefCell::new(Vec::new()),
        }
    }

    /// Run `f` on the SELECT; its result columns must stay as they were
    /// (the rows decode into the entity the caller asked for).
    pub(crate) fn rewrite(&self, f: impl FnOnce(&mut SelectCore)) -> Result<()> {
        let mut slot = self.select.borrow_mut();
        let Some(core) = slot.as_mut() else {
            return Err(Error::invalid_request(format!(
                "SessionContext::rewrite_select for a {:?} operation: only the SELECT of \
                 session.scalars(..) can be rewritten; use ctx.filter(cond) to restrict a get, \
                 a bulk UPDATE or DELETE, or ctx.add_criteria::<M>(cond) for relationship loads",
                self.kind
            )));
        };
        let before = core.columns.clone();
        f(core);
        if !same_columns(&before, &core.columns) {
            core.columns = before;
            return Err(Error::argument(
                "a DoOrmExecute listener changed the result columns of an ORM query: its rows \
                 decode into the entities the caller selected, so only the WHERE, joins, ORDER \
                 BY, LIMIT / OFFSET, DISTINCT and FOR UPDATE may change; run a different \
                 query instead",
            ));
        }
        *self.rewritten.borrow_mut() = true;
        Ok(())
    }

    /// AND `cond` into the statement's WHERE.
    pub(crate) fn filter(&self, cond: Node) -> Result<()> {
        if self.kind == OrmStatementKind::RelationshipLoad {
            return Err(Error::invalid_request(
                "SessionContext::filter in a DoOrmExecute listener for session.load(..): a \
                 relationship load has no single statement to filter; use \
                 ctx.add_criteria::<M>(cond), which every relationship load applies",
            ));
        }
        self.filters.borrow_mut().push(cond);
        Ok(())
    }

    /// What the listeners asked for, once they all ran.
    pub(crate) fn into_rewrite(self) -> OrmRewrite {
        let rewritten = self.rewritten.into_inner();
        OrmRewrite {
            select: if rewritten {
                self.select.into_inner()
            } else {
                None
            },
            filter: self.filters.into_inner().into_iter().reduce(Node::and),
        }
    }
}

/// Node has no `PartialEq`: its debug form is a faithful structural print.
fn same_columns(a: &[Node], b: &[Node]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| format!("{x:?}") == format!("{y:?}"))
}

/// The changes `DoOrmExecute` listeners made to one statement.
#[derive(Debug, Default)]
pub(crate) struct OrmRewrite {
    /// The rewritten SELECT (`None`: unchanged).
    pub(crate) select: Option<SelectCore>,
    /// The conditions ANDed together (`None`: none).
    pub(crate) filter: Option<Node>,
}

impl OrmRewrite {
    /// True when the statement runs as the caller built it.
    pub(crate) fn is_empty(&self) -> bool {
        self.select.is_none() && self.filter.is_none()
    }
}
