//! Writing SELECT statements, set operations, FROM items and the WITH clause.

use super::Compiler;
use super::labels::LabelScope;
use super::result_types::stmt_columns;
use crate::error::{Error, Result};
use crate::expr::{Node, Source, SourceKey};
use crate::stmt::{JoinKind, SelectCore, SelectStmt};

impl<'a> Compiler<'a> {
    /// `WITH [RECURSIVE] a AS (..), b AS (..) ` for the collected CTEs.
    pub(crate) fn write_with(&mut self) -> Result<()> {
        if self.ctes.is_empty() {
            return Ok(());
        }
        let ctes = std::mem::take(&mut self.ctes);
        self.push("WITH ");
        if ctes.iter().any(|c| c.is_recursive()) {
            self.push("RECURSIVE ");
        }
        let saved_outer = std::mem::take(&mut self.outer);
        let saved_level = std::mem::take(&mut self.outer_level);
        for (i, cte) in ctes.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.ident(cte.name());
            if cte.is_recursive() {
                let names = cte.column_names();
                if !names.is_empty() {
                    self.push("(");
                    for (j, n) in names.iter().enumerate() {
                        if j > 0 {
                            self.push(", ");
                        }
                        self.ident(n);
                    }
                    self.push(")");
                }
            }
            self.push(" AS (");
            self.select_stmt(cte.stmt())?;
            self.push(")");
        }
        self.outer = saved_outer;
        self.outer_level = saved_level;
        self.push(" ");
        Ok(())
    }

    /// Any SELECT (no WITH: CTEs are hoisted to the top-level statement).
    pub(crate) fn select_stmt(&mut self, stmt: &'a SelectStmt) -> Result<()> {
        match stmt {
            SelectStmt::Simple(core) => self.select_core(core),
            SelectStmt::Compound(c) => {
                let all_variant = matches!(
                    c.op,
                    crate::stmt::SetOp::IntersectAll | crate::stmt::SetOp::ExceptAll
                );
                let intersect_or_except = !matches!(
                    c.op,
                    crate::stmt::SetOp::Union | crate::stmt::SetOp::UnionAll
                );
                if intersect_or_except {
                    let ok = if all_variant {
                        self.d.supports_intersect_except_all()
                    } else {
                        self.d.supports_intersect_except()
                    };
                    self.d
                        .require(ok, c.op.sql(), Some("rewrite with EXISTS / NOT EXISTS"))?;
                }
                let parens = self.d.parenthesize_compound_members();
                for (i, member) in c.selects.iter().enumerate() {
                    if i > 0 {
                        self.push(" ");
                        self.push(c.op.sql());
                        self.push(" ");
                    }
                    let needs_wrap = match member {
                        SelectStmt::Simple(core) => {
                            !core.order_by.is_empty()
                                || core.limit.is_some()
                                || core.offset.is_some()
                        }
                        SelectStmt::Compound(_) => true,
                    };
                    if parens {
                        self.push("(");
                        self.select_stmt(member)?;
                        self.push(")");
                    } else if needs_wrap {
                        let alias = self.anon_label("anon");
                        self.push("SELECT * FROM (");
                        self.select_stmt(member)?;
                        self.push(") AS ");
                        self.ident(&alias);
                    } else {
                        self.select_stmt(member)?;
                    }
                }
                if !c.order_by.is_empty() {
                    self.push(" ORDER BY ");
                    let saved = self.unqualified;
                    self.unqualified = true;
                    let scope = LabelScope::Compound(stmt_columns(stmt));
                    let r = self.order_list(&c.order_by, scope);
                    self.unqualified = saved;
                    r?;
                }
                self.limit_offset(c.limit, c.offset);
                Ok(())
            }
        }
    }

    /// A SELECT nested in an expression: correlates with the enclosing FROMs.
    /// In `nested_ctes` mode it declares the CTEs it uses in its own WITH.
    pub(crate) fn nested_select(&mut self, stmt: &'a SelectStmt) -> Result<()> {
        if !self.nested_ctes {
            return self.select_stmt(stmt);
        }
        // Only the outermost nested SELECT declares them (once).
        self.nested_ctes = false;
        let saved = std::mem::take(&mut self.ctes);
        self.collect_ctes_stmt(stmt);
        let r = self.write_with().and_then(|_| self.select_stmt(stmt));
        self.ctes = saved;
        self.nested_ctes = true;
        r
    }

    /// One simple SELECT.
    pub(crate) fn select_core(&mut self, core: &'a SelectCore) -> Result<()> {
        let froms = self.compute_froms(core)?;
        self.push("SELECT ");
        if core.columns.is_empty() {
            return Err(Error::argument(
                "a SELECT needs at least one column: select((table.c(\"a\"), ..))",
            ));
        }
        // The keys this query provides to its nested subqueries: they are the
        // immediately enclosing level there.
        let outer_len = self.outer.len();
        let saved_level = std::mem::replace(&mut self.outer_level, outer_len);
        let mut tree: Vec<&'a Source> = Vec::new();
        for f in &froms {
            tree.push(f);
        }
        for j in &core.joins {
            tree.push(&j.target);
        }
        let keys: Vec<SourceKey<'a>> = tree.iter().map(|s| s.key()).collect();
        self.outer.extend(keys);
        // Placeholders to reuse, names to resolve: this SELECT's own.
        let saved_reusable = std::mem::take(&mut self.reusable);
        let saved_reuse = std::mem::take(&mut self.reuse_active);
        let saved_scope = std::mem::replace(&mut self.label_scope, LabelScope::None);

        let result = self.select_body(core, &froms);
        self.reusable = saved_reusable;
        self.reuse_active = saved_reuse;
        self.label_scope = saved_scope;
        self.outer.truncate(outer_len);
        self.outer_level = saved_level;
        result
    }

    fn select_body(&mut self, core: &'a SelectCore, froms: &[&'a Source]) -> Result<()> {
        if !core.distinct_on.is_empty() {
            self.d.require(
                self.d.supports_distinct_on(),
                "SELECT DISTINCT ON",
                Some("number the rows in a subquery with row_number() OVER (PARTITION BY ..) and keep the first"),
            )?;
            self.push("DISTINCT ON (");
            for (i, n) in core.distinct_on.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                let start = self.params.len();
                self.node(n)?;
                self.remember_params(n, start..self.params.len());
            }
            self.push(") ");
        } else if core.distinct {
            self.push("DISTINCT ");
        }
        for (i, col) in core.columns.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            let start = self.params.len();
            self.select_column(&core.columns, i)?;
            self.remember_params(col, start..self.params.len());
        }
        if !froms.is_empty() {
            self.push(" FROM ");
            for (i, f) in froms.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.write_from_item(f)?;
                if i == 0 {
                    self.joins(core, froms)?;
                }
            }
        } else if !core.joins.is_empty() {
            return Err(Error::argument(
                "cannot tell which table the JOIN starts from; add it with select_from(table)",
            ));
        }
        if let Some(w) = &core.where_ {
            self.push(" WHERE ");
            self.node(w)?;
        }
        let scope = LabelScope::Select(&core.columns);
        if !core.group_by.is_empty() {
            self.push(" GROUP BY ");
            for (i, n) in core.group_by.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                let start = self.params.len();
                self.reuse_scope(|c| c.group_list(std::slice::from_ref(n), scope))?;
                self.remember_params(n, start..self.params.len());
            }
        }
        if let Some(h) = &core.having {
            self.push(" HAVING ");
            self.reuse_scope(|c| c.node(h))?;
        }
        if !core.order_by.is_empty() {
            self.push(" ORDER BY ");
            self.reuse_scope(|c| c.order_list(&core.order_by, scope))?;
        }
        self.limit_offset(core.limit, core.offset);
        if core.for_update && self.d.supports_for_update() {
            self.push(" FOR UPDATE");
        }
        Ok(())
    }

    fn joins(&mut self, core: &'a SelectCore, froms: &[&'a Source]) -> Result<()> {
        let mut tree: Vec<&'a Source> = vec![froms[0]];
        for j in &core.joins {
            let kw = match j.kind {
                JoinKind::Inner => " JOIN ",
                JoinKind::Left => " LEFT OUTER JOIN ",
                JoinKind::Full => {
                    self.d.require(
                        self.d.supports_full_outer_join(),
                        "FULL OUTER JOIN",
                        Some("use a UNION of a LEFT and a RIGHT join"),
                    )?;
                    " FULL OUTER JOIN "
                }
            };
            self.push(kw);
            self.write_from_item(&j.target)?;
            self.push(" ON ");
            match &j.on {
                Some(on) => self.node(on)?,
                None => {
                    let on = self.infer_on(&tree, j)?;
                    // The inferred condition is owned here; write it through a
                    // short-lived compiler step that only reads columns.
                    self.owned_node(&on)?;
                }
            }
            tree.push(&j.target);
        }
        Ok(())
    }

    /// Write an expression that does not live as long as the statement (an
    /// inferred ON clause): it holds only columns, so nothing is borrowed.
    fn owned_node(&mut self, node: &Node) -> Result<()> {
        let mut sub = Compiler::new(self.d);
        sub.params = std::mem::take(&mut self.params);
        sub.sql = std::mem::take(&mut self.sql);
        let r = sub.node(node);
        self.sql = sub.sql;
        self.params = sub.params;
        r
    }

    /// One FROM item.
    pub(crate) fn write_from_item(&mut self, source: &'a Source) -> Result<()> {
        match source {
            Source::Table(t) => self.table_name(t),
            Source::Static(f) => {
                let t = f();
                self.table_name(t);
            }
            Source::Alias(a) => {
                self.table_name(a.table());
                self.push(" AS ");
                self.ident(a.name());
            }
            Source::Subquery(s) => {
                // A derived table does not correlate to the enclosing query.
                let saved = std::mem::take(&mut self.outer);
                let saved_level = std::mem::take(&mut self.outer_level);
                self.push("(");
                let r = self.select_stmt(s.stmt());
                self.push(") AS ");
                self.outer = saved;
                self.outer_level = saved_level;
                r?;
                self.ident(s.name());
            }
            Source::Cte(c) => {
                self.ident(c.name());
                if let Some(alias) = c.alias_name() {
                    self.push(" AS ");
                    self.ident(alias);
                }
            }
        }
        Ok(())
    }

    pub(crate) fn limit_offset(&mut self, limit: Option<u64>, offset: Option<u64>) {
        match (limit, offset) {
            (Some(l), _) => {
                self.push(" LIMIT ");
                self.push(&l.to_string());
            }
            (None, Some(_)) => {
                if let Some(all) = self.d.limit_for_offset_only() {
                    self.push(" LIMIT ");
                    self.push(all);
                }
            }
            (None, None) => {}
        }
        if let Some(o) = offset {
            self.push(" OFFSET ");
            self.push(&o.to_string());
        }
    }
}
