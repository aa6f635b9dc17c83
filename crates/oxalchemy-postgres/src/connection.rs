//! `PostgresConnection`: one open connection, implementing [`DriverConnection`].

use crate::bind::{Bound, convert};
use crate::decode::{RawValue, decode};
use crate::error_map::{invalidates_statement, map_error};
use crate::param_types::{ParamKind, declared_types, runs};
use crate::placeholders::highest_placeholder;
use crate::statement_cache::{CachedStatement, StatementCache};
use futures_util::TryStreamExt;
use oxalchemy_core::{
    BoxFuture, DriverConnection, Error, ExecuteManyError, QueryResult, Result, Statement,
    StatementKind, TxOptions, Value,
};
use std::borrow::Cow;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

/// How long `close` waits for the server to acknowledge the goodbye.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// One open PostgreSQL connection (tokio-postgres, TLS as the URL's `sslmode` asks).
///
/// Statements are prepared once per connection and cached by SQL text and
/// parameter kinds (see
/// [`PostgresDriver::statement_cache_capacity`](crate::PostgresDriver::statement_cache_capacity));
/// numbers, booleans, dates and times are declared with their own types when
/// a statement is prepared, other parameters take the types the server infers,
/// and result columns are decoded by their types (see the crate documentation).
/// Usually reached as a `Box<dyn DriverConnection>` through the engine.
pub struct PostgresConnection {
    client: Client,
    cache: StatementCache,
    /// DDL ran in the open transaction: its end changes the schema others see again.
    ddl_in_tx: bool,
    /// A begin was asked for and not sent yet: it goes out pipelined with
    /// the next statement (one round trip instead of two), and a commit /
    /// rollback before any statement sends nothing.
    begin_pending: Option<TxOptions>,
    /// Set when the connection task ends or a statement failed with a disconnect.
    broken: Arc<AtomicBool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for PostgresConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresConnection")
            .field("cached_statements", &self.cache.len())
            .field("broken", &self.is_broken())
            .finish()
    }
}

impl PostgresConnection {
    /// Wrap a connected client; `task` drives its socket and sets `broken` when it ends.
    pub(crate) fn new(
        client: Client,
        cache: StatementCache,
        broken: Arc<AtomicBool>,
        task: JoinHandle<()>,
    ) -> Self {
        PostgresConnection {
            client,
            cache,
            ddl_in_tx: false,
            begin_pending: None,
            broken,
            task: Some(task),
        }
    }

    /// Number of prepared statements this connection holds in its cache.
    pub fn cached_statements(&self) -> usize {
        self.cache.len()
    }

    /// True when a prepared statement for exactly this SQL text is cached
    /// (for any parameter types).
    pub fn is_statement_cached(&self, sql: &str) -> bool {
        self.cache.contains(sql)
    }

    /// The underlying tokio-postgres client, for what the driver seam does not cover
    /// (COPY, LISTEN/NOTIFY, cancellation).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Turn a tokio-postgres error into an oxalchemy one; remember disconnects.
    fn fail(&mut self, err: &tokio_postgres::Error, sql: Option<&str>) -> Error {
        let mapped = map_error(err, sql);
        if mapped.is_disconnect() {
            self.broken.store(true, Ordering::SeqCst);
            self.cache.clear();
        }
        mapped
    }

    /// After a statement of `kind` ran: keep every cached statement of the
    /// driver in step with the schema. DDL makes them stale, and so does the
    /// end of a transaction that ran DDL (committed: others see it; rolled
    /// back: the old schema is back); other transaction control written as
    /// text (`ROLLBACK TO ..`) counts as a change too once DDL ran (a false
    /// positive only costs re-preparing).
    fn track_schema_changes(&mut self, kind: StatementKind) {
        match kind {
            StatementKind::Ddl => {
                self.cache.schema_changed();
                self.ddl_in_tx = true;
            }
            StatementKind::EndTransaction { .. } => self.transaction_ended(),
            _ if self.ddl_in_tx && kind.is_transaction_control() => self.cache.schema_changed(),
            _ => {}
        }
    }

    /// The transaction ended (committed: others now see its DDL; rolled
    /// back: the old schema is back).
    fn transaction_ended(&mut self) {
        if self.ddl_in_tx {
            self.cache.schema_changed();
            self.ddl_in_tx = false;
        }
    }

