//! `MysqlConnection`: one `mysql_async::Conn` behind oxalchemy's `DriverConnection`.
//!
//! Statements with parameters, and parameterless queries, inserts and DML
//! (by their [`StatementKind`]), run as prepared statements (binary
//! protocol), cached per connection by SQL text. Everything else without
//! parameters (DDL, `SET`, `SHOW`, `CALL`, transaction control written as
//! text, ...) runs through the text protocol, so one-off statements do not
//! fill the cache and statements MySQL cannot prepare still work.
//!
//! Transactions without a `BEGIN` round trip: the session runs with
//! `autocommit = 0` (set with the rest of the session setup), as MySQLdb and
//! PyMySQL do under SQLAlchemy, so the server starts a transaction by itself
//! with the first statement that touches a table. A plain
//! [`begin`](DriverConnection::begin) only records that a transaction was
//! asked for (one with options sends `SET TRANSACTION ISOLATION LEVEL ..;
//! START TRANSACTION [READ ONLY]`); a commit / rollback is sent only when the
//! server may have a transaction open, which the in-transaction flag of its
//! last OK packet says exactly (DDL, which commits implicitly, clears it).
//! Outside a requested transaction a statement is committed right after it
//! ran, so the connection keeps autocommit semantics for whoever uses it
//! without `begin`.

use crate::affected_rows::rows_affected;
use crate::bind::to_mysql;
use crate::decimal_params::with_decimal_casts;
use crate::decode::from_mysql;
use crate::error_map::map_error;
use crate::server_info::ServerInfo;
use mysql_async::consts::StatusFlags;
use mysql_async::prelude::{Protocol, Queryable};
use mysql_async::{Conn, DriverError, Params, Value as MyValue};
use oxalchemy_core::{
    BoxFuture, Columns, DriverConnection, Error, QueryResult, Result, Statement, StatementKind,
    TxOptions, Value,
};
use std::sync::Arc;

/// `ER_UNSUPPORTED_PS`: this statement cannot be prepared.
const ER_UNSUPPORTED_PS: u16 = 1295;
/// `ER_NEED_REPREPARE`: the table changed under a cached statement; run it again.
const ER_NEED_REPREPARE: u16 = 1615;

/// One open MySQL / MariaDB connection.
///
/// Made by [`MysqlDriver`](crate::MysqlDriver); the oxalchemy pool owns it
/// (mysql_async's own pool is not used).
pub struct MysqlConnection {
    conn: Option<Conn>,
    broken: bool,
    server: ServerInfo,
    /// A transaction was asked for (a plain begin held back, or one with
    /// options sent) and has not ended: statements are not committed one by one.
    in_tx: bool,
    /// The next commit / rollback must be sent even if the server's
    /// in-transaction flag is clear: a savepoint or transaction control
    /// written as text was sent, or a statement failed and the server's state
    /// is not known.
    end_needed: bool,
    /// The server rolled the requested transaction back on an error (a
    /// deadlock): nothing of it can be committed, so a `COMMIT` fails until a
    /// `ROLLBACK` acknowledges it.
    rolled_back: bool,
}

impl std::fmt::Debug for MysqlConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlConnection")
            .field("connection_id", &self.connection_id())
            .field("server", &self.server)
            .field("broken", &self.is_broken())
            .finish()
    }
}

impl MysqlConnection {
    pub(crate) fn new(conn: Conn, server: ServerInfo) -> Self {
        MysqlConnection {
            conn: Some(conn),
            broken: false,
            server,
            in_tx: false,
            end_needed: false,
            rolled_back: false,
        }
    }

    /// The server's id of this connection (`CONNECTION_ID()`), 0 once closed.
    pub fn connection_id(&self) -> u32 {
        self.conn.as_ref().map_or(0, Conn::id)
    }

    /// The server this connection talks to.
    pub fn server_info(&self) -> ServerInfo {
        self.server
    }

    fn live(&mut self) -> Result<&mut Conn> {
        if self.broken {
            return Err(Error::operational(
                "the MySQL connection is broken (an earlier error lost it); open a new one",
                true,
            ));
        }
        self.conn.as_mut().ok_or_else(|| {
            Error::operational("the MySQL connection is closed; open a new one", true)
        })
    }

    /// The status flags of the server's last OK packet; `None` after an error
    /// (or before the first command): the state is then unknown.
    fn status(&self) -> Option<StatusFlags> {
        self.conn
            .as_ref()?
            .last_ok_packet()
            .map(|ok| ok.status_flags())
    }

