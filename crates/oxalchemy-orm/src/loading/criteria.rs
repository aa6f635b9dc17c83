//! Global criteria (SQLAlchemy's `with_loader_criteria`): a condition on one
//! model added wherever the model appears in an ORM query: its FROM item
//! (WHERE), explicit joins and joined eager loading (the ON clause), the
//! EXISTS of `any()` / `has()`, and the statements of selectin and subquery
//! loading. Under an alias, the condition's columns are re-pointed at it.

use crate::events::{OrmRewrite, OrmStatementKind};
use crate::mapper::Mapper;
use crate::model::Model;
use crate::relationship_expr::adapt;
use crate::session::Session;
use oxalchemy_core::expr::{Node, Source};
use oxalchemy_core::stmt::{SelectCore, SelectStmt};
use oxalchemy_core::{Expr, Result, Table};
use std::fmt;

/// A condition every row of model `M` a query loads must meet, wherever `M`
/// appears in it (see [`with_loader_criteria`]).
#[derive(Clone)]
#[must_use = "loader criteria do nothing until passed to select(..).options(..) or session.add_loader_criteria(..)"]
pub struct LoaderCriteria {
    pub(crate) mapper: &'static Mapper,
    pub(crate) cond: Node,
}

impl fmt::Debug for LoaderCriteria {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "with_loader_criteria::<{}>(..)", self.mapper.model)
    }
}

/// SQLAlchemy's `with_loader_criteria(Address, Address.deleted_at.is_(None))`:
/// `cond` (over `M`'s columns) is added wherever `M` appears in the query:
/// to the WHERE for its FROM item, to the ON clause of a join to it
/// (`.join(User::ADDRESSES)`, `joinedload`), inside the EXISTS of
/// `any()` / `has()`, and to the statements of `selectinload` /
/// `subqueryload` the query issues. Where `M` appears under an alias, the
/// condition's columns refer to the alias.
///
/// `select(User).options(with_loader_criteria::<Address>(Address::DELETED_AT.is_null()))`
/// attaches it to one query; [`Session::add_loader_criteria`](crate::Session::add_loader_criteria)
/// to every ORM query of a session; a `DoOrmExecute` session listener
/// to every ORM query of an engine's sessions.
pub fn with_loader_criteria<M: Model>(cond: Expr<bool>) -> LoaderCriteria {
    LoaderCriteria {
        mapper: M::mapper(),
        cond: cond.into_node(),
    }
}

fn same_table(source: &Source, table: &Table) -> bool {
    source
        .table()
        .is_some_and(|t| t.name() == table.name() && t.schema() == table.schema())
}

fn and(slot: &mut Option<Node>, cond: Node) {
    *slot = Some(match slot.take() {
        Some(w) => w.and(cond),
        None => cond,
    });
}

/// The FROM items the columns of `node` come from (what the compiler
/// infers the FROM from), not looking into nested SELECTs.
fn column_sources(node: &Node, out: &mut Vec<Source>) {
    match node {
        Node::Column { source, .. } => out.push(source.clone()),
        Node::Label { operand, .. }
        | Node::Cast { operand, .. }
        | Node::Unary { operand, .. }
        | Node::IsNull { operand, .. } => column_sources(operand, out),
        Node::Binary { left, right, .. } => {
            column_sources(left, out);
            column_sources(right, out);
        }
        Node::Func { args, .. } | Node::Tuple(args) => {
            for a in args {
                column_sources(a, out);
            }
        }
        Node::Case { whens, else_ } => {
            for (c, v) in whens {
                column_sources(c, out);
                column_sources(v, out);
            }
            if let Some(e) = else_ {
                column_sources(e, out);
            }
        }
        Node::Over { func, .. } => column_sources(func, out),
        _ => {}
    }
}

/// The criteria in force for one query and its relationship loads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Criteria(pub(crate) Vec<LoaderCriteria>);

