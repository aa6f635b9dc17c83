//! Values and binds: each statement runs on every backend and its returned
//! values are checked against what SQLAlchemy 2.1 returns for the same
//! statement on the same database (psycopg2, pymysql, sqlite3).

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use common::Backend;
use oxalchemy::core::Node;
use oxalchemy::prelude::*;
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().expect("a decimal literal")
}

/// A bound value as an expression (what SQLAlchemy's `literal()` is).
fn lit(v: impl Into<Value>) -> Expr {
    Expr::new(Node::Param(v.into()))
}

/// `nums`: id, n INTEGER, amount NUMERIC(10, 2), other NUMERIC(10, 2), with
/// rows (1, 30, 1.25, NULL) and (2, -5, NULL, 2.50).
async fn nums(db: &common::TestDb) -> oxalchemy::Result<Table> {
    let md = MetaData::new();
    let nums = md.table("nums", |t| {
        t.column("id", Integer).primary_key().autoincrement(false);
        t.column("n", Integer);
        t.column("amount", Numeric(10, 2));
        t.column("other", Numeric(10, 2));
    });
    md.create_all(&db.engine).await?;
    let mut conn = db.engine.connect().await?;
    conn.execute(insert(&nums).values_many([
        [
            ("id", Value::from(1)),
            ("n", Value::from(30)),
            ("amount", Value::from(dec("1.25"))),
            ("other", Value::Null),
        ],
        [
            ("id", Value::from(2)),
            ("n", Value::from(-5)),
            ("amount", Value::Null),
            ("other", Value::from(dec("2.50"))),
        ],
    ]))
    .await?;
    conn.commit().await?;
    Ok(nums)
}

backend_tests! {
    // SQLAlchemy: `n == 30.4` matches nothing, `n * 1.5` is 45.0 and
    // `n + 0.5` is 30.5 for n = 30 (PostgreSQL used to round the float to 30).
    async fn a_float_operand_of_an_integer_column_is_not_rounded(db) {
        let nums = nums(&db).await?;
        let mut conn = db.engine.connect().await?;
        let ids: Vec<i64> = conn
            .execute(select(nums.c("id")).filter(nums.c("n").eq(30.4)))
            .await?
            .scalars()?;
        assert!(ids.is_empty(), "30 = 30.4 matched {ids:?}");
        let ids: Vec<i64> = conn
            .execute(select(nums.c("id")).filter(nums.c("n").lt(30.4)).order_by(nums.c("id")))
            .await?
            .scalars()?;
        assert_eq!(ids, [1, 2]);
        let (product, sum): (f64, f64) = conn
            .execute(
                select((nums.c("n").mul(1.5), nums.c("n").add(0.5)))
                    .filter(nums.c("id").eq(1)),
            )
            .await?
            .one()?;
        assert_eq!((product, sum), (45.0, 30.5));
        Ok(())
    }

    // SQLAlchemy: `case((n > 0, 1), else_=0)` is 1 and 0 as integers, its sum
    // is 1, and `literal(1) + literal(2)` is 3 (PostgreSQL used to return the
    // CASE as text, fail on `sum(text)` and call `$1 + $2` ambiguous).
    async fn literals_in_case_sums_and_arithmetic_keep_their_types(db) {
        let nums = nums(&db).await?;
        let mut conn = db.engine.connect().await?;
        let positive = || case([(nums.c("n").gt(0), 1)]).else_(0);
        let flags: Vec<Value> = conn
            .execute(select(positive()).order_by(nums.c("id")))
            .await?
            .scalars()?;
        assert_eq!(flags, [Value::Int(1), Value::Int(0)]);
        let (total,): (i64,) = conn.execute(select(func::sum(positive()))).await?.one()?;
        assert_eq!(total, 1);
        let (three,): (Value,) = conn.execute(select(lit(1).add(lit(2)))).await?.one()?;
        assert_eq!(three, Value::Int(3));
        let (mixed,): (f64,) = conn.execute(select(lit(1.5).add(lit(2)))).await?.one()?;
        assert_eq!(mixed, 3.5);
        Ok(())
    }
}