    /// True unless the server said it has no transaction open.
    fn server_in_tx(&self) -> bool {
        self.status()
            .is_none_or(|s| s.contains(StatusFlags::SERVER_STATUS_IN_TRANS))
    }

    /// True when the server said `autocommit` is off (set up so at connect;
    /// a session that switched it back on gets real `BEGIN`s).
    fn autocommit_off(&self) -> bool {
        self.status()
            .is_some_and(|s| !s.contains(StatusFlags::SERVER_STATUS_AUTOCOMMIT))
    }

    /// Send `sql` through the text protocol, without results.
    async fn send(&mut self, sql: &str) -> Result<()> {
        let conn = self.live()?;
        let outcome = conn.query_drop(sql).await;
        outcome.map_err(|e| self.fail(e, Some(sql)))
    }

    /// Begin a transaction (see the module docs for what is held back).
    async fn begin_tx(&mut self, options: TxOptions) -> Result<()> {
        if options.is_default() {
            // Held back when the next statement starts a fresh transaction
            // by itself; otherwise (autocommit on, or a transaction may be
            // open, which a real BEGIN commits) sent.
            if !self.autocommit_off() || self.server_in_tx() {
                self.send("BEGIN").await?;
            }
        } else {
            let mut sql = String::new();
            if let Some(level) = options.isolation {
                sql.push_str("SET TRANSACTION ISOLATION LEVEL ");
                sql.push_str(level.as_sql());
                sql.push_str("; ");
            }
            sql.push_str(if options.read_only {
                "START TRANSACTION READ ONLY"
            } else {
                "START TRANSACTION"
            });
            self.send(&sql).await?;
        }
        self.in_tx = true;
        Ok(())
    }

    /// Commit or roll back the requested transaction: sent only when the
    /// server may have one open.
    async fn end_tx(&mut self, commit: bool) -> Result<()> {
        if self.rolled_back {
            if commit {
                // Statements after the deadlock ran in a new transaction:
                // they are rolled back too, so nothing of this one is kept.
                self.send("ROLLBACK").await?;
                self.end_needed = false;
                return Err(Error::operational(
                    "COMMIT failed: the server rolled this transaction back when a statement \
                     failed (a deadlock), so nothing was committed; call rollback() and run \
                     the transaction again",
                    false,
                ));
            }
            self.rolled_back = false;
        }
        self.in_tx = false;
        if self.end_needed || self.server_in_tx() {
            self.send(if commit { "COMMIT" } else { "ROLLBACK" })
                .await?;
        }
        self.end_needed = false;
        Ok(())
    }

    /// A savepoint command: sent, and the transaction's end must be sent too.
    async fn savepoint_command(&mut self, sql: &str) -> Result<()> {
        self.send(sql).await?;
        self.end_needed = true;
        Ok(())
    }

    /// After a statement outside a requested transaction: commit what it
    /// started (rolled back when it failed), so nothing (no writes, no
    /// REPEATABLE READ snapshot) stays open for the next transaction.
    async fn settle(&mut self, succeeded: bool) -> Result<()> {
        if self.in_tx || self.is_broken() || !self.server_in_tx() {
            return Ok(());
        }
        if succeeded {
            self.send("COMMIT").await?;
        } else if self.send("ROLLBACK").await.is_err() {
            // Already failing: the caller reports the first error; the
            // state stays unknown (`end_needed`) until an end is sent.
            return Ok(());
        }
        self.end_needed = false;
        Ok(())
    }

    /// Map an error and remember when it cost the connection.
    fn fail(&mut self, err: mysql_async::Error, sql: Option<&str>) -> Error {
        // Whatever the statement did, a transaction may be open now.
        self.end_needed = true;
        // A deadlock rolls the whole transaction back (InnoDB); other errors
        // undo only the statement.
        if self.in_tx && matches!(&err, mysql_async::Error::Server(e) if e.code == 1213) {
            self.rolled_back = true;
        }
        let mapped = map_error(err, sql, self.server.flavor);
        let lost = self.conn.as_ref().is_none_or(Conn::is_disconnected);
        if mapped.is_disconnect() || lost {
            self.broken = true;
        }
        mapped
    }

