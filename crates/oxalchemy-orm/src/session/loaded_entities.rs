//! Which result columns of a query are whole entities, so the rows a query
//! returns refresh the identity map's snapshots of those models.
//!
//! `select(User)` lists every column of the model in mapper order (see
//! `Entity::push_nodes`); a run of result columns that is exactly one model's
//! column list, from one table (or alias of it), is that model's row.

use super::model_info::ModelInfo;
use crate::mapper::Mapper;
use crate::registry::ModelRegistration;
use oxalchemy_core::expr::SourceKey;
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
        .filter(|i| maps_first(table, i.mapper))
        .copied()
        .collect();
    for reg in inventory::iter::<ModelRegistration> {
        let mapper = (reg.mapper)();
        if maps_first(table, mapper) && !out.iter().any(|i| std::ptr::eq(i.mapper, mapper)) {
            out.push(ModelInfo::of_mapper(mapper));
        }
    }
    for mapper in crate::polymorphic::polymorphic_mappers() {
        if maps_first(table, mapper) && !out.iter().any(|i| std::ptr::eq(i.mapper, mapper)) {
            out.push(ModelInfo::of_mapper(mapper));
        }
    }
    out
}

/// True when the first column of `mapper`'s rows is read from `table`: its
/// own table, or for a model of an inheritance hierarchy the base's.
fn maps_first(table: &Table, mapper: &'static Mapper) -> bool {
    if mapper.inheritance.is_some() {
        let base = mapper.base_mapper();
        return same_table(table, base.schema, base.table);
    }
    same_table(table, mapper.schema, mapper.table)
}

/// True when result column `node` is column `j` of `mapper` read from
/// where it lives (`key`: the source of the span's first column).
fn is_column(node: &Node, mapper: &'static Mapper, j: usize, key: &SourceKey<'_>) -> bool {
    let Some((s, name)) = column_of(node) else {
        return false;
    };
    if name != mapper.columns[j].name {
        return false;
    }
    if mapper.inheritance.is_none() {
        return s.key() == *key;
    }
    let owner = (mapper.column_owner(j).table_fn)();
    s.table()
        .is_some_and(|t| same_table(t, owner.schema(), owner.name()))
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
        // The longest match: a subclass's columns start with its parent's.
        let hit = candidates(table, known)
            .into_iter()
            .filter(|info| {
                let n = info.mapper.columns.len();
                n > 0
                    && columns.len() >= i + n
                    && (0..n).all(|j| is_column(&columns[i + j], info.mapper, j, &key))
            })
            .min_by_key(|info| std::cmp::Reverse(info.mapper.columns.len()));
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