    /// Send a begin that was held back, on its own (before a savepoint or a script).
    async fn flush_begin(&mut self) -> Result<()> {
        let Some(options) = self.begin_pending.take() else {
            return Ok(());
        };
        let sql = begin_sql(options);
        match self.client.batch_execute(&sql).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(&e, Some(&sql))),
        }
    }

    /// Send transaction control through the simple query protocol.
    async fn simple(&mut self, sql: &str) -> Result<()> {
        match self.client.batch_execute(sql).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(&e, Some(sql))),
        }
    }

    /// The statement for `sql` prepared with the types of `params` (see `param_types`).
    async fn prepared(&mut self, sql: &str, params: &[Value]) -> Result<CachedStatement> {
        if let Some(cached) = self.cache.get(sql, params) {
            return Ok(cached);
        }
        self.prepare(sql, params.iter().map(ParamKind::of).collect())
            .await
    }

    /// The statement for `sql` prepared for exactly these parameter kinds.
    async fn prepared_for(
        &mut self,
        sql: &str,
        kinds: Box<[ParamKind]>,
    ) -> Result<CachedStatement> {
        if let Some(cached) = self.cache.get_exact(sql, &kinds) {
            return Ok(cached);
        }
        self.prepare(sql, kinds).await
    }

    /// Prepare `sql` with parameters of `kinds` and cache it.
    async fn prepare(&mut self, sql: &str, kinds: Box<[ParamKind]>) -> Result<CachedStatement> {
        let mut types = declared_types(&kinds);
        // A surplus value must not become a declared, unused parameter.
        types.truncate(highest_placeholder(sql));
        let prepared = if let Some(options) = self.begin_pending.take() {
            // The transaction starts before the Parse, pipelined with it, so a
            // statement that fails to prepare aborts the transaction as usual.
            let begin = begin_sql(options);
            let (begun, prepared) = futures_util::future::join(
                self.client.batch_execute(&begin),
                self.client.prepare_typed(sql, &types),
            )
            .await;
            if let Err(e) = begun {
                return Err(self.fail(&e, Some(&begin)));
            }
            prepared
        } else {
            self.client.prepare_typed(sql, &types).await
        };
        match prepared {
            Ok(statement) => {
                let cached = CachedStatement::new(statement);
                self.cache.insert(sql, kinds, cached.clone());
                Ok(cached)
            }
            Err(e) => Err(self.fail(&e, Some(sql))),
        }
    }

    async fn run(
        &mut self,
        sql: &str,
        params: &[Value],
        kind: StatementKind,
    ) -> Result<QueryResult> {
        let cached = self.prepared(sql, params).await?;
        let bound = bind_params(&cached, params, sql)?;
        let begin = self.begin_pending.take().map(begin_sql);

        let statement = async {
            if cached.statement.columns().is_empty() {
                self.client
                    .execute_raw(&cached.statement, bound.iter())
                    .await
                    .map(|n| {
                        Ok(QueryResult {
                            columns: cached.columns.clone(),
                            rows: Vec::new(),
                            rows_affected: n,
                            last_insert_id: None,
                        })
                    })
            } else {
                fetch(&self.client, &cached, &bound, sql).await
            }
        };
        let outcome = if let Some(begin) = &begin {
            // Both requests are written before either answer is awaited
            // (tokio-postgres pipelines the futures polled together).
            let (begun, outcome) =
                futures_util::future::join(self.client.batch_execute(begin), statement).await;
            if let Err(e) = begun {
                return Err(self.fail(&e, Some(begin)));
            }
            outcome
        } else {
            statement.await
        };
        match outcome {
            Ok(result) => {
                self.track_schema_changes(kind);
                result
            }
            Err(e) => {
                if invalidates_statement(&e) {
                    self.cache.remove(sql);
                }
                Err(self.fail(&e, Some(sql)))
            }
        }
    }
}

