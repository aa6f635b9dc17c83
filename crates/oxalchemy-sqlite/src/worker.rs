//! The state owned by a connection's thread: the SQLite connection and its
//! deferred-BEGIN bookkeeping.

use crate::error_map::map_error;
use crate::sql_scan::{TxControl, runs_outside_transaction, tx_control};
use crate::statement;
use oxalchemy_core::{Error, QueryResult, Result, Value};
use rusqlite::Connection;

/// One SQLite connection, driven by its thread.
///
/// With `lazy_begin` (the default) a deferred `BEGIN` is not sent at once:
/// it is recorded and sent just before the first statement that writes, as
/// Python's sqlite3 module (under SQLAlchemy) does. A transaction that only
/// reads then holds no lock between statements, so it never blocks writers
/// on other connections; a `COMMIT` or `ROLLBACK` of a transaction that
/// never wrote is a no-op.
pub(crate) struct Worker {
    conn: Connection,
    lazy_begin: bool,
    begin_pending: bool,
    /// SQLite rolled the open transaction back when a statement failed
    /// (`INSERT OR ROLLBACK`, `RAISE(ROLLBACK, ..)`, some I/O errors): nothing
    /// of it can be committed, so a `COMMIT` fails until a `ROLLBACK`.
    rolled_back: bool,
    meta: statement::MetaCache,
}

impl Worker {
    /// Wrap an open, configured connection.
    pub(crate) fn new(conn: Connection, lazy_begin: bool) -> Self {
        Worker {
            conn,
            lazy_begin,
            begin_pending: false,
            rolled_back: false,
            meta: statement::MetaCache::default(),
        }
    }

    /// The transaction state to publish to the caller's side
    /// ([`TX_PENDING`](crate::connection_thread::TX_PENDING) |
    /// [`TX_OPEN`](crate::connection_thread::TX_OPEN)).
    pub(crate) fn tx_state(&self) -> u8 {
        use crate::connection_thread::{TX_OPEN, TX_PENDING};
        let mut state = 0;
        if self.begin_pending {
            state |= TX_PENDING;
        }
        // A transaction SQLite rolled back counts as open: its COMMIT must
        // reach the thread (and fail there).
        if !self.conn.is_autocommit() || self.rolled_back {
            state |= TX_OPEN;
        }
        state
    }

    /// Give the connection back (to close it).
    pub(crate) fn into_connection(self) -> Connection {
        self.conn
    }

    /// Run one statement and fetch all its rows.
    pub(crate) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult> {
        if params.is_empty() && self.handle_tx_control(sql)? {
            return Ok(QueryResult::default());
        }
        if sql.trim().is_empty() {
            return Err(Error::ProgrammingError {
                message: "the SQL is empty: there is no statement to execute".into(),
                sql: Some(sql.to_owned()),
            });
        }
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| map_error(e, Some(sql)))?;
        if self.begin_pending && !stmt.readonly() && !runs_outside_transaction(sql) {
            self.conn
                .execute_batch("BEGIN")
                .map_err(|e| map_error(e, Some("BEGIN")))?;
            self.begin_pending = false;
        }
        let was_open = !self.conn.is_autocommit();
        let result = statement::run(&self.conn, &mut stmt, sql, params, &mut self.meta);
        drop(stmt);
        self.sync_pending();
        self.note_rollback(was_open, result.is_err());
        result
    }

    /// Run SQL without parameters or results (transaction control, DDL scripts).
    pub(crate) fn execute_batch(&mut self, sql: &str) -> Result<()> {
        if self.handle_tx_control(sql)? {
            return Ok(());
        }
        if self.begin_pending && !runs_outside_transaction(sql) {
            self.materialize_begin()?;
        }
        let was_open = !self.conn.is_autocommit();
        let result = self
            .conn
            .execute_batch(sql)
            .map_err(|e| map_error(e, Some(sql)));
        self.sync_pending();
        self.note_rollback(was_open, result.is_err());
        result
    }

    /// After a statement: when it failed and SQLite rolled the open
    /// transaction back, remember it, and start a new (deferred) transaction
    /// so the statements that follow are not committed one by one; the
    /// failed `COMMIT` rolls them back with it.
    fn note_rollback(&mut self, was_open: bool, failed: bool) {
        if failed && was_open && self.conn.is_autocommit() {
            self.rolled_back = true;
            if self.lazy_begin {
                self.begin_pending = true;
            } else {
                let _ = self.conn.execute_batch("BEGIN");
            }
        }
    }

    /// A statement that opened a transaction by itself (`BEGIN IMMEDIATE`)
    /// replaces the pending deferred one, so the next COMMIT reaches SQLite.
    fn sync_pending(&mut self) {
        if self.begin_pending && !self.conn.is_autocommit() {
            self.begin_pending = false;
        }
    }

    /// Handle BEGIN / COMMIT / ROLLBACK / SAVEPOINT; true when `sql` was one
    /// (and has been dealt with).
    fn handle_tx_control(&mut self, sql: &str) -> Result<bool> {
        let Some(control) = tx_control(sql) else {
            return Ok(false);
        };
        if self.rolled_back {
            match control {
                TxControl::Commit => {
                    // What ran after SQLite's rollback is rolled back too, and
                    // the transaction stays "open" until the caller's ROLLBACK.
                    if !self.conn.is_autocommit() {
                        self.conn
                            .execute_batch("ROLLBACK")
                            .map_err(|e| map_error(e, Some("ROLLBACK")))?;
                    }
                    self.begin_pending = self.lazy_begin;
                    if !self.lazy_begin {
                        self.materialize_begin()?;
                    }
                    return Err(Error::operational(
                        "COMMIT failed: SQLite rolled this transaction back when a statement \
                         failed, so nothing was committed; call rollback() and run the \
                         transaction again",
                        false,
                    ));
                }
                TxControl::Rollback => self.rolled_back = false,
                _ => {}
            }
        }
        match control {
            TxControl::DeferredBegin if self.lazy_begin => {
                if self.begin_pending || !self.conn.is_autocommit() {
                    return Err(Error::ProgrammingError {
                        message: "cannot start a transaction within a transaction".into(),
                        sql: Some(sql.to_owned()),
                    });
                }
                self.begin_pending = true;
                return Ok(true);
            }
            TxControl::Commit | TxControl::Rollback if self.begin_pending => {
                self.begin_pending = false;
                return Ok(true);
            }
            // SQLite may already have rolled the transaction back (some errors
            // do); a ROLLBACK then has nothing to undo, as in Python's sqlite3.
            TxControl::Rollback if self.conn.is_autocommit() => return Ok(true),
            TxControl::Savepoint if self.begin_pending => self.materialize_begin()?,
            _ => {}
        }
        self.conn
            .execute_batch(sql)
            .map_err(|e| map_error(e, Some(sql)))?;
        Ok(true)
    }

    fn materialize_begin(&mut self) -> Result<()> {
        self.conn
            .execute_batch("BEGIN")
            .map_err(|e| map_error(e, Some("BEGIN")))?;
        self.begin_pending = false;
        Ok(())
    }
}
