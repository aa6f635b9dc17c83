//! Statement execution: caching, RETURNING, counts and keys, cancellation.

mod common;

use common::{batch, memory, run, scalar};
use oxalchemy_core::Statement;
use oxalchemy_core::{Driver, Value};
use std::time::Duration;

#[tokio::test]
async fn same_sql_twice_reuses_the_cached_statement() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").await;
    let insert = "INSERT INTO t (name) VALUES (?)";
    for i in 0..300 {
        // More distinct statements than the cache holds, interleaved with a repeated one.
        run(&mut c, insert, &[Value::from(format!("n{i}"))]).await;
        run(&mut c, &format!("SELECT {i} FROM t LIMIT 1"), &[]).await;
    }
    let select = "SELECT name FROM t WHERE id = ?";
    assert_eq!(
        scalar(&mut c, select, &[Value::Int(1)]).await,
        Value::from("n0")
    );
    assert_eq!(
        scalar(&mut c, select, &[Value::Int(300)]).await,
        Value::from("n299")
    );
    assert_eq!(
        scalar(&mut c, select, &[Value::Int(1)]).await,
        Value::from("n0")
    );
}

#[tokio::test]
async fn cached_statement_sees_a_changed_table() {
    let (_driver, mut c) = memory().await;
    batch(
        &mut c,
        "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)",
    )
    .await;
    let r = run(&mut c, "SELECT * FROM t", &[]).await;
    assert_eq!(r.columns.names(), ["x"]);
    batch(&mut c, "ALTER TABLE t ADD COLUMN flag BOOLEAN DEFAULT 1").await;
    let r = run(&mut c, "SELECT * FROM t", &[]).await;
    assert_eq!(r.columns.names(), ["x", "flag"]);
    assert_eq!(r.rows, vec![vec![Value::Int(1), Value::Bool(true)]]);
    batch(&mut c, "DELETE FROM t").await;
    let r = run(&mut c, "SELECT * FROM t", &[]).await;
    assert_eq!(r.columns.names(), ["x", "flag"], "labels even without rows");
}

#[tokio::test]
async fn repeated_statement_shares_its_column_labels() {
    let (_driver, mut c) = memory().await;
    batch(
        &mut c,
        "CREATE TABLE t (x INTEGER, y TEXT); INSERT INTO t VALUES (1, 'a')",
    )
    .await;
    let a = run(&mut c, "SELECT x, y FROM t", &[]).await;
    let b = run(&mut c, "SELECT x, y FROM t", &[]).await;
    assert!(
        std::sync::Arc::ptr_eq(&a.columns, &b.columns),
        "labels reused, not rebuilt"
    );
    assert_eq!(b.columns.names(), ["x", "y"]);
}

#[tokio::test]
async fn cached_column_types_follow_a_recreated_table() {
    // Same SQL, same column name, another declared type: the values follow the new type.
    let (_driver, mut c) = memory().await;
    batch(
        &mut c,
        "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)",
    )
    .await;
    let r = run(&mut c, "SELECT x FROM t", &[]).await;
    assert_eq!(r.rows, vec![vec![Value::Int(1)]]);
    batch(
        &mut c,
        "DROP TABLE t; CREATE TABLE t (x BOOLEAN); INSERT INTO t VALUES (1)",
    )
    .await;
    let r = run(&mut c, "SELECT x FROM t", &[]).await;
    assert_eq!(r.rows, vec![vec![Value::Bool(true)]]);
}

