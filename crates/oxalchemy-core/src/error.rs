//! The one error type of oxalchemy.

use crate::value::Value;
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
    /// A validator of a mapped column (`#[mapped_column(validate = ..)]`,
    /// SQLAlchemy's `@validates`) refused a value the session was given.
    #[error("ValidationError: {model}.{field}: {message}")]
    ValidationError {
        /// The model's type name.
        model: String,
        /// The field whose value was refused.
        field: String,
        /// The validator's message.
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
        Some(s) => format!("\n[SQL: {}]", truncate_sql(s)),
        None => String::new(),
    }
}

/// How many characters of SQL an error's text shows (see [`truncate_sql`]).
pub const ERROR_SQL_CHARS: usize = 2000;

/// SQL as an error's text shows it: the first [`ERROR_SQL_CHARS`] characters,
/// then `… (12345 more characters)` when it is longer, so a statement of
/// 70 000 placeholders does not make a 700 KB message. [`Error::sql`] still
/// gives the whole text.
///
/// ```
/// use oxalchemy_core::error::truncate_sql;
/// assert_eq!(truncate_sql("SELECT 1"), "SELECT 1");
/// let long = "x".repeat(2500);
/// assert!(truncate_sql(&long).ends_with("… (500 more characters)"));
/// ```
pub fn truncate_sql(sql: &str) -> std::borrow::Cow<'_, str> {
    match sql.char_indices().nth(ERROR_SQL_CHARS) {
        None => std::borrow::Cow::Borrowed(sql),
        Some((cut, _)) => {
            let more = sql[cut..].chars().count();
            std::borrow::Cow::Owned(format!("{}… ({more} more characters)", &sql[..cut]))
        }
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

    /// The database's own message, for code that shows errors to end users:
    /// the first line of the message (no SQL, no `DETAIL:` / `HINT:` lines,
    /// without oxalchemy's SQLSTATE / error-number annotation), e.g.
    /// `duplicate key value violates unique constraint "users_email_key"`.
    /// Errors that do not come from the database give their whole text
    /// without the error kind (`no row was found when one was required`).
    ///
    /// ```
    /// use oxalchemy_core::Error;
    /// let e = Error::DataError {
    ///     message: "numeric field overflow (SQLSTATE 22003)\nDETAIL: A field with precision 4 ..".into(),
    ///     sql: Some("INSERT INTO t VALUES ($1)".into()),
    /// };
    /// assert_eq!(e.message(), "numeric field overflow");
    /// ```
    pub fn message(&self) -> String {
        let db_text = match self {
            Error::IntegrityError { message, .. }
            | Error::ProgrammingError { message, .. }
            | Error::DataError { message, .. }
            | Error::OperationalError { message, .. } => message.as_str(),
            other => {
                let full = other.to_string();
                return match full.split_once(": ") {
                    Some((_, rest)) => rest.to_owned(),
                    None => full,
                };
            }
        };
        let first = db_text.lines().next().unwrap_or_default();
        // PostgreSQL: `message (SQLSTATE 23505)`.
        let first = match first.rfind(" (SQLSTATE ") {
            Some(at) if first.ends_with(')') => &first[..at],
            _ => first,
        };
        // MySQL: `(1062, SQLSTATE 23000) message`.
        let first = match first.strip_prefix('(').and_then(|r| r.split_once(") ")) {
            Some((code, rest)) if code.contains("SQLSTATE") => rest,
            _ => first,
        };
        first.to_owned()
    }

    /// The error as an engine with `hide_parameters` reports it: every
    /// rendering of one of `params` that oxalchemy wrote into the text
    /// (`cannot bind text "secret" ..`) becomes its kind with `[hidden]`, and
    /// PostgreSQL's `DETAIL:` line (which quotes key and row values) is
    /// dropped. The database's main message is kept as the server wrote it.
    pub fn hide_parameters(mut self, params: &[Value]) -> Self {
        let hide = |text: &mut String| {
            for v in params {
                if v.is_null() {
                    continue;
                }
                let shown = v.describe();
                if text.contains(&shown) {
                    *text = text.replace(&shown, &format!("{} [hidden]", v.kind_name()));
                }
            }
            if text.contains("\nDETAIL: ") {
                *text = text
                    .lines()
                    .filter(|l| !l.starts_with("DETAIL: "))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
        };
        match &mut self {
            Error::IntegrityError { message, .. }
            | Error::ProgrammingError { message, .. }
            | Error::DataError { message, .. }
            | Error::OperationalError { message, .. }
            | Error::StaleDataError { message }
            | Error::ArgumentError(message)
            | Error::InvalidRequest(message) => hide(message),
            Error::DecodeError { found, .. } => hide(found),
            _ => {}
        }
        self
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sql_is_cut_in_the_text_with_a_count() {
        let sql = format!("INSERT INTO t (x) VALUES {}", "(?), ".repeat(10_000));
        let e = Error::ProgrammingError {
            message: "too many SQL variables".into(),
            sql: Some(sql.clone()),
        };
        let text = e.to_string();
        let more = sql.chars().count() - ERROR_SQL_CHARS;
        assert!(
            text.ends_with(&format!("… ({more} more characters)]")),
            "{text}"
        );
        assert!(text.len() < ERROR_SQL_CHARS + 200);
        // The whole SQL stays available.
        assert_eq!(e.sql(), Some(sql.as_str()));
        // Short SQL is shown whole; a cut never splits a character.
        assert_eq!(truncate_sql("SELECT 'ü'"), "SELECT 'ü'");
        let wide = "ü".repeat(ERROR_SQL_CHARS + 1);
        assert_eq!(
            truncate_sql(&wide),
            format!("{}… (1 more characters)", "ü".repeat(ERROR_SQL_CHARS))
        );
    }

    #[test]
    fn message_is_the_databases_own_text() {
        let pg = Error::IntegrityError {
            kind: IntegrityKind::Unique,
            constraint: Some("users_email_key".into()),
            message: "duplicate key value violates unique constraint \"users_email_key\" (SQLSTATE 23505)\nDETAIL: Key (email)=(a@b.c) already exists.".into(),
            sql: Some("INSERT INTO users (email) VALUES ($1)".into()),
        };
        assert_eq!(
            pg.message(),
            "duplicate key value violates unique constraint \"users_email_key\""
        );
        let my = Error::IntegrityError {
            kind: IntegrityKind::Unique,
            constraint: None,
            message: "(1062, SQLSTATE 23000) Duplicate entry 'a' for key 'email'".into(),
            sql: Some("INSERT ..".into()),
        };
        assert_eq!(my.message(), "Duplicate entry 'a' for key 'email'");
        let op = Error::operational(
            "(1213, SQLSTATE 40001) Deadlock found\n[SQL: UPDATE t]",
            false,
        );
        assert_eq!(op.message(), "Deadlock found");
        assert_eq!(
            Error::NoResultFound.message(),
            "no row was found when one was required"
        );
    }

    #[test]
    fn hide_parameters_removes_values_oxalchemy_wrote_and_pg_detail() {
        let secret = Value::from("hunter2-secret");
        let e = Error::DataError {
            message: format!(
                "cannot bind {} to parameter $1 of type int4: not a number",
                secret.describe()
            ),
            sql: None,
        }
        .hide_parameters(std::slice::from_ref(&secret));
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.to_string().contains("text [hidden]"), "{e}");
        let pg = Error::IntegrityError {
            kind: IntegrityKind::Unique,
            constraint: None,
            message: "duplicate key value (SQLSTATE 23505)\nDETAIL: Key (email)=(hunter2-secret) already exists.".into(),
            sql: None,
        }
        .hide_parameters(&[secret]);
        assert!(!pg.to_string().contains("hunter2"), "{pg}");
        assert!(pg.to_string().contains("duplicate key value"));
    }
}
