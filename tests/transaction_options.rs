//! Transactions begun with options (`begin_with`: an isolation level, read
//! only) and transaction control written as text, on every backend.

mod common;

use common::Backend;
use oxalchemy::core::{IsolationLevel, TxOptions};
use oxalchemy::prelude::*;

fn items(md: &MetaData) -> Table {
    md.table("items", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(40)).not_null();
    })
}

async fn count(engine: &Engine, t: &Table) -> oxalchemy::Result<i64> {
    let mut tx = engine.begin().await?;
    let n = count_in(&mut tx, t).await?;
    tx.rollback().await?;
    Ok(n)
}

async fn count_in(tx: &mut Transaction, t: &Table) -> oxalchemy::Result<i64> {
    let n: Vec<i64> = tx
        .execute(select(func::count_star()).select_from(t))
        .await?
        .scalars()?;
    Ok(n[0])
}

/// Insert a row from another connection and commit it.
async fn insert_elsewhere(engine: &Engine, t: &Table, name: &str) -> oxalchemy::Result<()> {
    let mut other = engine.connect().await?;
    other.execute(insert(t).values([("name", name)])).await?;
    other.commit().await
}

async fn show(conn: &mut Transaction, setting: &str) -> oxalchemy::Result<String> {
    let shown: Vec<String> = conn
        .exec_driver_sql(&format!("SHOW {setting}"), vec![])
        .await?
        .scalars()?;
    Ok(shown[0].clone())
}

