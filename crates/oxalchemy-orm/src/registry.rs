//! The per-base model registry behind `declarative_base!` and `Base::metadata()`.

use crate::mapper::Mapper;
use oxalchemy_core::{MetaData, Table};
use parking_lot::Mutex;
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One model, registered at link time by `#[derive(Model)]` (through `inventory`),
/// so a base's metadata holds every model before any of them is touched.
pub struct ModelRegistration {
    /// The `TypeId` of the model's declarative base.
    pub base: fn() -> TypeId,
    /// The model's table.
    pub table: fn() -> &'static Table,
    /// The model's mapper.
    pub mapper: fn() -> &'static Mapper,
}

inventory::collect!(ModelRegistration);

/// The `MetaData` of the base `B`: every model declared with `base = B`.
pub fn metadata_for<B: 'static>() -> &'static MetaData {
    static BASES: OnceLock<Mutex<HashMap<TypeId, &'static MetaData>>> = OnceLock::new();
    let key = TypeId::of::<B>();
    let mut bases = BASES.get_or_init(Default::default).lock();
    if let Some(md) = bases.get(&key) {
        return md;
    }
    let md: &'static MetaData = Box::leak(Box::new(MetaData::new()));
    for reg in inventory::iter::<ModelRegistration> {
        if (reg.base)() == key {
            md.add_table((reg.table)().clone());
        }
    }
    bases.insert(key, md);
    md
}

/// The mappers registered for base `B`.
pub fn mappers_for<B: 'static>() -> Vec<&'static Mapper> {
    let key = TypeId::of::<B>();
    inventory::iter::<ModelRegistration>
        .into_iter()
        .filter(|r| (r.base)() == key)
        .map(|r| (r.mapper)())
        .collect()
}
