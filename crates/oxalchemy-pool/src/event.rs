//! Engine events: connect, checkout, checkin, reset, invalidate, before/after
//! execute, begin, commit, rollback (SQLAlchemy's `ConnectionEvents` and
//! `PoolEvents`).
//!
//! ```
//! use oxalchemy_pool::event::{self, EngineEvent, ExecuteContext};
//! # fn demo(engine: &oxalchemy_pool::Engine) {
//! let handle = event::listen(engine, EngineEvent::BeforeExecute, |ctx: &ExecuteContext| {
//!     println!("{} {:?}", ctx.statement(), ctx.params());
//! });
//! handle.remove();
//! # }
//! ```
//!
//! Listeners are stored per engine. When an event has no listener, firing it
//! costs one atomic load. Listeners run synchronously on the task that runs
//! the statement, so keep them short; a panicking listener propagates.

use crate::engine::Engine;
use oxalchemy_core::Value;
use parking_lot::RwLock;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The events an engine emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EngineEvent {
    /// A new database connection was opened by the pool.
    Connect,
    /// A connection was handed out by the pool (`engine.connect()` / `engine.begin()`).
    Checkout,
    /// A connection went back to the pool (or was discarded).
    Checkin,
    /// A connection is being reset on its way back to the pool (SQLAlchemy's
    /// `reset`): fires for every return of a usable connection, before the
    /// pool's `ROLLBACK` when a transaction was still open.
    /// `transaction_was_reset()` is true when the connection had already
    /// ended its transaction (commit, rollback, or none begun), so no
    /// `ROLLBACK` is sent.
    Reset,
    /// A connection is being discarded as unusable (SQLAlchemy's
    /// `invalidate`): `Connection::invalidate()`, a disconnect error, an
    /// operation interrupted mid-way, a failed rollback on return, or an idle
    /// connection found broken (or failing `pool_pre_ping`) at checkout.
    /// `error()` is the reason's message; `None` for an explicit `invalidate()`.
    Invalidate,
    /// A statement is about to run: `statement()` and `params()` are set.
    BeforeExecute,
    /// A statement ran: also `duration()`, `rows_affected()` and `rows_returned()`.
    AfterExecute,
    /// A transaction is about to begin (`statement()` is the dialect's `BEGIN`).
    Begin,
    /// A transaction is about to commit (`statement()` is `COMMIT`).
    Commit,
    /// A transaction is about to roll back (`statement()` is `ROLLBACK`).
    Rollback,
}

impl EngineEvent {
    const COUNT: usize = 10;

    fn index(self) -> usize {
        match self {
            EngineEvent::Connect => 0,
            EngineEvent::Checkout => 1,
            EngineEvent::Checkin => 2,
            EngineEvent::BeforeExecute => 3,
            EngineEvent::AfterExecute => 4,
            EngineEvent::Begin => 5,
            EngineEvent::Commit => 6,
            EngineEvent::Rollback => 7,
            EngineEvent::Reset => 8,
            EngineEvent::Invalidate => 9,
        }
    }
}

/// What a listener sees: the event and, for statement events, the SQL.
///
/// For `Connect`, `Checkout`, `Checkin`, `Reset` and `Invalidate` the
/// statement is empty; for `Begin`, `Commit` and `Rollback` it is the SQL
/// about to run.
#[derive(Debug, Clone, Copy)]
pub struct ExecuteContext<'a> {
    event: EngineEvent,
    statement: &'a str,
    params: &'a [Value],
    duration: Duration,
    rows_affected: u64,
    rows_returned: usize,
    error: Option<&'a str>,
    transaction_was_reset: bool,
}

impl<'a> ExecuteContext<'a> {
    /// A context for `event` running `statement` with `params`.
    pub fn new(event: EngineEvent, statement: &'a str, params: &'a [Value]) -> Self {
        ExecuteContext {
            event,
            statement,
            params,
            duration: Duration::ZERO,
            rows_affected: 0,
            rows_returned: 0,
            error: None,
            transaction_was_reset: false,
        }
    }

    /// Add the reason an `Invalidate` reports.
    pub fn with_error(mut self, error: Option<&'a str>) -> Self {
        self.error = error;
        self
    }

    /// Add what a `Reset` reports: the connection had already ended its
    /// transaction, so the pool sends no `ROLLBACK`.
    pub fn with_transaction_was_reset(mut self, was_reset: bool) -> Self {
        self.transaction_was_reset = was_reset;
        self
    }

    /// Add what an `AfterExecute` reports.
    pub fn with_outcome(
        mut self,
        duration: Duration,
        rows_affected: u64,
        rows_returned: usize,
    ) -> Self {
        self.duration = duration;
        self.rows_affected = rows_affected;
        self.rows_returned = rows_returned;
        self
    }

    /// Which event fired.
    pub fn event(&self) -> EngineEvent {
        self.event
    }

    /// The SQL text (empty for pool events).
    pub fn statement(&self) -> &'a str {
        self.statement
    }

    /// The bound parameters, in placeholder order.
    pub fn params(&self) -> &'a [Value] {
        self.params
    }

    /// How long the statement took (`AfterExecute` only; zero otherwise).
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// Rows inserted, updated or deleted (`AfterExecute` only; zero otherwise).
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }

    /// Rows the statement returned (`AfterExecute` only; zero otherwise).
    pub fn rows_returned(&self) -> usize {
        self.rows_returned
    }

    /// Why the connection is discarded (`Invalidate` only): the error's
    /// message, `None` for an explicit `Connection::invalidate()` (SQLAlchemy
    /// passes the exception, or `None`).
    pub fn error(&self) -> Option<&'a str> {
        self.error
    }

    /// `Reset` only: true when the connection had already ended its
    /// transaction (committed, rolled back or never begun), so the pool sends
    /// no `ROLLBACK`; false when the pool rolls back a transaction left open
    /// (SQLAlchemy's `PoolResetState.transaction_was_reset`).
    pub fn transaction_was_reset(&self) -> bool {
        self.transaction_was_reset
    }
}

