//! Detaching children of a deleted parent when their model has
//! `BeforeUpdate` / `AfterUpdate` listeners.
//!
//! Without listeners one `UPDATE child SET fk = NULL WHERE fk IN (..)` does
//! the work (`super::detach`). SQLAlchemy loads the collection and updates
//! each child through the unit of work, so its update events fire per
//! child; with listeners this does the same: the children are read, each
//! listener sees its child with the foreign key already NULL, what a
//! `BeforeUpdate` listener changes is written by the same UPDATE, and the
//! session's snapshots follow.

use super::detach::NullFks;
use super::exec::Exec;
use super::flush::{key_condition, match_tuples};
use super::flush_hooks::{fire_each, fire_one};
use super::identity_map::IdentityKey;
use super::insert_batch::MAX_ROWS;
use super::normalize::normalize_row;
use crate::events::MapperEvent;
use oxalchemy_core::{Expr, Result, Select, Value, select, update};

/// Columns a detaching UPDATE wrote, per child identity.
pub(crate) type DetachWrites = Vec<(IdentityKey, Vec<(usize, Value)>)>;

/// True when detaching `step`'s children fires update events.
pub(crate) fn listens(step: &NullFks) -> bool {
    let listeners = &step.info.state.listeners;
    listeners.has(MapperEvent::BeforeUpdate) || listeners.has(MapperEvent::AfterUpdate)
}

/// Detach `step`'s children one by one, firing their update listeners.
pub(crate) async fn run_each(step: &NullFks, exec: &mut Exec<'_>) -> Result<DetachWrites> {
    let info = step.info;
    let listeners = &info.state.listeners;
    let names: Vec<&str> = step
        .fk
        .iter()
        .map(|&p| info.mapper.columns[p].name)
        .collect();
    let pk = info.pk_positions();
    // As SQLAlchemy's save_obj: every BeforeUpdate, then the UPDATEs, then
    // every AfterUpdate.
    let mut children: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
    for chunk in step.parents.chunks(MAX_ROWS) {
        let query: Select = select(info.columns())
            .filter(Expr::<bool>::new(match_tuples(info.table, &names, chunk)));
        let rows = exec.conn.execute(query).await?.into_rows();
        for row in rows {
            let mut values = normalize_row(info.mapper, row.into_values());
            for &p in &step.fk {
                values[p] = Value::Null;
            }
            let read = values.clone();
            if listeners.has(MapperEvent::BeforeUpdate) {
                fire_one(info, MapperEvent::BeforeUpdate, &mut values, exec).await?;
                // The key identifies the row: not the listener's to change.
                for &i in pk {
                    values[i] = read[i].clone();
                }
            }
            let changed: Vec<usize> = (0..values.len())
                .filter(|i| step.fk.contains(i) || values[*i] != read[*i])
                .collect();
            children.push((values, changed));
        }
    }
    for (values, changed) in &children {
        let mut stmt = update(info.table);
        for &i in changed {
            stmt = stmt.set(info.mapper.columns[i].name, values[i].clone());
        }
        exec.run(&stmt.filter(Expr::<bool>::new(key_condition(info, values))))
            .await?;
    }
    let mut writes = DetachWrites::with_capacity(children.len());
    for (values, changed) in children {
        fire_each(
            info,
            MapperEvent::AfterUpdate,
            std::iter::once(&values),
            exec,
        )
        .await?;
        let key = IdentityKey::of_row(info, &values);
        writes.push((
            key,
            changed
                .into_iter()
                .map(|i| (i, values[i].clone()))
                .collect(),
        ));
    }
    Ok(writes)
}
