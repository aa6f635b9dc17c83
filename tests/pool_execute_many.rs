//! `execute_many_compiled` fires statement events as SQLAlchemy does per
//! statement: `BeforeExecute` for each parameter set the driver started,
//! `AfterExecute` for each that completed; a failing set gets its
//! `BeforeExecute` and the engine's error handling only.
//!
//! On the mock driver (the trait's default loop), on SQLite, and with the
//! `postgres` / `mysql` features on the live servers
//! (`OXALCHEMY_TEST_POSTGRES_URL`, `OXALCHEMY_TEST_MYSQL_URL`).

#![cfg(feature = "sqlite")]

#[path = "pool_common/mod.rs"]
mod common;

// The facade links the backends its features enable (their driver registrations).
use common::{mock_engine, small_pool};
use oxalchemy as _;
use oxalchemy_core::{Compiled, IntegrityKind, Value};
use oxalchemy_pool::event::{self, EngineEvent, ExecuteContext};
use oxalchemy_pool::{Engine, EngineOptions};
use oxalchemy_sqlite::SqliteDriver;
use std::sync::{Arc, Mutex};

/// One statement event as a listener saw it.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    /// `BeforeExecute` with its parameters.
    Before(Vec<Value>),
    /// `AfterExecute` with its parameters and rows affected.
    After(Vec<Value>, u64),
}

/// The statement events of `engine`, in order.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl Recorder {
    /// Listen to `BeforeExecute` and, when `after`, `AfterExecute`.
    fn listen(engine: &Engine, after: bool) -> Recorder {
        let rec = Recorder::default();
        let log = rec.0.clone();
        event::listen(
            engine,
            EngineEvent::BeforeExecute,
            move |ctx: &ExecuteContext| {
                log.lock()
                    .unwrap()
                    .push(Seen::Before(ctx.params().to_vec()));
            },
        );
        if after {
            let log = rec.0.clone();
            event::listen(
                engine,
                EngineEvent::AfterExecute,
                move |ctx: &ExecuteContext| {
                    log.lock()
                        .unwrap()
                        .push(Seen::After(ctx.params().to_vec(), ctx.rows_affected()));
                },
            );
        }
        rec
    }

    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn before(v: impl Into<Value>) -> Seen {
    Seen::Before(vec![v.into()])
}

fn after(v: impl Into<Value>, rows: u64) -> Seen {
    Seen::After(vec![v.into()], rows)
}

fn sets<V: Into<Value>>(values: impl IntoIterator<Item = V>) -> Vec<Vec<Value>> {
    values.into_iter().map(|v| vec![v.into()]).collect()
}

#[tokio::test]
async fn events_alternate_in_statement_order_on_success() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let rec = Recorder::listen(&engine, true);
    let mut conn = engine.connect().await.unwrap();
    let template = Compiled::new("UNIQUE x", vec![]);
    let results = conn
        .execute_many_compiled(&template, sets(["a", "b", "c"]))
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(
        rec.take(),
        [
            before("a"),
            after("a", 1),
            before("b"),
            after("b", 1),
            before("c"),
            after("c", 1),
        ]
    );
    assert_eq!(state.sql(), ["BEGIN", "UNIQUE x", "UNIQUE x", "UNIQUE x"]);
}

/// The trait's default loop stops at the failing set and says how far it
/// got: listeners see the sets that started, the error is the failing set's.
#[tokio::test]
async fn a_failing_set_gets_before_and_the_error_only() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let rec = Recorder::listen(&engine, true);
    let mut conn = engine.connect().await.unwrap();
    let template = Compiled::new("UNIQUE x", vec![]);
    let err = conn
        .execute_many_compiled(&template, sets(["a", "dup", "c"]))
        .await
        .unwrap_err();
    assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
    assert_eq!(err.sql(), Some("UNIQUE x"), "the engine attached the SQL");
    assert_eq!(rec.take(), [before("a"), after("a", 1), before("dup")]);
    assert_eq!(
        state.sql(),
        ["BEGIN", "UNIQUE x", "UNIQUE x"],
        "the third set never ran"
    );
    // Not a disconnect: the connection and its transaction stay usable.
    assert!(!conn.is_invalidated());
    assert!(conn.in_transaction());
    conn.rollback().await.unwrap();

    // The first set failing: one BeforeExecute, nothing after it.
    let err = conn
        .execute_many_compiled(&template, sets(["dup", "b"]))
        .await
        .unwrap_err();
    assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
    assert_eq!(rec.take(), [before("dup")]);
}

/// With only `BeforeExecute` listened to, the later sets' events still fire
/// for exactly the sets that started.
#[tokio::test]
async fn before_listeners_alone_see_the_started_sets() {
    let (engine, _state) = mock_engine(small_pool(1, 0));
    let rec = Recorder::listen(&engine, false);
    let mut conn = engine.connect().await.unwrap();
    let template = Compiled::new("UNIQUE x", vec![]);
    conn.execute_many_compiled(&template, sets(["a", "b"]))
        .await
        .unwrap();
    assert_eq!(rec.take(), [before("a"), before("b")]);
    let _ = conn
        .execute_many_compiled(&template, sets(["a", "b", "dup", "d"]))
        .await
        .unwrap_err();
    assert_eq!(
        rec.take(),
        [before("a"), before("b"), before("dup")],
        "the set after the failing one did not start"
    );
}

