//! `Savepoint`: a nested transaction (SAVEPOINT) borrowing its transaction.

use crate::connection::Connection;
use crate::pool::TxCommand;
use oxalchemy_core::{Compiled, CursorResult, Executable, Result, Value};

/// A SAVEPOINT inside a transaction, from `begin_nested()`. Names are unique
/// per connection: `sa_savepoint_1`, `sa_savepoint_2`, ...
///
/// - `commit(self)` runs `RELEASE SAVEPOINT name`;
/// - `rollback(self)` runs `ROLLBACK TO SAVEPOINT name`;
/// - dropping it without either (an `?` in between, a panic) cannot run SQL
///   synchronously, so the rollback is deferred: the enclosing transaction
///   runs `ROLLBACK TO SAVEPOINT name` before its next statement, commit or
///   savepoint command (a rollback of the whole transaction covers it).
///
/// ```no_run
/// # async fn demo(engine: oxalchemy_pool::Engine) -> oxalchemy_core::Result<()> {
/// let mut tx = engine.begin().await?;
/// let mut outer = tx.begin_nested().await?;   // SAVEPOINT sa_savepoint_1
/// let inner = outer.begin_nested().await?;    // SAVEPOINT sa_savepoint_2
/// inner.commit().await?;                      // RELEASE SAVEPOINT sa_savepoint_2
/// outer.rollback().await?;                    // ROLLBACK TO SAVEPOINT sa_savepoint_1
/// tx.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Savepoint<'c> {
    conn: &'c mut Connection,
    name: String,
    done: bool,
}

impl<'c> Savepoint<'c> {
    pub(crate) fn new(conn: &'c mut Connection, name: String) -> Self {
        Savepoint {
            conn,
            name,
            done: false,
        }
    }

    /// The savepoint's name (`sa_savepoint_N`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Compile `stmt` and run it inside the savepoint.
    pub async fn execute<E: Executable>(&mut self, stmt: E) -> Result<CursorResult> {
        self.conn.execute(stmt).await
    }

    /// Run an already compiled statement.
    pub async fn execute_compiled(&mut self, compiled: Compiled) -> Result<CursorResult> {
        self.conn.execute_compiled(compiled).await
    }

    /// Run SQL text exactly as written with positional parameters.
    pub async fn exec_driver_sql(&mut self, sql: &str, params: Vec<Value>) -> Result<CursorResult> {
        self.conn.exec_driver_sql(sql, params).await
    }

    /// Open a savepoint inside this one.
    pub async fn begin_nested(&mut self) -> Result<Savepoint<'_>> {
        self.conn.begin_nested().await
    }

    /// `RELEASE SAVEPOINT`: keep the savepoint's work in the transaction.
    pub async fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn
            .savepoint_command(TxCommand::ReleaseSavepoint(&self.name))
            .await
    }

    /// `ROLLBACK TO SAVEPOINT`: undo the savepoint's work; the transaction goes on.
    pub async fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn
            .savepoint_command(TxCommand::RollbackToSavepoint(&self.name))
            .await
    }
}

impl Drop for Savepoint<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.conn.defer_savepoint_rollback(&self.name);
        }
    }
}
