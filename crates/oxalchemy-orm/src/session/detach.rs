//! Children of deleted parents whose one-to-many relationship does not
//! cascade the delete (the default `cascade = "save-update, merge"`).
//!
//! As SQLAlchemy, the flush detaches them by setting their foreign key to
//! NULL: one `UPDATE child SET fk = NULL WHERE fk IN (..)` per relationship,
//! sent before the parents' DELETE (SQLAlchemy loads the collection and
//! updates each child; one statement does the same without the SELECT), and
//! the snapshots of the children the session knows follow. When the foreign
//! key is NOT NULL and the session knows such a child, the flush fails
//! before sending anything, naming the relationship and the cascade to add.
//! `passive_deletes` leaves the children to the database's ON DELETE rule.
//! A child model with update listeners is detached row by row instead
//! (`super::detach_events`).

use super::exec::Exec;
use super::flush::match_tuples;
use super::identity_map::{IdentityKey, IdentityMap, KeyPart};
use super::insert_batch::MAX_ROWS;
use super::model_info::ModelInfo;
use super::orphans::{ChildIndex, project};
use super::unit_of_work::{OpKind, PendingOp};
use crate::join_condition::Direction;
use oxalchemy_core::{Error, Expr, Result, Value, update};
use std::collections::{HashMap, HashSet};

/// New rows per (table, foreign-key positions), grouped by their foreign-key values.
type NewRowsByFk<'a> = HashMap<(String, Vec<usize>), HashMap<Vec<KeyPart>, Vec<&'a PendingOp>>>;

/// `UPDATE <child table> SET <fk> = NULL WHERE <fk> IN (<parent keys>)`.
#[derive(Debug)]
pub(crate) struct NullFks {
    pub(crate) info: ModelInfo,
    pub(crate) fk: Vec<usize>,
    pub(crate) parents: Vec<Vec<Value>>,
    /// The parents already listed (by key parts).
    seen: HashSet<Vec<KeyPart>>,
}

/// Snapshot columns a flush sets to NULL: (identity, positions).
pub(crate) type Detached = Vec<(IdentityKey, Vec<usize>)>;

/// Plan the detaching UPDATEs for the deleted objects among `ops`.
pub(crate) fn plan(ops: &[PendingOp], map: &IdentityMap) -> Result<(Vec<NullFks>, Detached)> {
    let by_key: HashMap<&IdentityKey, &PendingOp> = ops
        .iter()
        .filter_map(|op| Some((op.key.as_ref()?, op)))
        .collect();
    let mut steps: Vec<NullFks> = Vec::new();
    let mut detached: Detached = Vec::new();
    let mut index = ChildIndex::default();
    // New rows with an explicit foreign key (not one copied from a parent),
    // per table, grouped by the values of the foreign-key columns on first use.
    let mut new_rows: HashMap<String, Vec<&PendingOp>> = HashMap::new();
    for o in ops
        .iter()
        .filter(|o| o.kind == OpKind::Insert && o.links.is_empty())
    {
        new_rows.entry(o.info.table_name()).or_default().push(o);
    }
    let mut new_by_fk: NewRowsByFk<'_> = HashMap::new();
    for op in ops.iter().filter(|op| op.kind == OpKind::Delete) {
        for rel in op.info.mapper.relationships {
            if rel.cascade.delete || rel.passive_deletes {
                continue;
            }
            let r = op.info.state.resolved(rel)?;
            if r.direction != Direction::OneToMany {
                continue;
            }
            let parent: Vec<Value> = r
                .positions
                .iter()
                .map(|&(o, _)| op.values[o].clone())
                .collect();
            if parent.iter().any(Value::is_null) {
                continue;
            }
            let parent_parts: Vec<KeyPart> = parent.iter().map(KeyPart::of).collect();
            let fk: Vec<usize> = r.positions.iter().map(|&(_, t)| t).collect();
            let target = r.target_info();
            // The children the session knows that still point at the parent.
            let mut known: Vec<(Option<IdentityKey>, Vec<Value>)> = Vec::new();
            for key in index.children(map, target, &fk, &parent_parts) {
                let values = match (by_key.get(key), map.get(key)) {
                    (Some(o), _) if o.kind == OpKind::Delete => continue,
                    (Some(o), _) => &o.values,
                    (None, Some(entry)) => &entry.snapshot,
                    (None, None) => continue,
                };
                if project(values, &fk) == parent_parts {
                    known.push((Some(key.clone()), values.clone()));
                }
            }
            let table = target.table_name();
            let group = new_by_fk
                .entry((table.clone(), fk.clone()))
                .or_insert_with(|| {
                    let mut g: HashMap<Vec<KeyPart>, Vec<&PendingOp>> = HashMap::new();
                    for o in new_rows.get(&table).into_iter().flatten() {
                        g.entry(project(&o.values, &fk)).or_default().push(o);
                    }
                    g
                });
            for o in group.get(&parent_parts).into_iter().flatten() {
                known.push((None, o.values.clone()));
            }
            match fk.iter().find(|&&p| !target.mapper.columns[p].nullable) {
                Some(&p) => {
                    if let Some((_, child)) = known.first() {
                        return Err(Error::invalid_request(format!(
                            "cannot delete {}: {} still refers to it through {}.{} \
                             (relationship {}), a NOT NULL column, and the relationship's cascade \
                             (\"{}\") would set it to NULL. Add cascade = \"all, delete-orphan\" \
                             to {} to delete the children with their parent, or passive_deletes \
                             to leave them to the database's ON DELETE rule; or delete or move \
                             the children first",
                            op.info.describe(&op.values),
                            target.describe(child),
                            target.mapper.table,
                            target.mapper.columns[p].name,
                            r.name,
                            rel.cascade,
                            r.name,
                        )));
                    }
                }
                None => {
                    detached.extend(
                        known
                            .into_iter()
                            .filter_map(|(k, _)| Some((k?, fk.clone()))),
                    );
                    match steps
                        .iter_mut()
                        .find(|s| s.info.same_table(&target) && s.fk == fk)
                    {
                        Some(s) => {
                            if s.seen.insert(parent_parts) {
                                s.parents.push(parent);
                            }
                        }
                        None => steps.push(NullFks {
                            info: target,
                            fk,
                            parents: vec![parent],
                            seen: HashSet::from([parent_parts]),
                        }),
                    }
                }
            }
        }
    }
    Ok((steps, detached))
}

/// Run one [`NullFks`].
pub(crate) async fn run(step: &NullFks, exec: &mut Exec<'_>) -> Result<()> {
    let info = step.info;
    let names: Vec<&str> = step
        .fk
        .iter()
        .map(|&p| info.mapper.columns[p].name)
        .collect();
    for chunk in step.parents.chunks(MAX_ROWS) {
        let mut stmt = update(info.table);
        for name in &names {
            stmt = stmt.set(name, Value::Null);
        }
        let stmt = stmt.filter(Expr::<bool>::new(match_tuples(info.table, &names, chunk)));
        exec.run(&stmt).await?;
    }
    Ok(())
}
