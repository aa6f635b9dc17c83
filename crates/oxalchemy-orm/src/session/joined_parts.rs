//! Joined-table inheritance in the flush: an object whose row spans several
//! tables (`Engineer`: `employee` + `engineer`) is split, for planning, into
//! one pending op per table, and the results are put back together after
//! the statements ran.
//!
//! The first part (the base's table, whose columns are a prefix of the
//! object's) keeps the object's ticket, mapper of the class that owns that
//! table, and identity (the hierarchy's identity is the base table's), so
//! links from other objects and `save` find it as before. Each joined table
//! is a part of its own, with a mapper made once per class (key columns and
//! the table's columns), linked to the first part so an INSERT copies the
//! generated key, and ordered by the foreign key between the tables: the
//! parent row is inserted first and deleted last. UPDATEs diff each part
//! against its columns of the snapshot, so only tables with changed columns
//! are written.

use super::exec::Exec;
use super::flush::{FlushOutcome, SavedKind, Snapshots};
use super::flush_hooks::{FlushHooks, fire_each};
use super::identity_map::IdentityKey;
use super::model_info::ModelInfo;
use super::removed_members::ReadRows;
use super::unit_of_work::{Link, OpKind, PendingOp, Ticket};
use crate::any_model::AnyModel;
use crate::events::MapperEvent;
use crate::mapper::{ColumnMapping, Mapper};
use crate::validator::validate_values;
use oxalchemy_core::{Error, Result, Value};
use std::sync::OnceLock;

/// One table of a class whose rows span several tables.
#[derive(Debug)]
pub(crate) struct TablePart {
    /// The mapper the part is planned with.
    pub(crate) mapper: &'static Mapper,
    /// Positions (in the class's mapper order) of the part's columns, in the part's order.
    pub(crate) positions: Vec<usize>,
}

/// One object split into parts, to put back together after the flush.
#[derive(Debug)]
pub(crate) struct Split {
    whole: ModelInfo,
    kind: OpKind,
    values: Vec<Value>,
    /// (ticket, positions) per part; the first is the object's own ticket.
    parts: Vec<(Ticket, &'static [usize])>,
    /// Identities of the joined parts (not entries of the identity map).
    part_keys: Vec<IdentityKey>,
}

use crate::inheritance::table_mapper;

fn no_model(_: Vec<Value>) -> Result<Box<dyn AnyModel>> {
    Err(Error::invalid_request(
        "a joined-table part of an inherited model is not a model of its own",
    ))
}

/// The parts of `mapper` (made once per class, kept for the process).
pub(crate) fn table_parts(mapper: &'static Mapper) -> &'static [TablePart] {
    static NONE: [TablePart; 0] = [];
    let state = mapper.state();
    if !state.spans_tables {
        return &NONE;
    }
    state.table_parts.get_or_init(|| build_parts(mapper))
}

fn build_parts(mapper: &'static Mapper) -> Vec<TablePart> {
    // Tables in the order they are first met (the base's first).
    let mut tables: Vec<(&'static Mapper, Vec<usize>)> = Vec::new();
    for i in 0..mapper.columns.len() {
        let t = table_mapper(mapper.column_owner(i));
        match tables.iter_mut().find(|(m, _)| std::ptr::eq(*m, t)) {
            Some((_, positions)) => positions.push(i),
            None => tables.push((t, vec![i])),
        }
    }
    let mut out = Vec::new();
    for (n, (t, positions)) in tables.into_iter().enumerate() {
        // The base table's columns are a prefix; every other table gets the
        // key columns first. Each part has a mapper of its own, without
        // listeners: the object's own listeners fire for the whole object.
        let all: Vec<usize> = if n == 0 {
            positions
        } else {
            let mut all: Vec<usize> = mapper.primary_key.to_vec();
            all.extend(
                positions
                    .iter()
                    .copied()
                    .filter(|i| !mapper.primary_key.contains(i)),
            );
            all
        };
        let columns: Vec<ColumnMapping> = all.iter().map(|&i| mapper.columns[i]).collect();
        let key: Vec<usize> = if n == 0 {
            mapper.primary_key.to_vec()
        } else {
            (0..mapper.primary_key.len()).collect()
        };
        let part: &'static Mapper = Box::leak(Box::new(Mapper {
            model: mapper.model,
            table: t.table,
            schema: t.schema,
            columns: Box::leak(columns.into_boxed_slice()),
            relationships: &[],
            primary_key: Box::leak(key.into_boxed_slice()),
            autoincrement: if n == 0 { mapper.autoincrement } else { None },
            version_id: if n == 0 { mapper.version_id } else { None },
            table_fn: t.table_fn,
            base_metadata: mapper.base_metadata,
            validators: &[],
            from_values_boxed: no_model,
            inheritance: None,
            state: OnceLock::new(),
        }));
        out.push(TablePart {
            mapper: part,
            positions: all,
        });
    }
    out
}

