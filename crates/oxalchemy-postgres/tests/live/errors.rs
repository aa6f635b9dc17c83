//! Server errors mapped to oxalchemy errors by SQLSTATE.

use crate::support::{TestDb, run};
use oxalchemy_core::{DriverConnection, Error, IntegrityKind, Value};
use oxalchemy_core::{Statement, TxOptions};

async fn schema(c: &mut dyn DriverConnection) {
    run(
        c,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, email TEXT NOT NULL, \
         age INTEGER CONSTRAINT ck_age_positive CHECK (age > 0), \
         CONSTRAINT uq_parent_email UNIQUE (email))",
        &[],
    )
    .await;
    run(
        c,
        "CREATE TABLE child (id INTEGER PRIMARY KEY, \
         parent_id INTEGER CONSTRAINT fk_child_parent REFERENCES parent (id))",
        &[],
    )
    .await;
    run(c, "INSERT INTO parent VALUES (1, 'a@example.com', 30)", &[]).await;
}

fn integrity(e: &Error) -> (IntegrityKind, Option<String>, String) {
    match e {
        Error::IntegrityError {
            kind,
            constraint,
            message,
            sql,
        } => {
            assert!(sql.is_some(), "the SQL is attached: {e}");
            (*kind, constraint.clone(), message.clone())
        }
        other => panic!("expected an IntegrityError, got {other:?}"),
    }
}

#[tokio::test]
async fn integrity_errors_carry_kind_and_constraint() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    schema(c).await;
    let insert = "INSERT INTO parent (id, email, age) VALUES ($1, $2, $3)";

    let e = c
        .execute(Statement::new(
            insert,
            vec![Value::Int(2), Value::from("a@example.com"), Value::Int(1)],
        ))
        .await
        .unwrap_err();
    let (kind, constraint, message) = integrity(&e);
    assert_eq!(kind, IntegrityKind::Unique);
    assert_eq!(constraint.as_deref(), Some("uq_parent_email"));
    assert!(message.contains("duplicate key"), "{message}");
    assert!(
        message.contains("DETAIL: Key (email)=(a@example.com) already exists."),
        "{message}"
    );

    let e = c
        .execute(Statement::new(
            insert,
            vec![Value::Int(1), Value::from("b@example.com"), Value::Int(1)],
        ))
        .await
        .unwrap_err();
    let (kind, constraint, _) = integrity(&e);
    assert_eq!(kind, IntegrityKind::Unique);
    assert_eq!(constraint.as_deref(), Some("parent_pkey"));

    let e = c
        .execute(Statement::new(
            insert,
            vec![Value::Int(3), Value::Null, Value::Int(1)],
        ))
        .await
        .unwrap_err();
    let (kind, _, message) = integrity(&e);
    assert_eq!(kind, IntegrityKind::NotNull);
    assert!(message.contains("\"email\""), "{message}");

    let e = c
        .execute(Statement::new(
            insert,
            vec![Value::Int(4), Value::from("c@example.com"), Value::Int(-1)],
        ))
        .await
        .unwrap_err();
    let (kind, constraint, _) = integrity(&e);
    assert_eq!(kind, IntegrityKind::Check);
    assert_eq!(constraint.as_deref(), Some("ck_age_positive"));

    let e = c
        .execute(Statement::new(
            "INSERT INTO child VALUES ($1, $2)",
            vec![Value::Int(1), Value::Int(99)],
        ))
        .await
        .unwrap_err();
    let (kind, constraint, message) = integrity(&e);
    assert_eq!(kind, IntegrityKind::ForeignKey);
    assert_eq!(constraint.as_deref(), Some("fk_child_parent"));
    assert!(message.contains("(parent_id)=(99)"), "{message}");
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::ForeignKey));

    // FK violation on delete of a referenced row.
    run(c, "INSERT INTO child VALUES (1, 1)", &[]).await;
    let e = c
        .execute(Statement::new(
            "DELETE FROM parent WHERE id = $1",
            vec![Value::Int(1)],
        ))
        .await
        .unwrap_err();
    assert_eq!(integrity(&e).0, IntegrityKind::ForeignKey);

    // None of these broke the connection.
    assert!(!c.is_broken());
    assert_eq!(
        run(c, "SELECT count(*) FROM parent", &[]).await.rows[0][0],
        Value::Int(1)
    );
}

