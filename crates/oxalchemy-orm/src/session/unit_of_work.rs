//! The unit of work: the changes `add` and `delete` registered since the last flush.
//!
//! Every pending object is held as its column values (mapper order) with its
//! model's [`ModelInfo`], so one session holds objects of every model. The
//! relationship cascades (`super::cascade`) walk an object's loaded
//! `Related<T>` fields and register the objects they reach here too, marked
//! as cascaded (`direct: false`): a cascaded value never replaces the pending
//! change of an object that was added or deleted directly, so a stale copy
//! reached through a relationship cannot undo a change made on purpose.
//!
//! A foreign key whose value the database generates at the flush (the new
//! parent's autoincrement key) is recorded as a [`Link`]; the flush copies
//! the parent's key into the child once the parent's INSERT ran. Loaded
//! collections are recorded as [`CollectionState`]s, for delete-orphan and
//! many-to-many link rows.

use super::identity_map::{IdentityKey, KeyMap, KeySet};
use super::model_info::ModelInfo;
use crate::mapper::{RelKey, RelationshipMapping};
use oxalchemy_core::{Error, Value};
use std::collections::{HashMap, HashSet};

/// Identifies one `add` so `save` can find the value the flush persisted.
pub(crate) type Ticket = u64;

/// What the flush does with a pending object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    /// A new row.
    Insert,
    /// A row the identity map knows: write the columns that differ from its snapshot.
    Update,
    /// Delete the row.
    Delete,
}

/// Foreign-key columns of a pending object whose values are copied, during
/// the flush, from the row of another pending object (its parent through a
/// relationship) once that row was inserted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    /// Positions (mapper order) of the foreign-key columns of this object.
    pub(crate) fk: Vec<usize>,
    /// The ticket of the object the foreign key refers to.
    pub(crate) parent: Ticket,
    /// Positions (mapper order of the parent) of the referenced columns.
    pub(crate) referenced: Vec<usize>,
    /// The relationship (`"User.addresses"`), for messages.
    pub(crate) relationship: String,
}

/// One pending change.
#[derive(Debug, Clone)]
pub(crate) struct PendingOp {
    pub(crate) kind: OpKind,
    pub(crate) info: ModelInfo,
    /// The object's column values, in mapper order.
    pub(crate) values: Vec<Value>,
    /// `None` for a new object whose key the database assigns.
    pub(crate) key: Option<IdentityKey>,
    pub(crate) ticket: Ticket,
    /// Foreign keys copied from parents inserted by the same flush.
    pub(crate) links: Vec<Link>,
    /// Registered by `add` / `delete` itself, not reached through a relationship.
    pub(crate) direct: bool,
    /// For a DELETE: the relationships whose loaded objects were cascaded
    /// when `delete` was called (the others are loaded by the flush if their
    /// cascade needs them).
    pub(crate) cascaded: Vec<&'static str>,
}

/// The state of one loaded collection (or of items pushed to a collection
/// that was not loaded) of a pending object, as given to `add`.
#[derive(Debug, Clone)]
pub(crate) struct CollectionState {
    /// The owner's ticket.
    pub(crate) owner: Ticket,
    /// The relationship.
    pub(crate) rel: &'static RelationshipMapping,
    /// The relationship was loaded (or set): members of its history that
    /// are not in it were removed (see `super::removed_members`).
    pub(crate) loaded: bool,
    /// The tickets of the members (loaded items, then pushed ones).
    pub(crate) members: Vec<Ticket>,
    /// What the relationship was loaded with (`None`: built by the caller,
    /// the whole new collection).
    pub(crate) history: Option<crate::LoadedWith>,
}

/// What `add` registers for one object.
#[derive(Debug)]
pub(crate) struct SaveRequest {
    pub(crate) info: ModelInfo,
    pub(crate) values: Vec<Value>,
    /// The identity map knows the object: an UPDATE of what changed.
    pub(crate) known: bool,
    pub(crate) links: Vec<Link>,
    pub(crate) direct: bool,
    /// Part of the primary key comes from a link: the object has no
    /// identity until the flush.
    pub(crate) key_pending: bool,
}

/// What became of a [`SaveRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Registered {
    /// Registered (new, or replacing an earlier change of the same identity).
    Saved(Ticket),
    /// A cascaded value met a change registered directly (`add` or
    /// `delete` of that object), which wins: nothing was registered.
    Kept(Ticket),
}

