//! The identity map: per identity (table + primary key), the row as last seen.

use super::model_info::ModelInfo;
use oxalchemy_core::Value;
use std::collections::HashMap;
use std::fmt;

pub(crate) use crate::key_part::KeyPart;

/// A map keyed by identity. Identity maps are looked up for every row the
/// session loads or flushes: foldhash (seeded per map) hashes a key several
/// times faster than the standard SipHash.
pub(crate) type KeyMap<V> = HashMap<IdentityKey, V, foldhash::fast::RandomState>;
/// A set of identities (see [`KeyMap`]).
pub(crate) type KeySet = std::collections::HashSet<IdentityKey, foldhash::fast::RandomState>;

/// The identity of a row: its table and primary-key values (in key order).
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct IdentityKey {
    pub(crate) schema: Option<&'static str>,
    pub(crate) table: &'static str,
    pub(crate) pk: Vec<KeyPart>,
}

impl IdentityKey {
    /// The key of `values` (a full row in mapper order) of the model `info`.
    pub(crate) fn of_row(info: ModelInfo, values: &[Value]) -> IdentityKey {
        let pk = info
            .pk_positions()
            .iter()
            .map(|&i| KeyPart::of(values.get(i).unwrap_or(&Value::Null)))
            .collect();
        let (schema, table) = identity_table(info.mapper);
        IdentityKey { schema, table, pk }
    }

    /// The key of primary-key values given in key order.
    pub(crate) fn of_key(info: ModelInfo, key: &[Value]) -> IdentityKey {
        let (schema, table) = identity_table(info.mapper);
        IdentityKey {
            schema,
            table,
            pk: key.iter().map(KeyPart::of).collect(),
        }
    }
}

/// The table that names an identity: the model's own, or for a model of an
/// inheritance hierarchy the base's, so that every class of the hierarchy
/// shares one identity per row (SQLAlchemy keys its identity map by the base mapper).
#[inline]
fn identity_table(mapper: &'static crate::Mapper) -> (Option<&'static str>, &'static str) {
    if mapper.inheritance.is_none() {
        return (mapper.schema, mapper.table);
    }
    let base = mapper.base_mapper();
    (base.schema, base.table)
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.schema {
            write!(f, "{s}.")?;
        }
        write!(f, "{}{:?}", self.table, self.pk)
    }
}

/// What the session knows about one persistent row.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The column values as last read from or written to the database, in mapper order.
    pub(crate) snapshot: Vec<Value>,
    /// The snapshot may be out of date (after commit, rollback, `expire_all`):
    /// `get` reads the row again. A change is still diffed against it.
    pub(crate) expired: bool,
}

/// Identity -> snapshot. A second `get` of a loaded, unexpired identity costs no SQL.
#[derive(Debug, Default)]
pub(crate) struct IdentityMap {
    entries: KeyMap<Entry>,
}

impl IdentityMap {
    pub(crate) fn get(&self, key: &IdentityKey) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub(crate) fn contains(&self, key: &IdentityKey) -> bool {
        self.entries.contains_key(key)
    }

    /// Record `snapshot` as the row as last seen (fresh, not expired).
    pub(crate) fn put(&mut self, key: IdentityKey, snapshot: Vec<Value>) {
        self.entries.insert(
            key,
            Entry {
                snapshot,
                expired: false,
            },
        );
    }

    /// A query returned `snapshot` for `key`: unless `overwrite`, an
    /// unexpired entry wins and is returned (the row is not recorded);
    /// otherwise the row becomes the fresh snapshot and `None` is returned.
    /// One hash lookup either way (this runs for every row a query loads).
    pub(crate) fn reconcile(
        &mut self,
        key: IdentityKey,
        snapshot: Vec<Value>,
        overwrite: bool,
    ) -> Option<&[Value]> {
        use std::collections::hash_map::Entry as Slot;
        match self.entries.entry(key) {
            Slot::Occupied(held) if !overwrite && !held.get().expired => {
                let held = held.into_mut();
                let n = snapshot.len();
                if held.snapshot.len() < n {
                    // Inheritance: a subclass's row over a parent's snapshot
                    // (a prefix): the held columns win, the rest is new.
                    held.snapshot
                        .extend(snapshot.into_iter().skip(held.snapshot.len()));
                }
                Some(&held.snapshot[..n])
            }
            Slot::Occupied(mut held) => {
                *held.get_mut() = Entry {
                    snapshot,
                    expired: false,
                };
                None
            }
            Slot::Vacant(slot) => {
                slot.insert(Entry {
                    snapshot,
                    expired: false,
                });
                None
            }
        }
    }

    /// Record the values just written by an UPDATE; an expired snapshot
    /// stays expired (columns the UPDATE did not write may have changed since).
    /// Returns the entry it replaces.
    pub(crate) fn put_written(&mut self, key: IdentityKey, snapshot: Vec<Value>) -> Option<Entry> {
        use std::collections::hash_map::Entry as Slot;
        match self.entries.entry(key) {
            Slot::Occupied(mut held) => {
                let expired = held.get().expired;
                Some(std::mem::replace(
                    held.get_mut(),
                    Entry { snapshot, expired },
                ))
            }
            Slot::Vacant(slot) => {
                slot.insert(Entry {
                    snapshot,
                    expired: false,
                });
                None
            }
        }
    }

    /// Put back an entry as it was (rollback of a deletion).
    pub(crate) fn restore(&mut self, key: IdentityKey, entry: Entry) {
        self.entries.insert(key, entry);
    }

    pub(crate) fn remove(&mut self, key: &IdentityKey) -> Option<Entry> {
        self.entries.remove(key)
    }

    /// Mark every snapshot out of date.
    pub(crate) fn expire_all(&mut self) {
        for e in self.entries.values_mut() {
            e.expired = true;
        }
    }

    /// Mark one snapshot out of date.
    pub(crate) fn expire(&mut self, key: &IdentityKey) {
        if let Some(e) = self.entries.get_mut(key) {
            e.expired = true;
        }
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    /// Every identity and what the session knows of it.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&IdentityKey, &Entry)> {
        self.entries.iter()
    }

    /// Set columns of a snapshot to NULL (a flush set them, e.g. the foreign
    /// key of a child whose parent was deleted).
    pub(crate) fn set_null(&mut self, key: &IdentityKey, positions: &[usize]) {
        if let Some(e) = self.entries.get_mut(key) {
            for &p in positions {
                if let Some(v) = e.snapshot.get_mut(p) {
                    *v = Value::Null;
                }
            }
        }
    }

    /// Set columns of `key`'s snapshot (a write the flush made outside the
    /// object's own UPDATE).
    pub(crate) fn set_columns(&mut self, key: &IdentityKey, written: &[(usize, Value)]) {
        if let Some(e) = self.entries.get_mut(key) {
            for (p, v) in written {
                if let Some(slot) = e.snapshot.get_mut(*p) {
                    *slot = v.clone();
                }
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_by_value() {
        assert_eq!(
            KeyPart::of(&Value::Int(5)),
            KeyPart::of(&Value::from(5_i32))
        );
        assert_ne!(
            KeyPart::of(&Value::Int(5)),
            KeyPart::of(&Value::Text("5".into()))
        );
        let a = rust_decimal::Decimal::new(150, 2);
        let b = rust_decimal::Decimal::new(15, 1);
        assert_eq!(
            KeyPart::of(&Value::Decimal(a)),
            KeyPart::of(&Value::Decimal(b))
        );
    }
}
