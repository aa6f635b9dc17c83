//! A mock in-memory driver that records what it is asked to do.
//!
//! SQL it understands (by prefix):
//! - `SLEEP`: waits 10 s (to test cancellation);
//! - `DISCONNECT`: fails with a disconnect error and marks the connection broken;
//! - `BREAK`: succeeds but marks the connection broken;
//! - `FAIL`: fails with a ProgrammingError;
//! - `SELECT`: returns one row holding the parameters (or `1` without any);
//! - `INSERT`: affects 1 row, last_insert_id 10;
//! - `UNIQUE`: affects 1 row, unless a parameter is the text `dup`: then it
//!   fails with a unique-constraint IntegrityError (for `execute_many`);
//! - anything else: affects 0 rows.
#![allow(dead_code)]

use oxalchemy_core::{
    BoxFuture, Columns, Compiled, Dialect, Driver, DriverConnection, Error, IntegrityKind,
    QueryResult, Result, Statement, TxOptions, Value,
};
use oxalchemy_pool::{Engine, EngineOptions};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Default)]
pub struct MockState {
    pub connects: AtomicUsize,
    pub closed: AtomicUsize,
    pub pings: AtomicUsize,
    pub fail_ping: AtomicBool,
    pub all_broken: AtomicBool,
    pub slow_commit: AtomicBool,
    /// (connection id, SQL) for every statement and batch, in order.
    pub log: Mutex<Vec<(usize, String)>>,
}

impl MockState {
    pub fn connects(&self) -> usize {
        self.connects.load(Ordering::SeqCst)
    }
    pub fn closed(&self) -> usize {
        self.closed.load(Ordering::SeqCst)
    }
    pub fn pings(&self) -> usize {
        self.pings.load(Ordering::SeqCst)
    }
    /// Every SQL string run, on any connection.
    pub fn sql(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|(_, s)| s.clone())
            .collect()
    }
    /// The SQL run on connection `id` (1-based, in connect order).
    pub fn sql_of(&self, id: usize) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, s)| s.clone())
            .collect()
    }
    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
}

#[derive(Debug)]
pub struct MockDialect;

impl Dialect for MockDialect {
    fn name(&self) -> &'static str {
        "mock"
    }
    fn has_table_query(&self, _schema: Option<&str>, table: &str) -> (String, Vec<Value>) {
        (
            "SELECT name FROM tables WHERE name = ?".into(),
            vec![Value::from(table)],
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct MockDriver {
    pub state: Arc<MockState>,
}

impl Driver for MockDriver {
    fn dialect(&self) -> Arc<dyn Dialect> {
        Arc::new(MockDialect)
    }

    fn connect(&self) -> BoxFuture<'_, Result<Box<dyn DriverConnection>>> {
        Box::pin(async move {
            let id = self.state.connects.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Box::new(MockConn {
                id,
                state: self.state.clone(),
                broken: false,
            }) as Box<dyn DriverConnection>)
        })
    }

    fn display_url(&self) -> String {
        "mock://scott:***@localhost/test".into()
    }
}

pub struct MockConn {
    id: usize,
    state: Arc<MockState>,
    broken: bool,
}

impl Drop for MockConn {
    fn drop(&mut self) {
        self.state.closed.fetch_add(1, Ordering::SeqCst);
    }
}

impl MockConn {
    fn record(&self, sql: &str) {
        self.state
            .log
            .lock()
            .unwrap()
            .push((self.id, sql.to_owned()));
    }

    async fn common(&mut self, sql: &str) -> Result<()> {
        self.record(sql);
        if sql.starts_with("SLEEP")
            || (sql == "COMMIT" && self.state.slow_commit.load(Ordering::SeqCst))
        {
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
        if sql.starts_with("DISCONNECT") {
            self.broken = true;
            return Err(Error::operational(
                "server closed the connection unexpectedly",
                true,
            ));
        }
        if sql.starts_with("BREAK") {
            self.broken = true;
        }
        if sql.starts_with("FAIL") {
            return Err(Error::ProgrammingError {
                message: "syntax error".into(),
                sql: None,
            });
        }
        Ok(())
    }
}

impl DriverConnection for MockConn {
    fn execute(&mut self, stmt: Statement) -> BoxFuture<'_, Result<QueryResult>> {
        Box::pin(async move {
            let (sql, params, _) = stmt.into_parts();
            let sql = &*sql;
            self.common(sql).await?;
            let mut result = QueryResult::default();
            if sql.starts_with("UNIQUE") {
                if params.contains(&Value::from("dup")) {
                    return Err(Error::IntegrityError {
                        kind: IntegrityKind::Unique,
                        constraint: Some("uq_mock".into()),
                        message: "duplicate key value".into(),
                        sql: None,
                    });
                }
                result.rows_affected = 1;
            }
            if sql.starts_with("SELECT") {
                let row: Vec<Value> = if params.is_empty() {
                    vec![Value::Int(1)]
                } else {
                    params.to_vec()
                };
                let names = (0..row.len()).map(|i| format!("p{i}")).collect();
                result.columns = Arc::new(Columns::new(names));
                result.rows = vec![row];
            } else if sql.starts_with("INSERT") {
                result.rows_affected = 1;
                result.last_insert_id = Some(10);
            }
            Ok(result)
        })
    }

    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.common(sql))
    }

    fn begin(&mut self, options: TxOptions) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { self.common(&options.begin_sql("BEGIN")).await })
    }

    fn commit(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.common("COMMIT"))
    }

    fn rollback(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.common("ROLLBACK"))
    }

    fn savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { self.common(&format!("SAVEPOINT {name}")).await })
    }

    fn release_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { self.common(&format!("RELEASE SAVEPOINT {name}")).await })
    }

    fn rollback_to_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { self.common(&format!("ROLLBACK TO SAVEPOINT {name}")).await })
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.state.pings.fetch_add(1, Ordering::SeqCst);
            if self.state.fail_ping.load(Ordering::SeqCst) {
                Err(Error::operational("ping failed: connection reset", true))
            } else {
                Ok(())
            }
        })
    }

    fn is_broken(&self) -> bool {
        self.broken || self.state.all_broken.load(Ordering::SeqCst)
    }

    fn close(self: Box<Self>) -> BoxFuture<'static, ()> {
        drop(self);
        Box::pin(async {})
    }
}

/// An engine over a fresh mock driver.
pub fn mock_engine(options: EngineOptions) -> (Engine, Arc<MockState>) {
    let driver = MockDriver::default();
    let state = driver.state.clone();
    let engine = Engine::from_driver(Arc::new(driver), options).expect("valid options");
    (engine, state)
}

/// Options with a small pool and a short timeout.
pub fn small_pool(pool_size: usize, max_overflow: usize) -> EngineOptions {
    EngineOptions {
        pool_size,
        max_overflow,
        pool_timeout: Duration::from_millis(200),
        ..Default::default()
    }
}

pub fn sql(text: &str) -> Compiled {
    Compiled::new(text, vec![])
}

/// Let spawned background work (rollbacks, closes) run.
pub async fn settle() {
    tokio::time::sleep(Duration::from_millis(20)).await;
}
