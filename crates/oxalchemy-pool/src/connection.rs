//! `Connection`: one checked-out connection, "commit as you go".
//!
//! A `Connection` begins a transaction (the dialect's `BEGIN`) before its
//! first statement; `commit()` / `rollback()` end it and the connection stays
//! usable, beginning again with the next statement (SQLAlchemy 2.0's
//! autobegin).
//!
//! Safety rules, so a dirty connection never goes back to the pool:
//! - dropping a `Connection` with an open transaction rolls it back (on the
//!   current tokio runtime, in a spawned task) before the connection returns
//!   to the pool; without a runtime the connection is closed instead;
//! - dropping a future mid-operation (a timeout, a cancelled request) leaves
//!   the connection "in flight": it is discarded, never reused. If the
//!   `Connection` itself is used again, it first drops that connection; when
//!   a transaction was open, every operation fails with `InvalidRequest`
//!   until `rollback()` acknowledges the lost transaction;
//! - a connection that failed with a disconnect error, or that the driver
//!   reports broken, is discarded the same way.

use crate::echo::{log_statement, log_statement_with};
use crate::engine::Engine;
use crate::event::{EngineEvent, EngineEvents, ExecuteContext};
use crate::pool::{INTERRUPTED, PooledConnection, TxCommand, rollback_and_release};
use crate::savepoint::Savepoint;
use crate::transaction::Transaction;
use oxalchemy_core::{
    Compiled, CursorResult, Dialect, Error, Executable, FetchAfterInsert, QueryResult, Result,
    Statement, StatementKind, TxOptions, Value,
};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A database connection checked out of an [`Engine`]'s pool.
///
/// ```no_run
/// # async fn demo(engine: oxalchemy_pool::Engine) -> oxalchemy_core::Result<()> {
/// use oxalchemy_core::Compiled;
/// let mut conn = engine.connect().await?;
/// conn.execute(Compiled::new("INSERT INTO t (x) VALUES (1)", vec![])).await?; // BEGIN + INSERT
/// conn.commit().await?;                                                   // COMMIT
/// conn.execute(Compiled::new("SELECT x FROM t", vec![])).await?;         // BEGIN + SELECT
/// drop(conn);                                                             // ROLLBACK, back to the pool
/// # Ok(()) }
/// ```
pub struct Connection {
    engine: Engine,
    /// `None` after the connection was invalidated; a new one is checked out
    /// on next use (unless a transaction was lost, see `lost_tx`).
    pooled: Option<PooledConnection>,
    in_tx: bool,
    /// The connection was discarded while a transaction was open: the
    /// transaction is gone and `rollback()` must acknowledge it.
    lost_tx: bool,
    savepoint_seq: u32,
    /// Savepoints dropped without commit or rollback: rolled back to
    /// (`ROLLBACK TO SAVEPOINT name`) before the next operation.
    pending: Vec<String>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("engine", &self.engine.url())
            .field("in_transaction", &self.in_tx)
            .field("invalidated", &self.is_invalidated())
            .finish()
    }
}

/// A statement with ORM options (loader options, `populate_existing()`)
/// reached an API that returns rows and so would ignore them.
pub(crate) fn orm_options_error(api: &str) -> Error {
    Error::argument(format!(
        "{api} returns rows, so the statement's ORM options (loader options such as \
         selectinload(..), populate_existing()) would be ignored: run the query with \
         session.scalars(..), which applies them, or build it without .options(..)"
    ))
}

fn lost_tx_error(action: &str) -> Error {
    Error::invalid_request(format!(
        "cannot {action}: this connection was invalidated (the database connection was lost, or an \
         operation was cancelled before it finished) while a transaction was open, so that \
         transaction is gone; call rollback() first, then redo the transaction's work"
    ))
}

impl Connection {
    pub(crate) fn new(engine: Engine, pooled: PooledConnection) -> Self {
        Connection {
            engine,
            pooled: Some(pooled),
            in_tx: false,
            lost_tx: false,
            savepoint_seq: 0,
            pending: Vec::new(),
        }
    }

