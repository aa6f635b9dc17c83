//! Transactions across connections of one in-memory database: waiting
//! writers, deferred BEGIN, savepoints, rollback on drop.

mod common;

use common::{TempDir, batch, run, scalar};
use oxalchemy_core::{Driver, Error, Value};
use oxalchemy_core::{Statement, TxOptions};
use oxalchemy_sqlite::SqliteDriver;
use std::time::{Duration, Instant};

async fn setup(driver: &SqliteDriver) {
    let mut c = driver.connect().await.unwrap();
    batch(&mut c, "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_writer_waits_for_the_lock_instead_of_failing() {
    let dir = TempDir::new("wait");
    let file_url = format!("sqlite:///{}/w.db", dir.path().display());
    for url in ["sqlite://", file_url.as_str()] {
        let driver = SqliteDriver::from_url(url).unwrap();
        setup(&driver).await;
        let mut a = driver.connect().await.unwrap();
        let mut b = driver.connect().await.unwrap();
        a.begin(TxOptions::default()).await.unwrap();
        run(&mut a, "INSERT INTO t (x) VALUES (1)", &[]).await; // a holds the write lock
        let started = Instant::now();
        let writer = tokio::spawn(async move {
            let r = b
                .execute(Statement::new("INSERT INTO t (x) VALUES (2)", vec![]))
                .await;
            (r.map(|r| r.rows_affected), started.elapsed())
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !writer.is_finished(),
            "{url}: the second writer should be waiting"
        );
        a.commit().await.unwrap();
        let (result, waited) = writer.await.unwrap();
        assert_eq!(result.unwrap(), 1, "{url}");
        assert!(
            waited >= Duration::from_millis(250),
            "{url}: waited only {waited:?}"
        );
        assert_eq!(
            scalar(&mut a, "SELECT count(*) FROM t", &[]).await,
            Value::Int(2)
        );
    }
}

#[tokio::test]
async fn a_writer_gives_up_after_the_busy_timeout() {
    let driver = SqliteDriver::from_url("sqlite://")
        .unwrap()
        .busy_timeout(Duration::from_millis(100));
    setup(&driver).await;
    let mut a = driver.connect().await.unwrap();
    let mut b = driver.connect().await.unwrap();
    a.begin(TxOptions::default()).await.unwrap();
    run(&mut a, "INSERT INTO t (x) VALUES (1)", &[]).await;
    let err = b
        .execute(Statement::new("INSERT INTO t (x) VALUES (2)", vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::OperationalError {
                disconnect: false,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("locked"), "{err}");
    assert!(!b.is_broken());
    a.rollback().await.unwrap();
    run(&mut b, "INSERT INTO t (x) VALUES (2)", &[]).await;
}

#[tokio::test]
async fn a_reading_transaction_does_not_block_writers() {
    let driver = SqliteDriver::from_url("sqlite://")
        .unwrap()
        .busy_timeout(Duration::from_millis(100));
    setup(&driver).await;
    let mut reader = driver.connect().await.unwrap();
    let mut writer = driver.connect().await.unwrap();
    reader.begin(TxOptions::default()).await.unwrap();
    assert_eq!(
        scalar(&mut reader, "SELECT count(*) FROM t", &[]).await,
        Value::Int(0)
    );
    writer.begin(TxOptions::default()).await.unwrap();
    run(&mut writer, "INSERT INTO t (x) VALUES (1)", &[]).await;
    writer.commit().await.unwrap();
    assert_eq!(
        scalar(&mut reader, "SELECT count(*) FROM t", &[]).await,
        Value::Int(1)
    );
    // Its first write starts the real transaction, which then holds.
    run(&mut reader, "INSERT INTO t (x) VALUES (2)", &[]).await;
    reader.rollback().await.unwrap();
    assert_eq!(
        scalar(&mut writer, "SELECT count(*) FROM t", &[]).await,
        Value::Int(1)
    );
}

#[tokio::test]
async fn eager_begin_when_asked() {
    let driver = SqliteDriver::from_url("sqlite://")
        .unwrap()
        .busy_timeout(Duration::from_millis(50))
        .lazy_begin(false);
    setup(&driver).await;
    let mut reader = driver.connect().await.unwrap();
    let mut writer = driver.connect().await.unwrap();
    reader.begin(TxOptions::default()).await.unwrap();
    scalar(&mut reader, "SELECT count(*) FROM t", &[]).await; // holds a shared lock now
    let err = writer
        .execute(Statement::new("INSERT INTO t (x) VALUES (1)", vec![]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    reader.commit().await.unwrap();
    run(&mut writer, "INSERT INTO t (x) VALUES (1)", &[]).await;
}

#[tokio::test]
async fn commit_rollback_and_savepoints() {
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    setup(&driver).await;
    let mut c = driver.connect().await.unwrap();

    // Transactions that never wrote: COMMIT and ROLLBACK are no-ops.
    c.begin(TxOptions::default()).await.unwrap();
    c.commit().await.unwrap();
    c.begin(TxOptions::default()).await.unwrap();
    c.rollback().await.unwrap();
    // ... also through execute().
    run(&mut c, "BEGIN", &[]).await;
    run(&mut c, "COMMIT", &[]).await;

    c.begin(TxOptions::default()).await.unwrap();
    run(&mut c, "INSERT INTO t (x) VALUES (1)", &[]).await;
    c.rollback().await.unwrap();
    assert_eq!(
        scalar(&mut c, "SELECT count(*) FROM t", &[]).await,
        Value::Int(0)
    );

    c.begin(TxOptions::default()).await.unwrap();
    c.savepoint("sp_1").await.unwrap();
    run(&mut c, "INSERT INTO t (x) VALUES (1)", &[]).await;
    c.rollback_to_savepoint("sp_1").await.unwrap();
    c.release_savepoint("sp_1").await.unwrap();
    run(&mut c, "INSERT INTO t (x) VALUES (2)", &[]).await;
    c.commit().await.unwrap();
    assert_eq!(
        scalar(&mut c, "SELECT sum(x) FROM t", &[]).await,
        Value::Int(2)
    );

    // BEGIN inside a transaction is refused, as SQLite refuses it.
    c.begin(TxOptions::default()).await.unwrap();
    let err = c.begin(TxOptions::default()).await.unwrap_err();
    assert!(err.to_string().contains("within a transaction"), "{err}");
    c.rollback().await.unwrap();
    // ROLLBACK with no transaction at all is harmless.
    c.rollback().await.unwrap();
}

#[tokio::test]
async fn pragma_in_a_pending_transaction_still_applies() {
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    let mut c = driver.connect().await.unwrap();
    c.begin(TxOptions::default()).await.unwrap();
    run(&mut c, "PRAGMA foreign_keys = OFF", &[]).await;
    assert_eq!(
        scalar(&mut c, "PRAGMA foreign_keys", &[]).await,
        Value::Int(0)
    );
    c.commit().await.unwrap();
}

#[tokio::test]
async fn dropping_a_connection_rolls_back_its_transaction() {
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    setup(&driver).await;
    {
        let mut a = driver.connect().await.unwrap();
        a.begin(TxOptions::default()).await.unwrap();
        run(&mut a, "INSERT INTO t (x) VALUES (1)", &[]).await;
    }
    let mut b = driver.connect().await.unwrap();
    // Once a's thread has closed, b can write (a's lock is gone) and sees no row.
    run(&mut b, "INSERT INTO t (x) VALUES (5)", &[]).await;
    assert_eq!(
        scalar(&mut b, "SELECT sum(x) FROM t", &[]).await,
        Value::Int(5)
    );
}

#[tokio::test]
async fn an_explicit_begin_immediate_replaces_the_pending_begin() {
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    setup(&driver).await;
    let mut c = driver.connect().await.unwrap();
    c.begin(TxOptions::default()).await.unwrap(); // the engine's deferred BEGIN
    run(&mut c, "BEGIN IMMEDIATE", &[]).await; // the user's own
    run(&mut c, "INSERT INTO t (x) VALUES (9)", &[]).await;
    c.commit().await.unwrap();
    let mut other = driver.connect().await.unwrap();
    assert_eq!(
        scalar(&mut other, "SELECT sum(x) FROM t", &[]).await,
        Value::Int(9)
    );
}

/// Plain BEGIN / COMMIT / ROLLBACK that only touch the lazy-BEGIN
/// bookkeeping are deferred to the next statement's trip to the connection
/// thread: the outcome must be what running them at once gives.
#[tokio::test]
async fn deferred_transaction_control_keeps_its_meaning() {
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    setup(&driver).await;
    let mut a = driver.connect().await.unwrap();
    let mut b = driver.connect().await.unwrap();

    // A read-only transaction (pool-style BEGIN .. ROLLBACK), then a writing one.
    for round in 1..=3 {
        a.begin(TxOptions::default()).await.unwrap();
        scalar(&mut a, "SELECT count(*) FROM t", &[]).await;
        a.rollback().await.unwrap();
        a.begin(TxOptions::default()).await.unwrap();
        run(&mut a, "INSERT INTO t (x) VALUES (1)", &[]).await;
        a.commit().await.unwrap();
        assert_eq!(
            scalar(&mut b, "SELECT count(*) FROM t", &[]).await,
            Value::Int(round),
            "the committed row is visible to another connection"
        );
    }

    // A deferred BEGIN followed by a write that is rolled back.
    a.begin(TxOptions::default()).await.unwrap();
    run(&mut a, "INSERT INTO t (x) VALUES (9)", &[]).await;
    a.rollback().await.unwrap();
    assert_eq!(
        scalar(&mut b, "SELECT count(*) FROM t WHERE x = 9", &[]).await,
        Value::Int(0)
    );

    // The write lock is released by a COMMIT that follows a read-then-write
    // transaction: b can write at once afterwards.
    a.begin(TxOptions::default()).await.unwrap();
    scalar(&mut a, "SELECT count(*) FROM t", &[]).await;
    run(&mut a, "INSERT INTO t (x) VALUES (2)", &[]).await;
    a.commit().await.unwrap();
    run(&mut b, "INSERT INTO t (x) VALUES (3)", &[]).await;

    // A COMMIT with no transaction at all is still SQLite's error.
    let err = a.commit().await.unwrap_err();
    assert!(err.to_string().contains("no transaction"), "{err}");

    // BEGIN twice is refused even when the first one was deferred.
    a.begin(TxOptions::default()).await.unwrap();
    let err = a.begin(TxOptions::default()).await.unwrap_err();
    assert!(err.to_string().contains("within a transaction"), "{err}");
    a.rollback().await.unwrap();
}

/// `COMMIT` / `ROLLBACK` written as text are the explicit commit / rollback:
/// after SQLite rolled the transaction back (INSERT OR ROLLBACK), a COMMIT
/// in text fails just as `commit()` does, and nothing after the failure is kept.
#[tokio::test]
async fn commit_written_as_text_after_sqlites_rollback_fails() {
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    setup(&driver).await;
    let mut c = driver.connect().await.unwrap();
    run(&mut c, "INSERT INTO t (id, x) VALUES (1, 1)", &[]).await;
    c.begin(TxOptions::default()).await.unwrap();
    run(&mut c, "INSERT INTO t (id, x) VALUES (2, 2)", &[]).await;
    let e = c
        .execute(Statement::new(
            "INSERT OR ROLLBACK INTO t (id, x) VALUES (1, 9)",
            vec![],
        ))
        .await;
    assert!(e.is_err());
    run(&mut c, "INSERT INTO t (id, x) VALUES (3, 3)", &[]).await;
    let e = c
        .execute(Statement::new("COMMIT", vec![]))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nothing was committed"), "{e}");
    run(&mut c, "ROLLBACK", &[]).await;
    assert_eq!(
        scalar(&mut c, "SELECT count(*) FROM t", &[]).await,
        Value::Int(1)
    );
}

/// Read only switches `PRAGMA query_only` on for the transaction; SERIALIZABLE
/// (what SQLite always gives) begins at once; other levels are refused by name.
#[tokio::test]
async fn begin_options_read_only_and_isolation() {
    use oxalchemy_core::IsolationLevel;
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    setup(&driver).await;
    let mut c = driver.connect().await.unwrap();
    c.begin(TxOptions::default().read_only(true)).await.unwrap();
    assert_eq!(
        scalar(&mut c, "PRAGMA query_only", &[]).await,
        Value::Int(1)
    );
    let e = c
        .execute(Statement::new("INSERT INTO t (x) VALUES (1)", vec![]))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("readonly"), "{e}");
    c.commit().await.unwrap();
    assert_eq!(
        scalar(&mut c, "PRAGMA query_only", &[]).await,
        Value::Int(0)
    );

    // SERIALIZABLE (SQLite's only level) is taken and rolls back as usual.
    c.begin(TxOptions::default().isolation(IsolationLevel::Serializable))
        .await
        .unwrap();
    run(&mut c, "INSERT INTO t (x) VALUES (2)", &[]).await;
    c.rollback().await.unwrap();
    assert_eq!(
        scalar(&mut c, "SELECT count(*) FROM t", &[]).await,
        Value::Int(0)
    );
    let e = c
        .begin(TxOptions::default().isolation(IsolationLevel::ReadUncommitted))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Unsupported { .. }) && e.to_string().contains("READ UNCOMMITTED"),
        "{e}"
    );
    // Nothing was begun: a plain begin works.
    c.begin(TxOptions::default()).await.unwrap();
    c.rollback().await.unwrap();
}
