//! Placeholder reuse for identical expressions (PostgreSQL).
//!
//! PostgreSQL compares a GROUP BY expression with the select list's by
//! structure, and two placeholders are two different parameters to it: in
//! `SELECT n + $1 .. GROUP BY n + $2` the select list is not grouped (42803),
//! even when both parameters are 1. With numbered placeholders the compiler
//! writes an expression of GROUP BY, HAVING or ORDER BY that is identical
//! (structure and values) to one of the select list, DISTINCT ON or GROUP BY
//! with the same placeholders: `GROUP BY n + $1`.
//!
//! The decision depends on the values, and is visible in the statement's
//! shape (a reused placeholder is written as its own marker), so statements
//! whose values differ never share cached SQL.

use super::Compiler;
use super::identical::identical;
use crate::expr::Node;
use std::ops::Range;

impl<'a> Compiler<'a> {
    /// True when identical expressions can share placeholders on this dialect.
    pub(crate) fn reuse_enabled(&self) -> bool {
        self.d.numbered_placeholders()
    }

    /// Remember that writing `node` bound the parameters `range` (0-based
    /// positions), so an identical expression later in the statement can
    /// reuse them.
    pub(crate) fn remember_params(&mut self, node: &'a Node, range: Range<usize>) {
        if self.reuse_enabled() && !range.is_empty() && self.replay.is_none() {
            let node = match node {
                Node::Label { operand, .. } => operand,
                other => other,
            };
            self.reusable.push((node, range.map(|i| i + 1).collect()));
        }
    }

    /// The parameter numbers to reuse for `node`, when reuse is active and an
    /// identical expression was remembered.
    pub(crate) fn reusable_params(&self, node: &Node) -> Option<Vec<usize>> {
        if !self.reuse_active || self.replay.is_some() || matches!(node, Node::Param(_)) {
            return None;
        }
        self.reusable
            .iter()
            .find(|(seen, _)| identical(seen, node))
            .map(|(_, params)| params.clone())
    }

    /// Write `nodes` as a list with reuse on, remembering what they bind.
    pub(crate) fn reuse_scope<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let on = self.reuse_enabled();
        let saved = std::mem::replace(&mut self.reuse_active, on);
        let r = f(self);
        self.reuse_active = saved;
        r
    }
}
