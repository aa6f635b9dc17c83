//! `Entity<M>`: the value `select(User)` takes.

use crate::model::Model;
use oxalchemy_core::expr::{Node, Source};
use oxalchemy_core::stmt::{JoinTarget, SelectItem};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// The entity of model `M` as a value: `#[derive(Model)]` defines a constant
/// named like the struct (`User`), so `select(User)` selects every column of
/// the model and decodes rows into `User`. Generic code uses [`entity::<M>()`](entity).
pub struct Entity<M>(PhantomData<fn() -> M>);

impl<M> Entity<M> {
    /// The entity of `M` (usable in `const` items).
    pub const fn new() -> Self {
        Entity(PhantomData)
    }
}

impl<M> Default for Entity<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M> Clone for Entity<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Entity<M> {}

impl<M: Model> fmt::Debug for Entity<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Entity({})", M::mapper().model)
    }
}

/// The entity of `M`, for generic code: `select(entity::<M>())`.
pub const fn entity<M>() -> Entity<M> {
    Entity::new()
}

impl<M: Model> SelectItem for Entity<M> {
    type Type = M;
    fn push_nodes(self, out: &mut Vec<Node>) {
        let mapper = M::mapper();
        if mapper.inheritance.is_some() {
            let mut core = oxalchemy_core::stmt::SelectCore::default();
            crate::inheritance::push_entity(mapper, &mut core);
            out.append(&mut core.columns);
            return;
        }
        for c in mapper.columns {
            out.push(Node::Column {
                source: Source::Static(M::table),
                name: Cow::Borrowed(c.name),
            });
        }
    }

    fn push_into(self, core: &mut oxalchemy_core::stmt::SelectCore) {
        let mapper = M::mapper();
        if mapper.inheritance.is_some() {
            crate::inheritance::push_entity(mapper, core);
        } else {
            self.push_nodes(&mut core.columns);
        }
    }
}

/// `select(User).join_on(Address, User::ID.eq(Address::USER_ID))`: an entity
/// joins as its model's table.
impl<M: Model> JoinTarget for Entity<M> {
    fn into_join_parts(self) -> (Source, Option<Node>) {
        (Source::Static(M::table), None)
    }
}

/// `update(User)`, `delete(User)`, `insert(User)`: the model's table, as
/// SQLAlchemy's ORM-enabled DML takes the mapped class.
impl<M: Model> oxalchemy_core::DmlTarget for Entity<M> {
    fn target_table(&self) -> oxalchemy_core::Table {
        M::table().clone()
    }
}
