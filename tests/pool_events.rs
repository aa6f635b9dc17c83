//! Engine events, echo logging and URL errors.

#[path = "pool_common/mod.rs"]
mod common;

// The facade links the backends its features enable (their driver registrations).
use common::{mock_engine, settle, small_pool, sql};
use oxalchemy as _;
use oxalchemy_core::{Error, Value};
use oxalchemy_pool::event::{self, EngineEvent, ExecuteContext};
use oxalchemy_pool::{Engine, EngineOptions, create_engine};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn counter(engine: &Engine, ev: EngineEvent) -> Arc<AtomicUsize> {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    event::listen(engine, ev, move |_ctx: &ExecuteContext| {
        n2.fetch_add(1, Ordering::SeqCst);
    });
    n
}

#[tokio::test]
async fn execute_events_see_statements_and_outcomes() {
    let (engine, _state) = mock_engine(small_pool(1, 0));
    let seen = Arc::new(Mutex::new(Vec::<(String, Vec<Value>)>::new()));
    let s2 = seen.clone();
    event::listen(
        &engine,
        EngineEvent::BeforeExecute,
        move |ctx: &ExecuteContext| {
            assert_eq!(ctx.event(), EngineEvent::BeforeExecute);
            s2.lock()
                .unwrap()
                .push((ctx.statement().to_owned(), ctx.params().to_vec()));
        },
    );
    let after = Arc::new(Mutex::new(Vec::<(String, u64, usize, Duration)>::new()));
    let a2 = after.clone();
    event::listen(
        &engine,
        EngineEvent::AfterExecute,
        move |ctx: &ExecuteContext| {
            a2.lock().unwrap().push((
                ctx.statement().to_owned(),
                ctx.rows_affected(),
                ctx.rows_returned(),
                ctx.duration(),
            ));
        },
    );

    let mut conn = engine.connect().await.unwrap();
    conn.exec_driver_sql("SELECT ?", vec![Value::Int(3)])
        .await
        .unwrap();
    conn.execute(sql("INSERT x")).await.unwrap();
    let _ = conn.execute(sql("FAIL")).await.unwrap_err();
    conn.commit().await.unwrap();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3, "BEGIN/COMMIT are not execute events");
    assert_eq!(seen[0], ("SELECT ?".to_owned(), vec![Value::Int(3)]));
    assert_eq!(seen[1].0, "INSERT x");
    let after = after.lock().unwrap();
    assert_eq!(after.len(), 2, "no AfterExecute for a failed statement");
    assert_eq!((after[0].1, after[0].2), (0, 1));
    assert_eq!(
        (after[1].0.as_str(), after[1].1, after[1].2),
        ("INSERT x", 1, 0)
    );
}

#[tokio::test]
async fn pool_and_transaction_events() {
    let (engine, _state) = mock_engine(small_pool(2, 0));
    let connect = counter(&engine, EngineEvent::Connect);
    let checkout = counter(&engine, EngineEvent::Checkout);
    let checkin = counter(&engine, EngineEvent::Checkin);
    let tx_sql = Arc::new(Mutex::new(Vec::<String>::new()));
    for ev in [
        EngineEvent::Begin,
        EngineEvent::Commit,
        EngineEvent::Rollback,
    ] {
        let t = tx_sql.clone();
        event::listen(&engine, ev, move |ctx: &ExecuteContext| {
            t.lock()
                .unwrap()
                .push(format!("{:?}:{}", ctx.event(), ctx.statement()));
        });
    }

    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("SELECT 1")).await.unwrap();
    conn.commit().await.unwrap();
    conn.execute(sql("SELECT 1")).await.unwrap();
    conn.rollback().await.unwrap();
    drop(conn);
    let tx = engine.begin().await.unwrap();
    drop(tx); // background rollback
    settle().await;

    assert_eq!(connect.load(Ordering::SeqCst), 1);
    assert_eq!(checkout.load(Ordering::SeqCst), 2);
    assert_eq!(checkin.load(Ordering::SeqCst), 2);
    assert_eq!(
        *tx_sql.lock().unwrap(),
        [
            "Begin:BEGIN",
            "Commit:COMMIT",
            "Begin:BEGIN",
            "Rollback:ROLLBACK",
            "Begin:BEGIN",
            "Rollback:ROLLBACK"
        ]
    );
}

