//! The flush: turn the unit of work into statements, in dependency order.
//!
//! Planning is pure (no I/O), so a flush with nothing to write sends nothing
//! and never touches the connection:
//!
//! 1. tables are sorted by foreign key (parents first);
//! 2. for each table, its INSERTs (rows of a self-referential table in row
//!    dependency order, batched per column set: see [`super::insert_batch`]),
//!    then its UPDATEs (only the columns that differ from the snapshot, with
//!    the `version_id` check);
//! 3. for each table in reverse order, its DELETEs (children first).
//!
//! Nothing in the session changes until every statement succeeded: the
//! caller applies the [`FlushOutcome`] to the identity map, or rolls back and
//! keeps the pending work.

use super::dependency::{self_references, sort_rows, sort_tables};
use super::exec::Exec;
use super::identity_map::{IdentityKey, IdentityMap};
use super::insert_batch::{InsertGroup, run_insert_group};
use super::model_info::{ModelInfo, is_rust_default};
use super::unit_of_work::{OpKind, PendingOp, Ticket};
use oxalchemy_core::{Dialect, Error, Expr, Node, Result, Value, delete, update};

/// One object the flush wrote (or found unchanged), as now stored.
#[derive(Debug, Clone)]
pub(crate) struct Saved {
    pub(crate) ticket: Ticket,
    pub(crate) key: IdentityKey,
    /// The row as persisted: generated keys, server defaults, new version.
    pub(crate) values: Vec<Value>,
    /// What the flush did with it.
    pub(crate) kind: SavedKind,
}

/// How a flushed object reached its stored state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SavedKind {
    /// A new row: every column written or read back (undone by a rollback).
    Inserted,
    /// Changed columns written; the other columns are as the snapshot had them.
    Updated,
    /// Nothing to write.
    Unchanged,
}

/// What a successful flush did.
#[derive(Debug, Default)]
pub(crate) struct FlushOutcome {
    pub(crate) saved: Vec<Saved>,
    pub(crate) deleted: Vec<IdentityKey>,
}

/// An UPDATE of one object.
#[derive(Debug)]
struct UpdateRow {
    ticket: Ticket,
    info: ModelInfo,
    key: IdentityKey,
    /// The values after the update (version incremented).
    values: Vec<Value>,
    /// Positions of the columns to SET (the version column is added separately).
    changed: Vec<usize>,
    /// (version position, the version the row must still have).
    version: Option<(usize, Value)>,
}

/// DELETEs of one table.
#[derive(Debug)]
struct DeleteGroup {
    info: ModelInfo,
    rows: Vec<(IdentityKey, Vec<Value>)>,
    /// One statement per row: version checks, self-referential order.
    per_row: bool,
    /// (version position) when the mapper has a version counter.
    version: Option<usize>,
    /// The version each row must still have (`None` when unversioned).
    expected_versions: Vec<Option<Value>>,
}

#[derive(Debug)]
enum Step {
    Insert(InsertGroup),
    Update(UpdateRow),
    Delete(DeleteGroup),
}

/// The statements a flush will run, in order.
#[derive(Debug, Default)]
pub(crate) struct FlushPlan {
    steps: Vec<Step>,
    /// Objects added without a change: nothing to send.
    unchanged: Vec<Saved>,
}

impl FlushPlan {
    /// True when the flush sends no statement.
    pub(crate) fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The outcome of a flush that sent nothing.
    pub(crate) fn into_unchanged(self) -> FlushOutcome {
        FlushOutcome {
            saved: self.unchanged,
            deleted: Vec::new(),
        }
    }
}

/// The values and columns of one new row: the autoincrement key left at
/// 0 / NULL and columns with a server default left at their Rust default are
/// omitted (the database fills them; RETURNING reads them back), a client-side
/// default replaces a Rust default, and the version counter starts at 1.
fn prepare_insert(info: ModelInfo, mut values: Vec<Value>) -> (Vec<Value>, Vec<usize>) {
    let auto = info.autoincrement_position();
    let version = info.version_position();
    let mut included = Vec::with_capacity(values.len());
    for (i, col) in info.mapper.columns.iter().enumerate() {
        if i >= values.len() {
            break;
        }
        if Some(i) == auto && matches!(values[i], Value::Null | Value::Int(0)) {
            continue;
        }
        if Some(i) == version && is_rust_default(&values[i]) {
            values[i] = Value::Int(1);
        }
        if is_rust_default(&values[i]) {
            let def = info.table.column_def(col.name);
            if let Some(d) = def.and_then(|d| d.default()) {
                values[i] = d.produce();
            } else if def.is_some_and(|d| d.server_default().is_some()) {
                continue;
            }
        }
        included.push(i);
    }
    (values, included)
}

