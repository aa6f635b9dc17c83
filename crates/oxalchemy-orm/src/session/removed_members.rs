//! Members removed from one-to-many relationships, decided over the whole
//! flush (SQLAlchemy's collection history and orphan detection).
//!
//! A relationship value given to `add` is compared with what it was loaded
//! with ([`crate::LoadedWith`], set by the session's loaders and by `save`):
//! a member it was loaded with that is gone from the value was removed. A
//! relationship the caller built (`Related::from`) has no history: it is the
//! whole new collection, as SQLAlchemy treats an assigned collection, so the
//! flush reads the rows it replaces (one SELECT per relationship).
//!
//! A removed member is an orphan only when it belongs to no parent after the
//! flush: when the flush also gives it another parent (it was added to
//! another collection, new or loaded, in any order, or its foreign key or
//! many-to-one relationship was changed), it is re-parented by its own
//! UPDATE. An orphan is deleted (`delete-orphan`) or detached (its foreign
//! key set to NULL; an error naming the relationship when the column is NOT
//! NULL). A row the relationship never held is never touched, so a
//! collection loaded partially (`contains_eager` with a filter) is safe.

use super::exec::Reader;
use super::identity_map::{IdentityKey, IdentityMap, KeyMap, KeyPart};
use super::model_info::ModelInfo;
use super::orphans::{FlushOps, project, select_matching};
use super::unit_of_work::{CollectionState, OpKind};
use crate::join_condition::Direction;
use crate::relationship_options::Cascade;
use crate::resolved_relationship::ResolvedRelationship;
use oxalchemy_core::{Error, Result, Value};
use std::collections::HashSet;

/// One relationship value given to `add` whose removed members are looked for.
struct Examined {
    rel: &'static ResolvedRelationship,
    cascade: Cascade,
    /// The owner's values of the joined columns.
    parent: Vec<Value>,
    parent_parts: Vec<KeyPart>,
    owner_desc: String,
    /// Positions of the target's foreign-key columns.
    fk: Vec<usize>,
    /// The members the value holds now.
    members: HashSet<IdentityKey>,
}

/// Members removed from one examined relationship value: identity and key values.
type Removed = Vec<(IdentityKey, Vec<Value>)>;

/// Rows read from the database by this flush (the diff base of rows the
/// session held no snapshot of).
pub(crate) type ReadRows = KeyMap<Vec<Value>>;

/// Find the members removed from the one-to-many relationships given to
/// `add`, and turn the orphans among them into DELETEs or detaching UPDATEs
/// in `ops`. Rows read to decide are returned (the diff base of those
/// UPDATEs).
pub(crate) async fn apply(
    ops: &mut FlushOps,
    states: &[&CollectionState],
    map: &IdentityMap,
    reader: &mut Reader<'_>,
) -> Result<ReadRows> {
    let mut read = ReadRows::default();
    // (examined, removed identities and their keys, from the history).
    let mut with_history: Vec<(Examined, Removed)> = Vec::new();
    // Relationship values without history: their current rows are read.
    let mut assigned: Vec<Examined> = Vec::new();
    for state in states.iter().filter(|s| s.loaded) {
        let Some(owner) = ops.by_ticket(state.owner) else {
            continue;
        };
        // A new row has no members yet; a deleted one cascades its own way.
        if owner.kind != OpKind::Update {
            continue;
        }
        let r = owner.info.state.resolved(state.rel)?;
        if r.direction != Direction::OneToMany {
            continue;
        }
        let owner_pos: Vec<usize> = r.positions.iter().map(|&(o, _)| o).collect();
        let parent: Vec<Value> = owner_pos.iter().map(|&p| owner.values[p].clone()).collect();
        if parent.iter().any(Value::is_null) {
            continue;
        }
        let members: HashSet<IdentityKey> = state
            .members
            .iter()
            .filter_map(|t| ops.by_ticket(*t)?.key.clone())
            .collect();
        let examined = Examined {
            fk: r.positions.iter().map(|&(_, t)| t).collect(),
            parent_parts: parent.iter().map(KeyPart::of).collect(),
            parent,
            owner_desc: owner.info.describe(&owner.values),
            cascade: state.rel.cascade,
            rel: r,
            members,
        };
        match &state.history {
            Some(h) => {
                let removed: Removed = h
                    .keys()
                    .map(|pk| {
                        (
                            IdentityKey::of_key(examined.rel.target_info(), pk),
                            pk.to_vec(),
                        )
                    })
                    .filter(|(k, _)| !examined.members.contains(k))
                    .collect();
                if !removed.is_empty() {
                    with_history.push((examined, removed));
                }
            }
            None => assigned.push(examined),
        }
    }
    if with_history.is_empty() && assigned.is_empty() {
        return Ok(read);
    }

    // Removed members the session holds no state of: read them by key.
    let mut missing: Vec<(ModelInfo, &IdentityKey, &[Value])> = Vec::new();
    for (e, removed) in &with_history {
        for (key, pk) in removed {
            if ops.by_key(key).is_none() && !map.contains(key) {
                missing.push((e.rel.target_info(), key, pk));
            }
        }
    }
    read_by_key(reader, &missing, &mut read).await?;

    // Assigned relationships: the rows that point at the owner now.
    let mut decided: Vec<(usize, IdentityKey, Vec<Value>)> = Vec::new();
    let assigned_rows = read_assigned(reader, &assigned).await?;
    for (i, rows) in assigned_rows.into_iter().enumerate() {
        let e = &assigned[i];
        for row in rows {
            let key = IdentityKey::of_row(e.rel.target_info(), &row);
            if e.members.contains(&key) {
                continue;
            }
            if ops.by_key(&key).is_none() && !map.contains(&key) {
                read.insert(key.clone(), row.clone());
            }
            decided.push((i, key, row));
        }
    }

    let mut orphans: Vec<(&Examined, IdentityKey, Vec<Value>)> = Vec::new();
    for (e, removed) in &with_history {
        for (key, _) in removed {
            let values = match (ops.by_key(key), map.get(key), read.get(key)) {
                (Some(op), _, _) => op.values.clone(),
                (None, Some(entry), _) => entry.snapshot.clone(),
                (None, None, Some(row)) => row.clone(),
                // The row is gone already.
                (None, None, None) => continue,
            };
            orphans.push((e, key.clone(), values));
        }
    }
    for (i, key, row) in decided {
        let values = match (ops.by_key(&key), map.get(&key)) {
            (Some(op), _) => op.values.clone(),
            (None, Some(entry)) => entry.snapshot.clone(),
            (None, None) => row,
        };
        orphans.push((&assigned[i], key, values));
    }

    for (e, key, mut values) in orphans {
        if let Some(op) = ops.by_key(&key) {
            // Deleted anyway, or given another parent by this flush: its
            // own DELETE / UPDATE says what becomes of it.
            let relinked = op
                .links
                .iter()
                .any(|l| l.fk.iter().any(|p| e.fk.contains(p)));
            if op.kind == OpKind::Delete || relinked {
                continue;
            }
        }
        // Only a member that still points at this owner after the flush is
        // an orphan (the snapshot may be older than a move).
        if project(&values, &e.fk) != e.parent_parts {
            continue;
        }
        let target = e.rel.target_info();
        if e.cascade.delete_orphan {
            ops.put(OpKind::Delete, target, values, key);
            continue;
        }
        if let Some(&p) = e.fk.iter().find(|&&p| !target.mapper.columns[p].nullable) {
            return Err(Error::invalid_request(format!(
                "{}: {} is no longer in the loaded collection of {}, so it would be detached \
                 from it by setting {} to NULL, but {} is NOT NULL. Add cascade = \"all, \
                 delete-orphan\" to {} to delete children removed from the collection, or move \
                 the child to another parent",
                e.rel.name,
                target.describe(&values),
                e.owner_desc,
                column_names(target, &e.fk).join(", "),
                column_names(target, &[p]).join(", "),
                e.rel.name,
            )));
        }
        for &p in &e.fk {
            values[p] = Value::Null;
        }
        ops.put(OpKind::Update, target, values, key);
    }
    Ok(read)
}

