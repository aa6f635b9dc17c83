//! Transactions without a BEGIN round trip (`autocommit = 0`, see
//! `MysqlConnection`): what is sent, and that the semantics did not change.

use crate::support::{TestDb, exec};
use oxalchemy_core::{Driver, DriverConnection, Value};
use oxalchemy_core::{Statement, TxOptions};

type Conn = Box<dyn DriverConnection>;

/// `(Com_begin, Com_commit, Com_rollback)` of this session.
async fn counters(conn: &mut Conn) -> [i64; 3] {
    let r = exec(
        conn,
        "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.SESSION_STATUS \
         WHERE VARIABLE_NAME IN ('COM_BEGIN', 'COM_COMMIT', 'COM_ROLLBACK')",
        &[],
    )
    .await;
    let mut out = [0i64; 3];
    for row in &r.rows {
        let (Value::Text(name), Value::Text(value)) = (&row[0], &row[1]) else {
            panic!("{row:?}");
        };
        let slot = match name.to_ascii_uppercase().as_str() {
            "COM_BEGIN" => 0,
            "COM_COMMIT" => 1,
            "COM_ROLLBACK" => 2,
            other => panic!("{other}"),
        };
        out[slot] = value.parse().unwrap();
    }
    out
}

/// Counters change between two calls, minus what reading them costs.
struct Meter {
    base: [i64; 3],
    overhead: [i64; 3],
}

impl Meter {
    async fn start(conn: &mut Conn) -> Meter {
        let first = counters(conn).await;
        let base = counters(conn).await;
        let overhead = [0, 1, 2].map(|i| base[i] - first[i]);
        Meter { base, overhead }
    }

    /// `(BEGINs, COMMITs, ROLLBACKs)` sent since `start`.
    async fn read(&self, conn: &mut Conn) -> [i64; 3] {
        let now = counters(conn).await;
        [0, 1, 2].map(|i| now[i] - self.base[i] - self.overhead[i])
    }
}

async fn count(conn: &mut Conn, table: &str) -> Value {
    exec(conn, &format!("SELECT COUNT(*) FROM {table}"), &[])
        .await
        .rows[0][0]
        .clone()
}

async fn batch(conn: &mut Conn, sql: &str) {
    if let Err(e) = conn.execute_batch(sql).await {
        panic!("{sql}: {e}");
    }
}

async fn setup(tag: &str) -> TestDb {
    let db = TestDb::new(tag).await;
    let mut conn = db.connect().await;
    exec(
        &mut conn,
        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY) ENGINE=InnoDB",
        &[],
    )
    .await;
    conn.close().await;
    db
}

/// Commit-as-you-go from another connection (the way the pool does it).
async fn insert_committed(conn: &mut Conn, id: i64) {
    conn.begin(TxOptions::default()).await.unwrap();
    exec(conn, "INSERT INTO t VALUES (?)", &[Value::Int(id)]).await;
    conn.commit().await.unwrap();
}

#[tokio::test]
async fn begin_is_not_sent_and_empty_ends_send_nothing() {
    let db = setup("nobegin").await;
    let mut conn = db.connect().await;
    let mut other = db.connect().await;
    let meter = Meter::start(&mut conn).await;

    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(1)]).await;
    conn.commit().await.unwrap();
    conn.begin(TxOptions::default()).await.unwrap();
    assert_eq!(count(&mut conn, "t").await, Value::Int(1));
    conn.rollback().await.unwrap();
    // Nothing ran: neither end is sent.
    conn.begin(TxOptions::default()).await.unwrap();
    conn.commit().await.unwrap();
    conn.begin(TxOptions::default()).await.unwrap();
    conn.rollback().await.unwrap();
    // The pool's rollback on return, with nothing open.
    conn.rollback().await.unwrap();
    conn.ping().await.unwrap();

    assert_eq!(meter.read(&mut conn).await, [0, 1, 1]);
    assert_eq!(count(&mut other, "t").await, Value::Int(1));
}

#[tokio::test]
async fn begin_with_options_is_sent() {
    let db = setup("beginopts").await;
    let mut conn = db.connect().await;
    let meter = Meter::start(&mut conn).await;
    conn.begin(TxOptions::default().read_only(true))
        .await
        .unwrap();
    let e = conn
        .execute(Statement::new(
            "INSERT INTO t VALUES (?)",
            vec![Value::Int(1)],
        ))
        .await
        .unwrap_err();
    assert!(
        e.to_string().to_ascii_lowercase().contains("read only"),
        "{e}"
    );
    conn.rollback().await.unwrap();
    // Transaction control written as text goes to the server as written.
    exec(&mut conn, "START TRANSACTION WITH CONSISTENT SNAPSHOT", &[]).await;
    conn.commit().await.unwrap();
    assert_eq!(meter.read(&mut conn).await, [2, 1, 1]);
    // Back to held-back BEGINs, and writes work again.
    insert_committed(&mut conn, 1).await;
    assert_eq!(meter.read(&mut conn).await, [2, 2, 1]);
}

