//! Relationship cascades at `add` and `delete` (SQLAlchemy's `save-update`
//! and `delete` cascades): walk the loaded `Related<T>` fields of a value
//! through their type-erased accessors ([`crate::RelationshipAccess`]) and
//! register the objects they hold in the unit of work.
//!
//! - `add` registers the objects of every relationship whose cascade has
//!   `save-update` (the default): many-to-one targets first (the object's
//!   foreign key takes their key), then the object, then the children of its
//!   one-to-many collections (their foreign key takes the object's key,
//!   items pushed to a collection that was not loaded included) and the
//!   targets of its many-to-many collections. A key the database generates at
//!   the flush becomes a [`Link`] that the flush resolves after the parent's
//!   INSERT. Loaded collections are recorded ([`CollectionState`]) for
//!   delete-orphan (`super::orphans`) and link rows (`super::link_rows`).
//! - `delete` registers the deletion of the loaded objects of every
//!   relationship whose cascade has `delete`; relationships that are not
//!   loaded are loaded by the flush (`super::orphans`).
//!
//! The walk never follows the relationship that points back where it came
//! from (`back_populates`): with value semantics that field holds a copy of
//! the parent, not the parent. An identity met twice in one walk is
//! registered once, and a cascaded value never replaces a change of the same
//! identity that was registered directly (see `super::unit_of_work`).

use super::identity_map::{IdentityKey, IdentityMap};
use super::model_info::ModelInfo;
use super::unit_of_work::{
    CollectionState, Link, OpKind, Registered, SaveRequest, Ticket, UnitOfWork,
};
use crate::any_model::AnyModel;
use crate::join_condition::Direction;
use oxalchemy_core::{Result, Value};
use std::collections::{HashMap, HashSet};

/// Where one `add` put an object and the loaded objects of its
/// relationships, so `save` can write the persisted values back.
#[derive(Debug)]
pub(crate) struct SaveNode {
    pub(crate) ticket: Ticket,
    /// (relationship index, one node per loaded item, in order).
    rels: Vec<(usize, Vec<SaveNode>)>,
    /// Relationships whose pushed items (collection not loaded) were registered.
    pushed: Vec<usize>,
}

/// Write what a flush persisted back into `obj` (generated keys, server
/// defaults, foreign keys) and into the loaded objects of its relationships.
/// Items pushed to a collection that was not loaded are written by the flush
/// and leave the pending list (the collection stays not loaded).
pub(crate) fn apply_saved(
    obj: &mut dyn AnyModel,
    node: &SaveNode,
    results: &HashMap<Ticket, Vec<Value>>,
) -> Result<()> {
    let obj = obj.persisted_mut();
    if let Some(values) = results.get(&node.ticket) {
        obj.set_values(values.clone())?;
    }
    let mapper = obj.mapper();
    for (ri, kids) in &node.rels {
        let rel = &mapper.relationships[*ri];
        let items = (rel.access.loaded_mut)(obj.as_any_mut());
        for (item, kid) in items.into_iter().zip(kids) {
            apply_saved(item, kid, results)?;
        }
        // What was saved is what the relationship now holds in the database.
        (rel.access.mark_loaded)(obj.as_any_mut());
    }
    for ri in &node.pushed {
        let rel = &mapper.relationships[*ri];
        drop((rel.access.take_pending)(obj.as_any_mut()));
    }
    Ok(())
}

/// A foreign key an object takes from its parent.
#[derive(Clone)]
struct Inbound {
    /// (this object's position, the parent's position) pairs.
    pairs: Vec<(usize, usize)>,
    parent: Ticket,
    /// The relationship (`"User.addresses"`).
    relationship: String,
}

/// How the walk reached an object.
struct From {
    /// The object's foreign key comes from its parent.
    fk: Option<Inbound>,
    /// The object's relationship that points back to where the walk came from.
    back: Option<&'static str>,
}

/// One `add` or `delete` walk over an object and its loaded relationships.
pub(crate) struct Cascader<'a> {
    uow: &'a mut UnitOfWork,
    map: &'a IdentityMap,
    saved: HashMap<IdentityKey, Ticket>,
    deleted: HashSet<IdentityKey>,
    models: Vec<ModelInfo>,
    /// The objects this walk registered through relationships.
    reached: Vec<Ticket>,
}

impl<'a> Cascader<'a> {
    pub(crate) fn new(uow: &'a mut UnitOfWork, map: &'a IdentityMap) -> Self {
        Cascader {
            uow,
            map,
            saved: HashMap::new(),
            deleted: HashSet::new(),
            models: Vec::new(),
            reached: Vec::new(),
        }
    }

    /// The models the walk met.
    pub(crate) fn into_models(self) -> Vec<ModelInfo> {
        self.models
    }

    fn note(&mut self, info: ModelInfo) {
        if !self
            .models
            .iter()
            .any(|m| std::ptr::eq(m.mapper, info.mapper))
        {
            self.models.push(info);
        }
    }

