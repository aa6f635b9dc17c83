//! Mapper events during a flush: `BeforeUpdate` runs while the flush is
//! planned (its changes decide the columns written); `BeforeInsert` runs
//! just before the INSERT of its rows, as SQLAlchemy's `save_obj` fires it,
//! so it sees the foreign keys copied from parents inserted earlier in the
//! flush; the other events run around their statements. The statements a listener queues through
//! `MapperContext::execute` run on the flush's connection, before the
//! object's statement (`Before*`) or right after it (`After*`).
//!
//! Every entry point first asks the model's listener counter (one atomic
//! load): a flush of models without listeners decodes nothing.

use super::exec::Exec;
use super::flush::{LinksByTicket, prepare_insert};
use super::insert_batch::InsertGroup;
use super::model_info::ModelInfo;
use super::unit_of_work::Ticket;
use crate::events::MapperEvent;
use crate::validator::validate_values;
use oxalchemy_core::{Compiled, Result, Value};
use oxalchemy_pool::Engine;
use std::collections::HashMap;

/// The mapper-event state of one flush while it is planned.
#[derive(Default)]
pub(crate) struct FlushHooks<'a> {
    /// The engine of the session (`None` in planner unit tests: no events).
    engine: Option<&'a Engine>,
    /// Statements `Before*` listeners queued, per object, to run before its statement.
    pub(crate) before: HashMap<Ticket, Vec<Compiled>>,
    /// A listener returned `Err` or panicked: the flush rolls back.
    pub(crate) failed: bool,
}

impl<'a> FlushHooks<'a> {
    /// The hooks of a flush on `engine`.
    pub(crate) fn new(engine: &'a Engine) -> Self {
        FlushHooks {
            engine: Some(engine),
            ..FlushHooks::default()
        }
    }

    /// True when `event` has a listener on `info`'s model.
    #[inline]
    pub(crate) fn listens(&self, info: ModelInfo, event: MapperEvent) -> bool {
        self.engine.is_some() && info.state.listeners.has(event)
    }

    /// Run the `event` listeners of `info` on `values` (changed in place when
    /// the event keeps changes); their statements run before `ticket`'s.
    pub(crate) fn before(
        &mut self,
        info: ModelInfo,
        event: MapperEvent,
        ticket: Ticket,
        values: &mut Vec<Value>,
    ) -> Result<()> {
        let Some(engine) = self.engine else {
            return Ok(());
        };
        match info
            .state
            .listeners
            .fire(event, info.mapper.model, engine, values)
        {
            Ok(queued) => {
                if !queued.is_empty() {
                    self.before.entry(ticket).or_default().extend(queued);
                }
                Ok(())
            }
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }
}

/// Run the statements queued for `tickets` before their statement.
pub(crate) async fn run_before(
    before: &mut HashMap<Ticket, Vec<Compiled>>,
    tickets: impl Iterator<Item = Ticket>,
    exec: &mut Exec<'_>,
) -> Result<()> {
    if before.is_empty() {
        return Ok(());
    }
    for ticket in tickets {
        for compiled in before.remove(&ticket).unwrap_or_default() {
            exec.run_compiled(compiled).await?;
        }
    }
    Ok(())
}

/// Fire `event` (an event that keeps no changes: `After*`, `BeforeDelete`)
/// for each of `rows` of `info`, running each listener's statements right
/// after it returns.
pub(crate) async fn fire_each<'r>(
    info: ModelInfo,
    event: MapperEvent,
    rows: impl Iterator<Item = &'r Vec<Value>>,
    exec: &mut Exec<'_>,
) -> Result<()> {
    if !info.state.listeners.has(event) {
        return Ok(());
    }
    for values in rows {
        fire_one(info, event, &mut values.clone(), exec).await?;
    }
    Ok(())
}

/// Fire `event` for one row of `info` (`values` keeps what the listeners
/// change), running each listener's statements right after it returns.
pub(crate) async fn fire_one(
    info: ModelInfo,
    event: MapperEvent,
    values: &mut Vec<Value>,
    exec: &mut Exec<'_>,
) -> Result<()> {
    let queued = info
        .state
        .listeners
        .fire(event, info.mapper.model, exec.engine, values)?;
    for compiled in queued {
        exec.run_compiled(compiled).await?;
    }
    Ok(())
}

/// Run the `BeforeInsert` listeners of `group`'s rows (foreign keys from
/// parents already filled in), each listener's statements right after it
/// returns, then the validators and column defaults on what the listeners
/// left. Consecutive rows that give the same columns share a statement.
pub(crate) async fn before_insert(
    group: InsertGroup,
    links: &LinksByTicket,
    exec: &mut Exec<'_>,
) -> Result<Vec<InsertGroup>> {
    let info = group.info;
    let mut out: Vec<InsertGroup> = Vec::new();
    for (ticket, mut values) in group.rows {
        fire_one(info, MapperEvent::BeforeInsert, &mut values, exec).await?;
        validate_values(info.mapper, &values, None)?;
        let linked: Vec<usize> = links
            .get(&ticket)
            .into_iter()
            .flatten()
            .flat_map(|l| l.fk.iter().copied())
            .collect();
        let (values, columns) = prepare_insert(info, values, &linked);
        match out.last_mut() {
            Some(g) if g.columns == columns => g.rows.push((ticket, values)),
            _ => out.push(InsertGroup::new(info, columns, vec![(ticket, values)])),
        }
    }
    Ok(out)
}
