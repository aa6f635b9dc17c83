//! SQLite errors mapped to oxalchemy's portable error kinds.

mod common;

use common::{batch, memory, run};
use oxalchemy_core::{DriverConnection, Error, IntegrityKind, Value};
use oxalchemy_core::{Statement, StatementKind};

const SCHEMA: &str = "
CREATE TABLE parent (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
CREATE TABLE child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER NOT NULL REFERENCES parent (id),
    age INTEGER CONSTRAINT age_positive CHECK (age > 0),
    size INTEGER CHECK (size < 10)
);
INSERT INTO parent (id, email) VALUES (1, 'a@example.com');
";

async fn failing(conn: &mut Box<dyn DriverConnection>, sql: &str, params: &[Value]) -> Error {
    match conn.execute(Statement::new(sql, params.to_vec())).await {
        Ok(r) => panic!("{sql} should fail, returned {r:?}"),
        Err(e) => e,
    }
}

fn constraint(err: &Error) -> Option<&str> {
    match err {
        Error::IntegrityError { constraint, .. } => constraint.as_deref(),
        _ => None,
    }
}

#[tokio::test]
async fn each_integrity_kind() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, SCHEMA).await;

    let sql = "INSERT INTO parent (email) VALUES (?)";
    let e = failing(&mut c, sql, &[Value::from("a@example.com")]).await;
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::Unique), "{e}");
    assert_eq!(constraint(&e), Some("parent.email"));
    assert_eq!(e.sql(), Some(sql));

    let e = failing(
        &mut c,
        "INSERT INTO parent (id, email) VALUES (1, 'b@example.com')",
        &[],
    )
    .await;
    assert_eq!(
        e.integrity_kind(),
        Some(IntegrityKind::Unique),
        "primary key: {e}"
    );

    let e = failing(
        &mut c,
        "INSERT INTO parent (email) VALUES (?)",
        &[Value::Null],
    )
    .await;
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::NotNull), "{e}");
    assert_eq!(constraint(&e), Some("parent.email"));

    let e = failing(
        &mut c,
        "INSERT INTO child (parent_id) VALUES (?)",
        &[Value::Int(99)],
    )
    .await;
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::ForeignKey), "{e}");

    let e = failing(
        &mut c,
        "INSERT INTO child (parent_id, age) VALUES (1, ?)",
        &[Value::Int(-1)],
    )
    .await;
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::Check), "{e}");
    assert_eq!(constraint(&e), Some("age_positive"));

    let e = failing(
        &mut c,
        "INSERT INTO child (parent_id, size) VALUES (1, ?)",
        &[Value::Int(11)],
    )
    .await;
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::Check), "{e}");
    assert!(e.to_string().contains("size < 10"), "{e}");

    // The connection is still usable after every failure.
    let r = run(
        &mut c,
        "INSERT INTO child (parent_id, age) VALUES (1, 3)",
        &[],
    )
    .await;
    assert_eq!(r.rows_affected, 1);
}

#[tokio::test]
async fn foreign_keys_are_enforced_on_delete_too() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, SCHEMA).await;
    run(&mut c, "INSERT INTO child (parent_id) VALUES (1)", &[]).await;
    let e = failing(&mut c, "DELETE FROM parent WHERE id = 1", &[]).await;
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::ForeignKey), "{e}");
}

#[tokio::test]
async fn syntax_error_carries_the_sql() {
    let (_driver, mut c) = memory().await;
    let sql = "SELEC 1 FROM nowhere";
    let e = failing(&mut c, sql, &[]).await;
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");
    assert_eq!(e.sql(), Some(sql));
    let text = e.to_string();
    assert!(
        text.contains("syntax error") && text.contains(sql),
        "{text}"
    );
}

#[tokio::test]
async fn missing_table_and_column_are_programming_errors() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE t (x INTEGER)").await;
    let e = failing(&mut c, "SELECT * FROM nope", &[]).await;
    assert!(
        matches!(e, Error::ProgrammingError { .. })
            && e.to_string().contains("no such table: nope"),
        "{e}"
    );
    let e = failing(&mut c, "SELECT y FROM t", &[]).await;
    assert!(
        matches!(e, Error::ProgrammingError { .. }) && e.to_string().contains("no such column: y"),
        "{e}"
    );
    let e = c.execute_batch("CREATE TABLE (").await.unwrap_err();
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");
    assert_eq!(e.sql(), Some("CREATE TABLE ("));
}

#[tokio::test]
async fn wrong_parameter_count_is_a_programming_error() {
    let (_driver, mut c) = memory().await;
    let e = failing(&mut c, "SELECT ?, ?", &[Value::Int(1)]).await;
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("takes 2 parameters but 1 value was given"),
        "{e}"
    );
    let e = failing(&mut c, "SELECT 1", &[Value::Int(1)]).await;
    assert!(
        e.to_string()
            .contains("takes 0 parameters but 1 value was given"),
        "{e}"
    );
}

#[tokio::test]
async fn several_statements_in_execute_are_refused() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE t (x INTEGER)").await;
    let e = failing(&mut c, "INSERT INTO t VALUES (1); DROP TABLE t", &[]).await;
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");
    assert!(e.to_string().contains("execute_batch"), "{e}");
    let r = run(&mut c, "SELECT count(*) FROM t", &[]).await;
    assert_eq!(r.rows[0][0], Value::Int(0));
}

#[tokio::test]
async fn empty_sql_is_a_programming_error() {
    let (_driver, mut c) = memory().await;
    let e = failing(&mut c, "   ", &[]).await;
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");
}

#[tokio::test]
async fn too_big_is_a_data_error() {
    let (_driver, mut c) = memory().await;
    let e = failing(
        &mut c,
        "SELECT zeroblob(2147483647) || zeroblob(2147483647)",
        &[],
    )
    .await;
    assert!(matches!(e, Error::DataError { .. }), "{e}");
}

/// `execute_many` runs the list as one job and stops at the failing set,
/// reporting the results of the sets before it; the sets after it never run.
#[tokio::test]
async fn execute_many_reports_how_far_it_got() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, SCHEMA).await;
    let sql = "INSERT INTO parent (email) VALUES (?) RETURNING email";
    let sets = ["b@example.com", "a@example.com", "c@example.com"]
        .map(|e| vec![Value::from(e)])
        .to_vec();
    let err = match c
        .execute_many(sql.into(), StatementKind::of_sql(sql), sets)
        .await
    {
        Ok(r) => panic!("the second set should fail, returned {r:?}"),
        Err(e) => e,
    };
    assert_eq!(
        err.error.integrity_kind(),
        Some(IntegrityKind::Unique),
        "{err}"
    );
    assert_eq!(err.error.sql(), Some(sql));
    assert_eq!(err.failed_index(), 1);
    assert_eq!(err.completed[0].rows, [vec![Value::from("b@example.com")]]);
    let emails = run(&mut c, "SELECT email FROM parent ORDER BY id", &[]).await;
    assert_eq!(
        emails.rows,
        [
            vec![Value::from("a@example.com")],
            vec![Value::from("b@example.com")]
        ],
        "the first set ran, the third did not"
    );

    // Every set succeeding gives one result each, in order.
    let sets = ["d@example.com", "e@example.com"]
        .map(|e| vec![Value::from(e)])
        .to_vec();
    let results = c
        .execute_many(sql.into(), StatementKind::of_sql(sql), sets)
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1].rows, [vec![Value::from("e@example.com")]]);
}
