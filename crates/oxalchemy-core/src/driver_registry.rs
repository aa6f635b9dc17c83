//! The driver registry: which backend serves which URL scheme.
//!
//! A backend crate declares what it serves with [`register_driver!`](crate::register_driver): its URL
//! schemes and a function that builds its [`Driver`] from a URL. Linking the
//! crate registers it (the declaration is collected at link time, as the
//! ORM's model registry is), so the facade installs a backend by depending on
//! it under a feature, and the pool, which only looks drivers up here,
//! depends on no backend. A driver can also be installed at run time with
//! [`install_driver`] (a test double, a wrapper around another driver).
//!
//! [`driver_from_url`] routes a URL: the scheme before `://`, lower-cased and
//! without a `+driver` suffix (SQLAlchemy's `postgresql+psycopg://`), picks
//! the registration; the backend sees the URL with the suffix stripped.
//!
//! A third-party backend registers itself the same way:
//!
//! ```
//! use oxalchemy_core::driver_registry::{DriverRegistration, driver_from_url};
//! use oxalchemy_core::{Driver, Result};
//! use std::sync::Arc;
//!
//! fn connect_duck(url: &str) -> Result<Arc<dyn Driver>> {
//!     Err(oxalchemy_core::Error::argument(format!("demo only: {url}")))
//! }
//!
//! oxalchemy_core::register_driver!(DriverRegistration {
//!     name: "duckdb",
//!     schemes: &["duckdb"],
//!     connect: connect_duck,
//! });
//!
//! let err = driver_from_url("duckdb+native:///data.db").unwrap_err();
//! assert_eq!(err.to_string(), "ArgumentError: demo only: duckdb:///data.db");
//! ```

use crate::driver::Driver;
use crate::error::{Error, Result};
use crate::url_mask::redact_url;
use parking_lot::RwLock;
use std::sync::Arc;

/// What one backend serves: its URL schemes and how to build its driver.
#[derive(Debug, Clone, Copy)]
pub struct DriverRegistration {
    /// The backend's name, for messages (`"postgresql"`).
    pub name: &'static str,
    /// The URL schemes it serves, lower-case, without `+driver` suffixes
    /// (`["postgresql", "postgres"]`).
    pub schemes: &'static [&'static str],
    /// Build the driver from a URL whose scheme is one of `schemes`.
    pub connect: fn(&str) -> Result<Arc<dyn Driver>>,
}

inventory::collect!(DriverRegistration);

/// Register a backend at link time: `register_driver!(DriverRegistration { .. })`
/// in the backend crate (see the [module docs](crate::driver_registry)).
#[macro_export]
macro_rules! register_driver {
    ($registration:expr $(,)?) => {
        $crate::__inventory::submit! { $registration }
    };
}

/// Drivers installed at run time, searched before the linked ones.
static INSTALLED: RwLock<Vec<DriverRegistration>> = RwLock::new(Vec::new());

/// Install a driver at run time. A later installation of a scheme wins over
/// an earlier one and over the linked registrations.
///
/// ```
/// use oxalchemy_core::driver_registry::{DriverRegistration, install_driver, registered_schemes};
/// fn refuse(_: &str) -> oxalchemy_core::Result<std::sync::Arc<dyn oxalchemy_core::Driver>> {
///     Err(oxalchemy_core::Error::argument("offline"))
/// }
/// install_driver(DriverRegistration { name: "offline", schemes: &["offline"], connect: refuse });
/// assert!(registered_schemes().contains(&"offline"));
/// ```
pub fn install_driver(registration: DriverRegistration) {
    INSTALLED.write().push(registration);
}

/// Every scheme a driver is registered for, installed ones first.
pub fn registered_schemes() -> Vec<&'static str> {
    let installed: Vec<&'static [&'static str]> =
        INSTALLED.read().iter().rev().map(|r| r.schemes).collect();
    let linked = inventory::iter::<DriverRegistration>
        .into_iter()
        .map(|r| r.schemes);
    let mut out: Vec<&'static str> = Vec::new();
    for scheme in installed.into_iter().chain(linked).flatten() {
        if !out.contains(scheme) {
            out.push(scheme);
        }
    }
    out
}

