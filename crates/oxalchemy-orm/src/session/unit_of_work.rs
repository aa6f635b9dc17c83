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

use super::identity_map::IdentityKey;
use super::model_info::ModelInfo;
use crate::mapper::RelationshipMapping;
use oxalchemy_core::{Error, Value};

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
    /// The collection was loaded: it is the whole collection, so rows the
    /// session knows as members that are not in it were removed.
    pub(crate) loaded: bool,
    /// The tickets of the members (loaded items, then pushed ones).
    pub(crate) members: Vec<Ticket>,
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
#[derive(Debug, Default)]
pub(crate) struct UnitOfWork {
    ops: Vec<PendingOp>,
    next_ticket: Ticket,
    collections: Vec<CollectionState>,
    /// An error met by `add` / `delete` (which return nothing), reported by
    /// the next flush.
    error: Option<Error>,
}

impl UnitOfWork {
    pub(crate) fn ops(&self) -> &[PendingOp] {
        &self.ops
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.error.is_none()
    }

    pub(crate) fn clear(&mut self) {
        self.ops.clear();
        self.collections.clear();
        self.error = None;
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

    /// The recorded collection states.
    pub(crate) fn collections(&self) -> &[CollectionState] {
        &self.collections
    }

    /// Record the state of a collection; replaces an earlier state of the
    /// same owner and relationship.
    pub(crate) fn record_collection(&mut self, state: CollectionState) {
        self.collections
            .retain(|c| !(c.owner == state.owner && std::ptr::eq(c.rel, state.rel)));
        self.collections.push(state);
    }

    /// Keep the first error met by `add` / `delete` for the next flush.
    pub(crate) fn set_error(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    /// The error met by `add` / `delete`, once.
    pub(crate) fn take_error(&mut self) -> Option<Error> {
        self.error.take()
    }

    /// The pending change with this ticket.
    pub(crate) fn by_ticket(&self, ticket: Ticket) -> Option<&PendingOp> {
        self.ops.iter().find(|op| op.ticket == ticket)
    }

    fn position(&self, key: &IdentityKey) -> Option<usize> {
        self.ops.iter().position(|op| op.key.as_ref() == Some(key))
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
    pub(crate) fn register(&mut self, req: SaveRequest) -> Registered {
        let key = (!req.key_pending && !req.info.key_is_unset(&req.values))
            .then(|| IdentityKey::of_row(req.info, &req.values));
        let kind = if req.known {
            OpKind::Update
        } else {
            OpKind::Insert
        };
        match key.as_ref().and_then(|k| self.position(k)) {
            Some(i) => {
                let previous = &self.ops[i];
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
                self.ops[i] = PendingOp {
                    kind,
                    info: req.info,
                    values: req.values,
                    key,
                    ticket,
                    links: req.links,
                    direct,
                    cascaded: Vec::new(),
                };
                Registered::Saved(ticket)
            }
            None => {
                let ticket = self.ticket();
                self.ops.push(PendingOp {
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
            if let Some(i) = self.ops.iter().position(|op| {
                op.kind == OpKind::Insert
                    && op.key.is_none()
                    && std::ptr::eq(op.info.mapper, info.mapper)
                    && op.values == values
            }) {
                self.drop_insert(i);
            }
            return;
        }
        let key = IdentityKey::of_row(info, &values);
        match self.position(&key) {
            Some(i) if !direct && self.ops[i].direct => {}
            Some(i) if self.ops[i].kind == OpKind::Insert => {
                self.drop_insert(i);
            }
            Some(i) => {
                let ticket = self.ops[i].ticket;
                let direct = direct || self.ops[i].direct;
                self.ops[i] = PendingOp {
                    kind: OpKind::Delete,
                    info,
                    values,
                    key: Some(key),
                    ticket,
                    links: Vec::new(),
                    direct,
                    cascaded,
                };
            }
            None => {
                let ticket = self.ticket();
                self.ops.push(PendingOp {
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
        let mut gone = vec![self.ops.remove(i).ticket];
        while let Some(t) = gone.pop() {
            self.collections.retain(|c| c.owner != t);
            while let Some(j) = self
                .ops
                .iter()
                .position(|op| op.kind == OpKind::Insert && op.links.iter().any(|l| l.parent == t))
            {
                gone.push(self.ops.remove(j).ticket);
            }
        }
    }

    /// `expunge`: forget every pending change of this identity (or, for an
    /// object without a key, the pending new object equal to it).
    pub(crate) fn forget(&mut self, info: ModelInfo, values: &[Value]) {
        if info.key_is_unset(values) {
            if let Some(i) = self.ops.iter().position(|op| {
                op.key.is_none() && std::ptr::eq(op.info.mapper, info.mapper) && op.values == values
            }) {
                self.ops.remove(i);
            }
            return;
        }
        let key = IdentityKey::of_row(info, values);
        self.ops.retain(|op| op.key.as_ref() != Some(&key));
    }

    /// Drop the pending UPDATE of one identity (`refresh`).
    pub(crate) fn forget_update(&mut self, key: &IdentityKey) {
        self.ops
            .retain(|op| !(op.kind == OpKind::Update && op.key.as_ref() == Some(key)));
    }

    /// Drop every pending UPDATE (`expire_all`, as SQLAlchemy discards
    /// unflushed changes of expired objects); new and deleted objects stay.
    pub(crate) fn forget_updates(&mut self) {
        self.ops.retain(|op| op.kind != OpKind::Update);
    }

    /// After a rollback: a pending UPDATE of a row that no longer exists
    /// (inserted by the rolled-back transaction) becomes an INSERT again, and
    /// a pending DELETE of such a row has nothing left to delete.
    pub(crate) fn after_rollback(
        &mut self,
        known: impl Fn(&IdentityKey) -> bool,
        undone_inserts: &std::collections::HashSet<IdentityKey>,
    ) {
        self.ops.retain(|op| {
            !(op.kind == OpKind::Delete
                && op.key.as_ref().is_some_and(|k| undone_inserts.contains(k)))
        });
        for op in &mut self.ops {
            if op.kind == OpKind::Update && op.key.as_ref().is_some_and(|k| !known(k)) {
                op.kind = OpKind::Insert;
            }
        }
    }

    /// The pending change of an identity, if any.
    pub(crate) fn find(&self, key: &IdentityKey) -> Option<&PendingOp> {
        self.position(key).map(|i| &self.ops[i])
    }

    /// Pending changes of one kind for one model.
    pub(crate) fn of_kind(
        &self,
        kind: OpKind,
        mapper: &'static crate::Mapper,
    ) -> impl Iterator<Item = &PendingOp> {
        self.ops
            .iter()
            .filter(move |op| op.kind == kind && std::ptr::eq(op.info.mapper, mapper))
    }
}
