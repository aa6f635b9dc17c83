//! Pool behaviour: overflow, timeout, recycle, pre-ping, broken connections, dispose.

#[path = "pool_common/mod.rs"]
mod common;

// The facade links the backends its features enable (their driver registrations).
use common::{mock_engine, settle, small_pool, sql};
use oxalchemy as _;
use oxalchemy_core::Error;
use oxalchemy_pool::{EngineOptions, PoolStatus};
use std::time::{Duration, Instant};

#[tokio::test]
async fn lazy_engine_connects_on_first_use() {
    let (engine, state) = mock_engine(EngineOptions::default());
    assert_eq!(state.connects(), 0);
    assert_eq!(engine.pool_status().size, 0);
    let conn = engine.connect().await.unwrap();
    assert_eq!(state.connects(), 1);
    drop(conn);
    let status = engine.pool_status();
    assert_eq!((status.size, status.idle, status.checked_out), (1, 1, 0));
    assert_eq!(engine.url(), "mock://scott:***@localhost/test");
    assert_eq!(engine.dialect().name(), "mock");
}

#[tokio::test]
async fn overflow_connections_are_closed_when_returned() {
    let (engine, state) = mock_engine(small_pool(2, 1));
    let c1 = engine.connect().await.unwrap();
    let c2 = engine.connect().await.unwrap();
    let c3 = engine.connect().await.unwrap();
    assert_eq!(
        engine.pool_status(),
        PoolStatus {
            size: 3,
            checked_out: 3,
            idle: 0,
            overflow: 1,
            pool_size: 2,
            max_overflow: 1
        }
    );
    // A fourth checkout cannot get one.
    let err = engine.connect().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::PoolTimeout {
                pool_size: 2,
                max_overflow: 1,
                ..
            }
        ),
        "{err}"
    );

    drop(c3);
    assert_eq!(state.closed(), 1, "the overflow connection is closed");
    let status = engine.pool_status();
    assert_eq!(
        (
            status.size,
            status.checked_out,
            status.idle,
            status.overflow
        ),
        (2, 2, 0, 0)
    );

    drop(c1);
    drop(c2);
    assert_eq!(state.closed(), 1);
    let status = engine.pool_status();
    assert_eq!((status.size, status.checked_out, status.idle), (2, 0, 2));

    // Idle connections are reused.
    let _c = engine.connect().await.unwrap();
    assert_eq!(state.connects(), 3);
}

#[tokio::test]
async fn pool_timeout_fails_fast_instead_of_hanging() {
    let mut opts = small_pool(1, 0);
    opts.pool_timeout = Duration::from_millis(100);
    let (engine, _state) = mock_engine(opts);
    let held = engine.connect().await.unwrap();
    let start = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(5), engine.connect())
        .await
        .expect("the checkout must not hang");
    let waited = start.elapsed();
    let err = result.unwrap_err();
    assert!(matches!(err, Error::PoolTimeout { .. }), "{err}");
    assert!(err.to_string().contains("pool_size 1"), "{err}");
    assert!(waited >= Duration::from_millis(90), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    drop(held);
    engine.connect().await.unwrap();
}

#[tokio::test]
async fn waiting_checkout_gets_a_returned_connection() {
    let mut opts = small_pool(1, 0);
    opts.pool_timeout = Duration::from_secs(5);
    let (engine, state) = mock_engine(opts);
    let held = engine.connect().await.unwrap();
    let e2 = engine.clone();
    let waiter = tokio::spawn(async move { e2.connect().await.map(|_| ()) });
    tokio::time::sleep(Duration::from_millis(30)).await;
    drop(held);
    waiter.await.unwrap().unwrap();
    assert_eq!(state.connects(), 1);
}

#[tokio::test]
async fn recycle_replaces_old_connections_at_checkout() {
    let mut opts = small_pool(1, 0);
    opts.pool_recycle = Some(Duration::from_millis(50));
    let (engine, state) = mock_engine(opts);
    drop(engine.connect().await.unwrap());
    drop(engine.connect().await.unwrap());
    assert_eq!(
        (state.connects(), state.closed()),
        (1, 0),
        "young connection reused"
    );
    tokio::time::sleep(Duration::from_millis(80)).await;
    let mut conn = engine.connect().await.unwrap();
    assert_eq!(
        (state.connects(), state.closed()),
        (2, 1),
        "old connection replaced"
    );
    conn.execute(sql("SELECT 1")).await.unwrap();
    assert_eq!(state.sql_of(2), ["BEGIN", "SELECT 1"]);
}

