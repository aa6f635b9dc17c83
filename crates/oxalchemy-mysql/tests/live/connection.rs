//! Connection life: transactions, ping, close, and a connection killed under us.

use crate::support::{TestDb, exec};
use oxalchemy_core::{Error, Value};
use oxalchemy_core::{Statement, TxOptions};

#[tokio::test]
async fn killed_connection_is_a_disconnect() {
    let db = TestDb::new("kill").await;
    let mut victim = db.connect().await;
    let mut killer = db.connect().await;
    let r = exec(&mut victim, "SELECT CONNECTION_ID()", &[]).await;
    let id = match r.rows[0][0] {
        Value::Int(id) => id,
        ref other => panic!("{other:?}"),
    };
    killer.execute_batch(&format!("KILL {id}")).await.unwrap();
    // Give the server a moment to close the socket.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let e = victim
        .execute(Statement::new("SELECT ?", vec![Value::Int(1)]))
        .await
        .unwrap_err();
    assert!(e.is_disconnect(), "{e}");
    assert!(matches!(
        e,
        Error::OperationalError {
            disconnect: true,
            ..
        }
    ));
    assert!(victim.is_broken());
    // Further use says so without touching the network.
    let e = victim
        .execute(Statement::new("SELECT 1", vec![]))
        .await
        .unwrap_err();
    assert!(e.is_disconnect(), "{e}");
    assert!(victim.ping().await.unwrap_err().is_disconnect());
    victim.close().await;
    // The other connection is fine.
    killer.ping().await.unwrap();
    assert!(!killer.is_broken());
}

#[tokio::test]
async fn killed_connection_fails_ping_and_batch() {
    let db = TestDb::new("killping").await;
    let mut victim = db.connect().await;
    let mut killer = db.connect().await;
    victim.ping().await.unwrap();
    let r = exec(&mut victim, "SELECT CONNECTION_ID()", &[]).await;
    killer
        .execute(Statement::new("KILL ?", vec![r.rows[0][0].clone()]))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // A plain BEGIN sends nothing (autocommit = 0), so the loss shows at the
    // first statement sent.
    victim.begin(TxOptions::default()).await.unwrap();
    let e = victim.savepoint("sa_1").await.unwrap_err();
    assert!(e.is_disconnect(), "{e}");
    assert!(victim.is_broken());
}

#[tokio::test]
async fn transactions_and_savepoints() {
    let db = TestDb::new("tx").await;
    let mut conn = db.connect().await;
    let mut other = db.connect().await;
    exec(
        &mut conn,
        "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY) ENGINE=InnoDB",
        &[],
    )
    .await;
    conn.begin(TxOptions::default()).await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(1)]).await;
    conn.savepoint("sp1").await.unwrap();
    exec(&mut conn, "INSERT INTO t VALUES (?)", &[Value::Int(2)]).await;
    conn.rollback_to_savepoint("sp1").await.unwrap();
    conn.release_savepoint("sp1").await.unwrap();
    // Not visible elsewhere before COMMIT.
    assert!(
        exec(&mut other, "SELECT id FROM t", &[])
            .await
            .rows
            .is_empty()
    );
    conn.commit().await.unwrap();
    let r = exec(&mut other, "SELECT id FROM t", &[]).await;
    assert_eq!(r.rows, vec![vec![Value::Int(1)]]);

    // Transaction control through execute() (text protocol) works too.
    exec(&mut conn, "BEGIN", &[]).await;
    exec(&mut conn, "DELETE FROM t", &[]).await;
    exec(&mut conn, "ROLLBACK", &[]).await;
    assert_eq!(
        exec(&mut other, "SELECT COUNT(*) FROM t", &[]).await.rows[0][0],
        Value::Int(1)
    );

    // A multi-statement batch.
    conn.execute_batch("INSERT INTO t VALUES (10); INSERT INTO t VALUES (11)")
        .await
        .unwrap();
    assert_eq!(
        exec(&mut other, "SELECT COUNT(*) FROM t", &[]).await.rows[0][0],
        Value::Int(3)
    );
    conn.ping().await.unwrap();
    conn.close().await;
}

#[tokio::test]
async fn connections_run_in_parallel() {
    let db = TestDb::new("parallel").await;
    let mut setup = db.connect().await;
    exec(
        &mut setup,
        "CREATE TABLE p (id INTEGER AUTO_INCREMENT PRIMARY KEY, worker INTEGER)",
        &[],
    )
    .await;
    let mut tasks = Vec::new();
    for worker in 0..4i64 {
        let mut conn = db.connect().await;
        tasks.push(tokio::spawn(async move {
            for _ in 0..25 {
                conn.execute(Statement::new(
                    "INSERT INTO p (worker) VALUES (?)",
                    vec![Value::Int(worker)],
                ))
                .await
                .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let r = exec(
        &mut setup,
        "SELECT COUNT(*), COUNT(DISTINCT worker) FROM p",
        &[],
    )
    .await;
    assert_eq!(r.rows[0], vec![Value::Int(100), Value::Int(4)]);
}

#[tokio::test]
async fn unreachable_server_is_an_operational_error() {
    // Port 1 on localhost: nothing listens there.
    let driver = oxalchemy_mysql::MysqlDriver::from_url("mysql://root@127.0.0.1:1/test").unwrap();
    let e = driver.connect_mysql().await.unwrap_err();
    assert!(matches!(e, Error::OperationalError { .. }), "{e}");
    assert!(e.to_string().contains("127.0.0.1:1"), "{e}");
    assert!(e.to_string().contains("running"), "{e}");
}
