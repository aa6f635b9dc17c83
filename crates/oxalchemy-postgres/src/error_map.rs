//! Mapping tokio-postgres errors onto oxalchemy's [`Error`], by SQLSTATE.
//!
//! | SQLSTATE                                  | oxalchemy error                          |
//! |-------------------------------------------|------------------------------------------|
//! | 23505 / 23503, 23001 / 23502 / 23514      | `IntegrityError` unique / FK / not null / check |
//! | other 23xxx                               | `IntegrityError` (kind `Other`)          |
//! | 22xxx                                     | `DataError`                              |
//! | 42xxx, 0A, 21, 26, 2B, 34, 3D, 3F, 44     | `ProgrammingError`                       |
//! | 08xxx, 57P01, 57P02, 57P03, FATAL/PANIC   | `OperationalError`, disconnect           |
//! | everything else (40001, 40P01, 57014, ..) | `OperationalError`, connection usable    |
//!
//! Errors without a SQLSTATE (a closed connection, an I/O or protocol failure)
//! are disconnects.

use oxalchemy_core::{Error, IntegrityKind};
use std::error::Error as _;
use tokio_postgres::error::{DbError, ErrorPosition, Severity};

/// The server message with its detail and hint, as one text.
fn db_message(db: &DbError, sql: Option<&str>) -> String {
    let mut msg = format!("{} (SQLSTATE {})", db.message(), db.code().code());
    if let Some(detail) = db.detail() {
        msg.push_str("\nDETAIL: ");
        msg.push_str(detail);
    }
    if let Some(hint) = db.hint() {
        msg.push_str("\nHINT: ");
        msg.push_str(hint);
    }
    if let (Some(ErrorPosition::Original(pos)), Some(sql)) = (db.position(), sql) {
        // The position counts characters from 1.
        let at: String = sql
            .chars()
            .skip((*pos as usize).saturating_sub(1))
            .take(30)
            .collect();
        if !at.is_empty() {
            msg.push_str(&format!("\nat character {pos}: {at:?}"));
        }
    }
    msg
}

/// True when the SQLSTATE means the connection is gone.
fn is_disconnect_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// Map an error the server reported.
pub(crate) fn map_db_error(db: &DbError, sql: Option<&str>) -> Error {
    let code = db.code().code();
    let mut message = db_message(db, sql);
    if code == "25P02" {
        // PostgreSQL aborts the whole transaction on an error: say how to go on.
        message.push_str(
            "\nHINT: an earlier statement of this transaction failed; call rollback() before \
             running more statements, or wrap a statement that may fail in begin_nested() and \
             roll back only that savepoint",
        );
    }
    let sql_owned = sql.map(str::to_owned);
    let integrity = |kind| Error::IntegrityError {
        kind,
        constraint: db.constraint().map(str::to_owned),
        message: message.clone(),
        sql: sql_owned.clone(),
    };
    let class = code.get(..2).unwrap_or_default();
    let fatal = matches!(
        db.parsed_severity(),
        Some(Severity::Fatal | Severity::Panic)
    );
    match code {
        "23505" => integrity(IntegrityKind::Unique),
        "23503" | "23001" => integrity(IntegrityKind::ForeignKey),
        "23502" => integrity(IntegrityKind::NotNull),
        "23514" => integrity(IntegrityKind::Check),
        _ if class == "23" => integrity(IntegrityKind::Other),
        _ if is_disconnect_code(code) || fatal => Error::operational(with_sql(message, sql), true),
        _ if class == "22" => Error::DataError {
            message,
            sql: sql_owned,
        },
        _ if matches!(
            class,
            "42" | "0A" | "21" | "26" | "2B" | "34" | "3D" | "3F" | "44"
        ) =>
        {
            Error::ProgrammingError {
                message,
                sql: sql_owned,
            }
        }
        _ => Error::operational(with_sql(message, sql), false),
    }
}

fn with_sql(mut message: String, sql: Option<&str>) -> String {
    if let Some(sql) = sql {
        message.push_str("\n[SQL: ");
        message.push_str(sql);
        message.push(']');
    }
    message
}

/// Map any tokio-postgres error. `sql` is the statement that was running, if any.
pub(crate) fn map_error(err: &tokio_postgres::Error, sql: Option<&str>) -> Error {
    if let Some(db) = err.as_db_error() {
        return map_db_error(db, sql);
    }
    let mut message = err.to_string();
    let mut source = err.source();
    let mut io = false;
    while let Some(s) = source {
        io |= s.is::<std::io::Error>();
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    if err.is_closed() {
        return Error::operational(
            format!("the connection to the PostgreSQL server is closed ({message})"),
            true,
        );
    }
    // I/O failures, unparsable or unexpected messages: the protocol state is lost.
    let protocol = message.starts_with("unexpected message from server")
        || message.starts_with("error parsing response")
        || message.starts_with("error communicating with the server");
    Error::operational(with_sql(message, sql), io || protocol)
}

/// True when the server reported that a cached prepared statement is no longer
/// valid (`cached plan must not change result type`, `prepared statement .. does
/// not exist`): the cache entry must be dropped.
pub(crate) fn invalidates_statement(err: &tokio_postgres::Error) -> bool {
    match err.as_db_error() {
        Some(db) => {
            let code = db.code().code();
            code == "26000" || (code == "0A000" && db.message().contains("cached plan"))
        }
        None => false,
    }
}