    /// `add(obj)`: register it and, through save-update cascades, the
    /// objects of its loaded relationships.
    ///
    /// Adding an object again before the flush replaces what its earlier
    /// `add` registered through its relationships (objects no other `add`
    /// reached): the last value is the truth, so a new child it no longer
    /// holds is not inserted, and one it still holds is inserted once.
    pub(crate) fn save(&mut self, obj: &dyn AnyModel) -> Result<SaveNode> {
        let obj = obj.persisted();
        obj.mapper().configured()?;
        // Column validators refuse before anything is registered.
        super::validate_graph::validate_graph(obj, self.map)?;
        let info = ModelInfo::of_mapper(obj.mapper());
        let values = obj.to_values();
        if !info.key_is_unset(&values)
            && let Some(op) = self.uow.find(&IdentityKey::of_row(info, &values))
            && op.direct
            && op.kind != OpKind::Delete
        {
            let previous = op.ticket;
            self.uow.forget_walk(previous);
        }
        let node = self.save_inner(
            obj,
            true,
            From {
                fk: None,
                back: None,
            },
        )?;
        let reached = std::mem::take(&mut self.reached);
        self.uow.record_walk(node.ticket, reached);
        Ok(node)
    }

    /// Copy the parent's referenced values into `values` (or link them when
    /// the parent's row gets them at the flush).
    fn fill_from(
        &self,
        values: &mut [Value],
        links: &mut Vec<Link>,
        pairs: &[(usize, usize)],
        parent: Ticket,
        relationship: &str,
    ) {
        if pairs.is_empty() {
            return;
        }
        let Some(p) = self.uow.by_ticket(parent) else {
            return;
        };
        let fk: Vec<usize> = pairs.iter().map(|&(c, _)| c).collect();
        links.retain(|l| !l.fk.iter().any(|c| fk.contains(c)));
        let generated = p.kind == OpKind::Insert
            && pairs
                .iter()
                .any(|&(_, pp)| p.info.generated_at_insert(&p.values, pp));
        if generated {
            links.push(Link {
                fk,
                parent,
                referenced: pairs.iter().map(|&(_, pp)| pp).collect(),
                relationship: relationship.to_owned(),
            });
        } else {
            for &(c, pp) in pairs {
                if let (Some(slot), Some(v)) = (values.get_mut(c), p.values.get(pp)) {
                    *slot = v.clone();
                }
            }
        }
    }

    /// Give the pending object `ticket` the parent of a collection it is a
    /// member of (its foreign key, or a link to the parent's generated key).
    fn adopt(&mut self, ticket: Ticket, inbound: &Inbound) {
        let Some(op) = self.uow.by_ticket(ticket) else {
            return;
        };
        let pk = op.info.pk_positions();
        if op.kind == OpKind::Delete || inbound.pairs.iter().any(|(c, _)| pk.contains(c)) {
            return;
        }
        let mut values = op.values.clone();
        let mut links = op.links.clone();
        self.fill_from(
            &mut values,
            &mut links,
            &inbound.pairs,
            inbound.parent,
            &inbound.relationship,
        );
        self.uow.set_values_and_links(ticket, values, links);
    }