impl PostgresConnection {
    /// Run `sets` (all of the kinds `cached` was prepared for) pipelined, up
    /// to [`PIPELINE_DEPTH`] in flight, appending each result to `out`; the
    /// first failure in order stops it.
    async fn pipeline(
        &mut self,
        sql: &str,
        cached: &CachedStatement,
        sets: &[Vec<Value>],
        out: &mut Vec<QueryResult>,
    ) -> Result<()> {
        for chunk in sets.chunks(PIPELINE_DEPTH) {
            // Convert up to the first set that does not convert: those
            // before it still run, in order, ahead of its error.
            let mut bound_sets = Vec::with_capacity(chunk.len());
            let mut unbound = None;
            for params in chunk {
                match bind_params(cached, params, sql) {
                    Ok(bound) => bound_sets.push(bound),
                    Err(e) => {
                        unbound = Some(e);
                        break;
                    }
                }
            }
            let client = &self.client;
            let outcomes: Vec<Fetched> =
                futures_util::future::join_all(bound_sets.iter().map(|bound| async move {
                    if cached.statement.columns().is_empty() {
                        client
                            .execute_raw(&cached.statement, bound.iter())
                            .await
                            .map(|n| {
                                Ok(QueryResult {
                                    columns: cached.columns.clone(),
                                    rows: Vec::new(),
                                    rows_affected: n,
                                    last_insert_id: None,
                                })
                            })
                    } else {
                        fetch(client, cached, bound, sql).await
                    }
                }))
                .await;
            for outcome in outcomes {
                match outcome {
                    Ok(Ok(result)) => out.push(result),
                    Ok(Err(decode_error)) => return Err(decode_error),
                    Err(e) => {
                        if invalidates_statement(&e) {
                            self.cache.remove(sql);
                        }
                        return Err(self.fail(&e, Some(sql)));
                    }
                }
            }
            if let Some(e) = unbound {
                return Err(e);
            }
        }
        Ok(())
    }
}

/// How many statements of one `execute_many` are in flight at once.
const PIPELINE_DEPTH: usize = 1000;

/// Check the number of `params` against the statement's and convert them.
fn bind_params<'v>(
    cached: &CachedStatement,
    params: &'v [Value],
    sql: &str,
) -> Result<Vec<Bound<'v>>> {
    let types = cached.statement.params();
    if types.len() != params.len() {
        return Err(Error::ProgrammingError {
            message: format!(
                "the statement has {} parameter(s) but {} value(s) were given",
                types.len(),
                params.len()
            ),
            sql: Some(sql.to_owned()),
        });
    }
    params
        .iter()
        .zip(types)
        .enumerate()
        .map(|(i, (v, ty))| convert(v, ty, i))
        .collect::<Result<Vec<Bound<'_>>>>()
        .map_err(|e| e.with_sql(sql))
}

/// The begin statement for `options`: `BEGIN`, or
/// `BEGIN ISOLATION LEVEL .. [READ ONLY]` (PostgreSQL takes every level;
/// READ UNCOMMITTED behaves as READ COMMITTED there).
fn begin_sql(options: TxOptions) -> Cow<'static, str> {
    options.begin_sql("BEGIN")
}

/// Rows (or a decode error, reported once the stream is drained), or what the server said.
type Fetched = std::result::Result<Result<QueryResult>, tokio_postgres::Error>;