#[tokio::test]
async fn no_stale_snapshot_after_connect_or_an_empty_commit() {
    let db = setup("snapshot").await;
    // An init_command that reads an InnoDB table opens a transaction (and
    // a REPEATABLE READ snapshot) under autocommit = 0: it must not last.
    let mut url = url::Url::parse(&crate::support::base_url()).unwrap();
    url.set_path(db.name());
    url.query_pairs_mut()
        .append_pair("init_command", "SELECT COUNT(*) FROM t");
    let reader_driver = oxalchemy_mysql::MysqlDriver::from_url(url.as_str()).unwrap();
    let mut reader = reader_driver.connect().await.unwrap();
    let mut writer = db.connect().await;
    if reader_driver.mysql_dialect().server_info().is_mariadb() {
        // The first statement sees what connecting left behind.
        let r = exec(&mut reader, "SELECT @@in_transaction", &[]).await;
        assert_eq!(r.rows[0][0], Value::Int(0));
    }

    insert_committed(&mut writer, 1).await;
    reader.begin(TxOptions::default()).await.unwrap();
    assert_eq!(count(&mut reader, "t").await, Value::Int(1));
    reader.commit().await.unwrap();

    // A transaction with nothing in it, then a new one: sees the new row.
    reader.begin(TxOptions::default()).await.unwrap();
    reader.commit().await.unwrap();
    insert_committed(&mut writer, 2).await;
    reader.begin(TxOptions::default()).await.unwrap();
    assert_eq!(count(&mut reader, "t").await, Value::Int(2));
    // Inside one transaction the snapshot holds (REPEATABLE READ).
    insert_committed(&mut writer, 3).await;
    assert_eq!(count(&mut reader, "t").await, Value::Int(2));
    reader.rollback().await.unwrap();
    // Reads outside a transaction are not left open either.
    assert_eq!(count(&mut reader, "t").await, Value::Int(3));
    insert_committed(&mut writer, 4).await;
    assert_eq!(count(&mut reader, "t").await, Value::Int(4));
    // Nor is a ping.
    reader.ping().await.unwrap();
    insert_committed(&mut writer, 5).await;
    reader.begin(TxOptions::default()).await.unwrap();
    assert_eq!(count(&mut reader, "t").await, Value::Int(5));
    reader.rollback().await.unwrap();
}

#[tokio::test]
async fn rollback_undoes_also_after_an_error() {
    let db = setup("rollback").await;
    let mut conn = db.connect().await;
    let mut other = db.connect().await;
    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(1)]).await;
    assert_eq!(count(&mut conn, "t").await, Value::Int(1));
    conn.rollback().await.unwrap();
    assert_eq!(count(&mut conn, "t").await, Value::Int(0));
    assert_eq!(count(&mut other, "t").await, Value::Int(0));

    // An error inside the transaction: the ROLLBACK that follows is sent.
    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(2)]).await;
    let e = conn
        .execute(Statement::new(
            "INSERT INTO t VALUES (?)",
            vec![Value::Int(2)],
        ))
        .await
        .unwrap_err();
    assert!(!e.is_disconnect(), "{e}");
    conn.rollback().await.unwrap();
    assert_eq!(count(&mut other, "t").await, Value::Int(0));
    assert_eq!(count(&mut conn, "t").await, Value::Int(0));

    // A statement that fails to prepare, first in its transaction: the
    // state is unknown, so the ROLLBACK is sent.
    let meter = Meter::start(&mut conn).await;
    conn.begin(TxOptions::default()).await.unwrap();
    conn.execute(Statement::new(
        "SELECT nope FROM t WHERE id = ?",
        vec![Value::Int(1)],
    ))
    .await
    .unwrap_err();
    conn.rollback().await.unwrap();
    assert_eq!(meter.read(&mut conn).await, [0, 0, 1]);
    insert_committed(&mut conn, 3).await;
    assert_eq!(count(&mut other, "t").await, Value::Int(1));

    // Dropped without COMMIT: gone.
    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(4)]).await;
    conn.close().await;
    assert_eq!(count(&mut other, "t").await, Value::Int(1));
}

#[tokio::test]
async fn savepoint_right_after_begin() {
    let db = setup("savepoint").await;
    let mut conn = db.connect().await;
    let mut other = db.connect().await;
    conn.begin(TxOptions::default()).await.unwrap();
    conn.savepoint("sa_1").await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(1)]).await;
    conn.rollback_to_savepoint("sa_1").await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(2)]).await;
    conn.release_savepoint("sa_1").await.unwrap();
    assert_eq!(count(&mut other, "t").await, Value::Int(0));
    conn.commit().await.unwrap();
    let r = exec(&mut other, "SELECT id FROM t", &[]).await;
    assert_eq!(r.rows, vec![vec![Value::Int(2)]]);

    // A savepoint and nothing else: the transaction's end is still sent
    // (it drops the savepoint), and the next transaction starts clean.
    conn.begin(TxOptions::default()).await.unwrap();
    conn.savepoint("sa_2").await.unwrap();
    conn.rollback().await.unwrap();
    conn.begin(TxOptions::default()).await.unwrap();
    let e = conn.rollback_to_savepoint("sa_2").await.unwrap_err();
    assert!(e.to_string().contains("sa_2"), "{e}");
    conn.rollback().await.unwrap();
}

