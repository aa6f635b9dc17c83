//! Server errors mapped onto oxalchemy's portable errors.

use crate::support::{TestDb, exec};
use oxalchemy_core::{DriverConnection, Error, IntegrityKind, Value};
use oxalchemy_core::{Statement, StatementKind, TxOptions};

async fn fails(conn: &mut Box<dyn DriverConnection>, sql: &str, params: &[Value]) -> Error {
    match conn.execute(Statement::new(sql, params.to_vec())).await {
        Ok(r) => panic!("{sql}: expected an error, got {r:?}"),
        Err(e) => e,
    }
}

fn integrity(err: &Error) -> (IntegrityKind, Option<String>) {
    match err {
        Error::IntegrityError {
            kind,
            constraint,
            sql,
            ..
        } => {
            assert!(sql.is_some(), "the error carries its SQL: {err}");
            (*kind, constraint.clone())
        }
        other => panic!("expected an IntegrityError, got {other}"),
    }
}

#[tokio::test]
async fn integrity_errors_name_their_constraint() {
    let db = TestDb::new("integrity").await;
    let mut conn = db.connect().await;
    for ddl in [
        "CREATE TABLE parent (id INTEGER NOT NULL PRIMARY KEY, email VARCHAR(50) NOT NULL, \
         CONSTRAINT uq_parent_email UNIQUE (email))",
        "CREATE TABLE child (id INTEGER NOT NULL PRIMARY KEY, parent_id INTEGER NOT NULL, \
         qty INTEGER NOT NULL, CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent (id), \
         CONSTRAINT ck_child_qty CHECK (qty > 0))",
    ] {
        exec(&mut conn, ddl, &[]).await;
    }
    exec(
        &mut conn,
        "INSERT INTO parent (id, email) VALUES (1, 'a@x')",
        &[],
    )
    .await;

    let e = fails(
        &mut conn,
        "INSERT INTO parent (id, email) VALUES (?, ?)",
        &[Value::Int(2), Value::from("a@x")],
    )
    .await;
    assert_eq!(
        integrity(&e),
        (IntegrityKind::Unique, Some("uq_parent_email".into())),
        "{e}"
    );

    let e = fails(
        &mut conn,
        "INSERT INTO parent (id, email) VALUES (?, ?)",
        &[Value::Int(1), Value::from("b@x")],
    )
    .await;
    assert_eq!(
        integrity(&e),
        (IntegrityKind::Unique, Some("PRIMARY".into())),
        "{e}"
    );

    let e = fails(
        &mut conn,
        "INSERT INTO child (id, parent_id, qty) VALUES (?, ?, ?)",
        &[Value::Int(1), Value::Int(99), Value::Int(1)],
    )
    .await;
    assert_eq!(
        integrity(&e),
        (IntegrityKind::ForeignKey, Some("fk_child_parent".into())),
        "{e}"
    );

    exec(
        &mut conn,
        "INSERT INTO child (id, parent_id, qty) VALUES (1, 1, 1)",
        &[],
    )
    .await;
    let e = fails(
        &mut conn,
        "DELETE FROM parent WHERE id = ?",
        &[Value::Int(1)],
    )
    .await;
    assert_eq!(
        integrity(&e),
        (IntegrityKind::ForeignKey, Some("fk_child_parent".into())),
        "{e}"
    );

    let e = fails(
        &mut conn,
        "INSERT INTO parent (id, email) VALUES (?, ?)",
        &[Value::Int(3), Value::Null],
    )
    .await;
    assert_eq!(
        integrity(&e),
        (IntegrityKind::NotNull, Some("email".into())),
        "{e}"
    );

    let e = fails(
        &mut conn,
        "INSERT INTO parent (id) VALUES (?)",
        &[Value::Int(3)],
    )
    .await;
    assert_eq!(
        integrity(&e),
        (IntegrityKind::NotNull, Some("email".into())),
        "{e}"
    );

    let e = fails(
        &mut conn,
        "INSERT INTO child (id, parent_id, qty) VALUES (?, ?, ?)",
        &[Value::Int(2), Value::Int(1), Value::Int(0)],
    )
    .await;
    assert_eq!(
        integrity(&e),
        (IntegrityKind::Check, Some("ck_child_qty".into())),
        "{e}"
    );

    // None of these cost the connection.
    assert!(!conn.is_broken());
    exec(&mut conn, "SELECT 1", &[]).await;
}

