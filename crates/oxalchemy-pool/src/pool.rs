//! The connection pool: a deadpool `managed::Manager` over any [`Driver`],
//! and the checked-out handle that decides, on return, whether a connection
//! goes back to the pool or is closed.
//!
//! Rules (SQLAlchemy's `QueuePool`):
//! - at most `pool_size + max_overflow` connections are open; a checkout
//!   waits up to `pool_timeout` for one, then fails with `Error::PoolTimeout`;
//! - `pool_timeout` also bounds opening a new connection (deadpool's create
//!   timeout, and the engine's own deadline over the whole checkout): a
//!   server that never answers is an `OperationalError` naming `pool_timeout`;
//! - a returned connection is closed instead of kept when the pool already
//!   owns more than `pool_size` connections (the overflow);
//! - at checkout, an idle connection older than `pool_recycle`, one the
//!   driver reports broken, or (with `pool_pre_ping`) one whose ping fails is
//!   closed and replaced;
//! - a connection that was interrupted mid-operation, lost, or broken is
//!   discarded on return, never handed out again.
//!
//! Pool events: `Connect` when a connection opens; `Reset` for each usable
//! connection on its way back (before the rollback of a transaction left
//! open); `Invalidate` (with the reason) for each connection discarded as
//! unusable; `Checkin` for every return, kept or not.

use crate::builder::{EngineOptions, MAX_POOL_CONNECTIONS};
use crate::event::{EngineEvent, EngineEvents, ExecuteContext};
use deadpool::managed::{self, Metrics, Object, RecycleError, RecycleResult};
use oxalchemy_core::SavepointCommand;
use oxalchemy_core::{
    Driver, DriverConnection, Error, ExecuteManyError, QueryResult, Result, Statement,
    StatementKind, TxOptions, Value,
};
use parking_lot::Mutex;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

tokio::task_local! {
    /// Set by [`ConnManager::create`] while the checkout that runs it opens a
    /// new connection, so a checkout that timed out can say whether it was
    /// waiting for a free connection or for the database to answer.
    pub(crate) static OPENING: Arc<AtomicBool>;
}

/// One pooled database connection. `conn` is `None` only after the manager
/// closed it during a failed recycle.
pub(crate) struct PooledConn {
    conn: Option<Box<dyn DriverConnection>>,
}

impl PooledConn {
    /// The driver connection, if still open.
    pub(crate) fn into_conn(self) -> Option<Box<dyn DriverConnection>> {
        self.conn
    }
}

/// Creates and checks connections for deadpool.
pub(crate) struct ConnManager {
    driver: Arc<dyn Driver>,
    events: Arc<EngineEvents>,
    recycle: Option<Duration>,
    pre_ping: bool,
    echo: bool,
}

impl fmt::Debug for ConnManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnManager")
            .field("driver", &self.driver)
            .field("recycle", &self.recycle)
            .field("pre_ping", &self.pre_ping)
            .finish()
    }
}

impl ConnManager {
    pub(crate) fn events(&self) -> &EngineEvents {
        &self.events
    }

    pub(crate) fn echo(&self) -> bool {
        self.echo
    }
}

impl managed::Manager for ConnManager {
    type Type = PooledConn;
    type Error = Error;

    async fn create(&self) -> Result<PooledConn> {
        // Outside an engine checkout (no scope) there is nothing to tell.
        let _ = OPENING.try_with(|opening| opening.store(true, Ordering::Release));
        let conn = self.driver.connect().await?;
        self.events.fire_simple(EngineEvent::Connect, "");
        Ok(PooledConn { conn: Some(conn) })
    }

    async fn recycle(&self, obj: &mut PooledConn, metrics: &Metrics) -> RecycleResult<Error> {
        let Some(conn) = obj.conn.as_mut() else {
            return Err(RecycleError::message("the connection was closed"));
        };
        let reason = if conn.is_broken() {
            self.events.fire_invalidate(Some(BROKEN));
            "the connection is broken"
        } else if self.recycle.is_some_and(|max| metrics.age() >= max) {
            "the connection is older than pool_recycle"
        } else if self.pre_ping {
            match conn.ping().await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::debug!(target: "oxalchemy::pool", "pre-ping failed: {e}");
                    if self.events.has(EngineEvent::Invalidate) {
                        let message = format!("pool_pre_ping failed: {e}");
                        self.events.fire_invalidate(Some(&message));
                    }
                    "the pre-ping failed"
                }
            }
        } else {
            return Ok(());
        };
        tracing::debug!(target: "oxalchemy::pool", "closing an idle connection at checkout: {reason}");
        close_in_background(obj.conn.take());
        Err(RecycleError::message(reason))
    }
}

