//! Parsing `postgresql://user:password@host:port/dbname?option=value` URLs
//! into a tokio-postgres [`Config`].
//!
//! Accepted schemes: `postgresql`, `postgres`, and either with a `+driver`
//! suffix (`postgresql+psycopg://`), as SQLAlchemy writes them. Every part is
//! optional: no host means `localhost`, no port `5432`, no user the operating
//! system user (as libpq does), no database the user's name. Several hosts are
//! separated by commas (`host1:5432,host2:5433`). User, password, host and
//! database name are percent-decoded; a host that decodes to a path
//! (`%2Fvar%2Frun%2Fpostgresql`) is a Unix socket directory.
//!
//! TLS options (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`) are libpq's, see
//! the `tls` module; `connect_timeout` bounds the whole connect (see
//! [`MAX_CONNECT_TIMEOUT_SECS`]).

use crate::tls::{RootCerts, SslMode, TlsOptions};
use oxalchemy_core::{Error, Result};
use std::path::PathBuf;
use std::time::Duration;
use tokio_postgres::Config;
use tokio_postgres::config::TargetSessionAttrs;

/// The largest `connect_timeout` accepted, in seconds (one day); a larger
/// value is an `ArgumentError` (`0` means no limit, as in libpq).
pub(crate) const MAX_CONNECT_TIMEOUT_SECS: u64 = 86_400;

const EXAMPLE: &str = "postgresql://user:password@host:5432/dbname";

/// The query options a URL may carry.
const QUERY_OPTIONS: &[&str] = &[
    "options",
    "application_name",
    "host",
    "port",
    "user",
    "password",
    "dbname",
    "connect_timeout",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "keepalives",
    "keepalives_idle",
    "target_session_attrs",
    "client_encoding",
];

/// A parsed URL: the connection settings and the URL with its password masked.
#[derive(Debug, Clone)]
pub(crate) struct ParsedUrl {
    /// Settings for tokio-postgres.
    pub config: Config,
    /// The URL as given, with any password replaced by `***`.
    pub display: String,
    /// `sslmode`, `sslrootcert`, `sslcert`, `sslkey`.
    pub tls: TlsOptions,
    /// `connect_timeout`: the bound of the whole connect (TCP, TLS, startup).
    pub connect_timeout: Option<Duration>,
}

fn bad(url_display: &str, what: impl std::fmt::Display) -> Error {
    Error::argument(format!(
        "invalid PostgreSQL URL {url_display:?}: {what}; expected the form {EXAMPLE}"
    ))
}

