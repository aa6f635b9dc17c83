//! Parsing `mysql://user:password@host:port/database?option=value` URLs.
//!
//! Accepted schemes: `mysql`, `mariadb`, and `mysql+<anything>` / `mariadb+<anything>`
//! (SQLAlchemy's `mysql+pymysql://` style; the part after `+` is ignored).
//! User, password and database are percent-decoded. Query options:
//!
//! | option            | meaning                                                            |
//! |-------------------|--------------------------------------------------------------------|
//! | `charset`         | only `utf8mb4` (what every connection uses) is accepted            |
//! | `sql_mode`        | the session `sql_mode` (default [`DEFAULT_SQL_MODE`])              |
//! | `time_zone`       | the session time zone (default `+00:00`; keep it for UTC timestamps) |
//! | `init_command`    | one more statement run on every new connection                     |
//! | `stmt_cache_size` | prepared statements cached per connection (default 256)            |
//! | `unix_socket`     | connect through this socket path instead of TCP (alias `socket`)   |
//! | `prefer_socket`   | `true`: reconnect through the server's socket when on localhost    |
//! | `connect_timeout` | seconds (fractions allowed, at most 86400; `0` = no limit) bounding the whole connect: TCP, TLS, handshake and session set-up |
//! | `ssl-mode`        | `DISABLED`, `PREFERRED` (default), `REQUIRED`, `VERIFY_CA`, `VERIFY_IDENTITY` (any case; alias `ssl_mode`) |
//! | `ssl-ca`          | PEM file of the roots to verify the server against (alias `ssl_ca`; without it Mozilla's roots from webpki-roots) |
//!
//! Anything else is an `ArgumentError` naming the option and the accepted ones.

use oxalchemy_core::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The session `sql_mode` set on every connection unless the URL gives one.
///
/// Strict (bad values are errors, not warnings), no zero dates, and without
/// `NO_BACKSLASH_ESCAPES` (so `\` escapes in literals, as the dialect writes
/// them), `ANSI_QUOTES` (identifiers stay in backticks), `PIPES_AS_CONCAT`
/// (concatenation is `CONCAT()`) or `ONLY_FULL_GROUP_BY` (MariaDB's version
/// rejects columns that depend on a grouped primary key, which PostgreSQL and
/// MySQL 8 accept).
pub const DEFAULT_SQL_MODE: &str = "STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

/// The statements cached per connection unless the URL says otherwise.
pub const DEFAULT_STMT_CACHE_SIZE: usize = 256;

const KNOWN_OPTIONS: &str = "charset, sql_mode, time_zone, init_command, stmt_cache_size, unix_socket (socket), prefer_socket, connect_timeout, ssl-mode (ssl_mode), ssl-ca (ssl_ca)";

/// The largest `connect_timeout` accepted, in seconds (one day).
pub const MAX_CONNECT_TIMEOUT_SECS: u64 = 86_400;

/// MySQL's `--ssl-mode`: whether and how a connection uses TLS.
///
/// | mode | encrypted | chain verified | host name checked |
/// |---|---|---|---|
/// | `Disabled` | no | | |
/// | `Preferred` (default) | when the server offers TLS | only with `ssl-ca` | no |
/// | `Required` | yes, or an error | only with `ssl-ca` | no |
/// | `VerifyCa` | yes | yes | no |
/// | `VerifyIdentity` | yes | yes | yes |
///
/// A URL with `ssl-ca` and no `ssl-mode` is `VerifyCa`, as for the mysql client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disabled,
    /// TLS when the server offers it, else plain text.
    Preferred,
    /// TLS or an error.
    Required,
    /// TLS with the certificate chain verified.
    VerifyCa,
    /// TLS with the chain and the host name verified.
    VerifyIdentity,
}

