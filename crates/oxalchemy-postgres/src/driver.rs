//! `PostgresDriver`: opens PostgreSQL connections from a parsed URL.

use crate::connection::PostgresConnection;
use crate::dialect::PostgresDialect;
use crate::error_map::map_error;
use crate::statement_cache::{DEFAULT_STATEMENT_CACHE_CAPACITY, StatementCache};
use crate::url::{ParsedUrl, parse};
use oxalchemy_core::{BoxFuture, Dialect, Driver, DriverConnection, Error, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio_postgres::config::Host;

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
/// Connections use tokio-postgres, with TLS through rustls as the URL's
/// `sslmode` asks (default `prefer`, see `docs/backends.md`); each one's socket
/// is driven by a task spawned on the current tokio runtime, so `connect` must
/// run inside one.
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
    /// `sslmode` (`disable`, `allow`, `prefer` (default), `require`,
    /// `verify-ca`, `verify-full`), `sslrootcert` (PEM file, or `system`),
    /// `sslcert` and `sslkey` (client certificate), `keepalives`,
    /// `keepalives_idle`, `target_session_attrs`, `client_encoding` (UTF8 only).
    /// `connect_timeout` bounds the whole connect (TCP, TLS and startup, all
    /// hosts together) to whole seconds in `0..=86400` (`0`: no limit).
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
        let tls = &self.url.tls;
        let fail = |detail: String| {
            Error::operational(
                format!(
                    "cannot connect to PostgreSQL at {}: {detail}",
                    self.url.display
                ),
                true,
            )
        };
        let opening = async {
            self.url
                .config
                .connect(tls.connector()?)
                .await
                .map_err(|e| fail(self.describe_connect_error(&e)))
        };
        let (client, connection) = match self.url.connect_timeout {
            None => opening.await?,
            Some(limit) => tokio::time::timeout(limit, opening).await.map_err(|_| {
                fail(format!(
                    "connect_timeout={} exceeded, connecting to {} (TCP, TLS and startup must finish within it)",
                    limit.as_secs(),
                    self.targets()
                ))
            })??,
        };
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

impl PostgresDriver {
    /// `host:port` of every host the URL names, for messages.
    fn targets(&self) -> String {
        let config = &self.url.config;
        let ports = config.get_ports();
        config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let port = ports.get(i).or(ports.last()).copied().unwrap_or(5432);
                match host {
                    Host::Tcp(h) if h.contains(':') => format!("[{h}]:{port}"),
                    Host::Tcp(h) => format!("{h}:{port}"),
                    #[cfg(unix)]
                    Host::Unix(dir) => format!("{}/.s.PGSQL.{port}", dir.display()),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What went wrong while connecting, in words naming the TLS mode when TLS
    /// is the cause (never the password: the URL is shown masked by the caller).
    fn describe_connect_error(&self, e: &tokio_postgres::Error) -> String {
        let mode = self.url.tls.mode.name();
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        if text.contains("server does not support TLS") {
            return format!(
                "the server does not offer TLS, which sslmode={mode} requires \
                 (enable ssl on the server, or use sslmode=prefer or sslmode=disable)"
            );
        }
        if let Some(cert) = crate::tls::certificate_error(e) {
            return format!("TLS handshake failed (sslmode={mode}): {cert}");
        }
        let inner = map_error(e, None);
        let detail = match &inner {
            Error::OperationalError { message, .. } => message.clone(),
            other => other.to_string(),
        };
        if text.contains("TLS") {
            let mut cause = String::new();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                cause = s.to_string();
                source = s.source();
            }
            if !cause.is_empty() && !detail.contains(&cause) {
                return format!("{detail} (sslmode={mode}): {cause}");
            }
            return format!("{detail} (sslmode={mode})");
        }
        detail
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
