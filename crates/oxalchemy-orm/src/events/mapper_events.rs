//! Mapper events (SQLAlchemy's `MapperEvents`): `event::listens_for::<M>(..)`.
//!
//! Listeners are registered per model (process-wide, as SQLAlchemy's
//! class-level listeners) and kept in the model's [`MapperState`]: one
//! atomic counter per event says whether anyone listens, so a flush or a
//! query of a model without listeners does one atomic load per model and
//! event, never a lock or a decode per row.

use super::listener_call::call_listener;
use super::listener_list::{EventIndex, ListenerList};
use crate::mapper_state::MapperState;
use crate::model::Model;
use oxalchemy_core::{Compiled, Error, Executable, Result, Value};
use oxalchemy_pool::Engine;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

/// The events of a model's rows (SQLAlchemy's `MapperEvents`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MapperEvent {
    /// A new row is about to be INSERTed: changes to the object are written
    /// by the same INSERT (e.g. a `created_at` column).
    BeforeInsert,
    /// The row was INSERTed: the object has its generated key and server defaults.
    AfterInsert,
    /// Changed columns are about to be UPDATEd: changes to the object are
    /// written by the same UPDATE (e.g. an `updated_at` column). Fires only
    /// for objects with a net change, as SQLAlchemy's `before_update` does
    /// for objects whose columns changed.
    BeforeUpdate,
    /// The row was UPDATEd.
    AfterUpdate,
    /// The row is about to be DELETEd (changes to the object are ignored).
    BeforeDelete,
    /// The row was DELETEd (changes to the object are ignored).
    AfterDelete,
    /// A query read the row of an identity the session did not hold (or held
    /// expired): changes the listener makes are in the value the query
    /// returns (the session's snapshot keeps the row as read).
    Load,
    /// `session.refresh(&mut obj)` read the row again: changes are in `obj`.
    Refresh,
}

impl EventIndex for MapperEvent {
    const COUNT: usize = 8;

    fn index(self) -> usize {
        match self {
            MapperEvent::BeforeInsert => 0,
            MapperEvent::AfterInsert => 1,
            MapperEvent::BeforeUpdate => 2,
            MapperEvent::AfterUpdate => 3,
            MapperEvent::BeforeDelete => 4,
            MapperEvent::AfterDelete => 5,
            MapperEvent::Load => 6,
            MapperEvent::Refresh => 7,
        }
    }
}

impl MapperEvent {
    /// True when the changes a listener makes to the object are kept.
    fn writes_back(self) -> bool {
        matches!(
            self,
            MapperEvent::BeforeInsert
                | MapperEvent::BeforeUpdate
                | MapperEvent::Load
                | MapperEvent::Refresh
        )
    }

    /// True for the events of a flush (a listener may queue statements).
    fn in_flush(self) -> bool {
        !matches!(self, MapperEvent::Load | MapperEvent::Refresh)
    }
}

/// What a mapper listener gets besides the object: the event, the model,
/// the engine, and [`execute`](Self::execute) to run statements on the
/// flush's connection, in its transaction.
pub struct MapperContext<'a> {
    event: MapperEvent,
    model: &'static str,
    engine: &'a Engine,
    queued: RefCell<Vec<Compiled>>,
}

impl fmt::Debug for MapperContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapperContext")
            .field("event", &self.event)
            .field("model", &self.model)
            .field("queued", &self.queued.borrow().len())
            .finish()
    }
}

impl<'a> MapperContext<'a> {
    pub(crate) fn new(event: MapperEvent, model: &'static str, engine: &'a Engine) -> Self {
        MapperContext {
            event,
            model,
            engine,
            queued: RefCell::new(Vec::new()),
        }
    }

    /// Which event fired.
    pub fn event(&self) -> MapperEvent {
        self.event
    }

    /// The model's name (`"User"`).
    pub fn model(&self) -> &'static str {
        self.model
    }

    /// The engine the session runs on.
    pub fn engine(&self) -> &'a Engine {
        self.engine
    }

    /// Run `stmt` on the flush's connection, in its transaction (an audit
    /// row written with the change it records). Listeners are synchronous,
    /// so the statement is compiled now and queued: it runs when the
    /// listener returns, before the object's own statement for `Before*`
    /// events and right after it for `After*` events, in the order queued.
    /// Its rows are not returned; when it fails, the flush fails and rolls
    /// back. `Load` and `Refresh` listeners run outside a flush: `execute`
    /// is an `InvalidRequest` there.
    pub fn execute<E: Executable>(&self, stmt: E) -> Result<()> {
        if !self.event.in_flush() {
            return Err(Error::invalid_request(format!(
                "MapperContext::execute in a {:?} listener of {}: only the listeners of a flush \
                 (Before/After Insert, Update, Delete) run statements on its connection",
                self.event, self.model
            )));
        }
        let compiled = self.engine.compile(&stmt)?;
        self.queued.borrow_mut().push(compiled);
        Ok(())
    }

    pub(crate) fn into_queued(self) -> Vec<Compiled> {
        self.queued.into_inner()
    }
}

