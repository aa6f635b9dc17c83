//! Which server is on the other end: MySQL or MariaDB, and which version.
//!
//! The two servers share a protocol but not a feature set: MariaDB 10.5 added
//! `INSERT/DELETE .. RETURNING`, MySQL has none; `INTERSECT`/`EXCEPT` arrived in
//! MariaDB 10.3 and MySQL 8.0.31. The driver reads `SELECT VERSION()` on its
//! first connection and stores the answer in the shared [`MysqlDialect`](crate::MysqlDialect).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// The server family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerFlavor {
    /// Oracle MySQL (and compatible forks such as Percona Server).
    MySql,
    /// MariaDB.
    MariaDb,
}

impl fmt::Display for ServerFlavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerFlavor::MySql => "MySQL",
            ServerFlavor::MariaDb => "MariaDB",
        })
    }
}

/// The server family and version `(major, minor, patch)`.
///
/// ```
/// use oxalchemy_mysql::{ServerFlavor, ServerInfo};
/// let maria = ServerInfo::parse("10.11.6-MariaDB-0+deb12u1").unwrap();
/// assert_eq!(maria.flavor, ServerFlavor::MariaDb);
/// assert_eq!(maria.version, (10, 11, 6));
/// assert!(maria.supports_returning());
/// let mysql = ServerInfo::parse("8.0.36").unwrap();
/// assert!(!mysql.supports_returning());
/// assert!(mysql.supports_intersect_except());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerInfo {
    /// MySQL or MariaDB.
    pub flavor: ServerFlavor,
    /// `(major, minor, patch)`.
    pub version: (u16, u16, u16),
}

impl ServerInfo {
    /// MySQL at `version`.
    pub const fn mysql(version: (u16, u16, u16)) -> Self {
        ServerInfo {
            flavor: ServerFlavor::MySql,
            version,
        }
    }

    /// MariaDB at `version`.
    pub const fn mariadb(version: (u16, u16, u16)) -> Self {
        ServerInfo {
            flavor: ServerFlavor::MariaDb,
            version,
        }
    }

    /// Parse the text of `SELECT VERSION()` (`8.0.36`, `10.11.6-MariaDB-0+deb12u1`,
    /// or the handshake form `5.5.5-10.11.6-MariaDB`). `None` when no version is found.
    pub fn parse(text: &str) -> Option<Self> {
        let mut text = text.trim();
        let mariadb = text.to_ascii_lowercase().contains("mariadb");
        // MariaDB's replication-compatible prefix: "5.5.5-10.11.6-MariaDB".
        if mariadb && let Some(rest) = text.strip_prefix("5.5.5-") {
            text = rest;
        }
        let numeric: &str = text
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .unwrap_or("");
        let mut parts = numeric.split('.').map(|p| p.parse::<u16>().ok());
        let major = parts.next().flatten()?;
        let minor = parts.next().flatten().unwrap_or(0);
        let patch = parts.next().flatten().unwrap_or(0);
        let flavor = if mariadb {
            ServerFlavor::MariaDb
        } else {
            ServerFlavor::MySql
        };
        Some(ServerInfo {
            flavor,
            version: (major, minor, patch),
        })
    }

    /// True for MariaDB.
    pub fn is_mariadb(&self) -> bool {
        self.flavor == ServerFlavor::MariaDb
    }

    /// True when the server is at least `version`.
    pub fn at_least(&self, version: (u16, u16, u16)) -> bool {
        self.version >= version
    }

    /// `INSERT .. RETURNING` and `DELETE .. RETURNING`: MariaDB 10.5 and later
    /// (MariaDB has no `UPDATE .. RETURNING`; MySQL has no RETURNING at all).
    pub fn supports_returning(&self) -> bool {
        self.is_mariadb() && self.at_least((10, 5, 0))
    }

    /// `INTERSECT` / `EXCEPT`: MariaDB 10.3 and MySQL 8.0.31 and later.
    pub fn supports_intersect_except(&self) -> bool {
        match self.flavor {
            ServerFlavor::MariaDb => self.at_least((10, 3, 0)),
            ServerFlavor::MySql => self.at_least((8, 0, 31)),
        }
    }

