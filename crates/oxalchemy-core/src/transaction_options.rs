//! `TxOptions` and `IsolationLevel`: how a transaction is begun
//! ([`DriverConnection::begin`](crate::DriverConnection::begin)).

use std::borrow::Cow;
use std::fmt;

/// A transaction isolation level (SQL standard names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IsolationLevel {
    /// `READ UNCOMMITTED`.
    ReadUncommitted,
    /// `READ COMMITTED`.
    ReadCommitted,
    /// `REPEATABLE READ`.
    RepeatableRead,
    /// `SERIALIZABLE`.
    Serializable,
}

impl IsolationLevel {
    /// The level as SQL writes it: `"READ COMMITTED"`, ...
    pub fn as_sql(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "READ UNCOMMITTED",
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::Serializable => "SERIALIZABLE",
        }
    }
}

impl fmt::Display for IsolationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_sql())
    }
}

/// How to begin a transaction: the default (the database's own isolation
/// level, read-write) or with an isolation level and / or read only.
///
/// A backend that cannot honour an option refuses the `begin` with an error
/// naming itself and the option; it never ignores one.
///
/// ```
/// use oxalchemy_core::{IsolationLevel, TxOptions};
/// assert!(TxOptions::default().is_default());
/// let o = TxOptions::default().isolation(IsolationLevel::Serializable).read_only(true);
/// assert_eq!(o.begin_sql("BEGIN"), "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY");
/// assert_eq!(TxOptions::default().begin_sql("BEGIN"), "BEGIN");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TxOptions {
    /// The isolation level; `None` keeps the connection's (the server's default).
    pub isolation: Option<IsolationLevel>,
    /// Refuse writes in this transaction.
    pub read_only: bool,
}

impl TxOptions {
    /// These options with `level` as the isolation level.
    pub fn isolation(mut self, level: IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }

    /// These options, read only or not.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// True for the defaults (no isolation level, read-write).
    pub fn is_default(&self) -> bool {
        self.isolation.is_none() && !self.read_only
    }

    /// The begin statement in standard SQL wording: `plain` (the dialect's
    /// `begin_sql()`) for the defaults, else `BEGIN ISOLATION LEVEL ..
    /// [READ ONLY]` (PostgreSQL's syntax). This is the text engine events and
    /// echo show; each driver sends its own protocol.
    pub fn begin_sql(&self, plain: &'static str) -> Cow<'static, str> {
        if self.is_default() {
            return Cow::Borrowed(plain);
        }
        let mut sql = String::from("BEGIN");
        if let Some(level) = self.isolation {
            sql.push_str(" ISOLATION LEVEL ");
            sql.push_str(level.as_sql());
        }
        if self.read_only {
            sql.push_str(" READ ONLY");
        }
        Cow::Owned(sql)
    }
}

/// `name` when it can be written into `SAVEPOINT name` as it is: a plain
/// identifier (an ASCII letter or `_`, then letters, digits or `_`, at most
/// 63 characters). The engine's names (`sa_savepoint_1`) always are; a
/// driver checks the names it is given, so no text reaches the database
/// through a savepoint name.
///
/// ```
/// use oxalchemy_core::savepoint_name;
/// assert_eq!(savepoint_name("sa_savepoint_1").unwrap(), "sa_savepoint_1");
/// assert!(savepoint_name("sp; DROP TABLE users").is_err());
/// ```
pub fn savepoint_name(name: &str) -> crate::Result<&str> {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 63;
    if plain {
        Ok(name)
    } else {
        Err(crate::Error::argument(format!(
            "savepoint name {name:?} is not a plain identifier: use ASCII letters, digits and \
             '_', starting with a letter or '_', at most 63 characters"
        )))
    }
}

/// The three savepoint statements, spelled once for the engine's event text
/// and every backend.
///
/// ```
/// use oxalchemy_core::SavepointCommand;
/// assert_eq!(SavepointCommand::RollbackTo.sql("sa_savepoint_2").unwrap(), "ROLLBACK TO SAVEPOINT sa_savepoint_2");
/// assert!(SavepointCommand::Open.sql("x; DROP TABLE t").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavepointCommand {
    /// `SAVEPOINT name`.
    Open,
    /// `RELEASE SAVEPOINT name`.
    Release,
    /// `ROLLBACK TO SAVEPOINT name`.
    RollbackTo,
}

impl SavepointCommand {
    /// The statement's keywords, before the name.
    pub fn keywords(self) -> &'static str {
        match self {
            SavepointCommand::Open => "SAVEPOINT",
            SavepointCommand::Release => "RELEASE SAVEPOINT",
            SavepointCommand::RollbackTo => "ROLLBACK TO SAVEPOINT",
        }
    }

    /// The statement for savepoint `name`, refused unless the name is a plain
    /// identifier ([`savepoint_name`]).
    pub fn sql(self, name: &str) -> crate::Result<String> {
        Ok(format!("{} {}", self.keywords(), savepoint_name(name)?))
    }
}
