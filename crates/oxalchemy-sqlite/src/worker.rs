//! The state owned by a connection's thread: the SQLite connection and its
//! deferred-BEGIN bookkeeping.

use crate::error_map::map_error;
use crate::statement;
use oxalchemy_core::{Error, IsolationLevel, QueryResult, Result, StatementKind, TxOptions, Value};
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
    /// `PRAGMA query_only` is on for a read-only transaction.
    query_only: bool,
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
            query_only: false,
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

    /// Run one statement and fetch all its rows. Its kind decides whether a
    /// pending deferred BEGIN goes first: not for statements that SQLite
    /// must run outside a transaction (`PRAGMA`, `VACUUM`, `ATTACH`,
    /// `DETACH`) or that open one themselves (`BEGIN IMMEDIATE` written as
    /// text); always for other transaction control written as text
    /// (`SAVEPOINT x` belongs inside the transaction); otherwise when the
    /// statement writes. A `COMMIT` / `ROLLBACK` written as text is the
    /// explicit commit / rollback (a deferred BEGIN that never reached
    /// SQLite ends without a trip, a transaction SQLite rolled back fails to
    /// commit), as before the seam had explicit transaction methods.
    pub(crate) fn execute(
        &mut self,
        sql: &str,
        params: &[Value],
        kind: StatementKind,
    ) -> Result<QueryResult> {
        if let StatementKind::EndTransaction { commit } = kind
            && params.is_empty()
        {
            let ended = if commit {
                self.commit()
            } else {
                self.rollback()
            };
            return ended.map(|()| QueryResult::default());
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
        let begins = match kind {
            StatementKind::Session | StatementKind::Begin => false,
            StatementKind::EndTransaction { .. } | StatementKind::TransactionControl => true,
            _ => !stmt.readonly(),
        };
        if self.begin_pending && begins {
            self.conn
                .execute_batch("BEGIN")
                .map_err(|e| map_error(e, Some("BEGIN")))?;
            self.begin_pending = false;
        }
        let was_open = !self.conn.is_autocommit();
        let is_insert = kind == StatementKind::Insert;
        let result = statement::run(
            &self.conn,
            &mut stmt,
            sql,
            params,
            is_insert,
            &mut self.meta,
        );
        drop(stmt);
        self.sync_pending();
        self.note_rollback(was_open, result.is_err());
        result
    }

    /// Run a script without parameters or results, inside the transaction
    /// (a pending deferred BEGIN is sent first).
    pub(crate) fn execute_batch(&mut self, sql: &str) -> Result<()> {
        if self.begin_pending {
            self.materialize_begin()?;
        }
        self.run_script(sql)
    }

    /// Run `sql` as a script, keeping the transaction bookkeeping in step.
    fn run_script(&mut self, sql: &str) -> Result<()> {
        let was_open = !self.conn.is_autocommit();
        let result = self
            .conn
            .execute_batch(sql)
            .map_err(|e| map_error(e, Some(sql)));
        self.sync_pending();
        self.note_rollback(was_open, result.is_err());
        result
    }

    /// Run one transaction command.
    pub(crate) fn transaction(&mut self, command: &TxJob) -> Result<()> {
        match command {
            TxJob::Begin(options) => self.begin(*options),
            TxJob::Commit => self.commit(),
            TxJob::Rollback => self.rollback(),
            TxJob::Savepoint(name) => {
                if self.begin_pending {
                    self.materialize_begin()?;
                }
                self.run_script(&oxalchemy_core::SavepointCommand::Open.sql(name)?)
            }
            TxJob::ReleaseSavepoint(name) => {
                self.run_script(&oxalchemy_core::SavepointCommand::Release.sql(name)?)
            }
            TxJob::RollbackToSavepoint(name) => {
                self.run_script(&oxalchemy_core::SavepointCommand::RollbackTo.sql(name)?)
            }
        }
    }

    /// Begin a transaction: deferred to the first write under `lazy_begin`;
    /// at once when not, or when SERIALIZABLE is asked for (the reads then
    /// form one snapshot, which a deferred BEGIN does not give). Read only
    /// switches `PRAGMA query_only` on until the transaction ends. SQLite runs
    /// every transaction SERIALIZABLE: the other levels are refused.
    fn begin(&mut self, options: TxOptions) -> Result<()> {
        if let Some(level) = options.isolation
            && level != IsolationLevel::Serializable
        {
            return Err(Error::unsupported(
                format!("isolation level {level} (every SQLite transaction is SERIALIZABLE)"),
                "sqlite",
                Some("ask for IsolationLevel::Serializable, or no isolation level"),
            ));
        }
        if self.begin_pending || !self.conn.is_autocommit() {
            return Err(Error::ProgrammingError {
                message: "cannot start a transaction within a transaction".into(),
                sql: Some("BEGIN".into()),
            });
        }
        if options.read_only {
            self.set_query_only(true)?;
        }
        if self.lazy_begin && options.isolation.is_none() {
            self.begin_pending = true;
            return Ok(());
        }
        let begun = self.materialize_begin();
        if begun.is_err() && options.read_only {
            let _ = self.set_query_only(false);
        }
        begun
    }

    /// Commit. A deferred BEGIN that never reached SQLite commits nothing;
    /// a transaction SQLite rolled back on an error fails to commit.
    fn commit(&mut self) -> Result<()> {
        if self.rolled_back {
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
        self.end_read_only();
        if self.begin_pending {
            self.begin_pending = false;
            return Ok(());
        }
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| map_error(e, Some("COMMIT")))
    }

    /// Roll back; nothing to do when SQLite has no transaction open (some
    /// errors roll it back already), as in Python's sqlite3.
    fn rollback(&mut self) -> Result<()> {
        self.rolled_back = false;
        self.end_read_only();
        if self.begin_pending {
            self.begin_pending = false;
            return Ok(());
        }
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn
            .execute_batch("ROLLBACK")
            .map_err(|e| map_error(e, Some("ROLLBACK")))
    }

    fn set_query_only(&mut self, on: bool) -> Result<()> {
        let sql = if on {
            "PRAGMA query_only = ON"
        } else {
            "PRAGMA query_only = OFF"
        };
        self.conn
            .execute_batch(sql)
            .map_err(|e| map_error(e, Some(sql)))?;
        self.query_only = on;
        Ok(())
    }

    /// A read-only transaction ended: writes are allowed again.
    fn end_read_only(&mut self) {
        if self.query_only {
            let _ = self.set_query_only(false);
        }
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

    fn materialize_begin(&mut self) -> Result<()> {
        self.conn
            .execute_batch("BEGIN")
            .map_err(|e| map_error(e, Some("BEGIN")))?;
        self.begin_pending = false;
        Ok(())
    }
}

/// A transaction command for the connection's thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TxJob {
    /// Begin with these options.
    Begin(TxOptions),
    /// Commit.
    Commit,
    /// Roll back.
    Rollback,
    /// `SAVEPOINT name`.
    Savepoint(String),
    /// `RELEASE SAVEPOINT name`.
    ReleaseSavepoint(String),
    /// `ROLLBACK TO SAVEPOINT name`.
    RollbackToSavepoint(String),
}