impl Registered {
    pub(crate) fn ticket(self) -> Ticket {
        match self {
            Registered::Saved(t) | Registered::Kept(t) => t,
        }
    }
}

/// The pending changes, in the order they were registered.
///
/// Ops live in slots (a removed op leaves a hole until the next compaction,
/// so removal keeps the order of the others) and are indexed by identity and
/// by ticket, so registering, finding and replacing one is O(1): `add_all`
/// and the flush are linear in the number of objects.
#[derive(Debug, Default)]
pub(crate) struct UnitOfWork {
    slots: Vec<Option<PendingOp>>,
    /// Live ops (slots holding `Some`).
    live: usize,
    /// Identity -> slot (at most one pending op per identity).
    by_key: KeyMap<usize>,
    /// Ticket -> slot.
    by_ticket: HashMap<Ticket, usize>,
    /// Parent ticket -> tickets of ops registered with a link to it (may
    /// name ops replaced or removed since: checked on use).
    linked_children: HashMap<Ticket, Vec<Ticket>>,
    next_ticket: Ticket,
    /// Collection states in recording order (a replaced one leaves a hole).
    collections: Vec<Option<CollectionState>>,
    /// (owner, relationship) -> index in `collections`.
    collection_index: HashMap<(Ticket, RelKey), usize>,
    /// An error met by `add` / `delete` (which return nothing), reported by
    /// the next flush.
    error: Option<Error>,
    /// Per object added directly: the objects its `add` registered through
    /// relationships (replaced when it is added again).
    walks: HashMap<Ticket, Vec<Ticket>>,
    /// Per object registered through relationships: how many walks reached it.
    reached_by: HashMap<Ticket, u32>,
}

fn rel_key(rel: &'static RelationshipMapping) -> RelKey {
    RelKey(rel)
}