fn column_names(info: ModelInfo, positions: &[usize]) -> Vec<String> {
    positions
        .iter()
        .map(|&p| format!("{}.{}", info.mapper.table, info.mapper.columns[p].name))
        .collect()
}

/// Read the rows of removed members the session holds nothing of.
async fn read_by_key(
    reader: &mut Reader<'_>,
    missing: &[(ModelInfo, &IdentityKey, &[Value])],
    read: &mut ReadRows,
) -> Result<()> {
    let mut models: Vec<ModelInfo> = Vec::new();
    for (info, _, _) in missing {
        if !models.iter().any(|m| std::ptr::eq(m.mapper, info.mapper)) {
            models.push(*info);
        }
    }
    for info in models {
        let pk = info.pk_positions();
        let mut seen = HashSet::new();
        let tuples: Vec<Vec<Value>> = missing
            .iter()
            .filter(|(i, k, _)| std::ptr::eq(i.mapper, info.mapper) && seen.insert(*k))
            .map(|(_, _, pk)| pk.to_vec())
            .collect();
        for row in select_matching(reader, info, pk, &tuples).await? {
            read.insert(IdentityKey::of_row(info, &row), row);
        }
    }
    Ok(())
}

/// The rows that point at each assigned relationship's owner now (one
/// SELECT per relationship for all its owners), per examined value.
async fn read_assigned(
    reader: &mut Reader<'_>,
    assigned: &[Examined],
) -> Result<Vec<Vec<Vec<Value>>>> {
    let mut out: Vec<Vec<Vec<Value>>> = vec![Vec::new(); assigned.len()];
    let mut done: Vec<bool> = vec![false; assigned.len()];
    for i in 0..assigned.len() {
        if done[i] {
            continue;
        }
        let rel = &assigned[i].rel;
        // Every owner of the same relationship, read together.
        let group: Vec<usize> = (i..assigned.len())
            .filter(|&j| std::ptr::eq(assigned[j].rel, *rel))
            .collect();
        let mut seen = HashSet::new();
        let tuples: Vec<Vec<Value>> = group
            .iter()
            .filter(|&&j| seen.insert(assigned[j].parent_parts.clone()))
            .map(|&j| assigned[j].parent.clone())
            .collect();
        let fk = &assigned[i].fk;
        for row in select_matching(reader, rel.target_info(), fk, &tuples).await? {
            if rel.target_info().key_is_unset(&row) {
                continue;
            }
            let parts = project(&row, fk);
            for &j in &group {
                if assigned[j].parent_parts == parts {
                    out[j].push(row.clone());
                }
            }
        }
        for j in group {
            done[j] = true;
        }
    }
    Ok(out)
}