#[tokio::test]
async fn rows_affected_and_last_insert_id() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)").await;
    let r = run(
        &mut c,
        "INSERT INTO t (n) VALUES (?), (?), (?)",
        &[Value::Int(1), Value::Int(2), Value::Int(3)],
    )
    .await;
    assert_eq!((r.rows_affected, r.last_insert_id), (3, Some(3)));
    assert!(r.columns.is_empty() && r.rows.is_empty());

    let r = run(
        &mut c,
        "UPDATE t SET n = n + 10 WHERE n >= ?",
        &[Value::Int(2)],
    )
    .await;
    assert_eq!((r.rows_affected, r.last_insert_id), (2, None));

    // A SELECT after a DML statement reports no affected rows.
    let r = run(&mut c, "SELECT n FROM t", &[]).await;
    assert_eq!((r.rows_affected, r.rows.len()), (0, 3));

    let r = run(
        &mut c,
        "UPDATE t SET n = 0 WHERE id = ?",
        &[Value::Int(999)],
    )
    .await;
    assert_eq!(r.rows_affected, 0);

    let r = run(&mut c, "DELETE FROM t WHERE id = ?", &[Value::Int(1)]).await;
    assert_eq!((r.rows_affected, r.last_insert_id), (1, None));

    // DDL after DML does not inherit the earlier count.
    let r = run(&mut c, "CREATE TABLE u (x INTEGER)", &[]).await;
    assert_eq!(r.rows_affected, 0);

    let r = run(
        &mut c,
        "INSERT INTO t (id, n) VALUES (?, ?)",
        &[Value::Int(77), Value::Int(0)],
    )
    .await;
    assert_eq!(r.last_insert_id, Some(77));
}

#[tokio::test]
async fn returning_rows_and_counts() {
    let (_driver, mut c) = memory().await;
    batch(
        &mut c,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, active BOOLEAN DEFAULT 1)",
    )
    .await;
    let r = run(
        &mut c,
        "INSERT INTO t (name) VALUES (?), (?) RETURNING id, name, active",
        &[Value::from("a"), Value::from("b")],
    )
    .await;
    assert_eq!(r.columns.names(), ["id", "name", "active"]);
    let mut rows = r.rows.clone();
    rows.sort_by_key(|row| row[0].to_string());
    assert_eq!(
        rows,
        vec![
            vec![Value::Int(1), Value::from("a"), Value::Bool(true)],
            vec![Value::Int(2), Value::from("b"), Value::Bool(true)],
        ]
    );
    assert_eq!(r.rows_affected, 2);
    assert_eq!(r.last_insert_id, Some(2));

    let r = run(
        &mut c,
        "UPDATE t SET name = upper(name) RETURNING name",
        &[],
    )
    .await;
    assert_eq!(r.rows_affected, 2);
    assert_eq!(r.rows.len(), 2);

    let r = run(
        &mut c,
        "DELETE FROM t WHERE id = ? RETURNING id",
        &[Value::Int(1)],
    )
    .await;
    assert_eq!(
        (r.rows_affected, r.rows.clone()),
        (1, vec![vec![Value::Int(1)]])
    );
}

#[tokio::test]
async fn ping_close_and_broken() {
    let (driver, mut c) = memory().await;
    c.ping().await.unwrap();
    assert!(!c.is_broken());
    c.close().await;
    // The driver keeps working after a connection closes.
    let mut d = driver.connect().await.unwrap();
    d.ping().await.unwrap();
}

#[tokio::test]
async fn a_dropped_call_finishes_on_the_thread_and_the_connection_stays_usable() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE t (x INTEGER)").await;
    let slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500000) \
                INSERT INTO t SELECT i FROM n";
    let attempt = tokio::time::timeout(
        Duration::from_millis(5),
        c.execute(Statement::new(slow, vec![])),
    )
    .await;
    assert!(attempt.is_err(), "the slow insert should still be running");
    // The next call queues behind the abandoned one and sees its complete effect.
    assert_eq!(
        scalar(&mut c, "SELECT count(*) FROM t", &[]).await,
        Value::Int(500_000)
    );
    assert!(!c.is_broken());
}

#[tokio::test]
async fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (driver, mut c) = memory().await;
    let fut = c.execute(Statement::new("SELECT 1", vec![]));
    assert_send(&fut);
    drop(fut);
    let connect = driver.connect();
    assert_send(&connect);
    // Run on another task of a multi-thread runtime.
    let handle = tokio::spawn(async move {
        let r = c.execute(Statement::new("SELECT 1", vec![])).await.unwrap();
        r.rows[0][0].clone()
    });
    assert_eq!(handle.await.unwrap(), Value::Int(1));
}