/// Run a statement that returns rows and decode them all.
async fn fetch(
    client: &Client,
    cached: &CachedStatement,
    bound: &[Bound<'_>],
    sql: &str,
) -> Fetched {
    let stream = client.query_raw(&cached.statement, bound.iter()).await?;
    let mut stream = pin!(stream);
    let columns = cached.statement.columns();
    let mut rows = Vec::new();
    let mut decode_error = None;
    while let Some(row) = stream.try_next().await? {
        if decode_error.is_some() {
            continue; // drain the stream so the connection stays in sync
        }
        let mut values = Vec::with_capacity(columns.len());
        for (i, col) in columns.iter().enumerate() {
            let RawValue(raw) = row.try_get::<_, RawValue<'_>>(i)?;
            match decode(col.type_(), raw) {
                Ok(v) => values.push(v),
                Err(why) => {
                    decode_error = Some(Error::DataError {
                        message: format!(
                            "cannot read column {:?} (position {i}) of PostgreSQL type {}: {why}",
                            col.name(),
                            col.type_().name()
                        ),
                        sql: Some(sql.to_owned()),
                    });
                    break;
                }
            }
        }
        rows.push(values);
    }
    if let Some(e) = decode_error {
        return Ok(Err(e));
    }
    let rows_affected = stream.rows_affected().unwrap_or(rows.len() as u64);
    Ok(Ok(QueryResult {
        columns: cached.columns.clone(),
        rows,
        rows_affected,
        last_insert_id: None,
    }))
}

impl DriverConnection for PostgresConnection {
    fn execute(&mut self, stmt: Statement) -> BoxFuture<'_, Result<QueryResult>> {
        Box::pin(async move {
            let (sql, params, kind) = stmt.into_parts();
            self.run(&sql, &params, kind).await
        })
    }

    /// The first set runs alone (it prepares the statement and sends a
    /// held-back BEGIN); the others are pipelined, up to `PIPELINE_DEPTH` (1000)
    /// in flight: their requests are written before the answers are awaited,
    /// so N statements cost about one round trip instead of N (as psycopg's
    /// pipelined executemany). The first failure in order is returned, with
    /// the results before it (the statements after it fail too, in the
    /// aborted transaction). A set whose parameters cannot be converted is
    /// never sent: the sets before it run, then it is the failure.
    fn execute_many(
        &mut self,
        sql: Arc<str>,
        kind: StatementKind,
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'_, Result<Vec<QueryResult>, ExecuteManyError>> {
        Box::pin(async move {
            let sql = &*sql;
            let mut out = Vec::with_capacity(param_sets.len());
            let Some((first, rest)) = param_sets.split_first() else {
                return Ok(out);
            };
            match self.run(sql, first, kind).await {
                Ok(result) => out.push(result),
                Err(e) => return Err(ExecuteManyError::new(out, e)),
            }
            for (run, kinds) in runs(rest) {
                // Sets whose values have other kinds (a float where an integer
                // was, a bigger integer) need the statement prepared for them.
                let cached = match self.prepared_for(sql, kinds).await {
                    Ok(cached) => cached,
                    Err(e) => return Err(ExecuteManyError::new(out, e)),
                };
                if let Err(e) = self.pipeline(sql, &cached, run, &mut out).await {
                    return Err(ExecuteManyError::new(out, e));
                }
            }
            Ok(out)
        })
    }

    /// A script runs in the transaction (a held-back BEGIN is sent first).
    /// Whatever it does, the cached statements are treated as stale after it
    /// (it may hold DDL; a false positive only costs re-preparing).
    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.flush_begin().await?;
            self.simple(sql).await?;
            self.cache.schema_changed();
            self.ddl_in_tx = true;
            Ok(())
        })
    }

    /// Held back: the begin goes out pipelined with the next statement
    /// (`BEGIN ISOLATION LEVEL .. READ ONLY` with options). A begin while one
    /// is held back sends that one first (PostgreSQL then warns, as before).
    fn begin(&mut self, options: TxOptions) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if self.begin_pending.is_some() {
                self.flush_begin().await?;
                return self.simple(&begin_sql(options)).await;
            }
            self.begin_pending = Some(options);
            Ok(())
        })
    }

    /// PostgreSQL answers COMMIT of a transaction an earlier error aborted
    /// with ROLLBACK, and no error: a statement that is refused in an aborted
    /// transaction goes first, in the same round trip, so such a COMMIT
    /// fails instead of reporting success. Nothing is sent when the begin
    /// was still held back.
    fn commit(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if self.begin_pending.take().is_some() {
                return Ok(());
            }
            match self.client.batch_execute("SELECT 1; COMMIT").await {
                Ok(()) => {
                    self.transaction_ended();
                    Ok(())
                }
                Err(e) if e.code() == Some(&SqlState::IN_FAILED_SQL_TRANSACTION) => {
                    Err(Error::operational(
                        "COMMIT failed: an earlier statement failed and PostgreSQL aborted the \
                         transaction, so nothing was committed; call rollback() and run the \
                         transaction again (wrap a statement that may fail in begin_nested())",
                        false,
                    ))
                }
                Err(e) => Err(self.fail(&e, Some("COMMIT"))),
            }
        })
    }

    fn rollback(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if self.begin_pending.take().is_some() {
                return Ok(());
            }
            self.simple("ROLLBACK").await?;
            self.transaction_ended();
            Ok(())
        })
    }

    fn savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.flush_begin().await?;
            self.simple(&oxalchemy_core::SavepointCommand::Open.sql(name)?)
                .await
        })
    }

    fn release_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.simple(&oxalchemy_core::SavepointCommand::Release.sql(name)?)
                .await
        })
    }

    /// DDL undone by the rollback to the savepoint leaves cached statements stale.
    fn rollback_to_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.simple(&oxalchemy_core::SavepointCommand::RollbackTo.sql(name)?)
                .await?;
            if self.ddl_in_tx {
                self.cache.schema_changed();
            }
            Ok(())
        })
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            // An empty simple query: one round trip, no parsing or planning.
            match self.client.batch_execute("").await {
                Ok(_) => Ok(()),
                Err(e) => Err(self.fail(&e, None)),
            }
        })
    }

    fn is_broken(&self) -> bool {
        self.broken.load(Ordering::SeqCst) || self.client.is_closed()
    }

    fn close(mut self: Box<Self>) -> BoxFuture<'static, ()> {
        let task = self.task.take();
        Box::pin(async move {
            // Dropping the statements and the client sends Close and Terminate;
            // then wait (briefly) for the connection task to finish.
            drop(self);
            if let Some(task) = task {
                let _ = tokio::time::timeout(CLOSE_TIMEOUT, task).await;
            }
        })
    }
}
