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
    let mut mappers = Vec::new();
    for reg in inventory::iter::<ModelRegistration> {
        if (reg.base)() == key {
            let mapper = (reg.mapper)();
            let single_table_subclass = mapper
                .inheritance
                .is_some_and(|i| i.parent.is_some() && !i.joined);
            // A single-table subclass maps its parent's table, registered by the parent.
            if !single_table_subclass {
                md.add_table((reg.table)().clone());
            }
            mappers.push(mapper);
        }
    }
    if let Err(e) = check_foreign_keys(md, &mappers)
        .and_then(|()| crate::join_condition::check_back_populates(&mappers))
        .and_then(|()| crate::inheritance::check_hierarchies(&mappers))
    {
        md.set_configuration_error(e);
    }
    bases.insert(key, md);
    md
}

/// Check every model's `foreign_key = "table.column"` against the base's
/// tables, naming the model and field when one does not resolve.
fn check_foreign_keys(md: &MetaData, mappers: &[&'static Mapper]) -> Result<(), String> {
    for mapper in mappers {
        for col in mapper.columns {
            let Some(target) = col.foreign_key else {
                continue;
            };
            let (table, column) = match target.rsplit_once('.') {
                Some(parts) => parts,
                None => continue,
            };
            let Some(t) = md.get_table(table) else {
                let known: Vec<String> = md.tables().iter().map(|t| t.fullname()).collect();
                return Err(format!(
                    "model {}, field {}: foreign_key = {target:?} does not resolve: no model of this base has table {table:?} (tables: {})",
                    mapper.model,
                    col.field,
                    known.join(", ")
                ));
            };
            if t.column_def(column).is_none() {
                return Err(format!(
                    "model {}, field {}: foreign_key = {target:?} does not resolve: table {table:?} has no column {column:?} (columns: {})",
                    mapper.model,
                    col.field,
                    t.column_names().join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// Check the models of base `B` (foreign keys resolve within the base).
pub fn configure<B: 'static>() -> oxalchemy_core::Result<()> {
    metadata_for::<B>().validate_foreign_keys()
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