/// The `Invalidate` reason of a connection whose operation was interrupted.
pub(crate) const INTERRUPTED: &str = "an operation was interrupted before the database answered \
     (its future was dropped), so the connection's state is unknown";

/// The `Invalidate` reason of a connection the driver reports broken.
pub(crate) const BROKEN: &str = "the driver reports the connection broken";

/// How a checked-out connection leaves its holder.
#[derive(Debug, Clone, Copy)]
enum Release<'a> {
    /// Back to the pool, unless interrupted or broken (then invalidated),
    /// overflow or disposed (then closed).
    Return,
    /// Invalidated: `Invalidate` fires with this reason, then it is closed.
    Invalidate(Option<&'a str>),
    /// Closed without an `Invalidate` (nothing is wrong with it).
    Close,
}

/// Close a driver connection politely on the current tokio runtime, or just
/// drop it (which also releases it) when there is none.
pub(crate) fn close_in_background(conn: Option<Box<dyn DriverConnection>>) {
    let Some(conn) = conn else { return };
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            drop(handle.spawn(conn.close()));
        }
        Err(_) => drop(conn),
    }
}

/// A transaction command for the driver ([`DriverConnection::begin`] and the
/// methods after it), with the SQL text engine events, echo and errors show.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TxCommand<'a> {
    /// Begin with these options; the text is the dialect's `begin_sql()`.
    Begin(TxOptions, &'static str),
    /// `COMMIT`.
    Commit,
    /// `ROLLBACK`.
    Rollback,
    /// `SAVEPOINT name`.
    Savepoint(&'a str),
    /// `RELEASE SAVEPOINT name`.
    ReleaseSavepoint(&'a str),
    /// `ROLLBACK TO SAVEPOINT name`.
    RollbackToSavepoint(&'a str),
}

/// The event and echo text of a savepoint command (the engine's own names,
/// `sa_savepoint_N`, which the driver checks again when it runs them).
fn savepoint_text(command: SavepointCommand, name: &str) -> Cow<'static, str> {
    Cow::Owned(format!("{} {name}", command.keywords()))
}

impl TxCommand<'_> {
    /// The command as SQL text (allocates only for savepoints and begin options).
    pub(crate) fn sql(&self) -> Cow<'static, str> {
        match *self {
            TxCommand::Begin(options, plain) => options.begin_sql(plain),
            TxCommand::Commit => Cow::Borrowed("COMMIT"),
            TxCommand::Rollback => Cow::Borrowed("ROLLBACK"),
            TxCommand::Savepoint(name) => savepoint_text(SavepointCommand::Open, name),
            TxCommand::ReleaseSavepoint(name) => savepoint_text(SavepointCommand::Release, name),
            TxCommand::RollbackToSavepoint(name) => {
                savepoint_text(SavepointCommand::RollbackTo, name)
            }
        }
    }
}

/// The deadpool pool type.
pub(crate) type Pool = managed::Pool<ConnManager>;

/// One generation of an engine's pool (`dispose()` starts a new one).
pub(crate) struct PoolShared {
    pub(crate) pool: Pool,
    pub(crate) checked_out: AtomicUsize,
    pub(crate) disposed: AtomicBool,
    /// Serialises the "keep or close" decision of returned connections, so two
    /// concurrent returns do not both see the same overflow.
    return_lock: Mutex<()>,
    pub(crate) pool_size: usize,
}