    /// The engine this connection came from.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The dialect statements are compiled for.
    pub fn dialect(&self) -> Arc<dyn Dialect> {
        self.engine.dialect()
    }

    /// True while a transaction is open (begun and not yet committed or
    /// rolled back), including a transaction lost with its connection.
    pub fn in_transaction(&self) -> bool {
        self.in_tx
    }

    /// True when the underlying database connection was discarded (lost,
    /// interrupted or [`invalidate`](Self::invalidate)d).
    pub fn is_invalidated(&self) -> bool {
        self.pooled.is_none() || self.lost_tx
    }

    /// Compile `stmt` for the engine's dialect and run it, beginning a
    /// transaction first if none is open.
    ///
    /// Errors from the database carry the SQL (`Error::sql()`).
    ///
    /// A Core INSERT with more parameters than the backend takes in one
    /// statement (65 535 on PostgreSQL and MySQL, 32 766 on SQLite) runs as
    /// several INSERTs in the same transaction, with one merged result; any
    /// other statement over the limit is a `ProgrammingError` before anything
    /// is sent. A SELECT carrying ORM loader options is an `ArgumentError`:
    /// rows come back here, so the options would be ignored.
    pub async fn execute<E: Executable>(&mut self, stmt: E) -> Result<CursorResult> {
        if stmt.front_end_options() > 0 {
            return Err(orm_options_error("Connection::execute"));
        }
        let compiled = self.engine.compile(&stmt)?;
        let limit = self.engine.dialect_ref().max_params();
        let count = compiled.params().len();
        if count > limit
            && let Some(parts) = stmt.split_for(self.engine.dialect_ref(), limit, count)?
        {
            self.prepare().await?;
            self.ensure_transaction().await?;
            let mut results = Vec::with_capacity(parts.len());
            for part in parts {
                results.push(self.run_statement(part).await?);
            }
            return Ok(CursorResult::merge(results));
        }
        self.execute_compiled(compiled).await
    }

    /// Run an already compiled statement (the ORM's entry point).
    pub async fn execute_compiled(&mut self, compiled: Compiled) -> Result<CursorResult> {
        let limit = self.engine.dialect_ref().max_params();
        if compiled.params().len() > limit {
            return Err(Error::ProgrammingError {
                message: format!(
                    "the statement has {} parameters; the {} protocol takes at most {limit} \
                     in one statement: split it (a Core insert().values_many() is split \
                     automatically, a long in_() list of integers or strings is sent as one \
                     parameter)",
                    compiled.params().len(),
                    self.engine.dialect_ref().name()
                ),
                sql: Some(compiled.sql().to_owned()),
            });
        }
        self.prepare().await?;
        self.ensure_transaction().await?;
        self.run_statement(compiled).await
    }