impl SslMode {
    /// MySQL's name of the mode (`VERIFY_IDENTITY`, ...).
    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disabled => "DISABLED",
            SslMode::Preferred => "PREFERRED",
            SslMode::Required => "REQUIRED",
            SslMode::VerifyCa => "VERIFY_CA",
            SslMode::VerifyIdentity => "VERIFY_IDENTITY",
        }
    }

    fn parse(value: &str) -> Option<SslMode> {
        Some(
            match value.to_ascii_uppercase().replace('-', "_").as_str() {
                "DISABLED" => SslMode::Disabled,
                "PREFERRED" => SslMode::Preferred,
                "REQUIRED" => SslMode::Required,
                "VERIFY_CA" => SslMode::VerifyCa,
                "VERIFY_IDENTITY" => SslMode::VerifyIdentity,
                _ => return None,
            },
        )
    }
}

/// Connection settings parsed from a URL.
///
/// ```
/// use oxalchemy_mysql::MysqlConnectOptions;
/// let o = MysqlConnectOptions::parse("mariadb://scott:ti%40ger@db.local:3307/shop?stmt_cache_size=64").unwrap();
/// assert_eq!(o.host(), "db.local");
/// assert_eq!(o.port(), 3307);
/// assert_eq!(o.user(), Some("scott"));
/// assert_eq!(o.password(), Some("ti@ger"));
/// assert_eq!(o.database(), Some("shop"));
/// assert_eq!(o.stmt_cache_size(), 64);
/// assert_eq!(o.display_url(), "mariadb://scott:***@db.local:3307/shop");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct MysqlConnectOptions {
    scheme: String,
    host: String,
    port: u16,
    user: Option<String>,
    password: Option<String>,
    database: Option<String>,
    sql_mode: String,
    time_zone: String,
    init_command: Option<String>,
    stmt_cache_size: usize,
    socket: Option<String>,
    prefer_socket: bool,
    connect_timeout: Option<Duration>,
    ssl_mode: Option<SslMode>,
    ssl_ca: Option<PathBuf>,
}

impl std::fmt::Debug for MysqlConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlConnectOptions")
            .field("url", &self.display_url())
            .field("sql_mode", &self.sql_mode)
            .field("time_zone", &self.time_zone)
            .field("init_command", &self.init_command)
            .field("stmt_cache_size", &self.stmt_cache_size)
            .field("socket", &self.socket)
            .field("prefer_socket", &self.prefer_socket)
            .field("connect_timeout", &self.connect_timeout)
            .field("ssl_mode", &self.ssl_mode())
            .field("ssl_ca", &self.ssl_ca)
            .finish()
    }
}

fn bad(url: &str, what: impl std::fmt::Display) -> Error {
    Error::argument(format!(
        "invalid MySQL URL {:?}: {what}; expected mysql://user:password@host:port/database",
        mask_password(url)
    ))
}

/// Replace the secrets of a URL-like string with `***`: the workspace's one
/// masking function, [`oxalchemy_core::redact_url`].
fn mask_password(url: &str) -> String {
    oxalchemy_core::redact_url(url)
}