/// The failing set goes through the engine's error handling: a lost
/// connection is discarded (and its transaction reported lost).
#[tokio::test]
async fn a_disconnect_in_execute_many_invalidates_the_connection() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let rec = Recorder::listen(&engine, true);
    let mut conn = engine.connect().await.unwrap();
    let template = Compiled::new("DISCONNECT", vec![]);
    let err = conn
        .execute_many_compiled(&template, sets([1, 2]))
        .await
        .unwrap_err();
    assert!(err.is_disconnect(), "{err}");
    assert_eq!(rec.take(), [before(1)]);
    assert!(conn.is_invalidated());
    conn.rollback().await.unwrap();
    // The next statement runs on a fresh connection.
    conn.exec_driver_sql("SELECT 1", vec![]).await.unwrap();
    assert!(!conn.is_invalidated());
    assert_eq!(state.connects(), 2);
}

/// Three sets, the second violating a unique constraint: listeners saw
/// Before x2 and After x1, the error is the IntegrityError, and the
/// connection is usable after a rollback. `create` makes `uniq (n)` with a
/// UNIQUE `n`; `insert` and `select` use the backend's placeholders.
async fn second_of_three_violates_unique(engine: &Engine, create: &str, insert: &str) {
    let mut conn = engine.connect().await.unwrap();
    conn.exec_driver_sql(create, vec![]).await.unwrap();
    conn.exec_driver_sql(insert, vec![Value::Int(2)])
        .await
        .unwrap();
    conn.commit().await.unwrap();

    let rec = Recorder::listen(engine, true);
    let template = Compiled::new(insert, vec![]);
    let err = conn
        .execute_many_compiled(&template, sets([1, 2, 3]))
        .await
        .unwrap_err();
    assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
    assert_eq!(err.sql(), Some(insert));
    let seen = rec.take();
    assert_eq!(seen, [before(1), after(1, 1), before(2)]);
    let befores = seen.iter().filter(|s| matches!(s, Seen::Before(_))).count();
    assert_eq!((befores, seen.len() - befores), (2, 1));
    assert!(!conn.is_invalidated());
    conn.rollback().await.unwrap();

    // The same connection runs the next list; every set completes.
    let results = conn
        .execute_many_compiled(&template, sets([4, 5]))
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    conn.commit().await.unwrap();
    assert_eq!(rec.take(), [before(4), after(4, 1), before(5), after(5, 1)]);
    let ns: Vec<i64> = conn
        .exec_driver_sql("SELECT n FROM uniq ORDER BY n", vec![])
        .await
        .unwrap()
        .scalars()
        .unwrap();
    assert_eq!(ns, [2, 4, 5], "the failed list was rolled back");
    conn.rollback().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_second_of_three_violates_unique() {
    let driver = SqliteDriver::from_url("sqlite://").expect("in-memory URL");
    let engine = Engine::from_driver(Arc::new(driver), EngineOptions::default()).unwrap();
    second_of_three_violates_unique(
        &engine,
        "CREATE TABLE uniq (n INTEGER NOT NULL UNIQUE)",
        "INSERT INTO uniq (n) VALUES (?)",
    )
    .await;
}

/// One connection (its TEMPORARY table is private to it), failing fast
/// with the URL when the server is unreachable.
#[cfg(any(feature = "postgres", feature = "mysql"))]
async fn live_engine(var: &str, default: &str) -> Engine {
    let url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    let engine = Engine::builder(url.as_str())
        .pool_size(1)
        .max_overflow(0)
        .build()
        .unwrap_or_else(|e| panic!("{var}={url:?}: {e}"));
    if let Err(e) = engine.connect().await {
        panic!("cannot reach the test server at {url} (set {var}): {e}");
    }
    engine
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_second_of_three_violates_unique() {
    let engine = live_engine(
        "OXALCHEMY_TEST_POSTGRES_URL",
        "postgresql://postgres@127.0.0.1:5432/test",
    )
    .await;
    second_of_three_violates_unique(
        &engine,
        "CREATE TEMPORARY TABLE uniq (n INTEGER NOT NULL UNIQUE)",
        "INSERT INTO uniq (n) VALUES ($1)",
    )
    .await;
}

#[cfg(feature = "mysql")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_second_of_three_violates_unique() {
    let engine = live_engine(
        "OXALCHEMY_TEST_MYSQL_URL",
        "mysql://root@127.0.0.1:3306/test",
    )
    .await;
    second_of_three_violates_unique(
        &engine,
        "CREATE TEMPORARY TABLE uniq (n INTEGER NOT NULL UNIQUE)",
        "INSERT INTO uniq (n) VALUES (?)",
    )
    .await;
}
