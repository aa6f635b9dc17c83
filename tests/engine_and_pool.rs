//! Engine, connections, transactions, savepoints, pool behaviour and engine
//! events, on every backend.

mod common;

use common::{Backend, TestDb};
use oxalchemy::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn items(md: &MetaData) -> Table {
    md.table("items", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(40)).not_null();
    })
}

async fn count(engine: &Engine, t: &Table) -> oxalchemy::Result<i64> {
    let mut conn = engine.connect().await?;
    let n: Vec<i64> = conn
        .execute(select(func::count_star()).select_from(t))
        .await?
        .scalars()?;
    conn.rollback().await?;
    Ok(n[0])
}

/// SQL that keeps the server busy for a while (to drop a future mid-statement).
fn slow_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "SELECT pg_sleep(3)",
        Backend::Mysql => "SELECT SLEEP(3)",
        Backend::Sqlite => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) FROM c"
        }
    }
}

/// The server-side id of the connection (`None` on SQLite).
async fn backend_pid(backend: Backend, conn: &mut Connection) -> oxalchemy::Result<Option<i64>> {
    let sql = match backend {
        Backend::Postgres => "SELECT pg_backend_pid()",
        Backend::Mysql => "SELECT CONNECTION_ID()",
        Backend::Sqlite => return Ok(None),
    };
    let v: Vec<i64> = conn.execute(text(sql)).await?.scalars()?;
    Ok(Some(v[0]))
}