backend_tests! {
    // SQLAlchemy on SQLite: `other * 1 > Decimal("1.5")` matches row 2 and
    // `HAVING sum(other) > Decimal("1.5")` keeps it (a Decimal bound as TEXT
    // used to be greater than every number: neither matched on SQLite).
    async fn a_decimal_compares_as_a_number_with_expressions(db) {
        let nums = nums(&db).await?;
        let mut conn = db.engine.connect().await?;
        let ids: Vec<i64> = conn
            .execute(select(nums.c("id")).filter(nums.c("other").mul(1).gt(dec("1.5"))))
            .await?
            .scalars()?;
        assert_eq!(ids, [2]);
        let ids: Vec<i64> = conn
            .execute(select(nums.c("id")).filter(nums.c("amount").mul(1).lt(dec("1.5"))))
            .await?
            .scalars()?;
        assert_eq!(ids, [1]);
        let ids: Vec<i64> = conn
            .execute(
                select(nums.c("id"))
                    .group_by(nums.c("id"))
                    .having(func::sum(nums.c("other")).gt(dec("1.5"))),
            )
            .await?
            .scalars()?;
        assert_eq!(ids, [2]);
        Ok(())
    }

    // Rows written the way SQLAlchemy writes them (on SQLite the text
    // `2024-01-03 00:00:00.000000`) are found by equality and ranges, and
    // oxalchemy writes the same text.
    async fn datetimes_compare_with_rows_sqlalchemy_wrote(db) {
        let md = MetaData::new();
        let events = md.table("events", |t| {
            t.column("id", Integer).primary_key().autoincrement(false);
            t.column("at", DateTime);
            t.column("tm", Time);
        });
        md.create_all(&db.engine).await?;
        let at = |d: u32, h: u32, micro: u32| -> NaiveDateTime {
            NaiveDate::from_ymd_opt(2024, 1, d)
                .unwrap()
                .and_hms_micro_opt(h, 4, 5, micro)
                .unwrap()
        };
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&events).values_many([
            [("id", Value::from(1)), ("at", Value::from(at(2, 3, 0))), ("tm", Value::from(at(2, 3, 0).time()))],
            [("id", Value::from(2)), ("at", Value::from(at(2, 3, 120))), ("tm", Value::Null)],
        ]))
        .await?;
        conn.execute(
            text("INSERT INTO events (id, at, tm) VALUES (3, :at, :tm)")
                .bind("at", "2024-01-04 03:04:05.000000")
                .bind("tm", "04:04:05.000000"),
        )
        .await?;
        conn.commit().await?;

        let found: Vec<i64> = conn
            .execute(select(events.c("id")).filter(events.c("at").eq(at(4, 3, 0))))
            .await?
            .scalars()?;
        assert_eq!(found, [3], "equality with a row SQLAlchemy wrote");
        let found: Vec<i64> = conn
            .execute(select(events.c("id")).filter(events.c("at").eq(at(2, 3, 0))))
            .await?
            .scalars()?;
        assert_eq!(found, [1]);
        let found: Vec<i64> = conn
            .execute(
                select(events.c("id"))
                    .filter(events.c("at").gt(at(2, 3, 0)))
                    .filter(events.c("at").le(at(4, 3, 0)))
                    .order_by(events.c("id")),
            )
            .await?
            .scalars()?;
        assert_eq!(found, [2, 3], "a range over rows of both writers");
        let found: Vec<i64> = conn
            .execute(select(events.c("id")).filter(events.c("tm").eq(at(4, 4, 0).time())))
            .await?
            .scalars()?;
        assert_eq!(found, [3], "a TIME SQLAlchemy wrote");
        let read: Vec<NaiveDateTime> = conn
            .execute(select(events.c("at")).order_by(events.c("id")))
            .await?
            .scalars()?;
        assert_eq!(read, [at(2, 3, 0), at(2, 3, 120), at(4, 3, 0)]);
        // An aggregate of a DATETIME is one too (SQLite returns its text).
        let (latest,): (Value,) = conn.execute(select(func::max(events.c("at")))).await?.one()?;
        assert_eq!(latest, Value::DateTime(at(4, 3, 0)));
        if db.backend == Backend::Sqlite {
            let stored: Vec<String> = conn
                .execute(text("SELECT CAST(at AS TEXT) || ' ' || CAST(tm AS TEXT) FROM events WHERE id = 1"))
                .await?
                .scalars()?;
            assert_eq!(stored, ["2024-01-02 03:04:05.000000 03:04:05.000000"]);
        }
        Ok(())
    }
}