#[tokio::test]
async fn syntax_errors_carry_the_sql() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let sql = "SELEC 1 FROM nowhere";
    let e = conn.execute(Statement::new(sql, vec![])).await.unwrap_err();
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e:?}");
    assert_eq!(e.sql(), Some(sql));
    let text = e.to_string();
    assert!(text.contains("syntax error"), "{text}");
    assert!(text.contains("42601"), "{text}");
    assert!(text.contains("[SQL: SELEC 1 FROM nowhere]"), "{text}");

    let e = conn
        .execute(Statement::new("SELECT * FROM no_such_table", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e:?}");
    assert!(e.to_string().contains("no_such_table"), "{e}");

    let e = conn
        .execute(Statement::new("SELECT $1::int", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e:?}");
    assert!(
        e.to_string().contains("1 parameter(s) but 0 value(s)"),
        "{e}"
    );

    let e = conn
        .execute(Statement::new("SELECT $1::uuid", vec![Value::Bool(true)]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e:?}");
    assert_eq!(e.sql(), Some("SELECT $1::uuid"));
    assert!(!conn.is_broken());
}

#[tokio::test]
async fn out_of_range_values_are_data_errors() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    run(c, "CREATE TABLE small (n SMALLINT, m INTEGER)", &[]).await;

    // The value is sent as the integer it is; the column's type rejects it.
    let e = c
        .execute(Statement::new(
            "INSERT INTO small (n) VALUES ($1)",
            vec![Value::Int(40_000)],
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DataError { .. }), "{e:?}");
    assert!(e.to_string().contains("smallint out of range"), "{e}");
    assert_eq!(e.sql(), Some("INSERT INTO small (n) VALUES ($1)"));
    let e = c
        .execute(Statement::new(
            "INSERT INTO small (m) VALUES ($1)",
            vec![Value::Int(1 << 40)],
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DataError { .. }), "{e:?}");

    // Raised by the server (SQLSTATE 22003, 22012, 22P02).
    let e = c
        .execute(Statement::new(
            "SELECT 2147483647 + $1::int4",
            vec![Value::Int(1)],
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DataError { .. }), "{e:?}");
    assert!(e.to_string().contains("22003"), "{e}");
    let e = c
        .execute(Statement::new("SELECT 1 / $1::int4", vec![Value::Int(0)]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DataError { .. }), "{e:?}");
    let e = c
        .execute(Statement::new("SELECT 'abc'::int4", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DataError { .. }), "{e:?}");
    let e = c
        .execute(Statement::new("SELECT $1::int4", vec![Value::from("abc")]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::DataError { .. }), "{e:?}");

    assert!(!c.is_broken());
    assert_eq!(
        run(c, "SELECT count(*) FROM small", &[]).await.rows[0][0],
        Value::Int(0)
    );
}

#[tokio::test]
async fn errors_inside_a_transaction() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    run(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)", &[]).await;
    c.begin(TxOptions::default()).await.unwrap();
    run(c, "INSERT INTO t VALUES (1)", &[]).await;
    let e = c
        .execute(Statement::new("INSERT INTO t VALUES (1)", vec![]))
        .await
        .unwrap_err();
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::Unique));
    // The transaction is aborted until ROLLBACK; that is an error, not a disconnect.
    let e = c
        .execute(Statement::new("SELECT 1", vec![]))
        .await
        .unwrap_err();
    assert!(!e.is_disconnect(), "{e}");
    assert!(e.to_string().contains("25P02"), "{e}");
    c.rollback().await.unwrap();
    assert_eq!(
        run(c, "SELECT count(*) FROM t", &[]).await.rows[0][0],
        Value::Int(0)
    );
    // execute_batch maps errors too.
    let e = c
        .execute_batch("CREATE TABLE t (id INTEGER)")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e:?}");
    assert!(e.to_string().contains("already exists"), "{e}");
}

#[tokio::test]
async fn deadlocks_and_timeouts_are_operational_but_not_disconnects() {
    let db = TestDb::new().await;
    let mut a = db.boxed().await;
    let mut b = db.boxed().await;
    run(
        &mut *a,
        "CREATE TABLE locks (id INTEGER PRIMARY KEY, v INTEGER)",
        &[],
    )
    .await;
    run(&mut *a, "INSERT INTO locks VALUES (1, 0), (2, 0)", &[]).await;
    a.begin(TxOptions::default()).await.unwrap();
    b.begin(TxOptions::default()).await.unwrap();
    run(&mut *a, "UPDATE locks SET v = 1 WHERE id = 1", &[]).await;
    run(&mut *b, "UPDATE locks SET v = 2 WHERE id = 2", &[]).await;
    let (ra, rb) = tokio::join!(
        a.execute(Statement::new(
            "UPDATE locks SET v = 1 WHERE id = 2",
            vec![]
        )),
        b.execute(Statement::new(
            "UPDATE locks SET v = 2 WHERE id = 1",
            vec![]
        )),
    );
    let e = match (ra, rb) {
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => e,
        other => panic!("expected exactly one deadlock victim, got {other:?}"),
    };
    assert!(
        matches!(
            e,
            Error::OperationalError {
                disconnect: false,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("40P01"), "{e}");
    a.rollback().await.unwrap();
    b.rollback().await.unwrap();

    a.execute_batch("SET statement_timeout = 50").await.unwrap();
    let e = a
        .execute(Statement::new("SELECT pg_sleep(5)", vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::OperationalError {
                disconnect: false,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("57014"), "{e}");
    assert!(!a.is_broken() && !b.is_broken());
}
