//! `PostgresConnection`: one open connection, implementing [`DriverConnection`].

use crate::bind::{Bound, convert};
use crate::decode::{RawValue, decode};
use crate::error_map::{invalidates_statement, map_error};
use crate::param_types::{ParamKind, declared_types, runs};
use crate::placeholders::highest_placeholder;
use crate::statement_cache::{CachedStatement, StatementCache};
use futures_util::TryStreamExt;
use oxalchemy_core::{
    BoxFuture, DriverConnection, Error, ExecuteManyError, QueryResult, Result, Value,
};
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
    /// A plain `BEGIN` was asked for and not sent yet: it goes out pipelined
    /// with the next statement (one round trip instead of two), and a
    /// COMMIT / ROLLBACK before any statement sends nothing.
    begin_pending: bool,
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
            begin_pending: false,
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

    /// After `sql` ran: keep every cached statement of the driver in step with the schema.
    fn track_schema_changes(&mut self, sql: &str) {
        if changes_schema(sql) {
            self.cache.schema_changed();
            self.ddl_in_tx = true;
        } else if self.ddl_in_tx {
            let (first, second) = leading_keywords(sql);
            if matches!(first.as_str(), "COMMIT" | "END" | "ABORT" | "ROLLBACK") {
                // Committed (others now see it) or rolled back (the old schema is back).
                self.cache.schema_changed();
                self.ddl_in_tx = first == "ROLLBACK" && second == "TO";
            }
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
        let prepared = if self.begin_pending {
            // The transaction starts before the Parse, pipelined with it, so a
            // statement that fails to prepare aborts the transaction as usual.
            let (begun, prepared) = futures_util::future::join(
                self.client.batch_execute("BEGIN"),
                self.client.prepare_typed(sql, &types),
            )
            .await;
            self.begin_pending = false;
            if let Err(e) = begun {
                return Err(self.fail(&e, Some("BEGIN")));
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

    async fn run(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult> {
        let cached = self.prepared(sql, params).await?;
        let bound = bind_params(&cached, params, sql)?;

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
        let outcome = if self.begin_pending {
            // Both requests are written before either answer is awaited
            // (tokio-postgres pipelines the futures polled together).
            let (begun, outcome) =
                futures_util::future::join(self.client.batch_execute("BEGIN"), statement).await;
            self.begin_pending = false;
            if let Err(e) = begun {
                return Err(self.fail(&e, Some("BEGIN")));
            }
            outcome
        } else {
            statement.await
        };
        match outcome {
            Ok(result) => {
                self.track_schema_changes(sql);
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

/// The first two words of `sql`, upper-cased, after whitespace and comments.
fn leading_keywords(sql: &str) -> (String, String) {
    let mut rest = sql;
    loop {
        let t = rest.trim_start();
        if let Some(r) = t.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(r) = t.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, r)| r);
        } else {
            rest = t;
            break;
        }
    }
    let mut words = rest
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase);
    let first = words.next().unwrap_or_default();
    (first, words.next().unwrap_or_default())
}

/// Transaction control the connection may defer (see `begin_pending`).
#[derive(Debug, PartialEq, Eq)]
enum Deferrable {
    /// A plain `BEGIN` (no isolation level or other options).
    Begin,
    /// A plain `COMMIT` / `ROLLBACK` / `END` (not `ROLLBACK TO ..`).
    End,
    Other,
}

fn deferrable(sql: &str) -> Deferrable {
    let words: Vec<&str> = sql
        .trim()
        .trim_end_matches(';')
        .split_ascii_whitespace()
        .collect();
    match words.as_slice() {
        [w] if w.eq_ignore_ascii_case("BEGIN") => Deferrable::Begin,
        [w] if ["COMMIT", "ROLLBACK", "END"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k)) =>
        {
            Deferrable::End
        }
        _ => Deferrable::Other,
    }
}

/// A plain `COMMIT` / `END` (a plain `ROLLBACK` needs no check).
fn is_commit(sql: &str) -> bool {
    deferrable(sql) == Deferrable::End && {
        let word = sql.trim().trim_end_matches(';').trim();
        word.eq_ignore_ascii_case("COMMIT") || word.eq_ignore_ascii_case("END")
    }
}

/// True when `sql` (or a statement of a batch) may change tables or types, which
/// makes prepared statements stale. A false positive only costs re-preparing.
fn changes_schema(sql: &str) -> bool {
    sql.split(';').any(|stmt| {
        matches!(
            leading_keywords(stmt).0.as_str(),
            "CREATE" | "DROP" | "ALTER" | "DO"
        )
    })
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
    fn execute<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<QueryResult>> {
        Box::pin(self.run(sql, params))
    }

    /// The first set runs alone (it prepares the statement and sends a
    /// held-back BEGIN); the others are pipelined, up to [`PIPELINE_DEPTH`]
    /// in flight: their requests are written before the answers are awaited,
    /// so N statements cost about one round trip instead of N (as psycopg's
    /// pipelined executemany). The first failure in order is returned, with
    /// the results before it (the statements after it fail too, in the
    /// aborted transaction). A set whose parameters cannot be converted is
    /// never sent: the sets before it run, then it is the failure.
    fn execute_many<'a>(
        &'a mut self,
        sql: &'a str,
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'a, Result<Vec<QueryResult>, ExecuteManyError>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(param_sets.len());
            let Some((first, rest)) = param_sets.split_first() else {
                return Ok(out);
            };
            match self.run(sql, first).await {
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

    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            match (deferrable(sql), self.begin_pending) {
                (Deferrable::Begin, false) => {
                    self.begin_pending = true;
                    return Ok(());
                }
                (Deferrable::End, true) => {
                    // Nothing ran since the BEGIN: there is no transaction to end.
                    self.begin_pending = false;
                    return Ok(());
                }
                (_, true) => {
                    // A BEGIN, SAVEPOINT or script after a pending BEGIN: start the
                    // transaction first (BEGIN twice warns, as it did before).
                    self.begin_pending = false;
                    if let Err(e) = self.client.batch_execute("BEGIN").await {
                        return Err(self.fail(&e, Some("BEGIN")));
                    }
                }
                _ => {}
            }
            // PostgreSQL answers COMMIT of a transaction an earlier error
            // aborted with ROLLBACK, and no error: a statement that is refused
            // in an aborted transaction goes first, in the same round trip,
            // so such a COMMIT fails instead of reporting success.
            let checked;
            let sent = if is_commit(sql) {
                checked = format!("SELECT 1; {sql}");
                checked.as_str()
            } else {
                sql
            };
            match self.client.batch_execute(sent).await {
                Ok(()) => {
                    self.track_schema_changes(sql);
                    Ok(())
                }
                Err(e) if sent != sql && e.code() == Some(&SqlState::IN_FAILED_SQL_TRANSACTION) => {
                    Err(Error::operational(
                        "COMMIT failed: an earlier statement failed and PostgreSQL aborted the \
                         transaction, so nothing was committed; call rollback() and run the \
                         transaction again (wrap a statement that may fail in begin_nested())",
                        false,
                    ))
                }
                Err(e) => Err(self.fail(&e, Some(sql))),
            }
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

#[cfg(test)]
mod tests {
    use super::{Deferrable, deferrable};

    #[test]
    fn only_plain_transaction_control_is_deferred() {
        assert_eq!(deferrable("BEGIN"), Deferrable::Begin);
        assert_eq!(deferrable(" begin; "), Deferrable::Begin);
        assert_eq!(
            deferrable("BEGIN ISOLATION LEVEL SERIALIZABLE"),
            Deferrable::Other
        );
        assert_eq!(deferrable("COMMIT"), Deferrable::End);
        assert_eq!(deferrable("rollback"), Deferrable::End);
        assert_eq!(deferrable("END"), Deferrable::End);
        assert_eq!(deferrable("ROLLBACK TO SAVEPOINT sp1"), Deferrable::Other);
        assert_eq!(deferrable("SAVEPOINT sp1"), Deferrable::Other);
        assert_eq!(deferrable("SELECT 1"), Deferrable::Other);
    }
}