#[tokio::test]
async fn pre_ping_discards_a_dead_connection() {
    let mut opts = small_pool(1, 0);
    opts.pool_pre_ping = true;
    let (engine, state) = mock_engine(opts);
    drop(engine.connect().await.unwrap());
    assert_eq!(state.pings(), 0, "a new connection is not pinged");

    drop(engine.connect().await.unwrap());
    assert_eq!(state.pings(), 1);
    assert_eq!(state.connects(), 1);

    state
        .fail_ping
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let mut conn = engine.connect().await.unwrap();
    assert_eq!(state.pings(), 2);
    assert_eq!(
        (state.connects(), state.closed()),
        (2, 1),
        "dead one closed, new one opened"
    );
    conn.execute(sql("SELECT 1")).await.unwrap();
    assert_eq!(state.sql_of(2), ["BEGIN", "SELECT 1"]);
}

#[tokio::test]
async fn without_pre_ping_no_ping_is_sent() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    drop(engine.connect().await.unwrap());
    drop(engine.connect().await.unwrap());
    assert_eq!(state.pings(), 0);
}

#[tokio::test]
async fn disconnect_error_discards_the_connection() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("SELECT 1")).await.unwrap();
    let err = conn.execute(sql("DISCONNECT")).await.unwrap_err();
    assert!(err.is_disconnect(), "{err}");
    assert_eq!(state.closed(), 1, "discarded at once");
    assert!(conn.is_invalidated());
    assert!(
        conn.in_transaction(),
        "the lost transaction is still to be acknowledged"
    );
    assert_eq!(engine.pool_status().size, 0);

    let err = conn.execute(sql("SELECT 2")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert!(err.to_string().contains("rollback()"), "{err}");
    let err = conn.commit().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");

    conn.rollback().await.unwrap();
    assert!(!conn.in_transaction());
    conn.execute(sql("SELECT 3")).await.unwrap();
    assert_eq!(state.connects(), 2, "a fresh connection after the rollback");
    assert_eq!(state.sql_of(2), ["BEGIN", "SELECT 3"]);
    assert!(!state.sql_of(1).contains(&"ROLLBACK".to_string()));
}

#[tokio::test]
async fn broken_connection_is_not_returned_to_the_pool() {
    let (engine, state) = mock_engine(small_pool(2, 0));
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("BREAK")).await.unwrap();
    conn.commit().await.unwrap();
    drop(conn);
    assert_eq!(state.closed(), 1);
    assert_eq!(engine.pool_status().size, 0);
}

#[tokio::test]
async fn idle_connection_that_broke_is_replaced_at_checkout() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    drop(engine.connect().await.unwrap());
    state
        .all_broken
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let conn = engine.connect().await.unwrap();
    assert_eq!((state.connects(), state.closed()), (2, 1));
    state
        .all_broken
        .store(false, std::sync::atomic::Ordering::SeqCst);
    drop(conn);
    assert_eq!(engine.pool_status().idle, 1);
}

#[tokio::test]
async fn dispose_closes_idle_now_and_checked_out_on_return() {
    let (engine, state) = mock_engine(small_pool(2, 0));
    let c1 = engine.connect().await.unwrap();
    let c2 = engine.connect().await.unwrap();
    drop(c2);
    engine.dispose().await;
    assert_eq!(state.closed(), 1, "the idle one");
    assert_eq!(engine.pool_status().size, 0);
    drop(c1);
    assert_eq!(state.closed(), 2, "the checked-out one, on return");
    assert_eq!(engine.pool_status().size, 0);
    // The engine still works, on new connections.
    let mut c = engine.connect().await.unwrap();
    c.execute(sql("SELECT 1")).await.unwrap();
    assert_eq!(state.connects(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_share_a_small_pool() {
    let mut opts = small_pool(2, 1);
    opts.pool_timeout = Duration::from_secs(10);
    let (engine, state) = mock_engine(opts);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = engine.begin().await?;
            tx.execute(sql(&format!("INSERT {i}"))).await?;
            tokio::time::sleep(Duration::from_millis(2)).await;
            let sp = tx.begin_nested().await?;
            sp.commit().await?;
            tx.commit().await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    settle().await;
    let status = engine.pool_status();
    assert_eq!(status.checked_out, 0);
    assert!(status.size <= 2, "{status:?}");
    assert!(
        state.connects() <= 3 + state.closed(),
        "never more than 3 open at once"
    );
    assert_eq!(state.sql().iter().filter(|s| *s == "COMMIT").count(), 24);
}

#[tokio::test]
async fn zero_sized_pool_is_an_argument_error() {
    let driver = common::MockDriver::default();
    let err = oxalchemy_pool::Engine::from_driver(std::sync::Arc::new(driver), small_pool(0, 0))
        .unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
}
