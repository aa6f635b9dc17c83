//! The statements loaders send: a relationship's link columns, the child
//! query (`SELECT target.* .. WHERE link IN (..)`), ORDER BY of a collection.

use super::keys::{Key, key_of, key_of_raw};
use crate::any_model::AnyModel;
use crate::resolved_relationship::ResolvedRelationship;
use oxalchemy_core::expr::{Node, Source};
use oxalchemy_core::stmt::{JoinClause, JoinKind, SelectCore, SelectStmt};
use oxalchemy_core::{SqlType, Value};
use std::borrow::Cow;

/// A column of a FROM item as an AST node.
pub(crate) fn col(source: &Source, name: &str) -> Node {
    Node::Column {
        source: source.clone(),
        name: Cow::Owned(name.to_owned()),
    }
}

/// `a1 = b1 AND a2 = b2 ..`.
pub(crate) fn all_equal(pairs: impl IntoIterator<Item = (Node, Node)>) -> Node {
    pairs
        .into_iter()
        .map(|(a, b)| a.equals(b))
        .reduce(Node::and)
        .unwrap_or(Node::Null)
}

/// One node for a list of columns: the column itself, or a row value `(a, b)`.
pub(crate) fn row_value(mut nodes: Vec<Node>) -> Node {
    if nodes.len() == 1 {
        nodes.remove(0)
    } else {
        Node::Tuple(nodes)
    }
}

/// `link IN (k1, k2, ..)`, or `(a, b) IN ((1, 2), (3, 4))` for a composite key.
pub(crate) fn in_keys(link: Vec<Node>, keys: &[Vec<Value>]) -> Node {
    let items = keys
        .iter()
        .map(|k| row_value(k.iter().cloned().map(Node::Param).collect()))
        .collect();
    Node::InList {
        operand: Box::new(row_value(link)),
        items,
        negated: false,
    }
}

/// `link IN (SELECT ..)`.
pub(crate) fn in_select(link: Vec<Node>, select: SelectStmt) -> Node {
    Node::InSelect {
        operand: Box::new(row_value(link)),
        select: Box::new(select),
        negated: false,
    }
}

/// What the loaders, joins and `any()` / `has()` build from a resolved relationship.
impl ResolvedRelationship {
    /// The owner's columns whose values pick the children.
    pub(crate) fn owner_cols(&self) -> Vec<&str> {
        match &self.secondary {
            Some(s) => s.owner_pairs.iter().map(|(o, _)| o.as_str()).collect(),
            None => self.pairs.iter().map(|(o, _)| o.as_str()).collect(),
        }
    }

    /// The columns (of the target's table, or the association table) equal to the owner's columns.
    pub(crate) fn link_cols(&self) -> Vec<&str> {
        match &self.secondary {
            Some(s) => s.owner_pairs.iter().map(|(_, a)| a.as_str()).collect(),
            None => self.pairs.iter().map(|(_, t)| t.as_str()).collect(),
        }
    }

    /// The key of an owner object (its owner columns), `None` when one is NULL.
    pub(crate) fn owner_key(&self, obj: &dyn AnyModel) -> Option<(Key, Vec<Value>)> {
        let values = obj.to_values();
        let picked: Vec<&Value> = self
            .owner_positions()
            .iter()
            .map(|&i| values.get(i).unwrap_or(&Value::Null))
            .collect();
        let key = key_of(&picked)?;
        Some((key, picked.into_iter().cloned().collect()))
    }

    /// The key of a child row's link values (as read from the database).
    pub(crate) fn link_key(&self, link: &[Value]) -> Option<Key> {
        let pairs: Vec<(&Value, &SqlType)> = link.iter().zip(self.link_types.iter()).collect();
        key_of_raw(&pairs)
    }

    /// The JOINs from `owner` (a FROM item of the query) to `target`
    /// (`secondary` is the association table's FROM item of a many-to-many).
    pub(crate) fn joins(
        &self,
        kind: JoinKind,
        owner: &Source,
        target: &Source,
        secondary: Option<&Source>,
    ) -> Vec<JoinClause> {
        match (&self.secondary, secondary) {
            (Some(s), Some(sec)) => vec![
                JoinClause {
                    kind,
                    target: sec.clone(),
                    on: Some(all_equal(
                        s.owner_pairs
                            .iter()
                            .map(|(o, a)| (col(owner, o), col(sec, a))),
                    )),
                },
                JoinClause {
                    kind,
                    target: target.clone(),
                    on: Some(all_equal(
                        s.target_pairs
                            .iter()
                            .map(|(t, a)| (col(target, t), col(sec, a))),
                    )),
                },
            ],
            _ => vec![JoinClause {
                kind,
                target: target.clone(),
                on: Some(self.condition(owner, target)),
            }],
        }
    }

    /// `owner.col = target.col AND ..` (not for many-to-many).
    pub(crate) fn condition(&self, owner: &Source, target: &Source) -> Node {
        all_equal(
            self.pairs
                .iter()
                .map(|(o, t)| (col(owner, o), col(target, t))),
        )
    }

    /// The child query: the target's columns (mapper order), then the link
    /// columns, joined to the association table for a many-to-many, filtered
    /// by `filter(link columns)`, in the relationship's `order_by`.
    pub(crate) fn child_core(&self, filter: impl FnOnce(Vec<Node>) -> Node) -> SelectCore {
        let target = Source::Static(self.target.table_fn);
        let mut columns: Vec<Node> = self
            .target
            .columns
            .iter()
            .map(|c| col(&target, c.name))
            .collect();
        let (link_source, joins) = match &self.secondary {
            Some(s) => {
                let sec = Source::Table(s.table.clone());
                let on = all_equal(
                    s.target_pairs
                        .iter()
                        .map(|(t, a)| (col(&target, t), col(&sec, a))),
                );
                (
                    sec.clone(),
                    vec![JoinClause {
                        kind: JoinKind::Inner,
                        target: sec,
                        on: Some(on),
                    }],
                )
            }
            None => (target.clone(), Vec::new()),
        };
        let link: Vec<Node> = self
            .link_cols()
            .iter()
            .map(|c| col(&link_source, c))
            .collect();
        let mut where_ = filter(link.clone());
        let mut joins = joins;
        if self.target.inheritance.is_some() {
            // A class of a hierarchy (or a polymorphic enum): its columns from
            // the tables that hold them, its joins, its discriminator criterion.
            let mut entity = SelectCore::default();
            crate::inheritance::push_entity(self.target, &mut entity);
            columns = entity.columns;
            let mut all = entity.joins;
            all.append(&mut joins);
            joins = all;
            if let Some(c) = entity.where_ {
                where_ = where_.and(c);
            }
        }
        columns.extend(link.iter().cloned());
        SelectCore {
            columns,
            from: vec![target.clone()],
            joins,
            where_: Some(where_),
            order_by: self.order_by(&target),
            ..Default::default()
        }
    }

    /// Width of the child query's own columns (target + link columns).
    pub(crate) fn child_width(&self) -> usize {
        self.target.columns.len() + self.link_cols().len()
    }

    /// ORDER BY terms of the relationship's `order_by`, on `target`.
    pub(crate) fn order_by(&self, target: &Source) -> Vec<Node> {
        self.mapping
            .order_by
            .iter()
            .map(|term| Node::Order {
                operand: Box::new(col(target, term.column)),
                desc: term.desc,
                nulls: None,
            })
            .collect()
    }
}