/// Plan the statements for `ops` against the snapshots in `map`.
pub(crate) fn plan(ops: &[PendingOp], map: &IdentityMap) -> Result<FlushPlan> {
    let mut out = FlushPlan::default();
    let infos: Vec<ModelInfo> = ops.iter().map(|op| op.info).collect();
    let tables = sort_tables(&infos);
    for t in &tables {
        plan_inserts(ops, t, &mut out);
        for op in ops
            .iter()
            .filter(|op| op.kind == OpKind::Update && op.info.same_table(t))
        {
            plan_update(op, map, &mut out)?;
        }
    }
    for t in tables.iter().rev() {
        plan_deletes(ops, t, map, &mut out);
    }
    Ok(out)
}

fn plan_inserts(ops: &[PendingOp], t: &ModelInfo, out: &mut FlushPlan) {
    // Per model (several models may share a table), in registration order.
    let mut models: Vec<ModelInfo> = Vec::new();
    for op in ops
        .iter()
        .filter(|op| op.kind == OpKind::Insert && op.info.same_table(t))
    {
        if !models
            .iter()
            .any(|m| std::ptr::eq(m.mapper, op.info.mapper))
        {
            models.push(op.info);
        }
    }
    for info in models {
        let prepared: Vec<(Ticket, Vec<Value>, Vec<usize>)> = ops
            .iter()
            .filter(|op| op.kind == OpKind::Insert && std::ptr::eq(op.info.mapper, info.mapper))
            .map(|op| {
                let (values, included) = prepare_insert(info, op.values.clone());
                (op.ticket, values, included)
            })
            .collect();
        let refs = self_references(info);
        let order = {
            let rows: Vec<&[Value]> = prepared.iter().map(|p| p.1.as_slice()).collect();
            sort_rows(&refs, &rows)
        };
        let mut groups: Vec<InsertGroup> = Vec::new();
        for i in order {
            let (ticket, values, included) = &prepared[i];
            // A self-referential table keeps row order: only consecutive rows
            // with the same columns share a statement.
            let target = if refs.is_empty() {
                groups.iter_mut().find(|g| g.columns == *included)
            } else {
                groups.last_mut().filter(|g| g.columns == *included)
            };
            match target {
                Some(g) => g.rows.push((*ticket, values.clone())),
                None => groups.push(InsertGroup::new(
                    info,
                    included.clone(),
                    vec![(*ticket, values.clone())],
                )),
            }
        }
        out.steps.extend(groups.into_iter().map(Step::Insert));
    }
}

fn plan_update(op: &PendingOp, map: &IdentityMap, out: &mut FlushPlan) -> Result<()> {
    let info = op.info;
    let key = op
        .key
        .clone()
        .ok_or_else(|| Error::invalid_request("an UPDATE needs the object's primary key"))?;
    let entry = map.get(&key);
    let pk = info.pk_positions();
    let version_pos = info.version_position();
    let mut values = op.values.clone();
    let changed: Vec<usize> = (0..values.len())
        .filter(|i| !pk.contains(i) && Some(*i) != version_pos)
        .filter(|&i| entry.is_none_or(|e| e.snapshot.get(i) != Some(&values[i])))
        .collect();
    // The version the session last saw (the object's own when never loaded).
    let version = version_pos.map(|p| {
        let seen = entry
            .and_then(|e| e.snapshot.get(p).cloned())
            .unwrap_or_else(|| values[p].clone());
        (p, seen)
    });
    if changed.is_empty() {
        if let Some((p, seen)) = &version {
            values[*p] = seen.clone();
        }
        out.unchanged.push(Saved {
            ticket: op.ticket,
            key,
            values,
            kind: SavedKind::Unchanged,
        });
        return Ok(());
    }
    if let Some((p, seen)) = &version {
        values[*p] = match seen {
            Value::Int(v) => Value::Int(v + 1),
            other => {
                return Err(Error::invalid_request(format!(
                    "{}: the version counter {} holds {}, not an integer; a version_id column \
                     must be an integer that starts at 1",
                    info.describe(&values),
                    info.mapper.columns[*p].name,
                    other.describe()
                )));
            }
        };
    }
    out.steps.push(Step::Update(UpdateRow {
        ticket: op.ticket,
        info,
        key,
        values,
        changed,
        version,
    }));
    Ok(())
}

