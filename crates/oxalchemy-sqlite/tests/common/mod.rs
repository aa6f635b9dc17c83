//! Helpers shared by the integration tests.
#![allow(dead_code)]

use oxalchemy_core::Statement;
use oxalchemy_core::{Driver, DriverConnection, QueryResult, Value};
use oxalchemy_sqlite::SqliteDriver;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "oxalchemy-sqlite-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new in-memory driver and one connection to it.
pub async fn memory() -> (SqliteDriver, Box<dyn DriverConnection>) {
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    let conn = driver.connect().await.unwrap();
    (driver, conn)
}

/// Run a statement that must succeed.
pub async fn run(conn: &mut Box<dyn DriverConnection>, sql: &str, params: &[Value]) -> QueryResult {
    match conn.execute(Statement::new(sql, params.to_vec())).await {
        Ok(r) => r,
        Err(e) => panic!("{sql}: {e}"),
    }
}

/// Run a DDL / control batch that must succeed.
pub async fn batch(conn: &mut Box<dyn DriverConnection>, sql: &str) {
    if let Err(e) = conn.execute_batch(sql).await {
        panic!("{sql}: {e}");
    }
}

/// The single value of a one-row, one-column result.
pub async fn scalar(conn: &mut Box<dyn DriverConnection>, sql: &str, params: &[Value]) -> Value {
    let r = run(conn, sql, params).await;
    assert_eq!(r.rows.len(), 1, "{sql}: expected one row, got {:?}", r.rows);
    r.rows[0][0].clone()
}
