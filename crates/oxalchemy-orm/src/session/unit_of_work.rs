//! The unit of work: the changes `add` and `delete` registered since the last flush.
//!
//! Every pending object is held as its column values (mapper order) with its
//! model's [`ModelInfo`], so one session holds objects of every model. The
//! relationship cascades of the next step (save-update, delete, delete-orphan)
//! plug in here: walking an object's loaded `Related<T>` fields yields more
//! objects, each registered through [`UnitOfWork::register_save`] /
//! [`UnitOfWork::register_delete`] like a directly added one.

use super::identity_map::IdentityKey;
use super::model_info::ModelInfo;
use oxalchemy_core::Value;

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
}

/// The pending changes, in the order they were registered.
#[derive(Debug, Default)]
pub(crate) struct UnitOfWork {
    ops: Vec<PendingOp>,
    next_ticket: Ticket,
}

impl UnitOfWork {
    pub(crate) fn ops(&self) -> &[PendingOp] {
        &self.ops
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.ops.clear();
    }

    fn ticket(&mut self) -> Ticket {
        self.next_ticket += 1;
        self.next_ticket
    }

    fn position(&self, key: &IdentityKey) -> Option<usize> {
        self.ops.iter().position(|op| op.key.as_ref() == Some(key))
    }

    /// `add`: a new object is an INSERT; an object whose identity the map
    /// knows (`known`) is an UPDATE of what differs from the snapshot. A
    /// second `add` of the same identity before the flush replaces the first.
    pub(crate) fn register_save(
        &mut self,
        info: ModelInfo,
        values: Vec<Value>,
        known: bool,
    ) -> Ticket {
        let ticket = self.ticket();
        let key = (!info.key_is_unset(&values)).then(|| IdentityKey::of_row(info, &values));
        let kind = if known {
            OpKind::Update
        } else {
            OpKind::Insert
        };
        let op = PendingOp {
            kind,
            info,
            values,
            key,
            ticket,
        };
        match op.key.as_ref().and_then(|k| self.position(k)) {
            Some(i) => {
                let previous = self.ops[i].kind;
                let mut op = op;
                // Still a new row if it was one; a deleted row that is added
                // again is kept (an UPDATE when the session knows it).
                if previous == OpKind::Insert {
                    op.kind = OpKind::Insert;
                }
                self.ops[i] = op;
            }
            None => self.ops.push(op),
        }
        ticket
    }

    /// `delete`: the row goes at the next flush. A pending new object is just
    /// dropped (there is no row yet); an object without a key that matches a
    /// pending new object by value cancels that INSERT.
    pub(crate) fn register_delete(&mut self, info: ModelInfo, values: Vec<Value>) {
        if info.key_is_unset(&values) {
            if let Some(i) = self.ops.iter().position(|op| {
                op.kind == OpKind::Insert
                    && op.key.is_none()
                    && std::ptr::eq(op.info.mapper, info.mapper)
                    && op.values == values
            }) {
                self.ops.remove(i);
            }
            return;
        }
        let key = IdentityKey::of_row(info, &values);
        match self.position(&key) {
            Some(i) if self.ops[i].kind == OpKind::Insert => {
                self.ops.remove(i);
            }
            Some(i) => {
                let ticket = self.ops[i].ticket;
                self.ops[i] = PendingOp {
                    kind: OpKind::Delete,
                    info,
                    values,
                    key: Some(key),
                    ticket,
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
                });
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
