//! Column validators at `add` / `save` / `merge`: before anything is
//! registered, every object the save-update cascades reach has the values it
//! brings checked (all columns of a new object, the changed columns of one
//! the session knows), so a refused value leaves the unit of work as it was.

use super::identity_map::{IdentityKey, IdentityMap};
use super::model_info::ModelInfo;
use crate::AnyModel;
use crate::validator::validate_values;
use oxalchemy_core::{Result, Value};
use std::collections::HashSet;

/// Validate `obj` and the objects its save-update cascades reach against
/// the snapshots in `map`. When no model of the graph has a validator (known
/// per mapper from the configure step) this is one flag check.
pub(crate) fn validate_graph(obj: &dyn AnyModel, map: &IdentityMap) -> Result<()> {
    if !obj.mapper().state().validates_graph {
        return Ok(());
    }
    let mut seen: HashSet<*const ()> = HashSet::new();
    let mut stack: Vec<&dyn AnyModel> = vec![obj];
    while let Some(o) = stack.pop() {
        if !seen.insert(o as *const dyn AnyModel as *const ()) {
            continue;
        }
        let mapper = o.mapper();
        if !mapper.validators.is_empty() || mapper.inheritance.is_some() {
            let values = o.to_values();
            let changed = changed_columns(ModelInfo::of_mapper(mapper), &values, map);
            validate_values(mapper, &values, changed.as_deref())?;
        }
        for rel in mapper
            .relationships
            .iter()
            .filter(|r| r.cascade.save_update)
        {
            if (rel.access.is_loaded)(o.as_any()) {
                stack.extend((rel.access.loaded)(o.as_any()));
            }
            stack.extend((rel.access.pending)(o.as_any()));
        }
    }
    Ok(())
}

/// The columns of a known object that differ from the row as the session
/// last saw it; `None` (every column) for an object the session does not know.
fn changed_columns(info: ModelInfo, values: &[Value], map: &IdentityMap) -> Option<Vec<usize>> {
    if info.key_is_unset(values) {
        return None;
    }
    let entry = map.get(&IdentityKey::of_row(info, values))?;
    Some(
        (0..values.len())
            .filter(|&i| entry.snapshot.get(i) != Some(&values[i]))
            .collect(),
    )
}