    async fn run(
        &mut self,
        sql: &str,
        params: &[Value],
        kind: StatementKind,
    ) -> Result<QueryResult> {
        if kind == (StatementKind::EndTransaction { commit: true }) && self.rolled_back {
            // A COMMIT written as text after the server rolled the transaction
            // back (a deadlock) fails as the explicit commit does.
            self.end_tx(true).await?;
        }
        let outcome = self.run_statement(sql, params, kind).await;
        if kind.is_transaction_control() {
            // Transaction control written as text, sent as written (`START
            // TRANSACTION WITH CONSISTENT SNAPSHOT`, `SAVEPOINT x`, `COMMIT`):
            // one that begins counts as a requested transaction, one that
            // ends closes it; after the others the end is always sent.
            match (kind, &outcome) {
                (StatementKind::Begin, Ok(_)) => {
                    self.in_tx = true;
                    self.end_needed = true;
                }
                (StatementKind::EndTransaction { .. }, Ok(_)) => {
                    self.in_tx = false;
                    self.end_needed = false;
                    self.rolled_back = false;
                }
                _ => self.end_needed = true,
            }
            return outcome;
        }
        self.settle(outcome.is_ok()).await?;
        outcome
    }

    async fn run_statement(
        &mut self,
        sql: &str,
        params: &[Value],
        kind: StatementKind,
    ) -> Result<QueryResult> {
        let bound = bind_all(params)?;
        let cast_sql = with_decimal_casts(sql, params);
        let sent = cast_sql.as_deref().unwrap_or(sql);
        let conn = self.live()?;
        let outcome = if bound.is_empty() && !prefers_prepared(kind) {
            run_text(conn, sql).await
        } else {
            match run_prepared(conn, sent, bound).await {
                Err(mysql_async::Error::Server(e)) if e.code == ER_NEED_REPREPARE => {
                    run_prepared(conn, sent, bind_all(params)?).await
                }
                Err(mysql_async::Error::Server(e))
                    if e.code == ER_UNSUPPORTED_PS && params.is_empty() =>
                {
                    run_text(conn, sql).await
                }
                other => other,
            }
        };
        let info = conn.info().into_owned();
        let (mut result, refused) = outcome.map_err(|e| self.fail(e, Some(sql)))?;
        if let Some(message) = refused {
            return Err(Error::DataError {
                message,
                sql: Some(sql.to_owned()),
            });
        }
        if result.columns.is_empty() {
            // SQLAlchemy's counts (see `affected_rows`); a statement that
            // returns rows is counted by them (below).
            result.rows_affected = rows_affected(sql, result.rows_affected, &info);
        }
        // `INSERT/DELETE .. RETURNING` (MariaDB) ends its rows with an EOF that
        // carries no row count: every returned row is an affected row.
        if result.rows_affected == 0
            && !result.columns.is_empty()
            && matches!(kind, StatementKind::Insert | StatementKind::Dml)
        {
            result.rows_affected = result.rows.len() as u64;
        }
        Ok(result)
    }
}

fn bind_all(params: &[Value]) -> Result<Vec<MyValue>> {
    params
        .iter()
        .enumerate()
        .map(|(i, v)| to_mysql(v, i))
        .collect()
}

/// True for statements worth preparing even without parameters.
fn prefers_prepared(kind: StatementKind) -> bool {
    matches!(
        kind,
        StatementKind::Query | StatementKind::Insert | StatementKind::Dml
    )
}

async fn run_prepared(
    conn: &mut Conn,
    sql: &str,
    params: Vec<MyValue>,
) -> mysql_async::Result<Collected> {
    let stmt = conn.prep(sql).await?;
    // Checked here: mysql_async drops the connection when the count is wrong.
    if usize::from(stmt.num_params()) != params.len() {
        return Err(DriverError::StmtParamsMismatch {
            required: stmt.num_params(),
            supplied: params.len(),
        }
        .into());
    }
    let params = if params.is_empty() {
        Params::Empty
    } else {
        Params::Positional(params)
    };
    let result = conn.exec_iter(stmt, params).await?;
    collect(result).await
}

async fn run_text(conn: &mut Conn, sql: &str) -> mysql_async::Result<Collected> {
    let result = conn.query_iter(sql).await?;
    collect(result).await
}

