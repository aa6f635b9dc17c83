//! Connections and transactions: commit as you go, begin once, savepoints,
//! rollback on drop, cancelled futures.

#[path = "pool_common/mod.rs"]
mod common;

// The facade links the backends its features enable (their driver registrations).
use common::{mock_engine, settle, small_pool, sql};
use oxalchemy as _;
use oxalchemy_core::{Compiled, Error, FetchAfterInsert, SchemaBind, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test]
async fn commit_as_you_go() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut conn = engine.connect().await.unwrap();
    assert!(!conn.in_transaction());
    conn.execute(sql("INSERT a")).await.unwrap();
    assert!(conn.in_transaction());
    conn.commit().await.unwrap();
    assert!(!conn.in_transaction());
    conn.commit().await.unwrap(); // no transaction: no SQL
    conn.rollback().await.unwrap(); // likewise
    let r = conn.execute(sql("SELECT 5")).await.unwrap();
    assert_eq!(r.rows().len(), 1);
    conn.execute(sql("INSERT b")).await.unwrap();
    conn.rollback().await.unwrap();
    conn.execute(sql("INSERT c")).await.unwrap();
    conn.commit().await.unwrap();
    drop(conn);
    assert_eq!(
        state.sql(),
        [
            "BEGIN", "INSERT a", "COMMIT", "BEGIN", "SELECT 5", "INSERT b", "ROLLBACK", "BEGIN",
            "INSERT c", "COMMIT"
        ]
    );
    assert_eq!(engine.pool_status().idle, 1);
}

#[tokio::test]
async fn results_and_errors() {
    let (engine, _state) = mock_engine(small_pool(1, 0));
    let mut conn = engine.connect().await.unwrap();
    let r = conn
        .exec_driver_sql("SELECT ?, ?", vec![Value::Int(7), Value::from("x")])
        .await
        .unwrap();
    let (a, b): (i64, String) = r.one().unwrap();
    assert_eq!((a, b.as_str()), (7, "x"));
    let r = conn.execute(sql("INSERT x")).await.unwrap();
    assert_eq!(r.rows_affected(), 1);
    assert_eq!(r.last_insert_id(), Some(10));

    let err = conn.execute(sql("FAIL here")).await.unwrap_err();
    assert!(matches!(err, Error::ProgrammingError { .. }), "{err}");
    assert_eq!(err.sql(), Some("FAIL here"));
    assert!(err.to_string().contains("[SQL: FAIL here]"), "{err}");
    // A statement error does not invalidate the connection.
    assert!(!conn.is_invalidated());
    conn.execute(sql("SELECT 1")).await.unwrap();
}

#[tokio::test]
async fn fetch_after_insert_emulates_returning() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut tx = engine.begin().await.unwrap();
    let stmt = Compiled::new(
        "INSERT INTO t (x) VALUES (?), (?)",
        vec![Value::Int(1), Value::Int(2)],
    )
    .with_fetch_after(FetchAfterInsert {
        select_sql: "SELECT x, id FROM t WHERE id IN (?, ?)".into(),
        row_count: 2,
        key_params: vec![None, None],
    });
    let r = tx.execute(stmt).await.unwrap();
    assert_eq!(r.rows_affected(), 1);
    assert_eq!(r.last_insert_id(), Some(10));
    // The mock's one row holds the parameters (the generated keys 10 and 11):
    // it is the row of key 11 (its last column), whose x is 10.
    assert_eq!(r.len(), 1);
    assert_eq!(r.rows()[0].values(), [Value::Int(10)]);

    // Keys the INSERT gives are read back as given, not counted from LAST_INSERT_ID.
    let stmt = Compiled::new(
        "INSERT INTO t (id) VALUES (?), (?)",
        vec![Value::Int(50), Value::Int(40)],
    )
    .with_fetch_after(FetchAfterInsert {
        select_sql: "SELECT x, id FROM t WHERE id IN (?, ?)".into(),
        row_count: 2,
        key_params: vec![Some(0), Some(1)],
    });
    let r = tx.execute(stmt).await.unwrap();
    assert_eq!(r.rows()[0].values(), [Value::Int(50)]);
    tx.commit().await.unwrap();
    assert_eq!(state.sql()[2], "SELECT x, id FROM t WHERE id IN (?, ?)");
}

#[tokio::test]
async fn begin_once_commit_and_rollback() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut tx = engine.begin().await.unwrap();
    assert!(tx.is_active());
    tx.execute(sql("INSERT a")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = engine.begin().await.unwrap();
    tx.execute(sql("INSERT b")).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        state.sql(),
        [
            "BEGIN", "INSERT a", "COMMIT", "BEGIN", "INSERT b", "ROLLBACK"
        ]
    );
    assert_eq!(state.connects(), 1);
}

