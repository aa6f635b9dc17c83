//! The per-connection prepared-statement cache.

use crate::support::{TestDb, admin_connection, run};
use oxalchemy_core::Statement;
use oxalchemy_core::{DriverConnection, Error, Value};

async fn server_side_count(c: &mut dyn DriverConnection, sql: &str) -> Value {
    run(
        c,
        "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
        &[Value::from(sql)],
    )
    .await
    .rows[0][0]
        .clone()
}

#[tokio::test]
async fn statements_are_prepared_once_per_connection() {
    let db = TestDb::new().await;
    let mut conn = db.conn().await;
    let sql = "SELECT $1::int4 * 2 AS doubled";
    for i in 0..5 {
        let r = run(&mut conn, sql, &[Value::Int(i)]).await;
        assert_eq!(r.rows[0][0], Value::Int(i * 2));
    }
    assert!(conn.is_statement_cached(sql));
    // Once on the server too (named protocol-level statement).
    assert_eq!(server_side_count(&mut conn, sql).await, Value::Int(1));
    let before = conn.cached_statements();
    run(&mut conn, sql, &[Value::Int(9)]).await;
    assert_eq!(conn.cached_statements(), before);
    // A statement that failed to prepare is not cached.
    let _ = conn
        .execute(Statement::new("SELEC nonsense", vec![]))
        .await
        .unwrap_err();
    assert!(!conn.is_statement_cached("SELEC nonsense"));
}

#[tokio::test]
async fn the_cache_is_bounded() {
    let db = TestDb::new().await;
    let driver = db.driver.clone().statement_cache_capacity(2);
    let mut conn = driver.connect_postgres().await.unwrap();
    let (a, b, c) = ("SELECT 1 AS a", "SELECT 2 AS b", "SELECT 3 AS c");
    run(&mut conn, a, &[]).await;
    run(&mut conn, b, &[]).await;
    run(&mut conn, a, &[]).await; // a is now more recent than b
    run(&mut conn, c, &[]).await;
    assert_eq!(conn.cached_statements(), 2);
    assert!(conn.is_statement_cached(a));
    assert!(
        !conn.is_statement_cached(b),
        "the least recently used statement is evicted"
    );
    assert!(conn.is_statement_cached(c));
    // The evicted statement is closed on the server as well (the Close is sent
    // with the next request).
    run(&mut conn, "SELECT 1", &[]).await;
    let r = run(
        &mut conn,
        "SELECT statement FROM pg_prepared_statements WHERE statement = $1",
        &[Value::from(b)],
    )
    .await;
    assert!(r.rows.is_empty(), "{:?}", r.rows);

    let uncached = db.driver.clone().statement_cache_capacity(0);
    let mut conn = uncached.connect_postgres().await.unwrap();
    run(&mut conn, a, &[]).await;
    assert_eq!(conn.cached_statements(), 0);
}

#[tokio::test]
async fn an_invalidated_statement_is_prepared_again() {
    let db = TestDb::new().await;
    let mut conn = db.conn().await;
    let sql = "SELECT * FROM shape";
    run(&mut conn, "CREATE TABLE shape (a INTEGER)", &[]).await;
    run(&mut conn, "INSERT INTO shape VALUES (1)", &[]).await;
    assert_eq!(run(&mut conn, sql, &[]).await.rows[0], vec![Value::Int(1)]);
    // Changed from outside this driver (as another process would), so no
    // connection of it knows ...
    let mut outside = admin_connection().await;
    run(
        &mut outside,
        &format!(
            "ALTER TABLE {}.shape ADD COLUMN b TEXT DEFAULT 'x'",
            db.schema
        ),
        &[],
    )
    .await;
    Box::new(outside).close().await;
    // ... the server refuses the stale plan once; the entry is dropped ...
    let e = conn.execute(Statement::new(sql, vec![])).await.unwrap_err();
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("cached plan must not change result type"),
        "{e}"
    );
    assert!(!conn.is_statement_cached(sql));
    assert!(!conn.is_broken());
    // ... and the next execution prepares it afresh.
    let r = run(&mut conn, sql, &[]).await;
    assert_eq!(r.columns.names(), ["a", "b"]);
    assert_eq!(r.rows[0], vec![Value::Int(1), Value::from("x")]);
}

#[tokio::test]
async fn ddl_through_the_driver_refreshes_every_connection() {
    let db = TestDb::new().await;
    let mut a = db.conn().await;
    let mut b = db.conn().await;
    let insert = "INSERT INTO shape (x) VALUES ($1)";
    let select = "SELECT x FROM shape";
    run(&mut a, "CREATE TABLE shape (x INTEGER)", &[]).await;
    run(&mut b, insert, &[Value::Int(1)]).await;
    assert_eq!(run(&mut b, select, &[]).await.rows, [[Value::Int(1)]]);
    assert!(b.is_statement_cached(insert));
    // Another connection of the same driver changes the column's type ...
    run(&mut a, "DROP TABLE shape", &[]).await;
    run(&mut a, "CREATE TABLE shape (x TEXT)", &[]).await;
    // ... and b's statements are prepared again: the parameter is now text,
    // and the result type changed without "cached plan must not change result type".
    run(&mut b, insert, &[Value::from("one")]).await;
    assert_eq!(run(&mut b, select, &[]).await.rows, [[Value::from("one")]]);
    // The connection that ran the DDL is in step too.
    run(&mut a, "ALTER TABLE shape ADD COLUMN y INTEGER", &[]).await;
    let r = run(&mut a, "SELECT * FROM shape", &[]).await;
    assert_eq!(r.columns.names(), ["x", "y"]);
}
