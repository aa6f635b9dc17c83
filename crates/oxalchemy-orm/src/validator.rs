//! Column validators: SQLAlchemy's `@validates`, declared with
//! `#[mapped_column(validate = path)]` and run by the session on the values
//! it is given (`add`, `save`, `merge`) and again at the flush on the values
//! it writes.

use crate::mapper::Mapper;
use oxalchemy_core::{Error, Result, Value};

/// One validated column of a model (the derive emits these in
/// [`Mapper::validators`]).
#[derive(Debug, Clone, Copy)]
pub struct Validator {
    /// The Rust field name (what the validator receives as its key).
    pub field: &'static str,
    /// The column's position in [`Mapper::columns`].
    pub position: usize,
    /// Decode the column value to the field's type and run the user's
    /// validator on it (`Err` carries the validator's message).
    pub check: fn(&Value) -> std::result::Result<(), String>,
}

/// Run the validators of `mapper` on `values` (in mapper order); with
/// `only`, just those of the listed column positions (the changed ones).
/// The first refusal is a [`Error::ValidationError`] naming the model and
/// field. A model without validators costs one length check.
pub(crate) fn validate_values(
    mapper: &Mapper,
    values: &[Value],
    only: Option<&[usize]>,
) -> Result<()> {
    if mapper.validators.is_empty() && mapper.inheritance.is_none() {
        return Ok(());
    }
    // A subclass's values start with its ancestors' (inheritance): their
    // validators check the same positions.
    let ancestors =
        std::iter::successors(mapper.inheritance.and_then(|i| i.parent_mapper()), |m| {
            m.inheritance.and_then(|i| i.parent_mapper())
        });
    let inherited = ancestors.flat_map(|m| m.validators.iter());
    for v in mapper.validators.iter().chain(inherited) {
        if only.is_some_and(|changed| !changed.contains(&v.position)) {
            continue;
        }
        let Some(value) = values.get(v.position) else {
            continue;
        };
        (v.check)(value).map_err(|message| Error::ValidationError {
            model: mapper.model.to_owned(),
            field: v.field.to_owned(),
            message,
        })?;
    }
    Ok(())
}

/// True when `mapper`, or a model its save-update cascades reach, has a
/// validator (worked out once per mapper by the configure step, so `add`
/// walks an object graph for validation only when something can refuse).
pub(crate) fn reaches_validators(mapper: &'static Mapper) -> bool {
    let mut seen: Vec<*const Mapper> = Vec::new();
    let mut stack = vec![mapper];
    while let Some(m) = stack.pop() {
        if seen.contains(&(m as *const Mapper)) {
            continue;
        }
        seen.push(m);
        if !m.validators.is_empty() {
            return true;
        }
        // Inheritance: an ancestor's validators check a subclass's values too.
        if let Some(parent) = m.inheritance.and_then(|i| i.parent_mapper()) {
            stack.push(parent);
        }
        stack.extend(
            m.relationships
                .iter()
                .filter(|r| r.cascade.save_update)
                .map(|r| (r.target)()),
        );
    }
    false
}
