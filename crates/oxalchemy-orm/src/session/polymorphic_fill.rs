//! `selectin_polymorphic`: the rows of a polymorphic enum read from the base
//! table alone, then each joined table's columns by one statement per table
//! (`WHERE key IN (..)`, 500 keys a statement) for the rows whose class has
//! that table, filled in before the rows reach the identity map.

use super::session::Session;
use crate::inheritance::table_mapper;
use crate::loading::query::in_keys;
use crate::mapper::Mapper;
use oxalchemy_core::expr::{Node, Source};
use oxalchemy_core::stmt::SelectCore;
use oxalchemy_core::{Result, Row, Select, Value};
use std::collections::HashMap;

/// Keys per statement (as the selectin relationship loader).
const BATCH: usize = 500;

/// One enum of a query loaded with `selectin_polymorphic`.
#[derive(Debug)]
pub(crate) struct Root {
    /// Where its columns start in a row.
    pub(crate) offset: usize,
    /// The enum's mapper.
    pub(crate) mapper: &'static Mapper,
}

/// The rewrite of a query for `selectin_polymorphic`.
#[derive(Debug)]
pub(crate) struct SelectinPolymorphic {
    /// The result columns as written (the entities the rows hold).
    pub(crate) columns: Vec<Node>,
    pub(crate) roots: Vec<Root>,
}

/// The joined tables of a polymorphic enum, parents first, each with the
/// enum's columns it holds.
fn joined_tables(mapper: &'static Mapper) -> Vec<(&'static Mapper, Vec<usize>)> {
    let Some(poly) = mapper.polymorphic() else {
        return Vec::new();
    };
    let mut out: Vec<(&'static Mapper, Vec<usize>)> = Vec::new();
    for (p, owner) in poly.owners.iter().enumerate() {
        let t = table_mapper(owner);
        if !t.inheritance.is_some_and(|i| i.joined) {
            continue;
        }
        match out.iter_mut().find(|(m, _)| std::ptr::eq(*m, t)) {
            Some((_, positions)) => positions.push(p),
            None => out.push((t, vec![p])),
        }
    }
    out
}

/// Rewrite `core` (whose entities `roots` are polymorphic enums): NULL in
/// place of the joined tables' columns, and without the joins to them.
pub(crate) fn rewrite(core: &mut SelectCore, roots: Vec<Root>) -> SelectinPolymorphic {
    let columns = core.columns.clone();
    for root in &roots {
        for (table, positions) in joined_tables(root.mapper) {
            for p in positions {
                if let Some(c) = core.columns.get_mut(root.offset + p) {
                    *c = Node::Null;
                }
            }
            let key = Source::Static(table.table_fn);
            core.joins.retain(|j| j.target.key() != key.key());
        }
    }
    SelectinPolymorphic { columns, roots }
}

impl Session {
    /// Read the joined tables' columns of the rows of each root and put them
    /// in place (one statement per table and 500 keys).
    pub(crate) async fn fill_joined_tables(
        &mut self,
        selectin: &SelectinPolymorphic,
        rows: &mut [Vec<Value>],
    ) -> Result<()> {
        for root in &selectin.roots {
            let Some(poly) = root.mapper.polymorphic() else {
                continue;
            };
            let pk = root.mapper.primary_key;
            for (table_class, positions) in joined_tables(root.mapper) {
                // The rows whose class has this table, by key.
                let mut wanted: HashMap<Vec<crate::key_part::KeyPart>, Vec<usize>> = HashMap::new();
                let mut keys: Vec<Vec<Value>> = Vec::new();
                for (r, row) in rows.iter().enumerate() {
                    let part = &row[root.offset..];
                    let Ok(v) = poly.variant_of(part) else {
                        continue; // decoding reports the unknown identity
                    };
                    if !poly.variants[v].mapper.inherits_from(table_class) {
                        continue;
                    }
                    let key: Vec<Value> = pk.iter().map(|&i| part[i].clone()).collect();
                    let parts = key.iter().map(crate::key_part::KeyPart::of).collect();
                    let slot = wanted.entry(parts).or_default();
                    if slot.is_empty() {
                        keys.push(key);
                    }
                    slot.push(r);
                }
                if keys.is_empty() {
                    continue;
                }
                let source = Source::Static(table_class.table_fn);
                let key_nodes: Vec<Node> = pk
                    .iter()
                    .map(|&i| crate::loading::query::col(&source, root.mapper.columns[i].name))
                    .collect();
                for batch in keys.chunks(BATCH) {
                    let mut columns = key_nodes.clone();
                    columns.extend(positions.iter().map(|&p| {
                        crate::loading::query::col(&source, root.mapper.columns[p].name)
                    }));
                    let core = SelectCore {
                        columns,
                        from: vec![source.clone()],
                        where_: Some(in_keys(key_nodes.clone(), batch)),
                        ..Default::default()
                    };
                    let stmt = Select::<Row>::from_core(core);
                    let conn = self.connection().await?;
                    let result = conn.execute(stmt).await?;
                    for found in result.into_rows() {
                        let values = found.into_values();
                        let parts: Vec<crate::key_part::KeyPart> = values[..pk.len()]
                            .iter()
                            .map(crate::key_part::KeyPart::of)
                            .collect();
                        let Some(targets) = wanted.get(&parts) else {
                            continue;
                        };
                        for &r in targets {
                            for (&p, v) in positions.iter().zip(&values[pk.len()..]) {
                                rows[r][root.offset + p] = v.clone();
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
