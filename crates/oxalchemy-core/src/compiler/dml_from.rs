//! UPDATE and DELETE, with the other tables their WHERE (or SET) refers to:
//! `UPDATE .. FROM` / `UPDATE t, u` and `DELETE .. USING` / `WHERE EXISTS`,
//! as SQLAlchemy's "extra froms".

use super::Compiler;
use super::from_clause::collect_sources;
use super::result_types::column_types;
use crate::compiled::Compiled;
use crate::dialect::{DeleteUsing, Dialect, UpdateFrom};
use crate::error::{Error, Result};
use crate::expr::{Node, Source, SourceKey};
use crate::schema::Table;
use crate::stmt::{Delete, Update};

/// The FROM items `nodes` use besides `table` (not looking into nested SELECTs).
fn extra_froms<'a>(table: &Table, nodes: impl Iterator<Item = &'a Node>) -> Vec<&'a Source> {
    let target = SourceKey::for_table(table);
    let mut sources = Vec::new();
    for n in nodes {
        collect_sources(n, &mut sources);
    }
    sources.retain(|s| s.key() != target);
    sources
}

impl<'a> Compiler<'a> {
    /// `a, b, c`: FROM items separated by commas.
    fn write_from_items(&mut self, items: &[&'a Source]) -> Result<()> {
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.write_from_item(s)?;
        }
        Ok(())
    }

    /// Nested SELECTs correlate to the target table and the other tables.
    fn dml_outer(&mut self, table: &'a Table, extra: &[&'a Source]) {
        self.outer.clear();
        self.outer_level = 0;
        self.outer.push(SourceKey::for_table(table));
        self.outer.extend(extra.iter().map(|s| s.key()));
    }
}

/// Compile an UPDATE.
pub(crate) fn compile_update(up: &Update, d: &dyn Dialect) -> Result<Compiled> {
    let mut c = Compiler::new(d);
    let table = &up.table;
    if d.supports_update_delete_with() {
        for (_, v) in &up.values {
            c.collect_ctes_node(v);
        }
        if let Some(w) = &up.where_ {
            c.collect_ctes_node(w);
        }
        c.write_with()?;
    } else {
        c.nested_ctes = true;
    }
    if up.values.is_empty() {
        return Err(Error::argument(
            "an UPDATE needs at least one column to set: .set(\"column\", value)",
        ));
    }
    let extra = extra_froms(
        table,
        up.values.iter().map(|(_, v)| v).chain(up.where_.iter()),
    );
    let style = d.update_from();
    c.dml_outer(table, &extra);
    c.push("UPDATE ");
    c.table_name(table);
    let table_list = !extra.is_empty() && style == UpdateFrom::TableList;
    if table_list {
        c.push(", ");
        c.write_from_items(&extra)?;
    }
    c.push(" SET ");
    // `UPDATE t, u SET t.c = ..`: qualified, as another table may have `c`.
    c.set_list(table, &up.values, "update", table_list)?;
    if !extra.is_empty() && style == UpdateFrom::FromClause {
        c.push(" FROM ");
        c.write_from_items(&extra)?;
    }
    if let Some(w) = &up.where_ {
        c.push(" WHERE ");
        c.node(w)?;
    }
    c.outer.clear();
    if !up.returning.is_empty() {
        d.require(
            d.supports_update_returning(),
            "UPDATE .. RETURNING",
            Some("select the rows again after the UPDATE"),
        )?;
        c.returning(&up.returning, !extra.is_empty())?;
        c.column_types = column_types(&up.returning);
    }
    Ok(c.finish(crate::statement::StatementKind::Dml))
}

/// Compile a DELETE.
pub(crate) fn compile_delete(del: &Delete, d: &dyn Dialect) -> Result<Compiled> {
    let mut c = Compiler::new(d);
    if !d.supports_update_delete_with() {
        c.nested_ctes = true;
    } else if let Some(w) = &del.where_ {
        c.collect_ctes_node(w);
        c.write_with()?;
    }
    let table = &del.table;
    let extra = extra_froms(table, del.where_.iter());
    c.dml_outer(table, &extra);
    c.push("DELETE FROM ");
    c.table_name(table);
    let style = d.delete_using();
    if !extra.is_empty() {
        match style {
            DeleteUsing::UsingTarget => {
                c.push(" USING ");
                c.table_name(table);
                c.push(", ");
                c.write_from_items(&extra)?;
            }
            DeleteUsing::Exists => {}
            _ => {
                c.push(" USING ");
                c.write_from_items(&extra)?;
            }
        }
    }
    if let Some(w) = &del.where_ {
        c.push(" WHERE ");
        if !extra.is_empty() && style == DeleteUsing::Exists {
            // No multi-table DELETE: the rows of the table for which the
            // other tables have a match, as a correlated EXISTS.
            c.push("EXISTS (SELECT 1 FROM ");
            c.write_from_items(&extra)?;
            c.push(" WHERE ");
            c.node(w)?;
            c.push(")");
        } else {
            c.node(w)?;
        }
    }
    c.outer.clear();
    if !del.returning.is_empty() {
        d.require(
            d.supports_delete_returning(),
            "DELETE .. RETURNING",
            Some("select the rows before deleting them"),
        )?;
        c.returning(&del.returning, !extra.is_empty())?;
        c.column_types = column_types(&del.returning);
    }
    Ok(c.finish(crate::statement::StatementKind::Dml))
}