/// Parse a PostgreSQL URL.
pub(crate) fn parse(url: &str) -> Result<ParsedUrl> {
    let display = mask_password(url);
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad(&display, "it has no scheme (\"postgresql://\")"))?;
    let base = scheme.split('+').next().unwrap_or_default();
    if !(base.eq_ignore_ascii_case("postgresql") || base.eq_ignore_ascii_case("postgres")) {
        return Err(bad(
            &display,
            format_args!("the scheme {scheme:?} is not postgresql:// or postgres://"),
        ));
    }
    if rest.contains('#') {
        return Err(bad(&display, "it contains a '#' fragment"));
    }
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match main.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (main, None),
    };
    let (userinfo, hostlist) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };

    let mut config = Config::new();
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        let user = decode_str(user, "user name", &display)?;
        if !user.is_empty() {
            config.user(user);
        }
        if let Some(password) = password {
            config.password(decode(password, "password", &display)?);
        }
    }

    let mut hosts = Vec::new();
    if !hostlist.is_empty() {
        for part in hostlist.split(',') {
            hosts.push(parse_host_port(part, &display)?);
        }
    }

    if let Some(path) = path {
        let dbname = decode_str(path, "database name", &display)?;
        if !dbname.is_empty() {
            config.dbname(dbname);
        }
    }

    let mut query_hosts: Vec<String> = Vec::new();
    let mut query_ports: Vec<u16> = Vec::new();
    let mut tls = TlsOptions::default();
    let mut connect_timeout = None;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            // After a password option the fragment may be the rest of a password
            // holding an unencoded '&': name it only when it cannot be one.
            let secret = query.is_some_and(|q| q.to_ascii_lowercase().contains("pass"));
            let plain = pair.len() <= 64
                && pair
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if plain && !secret {
                bad(
                    &display,
                    format_args!("the query option {pair:?} has no '=value'"),
                )
            } else {
                bad(
                    &display,
                    format_args!(
                        "a query option has no '=value' (write a '&' inside a value, such as \
                         a password, as %26)"
                    ),
                )
            }
        })?;
        let key = decode_str(key, "query option name", &display)?;
        let value = decode_str(value, "query option value", &display)?;
        match key.as_str() {
            "sslmode" => {
                tls.mode = SslMode::parse(&value).ok_or_else(|| {
                    bad(
                        &display,
                        format_args!(
                            "sslmode={value:?} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                        ),
                    )
                })?;
            }
            "sslrootcert" if value == "system" => tls.roots = RootCerts::System { explicit: true },
            "sslrootcert" => tls.roots = RootCerts::File(non_empty_path(&key, value, &display)?),
            "sslcert" => tls.client_cert = Some(non_empty_path(&key, value, &display)?),
            "sslkey" => tls.client_key = Some(non_empty_path(&key, value, &display)?),
            "connect_timeout" => {
                connect_timeout = parse_connect_timeout(&value, &display)?;
                if let Some(limit) = connect_timeout {
                    // Also bounds each TCP connect, so a multi-host URL moves on.
                    config.connect_timeout(limit);
                }
            }
            _ => apply_option(
                &mut config,
                &key,
                value,
                &mut query_hosts,
                &mut query_ports,
                &display,
            )?,
        }
    }

    // Hosts from the authority come first, then `?host=`; ports pair up with hosts.
    for h in query_hosts {
        hosts.push((h, None));
    }
    if hosts.is_empty() {
        hosts.push(("localhost".to_owned(), None));
    }
    if !query_ports.is_empty() {
        if query_ports.len() != 1 && query_ports.len() != hosts.len() {
            return Err(bad(
                &display,
                format_args!(
                    "{} ports were given for {} hosts; give one port, or one per host",
                    query_ports.len(),
                    hosts.len()
                ),
            ));
        }
        for (i, (_, port)) in hosts.iter_mut().enumerate() {
            if port.is_none() {
                *port = Some(query_ports[i.min(query_ports.len() - 1)]);
            }
        }
    }
    for (host, port) in hosts {
        config.host(host);
        config.port(port.unwrap_or(5432));
    }
    if tls.client_cert.is_some() != tls.client_key.is_some() {
        return Err(bad(
            &display,
            "sslcert and sslkey go together: give both (a client certificate and its key) or neither",
        ));
    }
    config.ssl_mode(tls.mode.negotiation());
    Ok(ParsedUrl {
        config,
        display,
        tls,
        connect_timeout,
    })
}

fn non_empty_path(key: &str, value: String, display: &str) -> Result<PathBuf> {
    if value.is_empty() {
        return Err(bad(display, format_args!("{key}= needs a file path")));
    }
    Ok(PathBuf::from(value))
}

/// `connect_timeout`: whole seconds as libpq takes them; `0` is no limit.
fn parse_connect_timeout(value: &str, display: &str) -> Result<Option<Duration>> {
    let secs: u64 = value.trim().parse().map_err(|_| {
        bad(
            display,
            format_args!(
                "connect_timeout={value:?} is not a whole number of seconds in 0..={MAX_CONNECT_TIMEOUT_SECS} (0 = no limit)"
            ),
        )
    })?;
    if secs > MAX_CONNECT_TIMEOUT_SECS {
        return Err(bad(
            display,
            format_args!(
                "connect_timeout={secs} is more than {MAX_CONNECT_TIMEOUT_SECS} seconds (one day); use 0 for no limit"
            ),
        ));
    }
    Ok((secs > 0).then(|| Duration::from_secs(secs)))
}

fn parse_host_port(part: &str, display: &str) -> Result<(String, Option<u16>)> {
    if part.is_empty() {
        return Err(bad(display, "a host in the host list is empty"));
    }
    let (host, port) = if let Some(rest) = part.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(|| {
            bad(
                display,
                format_args!(
                    "the IPv6 host {:?} has no closing ']'",
                    oxalchemy_core::redact_url(part)
                ),
            )
        })?;
        match after {
            "" => (h.to_owned(), None),
            p => match p.strip_prefix(':') {
                Some(p) => (h.to_owned(), Some(p)),
                None => {
                    return Err(bad(
                        display,
                        format_args!("unexpected {after:?} after the IPv6 host"),
                    ));
                }
            },
        }
    } else {
        match part.split_once(':') {
            Some((h, p)) => (decode_str(h, "host", display)?, Some(p)),
            None => (decode_str(part, "host", display)?, None),
        }
    };
    if host.is_empty() {
        return Err(bad(
            display,
            format_args!(
                "the host in {:?} is empty",
                oxalchemy_core::redact_url(part)
            ),
        ));
    }
    let port = match port {
        Some(p) => Some(parse_port(p, display)?),
        None => None,
    };
    Ok((host, port))
}

