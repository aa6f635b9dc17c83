//! Mapping `mysql_async` errors onto oxalchemy's portable [`Error`].
//!
//! Server errors are classified by MySQL error code (as PyMySQL does for
//! SQLAlchemy), then by SQLSTATE class; the name of the violated constraint is
//! parsed from the message where the server gives one. Connection-level
//! failures (I/O, protocol, server gone, connection killed) are
//! `OperationalError { disconnect: true }`.

use crate::server_info::ServerFlavor;
use mysql_async::{DriverError, Error as MyError, ServerError};
use oxalchemy_core::{Error, IntegrityKind};

/// Server error codes that mean the connection is gone.
const DISCONNECT_CODES: &[u16] = &[
    1053, // ER_SERVER_SHUTDOWN
    1152, // ER_ABORTING_CONNECTION
    1927, // ER_CONNECTION_KILLED (MariaDB)
    2006, // CR_SERVER_GONE_ERROR
    2013, // CR_SERVER_LOST
    2055, // CR_SERVER_LOST_EXTENDED
    4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+)
];

/// Wrong SQL: syntax, unknown or ambiguous names, objects that exist or do not.
const PROGRAMMING_CODES: &[u16] = &[
    1007, 1008, 1046, 1049, 1050, 1051, 1052, 1054, 1055, 1056, 1060, 1061, 1064, 1066, 1068, 1072,
    1075, 1090, 1091, 1102, 1103, 1109, 1110, 1111, 1113, 1146, 1149, 1179, 1210, 1221, 1222, 1235,
    1241, 1242, 1247, 1248, 1250, 1295, 1304, 1305, 1347, 1630, 3065, 4078,
];

/// A value that does not fit its type.
const DATA_CODES: &[u16] = &[
    1101, // ER_BLOB_CANT_HAVE_DEFAULT
    1264, // ER_WARN_DATA_OUT_OF_RANGE
    1265, // WARN_DATA_TRUNCATED
    1292, // ER_TRUNCATED_WRONG_VALUE
    1365, // ER_DIVISION_BY_ZERO
    1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    1367, // ER_ILLEGAL_VALUE_FOR_TYPE
    1406, // ER_DATA_TOO_LONG
    1411, // ER_WRONG_VALUE_FOR_TYPE
    1416, // ER_CANT_CREATE_GEOMETRY_OBJECT
    1441, // ER_DATETIME_FUNCTION_OVERFLOW
    1690, // ER_DATA_OUT_OF_RANGE
    3140, // ER_INVALID_JSON_TEXT
    3141, // ER_INVALID_JSON_TEXT_IN_PARAM
    3156, // ER_INVALID_JSON_VALUE_FOR_CAST
    4038, // ER_JSON_SYNTAX (MariaDB)
];

/// Map a driver error. `sql` is attached where the error kind carries it.
pub(crate) fn map_error(err: MyError, sql: Option<&str>, flavor: ServerFlavor) -> Error {
    match err {
        MyError::Server(server) => map_server_error(&server, sql, flavor),
        MyError::Io(io) => Error::operational(
            format!("lost the connection to the MySQL server: {io}"),
            true,
        ),
        MyError::Driver(driver) => map_driver_error(driver, sql),
        MyError::Url(url) => Error::argument(format!("invalid MySQL connection options: {url}")),
        MyError::Other(other) => Error::operational(format!("MySQL driver error: {other}"), true),
    }
}

fn map_driver_error(err: DriverError, sql: Option<&str>) -> Error {
    match err {
        DriverError::StmtParamsMismatch { required, supplied } => Error::ProgrammingError {
            message: format!("the statement takes {required} parameters but {supplied} were given"),
            sql: sql.map(str::to_owned),
        },
        e @ (DriverError::MixedParams
        | DriverError::Params(_)
        | DriverError::StmtParamsNumberExceedsLimit { .. }
        | DriverError::NestedTransaction) => Error::ProgrammingError {
            message: e.to_string(),
            sql: sql.map(str::to_owned),
        },
        e @ DriverError::PacketTooLarge => Error::DataError {
            message: format!("{e} (raise the server's max_allowed_packet)"),
            sql: sql.map(str::to_owned),
        },
        other => Error::operational(format!("MySQL driver error: {other}"), true),
    }
}

/// Map an error packet from the server.
pub(crate) fn map_server_error(
    err: &ServerError,
    sql: Option<&str>,
    flavor: ServerFlavor,
) -> Error {
    let code = err.code;
    let message = format!("({code}, SQLSTATE {}) {}", err.state, err.message);
    let sql = sql.map(str::to_owned);
    if DISCONNECT_CODES.contains(&code) {
        return Error::operational(message, true);
    }
    if let Some((kind, constraint)) = integrity(code, &err.message, flavor) {
        return Error::IntegrityError {
            kind,
            constraint,
            message,
            sql,
        };
    }
    if PROGRAMMING_CODES.contains(&code) {
        return Error::ProgrammingError { message, sql };
    }
    if DATA_CODES.contains(&code) {
        return Error::DataError { message, sql };
    }
    match code {
        1205 | 1213 => return Error::operational(with_sql(message, sql.as_deref()), false),
        1045 => {
            return Error::operational(
                format!("{message}; check the user name and password in the URL"),
                false,
            );
        }
        _ => {}
    }
    match err.state.get(..2) {
        Some("08") => Error::operational(message, true),
        Some("42") => Error::ProgrammingError { message, sql },
        Some("22") => Error::DataError { message, sql },
        Some("23") => Error::IntegrityError {
            kind: IntegrityKind::Other,
            constraint: None,
            message,
            sql,
        },
        _ => Error::operational(with_sql(message, sql.as_deref()), false),
    }
}