impl PoolShared {
    /// Build the pool for `driver` with `options`.
    pub(crate) fn new(
        driver: Arc<dyn Driver>,
        events: Arc<EngineEvents>,
        options: &EngineOptions,
    ) -> Result<Arc<PoolShared>> {
        let max_size = options.pool_size.saturating_add(options.max_overflow);
        if max_size == 0 {
            return Err(Error::argument(
                "pool_size + max_overflow is 0, so no connection could ever be opened; \
                 set pool_size to at least 1",
            ));
        }
        if max_size > MAX_POOL_CONNECTIONS {
            return Err(Error::argument(format!(
                "pool_size + max_overflow is {} ({} + {}), more than the {MAX_POOL_CONNECTIONS} \
                 connections one engine may open; use smaller values",
                if max_size == usize::MAX {
                    "too large to count".to_owned()
                } else {
                    max_size.to_string()
                },
                options.pool_size,
                options.max_overflow
            )));
        }
        let manager = ConnManager {
            driver,
            events,
            recycle: options.pool_recycle,
            pre_ping: options.pool_pre_ping,
            echo: options.echo,
        };
        let pool = managed::Pool::builder(manager)
            .max_size(max_size)
            .wait_timeout(Some(options.pool_timeout))
            // Opening a connection is bounded too (sqlx's acquire timeout):
            // without `connect_timeout` a server that accepts TCP and never
            // answers would hang the checkout. The engine also puts one
            // deadline of `pool_timeout` over the whole checkout.
            .create_timeout(Some(options.pool_timeout))
            // A ping that hangs counts as a failed one: the idle connection is
            // dropped and the next one (or a new one) is tried.
            .recycle_timeout(Some(options.pool_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| Error::invalid_request(format!("could not build the pool: {e}")))?;
        Ok(Arc::new(PoolShared {
            pool,
            checked_out: AtomicUsize::new(0),
            disposed: AtomicBool::new(false),
            return_lock: Mutex::new(()),
            pool_size: options.pool_size,
        }))
    }

    pub(crate) fn manager(&self) -> &ConnManager {
        self.pool.manager()
    }
}

/// A connection checked out of the pool. Dropping it returns the connection
/// to the pool, or closes it when it must not be reused (`in_flight`, broken,
/// overflow, disposed pool).
pub(crate) struct PooledConnection {
    obj: Option<Object<ConnManager>>,
    shared: Arc<PoolShared>,
    /// Set while a driver call runs; still set if that call's future was
    /// dropped, which means the connection's state is unknown.
    pub(crate) in_flight: bool,
}

impl PooledConnection {
    pub(crate) fn new(obj: Object<ConnManager>, shared: Arc<PoolShared>) -> Self {
        shared.checked_out.fetch_add(1, Ordering::AcqRel);
        PooledConnection {
            obj: Some(obj),
            shared,
            in_flight: false,
        }
    }

    /// Run a transaction command, tracking `in_flight` (left set if this
    /// future is dropped before the driver answers).
    pub(crate) async fn control(&mut self, command: &TxCommand<'_>) -> Result<()> {
        let conn = driver_conn(&mut self.obj)?;
        self.in_flight = true;
        let result = match *command {
            TxCommand::Begin(options, _) => conn.begin(options).await,
            TxCommand::Commit => conn.commit().await,
            TxCommand::Rollback => conn.rollback().await,
            TxCommand::Savepoint(name) => conn.savepoint(name).await,
            TxCommand::ReleaseSavepoint(name) => conn.release_savepoint(name).await,
            TxCommand::RollbackToSavepoint(name) => conn.rollback_to_savepoint(name).await,
        };
        self.in_flight = false;
        result
    }

    /// Run a statement (moved into the driver) and fetch its rows, tracking `in_flight`.
    pub(crate) async fn query(&mut self, stmt: Statement) -> Result<QueryResult> {
        let conn = driver_conn(&mut self.obj)?;
        self.in_flight = true;
        let result = conn.execute(stmt).await;
        self.in_flight = false;
        result
    }

    /// Run a statement once per parameter set, tracking `in_flight`; a
    /// failure says which set failed and what the sets before it gave.
    pub(crate) async fn query_many(
        &mut self,
        sql: Arc<str>,
        kind: StatementKind,
        param_sets: Vec<Vec<Value>>,
    ) -> Result<Vec<QueryResult>, ExecuteManyError> {
        let conn = match driver_conn(&mut self.obj) {
            Ok(conn) => conn,
            Err(e) => return Err(ExecuteManyError::new(Vec::new(), e)),
        };
        self.in_flight = true;
        let result = conn.execute_many(sql, kind, param_sets).await;
        self.in_flight = false;
        result
    }