impl Criteria {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The conditions for `source` (a FROM item of `table`'s model).
    fn conds_for(&self, source: &Source) -> Vec<Node> {
        self.0
            .iter()
            .filter_map(|c| {
                let table = (c.mapper.table_fn)();
                same_table(source, table).then(|| adapt(c.cond.clone(), table, source))
            })
            .collect()
    }

    /// The condition of `mapper`'s criteria on its own table, if any
    /// (`session.get`).
    pub(crate) fn for_mapper(&self, mapper: &'static Mapper) -> Option<Node> {
        if self.is_empty() {
            return None;
        }
        self.conds_for(&Source::Static(mapper.table_fn))
            .into_iter()
            .reduce(Node::and)
    }

    /// Add the criteria to `core`: WHERE for its FROM items (explicit, or
    /// those of its result columns, also inside functions: `count(User::ID)`), ON for its joins, and inside the
    /// EXISTS subqueries of its WHERE.
    pub(crate) fn apply(&self, core: &mut SelectCore) {
        if self.is_empty() {
            return;
        }
        let mut sources: Vec<Source> = Vec::new();
        let joined: Vec<Source> = core.joins.iter().map(|j| j.target.clone()).collect();
        let mut candidates = core.from.clone();
        for c in &core.columns {
            column_sources(c, &mut candidates);
        }
        for source in candidates {
            let key = source.key();
            if !joined.iter().any(|j| j.key() == key) && !sources.iter().any(|s| s.key() == key) {
                sources.push(source);
            }
        }
        if let Some(w) = core.where_.as_mut() {
            self.apply_exists(w);
        }
        for source in &sources {
            for cond in self.conds_for(source) {
                and(&mut core.where_, cond);
            }
        }
        self.apply_joins(core, 0);
    }

    /// Add the criteria to the ON clause of `core`'s joins from `start` on.
    pub(crate) fn apply_joins(&self, core: &mut SelectCore, start: usize) {
        for join in core.joins.iter_mut().skip(start) {
            for cond in self.conds_for(&join.target) {
                and(&mut join.on, cond);
            }
        }
    }

    /// Add the criteria inside the EXISTS subqueries of a condition
    /// (`User::ADDRESSES.any(..)`), through AND / OR / NOT.
    fn apply_exists(&self, node: &mut Node) {
        match node {
            Node::Exists { select, .. } => {
                if let SelectStmt::Simple(core) = &mut **select {
                    self.apply(core);
                }
            }
            Node::Binary { left, right, .. } => {
                self.apply_exists(left);
                self.apply_exists(right);
            }
            Node::Unary { operand, .. } => self.apply_exists(operand),
            _ => {}
        }
    }
}

impl Session {
    /// Add `criteria` to every ORM query this session runs from now on
    /// (`session.scalars(..)`, the SELECT of `session.get(..)`,
    /// `session.load(..)`, and their relationship loads): a per-session
    /// tenant filter, `session.add_loader_criteria(with_loader_criteria::<Doc>(Doc::TENANT.eq(7)))`.
    pub fn add_loader_criteria(&mut self, criteria: LoaderCriteria) {
        self.loader_criteria.push(criteria);
    }

    /// Remove the criteria [`add_loader_criteria`](Self::add_loader_criteria) added.
    pub fn clear_loader_criteria(&mut self) {
        self.loader_criteria.clear();
    }

    /// The criteria of an ORM statement about to run: the session's, the
    /// statement's (`from_stmt`), and those `DoOrmExecute` listeners add;
    /// with the listeners' changes to the statement (`select`: the query of
    /// a `Select`).
    pub(crate) fn orm_criteria(
        &self,
        from_stmt: Vec<LoaderCriteria>,
        kind: OrmStatementKind,
        select: Option<&SelectCore>,
    ) -> Result<(Criteria, OrmRewrite)> {
        // The common case (no criteria, no listener) costs a few loads: `get` runs this per miss.
        if self.loader_criteria.is_empty()
            && from_stmt.is_empty()
            && !self
                .listeners
                .has(crate::events::SessionEvent::DoOrmExecute)
        {
            return Ok((Criteria::default(), OrmRewrite::default()));
        }
        let mut all = self.loader_criteria.clone();
        all.extend(from_stmt);
        let (added, rewrite) = self.listeners.fire_orm_execute(self, kind, select)?;
        all.extend(added);
        Ok((Criteria(all), rewrite))
    }
}
