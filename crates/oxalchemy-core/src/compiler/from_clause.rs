//! FROM inference, join ON inference and CTE collection.

use super::Compiler;
use crate::error::{Error, Result};
use crate::expr::{Node, Source, SourceKey};
use crate::stmt::{Cte, JoinClause, SelectCore, SelectStmt};

/// Visit the direct children of `node`, not descending into nested SELECTs.
fn for_each_child<'a>(node: &'a Node, f: &mut dyn FnMut(&'a Node)) {
    match node {
        Node::Unary { operand, .. }
        | Node::IsNull { operand, .. }
        | Node::Cast { operand, .. }
        | Node::Label { operand, .. }
        | Node::Extract { operand, .. }
        | Node::StringOp { operand, .. }
        | Node::Order { operand, .. } => f(operand),
        Node::InSelect { operand, .. } => f(operand),
        Node::Binary { left, right, .. } => {
            f(left);
            f(right);
        }
        Node::InList { operand, items, .. } => {
            f(operand);
            items.iter().for_each(&mut *f);
        }
        Node::Between {
            operand, low, high, ..
        } => {
            f(operand);
            f(low);
            f(high);
        }
        Node::Like {
            operand, pattern, ..
        } => {
            f(operand);
            f(pattern);
        }
        Node::Func { args, .. } | Node::Tuple(args) => args.iter().for_each(&mut *f),
        Node::Case { whens, else_ } => {
            for (c, v) in whens {
                f(c);
                f(v);
            }
            if let Some(e) = else_ {
                f(e);
            }
        }
        Node::Over { func, window } => {
            f(func);
            window.partition_by.iter().for_each(&mut *f);
            window.order_by.iter().for_each(&mut *f);
        }
        _ => {}
    }
}

/// The nested SELECT of a node, if it has one.
fn nested_select(node: &Node) -> Option<&SelectStmt> {
    match node {
        Node::InSelect { select, .. } | Node::Exists { select, .. } => Some(select),
        Node::ScalarSubquery(select) => Some(select),
        _ => None,
    }
}

/// Collect the sources of the columns in `node` (same query level only).
pub(crate) fn collect_sources<'a>(node: &'a Node, out: &mut Vec<&'a Source>) {
    if let Node::Column { source, .. } = node {
        if !out.iter().any(|s| s.key() == source.key()) {
            out.push(source);
        }
        return;
    }
    for_each_child(node, &mut |child| collect_sources(child, out));
}

/// Collect every column `node` reads (same query level only), with its source.
pub(crate) fn collect_columns<'a>(node: &'a Node, out: &mut Vec<(&'a Source, &'a str)>) {
    if let Node::Column { source, name } = node {
        out.push((source, name));
        return;
    }
    for_each_child(node, &mut |child| collect_columns(child, out));
}

