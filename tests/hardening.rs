//! Issue 12, points 5 to 9, on every backend: values are exact or refused,
//! protocol limits are split, errors stay readable and private, a COMMIT that
//! did not commit is an error, and `text()`'s bind scanner knows each
//! dialect's quoting.

mod common;

use common::Backend;
use oxalchemy::prelude::*;

/// `t`: id INTEGER PRIMARY KEY (not generated), v VARCHAR(50).
async fn table_t(db: &common::TestDb) -> oxalchemy::Result<Table> {
    let md = MetaData::new();
    let t = md.table("t", |t| {
        t.column("id", Integer).primary_key().autoincrement(false);
        t.column("v", Varchar(50));
    });
    md.create_all(&db.engine).await?;
    Ok(t)
}

async fn count(db: &common::TestDb) -> oxalchemy::Result<i64> {
    let mut conn = db.engine.connect().await?;
    conn.execute(text("SELECT count(*) FROM t"))
        .await?
        .one::<(i64,)>()
        .map(|(n,)| n)
}

fn row(id: i64) -> [(&'static str, Value); 2] {
    [
        ("id", Value::from(id)),
        ("v", Value::from(format!("v{id}"))),
    ]
}

backend_tests! {
    // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK; the
    // library makes that an error. SQLite and MySQL keep a transaction going
    // after a failed statement (its other work is committed, as under
    // SQLAlchemy) but refuse a COMMIT when the database itself rolled the
    // transaction back (INSERT OR ROLLBACK on SQLite, a deadlock on MySQL:
    // see `a_deadlocked_transaction_does_not_commit`).
    async fn a_commit_that_did_not_commit_is_an_error(db) {
        let t = table_t(&db).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values(row(1))).await?;
        let dup = conn.execute(insert(&t).values(row(1))).await;
        assert!(dup.is_err());
        match db.backend {
            Backend::Postgres => {
                // The caller goes on: the server refuses everything until ROLLBACK.
                assert!(conn.execute(insert(&t).values(row(2))).await.is_err());
                let e = conn.commit().await.expect_err("COMMIT of an aborted transaction");
                assert!(e.to_string().contains("nothing was committed"), "{e}");
                conn.rollback().await?;
            }
            Backend::Sqlite => {
                conn.execute(insert(&t).values(row(2))).await?;
                conn.commit().await?; // the failed INSERT undid only itself
                assert_eq!(count(&db).await?, 2);
                // INSERT OR ROLLBACK rolls the whole transaction back on a conflict.
                conn.execute(insert(&t).values(row(3))).await?;
                let e = conn
                    .execute(text("INSERT OR ROLLBACK INTO t (id, v) VALUES (1, 'x')"))
                    .await;
                assert!(e.is_err());
                conn.execute(insert(&t).values(row(4))).await?; // the caller goes on
                let e = conn.commit().await.expect_err("COMMIT after SQLite's rollback");
                assert!(e.to_string().contains("nothing was committed"), "{e}");
                // Still refused until the caller rolls back.
                assert!(conn.commit().await.is_err());
                conn.rollback().await?;
                assert_eq!(count(&db).await?, 2, "rows 3 and 4 were not committed");
                // The connection works normally afterwards.
                conn.execute(insert(&t).values(row(5))).await?;
                conn.commit().await?;
                assert_eq!(count(&db).await?, 3);
                return Ok(());
            }
            Backend::Mysql => {
                conn.execute(insert(&t).values(row(2))).await?;
                conn.commit().await?;
                assert_eq!(count(&db).await?, 2);
                return Ok(());
            }
        }
        assert_eq!(count(&db).await?, 0);
        // The same through engine.begin() and the Session.
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&t).values(row(1))).await?;
        assert!(tx.execute(insert(&t).values(row(1))).await.is_err());
        assert!(tx.commit().await.is_err());
        let mut session = Session::new(&db.engine);
        session.execute(insert(&t).values(row(1))).await?;
        assert!(session.execute(insert(&t).values(row(1))).await.is_err());
        assert!(session.commit().await.is_err());
        drop(session);
        assert_eq!(count(&db).await?, 0);
        Ok(())
    }

    // A failed statement inside a savepoint: RELEASE is refused on PostgreSQL
    // (the transaction is aborted); ROLLBACK TO recovers it on every backend.
    async fn a_savepoint_release_after_a_failure(db) {
        let t = table_t(&db).await?;
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&t).values(row(1))).await?;
        {
            let mut sp = tx.begin_nested().await?;
            assert!(sp.execute(insert(&t).values(row(1))).await.is_err());
            let released = sp.commit().await;
            assert_eq!(released.is_err(), db.backend == Backend::Postgres, "{released:?}");
        }
        if db.backend == Backend::Postgres {
            assert!(tx.commit().await.is_err());
            assert_eq!(count(&db).await?, 0);
            tx = db.engine.begin().await?;
            tx.execute(insert(&t).values(row(1))).await?;
        }
        {
            let mut sp = tx.begin_nested().await?;
            assert!(sp.execute(insert(&t).values(row(1))).await.is_err());
            sp.rollback().await?;
        }
        tx.execute(insert(&t).values(row(2))).await?;
        tx.commit().await?;
        assert_eq!(count(&db).await?, 2);
        Ok(())
    }
}

