//! Before a flush is planned: the changes that follow from rows the session
//! was not handed as values.
//!
//! 1. **Removed members** of one-to-many relationships, decided over the
//!    whole flush from each relationship's history (`super::removed_members`).
//! 2. **Delete cascades over relationships that were not loaded**. As
//!    SQLAlchemy loads such a collection before deleting its items, the
//!    flush SELECTs the children of all deleted parents, one statement per
//!    relationship and level (IN lists of up to 500 keys), and deletes them
//!    too, down to any depth. `passive_deletes` skips this and trusts the
//!    database's `ON DELETE CASCADE`.
//! 3. **Link rows of many-to-many collections** of objects that already
//!    exist: one SELECT per relationship reads the current link rows, so the
//!    flush inserts only the new ones and deletes the removed ones.
//!
//! Nothing here changes the session: the result is the list of changes the
//! flush plans from ([`FlushOps`]), and a failed flush keeps the unit of work
//! as it was.

use super::exec::Reader;
use super::flush::match_tuples;
use super::identity_map::{IdentityKey, IdentityMap, KeyPart};
use super::model_info::ModelInfo;
use super::normalize::{column_types, normalize_row_typed};
use super::removed_members::{self, ReadRows};
use super::unit_of_work::{CollectionState, OpKind, PendingOp, Ticket, UnitOfWork};
use crate::join_condition::Direction;
use crate::mapper::RelKey;
use crate::resolved_relationship::ResolvedRelationship;
use oxalchemy_core::{Column, Expr, Result, Select, Value, select};
use std::collections::{HashMap, HashSet};

/// Keys per IN list of the SELECTs a flush sends (as selectin loading).
const LOAD_CHUNK: usize = 500;

/// The current link rows of many-to-many collections: (relationship, the
/// owner's values of the association's owner columns) -> the values of the
/// association's target columns of each link row.
pub(crate) type ExistingLinks = HashMap<(RelKey, Vec<KeyPart>), Vec<Vec<Value>>>;

/// The key of a relationship in [`ExistingLinks`].
pub(crate) fn rel_id(rel: &'static crate::mapper::RelationshipMapping) -> RelKey {
    RelKey(rel)
}

/// The changes a flush plans from: the unit of work's, and those the flush
/// found itself (removed children, children of deleted parents).
#[derive(Debug, Clone)]
pub(crate) struct FlushOps {
    ops: Vec<PendingOp>,
    next_ticket: Ticket,
    tickets: HashMap<Ticket, usize>,
    keys: HashMap<IdentityKey, usize>,
}

impl FlushOps {
    pub(crate) fn new(uow: &UnitOfWork) -> Self {
        let ops: Vec<PendingOp> = uow.ops().cloned().collect();
        let tickets = ops
            .iter()
            .enumerate()
            .map(|(i, op)| (op.ticket, i))
            .collect();
        let keys = ops
            .iter()
            .enumerate()
            .filter_map(|(i, op)| Some((op.key.clone()?, i)))
            .collect();
        FlushOps {
            ops,
            next_ticket: uow.last_ticket(),
            tickets,
            keys,
        }
    }

    /// The changes, given to the planner.
    pub(crate) fn into_ops(self) -> Vec<PendingOp> {
        self.ops
    }

    pub(crate) fn by_ticket(&self, ticket: Ticket) -> Option<&PendingOp> {
        self.tickets.get(&ticket).map(|&i| &self.ops[i])
    }

    pub(crate) fn by_key(&self, key: &IdentityKey) -> Option<&PendingOp> {
        self.keys.get(key).map(|&i| &self.ops[i])
    }

    /// Add a change the flush found (replacing the pending change of the same identity).
    pub(crate) fn put(
        &mut self,
        kind: OpKind,
        info: ModelInfo,
        values: Vec<Value>,
        key: IdentityKey,
    ) -> Ticket {
        let links = Vec::new();
        match self.keys.get(&key).copied() {
            Some(i) => {
                let op = &mut self.ops[i];
                op.kind = kind;
                op.values = values;
                op.links = links;
                op.cascaded = Vec::new();
                op.ticket
            }
            None => {
                self.next_ticket += 1;
                self.tickets.insert(self.next_ticket, self.ops.len());
                self.keys.insert(key.clone(), self.ops.len());
                self.ops.push(PendingOp {
                    kind,
                    info,
                    values,
                    key: Some(key),
                    ticket: self.next_ticket,
                    links,
                    direct: false,
                    cascaded: Vec::new(),
                });
                self.next_ticket
            }
        }
    }
}

/// What a flush plans from.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) ops: FlushOps,
    pub(crate) links: ExistingLinks,
    /// Rows the flush read that the session held no snapshot of.
    pub(crate) read: ReadRows,
}

/// The changes of the unit of work (step 0: no I/O).
pub(crate) fn start(uow: &UnitOfWork) -> FlushOps {
    FlushOps::new(uow)
}

