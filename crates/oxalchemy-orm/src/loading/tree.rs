//! The loader options of a query as a tree (one per root model), and the
//! decision, per relationship, of how it loads: the option given for it, or
//! the relationship's own `lazy = ".."` setting.

use super::options::{LoaderOption, Strategy};
use crate::mapper::{Mapper, RelationshipMapping};
use oxalchemy_core::{Error, Result};

/// Self-referential relationships loaded by their `lazy` setting stop after
/// this many levels (a cycle in the data would otherwise never end).
const MAX_SELF_DEPTH: usize = 32;

/// The options below one model of a loader path.
#[derive(Debug, Default)]
pub(crate) struct LoadNode {
    pub(crate) children: Vec<LoadChild>,
    /// Only the relationships named here load (no `lazy` defaults): `session.load`.
    pub(crate) exclusive: bool,
}

/// An option for one relationship, and the options below its target.
#[derive(Debug)]
pub(crate) struct LoadChild {
    pub(crate) rel: &'static RelationshipMapping,
    pub(crate) strategy: Strategy,
    pub(crate) node: LoadNode,
}

impl LoadNode {
    fn child(&self, rel: &'static RelationshipMapping) -> Option<&LoadChild> {
        self.children.iter().find(|c| std::ptr::eq(c.rel, rel))
    }
}

/// The options of a query, per root model.
#[derive(Debug, Default)]
pub(crate) struct LoadTree {
    pub(crate) roots: Vec<(&'static Mapper, LoadNode)>,
}

impl LoadTree {
    /// Merge loader paths into one tree; a later strategy for the same step
    /// replaces an earlier one (`defaultload` never replaces another).
    pub(crate) fn build(options: &[LoaderOption]) -> Result<LoadTree> {
        let mut tree = LoadTree::default();
        for option in options {
            let Some(first) = option.steps.first() else {
                continue;
            };
            let pos = match tree
                .roots
                .iter()
                .position(|(m, _)| std::ptr::eq(*m, first.owner))
            {
                Some(p) => p,
                None => {
                    tree.roots.push((first.owner, LoadNode::default()));
                    tree.roots.len() - 1
                }
            };
            let mut node = &mut tree.roots[pos].1;
            let mut owner = first.owner;
            for step in &option.steps {
                if !std::ptr::eq(step.owner, owner) {
                    return Err(Error::argument(format!(
                        "loader option {:?}: {}.{} does not belong to {}, the model the previous step loads",
                        option, step.owner.model, step.rel.field, owner.model
                    )));
                }
                let i = match node
                    .children
                    .iter()
                    .position(|c| std::ptr::eq(c.rel, step.rel))
                {
                    Some(i) => {
                        if step.strategy != Strategy::Default {
                            node.children[i].strategy = step.strategy;
                        }
                        i
                    }
                    None => {
                        node.children.push(LoadChild {
                            rel: step.rel,
                            strategy: step.strategy,
                            node: LoadNode::default(),
                        });
                        node.children.len() - 1
                    }
                };
                node = &mut node.children[i].node;
                owner = (step.rel.target)();
            }
        }
        Ok(tree)
    }

    /// The options for objects of `mapper` at the top of the query.
    pub(crate) fn root(&self, mapper: &'static Mapper) -> Option<&LoadNode> {
        self.roots
            .iter()
            .find(|(m, _)| std::ptr::eq(*m, mapper))
            .map(|(_, n)| n)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

/// The relationship on the other side (`back_populates`), if any.
fn reverse(rel: &'static RelationshipMapping) -> Option<&'static RelationshipMapping> {
    (rel.target)().relationship(rel.back_populates?)
}

/// How `rel` of `owner` loads at this point of a loader path: the option
/// given for it, else its `lazy` setting, unless that would go back along the
/// path (`User.addresses` then `Address.user`) or around a cycle. `None` =
/// not loaded.
pub(crate) fn decide<'n>(
    owner: &'static Mapper,
    node: Option<&'n LoadNode>,
    rel: &'static RelationshipMapping,
    path: &[&'static RelationshipMapping],
) -> Option<(Strategy, Option<&'n LoadNode>)> {
    if let Some(child) = node.and_then(|n| n.child(rel)) {
        let strategy = match child.strategy {
            Strategy::Default => Strategy::from_lazy(rel.lazy)?,
            s => s,
        };
        return strategy.loads().then_some((strategy, Some(&child.node)));
    }
    if node.is_some_and(|n| n.exclusive) {
        return None;
    }
    let strategy = Strategy::from_lazy(rel.lazy)?;
    if !strategy.loads() {
        return None;
    }
    if let Some(back) = reverse(rel)
        && path.iter().any(|r| std::ptr::eq(*r, back))
    {
        return None;
    }
    let repeats = path.iter().filter(|r| std::ptr::eq(**r, rel)).count();
    if repeats > 0 {
        let self_referential = std::ptr::eq((rel.target)(), owner);
        if strategy.is_joined() || !self_referential || repeats >= MAX_SELF_DEPTH {
            return None;
        }
    }
    Some((strategy, None))
}