/// MySQL: a deadlock rolls the whole transaction back (InnoDB); a caller that
/// goes on and commits gets an error, and nothing of the transaction (nor
/// what ran after the deadlock) is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlocked_transaction_does_not_commit() -> oxalchemy::Result<()> {
    let Some(db) = common::TestDb::open(Backend::Mysql).await else {
        return Ok(());
    };
    let t = table_t(&db).await?;
    {
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values_many([row(1), row(2)]))
            .await?;
        conn.commit().await?;
    }
    let bump = |id: i64| update(&t).filter(t.c("id").eq(id)).values([("v", "x")]);
    let mut a = db.engine.connect().await?;
    let mut b = db.engine.connect().await?;
    a.execute(bump(1)).await?;
    b.execute(bump(2)).await?;
    // a waits for b's row 2, then b asks for a's row 1: one of them is the victim.
    let (ra, rb) = tokio::join!(a.execute(bump(2)), async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        b.execute(bump(1)).await
    });
    let (victim, survivor) = match (ra, rb) {
        (Err(e), Ok(_)) => {
            assert!(e.to_string().contains("1213"), "{e}");
            (&mut a, &mut b)
        }
        (Ok(_), Err(e)) => {
            assert!(e.to_string().contains("1213"), "{e}");
            (&mut b, &mut a)
        }
        other => panic!("expected one deadlock: {other:?}"),
    };
    survivor.rollback().await?;
    // The victim goes on as if its transaction were still there.
    victim.execute(insert(&t).values(row(3))).await?;
    let e = victim.commit().await.expect_err("COMMIT after a deadlock");
    assert!(e.to_string().contains("nothing was committed"), "{e}");
    victim.rollback().await?;
    assert_eq!(count(&db).await?, 2, "row 3 was not committed");
    let mut check = db.engine.connect().await?;
    let vs: Vec<String> = check
        .execute(text("SELECT v FROM t ORDER BY id"))
        .await?
        .scalars()?;
    assert_eq!(vs, ["v1", "v2"]);
    // The victim's connection works normally afterwards.
    victim.execute(insert(&t).values(row(4))).await?;
    victim.commit().await?;
    assert_eq!(count(&db).await?, 3);
    Ok(())
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().expect("a decimal literal")
}

fn is_data_error(r: &oxalchemy::Result<impl std::fmt::Debug>) -> bool {
    matches!(r, Err(Error::DataError { .. }))
}