#[tokio::test]
async fn connection_begin_after_autobegin_is_invalid() {
    let (engine, _state) = mock_engine(small_pool(1, 0));
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("SELECT 1")).await.unwrap();
    let err = conn.begin().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");

    let conn = engine.connect().await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    tx.execute(sql("SELECT 2")).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn dropped_transaction_rolls_back_before_reuse() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut tx = engine.begin().await.unwrap();
    tx.execute(sql("INSERT a")).await.unwrap();
    drop(tx);
    // The only connection comes back once the background rollback ran.
    let mut conn = engine.connect().await.unwrap();
    assert_eq!(state.sql_of(1), ["BEGIN", "INSERT a", "ROLLBACK"]);
    assert_eq!(state.connects(), 1, "rolled back and reused, not discarded");

    conn.execute(sql("INSERT b")).await.unwrap();
    drop(conn);
    settle().await;
    assert_eq!(
        state.sql_of(1),
        [
            "BEGIN", "INSERT a", "ROLLBACK", "BEGIN", "INSERT b", "ROLLBACK"
        ]
    );
    assert_eq!(engine.pool_status().idle, 1);
}

#[tokio::test]
async fn dropped_outside_a_runtime_is_discarded() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut tx = engine.begin().await.unwrap();
    tx.execute(sql("INSERT a")).await.unwrap();
    std::thread::spawn(move || drop(tx)).join().unwrap();
    assert_eq!(state.closed(), 1);
    assert_eq!(engine.pool_status().size, 0);
    engine.connect().await.unwrap();
    assert_eq!(state.connects(), 2);
}

#[tokio::test]
async fn future_dropped_mid_execute_discards_the_connection() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut conn = engine.connect().await.unwrap();
    let r = tokio::time::timeout(Duration::from_millis(50), conn.execute(sql("SLEEP"))).await;
    assert!(r.is_err(), "timed out");
    drop(conn);
    settle().await;
    assert_eq!(state.closed(), 1);
    assert_eq!(engine.pool_status().size, 0);
    assert!(
        !state.sql_of(1).contains(&"ROLLBACK".to_string()),
        "no SQL on a dirty connection"
    );
    engine.connect().await.unwrap();
    assert_eq!(state.connects(), 2);
}

#[tokio::test]
async fn connection_reused_after_a_cancelled_operation() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("INSERT a")).await.unwrap();
    let r = tokio::time::timeout(Duration::from_millis(50), conn.execute(sql("SLEEP"))).await;
    assert!(r.is_err());
    let err = conn.execute(sql("INSERT b")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert_eq!(state.closed(), 1);
    conn.rollback().await.unwrap();
    conn.execute(sql("INSERT c")).await.unwrap();
    conn.commit().await.unwrap();
    assert_eq!(state.sql_of(2), ["BEGIN", "INSERT c", "COMMIT"]);
}

#[tokio::test]
async fn future_dropped_mid_commit_discards_the_connection() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut tx = engine.begin().await.unwrap();
    tx.execute(sql("INSERT a")).await.unwrap();
    state.slow_commit.store(true, Ordering::SeqCst);
    let r = tokio::time::timeout(Duration::from_millis(50), tx.commit()).await;
    assert!(r.is_err());
    settle().await;
    assert_eq!(state.closed(), 1);
    assert_eq!(engine.pool_status().size, 0);
}

#[tokio::test]
async fn spawned_task_aborted_mid_transaction() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let e2 = engine.clone();
    let task = tokio::spawn(async move {
        let mut tx = e2.begin().await?;
        tx.execute(sql("INSERT a")).await?;
        tx.execute(sql("SLEEP")).await?;
        tx.commit().await
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    settle().await;
    assert_eq!(state.closed(), 1);
    assert!(!state.sql().contains(&"COMMIT".to_string()));
}

#[tokio::test]
async fn savepoint_sql_sequence() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut tx = engine.begin().await.unwrap();
    tx.execute(sql("INSERT a")).await.unwrap();
    {
        let mut sp1 = tx.begin_nested().await.unwrap();
        assert_eq!(sp1.name(), "sa_savepoint_1");
        sp1.execute(sql("INSERT b")).await.unwrap();
        let sp2 = sp1.begin_nested().await.unwrap();
        assert_eq!(sp2.name(), "sa_savepoint_2");
        sp2.commit().await.unwrap();
        sp1.rollback().await.unwrap();
    }
    let sp3 = tx.begin_nested().await.unwrap();
    sp3.commit().await.unwrap();
    {
        let mut sp4 = tx.begin_nested().await.unwrap();
        sp4.execute(sql("INSERT c")).await.unwrap();
        // dropped: rolled back before the next statement
    }
    tx.execute(sql("INSERT d")).await.unwrap();
    {
        let _sp5 = tx.begin_nested().await.unwrap();
        // dropped: rolled back before COMMIT
    }
    tx.commit().await.unwrap();
    assert_eq!(
        state.sql(),
        [
            "BEGIN",
            "INSERT a",
            "SAVEPOINT sa_savepoint_1",
            "INSERT b",
            "SAVEPOINT sa_savepoint_2",
            "RELEASE SAVEPOINT sa_savepoint_2",
            "ROLLBACK TO SAVEPOINT sa_savepoint_1",
            "SAVEPOINT sa_savepoint_3",
            "RELEASE SAVEPOINT sa_savepoint_3",
            "SAVEPOINT sa_savepoint_4",
            "INSERT c",
            "ROLLBACK TO SAVEPOINT sa_savepoint_4",
            "INSERT d",
            "SAVEPOINT sa_savepoint_5",
            "ROLLBACK TO SAVEPOINT sa_savepoint_5",
            "COMMIT",
        ]
    );
}