#[tokio::test]
async fn isolation_level_set_before_a_transaction_applies() {
    let db = setup("isolation").await;
    let mut conn = db.connect().await;
    let mut writer = db.connect().await;

    // READ COMMITTED for the next transaction only: a row committed
    // meanwhile is seen by the second read.
    exec(
        &mut conn,
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
        &[],
    )
    .await;
    conn.begin(TxOptions::default()).await.unwrap();
    assert_eq!(count(&mut conn, "t").await, Value::Int(0));
    insert_committed(&mut writer, 1).await;
    assert_eq!(count(&mut conn, "t").await, Value::Int(1));
    conn.commit().await.unwrap();

    // The next one is REPEATABLE READ again (the session default).
    conn.begin(TxOptions::default()).await.unwrap();
    assert_eq!(count(&mut conn, "t").await, Value::Int(1));
    insert_committed(&mut writer, 2).await;
    assert_eq!(count(&mut conn, "t").await, Value::Int(1));
    conn.commit().await.unwrap();

    // SET TRANSACTION then an empty transaction: its end is sent, so the
    // one-shot level does not leak into the transaction after it.
    exec(
        &mut conn,
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
        &[],
    )
    .await;
    conn.begin(TxOptions::default()).await.unwrap();
    conn.commit().await.unwrap();
    conn.begin(TxOptions::default()).await.unwrap();
    assert_eq!(count(&mut conn, "t").await, Value::Int(2));
    insert_committed(&mut writer, 3).await;
    assert_eq!(count(&mut conn, "t").await, Value::Int(2));
    conn.commit().await.unwrap();

    // A session-wide level works too.
    batch(
        &mut conn,
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
    )
    .await;
    conn.begin(TxOptions::default()).await.unwrap();
    assert_eq!(count(&mut conn, "t").await, Value::Int(3));
    insert_committed(&mut writer, 4).await;
    assert_eq!(count(&mut conn, "t").await, Value::Int(4));
    conn.commit().await.unwrap();
}

#[tokio::test]
async fn ddl_commits_implicitly_and_the_bookkeeping_follows() {
    let db = setup("ddl").await;
    let mut conn = db.connect().await;
    let mut other = db.connect().await;
    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(1)]).await;
    exec(
        &mut conn,
        "CREATE TABLE u (id INTEGER NOT NULL PRIMARY KEY) ENGINE=InnoDB",
        &[],
    )
    .await;
    // The CREATE committed the INSERT.
    assert_eq!(count(&mut other, "t").await, Value::Int(1));
    let meter = Meter::start(&mut conn).await;
    conn.commit().await.unwrap();
    assert_eq!(meter.read(&mut conn).await, [0, 0, 0]);

    // A statement after DDL in the same transaction starts a new one, which
    // the COMMIT (sent) ends, and a ROLLBACK undoes.
    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO u VALUES (?)", &[Value::Int(1)]).await;
    exec(&mut conn, "ALTER TABLE t ADD COLUMN x INTEGER", &[]).await;
    exec(&mut conn, "INSERT INTO u VALUES (?)", &[Value::Int(2)]).await;
    assert_eq!(count(&mut other, "u").await, Value::Int(1));
    conn.rollback().await.unwrap();
    assert_eq!(count(&mut other, "u").await, Value::Int(1));
    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO u VALUES (?)", &[Value::Int(3)]).await;
    conn.commit().await.unwrap();
    assert_eq!(count(&mut other, "u").await, Value::Int(2));
}

#[tokio::test]
async fn statements_outside_a_transaction_still_autocommit() {
    let db = setup("autocommit").await;
    let mut conn = db.connect().await;
    let mut other = db.connect().await;
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(1)]).await;
    assert_eq!(count(&mut other, "t").await, Value::Int(1));
    batch(
        &mut conn,
        "INSERT INTO t VALUES (2); INSERT INTO t VALUES (3)",
    )
    .await;
    assert_eq!(count(&mut other, "t").await, Value::Int(3));
    // A failed statement leaves nothing open: the row it locked is free.
    conn.execute(Statement::new(
        "INSERT INTO t VALUES (?)",
        vec![Value::Int(1)],
    ))
    .await
    .unwrap_err();
    exec(&mut other, "SET SESSION innodb_lock_wait_timeout = 1", &[]).await;
    other.begin(TxOptions::default()).await.unwrap();
    exec(&mut other, "DELETE FROM t WHERE id = ?", &[Value::Int(1)]).await;
    other.commit().await.unwrap();
    assert_eq!(count(&mut conn, "t").await, Value::Int(2));
    // A session switched back to autocommit gets real BEGINs.
    batch(&mut conn, "SET SESSION autocommit = 1").await;
    let meter = Meter::start(&mut conn).await;
    insert_committed(&mut conn, 4).await;
    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(5)]).await;
    conn.rollback().await.unwrap();
    assert_eq!(meter.read(&mut conn).await, [2, 1, 1]);
    assert_eq!(count(&mut other, "t").await, Value::Int(3));
}
