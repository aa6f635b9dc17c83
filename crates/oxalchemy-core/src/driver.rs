//! The object-safe seam between the engine and a database driver.
//!
//! A backend crate implements [`Driver`] (a connection factory, built from a URL)
//! and [`DriverConnection`] (one open connection). The pool and engine only ever
//! see these traits, so the backend is chosen at run time from the URL.

use crate::dialect::Dialect;
use crate::error::Result;
use crate::row::QueryResult;
use crate::value::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, `Send` future: the return type of every driver method.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A connection factory for one database (parsed from a URL).
pub trait Driver: Send + Sync + std::fmt::Debug + 'static {
    /// The SQL dialect of this database.
    fn dialect(&self) -> Arc<dyn Dialect>;

    /// Open a new connection.
    fn connect(&self) -> BoxFuture<'_, Result<Box<dyn DriverConnection>>>;

    /// The URL with any password masked, for logs and errors.
    fn display_url(&self) -> String;
}

/// One open database connection.
///
/// Methods take `&mut self`: a connection runs one statement at a time. A
/// driver caches prepared statements per connection, keyed by SQL text.
pub trait DriverConnection: Send + 'static {
    /// Run one statement with positional parameters (already in the dialect's
    /// placeholder style) and fetch all its rows.
    fn execute<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<QueryResult>>;

    /// Run one statement once per parameter set, in order, stopping at the
    /// first error (SQLAlchemy's "executemany" at the driver level). Each
    /// set gives its own result, so an `INSERT .. RETURNING` row by row
    /// returns every generated key in order.
    ///
    /// The default runs [`execute`](Self::execute) in a loop; a driver
    /// overrides it when it can do better (SQLite runs the whole list in one
    /// job on the connection's thread: one thread hop instead of one per row;
    /// PostgreSQL pipelines the statements).
    fn execute_many<'a>(
        &'a mut self,
        sql: &'a str,
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'a, Result<Vec<QueryResult>>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(param_sets.len());
            for params in &param_sets {
                out.push(self.execute(sql, params).await?);
            }
            Ok(out)
        })
    }

    /// Run SQL without parameters and without results: transaction control
    /// (`BEGIN`, `COMMIT`, `SAVEPOINT sp1`) and session setup.
    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>>;

    /// A cheap round trip proving the connection works (`pool_pre_ping`).
    fn ping(&mut self) -> BoxFuture<'_, Result<()>>;

    /// True once the driver knows the connection is unusable (server gone,
    /// protocol broken); the pool then discards it instead of reusing it.
    fn is_broken(&self) -> bool;

    /// Close the connection politely. Dropping it must also release it.
    fn close(self: Box<Self>) -> BoxFuture<'static, ()>;
}
