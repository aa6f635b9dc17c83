//! The pool's `Reset` and `Invalidate` engine events on live databases: a
//! connection returned with and without an open transaction, an explicit
//! `invalidate()`, and (PostgreSQL, MySQL) a connection the server kills
//! under us. The mock-driver tests (tests/pool_events.rs) cover the other
//! reasons (interrupted operations, pre-ping, broken while idle).

mod common;

use common::Backend;
use oxalchemy::prelude::*;
use std::sync::{Arc, Mutex};

/// Every Reset / Invalidate / Checkin of `engine`, in order, with what the context carries.
fn pool_log(engine: &Engine) -> Arc<Mutex<Vec<String>>> {
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    for ev in [
        EngineEvent::Reset,
        EngineEvent::Invalidate,
        EngineEvent::Checkin,
    ] {
        let l = log.clone();
        event::listen(engine, ev, move |ctx: &ExecuteContext| {
            let entry = match ctx.event() {
                EngineEvent::Reset => format!("Reset({})", ctx.transaction_was_reset()),
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

/// Let the background rollback of a dropped connection finish.
async fn settle(log: &Mutex<Vec<String>>, entries: usize) {
    for _ in 0..200 {
        if log.lock().unwrap().len() >= entries {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

backend_tests! {
    async fn reset_fires_on_every_return(db) {
        let engine = create_engine(db.url())?;
        let log = pool_log(&engine);

        let mut conn = engine.connect().await?;
        conn.execute(text("SELECT 1")).await?;
        conn.commit().await?;
        drop(conn);
        assert_eq!(take(&log), ["Reset(true)", "Checkin"]);

        // A transaction left open: the pool rolls it back after Reset.
        let mut conn = engine.connect().await?;
        conn.execute(text("SELECT 1")).await?;
        drop(conn);
        settle(&log, 2).await;
        assert_eq!(take(&log), ["Reset(false)", "Checkin"]);

        // The connection is still good: it is reused and works.
        let mut conn = engine.connect().await?;
        conn.execute(text("SELECT 1")).await?;
        conn.close().await?;
        assert_eq!(engine.pool_status().size, 1);
        engine.dispose().await;
        Ok(())
    }

    async fn invalidate_fires_for_explicit_and_lost_connections(db) {
        let engine = create_engine(db.url())?;
        let log = pool_log(&engine);

        let mut conn = engine.connect().await?;
        conn.execute(text("SELECT 1")).await?;
        conn.invalidate();
        assert_eq!(take(&log), ["Invalidate(None)", "Checkin"]);
        conn.rollback().await?;
        conn.execute(text("SELECT 1")).await?;
        conn.commit().await?;
        drop(conn);
        take(&log);

        // The server ends the connection: Invalidate carries the error.
        let kill = match db.backend {
            Backend::Postgres => "SELECT pg_terminate_backend(pg_backend_pid())",
            Backend::Mysql => "KILL CONNECTION_ID()",
            // SQLite has no server to end the connection: tests/pool_events.rs
            // covers disconnect errors with the mock driver.
            Backend::Sqlite => return Ok(()),
        };
        let mut conn = engine.connect().await?;
        let mut failure = conn.execute(text(kill)).await.err();
        if failure.is_none() {
            failure = conn.execute(text("SELECT 1")).await.err();
        }
        let err = failure.expect("a killed connection fails");
        assert!(err.is_disconnect(), "{err}");
        assert!(conn.is_invalidated());
        let seen = take(&log);
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(seen[0].starts_with("Invalidate(Some("), "{seen:?}");
        let first_line = err.to_string();
        let first_line = first_line.lines().next().unwrap_or_default();
        assert!(seen[0].contains(&first_line[..first_line.len().min(20)]), "{seen:?} vs {err}");
        assert_eq!(seen[1], "Checkin");

        // After acknowledging the lost transaction, a fresh connection works.
        conn.rollback().await?;
        conn.execute(text("SELECT 1")).await?;
        conn.commit().await?;
        drop(conn);
        engine.dispose().await;
        Ok(())
    }
}
