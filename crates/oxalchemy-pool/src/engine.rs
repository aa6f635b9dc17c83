//! `Engine`: a dialect, a connection pool and the engine's event listeners.

use crate::builder::{EngineBuilder, EngineOptions};
use crate::connection::Connection;
use crate::event::{EngineEvent, EngineEvents};
use crate::pool::{OPENING, PoolShared, PooledConnection};
use crate::status::PoolStatus;
use crate::transaction::Transaction;
use deadpool::managed::{PoolError, TimeoutType};
use oxalchemy_core::{
    CompileCache, Compiled, Dialect, Driver, Error, Executable, Result, TxOptions,
};
use parking_lot::{Mutex, RwLock};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

type Extensions = HashMap<TypeId, Arc<dyn Any + Send + Sync>>;

/// The shared state behind every clone of an [`Engine`].
pub(crate) struct EngineInner {
    driver: Arc<dyn Driver>,
    dialect: Arc<dyn Dialect>,
    options: EngineOptions,
    events: Arc<EngineEvents>,
    pool: RwLock<Arc<PoolShared>>,
    extensions: Mutex<Extensions>,
    compile_cache: CompileCache,
}

/// The starting point of oxalchemy: a database URL turned into a dialect and
/// a pool of connections (SQLAlchemy's `Engine`).
///
/// Cheap to clone (an `Arc` inside), `Send + Sync`: share one per database
/// across the whole program.
///
/// ```no_run
/// # async fn demo() -> oxalchemy_core::Result<()> {
/// use oxalchemy_pool::create_engine;
/// use oxalchemy_core::Compiled;
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect().await?;
/// let result = conn.execute(Compiled::new("SELECT 1", vec![])).await?;
/// conn.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("url", &self.url())
            .field("dialect", &self.inner.dialect.name())
            .field("options", &self.inner.options)
            .finish()
    }
}

/// `Engine(postgresql://scott:***@db/app)`: the URL with its password masked
/// (SQLAlchemy's `repr(engine)`).
impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Engine({})", self.url())
    }
}

impl Engine {
    /// A builder for `url` with pool settings (`pool_size`, `max_overflow`, ...).
    pub fn builder(url: impl Into<String>) -> EngineBuilder {
        EngineBuilder::new(url)
    }

