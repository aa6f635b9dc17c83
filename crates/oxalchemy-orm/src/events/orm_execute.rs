//! What a `DoOrmExecute` listener sees of the statement about to run and
//! how it may rewrite it (SQLAlchemy's `ORMExecuteState`: `is_select`,
//! `is_update`, `is_delete`, and assigning `orm_execute_state.statement`).
//!
//! The statement is offered as data only while a listener runs: a session
//! without `DoOrmExecute` listeners never clones or inspects it.

use oxalchemy_core::expr::Node;
use oxalchemy_core::stmt::SelectCore;
use oxalchemy_core::{Error, Result};
use std::cell::{Ref, RefCell};
use std::ops::Deref;

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
/// The query is borrowed and copied only when a listener rewrites it: a
/// listener that only adds criteria (soft delete, tenants) costs no clone.
pub(crate) struct OrmExecute<'s> {
    pub(crate) kind: OrmStatementKind,
    /// The SELECT as the caller built it (`Select` only).
    original: Option<&'s SelectCore>,
    /// The SELECT as listeners rewrote it, once one did.
    rewritten: RefCell<Option<SelectCore>>,
    /// Conditions the listeners ANDed into the WHERE.
    filters: RefCell<Vec<Node>>,
}

/// The query a `DoOrmExecute` listener sees
/// ([`SessionContext::select`](super::SessionContext::select)): the
/// caller's, or as earlier listeners rewrote it. Derefs to [`SelectCore`].
pub struct SelectView<'a>(View<'a>);

enum View<'a> {
    Original(&'a SelectCore),
    Rewritten(Ref<'a, SelectCore>),
}

impl Deref for SelectView<'_> {
    type Target = SelectCore;

    fn deref(&self) -> &SelectCore {
        match &self.0 {
            View::Original(core) => core,
            View::Rewritten(core) => core,
        }
    }
}

impl<'s> OrmExecute<'s> {
    pub(crate) fn new(kind: OrmStatementKind, select: Option<&'s SelectCore>) -> Self {
        OrmExecute {
            kind,
            original: select,
            rewritten: RefCell::new(None),
            filters: RefCell::new(Vec::new()),
        }
    }

    /// The query as it stands (`None` for other operations).
    pub(crate) fn select(&self) -> Option<SelectView<'_>> {
        match Ref::filter_map(self.rewritten.borrow(), Option::as_ref) {
            Ok(core) => Some(SelectView(View::Rewritten(core))),
            Err(_) => self.original.map(|core| SelectView(View::Original(core))),
        }
    }

    /// Run `f` on the SELECT (copied on the first rewrite); its result
    /// columns must stay as they were (the rows decode into the entity the
    /// caller asked for).
    pub(crate) fn rewrite(&self, f: impl FnOnce(&mut SelectCore)) -> Result<()> {
        let Some(original) = self.original else {
            return Err(Error::invalid_request(format!(
                "SessionContext::rewrite_select for a {:?} operation: only the SELECT of \
                 session.scalars(..) can be rewritten; use ctx.filter(cond) to restrict a get, \
                 a bulk UPDATE or DELETE, or ctx.add_criteria::<M>(cond) for relationship loads",
                self.kind
            )));
        };
        let mut slot = self.rewritten.borrow_mut();
        let core = slot.get_or_insert_with(|| original.clone());
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
        OrmRewrite {
            select: self.rewritten.into_inner(),
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