fn contains_key(keys: &[SourceKey<'_>], key: SourceKey<'_>) -> bool {
    keys.contains(&key)
}

impl<'a> Compiler<'a> {
    /// The FROM items of a SELECT (explicit, then inferred from the columns and
    /// WHERE), without the join targets, and correlated against enclosing queries.
    pub(crate) fn compute_froms(&self, core: &'a SelectCore) -> Result<Vec<&'a Source>> {
        let mut explicit: Vec<&'a Source> = Vec::new();
        for s in &core.from {
            if !explicit.iter().any(|e| e.key() == s.key()) {
                explicit.push(s);
            }
        }
        let mut inferred: Vec<&'a Source> = Vec::new();
        for n in &core.columns {
            collect_sources(n, &mut inferred);
        }
        if let Some(w) = &core.where_ {
            collect_sources(w, &mut inferred);
        }
        let join_keys: Vec<SourceKey<'a>> = core.joins.iter().map(|j| j.target.key()).collect();
        inferred.retain(|s| {
            !contains_key(&join_keys, s.key()) && !explicit.iter().any(|e| e.key() == s.key())
        });
        explicit.retain(|s| !contains_key(&join_keys, s.key()));
        let correlation = &core.correlation;
        if correlation.manual {
            // correlate(..) / correlate_except(..): FROM items of any enclosing level.
            let all = &self.outer;
            let correlated = |s: &&'a Source| {
                let key = s.key();
                contains_key(all, key)
                    && (correlation.correlate.iter().any(|c| c.key() == key)
                        || correlation
                            .correlate_except
                            .as_ref()
                            .is_some_and(|except| !except.iter().any(|c| c.key() == key)))
            };
            inferred.retain(|s| !correlated(s));
            explicit.retain(|s| !correlated(s));
        } else if self.outer.len() > self.outer_level {
            // Automatic correlation, with the immediately enclosing query only
            // and only when this SELECT has more than one FROM item (as
            // SQLAlchemy): drop the FROMs that query provides.
            let immediate = &self.outer[self.outer_level..];
            let kept: Vec<&'a Source> = inferred
                .iter()
                .copied()
                .filter(|s| !contains_key(immediate, s.key()))
                .collect();
            let alone = explicit.is_empty() && core.joins.is_empty();
            if !(alone && inferred.len() == 1) {
                if kept.is_empty() && alone {
                    let names: Vec<&str> = inferred.iter().map(|s| s.qualifier()).collect();
                    return Err(Error::invalid_request(format!(
                        "a nested SELECT would have no FROM left after correlating {} with the enclosing query; \
                         say which to correlate with .correlate(..) (or none with .correlate(()))",
                        names.join(", ")
                    )));
                }
                inferred = kept;
            }
        }
        let mut froms = explicit;
        froms.extend(inferred);
        if froms.is_empty()
            && let Some(first) = core.joins.first()
        {
            // `select(b.x).join_on(b, a.id == b.a_id)`: the left side comes from the ON clause.
            let mut on_sources = Vec::new();
            if let Some(on) = &first.on {
                collect_sources(on, &mut on_sources);
            }
            if let Some(left) = on_sources
                .into_iter()
                .find(|s| !contains_key(&join_keys, s.key()))
            {
                froms.push(left);
            }
        }
        Ok(froms)
    }

    /// Infer `ON` for a join without one: the single foreign key between the
    /// target's table and a table already in the join tree.
    pub(crate) fn infer_on(&self, tree: &[&'a Source], join: &'a JoinClause) -> Result<Node> {
        let target_table = join.target.table().ok_or_else(|| {
            Error::argument(format!(
                "cannot infer the ON clause for joining {}: it is not a table; use join_on(target, condition)",
                join.target.qualifier()
            ))
        })?;
        let mut candidates: Vec<(Node, String)> = Vec::new();
        for left in tree {
            let Some(left_table) = left.table() else {
                continue;
            };
            // target has a FK to left
            for fk in target_table.foreign_keys() {
                if fk.target_table() == left_table.name() {
                    candidates.push((
                        fk_condition(&join.target, fk.columns(), left, fk.target_columns()),
                        format!(
                            "{}({}) -> {}({})",
                            join.target.qualifier(),
                            fk.columns().join(", "),
                            left.qualifier(),
                            fk.target_columns().join(", ")
                        ),
                    ));
                }
            }
            // left has a FK to target (skip self-references counted above)
            if left.key() != join.target.key() {
                for fk in left_table.foreign_keys() {
                    if fk.target_table() == target_table.name() {
                        candidates.push((
                            fk_condition(left, fk.columns(), &join.target, fk.target_columns()),
                            format!(
                                "{}({}) -> {}({})",
                                left.qualifier(),
                                fk.columns().join(", "),
                                join.target.qualifier(),
                                fk.target_columns().join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        let left_names: Vec<&str> = tree.iter().map(|s| s.qualifier()).collect();
        match candidates.len() {
            1 => Ok(candidates.pop().map(|c| c.0).unwrap_or(Node::Null)),
            0 => Err(Error::argument(format!(
                "cannot join {} to {}: there is no foreign key between them; give the condition with join_on(target, condition)",
                join.target.qualifier(),
                left_names.join(", ")
            ))),
            _ => Err(Error::argument(format!(
                "cannot join {} to {}: more than one foreign key links them ({}); give the condition with join_on(target, condition)",
                join.target.qualifier(),
                left_names.join(", "),
                candidates
                    .iter()
                    .map(|c| c.1.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ))),
        }
    }

    /// Collect the CTEs a statement uses (post-order: dependencies first).
    pub(crate) fn collect_ctes_stmt(&mut self, stmt: &'a SelectStmt) {
        let mut visiting = Vec::new();
        collect_stmt(stmt, &mut self.ctes, &mut visiting);
    }

    /// Collect the CTEs of a simple SELECT.
    pub(crate) fn collect_ctes_core(&mut self, core: &'a SelectCore) {
        let mut visiting = Vec::new();
        collect_core(core, &mut self.ctes, &mut visiting);
    }

    /// Collect the CTEs used inside an expression.
    pub(crate) fn collect_ctes_node(&mut self, node: &'a Node) {
        let mut visiting = Vec::new();
        collect_node(node, &mut self.ctes, &mut visiting);
    }
}

fn fk_condition(from: &Source, from_cols: &[String], to: &Source, to_cols: &[String]) -> Node {
    let mut cond: Option<Node> = None;
    for (a, b) in from_cols.iter().zip(to_cols) {
        let eq = Node::Column {
            source: from.clone(),
            name: a.clone().into(),
        }
        .equals(Node::Column {
            source: to.clone(),
            name: b.clone().into(),
        });
        cond = Some(match cond {
            Some(c) => c.and(eq),
            None => eq,
        });
    }
    cond.unwrap_or(Node::Null)
}

fn collect_source<'a>(source: &'a Source, out: &mut Vec<&'a Cte>, visiting: &mut Vec<&'a str>) {
    match source {
        Source::Cte(cte) => {
            let name = cte.name();
            if out.iter().any(|c| c.name() == name) || visiting.contains(&name) {
                return;
            }
            visiting.push(name);
            collect_stmt(cte.stmt(), out, visiting);
            visiting.retain(|n| *n != name);
            out.push(cte);
        }
        Source::Subquery(s) => collect_stmt(s.stmt(), out, visiting),
        _ => {}
    }
}

fn collect_node<'a>(node: &'a Node, out: &mut Vec<&'a Cte>, visiting: &mut Vec<&'a str>) {
    if let Node::Column { source, .. } = node {
        collect_source(source, out, visiting);
        return;
    }
    if let Some(select) = nested_select(node) {
        collect_stmt(select, out, visiting);
    }
    for_each_child(node, &mut |child| collect_node(child, out, visiting));
}

fn collect_core<'a>(core: &'a SelectCore, out: &mut Vec<&'a Cte>, visiting: &mut Vec<&'a str>) {
    for s in &core.from {
        collect_source(s, out, visiting);
    }
    for j in &core.joins {
        collect_source(&j.target, out, visiting);
        if let Some(on) = &j.on {
            collect_node(on, out, visiting);
        }
    }
    for n in core
        .columns
        .iter()
        .chain(core.distinct_on.iter())
        .chain(core.where_.iter())
        .chain(core.group_by.iter())
        .chain(core.having.iter())
        .chain(core.order_by.iter())
    {
        collect_node(n, out, visiting);
    }
}

fn collect_stmt<'a>(stmt: &'a SelectStmt, out: &mut Vec<&'a Cte>, visiting: &mut Vec<&'a str>) {
    match stmt {
        SelectStmt::Simple(core) => collect_core(core, out, visiting),
        SelectStmt::Compound(c) => {
            for s in &c.selects {
                collect_stmt(s, out, visiting);
            }
        }
    }
}