/// Steps 1 to 3: members removed from relationships (`super::removed_members`),
/// the reads the delete cascades need (none when no deleted object has an
/// unloaded delete cascade), and the link rows of many-to-many collections
/// of existing objects.
pub(crate) async fn read(
    mut ops: FlushOps,
    uow: &UnitOfWork,
    map: &IdentityMap,
    reader: &mut Reader<'_>,
) -> Result<Prepared> {
    let states = uow.collections();
    let read = removed_members::apply(&mut ops, &states, map, reader).await?;
    cascade_deletes(&mut ops, reader).await?;
    let links = existing_links(&ops, &states, reader).await?;
    Ok(Prepared { ops, links, read })
}

/// The snapshots of one table, grouped by the values of some columns (the
/// foreign key of a relationship), so finding the children of a parent
/// does not scan the identity map.
#[derive(Default)]
pub(crate) struct ChildIndex<'a> {
    /// (table, columns) -> the identities per column values.
    groups: HashMap<(String, Vec<usize>), ByValues<'a>>,
}

/// Identities grouped by the values of some columns.
type ByValues<'a> = HashMap<Vec<KeyPart>, Vec<&'a IdentityKey>>;

impl<'a> ChildIndex<'a> {
    /// The identities of `target` whose snapshot holds `parent` in `fk`.
    pub(crate) fn children(
        &mut self,
        map: &'a IdentityMap,
        target: ModelInfo,
        fk: &[usize],
        parent: &[KeyPart],
    ) -> Vec<&'a IdentityKey> {
        let group = self
            .groups
            .entry((target.table_name(), fk.to_vec()))
            .or_insert_with(|| {
                let mut g = ByValues::new();
                for (key, entry) in map.entries() {
                    if key.table == target.mapper.table && key.schema == target.mapper.schema {
                        g.entry(project(&entry.snapshot, fk)).or_default().push(key);
                    }
                }
                g
            });
        group.get(parent).cloned().unwrap_or_default()
    }
}

pub(crate) fn project(values: &[Value], positions: &[usize]) -> Vec<KeyPart> {
    positions
        .iter()
        .map(|&p| KeyPart::of(values.get(p).unwrap_or(&Value::Null)))
        .collect()
}

/// SELECT the rows of `info` whose `positions` match one of `tuples` (in
/// IN lists of up to [`LOAD_CHUNK`]), normalized as the session's snapshots.
pub(crate) async fn select_matching(
    reader: &mut Reader<'_>,
    info: ModelInfo,
    positions: &[usize],
    tuples: &[Vec<Value>],
) -> Result<Vec<Vec<Value>>> {
    let names: Vec<&str> = positions
        .iter()
        .map(|&p| info.mapper.columns[p].name)
        .collect();
    let types = column_types(info.mapper);
    let mut out = Vec::new();
    for chunk in tuples.chunks(LOAD_CHUNK) {
        let stmt: Select = select(info.columns())
            .filter(Expr::<bool>::new(match_tuples(info.table, &names, chunk)));
        out.extend(
            reader
                .rows(stmt)
                .await?
                .into_iter()
                .map(|row| normalize_row_typed(&types, row)),
        );
    }
    Ok(out)
}

/// The rows one relationship must read for the deleted objects.
struct Needed {
    rel: &'static ResolvedRelationship,
    /// The deleted owners' values of the joined columns.
    tuples: Vec<Vec<Value>>,
    seen: HashSet<Vec<KeyPart>>,
}

