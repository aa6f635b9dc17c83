//! The engine over the real SQLite driver (in-memory database).

#![cfg(feature = "sqlite")]

use oxalchemy_core::{Error, Value};
use oxalchemy_pool::{Engine, EngineOptions};
use oxalchemy_sqlite::SqliteDriver;
use std::sync::Arc;

fn engine() -> Engine {
    let driver = SqliteDriver::from_url("sqlite://").expect("in-memory URL");
    let options = EngineOptions {
        pool_size: 2,
        max_overflow: 1,
        ..Default::default()
    };
    Engine::from_driver(Arc::new(driver), options).expect("engine")
}

async fn xs(engine: &Engine) -> Vec<i64> {
    let mut conn = engine.connect().await.unwrap();
    conn.exec_driver_sql("SELECT x FROM t ORDER BY x", vec![])
        .await
        .unwrap()
        .scalars()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_savepoints_and_rollback_on_drop() {
    let engine = engine();
    assert_eq!(engine.dialect().name(), "sqlite");
    let mut conn = engine.connect().await.unwrap();
    conn.exec_driver_sql(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER NOT NULL UNIQUE)",
        vec![],
    )
    .await
    .unwrap();
    conn.commit().await.unwrap();
    drop(conn);

    // Dropped without commit: rolled back.
    let mut tx = engine.begin().await.unwrap();
    tx.exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(1)])
        .await
        .unwrap();
    drop(tx);
    assert_eq!(xs(&engine).await, Vec::<i64>::new());

    // A savepoint rolled back inside a committed transaction.
    let mut tx = engine.begin().await.unwrap();
    tx.exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(2)])
        .await
        .unwrap();
    let mut sp = tx.begin_nested().await.unwrap();
    sp.exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(3)])
        .await
        .unwrap();
    sp.rollback().await.unwrap();
    let mut sp = tx.begin_nested().await.unwrap();
    sp.exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(4)])
        .await
        .unwrap();
    sp.commit().await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(xs(&engine).await, [2, 4]);

    // Commit as you go, and an integrity error carrying its SQL.
    let mut conn = engine.connect().await.unwrap();
    conn.exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(5)])
        .await
        .unwrap();
    conn.commit().await.unwrap();
    let err = conn
        .exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(5)])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::IntegrityError { .. }), "{err}");
    assert!(
        err.sql().is_some_and(|s| s.contains("INSERT INTO t")),
        "{err}"
    );
    conn.rollback().await.unwrap();
    drop(conn);
    assert_eq!(xs(&engine).await, [2, 4, 5]);
    // The last connection was dropped inside its (reading) transaction: it
    // comes back once the background rollback ran.
    for _ in 0..100 {
        if engine.pool_status().checked_out == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(engine.pool_status().checked_out, 0);
}

#[tokio::test]
async fn create_engine_picks_sqlite() {
    let engine = oxalchemy_pool::create_engine("sqlite://").unwrap();
    assert_eq!(engine.dialect().name(), "sqlite");
    let mut conn = engine.connect().await.unwrap();
    let one: Vec<i64> = conn
        .exec_driver_sql("SELECT 1", vec![])
        .await
        .unwrap()
        .scalars()
        .unwrap();
    assert_eq!(one, [1]);
}
