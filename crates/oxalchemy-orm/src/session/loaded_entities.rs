//! Which result columns of a query are whole entities, so the rows a query
//! returns refresh the identity map's snapshots of those models.
//!
//! `select(User)` lists every column of the model in mapper order (see
//! `Entity::push_nodes`); a run of result columns that is exactly one model's
//! column list, from one table (or alias of it), is that model's row.

use super::model_info::ModelInfo;
use crate::registry::ModelRegistration;
use oxalchemy_core::{Node, Source, Table};

/// One entity in a result row: its model and where its columns start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntitySpan {
    pub(crate) offset: usize,
    pub(crate) info: ModelInfo,
}

fn same_table(a: &Table, schema: Option<&str>, name: &str) -> bool {
    a.name() == name && a.schema() == schema
}

/// The models that map `table`: those the session has seen, then every
/// model registered by `#[derive(Model)]`.
fn candidates(table: &Table, known: &[ModelInfo]) -> Vec<ModelInfo> {
    let mut out: Vec<ModelInfo> = known
        .iter()
        .filter(|i| same_table(table, i.mapper.schema, i.mapper.table))
        .copied()
        .collect();
    for reg in inventory::iter::<ModelRegistration> {
        let mapper = (reg.mapper)();
        if same_table(table, mapper.schema, mapper.table)
            && !out.iter().any(|i| std::ptr::eq(i.mapper, mapper))
        {
            out.push(ModelInfo::of_mapper(mapper));
        }
    }
    out
}

fn column_of(node: &Node) -> Option<(&Source, &str)> {
    match node {
        Node::Column { source, name } => Some((source, name)),
        _ => None,
    }
}

/// Find the entities among a SELECT's result columns.
pub(crate) fn entity_spans(columns: &[Node], known: &[ModelInfo]) -> Vec<EntitySpan> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < columns.len() {
        let Some((source, _)) = column_of(&columns[i]) else {
            i += 1;
            continue;
        };
        let Some(table) = source.table() else {
            i += 1;
            continue;
        };
        let key = source.key();
        let hit = candidates(table, known).into_iter().find(|info| {
            let n = info.mapper.columns.len();
            n > 0
                && columns.len() >= i + n
                && info.mapper.columns.iter().enumerate().all(|(j, c)| {
                    column_of(&columns[i + j])
                        .is_some_and(|(s, name)| s.key() == key && name == c.name)
                })
        });
        match hit {
            Some(info) => {
                spans.push(EntitySpan { offset: i, info });
                i += info.mapper.columns.len();
            }
            None => i += 1,
        }
    }
    spans
}