backend_tests! {
    // A float reads back as it was, or the bind is refused: NaN and the
    // infinities are never turned into NULL.
    async fn nan_and_infinities_are_exact_or_refused(db) {
        let md = MetaData::new();
        let f = md.table("f", |t| {
            t.column("id", Integer).primary_key().autoincrement(false);
            t.column("x", Double);
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        for (id, x) in [(1, f64::NAN), (2, f64::INFINITY), (3, f64::NEG_INFINITY)] {
            let stored = conn
                .execute(insert(&f).values([("id", Value::from(id)), ("x", Value::from(x))]))
                .await;
            match stored {
                Ok(_) => {
                    let back: Option<f64> = conn
                        .execute(select(f.c("x")).filter(f.c("id").eq(id)))
                        .await?
                        .scalar()?
                        .flatten();
                    let back = back.unwrap_or_else(|| panic!("{x} came back as NULL"));
                    assert!(
                        back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()),
                        "{x} came back as {back}"
                    );
                }
                Err(e) => {
                    assert!(matches!(e, Error::DataError { .. }), "{x}: {e}");
                    assert!(!x.is_infinite() || db.backend != Backend::Sqlite, "{x}: {e}");
                    if db.backend == Backend::Postgres {
                        panic!("PostgreSQL holds {x} exactly: {e}");
                    }
                }
            }
        }
        // Nothing was stored as NULL.
        let nulls: Vec<i64> = conn
            .execute(select(f.c("id")).filter(f.c("x").is_null()))
            .await?
            .scalars()?;
        assert!(nulls.is_empty(), "stored as NULL: {nulls:?}");
        Ok(())
    }

    // A decimal is stored as a number the backend holds exactly, or refused.
    async fn decimals_are_exact_or_refused(db) {
        let md = MetaData::new();
        let d = md.table("d", |t| {
            t.column("id", Integer).primary_key().autoincrement(false);
            t.column("x", Numeric(38, 12));
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let fits = [(1, "0.1"), (2, "1234567890123456789"), (3, "-2.5"), (4, "123456.789")];
        for (id, s) in fits {
            conn.execute(insert(&d).values([("id", Value::from(id)), ("x", Value::from(dec(s)))]))
                .await?;
            let back: rust_decimal::Decimal = conn
                .execute(select(d.c("x")).filter(d.c("id").eq(id)))
                .await?
                .scalar()?
                .expect("a row");
            assert_eq!(back, dec(s), "{s}");
        }
        // More significant digits than a double keeps: exact on PostgreSQL and
        // MySQL; on SQLite a REAL would round it, so it is refused.
        let precise = dec("12345678901234567890.12");
        let stored = conn
            .execute(insert(&d).values([("id", Value::from(9)), ("x", Value::from(precise))]))
            .await;
        if db.backend == Backend::Sqlite {
            assert!(is_data_error(&stored), "{stored:?}");
            let e = stored.unwrap_err().to_string();
            assert!(e.contains("12345678901234567890.12"), "{e}");
        } else {
            stored?;
            let back: rust_decimal::Decimal = conn
                .execute(select(d.c("x")).filter(d.c("id").eq(9)))
                .await?
                .scalar()?
                .expect("a row");
            assert_eq!(back, precise);
        }
        Ok(())
    }
}

/// A numeric with more significant digits than `rust_decimal::Decimal` holds
/// (28-29) is a DataError on PostgreSQL and MySQL, never rounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_decimals_beyond_decimal_are_refused() -> oxalchemy::Result<()> {
    for backend in [Backend::Postgres, Backend::Mysql] {
        let Some(db) = common::TestDb::open(backend).await else {
            continue;
        };
        let mut conn = db.engine.connect().await?;
        for literal in [
            "1.2345678901234567890123456789012",
            "12345678901234567890123456789012345",
            "-0.00000000000000000000000000000001",
        ] {
            let sql = format!("SELECT CAST('{literal}' AS DECIMAL(65, 32))");
            let sql = if backend == Backend::Postgres {
                sql.replace("DECIMAL(65, 32)", "NUMERIC")
            } else {
                sql
            };
            let got = conn.execute(text(&sql)).await;
            let got = got.and_then(|r| r.scalar::<rust_decimal::Decimal>());
            assert!(
                matches!(got, Err(Error::DataError { .. })),
                "{}: {literal} gave {got:?}",
                backend.name()
            );
            conn.rollback().await?;
        }
        // 28 digits still fit, and so do zeros a wide scale pads with.
        let ok: Option<rust_decimal::Decimal> = conn
            .execute(text(
                "SELECT CAST('1.234567890123456789012345678' AS DECIMAL(30, 27))",
            ))
            .await?
            .scalar()?;
        assert_eq!(ok, Some(dec("1.234567890123456789012345678")));
        let padded: Option<rust_decimal::Decimal> = conn
            .execute(text("SELECT CAST('-1.5' AS DECIMAL(65, 32))"))
            .await?
            .scalar()?;
        assert_eq!(padded, Some(dec("-1.5")));
    }
    Ok(())
}

/// MySQL `BIGINT UNSIGNED` decodes into `u64`, exactly above `i64::MAX`, and
/// a `u64` binds exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_bigint_unsigned_is_u64() -> oxalchemy::Result<()> {
    let Some(db) = common::TestDb::open(Backend::Mysql).await else {
        return Ok(());
    };
    let mut conn = db.engine.connect().await?;
    conn.execute(text(
        "CREATE TABLE u (id INTEGER PRIMARY KEY, n BIGINT UNSIGNED)",
    ))
    .await?;
    conn.execute(text(
        "INSERT INTO u VALUES (1, 18446744073709551615), (2, 9223372036854775808), (3, 7)",
    ))
    .await?;
    conn.execute(text("INSERT INTO u VALUES (4, :n)").bind("n", u64::MAX - 1))
        .await?;
    conn.commit().await?;
    let ns: Vec<u64> = conn
        .execute(text("SELECT n FROM u ORDER BY id"))
        .await?
        .scalars()?;
    assert_eq!(ns, [u64::MAX, 1 << 63, 7, u64::MAX - 1]);
    // Also through a prepared statement (the binary protocol).
    let n: Option<u64> = conn
        .execute(text("SELECT n FROM u WHERE id = :id").bind("id", 1))
        .await?
        .scalar()?;
    assert_eq!(n, Some(u64::MAX));
    Ok(())
}

const MANY: i64 = 70_000;

backend_tests! {
    // 70 000 rows of two columns (140 000 parameters) are inserted as
    // several statements in the caller's transaction; 70 000-value in_()
    // lists of integers and of strings are sent as one parameter.
    async fn protocol_parameter_limits_are_handled(db) {
        let t = table_t(&db).await?;
        let rows: Vec<[(&str, Value); 2]> = (0..MANY).map(row).collect();
        // One transaction: rolled back, nothing of any part stays.
        let mut tx = db.engine.begin().await?;
        let r = tx.execute(insert(&t).values_many(rows.clone())).await?;
        assert_eq!(r.rows_affected(), MANY as u64);
        tx.rollback().await?;
        assert_eq!(count(&db).await?, 0);
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values_many(rows)).await?;
        conn.commit().await?;
        assert_eq!(count(&db).await?, MANY);

        let ids: Vec<i64> = (0..MANY).collect();
        let n: (i64,) = conn
            .execute(select(func::count_star()).select_from(&t).filter(t.c("id").in_(ids.clone())))
            .await?
            .one()?;
        assert_eq!(n.0, MANY);
        let odd: Vec<i64> = (0..MANY).filter(|i| i % 2 == 1).chain([MANY + 5]).collect();
        let n: (i64,) = conn
            .execute(select(func::count_star()).select_from(&t).filter(t.c("id").not_in(odd)))
            .await?
            .one()?;
        assert_eq!(n.0, MANY / 2);
        let names: Vec<String> = (0..MANY).map(|i| format!("v{i}")).chain(["it's \"q\" \\".to_owned()]).collect();
        let n: (i64,) = conn
            .execute(select(func::count_star()).select_from(&t).filter(t.c("v").in_(names)))
            .await?
            .one()?;
        assert_eq!(n.0, MANY);
        // A string with quotes and backslashes matches itself exactly.
        conn.execute(insert(&t).values([("id", Value::from(-1)), ("v", Value::from("it's \"q\" \\"))]))
            .await?;
        let tricky: Vec<String> = (0..2_000).map(|i| format!("w{i}")).chain(["it's \"q\" \\".to_owned()]).collect();
        let found: Vec<i64> = conn
            .execute(select(t.c("id")).filter(t.c("v").in_(tricky)))
            .await?
            .scalars()?;
        assert_eq!(found, [-1]);
        conn.rollback().await?;

        // RETURNING across the parts, in row order.
        {
            let md = MetaData::new();
            let g = md.table("g", |t| {
                t.column("id", Integer).primary_key();
                t.column("v", Varchar(50));
                t.column("w", Integer);
            });
            md.create_all(&db.engine).await?;
            let rows: Vec<[(&str, Value); 2]> = (0..40_000)
                .map(|i| [("v", Value::from(format!("g{i}"))), ("w", Value::from(i))])
                .collect();
            let back = conn
                .execute(insert(&g).values_many(rows).returning(g.c("w")))
                .await?;
            let ws: Vec<i64> = back.scalars()?;
            assert_eq!(ws, (0..40_000).collect::<Vec<i64>>());
            conn.commit().await?;
        }
        Ok(())
    }
}

