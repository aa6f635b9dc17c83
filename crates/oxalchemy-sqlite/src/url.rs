//! Parsing `sqlite://` URLs into what to open and how.

use oxalchemy_core::{Error, Result};
use std::path::PathBuf;
use std::time::Duration;

/// The default busy timeout: how long a statement waits for another
/// connection's lock before failing with "database is locked".
pub(crate) const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const ACCEPTED_FORMS: &str = "accepted forms: `sqlite://` or `sqlite:///:memory:` (in-memory), \
     `sqlite:///relative/path.db` (relative to the current directory), \
     `sqlite:////absolute/path.db`; optional query parameters: `mode=ro|rw|rwc`, `timeout=<seconds>`";

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A private in-memory database (one per driver, shared by its connections).
    Memory,
    /// A database file, already made absolute.
    File(PathBuf),
}

/// The longest busy timeout SQLite can take: `sqlite3_busy_timeout` counts
/// milliseconds in a C `int` (about 24.8 days). A larger `timeout=` is an
/// `ArgumentError`.
pub(crate) const MAX_BUSY_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);

/// How a file database is opened (`mode=` in the URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenMode {
    /// Read only (`mode=ro`).
    Ro,
    /// Read and write, the file must exist (`mode=rw`).
    Rw,
    /// Read and write, create the file when missing (`mode=rwc`, the default).
    Rwc,
}

/// A parsed SQLite URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqliteUrl {
    /// The database to open.
    pub target: Target,
    /// How to open it.
    pub mode: OpenMode,
    /// The busy timeout of each connection.
    pub busy_timeout: Duration,
}

/// An `ArgumentError` for `url`, its secrets masked (a mistyped server URL
/// handed to the SQLite backend may hold a password).
fn bad(url: &str, why: &str) -> Error {
    let shown = oxalchemy_core::redact_url(url);
    Error::argument(format!(
        "invalid SQLite URL {shown:?}: {why}; {ACCEPTED_FORMS}"
    ))
}

/// Parse a `sqlite://` URL (the scheme may carry a driver suffix: `sqlite+rusqlite://`).
pub(crate) fn parse(url: &str) -> Result<SqliteUrl> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad(
            url,
            "expected `sqlite://` followed by an optional `/path`",
        ));
    };
    let scheme_ok = scheme.eq_ignore_ascii_case("sqlite")
        || scheme
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("sqlite+"));
    if !scheme_ok {
        return Err(bad(
            url,
            &format!("the scheme is {scheme:?}, not \"sqlite\""),
        ));
    }
    let (location, query) = match rest.split_once('?') {
        Some((l, q)) => (l, Some(q)),
        None => (rest, None),
    };
    let mut parsed = SqliteUrl {
        target: Target::Memory,
        mode: OpenMode::Rwc,
        busy_timeout: DEFAULT_BUSY_TIMEOUT,
    };
    if !location.is_empty() {
        let Some(path) = location.strip_prefix('/') else {
            // `user:password@host` may stand there: mask it too.
            let host = oxalchemy_core::redact_url(location.split('/').next().unwrap_or(location));
            return Err(bad(
                url,
                &format!(
                    "a SQLite URL has no host, but {host:?} stands where a host would (use three slashes before a path)"
                ),
            ));
        };
        if !path.is_empty() && path != ":memory:" {
            let absolute = std::path::absolute(path)
                .map_err(|e| bad(url, &format!("cannot resolve the path {path:?}: {e}")))?;
            parsed.target = Target::File(absolute);
        }
    }
    if let Some(query) = query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "mode" => {
                    parsed.mode = match value {
                        "ro" => OpenMode::Ro,
                        "rw" => OpenMode::Rw,
                        "rwc" => OpenMode::Rwc,
                        "memory" => {
                            parsed.target = Target::Memory;
                            OpenMode::Rwc
                        }
                        other => {
                            return Err(bad(
                                url,
                                &format!("mode={other:?} is not one of ro, rw, rwc, memory"),
                            ));
                        }
                    }
                }
                "timeout" => parsed.busy_timeout = parse_timeout(url, value)?,
                // pysqlite connect arguments that mean nothing here.
                "check_same_thread" | "uri" | "cache" => {}
                other => {
                    return Err(bad(url, &format!("unknown query parameter {other:?}")));
                }
            }
        }
    }
    if parsed.target == Target::Memory {
        // An in-memory database is always writable.
        parsed.mode = OpenMode::Rwc;
    }
    Ok(parsed)
}