#[tokio::test]
async fn programming_and_data_errors() {
    let db = TestDb::new("errors").await;
    let mut conn = db.connect().await;
    exec(
        &mut conn,
        "CREATE TABLE nums (id INTEGER NOT NULL PRIMARY KEY, small SMALLINT, name VARCHAR(3))",
        &[],
    )
    .await;

    let e = fails(
        &mut conn,
        "SELEKT * FROM nums WHERE id = ?",
        &[Value::Int(1)],
    )
    .await;
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");
    assert_eq!(e.sql(), Some("SELEKT * FROM nums WHERE id = ?"));
    assert!(e.to_string().contains("1064"), "{e}");

    let e = fails(&mut conn, "CREATE TABLE broken (", &[]).await;
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");
    assert_eq!(e.sql(), Some("CREATE TABLE broken ("));

    let e = fails(&mut conn, "SELECT * FROM no_such_table", &[]).await;
    assert!(
        matches!(e, Error::ProgrammingError { .. }) && e.to_string().contains("no_such_table"),
        "{e}"
    );

    let e = fails(&mut conn, "SELECT no_such_column FROM nums", &[]).await;
    assert!(matches!(e, Error::ProgrammingError { .. }), "{e}");

    let e = fails(
        &mut conn,
        "INSERT INTO nums (id, small) VALUES (?, ?)",
        &[Value::Int(1), Value::Int(100_000)],
    )
    .await;
    assert!(matches!(e, Error::DataError { .. }), "{e}");
    assert!(e.to_string().contains("1264"), "{e}");

    let e = fails(
        &mut conn,
        "INSERT INTO nums (id, name) VALUES (?, ?)",
        &[Value::Int(1), Value::from("toolong")],
    )
    .await;
    assert!(matches!(e, Error::DataError { .. }), "{e}");

    let e = fails(
        &mut conn,
        "INSERT INTO nums (id, small) VALUES (?, ?)",
        &[Value::Int(1), Value::from("abc")],
    )
    .await;
    assert!(matches!(e, Error::DataError { .. }), "{e}");

    // Wrong number of parameters: a ProgrammingError, and the connection survives.
    let e = fails(&mut conn, "SELECT ? + ?", &[Value::Int(1)]).await;
    assert!(
        matches!(e, Error::ProgrammingError { .. }) && e.to_string().contains("2 parameters"),
        "{e}"
    );
    assert!(!conn.is_broken());
    let r = exec(&mut conn, "SELECT ? + ?", &[Value::Int(1), Value::Int(2)]).await;
    assert_eq!(r.rows[0][0], Value::Int(3));

    // An unknown database at connect time.
    let options = db
        .driver
        .options()
        .clone()
        .with_database(Some("oxa_no_such_db_at_all"));
    let driver = oxalchemy_mysql::MysqlDriver::from_options(options);
    let e = driver.connect_mysql().await.unwrap_err();
    assert!(e.to_string().contains("oxa_no_such_db_at_all"), "{e}");
}

#[tokio::test]
async fn deadlocks_are_operational_errors() {
    let db = TestDb::new("deadlock").await;
    let mut a = db.connect().await;
    let mut b = db.connect().await;
    exec(
        &mut a,
        "CREATE TABLE locks (id INTEGER NOT NULL PRIMARY KEY, v INTEGER) ENGINE=InnoDB",
        &[],
    )
    .await;
    exec(&mut a, "INSERT INTO locks VALUES (1, 0), (2, 0)", &[]).await;
    a.execute_batch("SET SESSION innodb_lock_wait_timeout = 1")
        .await
        .unwrap();
    b.execute_batch("SET SESSION innodb_lock_wait_timeout = 1")
        .await
        .unwrap();
    a.begin(TxOptions::default()).await.unwrap();
    b.begin(TxOptions::default()).await.unwrap();
    exec(
        &mut a,
        "UPDATE locks SET v = 1 WHERE id = ?",
        &[Value::Int(1)],
    )
    .await;
    let e = fails(
        &mut b,
        "UPDATE locks SET v = 2 WHERE id = ?",
        &[Value::Int(1)],
    )
    .await;
    assert!(
        matches!(
            e,
            Error::OperationalError {
                disconnect: false,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("1205"), "{e}");
    assert!(!b.is_broken());
    a.rollback().await.unwrap();
    b.rollback().await.unwrap();
}

/// `execute_many` stops at the failing set and reports the results of the
/// sets before it: the second of three repeats a unique value.
#[tokio::test]
async fn execute_many_reports_how_far_it_got() {
    let db = TestDb::new("many_fail").await;
    let mut conn = db.connect().await;
    exec(
        &mut conn,
        "CREATE TABLE uniq (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, n INTEGER NOT NULL UNIQUE)",
        &[],
    )
    .await;
    exec(&mut conn, "INSERT INTO uniq (n) VALUES (2)", &[]).await;
    conn.begin(TxOptions::default()).await.unwrap();
    let sets = vec![
        vec![Value::Int(1)],
        vec![Value::Int(2)],
        vec![Value::Int(3)],
    ];
    let err = match conn
        .execute_many(
            "INSERT INTO uniq (n) VALUES (?)".into(),
            StatementKind::of_sql("INSERT INTO uniq (n) VALUES (?)"),
            sets,
        )
        .await
    {
        Ok(r) => panic!("expected the second set to fail, got {r:?}"),
        Err(e) => e,
    };
    assert_eq!(integrity(&err.error).0, IntegrityKind::Unique);
    assert_eq!(err.failed_index(), 1);
    assert_eq!(err.completed[0].rows_affected, 1);
    let ran = exec(&mut conn, "SELECT n FROM uniq ORDER BY n", &[]).await;
    assert_eq!(
        ran.rows,
        [vec![Value::Int(1)], vec![Value::Int(2)]],
        "the first set ran, the third did not"
    );
    conn.rollback().await.unwrap();
}