#[tokio::test]
async fn savepoint_on_a_connection_autobegins() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut conn = engine.connect().await.unwrap();
    let mut sp = conn.begin_nested().await.unwrap();
    sp.execute(sql("INSERT a")).await.unwrap();
    sp.rollback().await.unwrap();
    assert!(conn.in_transaction());
    conn.commit().await.unwrap();
    assert_eq!(
        state.sql(),
        [
            "BEGIN",
            "SAVEPOINT sa_savepoint_1",
            "INSERT a",
            "ROLLBACK TO SAVEPOINT sa_savepoint_1",
            "COMMIT"
        ]
    );
}

#[tokio::test]
async fn dropped_savepoint_then_dropped_transaction_rolls_back_everything() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut tx = engine.begin().await.unwrap();
    {
        let mut sp = tx.begin_nested().await.unwrap();
        sp.execute(sql("INSERT a")).await.unwrap();
    }
    drop(tx);
    let _c = engine.connect().await.unwrap();
    assert_eq!(
        state.sql(),
        ["BEGIN", "SAVEPOINT sa_savepoint_1", "INSERT a", "ROLLBACK"]
    );
}

#[tokio::test]
async fn schema_bind_runs_in_one_committed_transaction() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    assert_eq!(engine.schema_dialect().name(), "mock");
    let mut sc = engine.schema_connection().await.unwrap();
    sc.run(sql("CREATE TABLE a (x INTEGER)")).await.unwrap();
    sc.run(sql("CREATE TABLE b (y INTEGER)")).await.unwrap();
    sc.finish().await.unwrap();
    assert_eq!(
        state.sql(),
        [
            "BEGIN",
            "CREATE TABLE a (x INTEGER)",
            "CREATE TABLE b (y INTEGER)",
            "COMMIT"
        ]
    );
    assert_eq!(engine.pool_status().idle, 1);
}

#[tokio::test]
async fn close_returns_the_connection_now() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("INSERT a")).await.unwrap();
    conn.close().await.unwrap();
    assert_eq!(state.sql(), ["BEGIN", "INSERT a", "ROLLBACK"]);
    assert_eq!(engine.pool_status().idle, 1);
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn futures_are_send() {
    let (engine, _state) = mock_engine(small_pool(1, 0));
    let fut = engine.connect();
    assert_send(&fut);
    let mut conn = fut.await.unwrap();
    {
        let f = conn.execute(sql("SELECT 1"));
        assert_send(&f);
        f.await.unwrap();
    }
    let f = conn.begin_nested();
    assert_send(&f);
    let sp = f.await.unwrap();
    let f = sp.commit();
    assert_send(&f);
    f.await.unwrap();
    let f = conn.commit();
    assert_send(&f);
    f.await.unwrap();
    let f = engine.begin();
    assert_send(&f);
    drop(f);
    assert_send(&engine.dispose());
}

#[test]
fn handles_are_send_and_sync_where_expected() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<oxalchemy_pool::Engine>();
    send_sync::<oxalchemy_pool::PoolStatus>();
    send_sync::<oxalchemy_pool::ListenerHandle>();
    send::<oxalchemy_pool::Connection>();
    send::<oxalchemy_pool::Transaction>();
    send::<oxalchemy_pool::Savepoint<'static>>();
}

/// `begin_with` hands the options to the driver; the `Begin` event and the
/// driver see `BEGIN ISOLATION LEVEL .. READ ONLY`, a plain begin stays `BEGIN`.
#[tokio::test]
async fn begin_with_options_reaches_the_driver_and_the_begin_event() {
    use oxalchemy_core::{IsolationLevel, TxOptions};
    use oxalchemy_pool::event::{self, EngineEvent, ExecuteContext};
    use std::sync::{Arc, Mutex};

    let (engine, state) = mock_engine(small_pool(1, 0));
    let begins = Arc::new(Mutex::new(Vec::<String>::new()));
    let b2 = begins.clone();
    event::listen(&engine, EngineEvent::Begin, move |ctx: &ExecuteContext| {
        b2.lock().unwrap().push(ctx.statement().to_owned());
    });
    let options = TxOptions::default()
        .isolation(IsolationLevel::Serializable)
        .read_only(true);
    let mut tx = engine.begin_with(options).await.unwrap();
    tx.execute(sql("SELECT 1")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = engine.begin().await.unwrap();
    tx.execute(sql("SELECT 2")).await.unwrap();
    tx.rollback().await.unwrap();
    let expected = "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY";
    assert_eq!(
        state.sql(),
        [
            expected, "SELECT 1", "COMMIT", "BEGIN", "SELECT 2", "ROLLBACK"
        ]
    );
    assert_eq!(*begins.lock().unwrap(), [expected, "BEGIN"]);

    // A transaction already open: begin_with is refused like begin.
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("SELECT 3")).await.unwrap();
    let e = conn.begin_with(options).await.unwrap_err();
    assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
}