fn with_sql(message: String, sql: Option<&str>) -> String {
    match sql {
        Some(sql) => format!(
            "{message}\n[SQL: {}]",
            oxalchemy_core::error::truncate_sql(sql)
        ),
        None => message,
    }
}

/// The integrity kind and constraint name of an integrity error code.
fn integrity(
    code: u16,
    message: &str,
    flavor: ServerFlavor,
) -> Option<(IntegrityKind, Option<String>)> {
    Some(match code {
        // Duplicate entry 'x' for key 'name' (MySQL 8: 'table.name').
        1062 | 1586 => {
            let key = message
                .rfind("for key ")
                .and_then(|at| quoted(&message[at + 8..]));
            let key = key.map(|k| match flavor {
                ServerFlavor::MySql => k.split_once('.').map_or(k.clone(), |(_, n)| n.to_owned()),
                ServerFlavor::MariaDb => k,
            });
            (IntegrityKind::Unique, key)
        }
        1022 | 1169 => (IntegrityKind::Unique, None),
        // ... a foreign key constraint fails (`db`.`t`, CONSTRAINT `fk` FOREIGN KEY ...)
        1451 | 1452 | 1216 | 1217 => (IntegrityKind::ForeignKey, after_constraint(message)),
        // Column 'name' cannot be null / Field 'name' doesn't have a default value
        1048 | 1364 | 1263 => (IntegrityKind::NotNull, quoted(message)),
        // Check constraint 'name' is violated.
        3819 => (IntegrityKind::Check, quoted(message)),
        // MariaDB: CONSTRAINT `name` failed for `db`.`t`
        4025 => (
            IntegrityKind::Check,
            after_constraint(message).or_else(|| quoted(message)),
        ),
        _ => return None,
    })
}

/// The first `'quoted'` or `` `quoted` `` word in `text`.
fn quoted(text: &str) -> Option<String> {
    let start = text.find(['\'', '`'])?;
    let quote = text[start..].chars().next()?;
    let rest = &text[start + 1..];
    let end = rest.find(quote)?;
    Some(rest[..end].to_owned())
}

/// The name after `CONSTRAINT` in a message.
fn after_constraint(message: &str) -> Option<String> {
    let at = message.find("CONSTRAINT ")?;
    quoted(&message[at + "CONSTRAINT ".len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(code: u16, state: &str, message: &str) -> ServerError {
        ServerError {
            code,
            message: message.to_owned(),
            state: state.to_owned(),
        }
    }

    fn constraint(err: &Error) -> Option<&str> {
        match err {
            Error::IntegrityError { constraint, .. } => constraint.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn unique_names() {
        let e = server(1062, "23000", "Duplicate entry 'a' for key 'users.uq_name'");
        let mysql = map_server_error(&e, Some("INSERT"), ServerFlavor::MySql);
        assert_eq!(mysql.integrity_kind(), Some(IntegrityKind::Unique));
        assert_eq!(constraint(&mysql), Some("uq_name"));
        assert_eq!(mysql.sql(), Some("INSERT"));
        let e = server(1062, "23000", "Duplicate entry 'x.y' for key 'uq_name'");
        let maria = map_server_error(&e, None, ServerFlavor::MariaDb);
        assert_eq!(constraint(&maria), Some("uq_name"));
    }

    #[test]
    fn other_integrity_names() {
        let fk = server(
            1452,
            "23000",
            "Cannot add or update a child row: a foreign key constraint fails (`db`.`child`, CONSTRAINT `fk_parent` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`))",
        );
        let e = map_server_error(&fk, None, ServerFlavor::MySql);
        assert_eq!(e.integrity_kind(), Some(IntegrityKind::ForeignKey));
        assert_eq!(constraint(&e), Some("fk_parent"));
        let nn = server(1048, "23000", "Column 'name' cannot be null");
        assert_eq!(
            constraint(&map_server_error(&nn, None, ServerFlavor::MySql)),
            Some("name")
        );
        let ck = server(3819, "HY000", "Check constraint 'positive' is violated.");
        let e = map_server_error(&ck, None, ServerFlavor::MySql);
        assert_eq!(e.integrity_kind(), Some(IntegrityKind::Check));
        assert_eq!(constraint(&e), Some("positive"));
        let ck = server(4025, "23000", "CONSTRAINT `positive` failed for `db`.`t`");
        assert_eq!(
            constraint(&map_server_error(&ck, None, ServerFlavor::MariaDb)),
            Some("positive")
        );
    }

    #[test]
    fn classes() {
        let syntax = server(1064, "42000", "You have an error in your SQL syntax");
        assert!(matches!(
            map_server_error(&syntax, Some("SELEC 1"), ServerFlavor::MySql),
            Error::ProgrammingError { sql: Some(_), .. }
        ));
        let range = server(1264, "22003", "Out of range value for column 'x' at row 1");
        assert!(matches!(
            map_server_error(&range, None, ServerFlavor::MySql),
            Error::DataError { .. }
        ));
        let deadlock = server(1213, "40001", "Deadlock found");
        let e = map_server_error(&deadlock, None, ServerFlavor::MySql);
        assert!(matches!(
            e,
            Error::OperationalError {
                disconnect: false,
                ..
            }
        ));
        let killed = server(1927, "70100", "Connection was killed");
        assert!(map_server_error(&killed, None, ServerFlavor::MariaDb).is_disconnect());
        let io = MyError::Io(mysql_async::IoError::Io(std::io::Error::other("reset")));
        assert!(map_error(io, None, ServerFlavor::MySql).is_disconnect());
    }
}