fn find(scheme: &str) -> Option<DriverRegistration> {
    if let Some(reg) = INSTALLED
        .read()
        .iter()
        .rev()
        .find(|r| r.schemes.contains(&scheme))
    {
        return Some(*reg);
    }
    inventory::iter::<DriverRegistration>
        .into_iter()
        .find(|r| r.schemes.contains(&scheme))
        .copied()
}

/// The backends oxalchemy itself ships, by scheme, with the facade feature
/// that links each: named in the error for a scheme nobody registered.
const SHIPPED: &[(&str, &str)] = &[
    ("sqlite", "sqlite"),
    ("postgresql", "postgres"),
    ("postgres", "postgres"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
];

const URL_FORMS: &str = "sqlite:// (in-memory), sqlite:///relative/path.db, sqlite:////absolute/path.db, \
     postgresql://user:password@host:5432/database, mysql://user:password@host:3306/database \
     (mariadb:// is accepted too)";

/// Build the driver for `url` through the registered backends, or explain
/// why the URL cannot be used (malformed, unknown scheme, or a backend whose
/// feature is not enabled). Passwords never appear in the error.
///
/// ```
/// use oxalchemy_core::driver_registry::driver_from_url;
/// let e = driver_from_url("oracle://scott:tiger@h/db").unwrap_err().to_string();
/// assert!(e.contains("unknown database URL scheme 'oracle'") && !e.contains("tiger"), "{e}");
/// ```
pub fn driver_from_url(url: &str) -> Result<Arc<dyn Driver>> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(Error::argument(format!(
            "could not parse the database URL {:?}: expected `<dialect>://...`, for example {URL_FORMS}",
            redact_url(url)
        )));
    };
    let lower = scheme.to_ascii_lowercase();
    let base = lower.split('+').next().unwrap_or_default();
    if let Some(reg) = find(base) {
        // The backend sees the scheme without any "+driver" suffix.
        return (reg.connect)(&format!("{base}://{rest}"));
    }
    if let Some((_, feature)) = SHIPPED.iter().find(|(s, _)| *s == base) {
        return Err(Error::argument(format!(
            "the URL scheme '{scheme}' needs oxalchemy's `{feature}` feature, which is not enabled: \
             oxalchemy = {{ version = \"{}\", features = [\"{feature}\"] }}",
            env!("CARGO_PKG_VERSION")
        )));
    }
    let mut known = registered_schemes();
    for (s, _) in SHIPPED {
        if !known.contains(s) {
            known.push(s);
        }
    }
    Err(Error::argument(format!(
        "unknown database URL scheme '{scheme}' in {:?}: the schemes oxalchemy knows are {} \
         (a '+driver' suffix such as postgresql+psycopg:// is accepted; a third-party backend \
         registers more with oxalchemy::driver::register_driver!); for example {URL_FORMS}",
        redact_url(url),
        known
            .iter()
            .map(|s| format!("{s}://"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
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
    fn malformed_and_unknown() {
        assert!(err("localhost/db").contains("expected `<dialect>://...`"));
        let e = err("oracle://scott:tiger@h/db");
        assert!(e.contains("unknown database URL scheme 'oracle'"), "{e}");
        assert!(e.contains("postgresql://"), "{e}");
        assert!(!e.contains("tiger"), "{e}");
    }

    #[test]
    fn shipped_backend_without_its_feature_names_the_feature() {
        // No backend is linked into core's own tests.
        for url in [
            "postgresql://u@h/db",
            "postgres://u@h/db",
            "postgresql+psycopg://u@h/db",
        ] {
            let e = err(url);
            assert!(e.contains("`postgres` feature"), "{e}");
            assert!(e.contains("features = [\"postgres\"]"), "{e}");
        }
        assert!(err("mariadb://u@h/db").contains("`mysql` feature"));
    }

    fn echo_url(url: &str) -> Result<Arc<dyn Driver>> {
        Err(Error::argument(format!("reached with {url}")))
    }

    #[test]
    fn installed_driver_gets_the_url_without_the_driver_suffix() {
        install_driver(DriverRegistration {
            name: "echo",
            schemes: &["echo-test"],
            connect: echo_url,
        });
        assert_eq!(
            err("ECHO-TEST+fast://h/db"),
            "ArgumentError: reached with echo-test://h/db"
        );
        assert!(registered_schemes().contains(&"echo-test"));
    }
}
