//! `PostgresDriver`: opens PostgreSQL connections from a parsed URL.

use crate::connection::PostgresConnection;
use crate::dialect::PostgresDialect;
use crate::error_map::map_error;
use crate::statement_cache::{DEFAULT_STATEMENT_CACHE_CAPACITY, StatementCache};
use crate::url::{ParsedUrl, parse};
use oxalchemy_core::{BoxFuture, Dialect, Driver, DriverConnection, Error, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio_postgres::NoTls;

/// A connection factory for one PostgreSQL database, built from a URL.
///
/// ```
/// use oxalchemy_core::Driver;
/// use oxalchemy_postgres::PostgresDriver;
///
/// let driver = PostgresDriver::from_url("postgresql://scott:tiger@localhost:5432/test").unwrap();
/// assert_eq!(driver.display_url(), "postgresql://scott:***@localhost:5432/test");
/// assert_eq!(driver.dialect().name(), "postgresql");
/// assert!(PostgresDriver::from_url("postgresql://localhost:port/test").is_err());
/// ```
///
/// Connections use tokio-postgres without TLS; each one's socket is driven by a
/// task spawned on the current tokio runtime, so `connect` must run inside one.
#[derive(Debug, Clone)]
pub struct PostgresDriver {
    url: ParsedUrl,
    statement_cache_capacity: usize,
    /// Bumped when any connection of this driver changes the schema (see `statement_cache`).
    schema_generation: Arc<AtomicU64>,
}

impl PostgresDriver {
    /// Parse a URL: `postgresql://user:password@host:port/dbname?option=value`
    /// (`postgres://` and `postgresql+anything://` too). Query options:
    /// `options` (e.g. `-csearch_path%3Dmyschema`), `application_name`, `host`,
    /// `port`, `user`, `password`, `dbname`, `connect_timeout` (seconds),
    /// `sslmode` (`disable` / `prefer`), `keepalives`, `keepalives_idle`,
    /// `target_session_attrs`, `client_encoding` (UTF8 only).
    ///
    /// A malformed URL is an `Error::ArgumentError` saying what is wrong. No
    /// connection is made here.
    pub fn from_url(url: &str) -> Result<PostgresDriver> {
        Ok(PostgresDriver {
            url: parse(url)?,
            statement_cache_capacity: DEFAULT_STATEMENT_CACHE_CAPACITY,
            schema_generation: Arc::default(),
        })
    }

    /// How many prepared statements each new connection caches (default 256;
    /// 0 prepares every statement afresh).
    pub fn statement_cache_capacity(mut self, capacity: usize) -> Self {
        self.statement_cache_capacity = capacity;
        self
    }

    /// The tokio-postgres settings parsed from the URL.
    pub fn config(&self) -> &tokio_postgres::Config {
        &self.url.config
    }

    /// Open a connection, typed (the [`Driver`] impl boxes it).
    ///
    /// A failure is an `OperationalError` (disconnect) naming the URL, password masked.
    pub async fn connect_postgres(&self) -> Result<PostgresConnection> {
        let (client, connection) = self.url.config.connect(NoTls).await.map_err(|e| {
            let inner = map_error(&e, None);
            let detail = match &inner {
                Error::OperationalError { message, .. } => message.clone(),
                other => other.to_string(),
            };
            Error::operational(
                format!(
                    "cannot connect to PostgreSQL at {}: {detail}",
                    self.url.display
                ),
                true,
            )
        })?;
        let broken = Arc::new(AtomicBool::new(false));
        let flag = broken.clone();
        let task = tokio::spawn(async move {
            // Ends when the client is dropped, the server closes the socket, or
            // the server sends an error outside any request (e.g. FATAL on termination).
            let _ = connection.await;
            flag.store(true, Ordering::SeqCst);
        });
        Ok(PostgresConnection::new(
            client,
            StatementCache::shared(
                self.statement_cache_capacity,
                self.schema_generation.clone(),
            ),
            broken,
            task,
        ))
    }
}

impl Driver for PostgresDriver {
    fn dialect(&self) -> Arc<dyn Dialect> {
        Arc::new(PostgresDialect)
    }

    fn connect(&self) -> BoxFuture<'_, Result<Box<dyn DriverConnection>>> {
        Box::pin(async move {
            let conn = self.connect_postgres().await?;
            Ok(Box::new(conn) as Box<dyn DriverConnection>)
        })
    }

    fn display_url(&self) -> String {
        self.url.display.clone()
    }
}