#[tokio::test]
async fn statement_counting_and_removal() {
    let (engine, _state) = mock_engine(small_pool(1, 0));
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let handle = event::listen(
        &engine,
        EngineEvent::BeforeExecute,
        move |_: &ExecuteContext| {
            n2.fetch_add(1, Ordering::SeqCst);
        },
    );
    assert!(event::contains(&engine, EngineEvent::BeforeExecute));
    let mut tx = engine.begin().await.unwrap();
    for _ in 0..3 {
        tx.execute(sql("SELECT 1")).await.unwrap();
    }
    assert_eq!(n.load(Ordering::SeqCst), 3);

    // A listener on another engine is not removed by this one.
    let (other, _) = mock_engine(small_pool(1, 0));
    assert!(!event::remove(&other, &handle));

    assert!(event::remove(&engine, &handle));
    assert!(!event::contains(&engine, EngineEvent::BeforeExecute));
    tx.execute(sql("SELECT 1")).await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 3);
    assert!(!handle.remove(), "already removed");

    let h2 = event::listen(&engine, EngineEvent::AfterExecute, |_: &ExecuteContext| {});
    assert_eq!(h2.event(), EngineEvent::AfterExecute);
    assert!(h2.remove());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn listener_may_register_listeners() {
    let (engine, _state) = mock_engine(small_pool(1, 0));
    let e2 = engine.clone();
    let added = Arc::new(AtomicUsize::new(0));
    let a2 = added.clone();
    event::listen(&engine, EngineEvent::Checkout, move |_: &ExecuteContext| {
        a2.fetch_add(1, Ordering::SeqCst);
        event::listen(&e2, EngineEvent::Checkin, |_: &ExecuteContext| {});
    });
    drop(engine.connect().await.unwrap());
    assert_eq!(added.load(Ordering::SeqCst), 1);
    assert!(event::contains(&engine, EngineEvent::Checkin));
}

/// Every Reset / Invalidate / Checkin / Rollback, in order, with what the context carries.
fn pool_log(engine: &Engine) -> Arc<Mutex<Vec<String>>> {
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    for ev in [
        EngineEvent::Reset,
        EngineEvent::Invalidate,
        EngineEvent::Checkin,
        EngineEvent::Rollback,
    ] {
        let l = log.clone();
        event::listen(engine, ev, move |ctx: &ExecuteContext| {
            let entry = match ctx.event() {
                EngineEvent::Reset => format!("Reset(was_reset={})", ctx.transaction_was_reset()),
                EngineEvent::Invalidate => format!("Invalidate({:?})", ctx.error()),
                other => format!("{other:?}"),
            };
            l.lock().unwrap().push(entry);
        });
    }
    log
}

fn take(log: &Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

#[tokio::test]
async fn reset_fires_for_every_return_before_the_pool_rollback() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let log = pool_log(&engine);

    // Transaction ended by the connection: no ROLLBACK from the pool.
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("SELECT 1")).await.unwrap();
    conn.commit().await.unwrap();
    drop(conn);
    assert_eq!(take(&log), ["Reset(was_reset=true)", "Checkin"]);

    // Never used: still reset.
    drop(engine.connect().await.unwrap());
    assert_eq!(take(&log), ["Reset(was_reset=true)", "Checkin"]);

    // Transaction left open: Reset, then the pool's ROLLBACK, then Checkin.
    state.clear_log();
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("INSERT x")).await.unwrap();
    drop(conn);
    settle().await;
    assert_eq!(
        take(&log),
        ["Reset(was_reset=false)", "Rollback", "Checkin"]
    );
    assert_eq!(state.sql(), ["BEGIN", "INSERT x", "ROLLBACK"]);

    // close() rolls back itself: the pool has nothing to reset.
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("INSERT x")).await.unwrap();
    conn.close().await.unwrap();
    assert_eq!(take(&log), ["Rollback", "Reset(was_reset=true)", "Checkin"]);
    assert_eq!(state.connects(), 1, "the connection was kept every time");
}

#[tokio::test]
async fn invalidate_fires_with_the_reason() {
    let (engine, state) = mock_engine(small_pool(1, 0));
    let log = pool_log(&engine);

    // Explicit: no error (SQLAlchemy passes None), and no Reset.
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("SELECT 1")).await.unwrap();
    conn.invalidate();
    assert_eq!(take(&log), ["Invalidate(None)", "Checkin"]);
    conn.rollback().await.unwrap();
    drop(conn);
    take(&log);

    // A disconnect error: the driver's message.
    let mut conn = engine.connect().await.unwrap();
    let err = conn.execute(sql("DISCONNECT")).await.unwrap_err();
    assert!(err.is_disconnect());
    let seen = take(&log);
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0].starts_with("Invalidate(Some(") && seen[0].contains("server closed the connection"),
        "{seen:?}"
    );
    assert_eq!(seen[1], "Checkin");
    drop(conn);
    assert!(take(&log).is_empty(), "already returned");

    // Broken without an error: discarded on return, no Reset.
    let mut conn = engine.connect().await.unwrap();
    conn.execute(sql("BREAK")).await.unwrap();
    conn.commit().await.unwrap();
    drop(conn);
    assert_eq!(
        take(&log),
        [
            "Invalidate(Some(\"the driver reports the connection broken\"))",
            "Checkin"
        ]
    );

    // An operation interrupted mid-way.
    let mut conn = engine.connect().await.unwrap();
    let timed_out =
        tokio::time::timeout(Duration::from_millis(20), conn.execute(sql("SLEEP"))).await;
    assert!(timed_out.is_err());
    drop(conn);
    let seen = take(&log);
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].contains("interrupted"), "{seen:?}");
    let closed_before = state.closed();
    assert!(closed_before >= 3, "invalidated connections are closed");
}