/// Delete cascades over relationships that were not loaded when `delete`
/// was called: SELECT the related rows of every deleted object, level by
/// level, and delete them too. For a many-to-many relationship, the link
/// rows are read first, then the targets they name.
async fn cascade_deletes(ops: &mut FlushOps, reader: &mut Reader<'_>) -> Result<()> {
    let mut frontier: Vec<Ticket> = ops
        .ops
        .iter()
        .filter(|op| op.kind == OpKind::Delete)
        .map(|op| op.ticket)
        .collect();
    while !frontier.is_empty() {
        // Per relationship: the deleted owners' values of the joined columns.
        let mut needed: Vec<Needed> = Vec::new();
        for t in &frontier {
            let Some(op) = ops.by_ticket(*t) else {
                continue;
            };
            for rel in op.info.mapper.relationships {
                if !rel.cascade.delete || rel.passive_deletes || op.cascaded.contains(&rel.field) {
                    continue;
                }
                let r = op.info.state.resolved(rel)?;
                let owner_pos = r.owner_positions();
                let tuple: Vec<Value> = owner_pos.iter().map(|&p| op.values[p].clone()).collect();
                if tuple.iter().any(Value::is_null) {
                    continue;
                }
                let i = match needed.iter().position(|n| std::ptr::eq(n.rel, r)) {
                    Some(i) => i,
                    None => {
                        needed.push(Needed {
                            rel: r,
                            tuples: Vec::new(),
                            seen: HashSet::new(),
                        });
                        needed.len() - 1
                    }
                };
                if needed[i]
                    .seen
                    .insert(tuple.iter().map(KeyPart::of).collect())
                {
                    needed[i].tuples.push(tuple);
                }
            }
        }
        let mut next = Vec::new();
        for Needed { rel: r, tuples, .. } in needed {
            for chunk in tuples.chunks(LOAD_CHUNK) {
                match &r.secondary {
                    Some(sec) => {
                        let owner_cols: Vec<&str> =
                            sec.owner_pairs.iter().map(|(_, c)| c.as_str()).collect();
                        let columns: Vec<Column> = sec
                            .target_pairs
                            .iter()
                            .map(|(_, c)| sec.table.c(c))
                            .collect();
                        let stmt: Select = select(columns).filter(Expr::<bool>::new(match_tuples(
                            &sec.table,
                            &owner_cols,
                            chunk,
                        )));
                        let mut seen = HashSet::new();
                        let targets: Vec<Vec<Value>> = reader
                            .rows(stmt)
                            .await?
                            .into_iter()
                            .filter(|t| seen.insert(t.iter().map(KeyPart::of).collect::<Vec<_>>()))
                            .collect();
                        let target_pos: Vec<usize> = sec.target_positions.clone();
                        for tchunk in targets.chunks(LOAD_CHUNK) {
                            for row in select_matching(reader, r.target_info(), &target_pos, tchunk)
                                .await?
                            {
                                if r.target_info().key_is_unset(&row) {
                                    continue;
                                }
                                let key = IdentityKey::of_row(r.target_info(), &row);
                                if ops.by_key(&key).is_some_and(|op| op.kind == OpKind::Delete) {
                                    continue;
                                }
                                next.push(ops.put(OpKind::Delete, r.target_info(), row, key));
                            }
                        }
                    }
                    None => {
                        let target_pos: Vec<usize> = r.positions.iter().map(|&(_, t)| t).collect();
                        let parents: HashSet<Vec<KeyPart>> = chunk
                            .iter()
                            .map(|t| t.iter().map(KeyPart::of).collect())
                            .collect();
                        for row in
                            select_matching(reader, r.target_info(), &target_pos, chunk).await?
                        {
                            if r.target_info().key_is_unset(&row) {
                                continue;
                            }
                            let key = IdentityKey::of_row(r.target_info(), &row);
                            match ops.by_key(&key) {
                                Some(op) if op.kind == OpKind::Delete => continue,
                                // A pending change moved the child to another parent.
                                Some(op)
                                    if r.direction == Direction::OneToMany
                                        && !parents.contains(&project(&op.values, &target_pos)) =>
                                {
                                    continue;
                                }
                                _ => {}
                            }
                            next.push(ops.put(OpKind::Delete, r.target_info(), row, key));
                        }
                    }
                }
            }
        }
        frontier = next;
    }
    Ok(())
}

/// The link rows of the many-to-many collections of existing owners.
async fn existing_links(
    ops: &FlushOps,
    states: &[&CollectionState],
    reader: &mut Reader<'_>,
) -> Result<ExistingLinks> {
    let mut out = ExistingLinks::new();
    let mut needed: Vec<(&'static ResolvedRelationship, RelKey, Vec<Vec<Value>>)> = Vec::new();
    // The owner tuples already listed, per relationship (index in `needed`).
    let mut listed: HashSet<(usize, Vec<KeyPart>)> = HashSet::new();
    for state in states {
        let Some(owner) = ops.by_ticket(state.owner) else {
            continue;
        };
        if owner.kind != OpKind::Update {
            continue;
        }
        let r = owner.info.state.resolved(state.rel)?;
        let Some(sec) = &r.secondary else {
            continue;
        };
        let tuple: Vec<Value> = sec
            .owner_positions
            .iter()
            .map(|&p| owner.values[p].clone())
            .collect();
        let parts: Vec<KeyPart> = tuple.iter().map(KeyPart::of).collect();
        match needed.iter().position(|(n, _, _)| std::ptr::eq(*n, r)) {
            Some(i) => {
                if listed.insert((i, parts)) {
                    needed[i].2.push(tuple);
                }
            }
            None => {
                listed.insert((needed.len(), parts));
                needed.push((r, rel_id(state.rel), vec![tuple]));
            }
        }
    }
    for (r, id, tuples) in needed {
        let Some(sec) = &r.secondary else {
            continue;
        };
        let owner_cols: Vec<&str> = sec.owner_pairs.iter().map(|(_, c)| c.as_str()).collect();
        let columns: Vec<Column> = sec
            .owner_pairs
            .iter()
            .chain(&sec.target_pairs)
            .map(|(_, c)| sec.table.c(c))
            .collect();
        let n = sec.owner_pairs.len();
        for chunk in tuples.chunks(LOAD_CHUNK) {
            for tuple in chunk {
                out.entry((id, tuple.iter().map(KeyPart::of).collect()))
                    .or_default();
            }
            let stmt: Select = select(columns.clone()).filter(Expr::<bool>::new(match_tuples(
                &sec.table,
                &owner_cols,
                chunk,
            )));
            for mut row in reader.rows(stmt).await? {
                let target = row.split_off(n.min(row.len()));
                let owner: Vec<KeyPart> = row.iter().map(KeyPart::of).collect();
                out.entry((id, owner)).or_default().push(target);
            }
        }
    }
    Ok(out)
}
