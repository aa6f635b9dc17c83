//! Every SQL type of the contract, stored and read back with equal values on
//! each backend; text and bytes that must survive verbatim; identifiers that
//! need quoting; typed row decoding.

mod common;

use chrono::{DateTime as ChronoDateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use common::Backend;
use oxalchemy::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;

/// One table holding a column of every SQL type of the contract.
fn typed_table(md: &MetaData) -> Table {
    md.table("typed", |t| {
        t.column("id", Integer).primary_key();
        t.column("i", Integer);
        t.column("bi", BigInteger);
        t.column("si", SmallInteger);
        t.column("vc", Varchar(40));
        t.column("tx", Text);
        t.column("b", Boolean);
        t.column("fl", Float);
        t.column("db", Double);
        t.column("num", Numeric(10, 2));
        t.column("d", Date);
        t.column("t", Time);
        t.column("dt", DateTime);
        t.column("ts", Timestamp);
        t.column("u", Uuid);
        t.column("j", Json);
        t.column("bin", LargeBinary);
        t.column("e", Enum::new("mood", ["happy", "sad", "so-so"]));
    })
}

/// The values of one fully populated row.
struct Sample {
    i: i32,
    bi: i64,
    si: i16,
    vc: String,
    tx: String,
    b: bool,
    fl: f32,
    db: f64,
    num: Decimal,
    d: NaiveDate,
    t: NaiveTime,
    dt: NaiveDateTime,
    ts: ChronoDateTime<Utc>,
    u: uuid::Uuid,
    j: serde_json::Value,
    bin: Vec<u8>,
    e: &'static str,
}

fn sample_a() -> Sample {
    Sample {
        i: 2_147_483_000,
        // Beyond f64's exact integers: must not go through a float anywhere.
        bi: 9_007_199_254_740_993,
        si: -32_000,
        vc: "varchar value".to_owned(),
        tx: "text value, a little longer than the varchar one".to_owned(),
        b: true,
        fl: 0.1,
        db: 0.1 + 0.2,
        num: Decimal::from_str("12345678.90").unwrap(),
        d: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        t: NaiveTime::from_hms_micro_opt(13, 5, 9, 123_456).unwrap(),
        dt: NaiveDate::from_ymd_opt(1999, 12, 31)
            .unwrap()
            .and_hms_micro_opt(23, 59, 58, 654_321)
            .unwrap(),
        ts: Utc
            .with_ymd_and_hms(2024, 3, 1, 12, 0, 0)
            .unwrap()
            .checked_add_signed(chrono::TimeDelta::microseconds(500_001))
            .unwrap(),
        u: uuid::Uuid::new_v4(),
        j: json!({
            "name": "sandy",
            "tags": ["a", "b", 3, 2.5, true, null],
            "nested": {"deep": {"x": -1}},
            "quote": "it's \"quoted\" \\ ; 🦀",
        }),
        bin: vec![0, 1, 2, 0xff, 0, 0x7f],
        e: "sad",
    }
}

fn sample_b() -> Sample {
    Sample {
        i: -7,
        bi: -1,
        si: 0,
        vc: String::new(),
        tx: "x".to_owned(),
        b: false,
        fl: -0.25,
        db: -1.0e-10,
        num: Decimal::from_str("-0.05").unwrap(),
        d: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
        t: NaiveTime::from_hms_opt(0, 0, 0).unwrap(),
        dt: NaiveDate::from_ymd_opt(2038, 1, 19)
            .unwrap()
            .and_hms_opt(3, 14, 8)
            .unwrap(),
        ts: Utc.with_ymd_and_hms(2001, 9, 9, 1, 46, 40).unwrap(),
        u: uuid::Uuid::nil(),
        j: json!([1, "two", {"three": 3}]),
        bin: Vec::new(),
        e: "so-so",
    }
}

fn sample_values(id: i64, s: &Sample) -> Vec<(&'static str, Value)> {
    vec![
        ("id", Value::from(id)),
        ("i", Value::from(s.i)),
        ("bi", Value::from(s.bi)),
        ("si", Value::from(s.si)),
        ("vc", Value::from(s.vc.clone())),
        ("tx", Value::from(s.tx.clone())),
        ("b", Value::from(s.b)),
        ("fl", Value::from(s.fl)),
        ("db", Value::from(s.db)),
        ("num", Value::from(s.num)),
        ("d", Value::from(s.d)),
        ("t", Value::from(s.t)),
        ("dt", Value::from(s.dt)),
        ("ts", Value::from(s.ts)),
        ("u", Value::from(s.u)),
        ("j", Value::from(s.j.clone())),
        ("bin", Value::from(s.bin.clone())),
        ("e", Value::from(s.e)),
    ]
}

fn all_columns(t: &Table) -> Vec<Column> {
    t.column_names().into_iter().map(|n| t.c(n)).collect()
}

/// Check every column of `row` against `s`, decoded as `T` and as `Option<T>`.
fn check_row(row: &Row, s: &Sample) -> oxalchemy::Result<()> {
    assert_eq!(row.get::<i32, _>("i")?, s.i);
    assert_eq!(row.get::<i64, _>("bi")?, s.bi);
    assert_eq!(row.get::<i16, _>("si")?, s.si);
    assert_eq!(row.get::<String, _>("vc")?, s.vc);
    assert_eq!(row.get::<String, _>("tx")?, s.tx);
    assert_eq!(row.get::<bool, _>("b")?, s.b);
    assert_eq!(row.get::<f32, _>("fl")?, s.fl);
    assert_eq!(row.get::<f64, _>("db")?, s.db);
    let num: Decimal = row.get("num")?;
    assert_eq!(num, s.num);
    // NUMERIC(10, 2) keeps its scale: 12345678.90, not 12345678.9.
    assert_eq!(num.to_string(), s.num.to_string());
    assert_eq!(row.get::<NaiveDate, _>("d")?, s.d);
    assert_eq!(row.get::<NaiveTime, _>("t")?, s.t);
    assert_eq!(row.get::<NaiveDateTime, _>("dt")?, s.dt);
    assert_eq!(row.get::<ChronoDateTime<Utc>, _>("ts")?, s.ts);
    assert_eq!(row.get::<uuid::Uuid, _>("u")?, s.u);
    assert_eq!(row.get::<serde_json::Value, _>("j")?, s.j);
    assert_eq!(row.get::<Vec<u8>, _>("bin")?, s.bin);
    assert_eq!(row.get::<String, _>("e")?, s.e);

    // The same values through Option<T>.
    assert_eq!(row.get::<Option<i32>, _>("i")?, Some(s.i));
    assert_eq!(row.get::<Option<i64>, _>("bi")?, Some(s.bi));
    assert_eq!(row.get::<Option<i16>, _>("si")?, Some(s.si));
    assert_eq!(row.get::<Option<String>, _>("vc")?, Some(s.vc.clone()));
    assert_eq!(row.get::<Option<bool>, _>("b")?, Some(s.b));
    assert_eq!(row.get::<Option<f32>, _>("fl")?, Some(s.fl));
    assert_eq!(row.get::<Option<f64>, _>("db")?, Some(s.db));
    assert_eq!(row.get::<Option<Decimal>, _>("num")?, Some(s.num));
    assert_eq!(row.get::<Option<NaiveDate>, _>("d")?, Some(s.d));
    assert_eq!(row.get::<Option<NaiveTime>, _>("t")?, Some(s.t));
    assert_eq!(row.get::<Option<NaiveDateTime>, _>("dt")?, Some(s.dt));
    assert_eq!(row.get::<Option<ChronoDateTime<Utc>>, _>("ts")?, Some(s.ts));
    assert_eq!(row.get::<Option<uuid::Uuid>, _>("u")?, Some(s.u));
    assert_eq!(
        row.get::<Option<serde_json::Value>, _>("j")?,
        Some(s.j.clone())
    );
    assert_eq!(row.get::<Option<Vec<u8>>, _>("bin")?, Some(s.bin.clone()));
    assert_eq!(row.get::<Option<String>, _>("e")?, Some(s.e.to_owned()));
    Ok(())
}

backend_tests! {
    async fn every_type_round_trips(db) {
        let md = MetaData::new();
        let typed = typed_table(&md);
        md.create_all(&db.engine).await?;
        let (a, b) = (sample_a(), sample_b());
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&typed).values(sample_values(1, &a))).await?;
        conn.execute(insert(&typed).values(sample_values(2, &b))).await?;
        // A row of NULLs in every nullable column.
        conn.execute(insert(&typed).values([("id", 3)])).await?;
        conn.commit().await?;

        let result = conn
            .execute(select(all_columns(&typed)).order_by(typed.c("id")))
            .await?;
        assert_eq!(result.len(), 3);
        assert_eq!(
            result.keys(),
            ["id", "i", "bi", "si", "vc", "tx", "b", "fl", "db", "num", "d", "t", "dt", "ts", "u", "j", "bin", "e"]
        );
        let rows = result.rows();
        check_row(&rows[0], &a)?;
        check_row(&rows[1], &b)?;

        // NULLs decode as None for every type.
        let nulls = &rows[2];
        assert_eq!(nulls.get::<Option<i32>, _>("i")?, None);
        assert_eq!(nulls.get::<Option<i64>, _>("bi")?, None);
        assert_eq!(nulls.get::<Option<i16>, _>("si")?, None);
        assert_eq!(nulls.get::<Option<String>, _>("vc")?, None);
        assert_eq!(nulls.get::<Option<String>, _>("tx")?, None);
        assert_eq!(nulls.get::<Option<bool>, _>("b")?, None);
        assert_eq!(nulls.get::<Option<f32>, _>("fl")?, None);
        assert_eq!(nulls.get::<Option<f64>, _>("db")?, None);
        assert_eq!(nulls.get::<Option<Decimal>, _>("num")?, None);
        assert_eq!(nulls.get::<Option<NaiveDate>, _>("d")?, None);
        assert_eq!(nulls.get::<Option<NaiveTime>, _>("t")?, None);
        assert_eq!(nulls.get::<Option<NaiveDateTime>, _>("dt")?, None);
        assert_eq!(nulls.get::<Option<ChronoDateTime<Utc>>, _>("ts")?, None);
        assert_eq!(nulls.get::<Option<uuid::Uuid>, _>("u")?, None);
        assert_eq!(nulls.get::<Option<serde_json::Value>, _>("j")?, None);
        assert_eq!(nulls.get::<Option<Vec<u8>>, _>("bin")?, None);
        assert_eq!(nulls.get::<Option<String>, _>("e")?, None);
        for (i, v) in nulls.values().iter().enumerate().skip(1) {
            assert!(v.is_null(), "column {} of the NULL row holds {v:?}", result.keys()[i]);
        }

        // Typed tuples straight from the result.
        let firsts: Vec<(i64, i32, i64, i16, Option<String>, bool)> = conn
            .execute(
                select((typed.c("id"), typed.c("i"), typed.c("bi"), typed.c("si"), typed.c("vc"), typed.c("b")))
                    .filter(typed.c("id").le(2))
                    .order_by(typed.c("id")),
            )
            .await?
            .all()?;
        assert_eq!(
            firsts,
            vec![
                (1, a.i, a.bi, a.si, Some(a.vc.clone()), a.b),
                (2, b.i, b.bi, b.si, Some(b.vc.clone()), b.b),
            ]
        );
        Ok(())
    }

    async fn typed_values_bind_in_where_clauses(db) {
        let md = MetaData::new();
        let typed = typed_table(&md);
        md.create_all(&db.engine).await?;
        let (a, b) = (sample_a(), sample_b());
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&typed).values_many([sample_values(1, &a), sample_values(2, &b)])).await?;
        let id_where = |cond: Expr<bool>| select(typed.c("id")).filter(cond).order_by(typed.c("id"));
        let checks: Vec<(&str, Expr<bool>, Vec<i64>)> = vec![
            ("i", typed.c("i").eq(a.i), vec![1]),
            ("bi", typed.c("bi").eq(a.bi), vec![1]),
            ("si", typed.c("si").lt(0), vec![1]),
            ("vc", typed.c("vc").eq(""), vec![2]),
            ("b true", typed.c("b").eq(true), vec![1]),
            ("b false", typed.c("b").eq(false), vec![2]),
            ("num", typed.c("num").eq(a.num), vec![1]),
            ("num lt", typed.c("num").lt(Decimal::ZERO), vec![2]),
            ("d", typed.c("d").eq(a.d), vec![1]),
            ("d range", typed.c("d").between(NaiveDate::from_ymd_opt(1960, 1, 1).unwrap(), NaiveDate::from_ymd_opt(1980, 1, 1).unwrap()), vec![2]),
            ("t", typed.c("t").eq(a.t), vec![1]),
            ("dt", typed.c("dt").eq(a.dt), vec![1]),
            ("dt gt", typed.c("dt").gt(a.dt), vec![2]),
            ("ts", typed.c("ts").eq(a.ts), vec![1]),
            ("ts lt", typed.c("ts").lt(a.ts), vec![2]),
            ("u", typed.c("u").eq(a.u), vec![1]),
            ("u nil", typed.c("u").eq(uuid::Uuid::nil()), vec![2]),
            ("bin", typed.c("bin").eq(a.bin.clone()), vec![1]),
            ("e", typed.c("e").eq("so-so"), vec![2]),
            ("e in", typed.c("e").in_(["happy", "sad"]), vec![1]),
        ];
        for (what, cond, expected) in checks {
            let ids: Vec<i64> = conn.execute(id_where(cond)).await?.scalars()?;
            assert_eq!(ids, expected, "filter on {what}");
        }
        // UPDATE with typed values, then read back.
        let new_ts = Utc.with_ymd_and_hms(2030, 6, 15, 8, 30, 0).unwrap();
        let new_u = uuid::Uuid::new_v4();
        conn.execute(
            update(&typed)
                .filter(typed.c("id").eq(2))
                .set("ts", new_ts)
                .set("u", new_u)
                .set("j", json!({"updated": true}))
                .set("num", Decimal::from_str("99999999.99").unwrap())
                .set("b", true)
                .set("e", "happy"),
        )
        .await?;
        let (ts, u, j, num, flag, e): (ChronoDateTime<Utc>, uuid::Uuid, serde_json::Value, Decimal, bool, String) = conn
            .execute(select((typed.c("ts"), typed.c("u"), typed.c("j"), typed.c("num"), typed.c("b"), typed.c("e"))).filter(typed.c("id").eq(2)))
            .await?
            .one()?;
        assert_eq!((ts, u, j, num, flag, e.as_str()), (new_ts, new_u, json!({"updated": true}), Decimal::from_str("99999999.99").unwrap(), true, "happy"));
        Ok(())
    }

    async fn json_documents_of_every_shape(db) {
        let md = MetaData::new();
        let docs = md.table("docs", |t| {
            t.column("id", Integer).primary_key();
            t.column("doc", Json);
        });
        md.create_all(&db.engine).await?;
        let shapes = vec![
            json!({"a": 1, "b": [true, false, null], "c": {"d": "e"}}),
            json!([1, 2.5, -3, "four", [], {}]),
            json!({}),
            json!([]),
            json!("a JSON string with 'quotes', \"doubles\", \\ and 🦀"),
            json!("12"),
            json!(5),
            json!(-2.5),
            json!(true),
            json!(false),
            json!({"ключ": "значение", "with space": 1, "": "empty key"}),
            json!({"big": 9_007_199_254_740_993_i64, "neg": i64::MIN, "float": 0.1}),
        ];
        let mut conn = db.engine.connect().await?;
        for (id, doc) in shapes.iter().enumerate() {
            // Ids from 1: MySQL reads an explicit 0 in an AUTO_INCREMENT column as "generate one".
            conn.execute(insert(&docs).values((("id", id as i64 + 1), ("doc", doc.clone())))).await?;
        }
        let back: Vec<serde_json::Value> = conn.execute(select(docs.c("doc")).order_by(docs.c("id"))).await?.scalars()?;
        assert_eq!(back, shapes);
        // SQL NULL stays distinct from a document.
        conn.execute(insert(&docs).values((("id", 100), ("doc", None::<serde_json::Value>)))).await?;
        let null: Vec<Option<serde_json::Value>> = conn.execute(select(docs.c("doc")).filter(docs.c("id").eq(100))).await?.scalars()?;
        assert_eq!(null, [None]);
        Ok(())
    }

    async fn enum_accepts_only_its_values(db) {
        let md = MetaData::new();
        let moods = md.table("moods", |t| {
            t.column("id", Integer).primary_key();
            t.column("mood", Enum::new("mood", ["happy", "sad", "it's complicated"])).not_null();
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&moods).values_many([[("mood", "happy")], [("mood", "it's complicated")]])).await?;
        conn.commit().await?;
        let err = conn.execute(insert(&moods).values([("mood", "angry")])).await.unwrap_err();
        match db.backend {
            // MySQL's native ENUM rejects the value itself (strict mode).
            Backend::Mysql => assert!(matches!(err, Error::DataError { .. }), "{err}"),
            // Elsewhere a CHECK constraint does.
            Backend::Sqlite | Backend::Postgres => {
                assert_eq!(err.integrity_kind(), Some(IntegrityKind::Check), "{err}")
            }
        }
        conn.rollback().await?;
        // One character too long: refused, never cut to a valid value by the casts of the
        // multi-row INSERT .. RETURNING form (PostgreSQL's sentinel form types its parameters).
        let too_long = insert(&moods)
            .values_many([[("mood", "sad")], [("mood", "it's complicated!")]])
            .returning((moods.c("id"),))
            .sort_by_parameter_order();
        conn.execute(too_long).await.expect_err("not a value of the enum");
        conn.rollback().await?;
        let all: Vec<String> = conn.execute(select(moods.c("mood")).order_by(moods.c("id"))).await?.scalars()?;
        assert_eq!(all, ["happy", "it's complicated"]);
        Ok(())
    }

    async fn a_table_recreated_with_other_types(db) {
        // Statements cached by a connection (prepared statements on PostgreSQL) must
        // follow a schema changed through another connection of the engine.
        let md = MetaData::new();
        let v1 = md.table("shape", |t| {
            t.column("id", Integer).primary_key();
            t.column("x", Integer);
        });
        md.create_all(&db.engine).await?;
        let mut held = db.engine.connect().await?;
        held.execute(insert(&v1).values([("x", 1)])).await?;
        let xs: Vec<i64> = held.execute(select(v1.c("x"))).await?.scalars()?;
        assert_eq!(xs, [1]);
        held.commit().await?;

        // Recreated with other types while `held` stays checked out.
        md.drop_all(&db.engine).await?;
        let md2 = MetaData::new();
        let v2 = md2.table("shape", |t| {
            t.column("id", Integer).primary_key();
            t.column("x", Text);
        });
        md2.create_all(&db.engine).await?;

        held.execute(insert(&v2).values([("x", "one")])).await?;
        let xs: Vec<String> = held.execute(select(v2.c("x"))).await?.scalars()?;
        assert_eq!(xs, ["one"]);
        held.commit().await?;

        // And through the connection that ran the DDL, via text() too.
        let mut conn = db.engine.connect().await?;
        conn.execute(text("ALTER TABLE shape ADD COLUMN y INTEGER")).await?;
        conn.execute(text("INSERT INTO shape (x, y) VALUES (:x, :y)").bind("x", "two").bind("y", 2)).await?;
        conn.commit().await?;
        let rows: Vec<(String, Option<i64>)> = held.execute(text("SELECT x, y FROM shape ORDER BY id")).await?.all()?;
        assert_eq!(rows, vec![("one".to_owned(), None), ("two".to_owned(), Some(2))]);
        Ok(())
    }

    async fn numeric_extremes(db) {
        let md = MetaData::new();
        let ints = md.table("ints", |t| {
            t.column("id", Integer).primary_key();
            t.column("s", SmallInteger).not_null();
            t.column("i", Integer).not_null();
            t.column("b", BigInteger).not_null();
        });
        let reals = md.table("reals", |t| {
            t.column("id", Integer).primary_key();
            t.column("f", Float).not_null();
            t.column("d", Double).not_null();
            t.column("n", Numeric(10, 2)).not_null();
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&ints).values_many([
            (("id", 1), ("s", i16::MIN), ("i", i32::MIN), ("b", i64::MIN)),
            (("id", 2), ("s", i16::MAX), ("i", i32::MAX), ("b", i64::MAX)),
            (("id", 3), ("s", 0_i16), ("i", 0_i32), ("b", 0_i64)),
        ])).await?;
        let rows: Vec<(i16, i32, i64)> = conn
            .execute(select((ints.c("s"), ints.c("i"), ints.c("b"))).order_by(ints.c("id")))
            .await?
            .all()?;
        assert_eq!(rows, vec![(i16::MIN, i32::MIN, i64::MIN), (i16::MAX, i32::MAX, i64::MAX), (0, 0, 0)]);
        // A narrower Rust type decodes a value that fits.
        let small: Vec<i64> = conn.execute(select(ints.c("s")).order_by(ints.c("id"))).await?.scalars()?;
        assert_eq!(small, [i64::from(i16::MIN), i64::from(i16::MAX), 0]);
        let max: Vec<i64> = conn.execute(select(ints.c("b")).filter(ints.c("b").eq(i64::MAX))).await?.scalars()?;
        assert_eq!(max, [i64::MAX]);

        let dec = |s: &str| Decimal::from_str(s).unwrap();
        let expected: Vec<(f32, f64, Decimal)> = vec![
            (f32::MAX, f64::MAX, dec("99999999.99")),
            (f32::MIN_POSITIVE, f64::MIN_POSITIVE, dec("-99999999.99")),
            (-f32::MAX, -f64::MAX, dec("0.01")),
            (0.0, 1e-300, dec("0.00")),
            (0.1, 0.1, dec("-0.01")),
        ];
        for (id, (f, d, n)) in expected.iter().enumerate() {
            conn.execute(insert(&reals).values((("id", id as i64 + 1), ("f", *f), ("d", *d), ("n", *n)))).await?;
        }
        let rows: Vec<(f32, f64, Decimal)> = conn
            .execute(select((reals.c("f"), reals.c("d"), reals.c("n"))).order_by(reals.c("id")))
            .await?
            .all()?;
        assert_eq!(rows, expected);
        let scales: Vec<String> = rows.iter().map(|r| r.2.to_string()).collect();
        assert_eq!(scales, ["99999999.99", "-99999999.99", "0.01", "0.00", "-0.01"]);
        Ok(())
    }

    async fn text_and_bytes_are_stored_verbatim(db) {
        let md = MetaData::new();
        let notes = md.table("notes", |t| {
            t.column("id", Integer).primary_key();
            t.column("body", Text).not_null();
            t.column("label", Varchar(200));
            t.column("data", LargeBinary);
        });
        md.create_all(&db.engine).await?;
        let texts: Vec<String> = vec![
            "it's".into(),
            "''".into(),
            "\"double\" quotes".into(),
            "back\\slash \\' \\\\ \\n".into(),
            "semi;colon;".into(),
            "'; DROP TABLE notes; --".into(),
            "\"; DROP TABLE notes; --".into(),
            "`; DROP TABLE notes; --".into(),
            "?, $1, :name, %s, %(x)s".into(),
            "percent % and underscore _".into(),
            "new\nline\r\nand\ttab".into(),
            "unicode: Grüße, 日本語, Ελληνικά, עברית".into(),
            "emoji: 🦀🎉👍🏽👨‍👩‍👧".into(),
            "trailing spaces   ".into(),
            "   leading spaces".into(),
            String::new(),
            "x".repeat(10_000),
        ];
        let all_bytes: Vec<u8> = (0..=255u8).collect();
        let blobs: Vec<Vec<u8>> = vec![
            all_bytes.clone(),
            all_bytes.iter().rev().copied().collect(),
            vec![0; 16],
            Vec::new(),
            b"'; DROP TABLE notes; --\0\\".to_vec(),
            // Not valid UTF-8.
            vec![0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc],
        ];
        let mut conn = db.engine.connect().await?;
        let mut id = 0_i64;
        for t in &texts {
            id += 1;
            let label = (t.chars().count() <= 200).then(|| t.clone());
            conn.execute(insert(&notes).values((("id", id), ("body", t.clone()), ("label", label)))).await?;
        }
        for b in &blobs {
            id += 1;
            conn.execute(insert(&notes).values((("id", id), ("body", "blob"), ("data", b.clone())))).await?;
        }
        conn.commit().await?;

        // Read back in order.
        let rows: Vec<(i64, String, Option<String>)> = conn
            .execute(select((notes.c("id"), notes.c("body"), notes.c("label"))).filter(notes.c("data").is_null()).order_by(notes.c("id")))
            .await?
            .all()?;
        assert_eq!(rows.len(), texts.len());
        for ((_, body, label), t) in rows.iter().zip(&texts) {
            assert_eq!(body, t);
            if t.chars().count() <= 200 {
                assert_eq!(label.as_deref(), Some(t.as_str()));
            }
        }
        let data: Vec<Vec<u8>> = conn
            .execute(select(notes.c("data")).filter(notes.c("data").is_not_null()).order_by(notes.c("id")))
            .await?
            .scalars()?;
        assert_eq!(data, blobs);

        // Each value also matches itself in a WHERE clause (bound, never interpolated).
        for t in &texts {
            let n: Vec<i64> = conn
                .execute(select(func::count_star()).select_from(&notes).filter(notes.c("body").eq(t.clone())))
                .await?
                .scalars()?;
            assert_eq!(n, [1], "WHERE body = {t:?}");
        }
        for b in &blobs {
            let n: Vec<String> = conn
                .execute(select(notes.c("body")).filter(notes.c("data").eq(b.clone())))
                .await?
                .scalars()?;
            assert_eq!(n, ["blob"], "WHERE data = {b:?}");
        }
        // Through text() binds too.
        let evil = "'; DROP TABLE notes; --";
        let back: Vec<String> = conn
            .execute(text("SELECT body FROM notes WHERE body = :b").bind("b", evil))
            .await?
            .scalars()?;
        assert_eq!(back, [evil]);
        let bytes_back: Vec<Vec<u8>> = conn
            .execute(text("SELECT data FROM notes WHERE data = :d").bind("d", all_bytes.clone()))
            .await?
            .scalars()?;
        assert_eq!(bytes_back, [all_bytes]);
        // UPDATE with the same values.
        conn.execute(update(&notes).filter(notes.c("id").eq(1)).set("body", evil).set("data", vec![0_u8, 255, 0])).await?;
        let (body, data): (String, Vec<u8>) = conn
            .execute(select((notes.c("body"), notes.c("data"))).filter(notes.c("id").eq(1)))
            .await?
            .one()?;
        assert_eq!((body.as_str(), data), (evil, vec![0, 255, 0]));
        conn.commit().await?;
        drop(conn);

        // The table is still there, with every row.
        let mut conn = db.engine.connect().await?;
        let n: Vec<i64> = conn.execute(select(func::count_star()).select_from(&notes)).await?.scalars()?;
        assert_eq!(n, [(texts.len() + blobs.len()) as i64]);
        Ok(())
    }

    async fn identifiers_that_need_quoting(db) {
        let md = MetaData::new();
        let from = md.table("from", |t| {
            t.column("id", Integer).primary_key();
            t.column("Mixed Case", Varchar(20)).not_null();
        });
        let order = md.table("order", |t| {
            t.column("id", Integer).primary_key();
            t.column("select", Varchar(50)).not_null();
            t.column("Mixed Case", Integer);
            t.column("with space", Text);
            t.column("group", Integer).foreign_key("from.id");
            t.index("ix order mixed", ["Mixed Case"]);
            t.unique_index("uq order select", ["select"]);
        });
        md.create_all(&db.engine).await?;
        // create_all skips existing tables, quoted names included.
        md.create_all(&db.engine).await?;

        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&from).values_many([
            (("id", 1), ("Mixed Case", "One")),
            (("id", 2), ("Mixed Case", "Two")),
        ])).await?;
        conn.execute(insert(&order).values_many([
            (("select", "a"), ("Mixed Case", 3), ("with space", "x y"), ("group", Some(1))),
            (("select", "b"), ("Mixed Case", 1), ("with space", "z"), ("group", Some(2))),
            (("select", "c"), ("Mixed Case", 2), ("with space", "w"), ("group", None::<i64>)),
        ])).await?;
        conn.commit().await?;

        // SELECT with WHERE and ORDER BY on quoted columns; labels keep their spelling.
        let result = conn
            .execute(
                select((order.c("select"), order.c("Mixed Case"), order.c("with space")))
                    .filter(order.c("Mixed Case").ge(2))
                    .order_by(order.c("Mixed Case").desc()),
            )
            .await?;
        assert_eq!(result.keys(), ["select", "Mixed Case", "with space"]);
        let rows: Vec<(String, i64, String)> = result.all()?;
        assert_eq!(rows, vec![("a".into(), 3, "x y".into()), ("c".into(), 2, "w".into())]);
        let mixed: i64 = result.rows()[0].get("Mixed Case")?;
        let spaced: String = result.rows()[0].get("with space")?;
        assert_eq!((mixed, spaced.as_str()), (3, "x y"));

        // Join through the foreign key between the quoted tables.
        let joined: Vec<(String, String)> = conn
            .execute(select((order.c("select"), from.c("Mixed Case"))).join(&from).order_by(order.c("select")))
            .await?
            .all()?;
        assert_eq!(joined, vec![("a".into(), "One".into()), ("b".into(), "Two".into())]);

        // UPDATE and DELETE.
        let r = conn.execute(update(&order).filter(order.c("select").eq("b")).set("with space", "updated").set("Mixed Case", 10)).await?;
        assert_eq!(r.rows_affected(), 1);
        let (ws, mc): (String, i64) = conn
            .execute(select((order.c("with space"), order.c("Mixed Case"))).filter(order.c("select").eq("b")))
            .await?
            .one()?;
        assert_eq!((ws.as_str(), mc), ("updated", 10));
        let r = conn.execute(delete(&order).filter(order.c("Mixed Case").eq(2))).await?;
        assert_eq!(r.rows_affected(), 1);
        conn.commit().await?;

        // The unique index is enforced; the foreign key too.
        let err = conn.execute(insert(&order).values([("select", "a")])).await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
        conn.rollback().await?;
        let err = conn.execute(insert(&order).values((("select", "new"), ("group", 99)))).await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::ForeignKey), "{err}");
        conn.rollback().await?;

        let left: Vec<String> = conn.execute(select(order.c("select")).order_by(order.c("select"))).await?.scalars()?;
        assert_eq!(left, ["a", "b"]);
        drop(conn);
        md.drop_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let err = conn.execute(select(order.c("select"))).await.unwrap_err();
        assert!(matches!(err, Error::ProgrammingError { .. }), "{err}");
        Ok(())
    }

    async fn reserved_words_and_odd_characters_as_names(db) {
        // Words reserved by at least one backend (some only by newer MySQL or MariaDB
        // releases, `value` only as a MySQL table name), and names holding the quote
        // characters and placeholder look-alikes.
        let names = [
            "user", "end", "window", "rank", "key", "values", "value", "index", "limit", "offset",
            "left", "natural", "current_date", "row", "rows", "transaction", "check", "default",
            "primary", "references", "analyze", "authorization", "collation", "returning",
            "fetch", "lateral", "except", "array", "member", "qualify", "portion",
            "master_demote_to_replica", "UPPER", "1st", "dou\"ble", "back`tick", "sin'gle",
            "q?:x$1", "ÜnïCödé",
        ];
        for name in names {
            let md = MetaData::new();
            let t = md.table(name, |t| {
                t.column("id", Integer).primary_key();
                t.column(name, Varchar(20)).index();
            });
            md.create_all(&db.engine).await?;
            let mut conn = db.engine.connect().await?;
            conn.execute(insert(&t).values_many([[(name, "a")], [(name, "b")]])).await?;
            conn.execute(update(&t).filter(t.c(name).eq("b")).set(name, "c")).await?;
            conn.execute(delete(&t).filter(t.c(name).eq("a"))).await?;
            let result = conn.execute(select((t.c("id"), t.c(name))).filter(t.c(name).ne("x")).order_by(t.c(name))).await?;
            assert_eq!(result.keys(), ["id", name], "{name}");
            let rows: Vec<(i64, String)> = result.all()?;
            assert_eq!(rows, vec![(2, "c".to_owned())], "{name}");
            conn.commit().await?;
            drop(conn);
            md.drop_all(&db.engine).await?;
        }
        Ok(())
    }

    async fn typed_row_decoding(db) {
        let md = MetaData::new();
        let items = md.table("items", |t| {
            t.column("id", Integer).primary_key();
            t.column("name", Varchar(30)).not_null();
            t.column("note", Text);
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&items).values_many([
            (("name", "alpha"), ("note", Some("first"))),
            (("name", "beta"), ("note", None::<&str>)),
            (("name", "gamma"), ("note", Some("third"))),
        ])).await?;
        let by_name = |name: &str| select((items.c("id"), items.c("name"))).filter(items.c("name").eq(name.to_owned()));
        let everything = select((items.c("id"), items.c("name"))).order_by(items.c("id"));

        // one()
        let (id, name): (i64, String) = conn.execute(by_name("beta")).await?.one()?;
        assert_eq!((id, name.as_str()), (2, "beta"));
        let err = conn.execute(by_name("nobody")).await?.one::<(i64, String)>().unwrap_err();
        assert!(matches!(err, Error::NoResultFound), "{err}");
        let err = conn.execute(everything.clone()).await?.one::<(i64, String)>().unwrap_err();
        assert!(matches!(err, Error::MultipleResultsFound), "{err}");

        // all()
        let all: Vec<(i64, String)> = conn.execute(everything.clone()).await?.all()?;
        assert_eq!(all, vec![(1, "alpha".into()), (2, "beta".into()), (3, "gamma".into())]);
        let none: Vec<(i64, String)> = conn.execute(by_name("nobody")).await?.all()?;
        assert!(none.is_empty());

        // first()
        let first: Option<(i64, String)> = conn.execute(everything.clone()).await?.first()?;
        assert_eq!(first, Some((1, "alpha".into())));
        let first: Option<(i64, String)> = conn.execute(by_name("nobody")).await?.first()?;
        assert_eq!(first, None);

        // one_or_none()
        let one: Option<(i64, String)> = conn.execute(by_name("gamma")).await?.one_or_none()?;
        assert_eq!(one, Some((3, "gamma".into())));
        let one: Option<(i64, String)> = conn.execute(by_name("nobody")).await?.one_or_none()?;
        assert_eq!(one, None);
        let err = conn.execute(everything.clone()).await?.one_or_none::<(i64, String)>().unwrap_err();
        assert!(matches!(err, Error::MultipleResultsFound), "{err}");

        // Option<T> in a tuple for a nullable column.
        let notes: Vec<(String, Option<String>)> = conn
            .execute(select((items.c("name"), items.c("note"))).order_by(items.c("id")))
            .await?
            .all()?;
        assert_eq!(notes, vec![("alpha".into(), Some("first".into())), ("beta".into(), None), ("gamma".into(), Some("third".into()))]);

        // row.get by position and by label.
        let result = conn
            .execute(select((items.c("id"), (items.c("id") * 10).label("label"), items.c("name"))).order_by(items.c("id")))
            .await?;
        assert_eq!(result.keys(), ["id", "label", "name"]);
        for row in result.rows() {
            let id: i64 = row.get(0)?;
            let label: i64 = row.get("label")?;
            let name: String = row.get(2)?;
            let same: String = row.get("name")?;
            assert_eq!(label, id * 10);
            assert_eq!(name, same);
            assert_eq!(row.columns(), ["id", "label", "name"]);
        }
        let (id, label, name): (i64, i64, String) = result.rows()[1].decode()?;
        assert_eq!((id, label, name.as_str()), (2, 20, "beta"));

        // scalars() and scalar().
        let names: Vec<String> = conn.execute(select(items.c("name")).order_by(items.c("id").desc())).await?.scalars()?;
        assert_eq!(names, ["gamma", "beta", "alpha"]);
        let notes: Vec<Option<String>> = conn.execute(select(items.c("note")).order_by(items.c("id"))).await?.scalars()?;
        assert_eq!(notes, [Some("first".to_owned()), None, Some("third".to_owned())]);
        let n: Option<i64> = conn.execute(select(func::count_star()).select_from(&items)).await?.scalar()?;
        assert_eq!(n, Some(3));
        let nothing: Option<String> = conn.execute(select(items.c("name")).filter(items.c("id").eq(99))).await?.scalar()?;
        assert_eq!(nothing, None);
        Ok(())
    }
}