/// Split the ops of classes whose rows span several tables. Returns the
/// ops to plan, the splits, and the joined parts' snapshots (for UPDATE
/// diffs), keyed by the parts' identities.
pub(crate) fn split(
    ops: Vec<PendingOp>,
    snapshots: Snapshots<'_>,
    hooks: &mut FlushHooks<'_>,
) -> Result<(Vec<PendingOp>, Vec<Split>, ReadRows)> {
    let mut out = Vec::with_capacity(ops.len());
    let mut splits = Vec::new();
    let mut part_rows = ReadRows::default();
    // Parts' tickets count down from the top: the unit of work's count up from 0.
    let mut next_ticket = Ticket::MAX;
    for mut op in ops {
        if !op.info.state.spans_tables {
            out.push(op);
            continue;
        }
        let parts = table_parts(op.info.mapper);
        let whole_snapshot = op
            .key
            .as_ref()
            .and_then(|k| snapshots.get(k))
            .map(<[Value]>::to_vec);
        before_events(&mut op, whole_snapshot.as_deref(), hooks)?;
        let mut split = Split {
            whole: op.info,
            kind: op.kind,
            values: op.values.clone(),
            parts: Vec::new(),
            part_keys: Vec::new(),
        };
        for (n, part) in parts.iter().enumerate() {
            let info = ModelInfo::of_mapper(part.mapper);
            let values: Vec<Value> = part
                .positions
                .iter()
                .map(|&i| op.values[i].clone())
                .collect();
            let key = op.key.as_ref().map(|_| IdentityKey::of_row(info, &values));
            // Links (foreign keys set from other objects) go to the part
            // holding their columns, renumbered.
            let mut links: Vec<Link> = op
                .links
                .iter()
                .filter_map(|l| {
                    let fk: Option<Vec<usize>> =
                        l.fk.iter()
                            .map(|c| part.positions.iter().position(|p| p == c))
                            .collect();
                    let fk = fk?;
                    // Key columns are in every part: the first part carries them.
                    if n > 0 && l.fk.iter().all(|c| op.info.mapper.primary_key.contains(c)) {
                        return None;
                    }
                    Some(Link { fk, ..l.clone() })
                })
                .collect();
            let ticket = if n == 0 {
                op.ticket
            } else {
                next_ticket -= 1;
                next_ticket
            };
            if n > 0 {
                if op.kind == OpKind::Insert {
                    // The key comes from the parent row (generated there).
                    links.push(Link {
                        fk: (0..op.info.mapper.primary_key.len()).collect(),
                        parent: op.ticket,
                        referenced: op.info.mapper.primary_key.to_vec(),
                        relationship: format!("{} (inherited key)", op.info.mapper.model),
                    });
                }
                if let (Some(k), Some(whole)) = (&key, &whole_snapshot) {
                    let projected: Vec<Value> = part
                        .positions
                        .iter()
                        .map(|&i| whole.get(i).cloned().unwrap_or(Value::Null))
                        .collect();
                    if whole.len() >= op.info.mapper.columns.len() {
                        part_rows.insert(k.clone(), projected);
                    }
                }
                if let Some(k) = &key {
                    split.part_keys.push(k.clone());
                }
            }
            split.parts.push((ticket, &part.positions));
            out.push(PendingOp {
                kind: op.kind,
                info,
                values,
                key,
                ticket,
                links,
                direct: op.direct,
                cascaded: if n == 0 {
                    op.cascaded.clone()
                } else {
                    Vec::new()
                },
            });
        }
        splits.push(split);
    }
    Ok((out, splits, part_rows))
}

