//! `MysqlDriver`: opens single `mysql_async` connections for the oxalchemy pool.
//!
//! Every new connection is set up with
//! `SET SESSION sql_mode = '<mode>', time_zone = '+00:00', autocommit = 0` (see
//! [`DEFAULT_SQL_MODE`](crate::DEFAULT_SQL_MODE)); the connection character set
//! is utf8mb4 from the handshake. The first connection also reads
//! `SELECT VERSION()` and records MySQL-or-MariaDB and the version in the shared
//! [`MysqlDialect`], which [`Driver::dialect`] returns.
//!
//! TLS follows the URL's `ssl-mode` (see [`SslMode`]) through mysql_async's
//! rustls support. Two behaviours are the driver's own: `PREFERRED` opens a
//! plain connection when the server offers no TLS, and `VERIFY_CA`, whose
//! name check mysql_async cannot switch off with the rustls in use (its test
//! for the name error no longer matches rustls' wording), connects once more
//! against a name the certificate presents when only the name did not match
//! (the chain was verified before the name).

use crate::connection::MysqlConnection;
use crate::dialect::MysqlDialect;
use crate::error_map::map_error;
use crate::server_info::ServerInfo;
use crate::url::{MysqlConnectOptions, SslMode};
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
    /// The options with TLS as `ssl-mode` asks (none for `DISABLED`).
    opts: mysql_async::Opts,
    /// The options without TLS (the `PREFERRED` fallback).
    plain: mysql_async::Opts,
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
            opts: options.to_opts(options.ssl_opts(options.ssl_mode(), None)),
            plain: options.to_opts(None),
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
    ///
    /// `connect_timeout` bounds all of it (TCP, TLS, handshake and session
    /// set-up); the error names the limit and the server.
    pub async fn connect_mysql(&self) -> Result<MysqlConnection> {
        match self.options.connect_timeout() {
            None => self.open_and_set_up().await,
            Some(limit) => tokio::time::timeout(limit, self.open_and_set_up())
                .await
                .unwrap_or_else(|_| {
                    Err(Error::operational(
                        format!(
                            "could not connect to the MySQL server at {}: connect_timeout={} exceeded, connecting to {}:{} \
                             (TCP, TLS, handshake and session set-up must finish within it)",
                            self.display_url(),
                            limit.as_secs_f64(),
                            self.options.host(),
                            self.options.port()
                        ),
                        false,
                    ))
                }),
        }
    }

    /// Open the connection with TLS as the mode asks.
    async fn open(&self) -> Result<Conn> {
        let mode = self.options.ssl_mode();
        match Conn::new(self.opts.clone()).await {
            Ok(conn) => Ok(conn),
            Err(mysql_async::Error::Driver(
                mysql_async::DriverError::NoClientSslFlagFromServer,
            )) => {
                if mode == SslMode::Preferred {
                    return Conn::new(self.plain.clone())
                        .await
                        .map_err(|e| self.connect_error(e));
                }
                Err(Error::operational(
                    format!(
                        "could not connect to the MySQL server at {}: the server does not offer TLS, which ssl-mode={} requires \
                         (configure ssl_cert/ssl_key on the server, or use ssl-mode=PREFERRED or DISABLED)",
                        self.display_url(),
                        mode.name()
                    ),
                    false,
                ))
            }
            Err(e) => {
                if mode == SslMode::VerifyCa
                    && let Some(name) = name_mismatch(&e)
                {
                    // The chain verified (webpki checks it before the name):
                    // check against a name the certificate holds.
                    let opts = self
                        .options
                        .to_opts(self.options.ssl_opts(mode, Some(name)));
                    return Conn::new(opts).await.map_err(|e| self.connect_error(e));
                }
                Err(self.connect_error(e))
            }
        }
    }

    async fn open_and_set_up(&self) -> Result<MysqlConnection> {
        let opened: Result<Conn> = self.open().await;
        let mut conn = opened?;
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
        if let Some(cert) = certificate_error(&err) {
            return Error::operational(
                format!(
                    "could not connect to the MySQL server at {url}: TLS handshake failed (ssl-mode={}): {cert}",
                    self.options.ssl_mode().name()
                ),
                false,
            );
        }
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

/// The rustls error inside a mysql_async error, if any.
fn rustls_error(err: &mysql_async::Error) -> Option<&rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        current = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as _),
            None => e.source(),
        };
    }
    None
}

/// A name the server certificate presents, when the only failure was its name.
///
/// rustls lists the presented names as webpki formats them (`DnsName("db.example")`,
/// `IpAddress(10.0.0.1)`); a wildcard gives a name it matches.
fn name_mismatch(err: &mysql_async::Error) -> Option<String> {
    let rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext {
        presented,
        ..
    }) = rustls_error(err)?
    else {
        return None;
    };
    presented.iter().find_map(|name| {
        let name = if let Some(dns) = name
            .strip_prefix("DnsName(\"")
            .and_then(|n| n.strip_suffix("\")"))
        {
            match dns.strip_prefix("*.") {
                Some(domain) => format!("verify-ca.{domain}"),
                None => dns.to_owned(),
            }
        } else {
            name.strip_prefix("IpAddress(")?
                .strip_suffix(')')?
                .to_owned()
        };
        rustls::pki_types::ServerName::try_from(name.as_str())
            .is_ok()
            .then_some(name)
    })
}

/// A sentence for a refused server certificate, if that is what `err` is.
fn certificate_error(err: &mysql_async::Error) -> Option<String> {
    match rustls_error(err)? {
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => Some(
            "the server certificate is not signed by a trusted root (unknown issuer)".to_owned(),
        ),
        rustls::Error::InvalidCertificate(other) => {
            Some(format!("the server certificate was refused: {other}"))
        }
        other => Some(format!("{other}")),
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