fn parse_port(p: &str, display: &str) -> Result<u16> {
    match p.parse::<u16>() {
        Ok(n) if n > 0 => Ok(n),
        // A "port" that is not digits may be a password whose `@host` part
        // was cut off (`u:pa/ss@h`): it is not echoed.
        _ if p.bytes().all(|b| b.is_ascii_digit()) => Err(bad(
            display,
            format_args!("the port {p:?} is not a number in 1..65535"),
        )),
        _ => Err(bad(
            display,
            "a port is not a number in 1..65535 (a password holding '/', '?', '#' or '@' \
             must be percent-encoded: %2F, %3F, %23, %40)",
        )),
    }
}

fn parse_seconds(key: &str, value: &str, display: &str) -> Result<u64> {
    value.trim().parse::<u64>().map_err(|_| {
        bad(
            display,
            format_args!("{key}={value:?} is not a whole number of seconds"),
        )
    })
}

fn apply_option(
    config: &mut Config,
    key: &str,
    value: String,
    hosts: &mut Vec<String>,
    ports: &mut Vec<u16>,
    display: &str,
) -> Result<()> {
    match key {
        "options" => {
            config.options(value);
        }
        "application_name" => {
            config.application_name(value);
        }
        "user" => {
            config.user(value);
        }
        "password" => {
            config.password(value);
        }
        "dbname" => {
            config.dbname(value);
        }
        "host" => {
            for h in value.split(',') {
                if h.is_empty() {
                    return Err(bad(display, "a host in host= is empty"));
                }
                hosts.push(h.to_owned());
            }
        }
        "port" => {
            for p in value.split(',') {
                ports.push(parse_port(p, display)?);
            }
        }
        "keepalives" => match value.as_str() {
            "1" => {
                config.keepalives(true);
            }
            "0" => {
                config.keepalives(false);
            }
            _ => {
                return Err(bad(
                    display,
                    format_args!("keepalives={value:?} must be 0 or 1"),
                ));
            }
        },
        "keepalives_idle" => {
            let secs = parse_seconds(key, &value, display)?;
            config.keepalives_idle(Duration::from_secs(secs));
        }
        "target_session_attrs" => match value.as_str() {
            "any" => {
                config.target_session_attrs(TargetSessionAttrs::Any);
            }
            "read-write" => {
                config.target_session_attrs(TargetSessionAttrs::ReadWrite);
            }
            "read-only" => {
                config.target_session_attrs(TargetSessionAttrs::ReadOnly);
            }
            _ => {
                return Err(bad(
                    display,
                    format_args!(
                        "target_session_attrs={value:?} is not one of any, read-write, read-only"
                    ),
                ));
            }
        },
        "client_encoding" => {
            let v = value.replace(['-', '_'], "");
            if !v.eq_ignore_ascii_case("utf8") {
                return Err(bad(
                    display,
                    format_args!("client_encoding={value:?}: only UTF8 is supported"),
                ));
            }
        }
        other => {
            return Err(bad(
                display,
                format_args!(
                    "unknown query option {other:?}; the supported options are: {}",
                    QUERY_OPTIONS.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Percent-decode one URL component into bytes.
fn decode(s: &str, what: &str, display: &str) -> Result<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    bad(
                        display,
                        format_args!(
                            "the {what} has a bad percent-escape (use %XX with two hex digits)"
                        ),
                    )
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Percent-decode one URL component into UTF-8 text.
fn decode_str(s: &str, what: &str, display: &str) -> Result<String> {
    String::from_utf8(decode(s, what, display)?).map_err(|_| {
        bad(
            display,
            format_args!("the {what} is not UTF-8 once percent-decoded"),
        )
    })
}

/// The URL with the password (in the authority or a `password=` option) shown
/// as `***`: the workspace's one masking function, [`oxalchemy_core::redact_url`].
pub(crate) fn mask_password(url: &str) -> String {
    oxalchemy_core::redact_url(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::config::Host;

    fn hosts(c: &Config) -> Vec<String> {
        c.get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(s) => s.clone(),
                #[cfg(unix)]
                Host::Unix(p) => p.display().to_string(),
            })
            .collect()
    }

    #[test]
    fn full_url() {
        let p = parse("postgresql://scott:tiger@db.example.com:5433/app").unwrap();
        assert_eq!(p.config.get_user(), Some("scott"));
        assert_eq!(p.config.get_password(), Some(&b"tiger"[..]));
        assert_eq!(hosts(&p.config), ["db.example.com"]);
        assert_eq!(p.config.get_ports(), [5433]);
        assert_eq!(p.config.get_dbname(), Some("app"));
        assert_eq!(p.display, "postgresql://scott:***@db.example.com:5433/app");
    }

    #[test]
    fn schemes() {
        for url in [
            "postgres://u@h/db",
            "postgresql://u@h/db",
            "postgresql+psycopg2://u@h/db",
            "postgresql+asyncpg://u@h/db",
            "POSTGRESQL://u@h/db",
        ] {
            let p = parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(p.config.get_dbname(), Some("db"));
        }
    }

    #[test]
    fn defaults() {
        let p = parse("postgresql://").unwrap();
        assert_eq!(hosts(&p.config), ["localhost"]);
        assert_eq!(p.config.get_ports(), [5432]);
        assert_eq!(p.config.get_user(), None);
        assert_eq!(p.config.get_dbname(), None);
        let p = parse("postgresql:///test").unwrap();
        assert_eq!(p.config.get_dbname(), Some("test"));
        assert_eq!(hosts(&p.config), ["localhost"]);
        let p = parse("postgresql://postgres@127.0.0.1:5432/test").unwrap();
        assert_eq!(p.config.get_user(), Some("postgres"));
        assert_eq!(p.config.get_password(), None);
        assert_eq!(p.display, "postgresql://postgres@127.0.0.1:5432/test");
    }

    #[test]
    fn percent_decoding() {
        let p = parse("postgresql://us%40er:p%40ss%3Aw%2Fd@host/my%20db").unwrap();
        assert_eq!(p.config.get_user(), Some("us@er"));
        assert_eq!(p.config.get_password(), Some(&b"p@ss:w/d"[..]));
        assert_eq!(p.config.get_dbname(), Some("my db"));
        // An unescaped '@' in the password: the last '@' ends the user info.
        let p = parse("postgresql://u:p@ss@host/db").unwrap();
        assert_eq!(p.config.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(hosts(&p.config), ["host"]);
    }

    #[test]
    fn query_options() {
        let p = parse(
            "postgresql://u@h/db?options=-csearch_path%3Dmyschema&application_name=my%20app&connect_timeout=10&sslmode=disable",
        )
        .unwrap();
        assert_eq!(p.config.get_options(), Some("-csearch_path=myschema"));
        assert_eq!(p.config.get_application_name(), Some("my app"));
        assert_eq!(
            p.config.get_connect_timeout(),
            Some(&Duration::from_secs(10))
        );
        assert_eq!(
            p.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Disable
        );
        assert_eq!(p.tls.mode, SslMode::Disable);
        assert_eq!(p.connect_timeout, Some(Duration::from_secs(10)));
    }

    #[test]
    fn hosts_and_ports() {
        let p = parse("postgresql://u@[::1]:6000/db").unwrap();
        assert_eq!(hosts(&p.config), ["::1"]);
        assert_eq!(p.config.get_ports(), [6000]);
        let p = parse("postgresql://u@h1:5433,h2/db").unwrap();
        assert_eq!(hosts(&p.config), ["h1", "h2"]);
        assert_eq!(p.config.get_ports(), [5433, 5432]);
        let p = parse("postgresql://u@/db?host=/var/run/postgresql&port=5434").unwrap();
        assert_eq!(hosts(&p.config), ["/var/run/postgresql"]);
        assert_eq!(p.config.get_ports(), [5434]);
        let p = parse("postgresql://u@%2Ftmp/db").unwrap();
        assert_eq!(hosts(&p.config), ["/tmp"]);
    }

    #[test]
    fn password_is_masked_in_query_too() {
        let p = parse("postgresql://u@h/db?password=secret&application_name=x").unwrap();
        assert_eq!(p.config.get_password(), Some(&b"secret"[..]));
        assert_eq!(
            p.display,
            "postgresql://u@h/db?password=***&application_name=x"
        );
        assert!(!p.display.contains("secret"));
    }

    fn err(url: &str) -> String {
        match parse(url) {
            Err(Error::ArgumentError(m)) => m,
            Err(other) => panic!("{url}: expected ArgumentError, got {other:?}"),
            Ok(p) => panic!("{url}: expected an error, got {:?}", p.config),
        }
    }

    #[test]
    fn malformed_urls() {
        assert!(err("127.0.0.1:5432/test").contains("no scheme"));
        assert!(err("mysql://root@h/db").contains("is not postgresql://"));
        assert!(err("postgresql://u@h:notaport/db").contains("a port is not a number"));
        assert!(!err("postgresql://u:hunter2/x@h/db").contains("hunter2"));
        assert!(!err("postgresql://[u:hunter2/x@h/db").contains("hunter2"));
        assert!(err("postgresql://u@h:0/db").contains("1..65535"));
        assert!(err("postgresql://u@h:70000/db").contains("1..65535"));
        assert!(err("postgresql://u@h/db?bogus=1").contains("unknown query option \"bogus\""));
        assert!(err("postgresql://u@h/db?sslmode").contains("has no '=value'"));
        // An unencoded '&' in a password option: the rest of the password is not echoed.
        let e = err("postgresql://u@h/db?password=s3cr&etX");
        assert!(
            e.contains("has no '=value'") && !e.contains("etX") && !e.contains("s3cr"),
            "{e}"
        );
        assert!(err("postgresql://u@h/db?sslmode=required").contains("verify-full"));
        assert!(err("postgresql://u@h/db?connect_timeout=soon").contains("seconds"));
        assert!(err("postgresql://u:p%zz@h/db").contains("percent-escape"));
        assert!(err("postgresql://u@[::1/db").contains("closing ']'"));
        assert!(err("postgresql://u@h1,,h2/db").contains("empty"));
        assert!(err("postgresql://u@h/db#frag").contains("fragment"));
        // The password never shows in an error.
        let m = err("postgresql://u:hunter2@h:bad/db");
        assert!(!m.contains("hunter2"), "{m}");
    }

    #[test]
    fn tls_options() {
        let p = parse("postgresql://u@h/db").unwrap();
        assert_eq!(p.tls, TlsOptions::default());
        assert_eq!(p.tls.mode, SslMode::Prefer);
        assert_eq!(
            p.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Prefer
        );
        for (mode, expected, negotiation) in [
            (
                "disable",
                SslMode::Disable,
                tokio_postgres::config::SslMode::Disable,
            ),
            (
                "allow",
                SslMode::Prefer,
                tokio_postgres::config::SslMode::Prefer,
            ),
            (
                "prefer",
                SslMode::Prefer,
                tokio_postgres::config::SslMode::Prefer,
            ),
            (
                "require",
                SslMode::Require,
                tokio_postgres::config::SslMode::Require,
            ),
            (
                "verify-ca",
                SslMode::VerifyCa,
                tokio_postgres::config::SslMode::Require,
            ),
            (
                "verify-full",
                SslMode::VerifyFull,
                tokio_postgres::config::SslMode::Require,
            ),
        ] {
            let p = parse(&format!("postgresql://u@h/db?sslmode={mode}")).unwrap();
            assert_eq!(p.tls.mode, expected, "{mode}");
            assert_eq!(p.config.get_ssl_mode(), negotiation, "{mode}");
        }
        let p = parse(
            "postgresql://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&sslcert=/c.pem&sslkey=/k.pem",
        )
        .unwrap();
        assert_eq!(p.tls.roots, RootCerts::File(PathBuf::from("/etc/ca.pem")));
        assert_eq!(p.tls.client_cert, Some(PathBuf::from("/c.pem")));
        assert_eq!(p.tls.client_key, Some(PathBuf::from("/k.pem")));
        let p = parse("postgresql://u@h/db?sslrootcert=system").unwrap();
        assert_eq!(p.tls.roots, RootCerts::System { explicit: true });
        assert!(err("postgresql://u@h/db?sslcert=/c.pem").contains("sslcert and sslkey"));
        assert!(err("postgresql://u@h/db?sslrootcert=").contains("file path"));
        assert!(err("postgresql://u@h/db?sslmode=VERIFY-FULL").contains("is not one of"));
    }

    #[test]
    fn connect_timeout_values() {
        let p = parse("postgresql://u@h/db?connect_timeout=0").unwrap();
        assert_eq!(p.connect_timeout, None);
        let p = parse("postgresql://u@h/db?connect_timeout=86400").unwrap();
        assert_eq!(p.connect_timeout, Some(Duration::from_secs(86_400)));
        for bad in [
            "-1",
            "nan",
            "1e20",
            "2.5",
            "86401",
            "99999999999999999999999",
            "",
        ] {
            let m = err(&format!("postgresql://u:pw@h/db?connect_timeout={bad}"));
            assert!(m.contains("connect_timeout"), "{bad}: {m}");
            assert!(!m.contains("pw@"), "{bad}: {m}");
        }
    }
}