    /// True when the driver reports the connection unusable.
    pub(crate) fn is_broken(&self) -> bool {
        self.obj
            .as_ref()
            .and_then(|o| o.conn.as_ref())
            .is_none_or(|c| c.is_broken())
    }

    pub(crate) fn events(&self) -> &EngineEvents {
        self.shared.manager().events()
    }

    pub(crate) fn echo(&self) -> bool {
        self.shared.manager().echo()
    }

    /// Discard the connection as unusable: `Invalidate` fires with `error`
    /// (`None` for an explicit invalidate), then it is closed.
    pub(crate) fn invalidate(mut self, error: Option<&str>) {
        self.release(Release::Invalidate(error));
    }

    /// Close the connection instead of returning it to the pool (no
    /// `Invalidate`: it is not broken, it just cannot be rolled back here).
    pub(crate) fn close(mut self) {
        self.release(Release::Close);
    }

    /// Fire `Reset` for a connection about to go back to the pool;
    /// `transaction_was_reset` is false when the pool will roll back a
    /// transaction left open. Nothing fires for a broken connection (it gets
    /// `Invalidate` instead).
    pub(crate) fn fire_reset(&self, transaction_was_reset: bool) {
        let events = self.events();
        if events.has(EngineEvent::Reset) && !self.is_broken() {
            events.fire(
                &ExecuteContext::new(EngineEvent::Reset, "", &[])
                    .with_transaction_was_reset(transaction_was_reset),
            );
        }
    }

    fn release(&mut self, how: Release<'_>) {
        let Some(obj) = self.obj.take() else { return };
        let invalidated = match how {
            Release::Return => {
                let reason = if self.in_flight {
                    Some(INTERRUPTED)
                } else if obj.conn.as_ref().is_none_or(|c| c.is_broken()) {
                    Some(BROKEN)
                } else {
                    None
                };
                if reason.is_some() {
                    self.events().fire_invalidate(reason);
                }
                reason.is_some()
            }
            Release::Invalidate(error) => {
                self.events().fire_invalidate(error);
                true
            }
            Release::Close => true,
        };
        self.events().fire_simple(EngineEvent::Checkin, "");
        let unusable = invalidated || self.shared.disposed.load(Ordering::Acquire);
        {
            let _guard = self.shared.return_lock.lock();
            let overflow =
                Object::pool(&obj).is_none_or(|p| p.status().size > self.shared.pool_size);
            if unusable || overflow {
                tracing::debug!(
                    target: "oxalchemy::pool",
                    "closing a returned connection ({})",
                    if unusable { "interrupted, broken or disposed" } else { "overflow" }
                );
                close_in_background(Object::take(obj).conn);
            } else {
                drop(obj);
            }
        }
        self.shared.checked_out.fetch_sub(1, Ordering::AcqRel);
    }
}

fn driver_conn(obj: &mut Option<Object<ConnManager>>) -> Result<&mut Box<dyn DriverConnection>> {
    obj.as_mut()
        .and_then(|o| o.conn.as_mut())
        .ok_or_else(|| Error::invalid_request("the connection was already closed"))
}

/// Roll back the open transaction of a connection whose owner was dropped,
/// then return it to the pool (`Reset` fires first). If this task is dropped
/// mid-rollback (runtime shutdown) or the rollback fails, the connection is
/// invalidated instead.
pub(crate) async fn rollback_and_release(mut pooled: PooledConnection) {
    pooled.fire_reset(false);
    pooled
        .events()
        .fire_simple(EngineEvent::Rollback, "ROLLBACK");
    if pooled.echo() {
        crate::echo::log_statement("ROLLBACK", &[]);
    }
    match pooled.control(&TxCommand::Rollback).await {
        Ok(()) => drop(pooled),
        Err(e) => {
            let message = format!("the rollback on return failed: {e}");
            pooled.invalidate(Some(&message));
        }
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        self.release(Release::Return);
    }
}