    /// Run the SQL of `template` once per parameter set, in order, in one
    /// call to the driver (SQLAlchemy's "executemany"): each set gives its
    /// own result, so an `INSERT .. RETURNING` returns every row's generated
    /// key, in the order of the sets. The template's own parameters are not
    /// used; each set must match its placeholders. Stops at the first error.
    ///
    /// Engine events see one execution per set, as SQLAlchemy's statement
    /// events do: `BeforeExecute` for each set the driver started,
    /// `AfterExecute` for each that completed. When set `k` fails, listeners
    /// see `BeforeExecute` for sets `0..=k` and `AfterExecute` for `0..k`,
    /// and the error (with the SQL attached; a lost connection is discarded)
    /// is the failing set's. The first set's `BeforeExecute` fires before the
    /// driver is called, the others' events when it answers (the sets run as
    /// one call), in statement order: before, after, before, after, ...
    /// Listeners for them cost one copy of the sets; echo logs every set
    /// before the call. On SQLite the whole list is one job on the
    /// connection's thread (one hop instead of one per row); PostgreSQL
    /// pipelines the statements; MySQL runs them one by one.
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut oxalchemy_pool::Connection) -> oxalchemy_core::Result<()> {
    /// use oxalchemy_core::{Compiled, Value};
    /// let insert = Compiled::new("INSERT INTO t (x) VALUES (?)", vec![]);
    /// let results = conn
    ///     .execute_many_compiled(&insert, vec![vec![Value::Int(1)], vec![Value::Int(2)]])
    ///     .await?;
    /// assert_eq!(results.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn execute_many_compiled(
        &mut self,
        template: &Compiled,
        param_sets: Vec<Vec<Value>>,
    ) -> Result<Vec<CursorResult>> {
        self.prepare().await?;
        self.ensure_transaction().await?;
        if template.fetch_after().is_some() {
            // RETURNING emulated by a read-back after each INSERT (MySQL):
            // statement by statement.
            let mut out = Vec::with_capacity(param_sets.len());
            for params in param_sets {
                let mut c = Compiled::new(template.sql_arc().clone(), params)
                    .with_column_types(template.column_types().to_vec());
                if let Some(f) = template.fetch_after() {
                    c = c.with_fetch_after(f.clone());
                }
                out.push(self.run_statement(c).await?);
            }
            return Ok(out);
        }
        let sql = template.sql();
        let shared_sql = template.sql_arc().clone();
        let events = self.engine.events().clone();
        let echo = self.engine.options().echo;
        let hide = self.engine.options().hide_parameters;
        let pooled = self
            .pooled
            .as_mut()
            .ok_or_else(|| lost_tx_error("use this connection"))?;
        if echo {
            for params in &param_sets {
                log_statement_with(sql, params, hide);
            }
        }
        // The first set always starts: its BeforeExecute fires now. Which of
        // the others started is known when the driver answers; their events
        // fire then, in the order a statement-by-statement run fires them.
        if let Some(first) = param_sets.first() {
            events.fire(&ExecuteContext::new(EngineEvent::BeforeExecute, sql, first));
        }
        // The sets are kept for those later events only when someone listens.
        let after = events.has(EngineEvent::AfterExecute);
        let kept = (after || (param_sets.len() > 1 && events.has(EngineEvent::BeforeExecute)))
            .then(|| param_sets.clone());
        let start = after.then(Instant::now);
        // Under hide_parameters the failing set's values are taken out of its error.
        let hidden_sets = hide.then(|| param_sets.clone());
        let result = pooled
            .query_many(shared_sql, template.kind(), param_sets)
            .await;
        if let Some(sets) = kept {
            let elapsed = start.map(|s| s.elapsed()).unwrap_or_default();
            let (completed, failed) = match &result {
                Ok(outcomes) => (outcomes.as_slice(), None),
                Err(e) => (e.completed.as_slice(), Some(e.failed_index())),
            };
            fire_many_events(&events, sql, &sets, completed, failed, elapsed);
        }
        match result {
            Ok(outcomes) => Ok(outcomes
                .into_iter()
                .map(|mut outcome| {
                    outcome.decode_columns(template.column_types());
                    CursorResult::from(outcome)
                })
                .collect()),
            // The failing set gets the engine's error handling: its SQL attached, the
            // connection discarded if the error means it is gone.
            Err(e) => {
                let failed = e.failed_index();
                let error = match hidden_sets.as_ref().and_then(|sets| sets.get(failed)) {
                    Some(values) => e.error.hide_parameters(values),
                    None => e.error,
                };
                Err(self.handle_error(error, sql))
            }
        }
    }

    /// Run SQL text exactly as written, with positional parameters in the
    /// dialect's placeholder style (SQLAlchemy's `exec_driver_sql`). Its
    /// [`StatementKind`] is read from the leading keyword. Transaction control
    /// written this way (`BEGIN IMMEDIATE`, `SAVEPOINT x`) goes to the
    /// database as written, inside the connection's transaction; the
    /// connection does not track it (use [`commit`](Self::commit),
    /// [`begin_nested`](Self::begin_nested), .. for that).
    pub async fn exec_driver_sql(&mut self, sql: &str, params: Vec<Value>) -> Result<CursorResult> {
        self.execute_compiled(Compiled::new(sql, params)).await
    }

    /// Commit the open transaction (a no-op when none is open). The
    /// connection stays usable; the next statement begins a new transaction.
    pub async fn commit(&mut self) -> Result<()> {
        self.drop_if_interrupted();
        if self.lost_tx {
            return Err(lost_tx_error("commit"));
        }
        if !self.in_tx {
            return Ok(());
        }
        self.prepare().await?;
        self.control(TxCommand::Commit, Some(EngineEvent::Commit))
            .await?;
        self.in_tx = false;
        Ok(())
    }

    /// Roll back the open transaction (a no-op when none is open). Also
    /// acknowledges a transaction lost with an invalidated connection, after
    /// which the connection is usable again (with a fresh database connection).
    pub async fn rollback(&mut self) -> Result<()> {
        self.drop_if_interrupted();
        self.pending.clear();
        if self.lost_tx {
            self.lost_tx = false;
            self.in_tx = false;
            return Ok(());
        }
        if !self.in_tx {
            return Ok(());
        }
        let result = self
            .control(TxCommand::Rollback, Some(EngineEvent::Rollback))
            .await;
        self.in_tx = false;
        self.lost_tx = false;
        if let Err(e) = &result {
            // The transaction state is unknown: never reuse this connection.
            self.invalidate_with(Some(&format!("the rollback failed: {e}")));
        }
        result
    }

    /// Begin a transaction explicitly and hand the connection to a
    /// [`Transaction`] ("begin once"). Fails with `InvalidRequest` when a
    /// transaction is already open (one begins with the first statement).
    pub async fn begin(self) -> Result<Transaction> {
        self.begin_with(TxOptions::default()).await
    }

    /// [`begin`](Self::begin) with an isolation level and / or read only:
    /// `conn.begin_with(TxOptions::default().isolation(IsolationLevel::Serializable))`.
    /// A backend that cannot honour an option fails with an error naming it
    /// (SQLite runs every transaction SERIALIZABLE and refuses the other levels).
    /// The `Begin` event and echo show `BEGIN ISOLATION LEVEL .. [READ ONLY]`.
    ///
    /// [`IsolationLevel`]: oxalchemy_core::IsolationLevel
    pub async fn begin_with(mut self, options: TxOptions) -> Result<Transaction> {
        if self.in_tx {
            return Err(Error::invalid_request(
                "this connection already has a transaction in progress (it began with the first \
                 statement: commit as you go); commit() or rollback() it before calling begin()",
            ));
        }
        self.prepare().await?;
        self.begin_transaction(options).await?;
        Ok(Transaction::new(self))
    }

    /// Open a SAVEPOINT (beginning a transaction first if none is open). The
    /// savepoint borrows this connection until it is committed (RELEASE),
    /// rolled back (ROLLBACK TO) or dropped (rolled back before the next
    /// operation on this connection).
    pub async fn begin_nested(&mut self) -> Result<Savepoint<'_>> {
        self.prepare().await?;
        self.ensure_transaction().await?;
        self.savepoint_seq += 1;
        let name = format!("sa_savepoint_{}", self.savepoint_seq);
        self.control(TxCommand::Savepoint(&name), None).await?;
        Ok(Savepoint::new(self, name))
    }

    /// Roll back any open transaction and return the connection to the pool
    /// now (dropping does the same in the background).
    pub async fn close(mut self) -> Result<()> {
        self.rollback().await
    }

    /// Discard the underlying database connection (closed, never reused). If
    /// a transaction was open it is lost: `rollback()` must acknowledge it
    /// before the connection is used again; otherwise the next statement
    /// checks out a fresh connection. The engine's `Invalidate` event fires
    /// with no error.
    pub fn invalidate(&mut self) {
        self.invalidate_with(None);
    }

    /// [`invalidate`](Self::invalidate), telling `Invalidate` listeners why.
    fn invalidate_with(&mut self, error: Option<&str>) {
        if let Some(pooled) = self.pooled.take() {
            pooled.invalidate(error);
        }
        if self.in_tx {
            self.lost_tx = true;
        }
        self.pending.clear();
    }

    /// A previous operation's future was dropped before the driver answered:
    /// the connection's state is unknown, so it is discarded.
    fn drop_if_interrupted(&mut self) {
        if self.pooled.as_ref().is_some_and(|p| p.in_flight) {
            self.invalidate_with(Some(INTERRUPTED));
        }
    }

    /// Make the connection ready for an operation: handle an earlier
    /// interruption, check out a fresh connection after an invalidation, and
    /// run the rollbacks of dropped savepoints.
    async fn prepare(&mut self) -> Result<()> {
        self.drop_if_interrupted();
        if self.lost_tx {
            return Err(lost_tx_error("use this connection"));
        }
        if self.pooled.is_none() {
            self.pooled = Some(self.engine.checkout().await?);
        }
        while !self.pending.is_empty() {
            let name = self.pending.remove(0);
            self.control(TxCommand::RollbackToSavepoint(&name), None)
                .await?;
        }
        Ok(())
    }

    async fn ensure_transaction(&mut self) -> Result<()> {
        if self.in_tx {
            return Ok(());
        }
        self.begin_transaction(TxOptions::default()).await
    }

    /// Begin a transaction with `options` (none is open).
    async fn begin_transaction(&mut self, options: TxOptions) -> Result<()> {
        let plain = self.engine.dialect_ref().begin_sql();
        self.control(TxCommand::Begin(options, plain), Some(EngineEvent::Begin))
            .await?;
        self.in_tx = true;
        Ok(())
    }

    /// Run a savepoint command (RELEASE / ROLLBACK TO) for a [`Savepoint`].
    pub(crate) async fn savepoint_command(&mut self, command: TxCommand<'_>) -> Result<()> {
        self.prepare().await?;
        if !self.in_tx {
            return Err(Error::invalid_request(
                "the savepoint's transaction has already ended",
            ));
        }
        self.control(command, None).await
    }

    /// A savepoint was dropped without commit or rollback: roll back to it
    /// before the next operation.
    pub(crate) fn defer_savepoint_rollback(&mut self, name: &str) {
        if self.in_tx && !self.lost_tx {
            self.pending.push(name.to_owned());
        }
    }

    /// Run a transaction command, firing `event` first (with the command's SQL text).
    async fn control(&mut self, command: TxCommand<'_>, event: Option<EngineEvent>) -> Result<()> {
        if let Some(event) = event {
            self.engine.events().fire_simple(event, &command.sql());
        }
        if self.engine.options().echo {
            log_statement(&command.sql(), &[]);
        }
        let pooled = self
            .pooled
            .as_mut()
            .ok_or_else(|| lost_tx_error("use this connection"))?;
        match pooled.control(&command).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.handle_error(e, &command.sql())),
        }
    }

    /// Run one statement: its SQL, parameters and kind move into the driver.
    /// The parameters are copied only when something needs them after the
    /// driver has them: an `AfterExecute` listener, `hide_parameters` (to
    /// take them out of an error) or a RETURNING emulation (the keys).
    async fn run_statement(&mut self, compiled: Compiled) -> Result<CursorResult> {
        let (stmt, extras) = compiled.into_statement();
        let sql = stmt.sql_arc().clone();
        let events = self.engine.events().clone();
        events.fire(&ExecuteContext::new(
            EngineEvent::BeforeExecute,
            &sql,
            stmt.params(),
        ));
        let hide = self.engine.options().hide_parameters;
        if self.engine.options().echo {
            log_statement_with(&sql, stmt.params(), hide);
        }
        let after = events.has(EngineEvent::AfterExecute);
        let start = after.then(Instant::now);
        let kept = (after || hide || extras.fetch_after.is_some()).then(|| stmt.params().to_vec());
        let pooled = self
            .pooled
            .as_mut()
            .ok_or_else(|| lost_tx_error("use this connection"))?;
        let mut outcome = match pooled.query(stmt).await {
            Ok(r) => r,
            Err(e) => {
                let e = match &kept {
                    Some(params) if hide => e.hide_parameters(params),
                    _ => e,
                };
                return Err(self.handle_error(e, &sql));
            }
        };
        let params = kept.as_deref().unwrap_or_default();
        if let Some(fetch) = &extras.fetch_after {
            outcome = self.fetch_after_insert(outcome, params, fetch).await?;
        }
        // Values the driver gave in another form than the expression's type
        // (SQLite's REAL sums of NUMERICs, 0/1 conditions): converted.
        outcome.decode_columns(&extras.column_types);
        if let Some(start) = start {
            events.fire(
                &ExecuteContext::new(EngineEvent::AfterExecute, &sql, params).with_outcome(
                    start.elapsed(),
                    outcome.rows_affected,
                    outcome.rows.len(),
                ),
            );
        }
        Ok(CursorResult::from(outcome))
    }

    /// RETURNING emulation (MySQL): select the rows the INSERT just wrote, by
    /// their keys (given in `insert_params` or generated), in insertion order.
    /// Part of the same logical execution: no separate execute events.
    async fn fetch_after_insert(
        &mut self,
        insert: QueryResult,
        insert_params: &[Value],
        fetch: &FetchAfterInsert,
    ) -> Result<QueryResult> {
        let keys = fetch.row_keys(insert_params, insert.last_insert_id)?;
        let params: Vec<Value> = keys.iter().map(|k| Value::Int(*k)).collect();
        if self.engine.options().echo {
            log_statement_with(
                &fetch.select_sql,
                &params,
                self.engine.options().hide_parameters,
            );
        }
        let pooled = self
            .pooled
            .as_mut()
            .ok_or_else(|| lost_tx_error("use this connection"))?;
        let select = Statement::with_kind(fetch.select_sql.as_str(), params, StatementKind::Query);
        let rows = match pooled.query(select).await {
            Ok(r) => r,
            Err(e) => return Err(self.handle_error(e, &fetch.select_sql)),
        };
        let mut rows = fetch.rows_in_insert_order(&keys, rows);
        rows.rows_affected = insert.rows_affected;
        rows.last_insert_id = insert.last_insert_id;
        Ok(rows)
    }

    /// Attach the SQL to a driver error and discard the connection if the
    /// error means it is gone.
    fn handle_error(&mut self, e: Error, sql: &str) -> Error {
        let lost = e.is_disconnect() || self.pooled.as_ref().is_none_or(|p| p.is_broken());
        if lost {
            self.invalidate_with(Some(&e.to_string()));
        }
        e.with_sql(sql)
    }
}