fn plan_deletes(ops: &[PendingOp], t: &ModelInfo, map: &IdentityMap, out: &mut FlushPlan) {
    let mut models: Vec<ModelInfo> = Vec::new();
    for op in ops
        .iter()
        .filter(|op| op.kind == OpKind::Delete && op.info.same_table(t))
    {
        if !models
            .iter()
            .any(|m| std::ptr::eq(m.mapper, op.info.mapper))
        {
            models.push(op.info);
        }
    }
    for info in models {
        let mut rows: Vec<(IdentityKey, Vec<Value>)> = ops
            .iter()
            .filter(|op| op.kind == OpKind::Delete && std::ptr::eq(op.info.mapper, info.mapper))
            .filter_map(|op| Some((op.key.clone()?, op.values.clone())))
            .collect();
        let refs = self_references(info);
        if !refs.is_empty() {
            // Children (rows pointing at others) first: the reverse of insert order.
            let order = {
                let vals: Vec<&[Value]> = rows.iter().map(|r| r.1.as_slice()).collect();
                sort_rows(&refs, &vals)
            };
            let mut sorted: Vec<(IdentityKey, Vec<Value>)> =
                order.into_iter().rev().map(|i| rows[i].clone()).collect();
            std::mem::swap(&mut rows, &mut sorted);
        }
        let version = info.version_position();
        let expected_versions = rows
            .iter()
            .map(|(key, values)| {
                version.map(|p| {
                    map.get(key)
                        .and_then(|e| e.snapshot.get(p).cloned())
                        .unwrap_or_else(|| values[p].clone())
                })
            })
            .collect();
        out.steps.push(Step::Delete(DeleteGroup {
            info,
            rows,
            per_row: !refs.is_empty() || version.is_some(),
            version,
            expected_versions,
        }));
    }
}

/// `pk = ? [AND pk2 = ?]` for one row.
pub(crate) fn key_condition(info: ModelInfo, values: &[Value]) -> Node {
    let mut cond: Option<Node> = None;
    for i in info.pk_positions() {
        let c = info
            .table
            .c(info.mapper.columns[i].name)
            .node()
            .equals(Node::Param(values.get(i).cloned().unwrap_or(Value::Null)));
        cond = Some(match cond {
            Some(prev) => prev.and(c),
            None => c,
        });
    }
    cond.unwrap_or(Node::Null)
}

/// `pk IN (?, ?, ..)` for a single-column key, else `(a = ? AND b = ?) OR ..`.
pub(crate) fn keys_condition(info: ModelInfo, rows: &[&[Value]]) -> Node {
    let pk = info.pk_positions();
    if pk.len() == 1 {
        let col = info.table.c(info.mapper.columns[pk[0]].name).node();
        return Node::InList {
            operand: Box::new(col),
            items: rows
                .iter()
                .map(|r| Node::Param(r.get(pk[0]).cloned().unwrap_or(Value::Null)))
                .collect(),
            negated: false,
        };
    }
    let mut cond: Option<Node> = None;
    for r in rows {
        let c = key_condition(info, r);
        cond = Some(match cond {
            Some(prev) => prev.or(c),
            None => c,
        });
    }
    cond.unwrap_or(Node::Null)
}

/// Run the plan. On error nothing of the session has changed; the caller rolls back.
pub(crate) async fn execute(
    plan: FlushPlan,
    exec: &mut Exec<'_>,
    dialect: &dyn Dialect,
) -> Result<FlushOutcome> {
    let mut out = FlushOutcome {
        saved: plan.unchanged,
        deleted: Vec::new(),
    };
    for step in plan.steps {
        match step {
            Step::Insert(group) => {
                let info = group.info;
                let tickets: Vec<Ticket> = group.rows.iter().map(|r| r.0).collect();
                let rows = run_insert_group(group, exec, dialect).await?;
                for (ticket, values) in tickets.into_iter().zip(rows) {
                    out.saved.push(Saved {
                        ticket,
                        key: IdentityKey::of_row(info, &values),
                        values,
                        kind: SavedKind::Inserted,
                    });
                }
            }
            Step::Update(row) => {
                run_update(&row, exec, dialect).await?;
                out.saved.push(Saved {
                    ticket: row.ticket,
                    key: row.key,
                    values: row.values,
                    kind: SavedKind::Updated,
                });
            }
            Step::Delete(group) => {
                run_delete(&group, exec, dialect).await?;
                out.deleted.extend(group.rows.into_iter().map(|r| r.0));
            }
        }
    }
    Ok(out)
}