    /// `INTERSECT ALL` / `EXCEPT ALL`: MariaDB 10.5 and MySQL 8.0.31 and later.
    pub fn supports_intersect_except_all(&self) -> bool {
        match self.flavor {
            ServerFlavor::MariaDb => self.at_least((10, 5, 0)),
            ServerFlavor::MySql => self.at_least((8, 0, 31)),
        }
    }

    fn pack(self) -> u64 {
        let flavor = match self.flavor {
            ServerFlavor::MySql => 0u64,
            ServerFlavor::MariaDb => 1u64,
        };
        (flavor << 48)
            | (u64::from(self.version.0) << 32)
            | (u64::from(self.version.1) << 16)
            | u64::from(self.version.2)
    }

    fn unpack(bits: u64) -> Self {
        let flavor = if (bits >> 48) & 1 == 1 {
            ServerFlavor::MariaDb
        } else {
            ServerFlavor::MySql
        };
        ServerInfo {
            flavor,
            version: ((bits >> 32) as u16, (bits >> 16) as u16, bits as u16),
        }
    }
}

impl fmt::Display for ServerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.version;
        write!(f, "{} {a}.{b}.{c}", self.flavor)
    }
}

/// A [`ServerInfo`] shared between threads and updated in place (one atomic word),
/// plus a flag saying whether it was read from a live server yet.
#[derive(Debug)]
pub(crate) struct ServerInfoCell {
    bits: AtomicU64,
}

const DETECTED: u64 = 1 << 56;

impl ServerInfoCell {
    pub(crate) fn new(info: ServerInfo) -> Self {
        ServerInfoCell {
            bits: AtomicU64::new(info.pack()),
        }
    }

    pub(crate) fn get(&self) -> ServerInfo {
        ServerInfo::unpack(self.bits.load(Ordering::Acquire))
    }

    pub(crate) fn is_detected(&self) -> bool {
        self.bits.load(Ordering::Acquire) & DETECTED != 0
    }

    pub(crate) fn set_detected(&self, info: ServerInfo) {
        self.bits.store(info.pack() | DETECTED, Ordering::Release);
    }

    pub(crate) fn set(&self, info: ServerInfo) {
        let detected = self.bits.load(Ordering::Acquire) & DETECTED;
        self.bits.store(info.pack() | detected, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(
            ServerInfo::parse("5.5.5-10.11.6-MariaDB"),
            Some(ServerInfo::mariadb((10, 11, 6)))
        );
        assert_eq!(
            ServerInfo::parse("10.4.32-MariaDB-log"),
            Some(ServerInfo::mariadb((10, 4, 32)))
        );
        assert_eq!(
            ServerInfo::parse("8.0.30-0ubuntu0.20.04.2"),
            Some(ServerInfo::mysql((8, 0, 30)))
        );
        assert_eq!(ServerInfo::parse("9.1"), Some(ServerInfo::mysql((9, 1, 0))));
        assert_eq!(ServerInfo::parse("garbage"), None);
    }

    #[test]
    fn features_by_version() {
        assert!(!ServerInfo::mariadb((10, 4, 0)).supports_returning());
        assert!(ServerInfo::mariadb((10, 5, 0)).supports_returning());
        assert!(!ServerInfo::mysql((8, 4, 0)).supports_returning());
        assert!(!ServerInfo::mysql((8, 0, 30)).supports_intersect_except());
        assert!(ServerInfo::mysql((8, 0, 31)).supports_intersect_except());
        assert!(!ServerInfo::mariadb((10, 2, 9)).supports_intersect_except());
        assert!(ServerInfo::mariadb((10, 3, 0)).supports_intersect_except());
    }

    #[test]
    fn cell_round_trips() {
        let cell = ServerInfoCell::new(ServerInfo::mysql((8, 0, 31)));
        assert!(!cell.is_detected());
        assert_eq!(cell.get(), ServerInfo::mysql((8, 0, 31)));
        cell.set_detected(ServerInfo::mariadb((10, 11, 19)));
        assert!(cell.is_detected());
        assert_eq!(cell.get(), ServerInfo::mariadb((10, 11, 19)));
        cell.set(ServerInfo::mysql((5, 7, 44)));
        assert!(cell.is_detected());
        assert_eq!(cell.get(), ServerInfo::mysql((5, 7, 44)));
    }
}