/// The statement events of an `execute_many` after the driver answered (the
/// first set's `BeforeExecute` already fired): `AfterExecute` for each set
/// that `completed`, the `BeforeExecute` of each later set that started, up
/// to the one that `failed` (which gets no `AfterExecute`), in the order
/// SQLAlchemy fires them for a statement-by-statement run.
fn fire_many_events(
    events: &EngineEvents,
    sql: &str,
    sets: &[Vec<Value>],
    completed: &[QueryResult],
    failed: Option<usize>,
    elapsed: Duration,
) {
    for (i, (params, outcome)) in sets.iter().zip(completed).enumerate() {
        if i > 0 {
            events.fire(&ExecuteContext::new(
                EngineEvent::BeforeExecute,
                sql,
                params,
            ));
        }
        events.fire(
            &ExecuteContext::new(EngineEvent::AfterExecute, sql, params).with_outcome(
                elapsed,
                outcome.rows_affected,
                outcome.rows.len(),
            ),
        );
    }
    if let Some(i) = failed.filter(|&i| i > 0)
        && let Some(params) = sets.get(i)
    {
        events.fire(&ExecuteContext::new(
            EngineEvent::BeforeExecute,
            sql,
            params,
        ));
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let Some(pooled) = self.pooled.take() else {
            return;
        };
        // Interrupted mid-operation: dropping `pooled` invalidates it. No
        // open transaction: it is reset and goes straight back to the pool.
        if pooled.in_flight {
            return;
        }
        if !self.in_tx {
            pooled.fire_reset(true);
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => drop(handle.spawn(rollback_and_release(pooled))),
            Err(_) => pooled.close(),
        }
    }
}