    fn save_inner(&mut self, obj: &dyn AnyModel, direct: bool, from: From) -> Result<SaveNode> {
        let obj = obj.persisted();
        let mapper = obj.mapper();
        let info = ModelInfo::of_mapper(mapper);
        self.note(info);
        let mut values = obj.to_values();
        let mut links: Vec<Link> = Vec::new();
        let inbound: Vec<usize> = from
            .fk
            .as_ref()
            .map(|i| i.pairs.iter().map(|&(c, _)| c).collect())
            .unwrap_or_default();
        let mut rels: Vec<(usize, Vec<SaveNode>)> = Vec::new();

        // Many-to-one targets first: this object's foreign key takes their key.
        for (ri, rel) in mapper.relationships.iter().enumerate() {
            if Some(rel.field) == from.back
                || rel.uselist
                || !rel.cascade.save_update
                || !(rel.access.is_loaded)(obj.as_any())
            {
                continue;
            }
            let r = info.state.relationship_at(ri)?;
            if r.direction != Direction::ManyToOne {
                continue;
            }
            let pairs: Vec<(usize, usize)> = r
                .positions
                .iter()
                .filter(|(o, _)| !inbound.contains(o))
                .copied()
                .collect();
            let targets = (rel.access.loaded)(obj.as_any());
            match targets.first() {
                // Loaded as "no parent" (`Related<Option<T>>` holding None).
                None => {
                    for &(o, _) in &pairs {
                        values[o] = Value::Null;
                    }
                }
                Some(target) => {
                    let node = self.save_inner(
                        *target,
                        false,
                        From {
                            fk: None,
                            back: rel.back_populates,
                        },
                    )?;
                    self.fill_from(&mut values, &mut links, &pairs, node.ticket, &r.name);
                    rels.push((ri, vec![node]));
                }
            }
        }
        if let Some(i) = &from.fk {
            self.fill_from(&mut values, &mut links, &i.pairs, i.parent, &i.relationship);
        }

        let pk = info.pk_positions();
        let key_pending = links.iter().any(|l| l.fk.iter().any(|p| pk.contains(p)));
        let key = (!key_pending && !info.key_is_unset(&values))
            .then(|| IdentityKey::of_row(info, &values));
        if let Some(t) = key.as_ref().and_then(|k| self.saved.get(k)) {
            return Ok(SaveNode {
                ticket: *t,
                rels,
                pushed: Vec::new(),
            });
        }
        let known = key.as_ref().is_some_and(|k| self.map.contains(k));
        let registered = self.uow.register(SaveRequest {
            info,
            values,
            known,
            links,
            direct,
            key_pending,
        });
        let ticket = registered.ticket();
        if !direct && matches!(registered, Registered::Saved(_)) {
            self.reached.push(ticket);
        }
        if let Some(k) = key {
            self.saved.insert(k, ticket);
        }
        // A change of this object registered directly wins over this copy
        // for its columns, and for the relationships its own add gave.
        let kept = matches!(registered, Registered::Kept(_));
        if kept {
            if self
                .uow
                .by_ticket(ticket)
                .is_none_or(|op| op.kind == OpKind::Delete)
            {
                return Ok(SaveNode {
                    ticket,
                    rels,
                    pushed: Vec::new(),
                });
            }
            // Its membership in this collection still gives it this parent
            // (SQLAlchemy's backref sets it).
            if let Some(i) = &from.fk {
                self.adopt(ticket, i);
            }
        }

        // Then the collections: one-to-many children and many-to-many
        // targets. For a kept object this copy's members join those its own
        // add gave, whatever the add order.
        let mut pushed = Vec::new();
        for (ri, rel) in mapper.relationships.iter().enumerate() {
            if Some(rel.field) == from.back || !rel.cascade.save_update {
                continue;
            }
            let loaded = (rel.access.is_loaded)(obj.as_any());
            if !loaded && (rel.access.pending)(obj.as_any()).is_empty() {
                continue;
            }
            let r = info.state.relationship_at(ri)?;
            let fk = match r.direction {
                Direction::ManyToOne => continue,
                Direction::OneToMany => Some(r.positions.iter().map(|&(o, t)| (t, o)).collect()),
                Direction::ManyToMany => None,
            };
            let items = (rel.access.loaded)(obj.as_any());
            let extra = (rel.access.pending)(obj.as_any());
            let n_loaded = items.len();
            let mut kids = Vec::with_capacity(n_loaded);
            let mut members = Vec::with_capacity(n_loaded + extra.len());
            for (i, item) in items.into_iter().chain(extra.iter().copied()).enumerate() {
                let node = self.save_inner(
                    item,
                    false,
                    From {
                        fk: fk.clone().map(|pairs| Inbound {
                            pairs,
                            parent: ticket,
                            relationship: r.name.clone(),
                        }),
                        back: rel.back_populates,
                    },
                )?;
                members.push(node.ticket);
                if i < n_loaded {
                    kids.push(node);
                }
            }
            if !extra.is_empty() {
                pushed.push(ri);
            }
            if loaded || (r.direction == Direction::ManyToMany && !members.is_empty()) {
                let history = if loaded {
                    (rel.access.history)(obj.as_any())
                } else {
                    None
                };
                let state = CollectionState {
                    owner: ticket,
                    rel,
                    loaded,
                    members,
                    history,
                };
                if kept {
                    // Two copies of one object: a member of either stays a
                    // member (nothing either holds is lost).
                    self.uow.merge_collection(state);
                } else {
                    self.uow.record_collection(state);
                }
            }
            if loaded {
                rels.push((ri, kids));
            }
        }
        Ok(SaveNode {
            ticket,
            rels,
            pushed,
        })
    }

    /// `delete(obj)`: register its deletion and, through delete cascades,
    /// the deletion of the objects of its loaded relationships.
    pub(crate) fn delete(&mut self, obj: &dyn AnyModel) -> Result<()> {
        let obj = obj.persisted();
        obj.mapper().configured()?;
        self.delete_inner(obj, true, None)
    }

    fn delete_inner(
        &mut self,
        obj: &dyn AnyModel,
        direct: bool,
        back: Option<&'static str>,
    ) -> Result<()> {
        let obj = obj.persisted();
        let mapper = obj.mapper();
        let info = ModelInfo::of_mapper(mapper);
        self.note(info);
        let values = obj.to_values();
        if !info.key_is_unset(&values) && !self.deleted.insert(IdentityKey::of_row(info, &values)) {
            return Ok(());
        }
        let mut cascaded = Vec::new();
        for rel in mapper.relationships {
            if Some(rel.field) == back
                || !rel.cascade.delete
                || !(rel.access.is_loaded)(obj.as_any())
            {
                continue;
            }
            info.state.resolved(rel)?;
            for item in (rel.access.loaded)(obj.as_any()) {
                self.delete_inner(item, false, rel.back_populates)?;
            }
            cascaded.push(rel.field);
        }
        self.uow.register_delete(info, values, direct, cascaded);
        Ok(())
    }
}