backend_tests! {
    async fn a_read_only_transaction_refuses_writes(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let mut tx = db.engine.begin_with(TxOptions::default().read_only(true)).await?;
        let n: Vec<i64> = tx
            .execute(select(func::count_star()).select_from(&t))
            .await?
            .scalars()?;
        assert_eq!(n, [0]);
        let e = tx
            .execute(insert(&t).values([("name", "refused")]))
            .await
            .expect_err("a write in a read-only transaction");
        assert!(
            e.to_string().to_ascii_lowercase().contains("read"),
            "{}: {e}",
            db.backend.name()
        );
        tx.rollback().await?;
        // Read only ended with its transaction: the next one writes.
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&t).values([("name", "kept")])).await?;
        tx.commit().await?;
        assert_eq!(count(&db.engine, &t).await?, 1);
        Ok(())
    }

    async fn the_isolation_level_takes_effect(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let level = |l| TxOptions::default().isolation(l);
        match db.backend {
            Backend::Sqlite => {
                // Every SQLite transaction is SERIALIZABLE: that level begins at
                // once (the reads form one snapshot); the others are refused by name.
                let mut tx = db.engine.begin_with(level(IsolationLevel::Serializable)).await?;
                assert_eq!(count_in(&mut tx, &t).await?, 0);
                tx.execute(insert(&t).values([("name", "a")])).await?;
                tx.commit().await?;
                assert_eq!(count(&db.engine, &t).await?, 1);
                for refused in [
                    IsolationLevel::ReadUncommitted,
                    IsolationLevel::ReadCommitted,
                    IsolationLevel::RepeatableRead,
                ] {
                    let e = db
                        .engine
                        .begin_with(level(refused))
                        .await
                        .expect_err("a level SQLite does not have");
                    let message = e.to_string();
                    assert!(
                        message.contains("sqlite") && message.contains(refused.as_sql()),
                        "{message}"
                    );
                }
                // The refused begin left nothing open.
                tokio::time::sleep(Duration::from_millis(50)).await;
                assert_eq!(db.engine.pool_status().checked_out, 0);
            }
            Backend::Postgres => {
                for (l, shown) in [
                    (IsolationLevel::Serializable, "serializable"),
                    (IsolationLevel::RepeatableRead, "repeatable read"),
                    (IsolationLevel::ReadCommitted, "read committed"),
                ] {
                    let read_only = l == IsolationLevel::Serializable;
                    let mut tx = db.engine.begin_with(level(l).read_only(read_only)).await?;
                    assert_eq!(show(&mut tx, "transaction_isolation").await?, shown);
                    assert_eq!(
                        show(&mut tx, "transaction_read_only").await?,
                        if read_only { "on" } else { "off" }
                    );
                    tx.commit().await?;
                }
                let mut tx = db.engine.begin().await?;
                assert_eq!(show(&mut tx, "transaction_isolation").await?, "read committed");
                assert_eq!(show(&mut tx, "transaction_read_only").await?, "off");
                tx.rollback().await?;
            }
            Backend::Mysql => {
                // READ COMMITTED: a row another connection commits meanwhile is
                // seen by the second read.
                let mut tx = db.engine.begin_with(level(IsolationLevel::ReadCommitted)).await?;
                assert_eq!(count_in(&mut tx, &t).await?, 0);
                insert_elsewhere(&db.engine, &t, "a").await?;
                assert_eq!(count_in(&mut tx, &t).await?, 1);
                tx.commit().await?;
                // The level was for that transaction only: the next one is
                // REPEATABLE READ (the server's default), a snapshot.
                let mut tx = db.engine.begin().await?;
                assert_eq!(count_in(&mut tx, &t).await?, 1);
                insert_elsewhere(&db.engine, &t, "b").await?;
                assert_eq!(count_in(&mut tx, &t).await?, 1);
                tx.commit().await?;
                // And REPEATABLE READ asked for explicitly is a snapshot too.
                let mut tx = db.engine.begin_with(level(IsolationLevel::RepeatableRead)).await?;
                assert_eq!(count_in(&mut tx, &t).await?, 2);
                insert_elsewhere(&db.engine, &t, "c").await?;
                assert_eq!(count_in(&mut tx, &t).await?, 2);
                tx.commit().await?;
            }
        }
        Ok(())
    }

    async fn transaction_control_written_as_text_runs_as_written(db) {
        let md = MetaData::new();
        let t = items(&md);
        md.create_all(&db.engine).await?;
        let recorder = common::Statements::listen(&db.engine);
        // A savepoint written as text works inside the connection's transaction.
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values([("name", "kept")])).await?;
        conn.exec_driver_sql("SAVEPOINT by_hand", vec![]).await?;
        conn.execute(insert(&t).values([("name", "undone")])).await?;
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT by_hand", vec![]).await?;
        conn.commit().await?;
        assert_eq!(count(&db.engine, &t).await?, 1);
        let seen = recorder.take();
        assert!(seen.iter().any(|s| s == "SAVEPOINT by_hand"), "{seen:?}");
        assert!(seen.iter().any(|s| s == "ROLLBACK TO SAVEPOINT by_hand"), "{seen:?}");
        if db.backend == Backend::Sqlite {
            // BEGIN IMMEDIATE (the write lock at once) replaces the deferred BEGIN.
            conn.exec_driver_sql("BEGIN IMMEDIATE", vec![]).await?;
            conn.execute(insert(&t).values([("name", "immediate")])).await?;
            conn.commit().await?;
            assert_eq!(count(&db.engine, &t).await?, 2);
            // A second BEGIN inside the transaction is SQLite's error, as before.
            conn.execute(insert(&t).values([("name", "x")])).await?;
            let e = conn
                .exec_driver_sql("BEGIN", vec![])
                .await
                .expect_err("BEGIN within a transaction");
            assert!(e.to_string().contains("within a transaction"), "{e}");
            conn.rollback().await?;
            assert_eq!(count(&db.engine, &t).await?, 2);
        }
        Ok(())
    }

    async fn a_savepoint_name_that_is_not_an_identifier_never_reaches_the_database(db) {
        let mut conn = db.engine.driver().connect().await?;
        conn.begin(TxOptions::default()).await?;
        let bad = "sp; DROP TABLE items";
        for err in [
            conn.savepoint(bad).await.unwrap_err(),
            conn.release_savepoint(bad).await.unwrap_err(),
            conn.rollback_to_savepoint(bad).await.unwrap_err(),
        ] {
            assert!(matches!(err, oxalchemy::Error::ArgumentError(_)), "{err}");
            assert!(err.to_string().contains("not a plain identifier"), "{err}");
        }
        // The connection still works, with a proper name.
        conn.savepoint("sp_1").await?;
        conn.rollback_to_savepoint("sp_1").await?;
        conn.release_savepoint("sp_1").await?;
        conn.rollback().await?;
        conn.close().await;
        Ok(())
    }
}