/// Read every result set; keep the first one that has columns.
async fn collect<P: Protocol>(
    mut result: mysql_async::QueryResult<'_, '_, P>,
) -> mysql_async::Result<Collected> {
    let mut columns: Option<Arc<[mysql_async::Column]>> = None;
    let mut raw_rows: Vec<mysql_async::Row> = Vec::new();
    let mut rows_affected = 0u64;
    let mut last_insert_id = None;
    loop {
        let set_columns = result.columns().filter(|c| !c.is_empty());
        let set: Vec<mysql_async::Row> = result.collect().await?;
        rows_affected += result.affected_rows();
        if let Some(id) = result.last_insert_id().filter(|id| *id != 0) {
            last_insert_id = i64::try_from(id).ok();
        }
        if columns.is_none()
            && let Some(c) = set_columns
        {
            columns = Some(c);
            raw_rows = set;
        }
        if result.is_empty() {
            break;
        }
    }
    let Some(columns) = columns else {
        return Ok((
            QueryResult {
                columns: Arc::new(Columns::default()),
                rows: Vec::new(),
                rows_affected,
                last_insert_id,
            },
            None,
        ));
    };
    let names = columns.iter().map(|c| c.name_str().into_owned()).collect();
    let rows: Vec<Vec<Value>> = raw_rows
        .into_iter()
        .map(|row| {
            row.unwrap()
                .into_iter()
                .zip(columns.iter())
                .map(|(v, c)| from_mysql(v, c))
                .collect()
        })
        .collect();
    let refused = first_inexact_decimal(&rows, &columns);
    Ok((
        QueryResult {
            columns: Arc::new(Columns::new(names)),
            rows,
            rows_affected,
            last_insert_id,
        },
        refused,
    ))
}

/// The rows of a statement, and why they are refused: a DECIMAL with more
/// digits than `rust_decimal::Decimal` holds (it would be rounded).
type Collected = (QueryResult, Option<String>);

/// The message for the first DECIMAL value that did not decode exactly.
fn first_inexact_decimal(rows: &[Vec<Value>], columns: &[mysql_async::Column]) -> Option<String> {
    use mysql_async::consts::ColumnType::{MYSQL_TYPE_DECIMAL, MYSQL_TYPE_NEWDECIMAL};
    rows.iter().find_map(|row| {
        row.iter().zip(columns).find_map(|(v, c)| match v {
            Value::Text(text)
                if matches!(c.column_type(), MYSQL_TYPE_DECIMAL | MYSQL_TYPE_NEWDECIMAL) =>
            {
                Some(format!(
                    "cannot read column {:?}: the DECIMAL {text} has more significant digits \
                     than rust_decimal::Decimal holds (28-29) and would be rounded; CAST it to \
                     DOUBLE or CHAR in the query",
                    c.name_str()
                ))
            }
            _ => None,
        })
    })
}

impl DriverConnection for MysqlConnection {
    fn execute(&mut self, stmt: Statement) -> BoxFuture<'_, Result<QueryResult>> {
        Box::pin(async move {
            let (sql, params, kind) = stmt.into_parts();
            self.run(&sql, &params, kind).await
        })
    }

    /// Sent through the text protocol; outside a requested transaction what
    /// it did is committed right after.
    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let outcome = self.send(sql).await;
            self.settle(outcome.is_ok()).await?;
            outcome
        })
    }

    /// Every isolation level and read only are honoured (`SET TRANSACTION
    /// ISOLATION LEVEL ..; START TRANSACTION READ ONLY`); a plain begin is
    /// held back (see the module docs).
    fn begin(&mut self, options: TxOptions) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.begin_tx(options))
    }

    fn commit(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.end_tx(true))
    }

    fn rollback(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.end_tx(false))
    }

    fn savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.savepoint_command(&oxalchemy_core::SavepointCommand::Open.sql(name)?)
                .await
        })
    }

    fn release_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.savepoint_command(&oxalchemy_core::SavepointCommand::Release.sql(name)?)
                .await
        })
    }

    fn rollback_to_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.savepoint_command(&oxalchemy_core::SavepointCommand::RollbackTo.sql(name)?)
                .await
        })
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let conn = self.live()?;
            let outcome = conn.ping().await;
            outcome.map_err(|e| self.fail(e, None))
        })
    }

    fn is_broken(&self) -> bool {
        self.broken || self.conn.as_ref().is_none_or(Conn::is_disconnected)
    }

    fn close(mut self: Box<Self>) -> BoxFuture<'static, ()> {
        let conn = self.conn.take();
        Box::pin(async move {
            if let Some(conn) = conn {
                let _ = conn.disconnect().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::prefers_prepared;
    use oxalchemy_core::StatementKind;

    #[test]
    fn statement_routing() {
        let of = |sql| prefers_prepared(StatementKind::of_sql(sql));
        assert!(of("SELECT 1"));
        assert!(of("  (select 1) union (select 2)"));
        assert!(of("WITH x AS (SELECT 1) SELECT * FROM x"));
        assert!(!of("CREATE TABLE t (id INTEGER)"));
        assert!(!of("SAVEPOINT sa_1"));
        assert!(!of("SHOW TABLES"));
    }
}
