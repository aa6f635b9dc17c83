//! A connection killed on the server is reported as a disconnect and broken.

use crate::support::{TestDb, admin_connection, run};
use oxalchemy_core::Statement;
use oxalchemy_core::{DriverConnection, Value};

#[tokio::test]
async fn a_terminated_backend_is_a_disconnect() {
    let db = TestDb::new().await;
    let mut victim = db.boxed().await;
    let pid = run(&mut *victim, "SELECT pg_backend_pid()", &[]).await.rows[0][0].clone();
    assert!(matches!(pid, Value::Int(_)), "{pid:?}");
    assert!(!victim.is_broken());

    let mut killer = admin_connection().await;
    // Waits (up to 5 s) until the backend has exited.
    let r = run(&mut killer, "SELECT pg_terminate_backend($1, 5000)", &[pid]).await;
    assert_eq!(r.rows[0][0], Value::Bool(true));

    let e = victim
        .execute(Statement::new("SELECT 1", vec![]))
        .await
        .unwrap_err();
    assert!(e.is_disconnect(), "expected a disconnect, got {e:?}");
    assert!(victim.is_broken());
    // It stays broken; further calls keep failing as disconnects without hanging.
    let e = victim
        .execute(Statement::new("SELECT 1", vec![]))
        .await
        .unwrap_err();
    assert!(e.is_disconnect(), "{e:?}");
    assert!(victim.ping().await.unwrap_err().is_disconnect());
    victim.close().await;
    Box::new(killer).close().await;
}

#[tokio::test]
async fn a_cached_statement_on_a_terminated_backend_is_a_disconnect() {
    let db = TestDb::new().await;
    let mut victim = db.conn().await;
    let sql = "SELECT $1::int4 + 1";
    run(&mut victim, sql, &[Value::Int(1)]).await;
    let pid = run(&mut victim, "SELECT pg_backend_pid()", &[]).await.rows[0][0].clone();
    let mut killer = admin_connection().await;
    run(&mut killer, "SELECT pg_terminate_backend($1, 5000)", &[pid]).await;
    let e = victim
        .execute(Statement::new(sql, vec![Value::Int(1)]))
        .await
        .unwrap_err();
    assert!(e.is_disconnect(), "{e:?}");
    assert!(victim.is_broken());
    assert_eq!(victim.cached_statements(), 0);
}

#[tokio::test]
async fn an_unreachable_server_is_an_operational_error() {
    let driver = oxalchemy_postgres::PostgresDriver::from_url(
        "postgresql://postgres:secret@127.0.0.1:1/test?connect_timeout=2",
    )
    .unwrap();
    let e = driver.connect_postgres().await.unwrap_err();
    assert!(e.is_disconnect(), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}
