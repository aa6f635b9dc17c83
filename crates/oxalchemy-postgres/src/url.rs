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

use oxalchemy_core::{Error, Result};
use std::time::Duration;
use tokio_postgres::Config;
use tokio_postgres::config::{SslMode, TargetSessionAttrs};

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
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            bad(
                &display,
                format_args!("the query option {pair:?} has no '=value'"),
            )
        })?;
        let key = decode_str(key, "query option name", &display)?;
        let value = decode_str(value, "query option value", &display)?;
        apply_option(
            &mut config,
            &key,
            value,
            &mut query_hosts,
            &mut query_ports,
            &display,
        )?;
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
    Ok(ParsedUrl { config, display })
}

fn parse_host_port(part: &str, display: &str) -> Result<(String, Option<u16>)> {
    if part.is_empty() {
        return Err(bad(display, "a host in the host list is empty"));
    }
    let (host, port) = if let Some(rest) = part.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(|| {
            bad(
                display,
                format_args!("the IPv6 host {part:?} has no closing ']'"),
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
        return Err(bad(display, format_args!("the host in {part:?} is empty")));
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
        _ => Err(bad(
            display,
            format_args!("the port {p:?} is not a number in 1..65535"),
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
        "connect_timeout" => {
            let secs = parse_seconds(key, &value, display)?;
            if secs > 0 {
                config.connect_timeout(Duration::from_secs(secs));
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
        "sslmode" => match value.as_str() {
            "disable" => {
                config.ssl_mode(SslMode::Disable);
            }
            "allow" | "prefer" => {
                config.ssl_mode(SslMode::Prefer);
            }
            "require" | "verify-ca" | "verify-full" => {
                return Err(bad(
                    display,
                    format_args!(
                        "sslmode={value} needs TLS, which this driver does not support yet; \
                         use sslmode=disable or sslmode=prefer"
                    ),
                ));
            }
            _ => {
                return Err(bad(
                    display,
                    format_args!(
                        "sslmode={value:?} is not one of disable, allow, prefer, require, verify-ca, verify-full"
                    ),
                ));
            }
        },
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

/// The URL with the password (in the authority or a `password=` option) shown as `***`.
pub(crate) fn mask_password(url: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let mut out = match head.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _)) => format!("{user}:***@{host}"),
                    None => authority.to_owned(),
                },
                None => authority.to_owned(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => head.to_owned(),
    };
    if let Some(query) = query {
        out.push('?');
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some(("password", _)) => "password=***".to_owned(),
                _ => pair.to_owned(),
            })
            .collect();
        out.push_str(&masked.join("&"));
    }
    out
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
        assert_eq!(p.config.get_ssl_mode(), SslMode::Disable);
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
        assert!(err("postgresql://u@h:notaport/db").contains("port \"notaport\""));
        assert!(err("postgresql://u@h:0/db").contains("1..65535"));
        assert!(err("postgresql://u@h:70000/db").contains("1..65535"));
        assert!(err("postgresql://u@h/db?bogus=1").contains("unknown query option \"bogus\""));
        assert!(err("postgresql://u@h/db?sslmode").contains("has no '=value'"));
        assert!(err("postgresql://u@h/db?sslmode=require").contains("TLS"));
        assert!(err("postgresql://u@h/db?connect_timeout=soon").contains("seconds"));
        assert!(err("postgresql://u:p%zz@h/db").contains("percent-escape"));
        assert!(err("postgresql://u@[::1/db").contains("closing ']'"));
        assert!(err("postgresql://u@h1,,h2/db").contains("empty"));
        assert!(err("postgresql://u@h/db#frag").contains("fragment"));
        // The password never shows in an error.
        let m = err("postgresql://u:hunter2@h:bad/db");
        assert!(!m.contains("hunter2"), "{m}");
    }
}
