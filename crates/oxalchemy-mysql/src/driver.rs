//! `MysqlDriver`: opens single `mysql_async` connections for the oxalchemy pool.
//!
//! Every new connection is set up with
//! `SET SESSION sql_mode = '<mode>', time_zone = '+00:00', autocommit = 0` (see
//! [`DEFAULT_SQL_MODE`](crate::DEFAULT_SQL_MODE)); the connection character set
//! is utf8mb4 from the handshake. The first connection also reads
//! `SELECT VERSION()` and records MySQL-or-MariaDB and the version in the shared
//! [`MysqlDialect`], which [`Driver::dialect`] returns.

use crate::connection::MysqlConnection;
use crate::dialect::MysqlDialect;
use crate::error_map::map_error;
use crate::server_info::ServerInfo;
use crate::url::MysqlConnectOptions;
use mysql_async::Conn;
use mysql_async::prelude::Queryable;
use oxalchemy_core::{BoxFuture, Dialect, Driver, DriverConnection, Error, Result};
use std::sync::Arc;

/// A connection factory for one MySQL or MariaDB database.
///
/// ```
/// use oxalchemy_core::Driver;
/// use oxalchemy_mysql::MysqlDriver;
/// let driver = MysqlDriver::from_url("mysql://root:pw@127.0.0.1:3306/test").unwrap();
/// assert_eq!(driver.display_url(), "mysql://root:***@127.0.0.1:3306/test");
/// assert_eq!(driver.dialect().name(), "mysql");
/// assert!(MysqlDriver::from_url("postgresql://x/y").is_err());
/// ```
pub struct MysqlDriver {
    options: MysqlConnectOptions,
    opts: mysql_async::Opts,
    dialect: Arc<MysqlDialect>,
}

impl std::fmt::Debug for MysqlDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlDriver")
            .field("options", &self.options)
            .field("dialect", &self.dialect)
            .finish()
    }
}

impl MysqlDriver {
    /// Parse a `mysql://`, `mariadb://` or `mysql+<driver>://` URL (see
    /// [`MysqlConnectOptions`] for the options). Does not connect.
    pub fn from_url(url: &str) -> Result<MysqlDriver> {
        Ok(Self::from_options(MysqlConnectOptions::parse(url)?))
    }

    /// A driver from parsed options. Does not connect.
    pub fn from_options(options: MysqlConnectOptions) -> MysqlDriver {
        let dialect = MysqlDialect::default().with_backslash_escapes(options.backslash_escapes());
        MysqlDriver {
            opts: options.to_opts(),
            options,
            dialect: Arc::new(dialect),
        }
    }

    /// The connection options.
    pub fn options(&self) -> &MysqlConnectOptions {
        &self.options
    }

    /// The shared dialect (updated with the server's flavour and version on first connect).
    pub fn mysql_dialect(&self) -> Arc<MysqlDialect> {
        self.dialect.clone()
    }

    /// Open and set up a new connection.
    pub async fn connect_mysql(&self) -> Result<MysqlConnection> {
        let opening = Conn::new(self.opts.clone());
        let opened = match self.options.connect_timeout() {
            Some(limit) => match tokio::time::timeout(limit, opening).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(Error::operational(
                        format!(
                            "could not connect to the MySQL server at {} within {limit:?}; is it running and reachable?",
                            self.display_url()
                        ),
                        false,
                    ));
                }
            },
            None => opening.await,
        };
        let mut conn = opened.map_err(|e| self.connect_error(e))?;
        // autocommit = 0: a transaction starts with its first statement, so
        // BEGIN costs no round trip (see `MysqlConnection`).
        let setup = format!(
            "SET SESSION sql_mode = {}, time_zone = {}, autocommit = 0",
            quote(self.options.sql_mode()),
            quote(self.options.time_zone())
        );
        conn.query_drop(setup)
            .await
            .map_err(|e| self.connect_error(e))?;
        if let Some(init) = self.options.init_command() {
            conn.query_drop(init)
                .await
                .map_err(|e| self.connect_error(e))?;
        }
        let server = if self.dialect.is_server_detected() {
            self.dialect.server_info()
        } else {
            let version: Option<String> = conn
                .query_first("SELECT VERSION()")
                .await
                .map_err(|e| self.connect_error(e))?;
            let info = version
                .as_deref()
                .and_then(ServerInfo::parse)
                .unwrap_or_else(|| self.dialect.server_info());
            self.dialect.mark_detected(info);
            info
        };
        // Nothing run here (an init_command reading a table) may leave a
        // transaction, with its REPEATABLE READ snapshot, to the first user.
        let in_tx = conn.last_ok_packet().is_none_or(|ok| {
            ok.status_flags()
                .contains(mysql_async::consts::StatusFlags::SERVER_STATUS_IN_TRANS)
        });
        if in_tx {
            conn.query_drop("COMMIT")
                .await
                .map_err(|e| self.connect_error(e))?;
        }
        Ok(MysqlConnection::new(conn, server))
    }

    fn connect_error(&self, err: mysql_async::Error) -> Error {
        let url = self.display_url();
        if let mysql_async::Error::Io(io) = &err {
            return Error::operational(
                format!(
                    "could not connect to the MySQL server at {url}: {io}; is the server running and reachable?"
                ),
                false,
            );
        }
        let flavor = self.dialect.server_info().flavor;
        match map_error(err, None, flavor) {
            // A connection that never opened is not a lost one (SQLAlchemy's
            // is_disconnect is false for "can't connect" too).
            Error::OperationalError { message, .. } => Error::operational(
                format!("could not set up a connection to the MySQL server at {url}: {message}"),
                false,
            ),
            other => other,
        }
    }
}

/// A string literal for connection setup: only `'` needs escaping, and the
/// option parser refuses backslashes, whatever the server's `sql_mode`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Driver for MysqlDriver {
    fn dialect(&self) -> Arc<dyn Dialect> {
        self.dialect.clone()
    }

    fn connect(&self) -> BoxFuture<'_, Result<Box<dyn DriverConnection>>> {
        Box::pin(async move {
            let conn = self.connect_mysql().await?;
            Ok(Box::new(conn) as Box<dyn DriverConnection>)
        })
    }

    fn display_url(&self) -> String {
        self.options.display_url()
    }
}