/// `timeout=<seconds>`: a finite, non-negative number no larger than
/// [`MAX_BUSY_TIMEOUT`] (NaN, infinities, negatives, `1e20` and `3000000`
/// are `ArgumentError`s, never a panic of `Duration` or of SQLite's setter).
fn parse_timeout(url: &str, value: &str) -> Result<Duration> {
    let secs: f64 = value
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| {
            bad(
                url,
                &format!("timeout={value:?} is not a non-negative number of seconds"),
            )
        })?;
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| *d <= MAX_BUSY_TIMEOUT)
        .ok_or_else(|| {
            bad(
                url,
                &format!(
                    "timeout={value:?} is longer than SQLite's limit of {} seconds",
                    MAX_BUSY_TIMEOUT.as_secs_f64()
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_forms() {
        for url in [
            "sqlite://",
            "sqlite:///:memory:",
            "sqlite:///",
            "sqlite+rusqlite://",
        ] {
            assert_eq!(parse(url).unwrap().target, Target::Memory, "{url}");
        }
    }

    #[test]
    fn file_forms() {
        let abs = parse("sqlite:////tmp/x/y.db").unwrap();
        assert_eq!(abs.target, Target::File(PathBuf::from("/tmp/x/y.db")));
        let rel = parse("sqlite:///data/y.db").unwrap();
        let expected = std::env::current_dir().unwrap().join("data/y.db");
        assert_eq!(rel.target, Target::File(expected));
    }

    #[test]
    fn query_parameters() {
        let u = parse("sqlite:////tmp/a.db?mode=ro&timeout=1.5").unwrap();
        assert_eq!(u.mode, OpenMode::Ro);
        assert_eq!(u.busy_timeout, Duration::from_millis(1500));
        assert!(parse("sqlite:////tmp/a.db?bogus=1").is_err());
        assert!(parse("sqlite:////tmp/a.db?timeout=abc").is_err());
    }

    #[test]
    fn timeouts_never_panic() {
        let ok = parse("sqlite:///:memory:?timeout=2147483").unwrap();
        assert_eq!(ok.busy_timeout, Duration::from_secs(2_147_483));
        assert_eq!(
            parse("sqlite://?timeout=0").unwrap().busy_timeout,
            Duration::ZERO
        );
        for bad_value in [
            "1e20", "3000000", "2147484", "nan", "NaN", "inf", "-inf", "-1", "-0.5", "", "1e400",
        ] {
            let url = format!("sqlite:///:memory:?timeout={bad_value}");
            let err = parse(&url).unwrap_err();
            assert!(matches!(err, Error::ArgumentError(_)), "{url}: {err}");
            assert!(err.to_string().contains("timeout="), "{err}");
        }
    }

    #[test]
    fn passwords_are_masked_in_errors() {
        for url in [
            "sqlite://u:hunter2@host/x.db",
            "sqlite+x://u:hun/ter2@h",
            "sqlite:///x.db?password=hunter2",
            "postgresql://u:hunter2@h/db",
        ] {
            let err = parse(url).unwrap_err();
            assert!(!err.to_string().contains("hunter2"), "{err}");
            assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
        }
    }

    #[test]
    fn bad_urls() {
        for url in [
            "sqlite:/x",
            "sqlite:x",
            "sqlite://host/x",
            "sqlite://:memory:",
            "postgres://x",
            "",
        ] {
            let err = parse(url).unwrap_err();
            assert!(matches!(err, Error::ArgumentError(_)), "{url}: {err}");
            assert!(
                err.to_string().contains("sqlite:///relative/path.db"),
                "{err}"
            );
        }
    }
}