backend_tests! {
    // The bind scanner knows each dialect's quoting; names may be non-ASCII;
    // text() takes a &String.
    async fn text_binds_follow_each_dialects_quoting(db) {
        let mut conn = db.engine.connect().await?;
        let sql: String = match db.backend {
            Backend::Postgres => "SELECT $$ :x $$ AS a, $q$ it's :y $q$ AS b, E'it\\'s :w' AS d, :größe + 1 AS c".into(),
            Backend::Mysql => "SELECT 'it\\'s :x' AS a, \"\\\" :y\" AS b, :größe + 1 AS c # :w\n".into(),
            Backend::Sqlite => "SELECT ':x' AS a, '\\' AS b, :größe + 1 AS c -- :w".into(),
        };
        let stmt = text(&sql).bind("größe", 41);
        let row = conn.execute(stmt).await?;
        let c: i64 = row.rows()[0].get("c")?;
        assert_eq!(c, 42);
        let a: String = row.rows()[0].get("a")?;
        assert!(a.contains(":x"), "{a}");
        Ok(())
    }

    // Error::message() is the database's own first line, without SQL.
    async fn error_message_is_the_databases_own(db) {
        let t = table_t(&db).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&t).values(row(1))).await?;
        let e = conn.execute(insert(&t).values(row(1))).await.unwrap_err();
        let m = e.message();
        let expected = match db.backend {
            Backend::Postgres => "duplicate key value violates unique constraint",
            Backend::Mysql => "Duplicate entry '1' for key",
            Backend::Sqlite => "UNIQUE constraint failed: t.id",
        };
        assert!(m.starts_with(expected), "{m}");
        assert!(!m.contains("INSERT") && !m.contains('\n') && !m.contains("SQLSTATE"), "{m}");
        assert!(e.to_string().contains("INSERT"), "{e}");
        Ok(())
    }
}