async fn kill(backend: Backend, engine: &Engine, pid: i64) -> oxalchemy::Result<()> {
    let mut conn = engine.connect().await?;
    match backend {
        Backend::Postgres => {
            conn.execute(text("SELECT pg_terminate_backend(:pid)").bind("pid", pid))
                .await?;
        }
        Backend::Mysql => {
            conn.execute(text(format!("KILL {pid}"))).await?;
        }
        Backend::Sqlite => {}
    }
    conn.commit().await?;
    // Give the server a moment to close the socket.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}

backend_tests! {
    async fn commit_as_you_go_and_rollback_on_drop(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values([("name", "kept")])).await?;
        assert!(conn.in_transaction());
        conn.commit().await?;
        assert!(!conn.in_transaction());
        conn.execute(insert(&t).values([("name", "also kept")])).await?;
        conn.commit().await?;
        conn.execute(insert(&t).values([("name", "rolled back")])).await?;
        conn.rollback().await?;
        conn.execute(insert(&t).values([("name", "dropped")])).await?;
        drop(conn);
        assert_eq!(count(&db.engine, &t).await?, 2);
        Ok(())
    }

    async fn begin_once_commit_and_drop(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&t).values([("name", "a")])).await?;
        tx.commit().await?;
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&t).values([("name", "b")])).await?;
        drop(tx); // no commit: rolled back
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&t).values([("name", "c")])).await?;
        tx.rollback().await?;
        assert_eq!(count(&db.engine, &t).await?, 1);
        // The connection that was dropped mid-transaction came back clean.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(db.engine.pool_status().checked_out, 0);
        Ok(())
    }

    async fn savepoints(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&t).values([("name", "outer")])).await?;
        {
            let mut sp = tx.begin_nested().await?;
            sp.execute(insert(&t).values([("name", "inner rolled back")])).await?;
            sp.rollback().await?;
        }
        {
            let mut sp = tx.begin_nested().await?;
            sp.execute(insert(&t).values([("name", "inner kept")])).await?;
            {
                let mut sp2 = sp.begin_nested().await?;
                sp2.execute(insert(&t).values([("name", "innermost rolled back")])).await?;
                sp2.rollback().await?;
            }
            sp.commit().await?;
        }
        // A savepoint rollback after an error keeps the transaction usable.
        {
            let mut sp = tx.begin_nested().await?;
            let err = sp.execute(text("SELECT * FROM no_such_table")).await.unwrap_err();
            assert!(matches!(err, Error::ProgrammingError { .. }), "{err}");
            sp.rollback().await?;
        }
        tx.execute(insert(&t).values([("name", "after error")])).await?;
        tx.commit().await?;
        let mut conn = db.engine.connect().await?;
        let names: Vec<String> = conn.execute(select(t.c("name")).order_by(t.c("id"))).await?.scalars()?;
        assert_eq!(names, ["outer", "inner kept", "after error"]);
        Ok(())
    }

    async fn future_dropped_mid_transaction_never_leaks_a_dirty_connection(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let engine = db.engine.clone();
        let table = t.clone();
        let backend = db.backend;
        let work = async move {
            let mut tx = engine.begin().await?;
            tx.execute(insert(&table).values([("name", "never committed")])).await?;
            tx.execute(text(slow_sql(backend))).await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        };
        let timed_out = tokio::time::timeout(Duration::from_millis(300), work).await;
        assert!(timed_out.is_err(), "the slow statement finished before the timeout");
        // The connection was discarded or rolled back: the row is not visible,
        // and the pool hands out working connections.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(count(&db.engine, &t).await?, 0);
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values([("name", "works")])).await?;
        conn.commit().await?;
        drop(conn);
        assert_eq!(count(&db.engine, &t).await?, 1);
        Ok(())
    }

    async fn pool_timeout_is_an_error_not_a_hang(db) {
        let engine = Engine::builder(db.url())
            .pool_size(1)
            .max_overflow(0)
            .pool_timeout(Duration::from_millis(100))
            .build()?;
        let mut first = engine.connect().await?;
        first.execute(text("SELECT 1")).await?;
        let started = std::time::Instant::now();
        let err = match engine.connect().await {
            Err(e) => e,
            Ok(_) => panic!("a second checkout from a pool of one should time out"),
        };
        assert!(matches!(err, Error::PoolTimeout { .. }), "{err}");
        assert!(err.to_string().contains("pool_size 1"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(first);
        let mut again = engine.connect().await?;
        again.execute(text("SELECT 1")).await?;
        Ok(())
    }

    async fn pool_overflow_connections_are_closed_when_returned(db) {
        let engine = Engine::builder(db.url())
            .pool_size(2)
            .max_overflow(1)
            .pool_timeout(Duration::from_millis(200))
            .build()?;
        let mut conns = Vec::new();
        for _ in 0..3 {
            let mut c = engine.connect().await?;
            c.execute(text("SELECT 1")).await?;
            conns.push(c);
        }
        let status = engine.pool_status();
        assert_eq!((status.size, status.checked_out, status.overflow), (3, 3, 1), "{status:?}");
        assert!(matches!(engine.connect().await, Err(Error::PoolTimeout { .. })));
        drop(conns);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let status = engine.pool_status();
        assert_eq!((status.size, status.checked_out, status.idle, status.overflow), (2, 0, 2, 0), "{status:?}");
        engine.dispose().await;
        assert_eq!(engine.pool_status().size, 0);
        Ok(())
    }

    async fn statement_count_through_events(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let before = Arc::new(AtomicUsize::new(0));
        let after_rows = Arc::new(AtomicUsize::new(0));
        let statements = Arc::new(parking_lot_free::Log::default());
        let (b, a, log) = (before.clone(), after_rows.clone(), statements.clone());
        let h1 = event::listen(&db.engine, EngineEvent::BeforeExecute, move |ctx: &ExecuteContext| {
            b.fetch_add(1, Ordering::SeqCst);
            log.push(ctx.statement().to_owned(), ctx.params().len());
        });
        let h2 = event::listen(&db.engine, EngineEvent::AfterExecute, move |ctx: &ExecuteContext| {
            // rows_affected is defined for INSERT/UPDATE/DELETE (as SQLAlchemy's rowcount).
            if !ctx.statement().starts_with("SELECT") {
                a.fetch_add(ctx.rows_affected() as usize, Ordering::SeqCst);
            }
            assert!(ctx.duration() < Duration::from_secs(60));
        });
        let commits = Arc::new(AtomicUsize::new(0));
        let c = commits.clone();
        let h3 = event::listen(&db.engine, EngineEvent::Commit, move |_ctx: &ExecuteContext| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values_many([[("name", "a")], [("name", "b")]])).await?;
        conn.execute(update(&t).set("name", "c")).await?;
        conn.execute(select(t.c("name"))).await?;
        conn.commit().await?;
        assert_eq!(before.load(Ordering::SeqCst), 3);
        assert_eq!(after_rows.load(Ordering::SeqCst), 4);
        assert_eq!(commits.load(Ordering::SeqCst), 1);
        let log = statements.take();
        assert!(log[0].0.starts_with("INSERT INTO"), "{log:?}");
        assert_eq!(log[0].1, 2);
        h1.remove();
        h2.remove();
        h3.remove();
        conn.execute(select(t.c("name"))).await?;
        assert_eq!(before.load(Ordering::SeqCst), 3);
        Ok(())
    }

    async fn execute_many_returns_each_rows_result_in_order(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let befores = Arc::new(AtomicUsize::new(0));
        let b = befores.clone();
        let h = event::listen(&db.engine, EngineEvent::BeforeExecute, move |_ctx: &ExecuteContext| {
            b.fetch_add(1, Ordering::SeqCst);
        });
        let template = db
            .engine
            .compile(&insert(&t).values([("name", "x")]).returning((t.c("id"), t.c("name"))))?;
        let mut conn = db.engine.connect().await?;
        let sets: Vec<Vec<Value>> = ["a", "b", "c"].iter().map(|n| vec![Value::from(*n)]).collect();
        let results = conn.execute_many_compiled(&template, sets).await?;
        assert_eq!(befores.load(Ordering::SeqCst), 3);
        h.remove();
        let rows: Vec<(i64, String)> = results
            .iter()
            .map(|r| r.one::<(i64, String)>())
            .collect::<oxalchemy::Result<_>>()?;
        assert_eq!(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "{rows:?}");
        conn.commit().await?;
        assert_eq!(count(&db.engine, &t).await?, 3);

        // Without RETURNING: each result counts its row.
        let plain = db.engine.compile(&insert(&t).values([("name", "x")]))?;
        let results = conn
            .execute_many_compiled(&plain, vec![vec![Value::from("d")], vec![Value::from("e")]])
            .await?;
        assert_eq!(results.iter().map(|r| r.rows_affected()).collect::<Vec<_>>(), [1, 1]);

        // The first failing set stops the run with the database's error
        // (NOT NULL), and the transaction can be rolled back as usual.
        let err = conn
            .execute_many_compiled(&plain, vec![vec![Value::from("f")], vec![Value::Null], vec![Value::from("g")]])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::IntegrityError { .. }), "{err:?}");
        conn.rollback().await?;
        drop(conn);
        assert_eq!(count(&db.engine, &t).await?, 3);
        Ok(())
    }

    async fn connection_events(db) {
        let seen = Arc::new(parking_lot_free::Log::default());
        for ev in [EngineEvent::Connect, EngineEvent::Checkout, EngineEvent::Checkin, EngineEvent::Begin, EngineEvent::Rollback] {
            let s = seen.clone();
            event::listen(&db.engine, ev, move |ctx: &ExecuteContext| s.push(format!("{:?}", ctx.event()), 0));
        }
        let mut conn = db.engine.connect().await?;
        conn.execute(text("SELECT 1")).await?;
        conn.rollback().await?;
        drop(conn);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let names: Vec<String> = seen.take().into_iter().map(|e| e.0).collect();
        for expected in ["Connect", "Checkout", "Begin", "Rollback", "Checkin"] {
            assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
        }
        Ok(())
    }

    async fn killed_connection_is_discarded(db) {
        if db.backend == Backend::Sqlite {
            return Ok(()); // an embedded database has no server-side connection to kill
        }
        let engine = Engine::builder(db.url()).pool_size(2).max_overflow(0).build()?;
        let mut victim = engine.connect().await?;
        let pid = backend_pid(db.backend, &mut victim).await?.expect("server pid");
        victim.commit().await?;
        kill(db.backend, &db.engine, pid).await?;
        let err = victim.execute(text("SELECT 1")).await.unwrap_err();
        assert!(err.is_disconnect(), "expected a disconnect error, got {err}");
        drop(victim);
        // The dead connection is never handed out again: every checkout works.
        for _ in 0..4 {
            let mut c = engine.connect().await?;
            let other = backend_pid(db.backend, &mut c).await?.expect("pid");
            assert_ne!(other, pid);
            c.commit().await?;
        }
        Ok(())
    }

    async fn pre_ping_replaces_a_dead_idle_connection(db) {
        if db.backend == Backend::Sqlite {
            return Ok(());
        }
        let engine = Engine::builder(db.url()).pool_size(1).max_overflow(0).pool_pre_ping(true).build()?;
        let mut c = engine.connect().await?;
        let pid = backend_pid(db.backend, &mut c).await?.expect("pid");
        c.commit().await?;
        drop(c);
        kill(db.backend, &db.engine, pid).await?;
        let mut c = engine.connect().await?;
        let fresh = backend_pid(db.backend, &mut c).await?.expect("pid");
        assert_ne!(fresh, pid);
        Ok(())
    }

    async fn recycle_replaces_old_connections(db) {
        if db.backend == Backend::Sqlite {
            return Ok(());
        }
        let engine = Engine::builder(db.url()).pool_size(1).max_overflow(0).pool_recycle(Duration::from_millis(100)).build()?;
        let mut c = engine.connect().await?;
        let pid = backend_pid(db.backend, &mut c).await?.expect("pid");
        c.commit().await?;
        drop(c);
        tokio::time::sleep(Duration::from_millis(250)).await;
        let mut c = engine.connect().await?;
        let fresh = backend_pid(db.backend, &mut c).await?.expect("pid");
        assert_ne!(fresh, pid, "a connection older than pool_recycle was reused");
        Ok(())
    }

    async fn sixty_four_tasks_through_a_pool_of_sixteen(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let engine = Engine::builder(db.url())
            .pool_size(8)
            .max_overflow(8)
            .pool_timeout(Duration::from_secs(60))
            .build()?;
        let max_size = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for task in 0..64 {
            let engine = engine.clone();
            let t = t.clone();
            let max_size = max_size.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..100 {
                    let mut conn = engine.connect().await?;
                    max_size.fetch_max(engine.pool_status().size, Ordering::SeqCst);
                    if i % 25 == 0 {
                        conn.execute(insert(&t).values([("name", format!("t{task}-{i}"))])).await?;
                        conn.commit().await?;
                    } else {
                        let n: Vec<i64> = conn.execute(select(func::count_star()).select_from(&t)).await?.scalars()?;
                        assert!(n[0] >= 0);
                    }
                }
                Ok::<_, Error>(())
            }));
        }
        for task in tasks {
            task.await.expect("task panicked")?;
        }
        assert!(max_size.load(Ordering::SeqCst) <= 16, "pool grew past 16: {}", max_size.load(Ordering::SeqCst));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let status = engine.pool_status();
        assert_eq!(status.checked_out, 0, "{status:?}");
        assert!(status.size <= 8 && status.idle == status.size && status.overflow == 0, "{status:?}");
        assert_eq!(count(&engine, &t).await?, 64 * 4);
        Ok(())
    }

    async fn create_all_skips_existing_and_drop_all_skips_missing(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        md.create_all(&db.engine).await?; // exists: skipped
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values([("name", "survives")])).await?;
        conn.commit().await?;
        drop(conn);
        md.create_all(&db.engine).await?;
        assert_eq!(count(&db.engine, &t).await?, 1);
        md.drop_all(&db.engine).await?;
        md.drop_all(&db.engine).await?; // gone: skipped
        let mut conn = db.engine.connect().await?;
        assert!(conn.execute(select(t.c("id"))).await.is_err());
        Ok(())
    }
}

#[tokio::test]
async fn an_unselected_backend_is_reported_not_silently_passed() {
    // The harness prints why a backend did not run; with the default
    // OXALCHEMY_TEST_BACKENDS every backend is selected.
    if std::env::var("OXALCHEMY_TEST_BACKENDS").is_err() {
        assert!(
            Backend::Sqlite.selected() && Backend::Postgres.selected() && Backend::Mysql.selected()
        );
    }
    let _ = TestDb::open(Backend::Sqlite).await;
}

/// A tiny thread-safe log for listeners (std only).
mod parking_lot_free {
    use std::sync::Mutex;

    #[derive(Default, Debug)]
    pub struct Log(Mutex<Vec<(String, usize)>>);

    impl Log {
        pub fn push(&self, s: String, n: usize) {
            self.0.lock().unwrap().push((s, n));
        }
        pub fn take(&self) -> Vec<(String, usize)> {
            std::mem::take(&mut *self.0.lock().unwrap())
        }
    }
}
