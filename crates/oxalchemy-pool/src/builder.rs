//! `create_engine`, `EngineBuilder` and `EngineOptions`.

use crate::engine::Engine;
use oxalchemy_core::driver_from_url;
use oxalchemy_core::{Result, redact_url};
use std::fmt;
use std::time::Duration;

/// The most connections one engine may open (`pool_size + max_overflow`). A
/// larger setting is an `ArgumentError` when the engine is built: the pool
/// reserves room for every connection up front.
pub const MAX_POOL_CONNECTIONS: usize = 10_000;

/// Pool and logging settings of an engine (SQLAlchemy's `create_engine` keywords).
///
/// ```
/// use oxalchemy_pool::EngineOptions;
/// use std::time::Duration;
/// let opts = EngineOptions { pool_size: 2, max_overflow: 0, ..Default::default() };
/// assert_eq!(opts.pool_timeout, Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineOptions {
    /// Connections kept open in the pool (default 5).
    pub pool_size: usize,
    /// Extra connections allowed under load, closed when returned (default 10).
    pub max_overflow: usize,
    /// The longest a checkout may take (default 30 s): waiting for a free
    /// connection (then `Error::PoolTimeout`) and, when none is idle,
    /// opening a new one (then an `OperationalError` naming `pool_timeout`),
    /// together. `Duration::ZERO` means "only an idle connection, no wait".
    pub pool_timeout: Duration,
    /// Replace connections older than this at checkout (default: never).
    pub pool_recycle: Option<Duration>,
    /// Ping each idle connection at checkout and replace it if the ping fails
    /// (default false).
    pub pool_pre_ping: bool,
    /// Log every statement and its parameters with `tracing`, target
    /// `"oxalchemy::engine"`, level INFO (default false).
    pub echo: bool,
    /// Keep bound values out of `echo` logs and out of errors (SQLAlchemy's
    /// `hide_parameters`, default false): logs show
    /// `[SQL parameters hidden due to hide_parameters=True]` and errors do not
    /// quote a parameter or PostgreSQL's `DETAIL` line (see `docs/engine.md`).
    pub hide_parameters: bool,
    /// How many statement shapes keep their compiled SQL (SQLAlchemy's
    /// `query_cache_size`, default 500; 0 turns the cache off).
    pub compiled_cache_size: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            pool_size: 5,
            max_overflow: 10,
            pool_timeout: Duration::from_secs(30),
            pool_recycle: None,
            pool_pre_ping: false,
            echo: false,
            hide_parameters: false,
            compiled_cache_size: 500,
        }
    }
}

/// Build an engine from a URL with non-default pool settings.
///
/// ```
/// use oxalchemy_pool::Engine;
/// use std::time::Duration;
/// let builder = Engine::builder("postgresql://postgres@127.0.0.1/test")
///     .pool_size(10)
///     .max_overflow(20)
///     .pool_timeout(Duration::from_secs(5))
///     .pool_pre_ping(true);
/// assert_eq!(builder.options().pool_size, 10);
/// ```
///
/// Its `Debug` shows the URL with the password masked.
#[derive(Clone)]
#[must_use = "an EngineBuilder does nothing until .build() is called"]
pub struct EngineBuilder {
    url: String,
    options: EngineOptions,
}

impl fmt::Debug for EngineBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("url", &redact_url(&self.url))
            .field("options", &self.options)
            .finish()
    }
}

impl EngineBuilder {
    /// A builder for `url` with default options.
    pub fn new(url: impl Into<String>) -> Self {
        EngineBuilder {
            url: url.into(),
            options: EngineOptions::default(),
        }
    }

    /// Connections kept open in the pool (default 5).
    pub fn pool_size(mut self, n: usize) -> Self {
        self.options.pool_size = n;
        self
    }

    /// Extra connections allowed under load, closed when returned (default 10).
    pub fn max_overflow(mut self, n: usize) -> Self {
        self.options.max_overflow = n;
        self
    }

    /// The longest a checkout may take (default 30 s), including opening a
    /// new connection when none is idle: a server that accepts the TCP
    /// connection and never answers fails the checkout after `timeout` with an
    /// `OperationalError` naming `pool_timeout`, as sqlx's acquire timeout.
    /// Set `connect_timeout` in the URL to bound each connect separately.
    pub fn pool_timeout(mut self, timeout: Duration) -> Self {
        self.options.pool_timeout = timeout;
        self
    }

    /// Replace connections older than `age` at checkout.
    pub fn pool_recycle(mut self, age: Duration) -> Self {
        self.options.pool_recycle = Some(age);
        self
    }

    /// Ping idle connections at checkout, replacing dead ones.
    pub fn pool_pre_ping(mut self, yes: bool) -> Self {
        self.options.pool_pre_ping = yes;
        self
    }

    /// How many statement shapes keep their compiled SQL (default 500; 0 = no cache).
    pub fn compiled_cache_size(mut self, n: usize) -> Self {
        self.options.compiled_cache_size = n;
        self
    }

    /// Log every statement and its parameters with `tracing` (target `"oxalchemy::engine"`).
    pub fn echo(mut self, yes: bool) -> Self {
        self.options.echo = yes;
        self
    }

    /// Keep bound values out of logs and errors (SQLAlchemy's
    /// `hide_parameters`, default false): see [`EngineOptions::hide_parameters`].
    pub fn hide_parameters(mut self, yes: bool) -> Self {
        self.options.hide_parameters = yes;
        self
    }

    /// Replace all options at once.
    pub fn options_from(mut self, options: EngineOptions) -> Self {
        self.options = options;
        self
    }

    /// The options set so far.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The URL this builder connects to (as given; may hold a password:
    /// print [`EngineBuilder::display_url`] instead).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with its secrets masked ([`oxalchemy_core::redact_url`]), for
    /// logs and messages.
    pub fn display_url(&self) -> String {
        redact_url(&self.url)
    }

    /// Parse the URL, pick the backend and build the pool. Connects lazily:
    /// the first `connect()` opens the first connection.
    ///
    /// Errors: `ArgumentError` for a malformed URL, an unknown scheme, a
    /// scheme whose backend feature is off, or pool settings that allow no
    /// connection or more than [`MAX_POOL_CONNECTIONS`]. No error, `Debug` or
    /// `Display` shows the URL's password.
    pub fn build(self) -> Result<Engine> {
        let driver = driver_from_url(&self.url)?;
        Engine::from_driver(driver, self.options)
    }
}

/// Create an engine for `url` with default pool settings (sync and lazy: no
/// connection is opened until first use).
///
/// ```
/// use oxalchemy_pool::create_engine;
/// let err = create_engine("nosuchdb://x").unwrap_err();
/// assert!(err.to_string().contains("unknown database URL scheme"));
/// ```
pub fn create_engine(url: impl AsRef<str>) -> Result<Engine> {
    EngineBuilder::new(url.as_ref()).build()
}