#[tokio::test]
async fn invalidate_fires_for_idle_connections_found_unusable_at_checkout() {
    let (engine, state) = mock_engine(EngineOptions {
        pool_pre_ping: true,
        ..small_pool(1, 0)
    });
    let log = pool_log(&engine);
    drop(engine.connect().await.unwrap());
    take(&log);

    state.fail_ping.store(true, Ordering::SeqCst);
    let conn = engine.connect().await.unwrap();
    state.fail_ping.store(false, Ordering::SeqCst);
    let seen = take(&log);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].contains("pool_pre_ping failed") && seen[0].contains("connection reset"),
        "{seen:?}"
    );
    drop(conn);
    take(&log);

    // Broken while idle.
    state.all_broken.store(true, Ordering::SeqCst);
    let conn = engine.connect().await;
    state.all_broken.store(false, Ordering::SeqCst);
    let seen = take(&log);
    assert_eq!(
        seen.first().map(String::as_str),
        Some("Invalidate(Some(\"the driver reports the connection broken\"))"),
        "{seen:?}"
    );
    drop(conn);
    assert_eq!(state.connects(), 3);
}

// --- echo -------------------------------------------------------------------

struct Capture(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() == oxalchemy_pool::ECHO_TARGET {
            let mut m = Message(String::new());
            event.record(&mut m);
            self.0.lock().unwrap().push(m.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn echo_logs_statements_and_parameters() {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let _guard = tracing::subscriber::set_default(Capture(lines.clone()));

    let (quiet, _) = mock_engine(small_pool(1, 0));
    let mut conn = quiet.connect().await.unwrap();
    conn.execute(sql("SELECT 1")).await.unwrap();
    conn.commit().await.unwrap();
    assert!(lines.lock().unwrap().is_empty(), "echo is off by default");

    let mut opts = small_pool(1, 0);
    opts.echo = true;
    let (engine, _) = mock_engine(opts);
    let mut conn = engine.connect().await.unwrap();
    conn.exec_driver_sql("SELECT ?", vec![Value::Int(42)])
        .await
        .unwrap();
    conn.commit().await.unwrap();
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], "BEGIN");
    assert!(lines[1].starts_with("SELECT ?"), "{lines:?}");
    assert!(lines[1].contains("42"), "{lines:?}");
    assert_eq!(lines[2], "COMMIT");
}

// --- URLs -------------------------------------------------------------------

#[test]
fn unknown_scheme_lists_the_supported_ones() {
    let err = create_engine("oracle://scott:tiger@localhost/orcl").unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
    let msg = err.to_string();
    for s in [
        "'oracle'",
        "sqlite://",
        "postgresql://",
        "mysql://",
        "mariadb://",
    ] {
        assert!(msg.contains(s), "{msg}");
    }
    assert!(!msg.contains("tiger"), "password leaked: {msg}");
}

#[test]
fn malformed_url_shows_the_forms() {
    let err = Engine::builder("localhost:5432/test").build().unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
    assert!(
        err.to_string().contains("postgresql://user:password@host"),
        "{err}"
    );
}

#[cfg(not(feature = "postgres"))]
#[test]
fn disabled_postgres_feature_is_named() {
    for url in [
        "postgresql://postgres@127.0.0.1/test",
        "postgres://x@h/db",
        "postgresql+psycopg://x@h/db",
    ] {
        let msg = create_engine(url).unwrap_err().to_string();
        assert!(msg.contains("`postgres` feature"), "{msg}");
        assert!(msg.contains("features = [\"postgres\"]"), "{msg}");
    }
}

#[cfg(not(feature = "mysql"))]
#[test]
fn disabled_mysql_feature_is_named() {
    for url in [
        "mysql://root@127.0.0.1:3306/test",
        "mariadb://root@h/db",
        "mysql+asyncmy://root@h/db",
    ] {
        let msg = create_engine(url).unwrap_err().to_string();
        assert!(msg.contains("`mysql` feature"), "{msg}");
    }
}

#[cfg(not(feature = "sqlite"))]
#[test]
fn disabled_sqlite_feature_is_named() {
    let msg = create_engine("sqlite://").unwrap_err().to_string();
    assert!(msg.contains("`sqlite` feature"), "{msg}");
}