impl UnitOfWork {
    /// The pending changes, in registration order.
    pub(crate) fn ops(&self) -> impl Iterator<Item = &PendingOp> + '_ {
        self.slots.iter().flatten()
    }

    /// How many changes are pending.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0 && self.error.is_none()
    }

    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.live = 0;
        self.by_key.clear();
        self.by_ticket.clear();
        self.linked_children.clear();
        self.collections.clear();
        self.collection_index.clear();
        self.error = None;
        self.walks.clear();
        self.reached_by.clear();
    }

    /// Remember what the `add` of `root` registered through relationships.
    pub(crate) fn record_walk(&mut self, root: Ticket, reached: Vec<Ticket>) {
        for t in &reached {
            *self.reached_by.entry(*t).or_default() += 1;
        }
        self.walks.insert(root, reached);
    }

    /// `root` is added again: undo what its earlier `add` registered through
    /// relationships and no other `add` reached (objects added directly
    /// stay), and its recorded relationship states.
    pub(crate) fn forget_walk(&mut self, root: Ticket) {
        let mut owners: HashSet<Ticket> = HashSet::from([root]);
        for t in self.walks.remove(&root).unwrap_or_default() {
            let Some(n) = self.reached_by.get_mut(&t) else {
                continue;
            };
            *n -= 1;
            if *n > 0 {
                continue;
            }
            self.reached_by.remove(&t);
            if let Some(&slot) = self.by_ticket.get(&t)
                && self.slots[slot]
                    .as_ref()
                    .is_some_and(|op| !op.direct && op.kind != OpKind::Delete)
            {
                self.take(slot);
                owners.insert(t);
            }
        }
        if self
            .collections
            .iter()
            .flatten()
            .any(|c| owners.contains(&c.owner))
        {
            for c in &mut self.collections {
                if c.as_ref().is_some_and(|c| owners.contains(&c.owner)) {
                    *c = None;
                }
            }
            self.collection_index
                .retain(|(owner, _), _| !owners.contains(owner));
        }
        self.compact();
    }

    fn ticket(&mut self) -> Ticket {
        self.next_ticket += 1;
        self.next_ticket
    }

    /// The last ticket handed out (the flush numbers the objects it finds
    /// itself after it).
    pub(crate) fn last_ticket(&self) -> Ticket {
        self.next_ticket
    }

    /// The recorded collection states, in recording order.
    pub(crate) fn collections(&self) -> Vec<&CollectionState> {
        self.collections.iter().flatten().collect()
    }

    /// Record the state of a collection; replaces an earlier state of the
    /// same owner and relationship (the new state goes last).
    pub(crate) fn record_collection(&mut self, state: CollectionState) {
        let key = (state.owner, rel_key(state.rel));
        if let Some(old) = self.collection_index.remove(&key) {
            self.collections[old] = None;
        }
        self.collection_index.insert(key, self.collections.len());
        self.collections.push(Some(state));
    }

    /// Record the state of a relationship of an object already recorded
    /// from another copy of it: the members of both count, and a loaded
    /// state (with its history) wins over items pushed without loading.
    pub(crate) fn merge_collection(&mut self, mut state: CollectionState) {
        let key = (state.owner, rel_key(state.rel));
        let Some(old) = self
            .collection_index
            .get(&key)
            .and_then(|&i| self.collections[i].as_mut())
        else {
            self.record_collection(state);
            return;
        };
        if old.loaded || !state.loaded {
            for t in state.members {
                if !old.members.contains(&t) {
                    old.members.push(t);
                }
            }
            if state.loaded {
                // What either copy was loaded with and neither holds was removed.
                old.history = match (old.history.take(), state.history) {
                    (Some(a), Some(b)) => Some(a.union(&b)),
                    _ => None,
                };
            }
            return;
        }
        for t in std::mem::take(&mut old.members) {
            if !state.members.contains(&t) {
                state.members.push(t);
            }
        }
        self.record_collection(state);
    }

    /// Keep the first error met by `add` / `delete` for the next flush.
    pub(crate) fn set_error(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    /// True when a flush has something to do: pending work, or an error of
    /// `add` / `delete` to report.
    pub(crate) fn needs_flush(&self) -> bool {
        self.error.is_some() || !self.is_empty()
    }

    /// The error met by `add` / `delete`, once.
    pub(crate) fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    fn op(&self, slot: usize) -> &PendingOp {
        match &self.slots[slot] {
            Some(op) => op,
            None => unreachable!("the index names a removed op"),
        }
    }

    /// The pending change with this ticket.
    pub(crate) fn by_ticket(&self, ticket: Ticket) -> Option<&PendingOp> {
        self.by_ticket.get(&ticket).map(|&i| self.op(i))
    }

    fn position(&self, key: &IdentityKey) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// Append a new op and index it.
    fn push(&mut self, op: PendingOp) {
        let slot = self.slots.len();
        self.index(slot, &op);
        self.slots.push(Some(op));
        self.live += 1;
    }

    /// Put `op` in the slot of the op it replaces (same ticket and identity).
    fn replace(&mut self, slot: usize, op: PendingOp) {
        self.index(slot, &op);
        self.slots[slot] = Some(op);
    }

    fn index(&mut self, slot: usize, op: &PendingOp) {
        self.by_ticket.insert(op.ticket, slot);
        if let Some(k) = &op.key {
            self.by_key.insert(k.clone(), slot);
        }
        for l in &op.links {
            self.linked_children
                .entry(l.parent)
                .or_default()
                .push(op.ticket);
        }
    }

    /// Remove the op in `slot` (its slot stays empty until compaction).
    fn take(&mut self, slot: usize) -> PendingOp {
        let Some(op) = self.slots[slot].take() else {
            unreachable!("the index names a removed op");
        };
        self.live -= 1;
        self.by_ticket.remove(&op.ticket);
        if let Some(k) = &op.key {
            self.by_key.remove(k);
        }
        op
    }

    /// Drop the holes once they outnumber the live ops (amortized O(1) per removal).
    fn compact(&mut self) {
        let holes = self.slots.len() - self.live;
        if holes < 64 || holes < self.live {
            return;
        }
        self.slots.retain(Option::is_some);
        self.by_key.clear();
        self.by_ticket.clear();
        for (slot, op) in self.slots.iter().enumerate() {
            let Some(op) = op else { continue };
            self.by_ticket.insert(op.ticket, slot);
            if let Some(k) = &op.key {
                self.by_key.insert(k.clone(), slot);
            }
        }
    }

    /// Remove every op `remove` selects (a full pass: for the calls that
    /// look at every op anyway).
    fn remove_where(&mut self, remove: impl Fn(&PendingOp) -> bool) {
        for slot in 0..self.slots.len() {
            if self.slots[slot].as_ref().is_some_and(&remove) {
                self.take(slot);
            }
        }
        self.compact();
    }

    /// The slot of the pending new object without a key equal to `values`.
    fn keyless_insert(
        &self,
        info: ModelInfo,
        values: &[Value],
        only_inserts: bool,
    ) -> Option<usize> {
        self.slots.iter().position(|op| {
            op.as_ref().is_some_and(|op| {
                (!only_inserts || op.kind == OpKind::Insert)
                    && op.key.is_none()
                    && std::ptr::eq(op.info.mapper, info.mapper)
                    && op.values == values
            })
        })
    }

    /// `add` of one object, without relationships: a new object is an
    /// INSERT; an object whose identity the map knows (`known`) is an UPDATE
    /// of what differs from the snapshot. A second `add` of the same identity
    /// before the flush replaces the first.
    #[cfg(test)]
    pub(crate) fn register_save(
        &mut self,
        info: ModelInfo,
        values: Vec<Value>,
        known: bool,
    ) -> Ticket {
        self.register(SaveRequest {
            info,
            values,
            known,
            links: Vec::new(),
            direct: true,
            key_pending: false,
        })
        .ticket()
    }

    /// Register one object to save. A value of an identity that is already
    /// pending replaces the earlier one (keeping its ticket, and staying an
    /// INSERT if it was one), except that a cascaded value never replaces a
    /// change registered directly.
    pub(crate) fn register(&mut self, mut req: SaveRequest) -> Registered {
        if !req.known
            && let Some((pos, identity)) = &req.info.state.discriminator
            && let Some(slot) = req.values.get_mut(*pos)
        {
            // SQLAlchemy sets the discriminator from polymorphic_identity on INSERT.
            *slot = identity.clone();
        }
        let key = (!req.key_pending && !req.info.key_is_unset(&req.values))
            .then(|| IdentityKey::of_row(req.info, &req.values));
        let kind = if req.known {
            OpKind::Update
        } else {
            OpKind::Insert
        };
        match key.as_ref().and_then(|k| self.position(k)) {
            Some(i) => {
                let previous = self.op(i);
                if !req.direct && (previous.direct || previous.kind == OpKind::Delete) {
                    return Registered::Kept(previous.ticket);
                }
                let ticket = previous.ticket;
                // Still a new row if it was one; a deleted row that is added
                // again is kept (an UPDATE when the session knows it).
                let kind = if previous.kind == OpKind::Insert {
                    OpKind::Insert
                } else {
                    kind
                };
                let direct = req.direct || previous.direct;
                self.replace(
                    i,
                    PendingOp {
                        kind,
                        info: req.info,
                        values: req.values,
                        key,
                        ticket,
                        links: req.links,
                        direct,
                        cascaded: Vec::new(),
                    },
                );
                Registered::Saved(ticket)
            }
            None => {
                let ticket = self.ticket();
                self.push(PendingOp {
                    kind,
                    info: req.info,
                    values: req.values,
                    key,
                    ticket,
                    links: req.links,
                    direct: req.direct,
                    cascaded: Vec::new(),
                });
                Registered::Saved(ticket)
            }
        }
    }

    /// `delete`: the row goes at the next flush. A pending new object is just
    /// dropped (there is no row yet), with the new objects added through its
    /// relationships (their foreign keys were to come from it); an object
    /// without a key that matches a pending new object by value cancels that
    /// INSERT. A cascaded delete never replaces a change registered directly.
    /// `cascaded` names the relationships whose loaded objects the caller
    /// cascaded to.
    pub(crate) fn register_delete(
        &mut self,
        info: ModelInfo,
        values: Vec<Value>,
        direct: bool,
        cascaded: Vec<&'static str>,
    ) {
        if info.key_is_unset(&values) {
            if let Some(i) = self.keyless_insert(info, &values, true) {
                self.drop_insert(i);
            }
            return;
        }
        let key = IdentityKey::of_row(info, &values);
        match self.position(&key) {
            Some(i) if !direct && self.op(i).direct => {}
            Some(i) if self.op(i).kind == OpKind::Insert => {
                self.drop_insert(i);
            }
            Some(i) => {
                let ticket = self.op(i).ticket;
                let direct = direct || self.op(i).direct;
                self.replace(
                    i,
                    PendingOp {
                        kind: OpKind::Delete,
                        info,
                        values,
                        key: Some(key),
                        ticket,
                        links: Vec::new(),
                        direct,
                        cascaded,
                    },
                );
            }
            None => {
                let ticket = self.ticket();
                self.push(PendingOp {
                    kind: OpKind::Delete,
                    info,
                    values,
                    key: Some(key),
                    ticket,
                    links: Vec::new(),
                    direct,
                    cascaded,
                });
            }
        }
    }

    /// Remove a pending INSERT, the pending INSERTs whose foreign keys were
    /// to come from it (transitively), and its collection states.
    fn drop_insert(&mut self, i: usize) {
        let first = self.take(i).ticket;
        let mut gone = vec![first];
        let mut dropped: HashSet<Ticket> = HashSet::from([first]);
        while let Some(t) = gone.pop() {
            let kids = self.linked_children.remove(&t).unwrap_or_default();
            // In registration order, as the children were found before.
            let mut slots: Vec<usize> = kids
                .into_iter()
                .filter_map(|c| self.by_ticket.get(&c).copied())
                .filter(|&s| {
                    let op = self.op(s);
                    op.kind == OpKind::Insert && op.links.iter().any(|l| l.parent == t)
                })
                .collect();
            slots.sort_unstable();
            slots.dedup();
            for s in slots {
                let child = self.take(s);
                dropped.insert(child.ticket);
                gone.push(child.ticket);
            }
        }
        if dropped
            .iter()
            .any(|t| self.collections.iter().flatten().any(|c| c.owner == *t))
        {
            for c in &mut self.collections {
                if c.as_ref().is_some_and(|c| dropped.contains(&c.owner)) {
                    *c = None;
                }
            }
            self.collection_index
                .retain(|(owner, _), _| !dropped.contains(owner));
        }
        self.compact();
    }

    /// `expunge`: forget every pending change of this identity (or, for an
    /// object without a key, the pending new object equal to it).
    pub(crate) fn forget(&mut self, info: ModelInfo, values: &[Value]) {
        if info.key_is_unset(values) {
            if let Some(i) = self.keyless_insert(info, values, false) {
                self.take(i);
                self.compact();
            }
            return;
        }
        let key = IdentityKey::of_row(info, values);
        if let Some(i) = self.position(&key) {
            self.take(i);
            self.compact();
        }
    }

    /// Drop the pending UPDATE of one identity (`refresh`).
    pub(crate) fn forget_update(&mut self, key: &IdentityKey) {
        if let Some(i) = self.position(key)
            && self.op(i).kind == OpKind::Update
        {
            self.take(i);
            self.compact();
        }
    }

    /// Drop every pending UPDATE (`expire_all`, as SQLAlchemy discards
    /// unflushed changes of expired objects); new and deleted objects stay.
    pub(crate) fn forget_updates(&mut self) {
        self.remove_where(|op| op.kind == OpKind::Update);
    }

    /// After a rollback: a pending UPDATE of a row that no longer exists
    /// (inserted by the rolled-back transaction) becomes an INSERT again, and
    /// a pending DELETE of such a row has nothing left to delete.
    pub(crate) fn after_rollback(
        &mut self,
        known: impl Fn(&IdentityKey) -> bool,
        undone_inserts: &KeySet,
    ) {
        self.remove_where(|op| {
            op.kind == OpKind::Delete && op.key.as_ref().is_some_and(|k| undone_inserts.contains(k))
        });
        for op in self.slots.iter_mut().flatten() {
            if op.kind == OpKind::Update && op.key.as_ref().is_some_and(|k| !known(k)) {
                op.kind = OpKind::Insert;
            }
        }
    }

    /// Replace the values and links of the pending op `ticket` (its
    /// identity stays: the changed columns are not part of its key).
    pub(crate) fn set_values_and_links(
        &mut self,
        ticket: Ticket,
        values: Vec<Value>,
        links: Vec<Link>,
    ) {
        let Some(&slot) = self.by_ticket.get(&ticket) else {
            return;
        };
        for l in &links {
            self.linked_children
                .entry(l.parent)
                .or_default()
                .push(ticket);
        }
        if let Some(op) = self.slots[slot].as_mut() {
            op.values = values;
            op.links = links;
        }
    }

    /// The pending change of an identity, if any.
    pub(crate) fn find(&self, key: &IdentityKey) -> Option<&PendingOp> {
        self.position(key).map(|i| self.op(i))
    }

    /// Pending changes of one kind for one model.
    pub(crate) fn of_kind(
        &self,
        kind: OpKind,
        mapper: &'static crate::Mapper,
    ) -> impl Iterator<Item = &PendingOp> {
        self.ops()
            .filter(move |op| op.kind == kind && std::ptr::eq(op.info.mapper, mapper))
    }
}
