//! Opening and configuring one SQLite connection.

use crate::error_map::map_error;
use oxalchemy_core::Result;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::time::Duration;

/// The prepared-statement cache capacity of each connection.
pub(crate) const STATEMENT_CACHE_CAPACITY: usize = 256;

/// Everything needed to open one more connection to a driver's database.
#[derive(Debug, Clone)]
pub(crate) struct OpenSpec {
    /// A file path, or a `file:` URI for the in-memory database.
    pub path: PathBuf,
    /// SQLite open flags.
    pub flags: OpenFlags,
    /// How long a statement waits for a lock.
    pub busy_timeout: Duration,
    /// Switch a file database to WAL journaling.
    pub wal: bool,
    /// Defer `BEGIN` to the first write (see `worker.rs`).
    pub lazy_begin: bool,
}

/// Open and configure a connection: busy timeout, foreign keys on, a larger
/// statement cache, WAL for writable files.
pub(crate) fn open(spec: &OpenSpec) -> Result<Connection> {
    let conn = Connection::open_with_flags(&spec.path, spec.flags).map_err(|e| {
        let mapped = map_error(e, None);
        match mapped {
            oxalchemy_core::Error::OperationalError {
                message,
                disconnect,
            } => oxalchemy_core::Error::OperationalError {
                message: format!(
                    "cannot open SQLite database {}: {message}",
                    spec.path.display()
                ),
                disconnect,
            },
            other => other,
        }
    })?;
    conn.busy_timeout(spec.busy_timeout)
        .map_err(|e| map_error(e, None))?;
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .map_err(|e| map_error(e, Some("PRAGMA foreign_keys = ON")))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    if spec.wal {
        // Best effort: a filesystem without shared memory keeps the rollback journal.
        let _ = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
        let _ = conn.execute_batch("PRAGMA synchronous = NORMAL");
    }
    Ok(conn)
}
