//! `Transaction`: "begin once" on a checked-out connection.

use crate::connection::Connection;
use crate::engine::Engine;
use crate::savepoint::Savepoint;
use oxalchemy_core::{Compiled, CursorResult, Dialect, Executable, Result, Value};
use std::sync::Arc;

/// A transaction owning its connection, from [`Engine::begin`].
///
/// `commit(self)` commits; `rollback(self)` or dropping it rolls back (a drop
/// rolls back in the background before the connection returns to the pool).
///
/// ```no_run
/// # async fn demo(engine: oxalchemy_pool::Engine) -> oxalchemy_core::Result<()> {
/// use oxalchemy_core::Compiled;
/// let mut tx = engine.begin().await?;                     // BEGIN
/// tx.execute(Compiled::new("INSERT INTO t (x) VALUES (1)", vec![])).await?;
/// let sp = tx.begin_nested().await?;                      // SAVEPOINT sa_savepoint_1
/// sp.rollback().await?;                                   // ROLLBACK TO SAVEPOINT sa_savepoint_1
/// tx.commit().await?;                                     // COMMIT
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Transaction {
    conn: Connection,
}

impl Transaction {
    pub(crate) fn new(conn: Connection) -> Self {
        Transaction { conn }
    }

    /// The engine this transaction's connection came from.
    pub fn engine(&self) -> &Engine {
        self.conn.engine()
    }

    /// The dialect statements are compiled for.
    pub fn dialect(&self) -> Arc<dyn Dialect> {
        self.conn.dialect()
    }

    /// True until the transaction is committed or rolled back (also while it
    /// is lost with an invalidated connection).
    pub fn is_active(&self) -> bool {
        self.conn.in_transaction()
    }

    /// Compile `stmt` for the engine's dialect and run it in this transaction.
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

    /// Open a SAVEPOINT; the [`Savepoint`] borrows this transaction.
    pub async fn begin_nested(&mut self) -> Result<Savepoint<'_>> {
        self.conn.begin_nested().await
    }

    /// COMMIT and return the connection to the pool. On failure the
    /// transaction is rolled back (or its connection discarded).
    pub async fn commit(mut self) -> Result<()> {
        self.conn.commit().await
    }

    /// ROLLBACK and return the connection to the pool.
    pub async fn rollback(mut self) -> Result<()> {
        self.conn.rollback().await
    }
}