async fn run_update(row: &UpdateRow, exec: &mut Exec<'_>, dialect: &dyn Dialect) -> Result<()> {
    let info = row.info;
    let mut stmt = update(info.table);
    for &i in &row.changed {
        stmt = stmt.set(info.mapper.columns[i].name, row.values[i].clone());
    }
    let mut cond = key_condition(info, &row.values);
    if let Some((p, seen)) = &row.version {
        let name = info.mapper.columns[*p].name;
        stmt = stmt.set(name, row.values[*p].clone());
        cond = cond.and(info.table.c(name).node().equals(Node::Param(seen.clone())));
    }
    let stmt = stmt.filter(Expr::<bool>::new(cond));
    let result = exec.run(stmt.try_compile(dialect)?).await?;
    if result.rows_affected() != 1 {
        let version = row
            .version
            .as_ref()
            .map(|(_, v)| format!(" at version {v}"))
            .unwrap_or_default();
        return Err(Error::StaleDataError {
            message: format!(
                "UPDATE statement on table '{}' expected to update 1 row(s); {} were matched: {}{version} \
                 was changed or deleted by another transaction since this session read it. \
                 Read it again (session.refresh or, after session.expire_all, session.get), \
                 reapply the change and flush again",
                info.table_name(),
                result.rows_affected(),
                info.describe(&row.values),
            ),
        });
    }
    Ok(())
}

/// How many keys one `DELETE .. WHERE pk IN (..)` carries.
const DELETE_CHUNK: usize = 1000;

async fn run_delete(group: &DeleteGroup, exec: &mut Exec<'_>, dialect: &dyn Dialect) -> Result<()> {
    let info = group.info;
    if group.per_row {
        for ((_, values), expected) in group.rows.iter().zip(&group.expected_versions) {
            let mut cond = key_condition(info, values);
            if let (Some(p), Some(v)) = (group.version, expected) {
                let name = info.mapper.columns[p].name;
                cond = cond.and(info.table.c(name).node().equals(Node::Param(v.clone())));
            }
            let stmt = delete(info.table).filter(Expr::<bool>::new(cond));
            let result = exec.run(stmt.try_compile(dialect)?).await?;
            check_deleted(
                info,
                1,
                result.rows_affected(),
                group.version.is_some(),
                || {
                    let version = expected
                        .as_ref()
                        .map(|v| format!(" at version {v}"))
                        .unwrap_or_default();
                    format!("{}{version}", info.describe(values))
                },
            )?;
        }
        return Ok(());
    }
    for chunk in group.rows.chunks(DELETE_CHUNK) {
        let rows: Vec<&[Value]> = chunk.iter().map(|r| r.1.as_slice()).collect();
        let stmt = delete(info.table).filter(Expr::<bool>::new(keys_condition(info, &rows)));
        let result = exec.run(stmt.try_compile(dialect)?).await?;
        check_deleted(info, chunk.len(), result.rows_affected(), false, || {
            let names: Vec<String> = chunk.iter().map(|r| info.describe(&r.1)).collect();
            names.join("; ")
        })?;
    }
    Ok(())
}

/// SQLAlchemy's rule: a DELETE that matched fewer rows than objects is a
/// `StaleDataError` when the mapper has a version counter, else a warning
/// (the row was already gone, which is what a delete wants).
fn check_deleted(
    info: ModelInfo,
    expected: usize,
    matched: u64,
    versioned: bool,
    what: impl Fn() -> String,
) -> Result<()> {
    if matched == expected as u64 {
        return Ok(());
    }
    let message = format!(
        "DELETE statement on table '{}' expected to delete {expected} row(s); {matched} were matched: {}",
        info.table_name(),
        what()
    );
    if versioned {
        return Err(Error::StaleDataError {
            message: format!(
                "{message}; the row was changed or deleted by another transaction since this \
                 session read it. Read it again (session.refresh) and decide whether to delete it"
            ),
        });
    }
    tracing::warn!(target: "oxalchemy::orm", "{message}");
    Ok(())
}