/// The object's own `BeforeInsert` / `BeforeUpdate` listeners (and those
/// its ancestors propagate to it) and validators, on the whole object, while
/// the flush is planned: what they change is written.
fn before_events(
    op: &mut PendingOp,
    snapshot: Option<&[Value]>,
    hooks: &mut FlushHooks<'_>,
) -> Result<()> {
    let info = op.info;
    match op.kind {
        OpKind::Insert => {
            if hooks.listens(info, MapperEvent::BeforeInsert) {
                hooks.before(info, MapperEvent::BeforeInsert, op.ticket, &mut op.values)?;
            }
            validate_values(info.mapper, &op.values, None)
        }
        OpKind::Update => {
            let changed: Vec<usize> = (0..op.values.len())
                .filter(|&i| snapshot.is_none_or(|s| s.get(i) != Some(&op.values[i])))
                .collect();
            if changed.is_empty() {
                return Ok(());
            }
            if hooks.listens(info, MapperEvent::BeforeUpdate) {
                hooks.before(info, MapperEvent::BeforeUpdate, op.ticket, &mut op.values)?;
            }
            validate_values(info.mapper, &op.values, Some(&changed))
        }
        OpKind::Delete => Ok(()),
    }
}

/// The object's own `BeforeDelete` listeners, before the flush's statements.
pub(crate) async fn before_deletes(splits: &[Split], exec: &mut Exec<'_>) -> Result<()> {
    for split in splits.iter().filter(|s| s.kind == OpKind::Delete) {
        fire_each(
            split.whole,
            MapperEvent::BeforeDelete,
            std::iter::once(&split.values),
            exec,
        )
        .await?;
    }
    Ok(())
}

/// The object's own `After*` listeners, on the object as written.
pub(crate) async fn after_events(
    outcome: &FlushOutcome,
    splits: &[Split],
    exec: &mut Exec<'_>,
) -> Result<()> {
    for split in splits {
        let event = match split.kind {
            OpKind::Delete => {
                fire_each(
                    split.whole,
                    MapperEvent::AfterDelete,
                    std::iter::once(&split.values),
                    exec,
                )
                .await?;
                continue;
            }
            OpKind::Insert => MapperEvent::AfterInsert,
            OpKind::Update => MapperEvent::AfterUpdate,
        };
        let ticket = split.parts[0].0;
        if let Some(saved) = outcome.saved.iter().find(|s| s.ticket == ticket)
            && saved.kind != SavedKind::Unchanged
        {
            fire_each(split.whole, event, std::iter::once(&saved.values), exec).await?;
        }
    }
    Ok(())
}

/// Put split objects back together in a flush's outcome: one `Saved` per
/// object, with every part's persisted values, under the object's ticket.
pub(crate) fn merge(outcome: &mut FlushOutcome, splits: &[Split]) {
    if splits.is_empty() {
        return;
    }
    for split in splits {
        let mut values = split.values.clone();
        let mut kind: Option<SavedKind> = None;
        let mut found = false;
        for (ticket, positions) in &split.parts {
            let Some(i) = outcome.saved.iter().position(|s| s.ticket == *ticket) else {
                continue;
            };
            let saved = outcome.saved.swap_remove(i);
            found = true;
            for (&p, v) in positions.iter().zip(saved.values) {
                values[p] = v;
            }
            kind = Some(match (kind, saved.kind) {
                (Some(SavedKind::Inserted), _) | (_, SavedKind::Inserted) => SavedKind::Inserted,
                (Some(SavedKind::Updated), _) | (_, SavedKind::Updated) => SavedKind::Updated,
                _ => SavedKind::Unchanged,
            });
        }
        if found {
            outcome.saved.push(super::flush::Saved {
                ticket: split.parts[0].0,
                key: IdentityKey::of_row(split.whole, &values),
                values,
                kind: kind.unwrap_or(SavedKind::Unchanged),
            });
        }
        outcome.deleted.retain(|k| !split.part_keys.contains(k));
    }
}
