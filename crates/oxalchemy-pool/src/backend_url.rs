//! Database URL -> backend driver, by scheme, among the enabled features.
//!
//! | scheme                                  | feature    | driver              |
//! |-----------------------------------------|------------|---------------------|
//! | `sqlite`                                | `sqlite`   | `SqliteDriver`      |
//! | `postgresql`, `postgres`, `postgresql+x`| `postgres` | `PostgresDriver`    |
//! | `mysql`, `mariadb`, `mysql+x`           | `mysql`    | `MysqlDriver`       |
//!
//! A `+driver` suffix (SQLAlchemy's `postgresql+psycopg://`) is accepted and
//! stripped before the URL reaches the backend.

use oxalchemy_core::{Driver, Error, Result};
use std::sync::Arc;

const URL_FORMS: &str = "sqlite:// (in-memory), sqlite:///relative/path.db, sqlite:////absolute/path.db, \
     postgresql://user:password@host:5432/database, mysql://user:password@host:3306/database \
     (mariadb:// is accepted too)";

/// The backend a URL scheme names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    #[cfg(not(all(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }
}

/// Build the driver for `url`, or explain why the URL cannot be used.
pub(crate) fn driver_from_url(url: &str) -> Result<Arc<dyn Driver>> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(Error::argument(format!(
            "could not parse the database URL {:?}: expected `<dialect>://...`, for example {URL_FORMS}",
            mask_password(url)
        )));
    };
    let scheme_lower = scheme.to_ascii_lowercase();
    let base = scheme_lower.split('+').next().unwrap_or_default();
    let backend = match base {
        "sqlite" => Backend::Sqlite,
        "postgresql" | "postgres" => Backend::Postgres,
        "mysql" | "mariadb" => Backend::Mysql,
        _ => {
            return Err(Error::argument(format!(
                "unknown database URL scheme '{scheme}' in {:?}: oxalchemy supports sqlite://, \
                 postgresql:// (also postgres://), mysql:// and mariadb:// (a '+driver' suffix such \
                 as postgresql+psycopg:// is accepted); for example {URL_FORMS}",
                mask_password(url)
            )));
        }
    };
    // The backend sees the scheme without any "+driver" suffix.
    let normalized = format!("{base}://{rest}");
    connect_backend(backend, scheme, &normalized)
}

#[cfg(not(all(feature = "sqlite", feature = "postgres", feature = "mysql")))]
fn feature_disabled(backend: Backend, scheme: &str) -> Error {
    let feature = backend.feature();
    Error::argument(format!(
        "the URL scheme '{scheme}' needs oxalchemy's `{feature}` feature, which is not enabled: \
         oxalchemy = {{ version = \"{}\", features = [\"{feature}\"] }}",
        env!("CARGO_PKG_VERSION")
    ))
}

fn connect_backend(backend: Backend, scheme: &str, url: &str) -> Result<Arc<dyn Driver>> {
    match backend {
        Backend::Sqlite => sqlite(scheme, url),
        Backend::Postgres => postgres(scheme, url),
        Backend::Mysql => mysql(scheme, url),
    }
}

#[cfg(feature = "sqlite")]
fn sqlite(_scheme: &str, url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(oxalchemy_sqlite::SqliteDriver::from_url(url)?))
}

#[cfg(not(feature = "sqlite"))]
fn sqlite(scheme: &str, _url: &str) -> Result<Arc<dyn Driver>> {
    Err(feature_disabled(Backend::Sqlite, scheme))
}

#[cfg(feature = "postgres")]
fn postgres(_scheme: &str, url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(oxalchemy_postgres::PostgresDriver::from_url(url)?))
}

#[cfg(not(feature = "postgres"))]
fn postgres(scheme: &str, _url: &str) -> Result<Arc<dyn Driver>> {
    Err(feature_disabled(Backend::Postgres, scheme))
}

#[cfg(feature = "mysql")]
fn mysql(_scheme: &str, url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(oxalchemy_mysql::MysqlDriver::from_url(url)?))
}

#[cfg(not(feature = "mysql"))]
fn mysql(scheme: &str, _url: &str) -> Result<Arc<dyn Driver>> {
    Err(feature_disabled(Backend::Mysql, scheme))
}

/// `url` with its secrets (the password, `?password=` options) replaced by
/// `***`: the same function as [`oxalchemy_core::redact_url`], kept under
/// this name for existing callers.
///
/// ```
/// use oxalchemy_pool::mask_password;
/// assert_eq!(mask_password("postgresql://me:secret@db/app"), "postgresql://me:***@db/app");
/// assert_eq!(mask_password("sqlite:///x.db"), "sqlite:///x.db");
/// ```
pub fn mask_password(url: &str) -> String {
    oxalchemy_core::redact_url(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(url: &str) -> String {
        match driver_from_url(url) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{url} should fail"),
        }
    }

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask_password("mysql://root:pw@h:3306/db?x=1"),
            "mysql://root:***@h:3306/db?x=1"
        );
        assert_eq!(mask_password("mysql://root@h/db"), "mysql://root@h/db");
        assert_eq!(mask_password("nonsense"), "nonsense");
    }

    #[test]
    fn malformed_and_unknown() {
        assert!(err("localhost/db").contains("expected `<dialect>://...`"));
        let e = err("oracle://scott:tiger@h/db");
        assert!(e.contains("unknown database URL scheme 'oracle'"), "{e}");
        assert!(!e.contains("tiger"), "{e}");
    }

    #[cfg(not(feature = "postgres"))]
    #[test]
    fn disabled_feature_is_named() {
        for url in [
            "postgresql://u@h/db",
            "postgres://u@h/db",
            "postgresql+psycopg://u@h/db",
        ] {
            let e = err(url);
            assert!(e.contains("`postgres` feature"), "{e}");
            assert!(e.contains("features = [\"postgres\"]"), "{e}");
        }
    }
}
