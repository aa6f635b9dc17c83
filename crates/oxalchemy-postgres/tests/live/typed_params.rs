//! Parameters are declared with the types of their values.

use crate::support::{TestDb, run};
use oxalchemy_core::{DriverConnection, Error, Value};
use oxalchemy_core::{Statement, StatementKind};
use rust_decimal::Decimal;

#[tokio::test]
async fn values_keep_their_own_types() {
    let db = TestDb::new().await;
    let mut conn = db.conn().await;
    let c = &mut conn;
    run(c, "CREATE TABLE n (v INTEGER, label VARCHAR(10))", &[]).await;
    run(c, "INSERT INTO n VALUES (30, 'a')", &[]).await;
    // A float next to an integer column is compared as a float, not rounded to 30.
    let r = run(
        c,
        "SELECT count(*) FROM n WHERE v = $1",
        &[Value::Float(30.4)],
    )
    .await;
    assert_eq!(r.rows[0][0], Value::Int(0));
    let r = run(c, "SELECT v * $1 FROM n", &[Value::Float(1.5)]).await;
    assert_eq!(r.rows[0][0], Value::Float(45.0));
    let r = run(
        c,
        "SELECT v * $1 FROM n",
        &[Value::Decimal(Decimal::new(15, 1))],
    )
    .await;
    assert_eq!(r.rows[0][0], Value::Decimal(Decimal::new(450, 1)));
    // Without context: the value's type, not text; `$1 + $2` is not ambiguous.
    let r = run(
        c,
        "SELECT $1, $2 + $3",
        &[Value::Int(1), Value::Int(2), Value::Int(3)],
    )
    .await;
    assert_eq!(r.rows[0], [Value::Int(1), Value::Int(5)]);
    let r = run(
        c,
        "SELECT sum(CASE WHEN v > 0 THEN $1 ELSE $2 END) FROM n",
        &[Value::Int(1), Value::Int(0)],
    )
    .await;
    assert_eq!(r.rows[0][0], Value::Int(1));
    // An integer beyond int4 is declared int8.
    let r = run(c, "SELECT $1", &[Value::Int(1 << 40)]).await;
    assert_eq!(r.rows[0][0], Value::Int(1 << 40));
    // Text is left to the server: it still binds to varchar and integer contexts.
    let r = run(
        c,
        "SELECT v FROM n WHERE label = $1 AND v = $2",
        &[Value::from("a"), Value::from("30")],
    )
    .await;
    assert_eq!(r.rows, [vec![Value::Int(30)]]);
}

#[tokio::test]
async fn one_sql_text_is_prepared_per_parameter_kinds() {
    let db = TestDb::new().await;
    let mut conn = db.conn().await;
    let sql = "SELECT $1 AS x";
    let r = run(&mut conn, sql, &[Value::Int(1)]).await;
    assert_eq!(r.rows[0][0], Value::Int(1));
    let r = run(&mut conn, sql, &[Value::Float(1.5)]).await;
    assert_eq!(r.rows[0][0], Value::Float(1.5));
    assert_eq!(conn.cached_statements(), 2);
    // NULL binds to any type: the int4 statement takes it.
    let r = run(&mut conn, sql, &[Value::Null]).await;
    assert_eq!(r.rows[0][0], Value::Null);
    assert_eq!(conn.cached_statements(), 2);
    // A value too many is still an error, not a declared, unused parameter.
    let e = conn
        .execute(Statement::new(sql, vec![Value::Int(1), Value::Int(2)]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e:?}");
    assert!(
        e.to_string().contains("1 parameter(s) but 2 value(s)"),
        "{e}"
    );
}

#[tokio::test]
async fn execute_many_shares_statements_across_nulls() {
    let db = TestDb::new().await;
    let mut conn = db.conn().await;
    run(
        &mut conn,
        "CREATE TABLE m (a INTEGER, b DOUBLE PRECISION)",
        &[],
    )
    .await;
    let sets = vec![
        vec![Value::Int(1), Value::Null],
        vec![Value::Null, Value::Float(0.5)],
        vec![Value::Int(3), Value::Float(1.5)],
        vec![Value::Int(4), Value::Int(7)],
    ];
    let before = conn.cached_statements();
    let done = conn
        .execute_many(
            "INSERT INTO m (a, b) VALUES ($1, $2)".into(),
            StatementKind::of_sql("INSERT INTO m (a, b) VALUES ($1, $2)"),
            sets,
        )
        .await
        .unwrap();
    assert_eq!(done.len(), 4);
    // The first set's statement, one for the NULL-mixed run, one for an integer b.
    assert_eq!(conn.cached_statements() - before, 3);
    let r = run(
        &mut conn,
        "SELECT a, b FROM m ORDER BY b NULLS FIRST, a",
        &[],
    )
    .await;
    assert_eq!(
        r.rows,
        [
            vec![Value::Int(1), Value::Null],
            vec![Value::Null, Value::Float(0.5)],
            vec![Value::Int(3), Value::Float(1.5)],
            vec![Value::Int(4), Value::Float(7.0)],
        ]
    );
}
