//! The object-safe seam between the engine and a database driver.
//!
//! A backend crate implements [`Driver`] (a connection factory, built from a URL)
//! and [`DriverConnection`] (one open connection). The pool and engine only ever
//! see these traits, so the backend is chosen at run time from the URL.

use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::row::QueryResult;
use crate::statement::{Statement, StatementKind};
use crate::transaction_options::TxOptions;
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
///
/// Statements arrive as one owned [`Statement`] (SQL, parameters, kind):
/// the driver acts on its [`StatementKind`] and never scans the SQL for what
/// it is. Transactions are explicit calls ([`begin`](Self::begin),
/// [`commit`](Self::commit), savepoints), never SQL text to recognise: each
/// driver speaks its own protocol (PostgreSQL holds a plain `BEGIN` back and
/// pipelines it with the first statement, SQLite defers it to the first
/// write, MySQL lets the server start the transaction by itself).
pub trait DriverConnection: Send + 'static {
    /// Run one statement (SQL in the dialect's placeholder style, with its
    /// positional parameters) and fetch all its rows.
    fn execute(&mut self, stmt: Statement) -> BoxFuture<'_, Result<QueryResult>>;

    /// Run one statement (`sql`, of `kind`) once per parameter set, in
    /// order, stopping at the first error (SQLAlchemy's "executemany" at the
    /// driver level). Each set gives its own result, so an
    /// `INSERT .. RETURNING` row by row returns every generated key in order.
    ///
    /// A failure says how far the list got: [`ExecuteManyError::completed`]
    /// holds the results of the sets before the failing one, in order, so the
    /// set at index `completed.len()` is the one that failed and no set after
    /// it is reported as run (the engine fires its statement events from
    /// this). A driver that sends several sets ahead (a pipeline) reports the
    /// first failure in order.
    ///
    /// The default runs [`execute`](Self::execute) in a loop, moving each set
    /// into its statement; a driver overrides it when it can do better
    /// (SQLite runs the whole list in one job on the connection's thread: one
    /// thread hop instead of one per row; PostgreSQL pipelines the statements).
    fn execute_many(
        &mut self,
        sql: Arc<str>,
        kind: StatementKind,
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'_, Result<Vec<QueryResult>, ExecuteManyError>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(param_sets.len());
            for params in param_sets {
                let stmt = Statement::with_kind(sql.clone(), params, kind);
                match self.execute(stmt).await {
                    Ok(result) => out.push(result),
                    Err(error) => return Err(ExecuteManyError::new(out, error)),
                }
            }
            Ok(out)
        })
    }

    /// Run a script without parameters and without results (session setup,
    /// DDL), as written, inside the transaction if one is open. Not for
    /// transaction control: use [`begin`](Self::begin) and the methods after it.
    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>>;

    /// Begin a transaction with `options`. A driver may hold the begin back
    /// until the first statement (or skip it when none runs). Options it
    /// cannot honour are an error naming the backend and the option.
    fn begin(&mut self, options: TxOptions) -> BoxFuture<'_, Result<()>>;

    /// Commit the open transaction. A transaction the database already
    /// rolled back (after an error) fails to commit, with an error saying so.
    fn commit(&mut self) -> BoxFuture<'_, Result<()>>;

    /// Roll the open transaction back (nothing to do when none is open).
    fn rollback(&mut self) -> BoxFuture<'_, Result<()>>;

    /// Open the savepoint `name` (`SAVEPOINT name`) in the open transaction.
    fn savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>>;

    /// Release the savepoint `name` (`RELEASE SAVEPOINT name`), keeping its work.
    fn release_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>>;

    /// Undo the work since the savepoint `name` (`ROLLBACK TO SAVEPOINT name`).
    fn rollback_to_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>>;

    /// A cheap round trip proving the connection works (`pool_pre_ping`).
    fn ping(&mut self) -> BoxFuture<'_, Result<()>>;

    /// True once the driver knows the connection is unusable (server gone,
    /// protocol broken); the pool then discards it instead of reusing it.
    fn is_broken(&self) -> bool;

    /// Close the connection politely. Dropping it must also release it.
    fn close(self: Box<Self>) -> BoxFuture<'static, ()>;
}

/// How far a failed [`DriverConnection::execute_many`] got: the results of
/// the parameter sets that completed, and the error of the set that failed
/// (the one at index `completed.len()`).
///
/// ```
/// use oxalchemy_core::{Error, ExecuteManyError, QueryResult};
/// let e = ExecuteManyError::new(vec![QueryResult::default()], Error::invalid_request("boom"));
/// assert_eq!(e.failed_index(), 1);
/// assert!(e.to_string().starts_with("parameter set 1 failed: InvalidRequest: boom"));
/// assert!(matches!(e.into_error(), Error::InvalidRequest(_)));
/// ```
#[derive(Debug)]
pub struct ExecuteManyError {
    /// One result per set that completed before the failure, in order.
    pub completed: Vec<QueryResult>,
    /// Why the set at index `completed.len()` failed.
    pub error: Error,
}

impl ExecuteManyError {
    /// The sets before the failing one gave `completed`; the next one failed with `error`.
    pub fn new(completed: Vec<QueryResult>, error: Error) -> Self {
        ExecuteManyError { completed, error }
    }

    /// The position of the failing set in the list (the number of sets that completed).
    pub fn failed_index(&self) -> usize {
        self.completed.len()
    }

    /// The error alone, dropping the completed results.
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl std::fmt::Display for ExecuteManyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "parameter set {} failed: {}",
            self.failed_index(),
            self.error
        )
    }
}

impl std::error::Error for ExecuteManyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}