fn decode(part: &str, what: &str, url: &str) -> Result<String> {
    percent_decode(part).ok_or_else(|| {
        bad(
            url,
            format!("the {what} is not valid percent-encoded UTF-8"),
        )
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn parse_bool(url: &str, key: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(bad(
            url,
            format!("option {key}={value:?} is not a boolean (true/false)"),
        )),
    }
}

impl MysqlConnectOptions {
    /// Parse a URL; a malformed one is an `ArgumentError` saying what is wrong.
    pub fn parse(url: &str) -> Result<Self> {
        let parsed = ::url::Url::parse(url).map_err(|e| bad(url, e))?;
        let scheme = parsed.scheme().to_ascii_lowercase();
        let base = scheme.split('+').next().unwrap_or("");
        if base != "mysql" && base != "mariadb" {
            return Err(bad(
                url,
                format!("the scheme {scheme:?} is not mysql://, mariadb:// or mysql+<driver>://"),
            ));
        }
        if parsed.cannot_be_a_base() {
            return Err(bad(url, "the URL has no //host part"));
        }
        let host = match parsed.host_str() {
            None | Some("") => "localhost".to_owned(),
            Some(h) => h.trim_start_matches('[').trim_end_matches(']').to_owned(),
        };
        let port = parsed.port().unwrap_or(3306);
        let user = match parsed.username() {
            "" => None,
            u => Some(decode(u, "user name", url)?),
        };
        let password = match parsed.password() {
            None => None,
            Some(p) => Some(decode(p, "password", url)?),
        };
        let path = parsed.path().trim_start_matches('/');
        if path.contains('/') {
            return Err(bad(url, format!("the database name {path:?} contains '/'")));
        }
        let database = match path {
            "" => None,
            p => Some(decode(p, "database name", url)?),
        };
        if parsed.fragment().is_some() {
            return Err(bad(url, "a URL fragment ('#...') is not allowed"));
        }
        let mut options = MysqlConnectOptions {
            scheme,
            host,
            port,
            user,
            password,
            database,
            sql_mode: DEFAULT_SQL_MODE.to_owned(),
            time_zone: "+00:00".to_owned(),
            init_command: None,
            stmt_cache_size: DEFAULT_STMT_CACHE_SIZE,
            socket: None,
            prefer_socket: false,
            connect_timeout: None,
            ssl_mode: None,
            ssl_ca: None,
        };
        for (key, value) in parsed.query_pairs() {
            options.apply_option(url, &key, &value)?;
        }
        Ok(options)
    }

    fn apply_option(&mut self, url: &str, key: &str, value: &str) -> Result<()> {
        match key {
            "charset" => {
                if !value.eq_ignore_ascii_case("utf8mb4") {
                    return Err(bad(
                        url,
                        format!(
                            "charset={value:?} is not supported: connections always use utf8mb4"
                        ),
                    ));
                }
            }
            "sql_mode" | "time_zone" if value.contains('\\') => {
                return Err(bad(
                    url,
                    format!("option {key}={value:?} must not contain a backslash"),
                ));
            }
            "sql_mode" => self.sql_mode = value.to_owned(),
            "time_zone" => self.time_zone = value.to_owned(),
            "init_command" => self.init_command = Some(value.to_owned()),
            "stmt_cache_size" => {
                self.stmt_cache_size = value.parse().map_err(|_| {
                    bad(
                        url,
                        format!("stmt_cache_size={value:?} is not a non-negative integer"),
                    )
                })?;
            }
            "unix_socket" | "socket" => self.socket = Some(value.to_owned()),
            "prefer_socket" => self.prefer_socket = parse_bool(url, key, value)?,
            "connect_timeout" => {
                let secs: f64 = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|s: &f64| (0.0..=MAX_CONNECT_TIMEOUT_SECS as f64).contains(s))
                    .ok_or_else(|| {
                        bad(
                            url,
                            format!(
                                "connect_timeout={value:?} is not a number of seconds in 0..={MAX_CONNECT_TIMEOUT_SECS} (0 = no limit)"
                            ),
                        )
                    })?;
                self.connect_timeout = (secs > 0.0).then(|| Duration::from_secs_f64(secs));
            }
            "ssl_mode" | "ssl-mode" | "sslmode" => {
                self.ssl_mode = Some(SslMode::parse(value).ok_or_else(|| {
                    bad(
                        url,
                        format!(
                            "{key}={value:?} is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY"
                        ),
                    )
                })?);
            }
            "ssl_ca" | "ssl-ca" => {
                if value.is_empty() {
                    return Err(bad(url, format!("{key}= needs a file path")));
                }
                self.ssl_ca = Some(PathBuf::from(value));
            }
            other => {
                return Err(bad(
                    url,
                    format!("unknown option {other:?}; the accepted options are: {KNOWN_OPTIONS}"),
                ));
            }
        }
        Ok(())
    }

    /// The scheme as written (`mysql`, `mariadb`, `mysql+pymysql`, ...).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Host name or address (`localhost` when the URL gives none).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// TCP port (3306 when the URL gives none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// User name, decoded.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// Password, decoded.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Database (schema) name, decoded.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The session `sql_mode`.
    pub fn sql_mode(&self) -> &str {
        &self.sql_mode
    }

    /// True when the session `sql_mode` keeps `\` as an escape in string literals.
    pub fn backslash_escapes(&self) -> bool {
        !self
            .sql_mode
            .split(',')
            .any(|m| m.trim().eq_ignore_ascii_case("NO_BACKSLASH_ESCAPES"))
    }

    /// The session time zone.
    pub fn time_zone(&self) -> &str {
        &self.time_zone
    }

    /// The extra statement run on every new connection, if any.
    pub fn init_command(&self) -> Option<&str> {
        self.init_command.as_deref()
    }

    /// Prepared statements cached per connection.
    pub fn stmt_cache_size(&self) -> usize {
        self.stmt_cache_size
    }

    /// Unix socket path, when connecting through one.
    pub fn socket(&self) -> Option<&str> {
        self.socket.as_deref()
    }

    /// True when a localhost TCP connection switches to the server's socket.
    pub fn prefer_socket(&self) -> bool {
        self.prefer_socket
    }

    /// How long to wait for a new connection, if limited.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// The TLS mode: the URL's `ssl-mode`, else `VerifyCa` when `ssl-ca` is
    /// given, else `Preferred`.
    pub fn ssl_mode(&self) -> SslMode {
        match (self.ssl_mode, &self.ssl_ca) {
            (Some(mode), _) => mode,
            (None, Some(_)) => SslMode::VerifyCa,
            (None, None) => SslMode::Preferred,
        }
    }

    /// The `ssl-ca` file, if given.
    pub fn ssl_ca(&self) -> Option<&Path> {
        self.ssl_ca.as_deref()
    }

    /// mysql_async's TLS options for a mode (`None`: no TLS). `name_override`
    /// replaces the host name the certificate is checked against (used for
    /// `VERIFY_CA`, see the driver).
    pub(crate) fn ssl_opts(
        &self,
        mode: SslMode,
        name_override: Option<String>,
    ) -> Option<mysql_async::SslOpts> {
        let check_chain = match mode {
            SslMode::Disabled => return None,
            SslMode::Preferred | SslMode::Required => self.ssl_ca.is_some(),
            SslMode::VerifyCa | SslMode::VerifyIdentity => true,
        };
        let mut ssl = mysql_async::SslOpts::default()
            .with_danger_accept_invalid_certs(!check_chain)
            .with_danger_skip_domain_validation(mode != SslMode::VerifyIdentity);
        if let Some(ca) = &self.ssl_ca {
            ssl = ssl
                .with_root_certs(vec![ca.clone().into()])
                .with_disable_built_in_roots(true);
        }
        if let Some(name) = name_override {
            ssl = ssl.with_danger_tls_hostname_override(Some(name));
        }
        Some(ssl)
    }

    /// The same options with another database (used by tests and tools).
    pub fn with_database(mut self, database: Option<&str>) -> Self {
        self.database = database.map(str::to_owned);
        self
    }

    /// The URL with the password masked and without options, for logs.
    pub fn display_url(&self) -> String {
        let mut out = format!("{}://", self.scheme);
        if let Some(user) = &self.user {
            out.push_str(user);
            if self.password.is_some() {
                out.push_str(":***");
            }
            out.push('@');
        }
        if self.host.contains(':') {
            out.push_str(&format!("[{}]", self.host));
        } else {
            out.push_str(&self.host);
        }
        out.push_str(&format!(":{}", self.port));
        if let Some(db) = &self.database {
            out.push('/');
            out.push_str(db);
        }
        out
    }

    /// The mysql_async options for one connection (its own statement cache, no
    /// pool), with TLS as `ssl` says.
    pub(crate) fn to_opts(&self, ssl: Option<mysql_async::SslOpts>) -> mysql_async::Opts {
        let builder = mysql_async::OptsBuilder::default()
            .ip_or_hostname(self.host.clone())
            .tcp_port(self.port)
            .user(self.user.clone())
            .pass(self.password.clone())
            .db_name(self.database.clone())
            .stmt_cache_size(self.stmt_cache_size)
            .prefer_socket(self.prefer_socket)
            .socket(self.socket.clone())
            // No CLIENT_FOUND_ROWS: a skipped row of an upsert-do-nothing
            // must count 0; the driver reports SQLAlchemy's matched rows for
            // UPDATE from the info text instead (see `affected_rows`).
            .client_found_rows(false)
            .tcp_nodelay(true)
            .ssl_opts(ssl);
        builder.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_in_messages() {
        assert_eq!(mask_password("mysql://u:secret@h/db"), "mysql://u:***@h/db");
        assert_eq!(mask_password("mysql://u@h/db"), "mysql://u@h/db");
        let err = MysqlConnectOptions::parse("mysql://u:secret@h/db?bogus=1").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn ssl_modes() {
        let o = MysqlConnectOptions::parse("mysql://h/db").unwrap();
        assert_eq!(o.ssl_mode(), SslMode::Preferred);
        assert!(
            o.ssl_opts(SslMode::Preferred, None)
                .unwrap()
                .accept_invalid_certs()
        );
        for (value, mode) in [
            ("disabled", SslMode::Disabled),
            ("Preferred", SslMode::Preferred),
            ("REQUIRED", SslMode::Required),
            ("verify_ca", SslMode::VerifyCa),
            ("VERIFY_IDENTITY", SslMode::VerifyIdentity),
            ("verify-identity", SslMode::VerifyIdentity),
        ] {
            for key in ["ssl-mode", "ssl_mode"] {
                let o = MysqlConnectOptions::parse(&format!("mysql://h/db?{key}={value}")).unwrap();
                assert_eq!(o.ssl_mode(), mode, "{key}={value}");
            }
        }
        assert!(
            MysqlConnectOptions::parse("mysql://h/db?ssl-mode=DISABLED")
                .unwrap()
                .ssl_opts(SslMode::Disabled, None)
                .is_none()
        );
        // ssl-ca without ssl-mode is VERIFY_CA, as for the mysql client.
        let o = MysqlConnectOptions::parse("mysql://h/db?ssl-ca=%2Fetc%2Fca.pem").unwrap();
        assert_eq!(o.ssl_mode(), SslMode::VerifyCa);
        assert_eq!(o.ssl_ca(), Some(Path::new("/etc/ca.pem")));
        let ssl = o.ssl_opts(SslMode::VerifyCa, None).unwrap();
        assert!(
            !ssl.accept_invalid_certs()
                && ssl.skip_domain_validation()
                && ssl.disable_built_in_roots()
        );
        let ssl = o.ssl_opts(SslMode::VerifyIdentity, None).unwrap();
        assert!(!ssl.accept_invalid_certs() && !ssl.skip_domain_validation());
        // A given CA is used by REQUIRED too (never silently ignored).
        let ssl = o.ssl_opts(SslMode::Required, None).unwrap();
        assert!(!ssl.accept_invalid_certs());
        let err = MysqlConnectOptions::parse("mysql://u:pw@h/db?ssl-mode=sometimes").unwrap_err();
        assert!(
            err.to_string().contains("VERIFY_IDENTITY") && !err.to_string().contains("pw@"),
            "{err}"
        );
    }

    #[test]
    fn connect_timeout_values() {
        let o = MysqlConnectOptions::parse("mysql://h/db?connect_timeout=0").unwrap();
        assert_eq!(o.connect_timeout(), None);
        let o = MysqlConnectOptions::parse("mysql://h/db?connect_timeout=86400").unwrap();
        assert_eq!(o.connect_timeout(), Some(Duration::from_secs(86_400)));
        for bad in ["-1", "nan", "NaN", "inf", "1e20", "86401", "soon", ""] {
            let err = MysqlConnectOptions::parse(&format!("mysql://h/db?connect_timeout={bad}"))
                .unwrap_err();
            assert!(err.to_string().contains("connect_timeout"), "{bad}: {err}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b%2Fc").as_deref(), Some("a@b/c"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%e2%82%ac").as_deref(), Some("€"));
    }
}