type ListenerFn = dyn Fn(&ExecuteContext<'_>) + Send + Sync + 'static;

struct Listener {
    id: u64,
    event: EngineEvent,
    f: Arc<ListenerFn>,
}

/// The listeners of one engine (copy-on-write, so firing never holds a lock
/// while a listener runs, and a listener may add or remove listeners).
#[derive(Default)]
pub(crate) struct EngineEvents {
    counts: [AtomicUsize; EngineEvent::COUNT],
    listeners: RwLock<Arc<Vec<Listener>>>,
    next_id: AtomicU64,
}

impl fmt::Debug for EngineEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineEvents")
            .field("listeners", &self.listeners.read().len())
            .finish()
    }
}

impl EngineEvents {
    /// True when `event` has at least one listener (one atomic load).
    #[inline]
    pub(crate) fn has(&self, event: EngineEvent) -> bool {
        self.counts[event.index()].load(Ordering::Acquire) > 0
    }

    /// Run the listeners of `ctx.event()`.
    pub(crate) fn fire(&self, ctx: &ExecuteContext<'_>) {
        if !self.has(ctx.event) {
            return;
        }
        let list = self.listeners.read().clone();
        for l in list.iter().filter(|l| l.event == ctx.event) {
            (l.f)(ctx);
        }
    }

    /// Fire an event that carries no parameters (pool and transaction events).
    #[inline]
    pub(crate) fn fire_simple(&self, event: EngineEvent, statement: &str) {
        if self.has(event) {
            self.fire(&ExecuteContext::new(event, statement, &[]));
        }
    }

    /// Fire `Invalidate` with the reason's message (`None`: explicit invalidate).
    #[inline]
    pub(crate) fn fire_invalidate(&self, error: Option<&str>) {
        if self.has(EngineEvent::Invalidate) {
            self.fire(&ExecuteContext::new(EngineEvent::Invalidate, "", &[]).with_error(error));
        }
    }

    fn add(&self, event: EngineEvent, f: Arc<ListenerFn>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut guard = self.listeners.write();
        let mut list: Vec<Listener> = guard
            .iter()
            .map(|l| Listener {
                id: l.id,
                event: l.event,
                f: l.f.clone(),
            })
            .collect();
        list.push(Listener { id, event, f });
        *guard = Arc::new(list);
        self.counts[event.index()].fetch_add(1, Ordering::Release);
        id
    }

    fn remove(&self, id: u64) -> bool {
        let mut guard = self.listeners.write();
        let Some(event) = guard.iter().find(|l| l.id == id).map(|l| l.event) else {
            return false;
        };
        let list: Vec<Listener> = guard
            .iter()
            .filter(|l| l.id != id)
            .map(|l| Listener {
                id: l.id,
                event: l.event,
                f: l.f.clone(),
            })
            .collect();
        *guard = Arc::new(list);
        self.counts[event.index()].fetch_sub(1, Ordering::Release);
        true
    }
}

/// Identifies a registered listener; [`ListenerHandle::remove`] (or
/// [`remove`]) unregisters it. Dropping the handle keeps the listener.
#[derive(Clone)]
pub struct ListenerHandle {
    id: u64,
    event: EngineEvent,
    events: Weak<EngineEvents>,
}

impl fmt::Debug for ListenerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListenerHandle")
            .field("id", &self.id)
            .field("event", &self.event)
            .finish()
    }
}

impl ListenerHandle {
    /// The event the listener was registered for.
    pub fn event(&self) -> EngineEvent {
        self.event
    }

    /// Unregister the listener. Returns false when it was already removed
    /// (or its engine is gone).
    pub fn remove(self) -> bool {
        self.events.upgrade().is_some_and(|e| e.remove(self.id))
    }
}

/// Register `listener` for `event` on `engine` (and every clone of it).
///
/// ```
/// use oxalchemy_pool::event::{self, EngineEvent, ExecuteContext};
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// # fn demo(engine: &oxalchemy_pool::Engine) {
/// let count = Arc::new(AtomicUsize::new(0));
/// let c = count.clone();
/// event::listen(engine, EngineEvent::BeforeExecute, move |_ctx: &ExecuteContext| {
///     c.fetch_add(1, Ordering::Relaxed);
/// });
/// # }
/// ```
pub fn listen<F>(engine: &Engine, event: EngineEvent, listener: F) -> ListenerHandle
where
    F: Fn(&ExecuteContext<'_>) + Send + Sync + 'static,
{
    let events = engine.events();
    let id = events.add(event, Arc::new(listener));
    ListenerHandle {
        id,
        event,
        events: Arc::downgrade(events),
    }
}

/// Unregister a listener of `engine`. Returns false when it was not registered there.
pub fn remove(engine: &Engine, handle: &ListenerHandle) -> bool {
    let same_engine = handle
        .events
        .upgrade()
        .is_some_and(|e| Arc::ptr_eq(&e, engine.events()));
    same_engine && engine.events().remove(handle.id)
}

/// True when `engine` has at least one listener for `event`.
pub fn contains(engine: &Engine, event: EngineEvent) -> bool {
    engine.events().has(event)
}
