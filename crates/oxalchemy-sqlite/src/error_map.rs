//! Mapping rusqlite errors to oxalchemy's portable [`Error`].

use oxalchemy_core::{Error, IntegrityKind};
use rusqlite::ErrorCode;
use rusqlite::ffi;

/// Map a rusqlite error raised while running `sql` (when there is one).
pub(crate) fn map_error(err: rusqlite::Error, sql: Option<&str>) -> Error {
    let sql_owned = sql.map(str::to_owned);
    match err {
        rusqlite::Error::SqliteFailure(code, msg) => {
            let message = msg.unwrap_or_else(|| code.to_string());
            map_code(code, message, sql_owned)
        }
        rusqlite::Error::SqlInputError {
            error, msg, offset, ..
        } => {
            let message = format!("{msg} (at byte offset {offset} of the SQL)");
            map_code(error, message, sql_owned)
        }
        rusqlite::Error::MultipleStatement => Error::ProgrammingError {
            message: "the SQL holds more than one statement; execute runs exactly one \
                      (use execute_batch for a script without parameters)"
                .into(),
            sql: sql_owned,
        },
        rusqlite::Error::InvalidParameterCount(given, expected) => {
            parameter_count(expected, given, sql_owned)
        }
        rusqlite::Error::InvalidParameterName(name) => Error::ProgrammingError {
            message: format!("the statement has no parameter named {name:?}"),
            sql: sql_owned,
        },
        rusqlite::Error::NulError(e) => Error::DataError {
            message: format!("text contains a NUL byte where SQLite cannot take one: {e}"),
            sql: sql_owned,
        },
        rusqlite::Error::ToSqlConversionFailure(e) => Error::DataError {
            message: format!("a parameter could not be bound: {e}"),
            sql: sql_owned,
        },
        rusqlite::Error::Utf8Error(col, e) => Error::DataError {
            message: format!("column {col} holds text that is not valid UTF-8: {e}"),
            sql: sql_owned,
        },
        rusqlite::Error::FromSqlConversionFailure(col, ty, e) => Error::DataError {
            message: format!("column {col} ({ty}) could not be converted: {e}"),
            sql: sql_owned,
        },
        rusqlite::Error::InvalidPath(path) => Error::argument(format!(
            "the database path {} is not valid UTF-8",
            path.display()
        )),
        rusqlite::Error::SqliteSingleThreadedMode => Error::operational(
            "SQLite was built single-threaded; oxalchemy needs a thread-safe SQLite",
            true,
        ),
        other => Error::operational(format!("SQLite: {other}"), false),
    }
}

/// The error for a statement given the wrong number of parameters.
pub(crate) fn parameter_count(expected: usize, given: usize, sql: Option<String>) -> Error {
    Error::ProgrammingError {
        message: format!(
            "the statement takes {expected} parameter{} but {given} value{} given",
            if expected == 1 { "" } else { "s" },
            if given == 1 { " was" } else { "s were" },
        ),
        sql,
    }
}

fn map_code(code: ffi::Error, message: String, sql: Option<String>) -> Error {
    match code.code {
        ErrorCode::ConstraintViolation => {
            let kind = match code.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    IntegrityKind::Unique
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => IntegrityKind::ForeignKey,
                ffi::SQLITE_CONSTRAINT_NOTNULL => IntegrityKind::NotNull,
                ffi::SQLITE_CONSTRAINT_CHECK => IntegrityKind::Check,
                _ => IntegrityKind::Other,
            };
            // "UNIQUE constraint failed: users.email" -> "users.email";
            // "FOREIGN KEY constraint failed" names nothing.
            let constraint = message
                .split_once("failed: ")
                .map(|(_, c)| c.trim().to_owned())
                .filter(|c| !c.is_empty());
            Error::IntegrityError {
                kind,
                constraint,
                message,
                sql,
            }
        }
        ErrorCode::TooBig | ErrorCode::TypeMismatch | ErrorCode::ParameterOutOfRange => {
            Error::DataError { message, sql }
        }
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::operational(
            format!(
                "{message}: another connection held a lock longer than the busy timeout; \
                 commit or roll back the other transaction sooner, or raise `?timeout=<seconds>` in the URL"
            ),
            false,
        ),
        ErrorCode::Unknown | ErrorCode::AuthorizationForStatementDenied => {
            if message.contains("integer overflow") {
                Error::DataError { message, sql }
            } else {
                Error::ProgrammingError { message, sql }
            }
        }
        ErrorCode::ApiMisuse => Error::ProgrammingError { message, sql },
        ErrorCode::CannotOpen => Error::operational(
            format!("{message} (check that the directory exists and is writable)"),
            true,
        ),
        ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => Error::operational(message, true),
        _ => Error::operational(message, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(extended: i32, msg: &str) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(extended), Some(msg.to_owned()))
    }

    #[test]
    fn constraint_kinds_and_names() {
        let e = map_error(
            failure(
                ffi::SQLITE_CONSTRAINT_UNIQUE,
                "UNIQUE constraint failed: users.email",
            ),
            Some("INSERT"),
        );
        assert_eq!(e.integrity_kind(), Some(IntegrityKind::Unique));
        match &e {
            Error::IntegrityError { constraint, .. } => {
                assert_eq!(constraint.as_deref(), Some("users.email"));
            }
            other => panic!("{other}"),
        }
        assert_eq!(e.sql(), Some("INSERT"));
        let fk = map_error(
            failure(
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY,
                "FOREIGN KEY constraint failed",
            ),
            None,
        );
        assert_eq!(fk.integrity_kind(), Some(IntegrityKind::ForeignKey));
    }

    #[test]
    fn busy_is_operational() {
        let e = map_error(failure(ffi::SQLITE_BUSY, "database is locked"), None);
        assert!(matches!(e, Error::OperationalError { .. }), "{e}");
        assert!(e.to_string().contains("timeout"));
    }

    #[test]
    fn mismatch_is_data_error() {
        let e = map_error(
            failure(ffi::SQLITE_MISMATCH, "datatype mismatch"),
            Some("x"),
        );
        assert!(matches!(e, Error::DataError { .. }), "{e}");
    }
}
