//! Decimal parameters and the counts of upserts, as SQLAlchemy reports them
//! through PyMySQL on the same server.

use crate::support::{TestDb, exec};
use oxalchemy_core::Value;
use rust_decimal::Decimal;

#[tokio::test]
async fn decimal_parameters_stay_decimal() {
    let db = TestDb::new("decparams").await;
    let mut conn = db.connect().await;
    exec(
        &mut conn,
        "CREATE TABLE p (id INT PRIMARY KEY, amount DECIMAL(10, 2))",
        &[],
    )
    .await;
    exec(&mut conn, "INSERT INTO p VALUES (1, NULL), (2, 1.25)", &[]).await;
    let half = Value::Decimal(Decimal::new(5, 1));
    let r = exec(
        &mut conn,
        "SELECT COALESCE(amount, ?) FROM p ORDER BY id",
        &[half],
    )
    .await;
    assert_eq!(
        r.rows,
        [
            vec![Value::Decimal(Decimal::new(50, 2))],
            vec![Value::Decimal(Decimal::new(125, 2))]
        ]
    );
    // Compared exactly (a string would compare as doubles), also inside a literal with a `?`.
    let r = exec(
        &mut conn,
        "SELECT id, '?' FROM p WHERE amount = ?",
        &[Value::Decimal(Decimal::new(125, 2))],
    )
    .await;
    assert_eq!(r.rows, [vec![Value::Int(2), Value::from("?")]]);
}

#[tokio::test]
async fn upserts_count_as_sqlalchemy_counts_them() {
    let db = TestDb::new("upserts").await;
    let mut conn = db.connect().await;
    exec(&mut conn, "CREATE TABLE u (id INT PRIMARY KEY, n INT)", &[]).await;
    exec(&mut conn, "INSERT INTO u VALUES (1, 1), (2, 2)", &[]).await;
    // Doing nothing on a conflict: the inserted rows only (PostgreSQL's count).
    let nothing = "INSERT INTO u (id, n) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE id = u.id";
    let r = exec(&mut conn, nothing, &[1, 1, 3, 3].map(Value::Int)).await;
    assert_eq!(r.rows_affected, 1);
    // Other upserts: 1 inserted (4), 2 changed (2), 1 unchanged (1): SQLAlchemy's 4.
    let update =
        "INSERT INTO u (id, n) VALUES (?, ?), (?, ?), (?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n)";
    let r = exec(&mut conn, update, &[1, 1, 2, 5, 4, 4].map(Value::Int)).await;
    assert_eq!(r.rows_affected, 4);
    let one = "INSERT INTO u (id, n) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = ?";
    let r = exec(&mut conn, one, &[1, 1, 1].map(Value::Int)).await;
    assert_eq!(r.rows_affected, 1, "left as it was");
    let r = exec(&mut conn, one, &[1, 9, 9].map(Value::Int)).await;
    assert_eq!(r.rows_affected, 2, "changed");
}