/// A listener with its model type erased: it decodes the row, calls the
/// typed closure and (for events that keep changes) encodes it again.
type ErasedListener = dyn Fn(&MapperContext<'_>, &mut Vec<Value>) -> Result<()> + Send + Sync;

/// The listeners of one model (copy-on-write: firing clones an `Arc`, never
/// holds a lock while a listener runs).
#[derive(Default)]
pub(crate) struct MapperListeners {
    listeners: ListenerList<MapperEvent, ErasedListener>,
}

impl fmt::Debug for MapperListeners {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapperListeners")
            .field("listeners", &self.listeners)
            .finish()
    }
}

impl MapperListeners {
    /// True when `event` has a listener (one atomic load).
    #[inline]
    pub(crate) fn has(&self, event: MapperEvent) -> bool {
        self.listeners.has(event)
    }

    fn add(&self, event: MapperEvent, f: Arc<ErasedListener>) -> u64 {
        self.listeners.add(event, f)
    }

    fn remove(&self, id: u64) -> bool {
        self.listeners.remove(id)
    }

    /// Run the listeners of `event` on the row `values` (changed in place
    /// for the events that keep changes); the statements they queued, in
    /// order. Callers check [`has`](Self::has) first.
    pub(crate) fn fire(
        &self,
        event: MapperEvent,
        model: &'static str,
        engine: &Engine,
        values: &mut Vec<Value>,
    ) -> Result<Vec<Compiled>> {
        let list = self.listeners.snapshot();
        let mut queued = Vec::new();
        for r in list.iter().filter(|r| r.event == event) {
            let ctx = MapperContext::new(event, model, engine);
            call_listener(&|| format!("the {event:?} listener of {model}"), || {
                (r.f)(&ctx, values)
            })?;
            queued.extend(ctx.into_queued());
        }
        Ok(queued)
    }
}

/// Identifies a mapper listener; [`remove`](Self::remove) unregisters it.
/// Dropping the handle keeps the listener.
pub struct MapperListenerHandle {
    id: u64,
    event: MapperEvent,
    listeners: &'static MapperListeners,
    /// The copies on the subclasses of an inheritance hierarchy.
    propagated: Vec<(u64, &'static MapperListeners)>,
}

impl fmt::Debug for MapperListenerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapperListenerHandle")
            .field("id", &self.id)
            .field("event", &self.event)
            .finish()
    }
}

impl MapperListenerHandle {
    /// The event the listener was registered for.
    pub fn event(&self) -> MapperEvent {
        self.event
    }

    /// Unregister the listener; false when it was already removed.
    pub fn remove(self) -> bool {
        for (id, listeners) in &self.propagated {
            listeners.remove(*id);
        }
        self.listeners.remove(self.id)
    }
}

/// Register `listener` for `event` on model `M` (every session, every engine).
///
/// The listener gets a [`MapperContext`] and the object as `&mut M`, decoded
/// from the row the session holds (relationship fields not loaded). Changes
/// are kept for `BeforeInsert` and `BeforeUpdate` (written by the same
/// statement), `Load` and `Refresh`; the other events ignore them. A
/// listener that returns `Err` aborts the flush: the transaction rolls
/// back, the pending work stays, and the flush returns that error. A
/// listener that panics does the same, with an `InvalidRequest` naming the
/// event and the model.
///
/// ```
/// use oxalchemy_orm::events::{self, MapperContext, MapperEvent};
/// # use oxalchemy_orm::Model;
/// # fn demo<User: Model>() {
/// let handle = events::listens_for::<User>(MapperEvent::BeforeInsert, |_ctx: &MapperContext, _user: &mut User| {
///     Ok(())
/// });
/// handle.remove();
/// # }
/// ```
pub fn listens_for<M: Model>(
    event: MapperEvent,
    listener: impl Fn(&MapperContext<'_>, &mut M) -> Result<()> + Send + Sync + 'static,
) -> MapperListenerHandle {
    let writes_back = event.writes_back();
    let erased: Arc<ErasedListener> = Arc::new(move |ctx, values: &mut Vec<Value>| {
        let mut obj = M::from_values(values.clone())?;
        listener(ctx, &mut obj)?;
        if writes_back {
            *values = obj.to_values();
        }
        Ok(())
    });
    let mapper = M::mapper();
    let listeners = listeners_of(mapper.state());
    let id = listeners.add(event, erased.clone());
    // SQLAlchemy's propagate=True: a listener on a class of a hierarchy
    // fires for its subclasses too, on the `M` part of the object (its
    // values are a prefix of the subclass's; `ctx.model()` names the class).
    let mut propagated = Vec::new();
    if mapper.inheritance.is_some_and(|i| i.polymorphic.is_none()) {
        let width = mapper.columns.len();
        for sub in mapper.self_and_descendants().into_iter().skip(1) {
            let inner = erased.clone();
            let on_prefix: Arc<ErasedListener> = Arc::new(move |ctx, values: &mut Vec<Value>| {
                let mut prefix: Vec<Value> = values.iter().take(width).cloned().collect();
                inner(ctx, &mut prefix)?;
                for (slot, v) in values.iter_mut().zip(prefix) {
                    *slot = v;
                }
                Ok(())
            });
            let sub_listeners = listeners_of(sub.state());
            propagated.push((sub_listeners.add(event, on_prefix), sub_listeners));
        }
    }
    MapperListenerHandle {
        id,
        event,
        listeners,
        propagated,
    }
}

fn listeners_of(state: &'static MapperState) -> &'static MapperListeners {
    &state.listeners
}