/// hide_parameters keeps values out of errors: oxalchemy's bind errors and
/// PostgreSQL's DETAIL line (SQLite and MySQL messages that quote a value
/// come from the server and are kept, as under SQLAlchemy).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hide_parameters_keeps_values_out_of_errors() -> oxalchemy::Result<()> {
    let Some(db) = common::TestDb::open(Backend::Postgres).await else {
        return Ok(());
    };
    let t = table_t(&db).await?;
    for hide in [false, true] {
        let engine = Engine::builder(db.url()).hide_parameters(hide).build()?;
        let mut conn = engine.connect().await?;
        // The server infers int4 for the parameter: oxalchemy refuses the text.
        let e = conn
            .execute(text("SELECT :x + 1").bind("x", "hunter2-secret"))
            .await
            .unwrap_err();
        assert_eq!(e.to_string().contains("hunter2"), !hide, "{e}");
        conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS t_v ON t (v)"))
            .await?;
        conn.execute(
            insert(&t).values([("id", Value::from(1)), ("v", Value::from("hunter2-secret"))]),
        )
        .await?;
        let e = conn
            .execute(
                insert(&t).values([("id", Value::from(2)), ("v", Value::from("hunter2-secret"))]),
            )
            .await
            .unwrap_err();
        assert_eq!(e.to_string().contains("hunter2"), !hide, "{e}");
        assert!(e.to_string().contains("duplicate key"), "{e}");
        conn.rollback().await?;
        // Several parameter sets: the failing set's values are hidden too.
        conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS t_v ON t (v)"))
            .await?;
        let template =
            oxalchemy::core::Compiled::new("INSERT INTO t (id, v) VALUES ($1, $2)", vec![]);
        let e = conn
            .execute_many_compiled(
                &template,
                vec![
                    vec![Value::from(3), Value::from("hunter2-secret")],
                    vec![Value::from(4), Value::from("hunter2-secret")],
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(e.to_string().contains("hunter2"), !hide, "{e}");
        conn.rollback().await?;
        engine.dispose().await;
    }
    Ok(())
}