backend_tests! {
    // SQLAlchemy: ON CONFLICT DO NOTHING reports the rows it inserted (1 for
    // one new row and one conflict on PostgreSQL and SQLite); MariaDB used to
    // report 2 (a skipped row counted as found).
    async fn an_upsert_that_does_nothing_counts_the_inserted_rows(db) {
        let nums = nums(&db).await?;
        let mut conn = db.engine.connect().await?;
        let row = |id: i64| [("id", Value::from(id)), ("n", Value::from(id))];
        let r = conn
            .execute(insert(&nums).values_many([row(1), row(3)]).on_conflict_do_nothing(nums.c("id")))
            .await?;
        assert_eq!(r.rows_affected(), 1, "one inserted, one skipped");
        let r = conn
            .execute(insert(&nums).values(row(1)).on_conflict_do_nothing(nums.c("id")))
            .await?;
        assert_eq!(r.rows_affected(), 0, "skipped");
        let r = conn
            .execute(insert(&nums).values(row(4)).on_conflict_do_nothing(nums.c("id")))
            .await?;
        assert_eq!(r.rows_affected(), 1, "inserted");
        // An UPDATE still reports the rows it matched, changed or not (SQLAlchemy: 2).
        let r = conn
            .execute(update(&nums).filter(nums.c("id").le(2)).set("n", nums.c("n")))
            .await?;
        assert_eq!(r.rows_affected(), 2);
        let ids: Vec<i64> = conn
            .execute(select(nums.c("id")).order_by(nums.c("id")))
            .await?
            .scalars()?;
        assert_eq!(ids, [1, 2, 3, 4]);
        Ok(())
    }

    // SQLAlchemy: `coalesce(amount, other)` and `coalesce(amount, Decimal("0.5"))`
    // are Decimals (1.25, 2.50; 1.25, 0.50 on MariaDB and SQLite, 0.5 on
    // PostgreSQL); MariaDB used to return the second as text.
    async fn coalesce_of_decimals_is_a_decimal(db) {
        let nums = nums(&db).await?;
        let mut conn = db.engine.connect().await?;
        let both: Vec<Value> = conn
            .execute(select(func::coalesce((nums.c("amount"), nums.c("other")))).order_by(nums.c("id")))
            .await?
            .scalars()?;
        assert_eq!(both, [Value::Decimal(dec("1.25")), Value::Decimal(dec("2.50"))]);
        let with_value: Vec<Value> = conn
            .execute(select(func::coalesce((nums.c("amount"), dec("0.5")))).order_by(nums.c("id")))
            .await?
            .scalars()?;
        assert_eq!(with_value.len(), 2);
        for (got, want) in with_value.iter().zip([dec("1.25"), dec("0.5")]) {
            assert!(matches!(got, Value::Decimal(d) if *d == want), "{got:?} is not {want}");
        }
        Ok(())
    }

    // SQLAlchemy: `sum(amount)` of a NUMERIC(10, 2) is Decimal("3.75") on every
    // backend (SQLite returns a REAL, converted by the column's type), a
    // condition in the select list is a boolean, and `CAST(x AS NUMERIC(10, 1))`
    // is a Decimal at one digit.
    async fn results_take_the_type_of_their_expression(db) {
        let nums = nums(&db).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(update(&nums).filter(nums.c("id").eq(2)).set("amount", dec("2.50"))).await?;
        let (total,): (Value,) = conn.execute(select(func::sum(nums.c("amount")))).await?.one()?;
        assert_eq!(total, Value::Decimal(dec("3.75")));
        let (big,): (Value,) = conn
            .execute(select(func::sum(nums.c("amount").add(nums.c("amount")))))
            .await?
            .one()?;
        assert!(matches!(big, Value::Decimal(d) if d == dec("7.5")), "{big:?}");
        let flags: Vec<Value> = conn
            .execute(select(nums.c("other").is_null()).order_by(nums.c("id")))
            .await?
            .scalars()?;
        assert_eq!(flags, [Value::Bool(true), Value::Bool(false)]);
        let (count,): (Value,) = conn.execute(select(func::sum(nums.c("n")))).await?.one()?;
        assert_eq!(count, Value::Int(25), "a sum of integers is an integer");
        Ok(())
    }

    // Explicit, non-consecutive keys come back from INSERT .. RETURNING in
    // the order they were inserted, also through MySQL 8's emulation (run
    // here on MariaDB by compiling for MySQL 8, which has no RETURNING), which
    // used to count keys up from LAST_INSERT_ID and returned one row.
    async fn returning_gives_every_inserted_row(db) {
        let md = MetaData::new();
        let items = md.table("items", |t| {
            t.column("id", Integer).primary_key();
            t.column("name", Varchar(20));
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let rows = |keys: &[(Value, &str)]| {
            insert(&items)
                .values_many(keys.iter().map(|(id, name)| [("id", id.clone()), ("name", Value::from(*name))]))
                .returning((items.c("id"), items.c("name")))
        };
        let got: Vec<(i64, String)> = conn
            .execute(rows(&[(Value::from(50), "a"), (Value::from(40), "b")]))
            .await?
            .all()?;
        assert_eq!(got, [(50, "a".into()), (40, "b".into())]);
        #[cfg(feature = "mysql")]
        if db.backend == Backend::Mysql {
            let mysql8 = oxalchemy::mysql::MysqlDialect::mysql8();
            let stmt = rows(&[(Value::from(70), "c"), (Value::from(60), "d")]).compile(&mysql8);
            assert!(stmt.fetch_after().is_some(), "emulated");
            let got: Vec<(i64, String)> = conn.execute(stmt).await?.all()?;
            assert_eq!(got, [(70, "c".into()), (60, "d".into())]);
            // Keys left to AUTO_INCREMENT (NULL) follow LAST_INSERT_ID.
            let stmt = rows(&[(Value::from(90), "e"), (Value::Null, "f"), (Value::Null, "g")]).compile(&mysql8);
            let got: Vec<(i64, String)> = conn.execute(stmt).await?.all()?;
            assert_eq!(got, [(90, "e".into()), (91, "f".into()), (92, "g".into())]);
        }
        let all: Vec<i64> = conn
            .execute(select(items.c("id")).order_by(items.c("id")))
            .await?
            .scalars()?;
        assert_eq!(all.len(), if db.backend == Backend::Mysql { 7 } else { 2 });
        Ok(())
    }
}
