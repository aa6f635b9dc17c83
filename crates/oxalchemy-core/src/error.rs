//! The one error type of oxalchemy.

use std::fmt;
use std::time::Duration;

/// `Result<T, oxalchemy::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which integrity constraint a statement violated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntegrityKind {
    /// A UNIQUE or PRIMARY KEY constraint.
    Unique,
    /// A FOREIGN KEY constraint.
    ForeignKey,
    /// A NOT NULL constraint.
    NotNull,
    /// A CHECK constraint.
    Check,
    /// Another integrity violation the driver could not classify.
    Other,
}

impl fmt::Display for IntegrityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IntegrityKind::Unique => "unique",
            IntegrityKind::ForeignKey => "foreign key",
            IntegrityKind::NotNull => "not null",
            IntegrityKind::Check => "check",
            IntegrityKind::Other => "integrity",
        })
    }
}

/// Every failure oxalchemy reports, from a bad URL to a lost connection.
///
/// The variants follow SQLAlchemy's exception hierarchy (`IntegrityError`,
/// `OperationalError`, ...) so errors are portable across backends: a unique
/// violation is `IntegrityError { kind: IntegrityKind::Unique, .. }` on SQLite,
/// PostgreSQL and MySQL alike.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A constraint of the database rejected the statement.
    #[error("IntegrityError ({kind} constraint{}): {message}{}", constraint.as_ref().map(|c| format!(" {c}")).unwrap_or_default(), sql_suffix(sql))]
    IntegrityError {
        /// Which kind of constraint.
        kind: IntegrityKind,
        /// The constraint's name, when the database reports it.
        constraint: Option<String>,
        /// The database's message.
        message: String,
        /// The SQL that failed.
        sql: Option<String>,
    },
    /// The database could not do the work: connection lost, server gone, deadlock, ...
    #[error("OperationalError: {message}{}", if *disconnect { " (the connection is lost; it is discarded, retry on a new one)" } else { "" })]
    OperationalError {
        /// What happened.
        message: String,
        /// True when the connection is no longer usable.
        disconnect: bool,
    },
    /// The SQL was wrong: syntax error, missing table or column, wrong number of parameters.
    #[error("ProgrammingError: {message}{}", sql_suffix(sql))]
    ProgrammingError {
        /// The database's message.
        message: String,
        /// The SQL that failed.
        sql: Option<String>,
    },
    /// A value did not fit: out of range, invalid text for a type, division by zero.
    #[error("DataError: {message}{}", sql_suffix(sql))]
    DataError {
        /// The database's message.
        message: String,
        /// The SQL that failed.
        sql: Option<String>,
    },
    /// A database value could not be decoded into the Rust type asked for.
    #[error(
        "DecodeError: column {column}: cannot decode {found} as {rust_type}; ask for a matching type (an Option<_> for NULL)"
    )]
    DecodeError {
        /// The column's label or position.
        column: String,
        /// The Rust type that was asked for.
        rust_type: &'static str,
        /// What the database held.
        found: String,
    },
    /// No connection became free within `pool_timeout`.
    #[error(
        "PoolTimeout: no connection became free within {timeout:?} (pool_size {pool_size}, max_overflow {max_overflow}, all checked out); raise pool_size/max_overflow or return connections sooner"
    )]
    PoolTimeout {
        /// The configured timeout.
        timeout: Duration,
        /// The configured pool size.
        pool_size: usize,
        /// The configured overflow.
        max_overflow: usize,
    },
    /// `one()` found no row.
    #[error("NoResultFound: no row was found when one was required")]
    NoResultFound,
    /// `one()` / `one_or_none()` found more than one row.
    #[error("MultipleResultsFound: multiple rows were found when exactly one was required")]
    MultipleResultsFound,
    /// A relationship was read before it was loaded.
    #[error(
        "NotLoaded: relationship {relationship} is not loaded (there is no implicit lazy load); load it in the query with .options({loader}) (or joinedload / subqueryload), or afterwards with session.load(&mut value, {konst})",
        loader = not_loaded_hint(relationship, true),
        konst = not_loaded_hint(relationship, false)
    )]
    NotLoaded {
        /// `Model.relationship`.
        relationship: String,
    },
    /// An UPDATE or DELETE matched fewer rows than expected (optimistic concurrency).
    #[error("StaleDataError: {message}")]
    StaleDataError {
        /// What was expected and what was found.
        message: String,
    },
    /// A bad argument: URL, unknown column, bad mapping, missing bind.
    #[error("ArgumentError: {0}")]
    ArgumentError(String),
    /// An API was used in a state where it cannot work.
    #[error("InvalidRequest: {0}")]
    InvalidRequest(String),
    /// The backend lacks the feature.
    #[error("Unsupported: {feature} is not supported by the {dialect} dialect{}", hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default())]
    Unsupported {
        /// The feature.
        feature: String,
        /// The dialect name.
        dialect: String,
        /// What to do instead, if anything.
        hint: Option<String>,
    },
}

fn sql_suffix(sql: &Option<String>) -> String {
    match sql {
        Some(s) => format!("\n[SQL: {s}]"),
        None => String::new(),
    }
}

impl Error {
    /// True when the error means the connection is gone (SQLAlchemy's `is_disconnect`).
    pub fn is_disconnect(&self) -> bool {
        matches!(
            self,
            Error::OperationalError {
                disconnect: true,
                ..
            }
        )
    }

    /// The constraint kind of an `IntegrityError`, else `None`.
    pub fn integrity_kind(&self) -> Option<IntegrityKind> {
        match self {
            Error::IntegrityError { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The SQL the error carries, if any.
    pub fn sql(&self) -> Option<&str> {
        match self {
            Error::IntegrityError { sql, .. }
            | Error::ProgrammingError { sql, .. }
            | Error::DataError { sql, .. } => sql.as_deref(),
            _ => None,
        }
    }

    /// Attach the SQL text to an error raised while running it (if it has none yet).
    pub fn with_sql(mut self, text: &str) -> Self {
        match &mut self {
            Error::IntegrityError { sql, .. }
            | Error::ProgrammingError { sql, .. }
            | Error::DataError { sql, .. }
                if sql.is_none() =>
            {
                *sql = Some(text.to_owned());
            }
            _ => {}
        }
        self
    }

    /// Shorthand for an `ArgumentError`.
    pub fn argument(msg: impl Into<String>) -> Self {
        Error::ArgumentError(msg.into())
    }

    /// Shorthand for an `InvalidRequest`.
    pub fn invalid_request(msg: impl Into<String>) -> Self {
        Error::InvalidRequest(msg.into())
    }

    /// Shorthand for an `Unsupported` error.
    pub fn unsupported(feature: impl Into<String>, dialect: &str, hint: Option<&str>) -> Self {
        Error::Unsupported {
            feature: feature.into(),
            dialect: dialect.to_owned(),
            hint: hint.map(str::to_owned),
        }
    }

    /// Shorthand for an `OperationalError`.
    pub fn operational(msg: impl Into<String>, disconnect: bool) -> Self {
        Error::OperationalError {
            message: msg.into(),
            disconnect,
        }
    }
}

/// `"User.addresses"` -> `selectinload(User::ADDRESSES)` (or `User::ADDRESSES`).
fn not_loaded_hint(relationship: &str, loader: bool) -> String {
    let konst = match relationship.rsplit_once('.') {
        Some((model, field)) => format!("{model}::{}", field.to_uppercase()),
        None => relationship.to_uppercase(),
    };
    if loader {
        format!("selectinload({konst})")
    } else {
        konst
    }
}