    /// An engine over any driver (custom backends, test doubles). Lazy: no
    /// connection is opened until first use.
    pub fn from_driver(driver: Arc<dyn Driver>, options: EngineOptions) -> Result<Engine> {
        let events = Arc::new(EngineEvents::default());
        let pool = PoolShared::new(driver.clone(), events.clone(), &options)?;
        Ok(Engine {
            inner: Arc::new(EngineInner {
                compile_cache: CompileCache::new(options.compiled_cache_size),
                dialect: driver.dialect(),
                driver,
                options,
                events,
                pool: RwLock::new(pool),
                extensions: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The SQL dialect statements are compiled for.
    pub fn dialect(&self) -> Arc<dyn Dialect> {
        self.inner.dialect.clone()
    }

    /// The dialect, borrowed.
    pub fn dialect_ref(&self) -> &dyn Dialect {
        &*self.inner.dialect
    }

    /// The database URL, with any password masked.
    pub fn url(&self) -> String {
        self.inner.driver.display_url()
    }

    /// The driver behind this engine.
    pub fn driver(&self) -> &Arc<dyn Driver> {
        &self.inner.driver
    }

    /// The options the engine was built with.
    pub fn options(&self) -> &EngineOptions {
        &self.inner.options
    }

    /// True when both handles are clones of the same engine.
    pub fn ptr_eq(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub(crate) fn events(&self) -> &Arc<EngineEvents> {
        &self.inner.events
    }

    /// Compile a statement for this engine's dialect, reusing the SQL of an
    /// earlier statement of the same shape (see `EngineBuilder::compiled_cache_size`).
    pub fn compile<E: Executable + ?Sized>(&self, stmt: &E) -> Result<Compiled> {
        self.inner.compile_cache.compile(stmt, &*self.inner.dialect)
    }

    /// Check a connection out of the pool ("commit as you go": a transaction
    /// begins with the first statement; `commit()` ends it).
    ///
    /// Takes at most `pool_timeout`: waiting for a free connection ends in
    /// `Error::PoolTimeout`; opening a new one that the database does not
    /// finish in time ends in an `OperationalError` naming `pool_timeout`
    /// (the URL's `connect_timeout`, when shorter, bounds each connect).
    /// Outside a tokio runtime it is an `InvalidRequestError`, not a panic.
    pub async fn connect(&self) -> Result<Connection> {
        let pooled = self.checkout().await?;
        Ok(Connection::new(self.clone(), pooled))
    }

    /// Check a connection out and begin a transaction on it ("begin once").
    /// Commit it explicitly; dropping it rolls back.
    pub async fn begin(&self) -> Result<Transaction> {
        self.connect().await?.begin().await
    }

    /// [`begin`](Self::begin) with an isolation level and / or read only (see
    /// [`Connection::begin_with`]).
    ///
    /// ```no_run
    /// # async fn demo(engine: oxalchemy_pool::Engine) -> oxalchemy_core::Result<()> {
    /// use oxalchemy_core::{IsolationLevel, TxOptions};
    /// let tx = engine
    ///     .begin_with(TxOptions::default().isolation(IsolationLevel::Serializable).read_only(true))
    ///     .await?;
    /// tx.commit().await?;
    /// # Ok(()) }
    /// ```
    pub async fn begin_with(&self, options: TxOptions) -> Result<Transaction> {
        self.connect().await?.begin_with(options).await
    }

    pub(crate) async fn checkout(&self) -> Result<PooledConnection> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(no_runtime());
        }
        let o = &self.inner.options;
        let opening = Arc::new(AtomicBool::new(false));
        let bounded = tokio::time::timeout(
            o.pool_timeout,
            OPENING.scope(opening.clone(), self.checkout_unbounded()),
        );
        match bounded.await {
            Ok(result) => result,
            Err(_) if opening.load(Ordering::Acquire) => Err(self.connect_timed_out()),
            Err(_) => Err(Error::PoolTimeout {
                timeout: o.pool_timeout,
                pool_size: o.pool_size,
                max_overflow: o.max_overflow,
            }),
        }
    }

    /// The error of a checkout whose new connection did not open within
    /// `pool_timeout` (the URL's masked form, never its password).
    fn connect_timed_out(&self) -> Error {
        Error::operational(
            format!(
                "timed out after {:?} (pool_timeout) while opening a new connection to {}: \
                 the database did not complete the connection in time; check that it is up \
                 and reachable, raise pool_timeout, or set connect_timeout=<seconds> in the URL",
                self.inner.options.pool_timeout,
                self.url()
            ),
            true,
        )
    }

    /// A checkout with only deadpool's own timeouts.
    async fn checkout_unbounded(&self) -> Result<PooledConnection> {
        // One retry: the pool may be swapped by a concurrent `dispose()`.
        for _ in 0..2 {
            let shared = self.inner.pool.read().clone();
            match shared.pool.get().await {
                Ok(obj) => {
                    let pooled = PooledConnection::new(obj, shared);
                    self.inner.events.fire_simple(EngineEvent::Checkout, "");
                    return Ok(pooled);
                }
                Err(PoolError::Closed) => continue,
                Err(e) => return Err(self.pool_error(e)),
            }
        }
        Err(Error::invalid_request(
            "the engine's pool was closed while waiting for a connection; try again",
        ))
    }

    fn pool_error(&self, e: PoolError<Error>) -> Error {
        let o = &self.inner.options;
        match e {
            PoolError::Backend(e) => e,
            PoolError::Timeout(TimeoutType::Wait) => Error::PoolTimeout {
                timeout: o.pool_timeout,
                pool_size: o.pool_size,
                max_overflow: o.max_overflow,
            },
            PoolError::Timeout(_) => self.connect_timed_out(),
            PoolError::NoRuntimeSpecified => no_runtime(),
            other => {
                Error::operational(format!("could not check out a connection: {other}"), false)
            }
        }
    }

    /// A snapshot of the pool's counters.
    pub fn pool_status(&self) -> PoolStatus {
        let shared = self.inner.pool.read().clone();
        let status = shared.pool.status();
        let checked_out = shared.checked_out.load(Ordering::Acquire).min(status.size);
        PoolStatus {
            size: status.size,
            checked_out,
            idle: status.size - checked_out,
            overflow: status.size.saturating_sub(self.inner.options.pool_size),
            pool_size: self.inner.options.pool_size,
            max_overflow: self.inner.options.max_overflow,
        }
    }

    /// Close every idle pooled connection and start a fresh pool. Connections
    /// checked out now keep working and are closed when returned. The engine
    /// stays usable.
    pub async fn dispose(&self) {
        let fresh = match PoolShared::new(
            self.inner.driver.clone(),
            self.inner.events.clone(),
            &self.inner.options,
        ) {
            Ok(p) => p,
            // The options were validated when the engine was built.
            Err(_) => return,
        };
        let old = std::mem::replace(&mut *self.inner.pool.write(), fresh);
        old.disposed.store(true, Ordering::Release);
        let removed = old.pool.retain(|_, _| false).removed;
        old.pool.close();
        for pooled in removed {
            if let Some(conn) = pooled.into_conn() {
                conn.close().await;
            }
        }
    }

    /// Per-engine state of type `T`, created with `T::default()` on first use.
    /// Lets other crates (the ORM's session events, statement caches) attach
    /// data to an engine without this crate knowing their types.
    pub fn extension<T: Any + Send + Sync + Default>(&self) -> Arc<T> {
        let mut map = self.inner.extensions.lock();
        let entry = map
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        match entry.clone().downcast::<T>() {
            Ok(t) => t,
            // Unreachable: the entry for TypeId::of::<T>() always holds a T.
            Err(_) => Arc::new(T::default()),
        }
    }
}

/// The error of a checkout outside a tokio runtime.
fn no_runtime() -> Error {
    Error::invalid_request(
        "the pool needs a tokio runtime with its time driver: call engine methods inside \
         #[tokio::main] or a tokio task",
    )
}
