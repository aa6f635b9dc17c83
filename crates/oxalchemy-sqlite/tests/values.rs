//! Every `Value` through a table whose columns carry the dialect's type names.

mod common;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use common::{batch, memory, run, scalar};
use oxalchemy_core::{Dialect, FromValue, SqlType, Value};
use oxalchemy_sqlite::SqliteDialect;
use rust_decimal::Decimal;
use std::str::FromStr;

fn columns() -> Vec<(&'static str, SqlType)> {
    vec![
        ("b", SqlType::Boolean),
        ("i", SqlType::Integer),
        ("bi", SqlType::BigInteger),
        ("si", SqlType::SmallInteger),
        ("f", SqlType::Float),
        ("d", SqlType::Double),
        ("n", SqlType::Numeric(10, 2)),
        ("vc", SqlType::Varchar(Some(40))),
        ("tx", SqlType::Text),
        ("bin", SqlType::LargeBinary),
        ("dt", SqlType::Date),
        ("tm", SqlType::Time),
        ("dtm", SqlType::DateTime),
        ("ts", SqlType::Timestamp),
        ("u", SqlType::Uuid),
        ("j", SqlType::Json),
    ]
}

fn create_sql() -> String {
    let d = SqliteDialect;
    let cols: Vec<String> = columns()
        .iter()
        .map(|(name, ty)| format!("{name} {}", d.type_name(ty, false)))
        .collect();
    format!(
        "CREATE TABLE everything (id INTEGER PRIMARY KEY, {})",
        cols.join(", ")
    )
}

fn sample() -> Vec<Value> {
    let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let time = NaiveTime::from_hms_micro_opt(23, 59, 58, 123_456).unwrap();
    vec![
        Value::Bool(true),
        Value::Int(i64::from(i32::MIN)),
        Value::Int(i64::MAX),
        Value::Int(-32768),
        Value::Float(1.5),
        Value::Float(-2.25e-10),
        Value::Decimal(Decimal::from_str("12345678.90").unwrap()),
        Value::from("it's a \"quoted\"; string"),
        Value::from("ünïcödé ✓ \u{1F600}"),
        Value::Bytes((0..=255u8).collect()),
        Value::Date(date),
        Value::Time(time),
        Value::DateTime(date.and_time(time)),
        Value::Timestamp(Utc.with_ymd_and_hms(2001, 9, 9, 1, 46, 40).unwrap()),
        Value::Uuid(uuid::Uuid::from_str("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap()),
        Value::Json(serde_json::json!({"a": [1, 2.5, "x"], "b": null, "c": {"d": true}})),
    ]
}

#[tokio::test]
async fn every_value_round_trips_through_declared_types() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, &create_sql()).await;
    let names: Vec<&str> = columns().iter().map(|(n, _)| *n).collect();
    let insert = format!(
        "INSERT INTO everything ({}) VALUES ({})",
        names.join(", "),
        vec!["?"; names.len()].join(", ")
    );
    let values = sample();
    let r = run(&mut c, &insert, &values).await;
    assert_eq!(r.rows_affected, 1);
    assert_eq!(r.last_insert_id, Some(1));

    let select = format!("SELECT {} FROM everything", names.join(", "));
    let r = run(&mut c, &select, &[]).await;
    assert_eq!(r.columns.names(), names.as_slice());
    assert_eq!(r.rows.len(), 1);
    for ((name, got), want) in names.iter().zip(&r.rows[0]).zip(&values) {
        assert_eq!(got, want, "column {name}");
    }
}

#[tokio::test]
async fn nulls_round_trip_in_every_column() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, &create_sql()).await;
    run(
        &mut c,
        "INSERT INTO everything (id) VALUES (?)",
        &[Value::Int(1)],
    )
    .await;
    let r = run(&mut c, "SELECT * FROM everything", &[]).await;
    assert_eq!(r.rows[0][0], Value::Int(1));
    assert!(r.rows[0][1..].iter().all(Value::is_null), "{:?}", r.rows[0]);
}

#[tokio::test]
/// SQLite's NUMERIC affinity keeps a number, not its text: up to 15
/// significant digits survive exactly (SQLite's own limit for REAL), and a
/// decimal comes back with the declared scale.
async fn numeric_keeps_its_scale_and_fifteen_digits() {
    let (_driver, mut c) = memory().await;
    batch(
        &mut c,
        "CREATE TABLE money (small NUMERIC(10, 2), big NUMERIC(38, 4))",
    )
    .await;
    let small = Decimal::from_str("12.30").unwrap();
    let big = Decimal::from_str("12345678901.2345").unwrap();
    run(
        &mut c,
        "INSERT INTO money VALUES (?, ?)",
        &[Value::Decimal(small), Value::Decimal(big)],
    )
    .await;
    let r = run(&mut c, "SELECT small, big FROM money", &[]).await;
    assert_eq!(r.rows[0][0].to_string(), "12.30");
    assert_eq!(r.rows[0][1], Value::Decimal(big));
    // Numeric comparison against a bound decimal works through the column's affinity.
    let n = scalar(
        &mut c,
        "SELECT count(*) FROM money WHERE small > ?",
        &[Value::Decimal(Decimal::from(12))],
    )
    .await;
    assert_eq!(n, Value::Int(1));
}

/// PostgreSQL and MariaDB store a NUMERIC(10, 2) value rounded half away
/// from zero at the scale (1.005 -> 1.01); SQLite stores what it is given, so
/// the driver reads it back at the column's scale. A NUMERIC without a scale
/// is read back as stored.
#[tokio::test]
async fn numeric_with_a_scale_reads_back_rounded_like_the_servers() {
    let (_driver, mut c) = memory().await;
    batch(
        &mut c,
        "CREATE TABLE prices (id INTEGER PRIMARY KEY, scaled NUMERIC(10, 2), \
         spelled DECIMAL(10,2), plain NUMERIC)",
    )
    .await;
    let cases = [
        ("1.005", "1.01"),
        ("2.675", "2.68"),
        ("-1.005", "-1.01"),
        ("3", "3.00"),
    ];
    let insert = "INSERT INTO prices (id, scaled, spelled, plain) VALUES (?, ?, ?, ?)";
    for (i, (written, _)) in cases.iter().enumerate() {
        let d = Decimal::from_str(written).unwrap();
        let id = Value::Int(i64::try_from(i).unwrap());
        let v = Value::Decimal(d);
        run(&mut c, insert, &[id, v.clone(), v.clone(), v]).await;
    }
    let r = run(
        &mut c,
        "SELECT scaled, spelled, plain FROM prices ORDER BY id",
        &[],
    )
    .await;
    for (row, (written, rounded)) in r.rows.iter().zip(cases) {
        assert_eq!(
            row[0].to_string(),
            rounded,
            "NUMERIC(10, 2) given {written}"
        );
        assert_eq!(row[1].to_string(), rounded, "DECIMAL(10,2) given {written}");
        assert!(matches!(row[0], Value::Decimal(_)), "{:?}", row[0]);
        assert_eq!(row[2].to_string(), written, "NUMERIC given {written}");
    }
    assert_eq!(r.rows.len(), cases.len());

    // Floats (REAL storage: 2.675 is 2.67499999.. in binary) and literals in
    // the SQL text round the same way.
    batch(&mut c, "DELETE FROM prices").await;
    for (i, (written, _)) in cases.iter().enumerate() {
        let f: f64 = written.parse().unwrap();
        let id = Value::Int(i64::try_from(i).unwrap());
        run(
            &mut c,
            insert,
            &[id, Value::Float(f), Value::Float(f), Value::Float(f)],
        )
        .await;
        run(
            &mut c,
            &format!(
                "INSERT INTO prices (id, scaled, plain) VALUES ({}, {written}, {written})",
                i + 10
            ),
            &[],
        )
        .await;
    }
    let r = run(
        &mut c,
        "SELECT scaled, spelled, plain FROM prices WHERE id < 10 ORDER BY id",
        &[],
    )
    .await;
    let literals = run(
        &mut c,
        "SELECT scaled, plain FROM prices WHERE id >= 10 ORDER BY id",
        &[],
    )
    .await;
    assert_eq!(r.rows.len(), cases.len());
    assert_eq!(literals.rows.len(), cases.len());
    for ((row, lit), (written, rounded)) in r.rows.iter().zip(&literals.rows).zip(cases) {
        assert_eq!(row[0].to_string(), rounded, "float {written}");
        assert_eq!(row[1].to_string(), rounded, "float {written}");
        assert_eq!(row[2].to_string(), written, "float {written}, no scale");
        assert_eq!(lit[0].to_string(), rounded, "literal {written}");
        assert_eq!(lit[1].to_string(), written, "literal {written}, no scale");
    }
}

#[tokio::test]
async fn expressions_without_declared_type_come_back_raw_and_decode_leniently() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE t (flag BOOLEAN, day DATE)").await;
    run(
        &mut c,
        "INSERT INTO t VALUES (?, ?)",
        &[
            Value::Bool(false),
            Value::Date(NaiveDate::from_ymd_opt(2020, 1, 31).unwrap()),
        ],
    )
    .await;
    let r = run(&mut c, "SELECT flag + 0, day || '' FROM t", &[]).await;
    assert_eq!(r.rows[0][0], Value::Int(0));
    assert_eq!(r.rows[0][1], Value::from("2020-01-31"));
    assert!(!bool::from_value(&r.rows[0][0]).unwrap());
    assert_eq!(
        NaiveDate::from_value(&r.rows[0][1]).unwrap(),
        NaiveDate::from_ymd_opt(2020, 1, 31).unwrap()
    );
    // A subquery keeps the declared type of the column it selects.
    let r = run(&mut c, "SELECT s.flag FROM (SELECT flag FROM t) AS s", &[]).await;
    assert_eq!(r.rows[0][0], Value::Bool(false));
}

#[tokio::test]
async fn values_sqlite_wrote_itself_decode_too() {
    let (_driver, mut c) = memory().await;
    batch(
        &mut c,
        "CREATE TABLE t (created TIMESTAMP DEFAULT CURRENT_TIMESTAMP, day DATE DEFAULT CURRENT_DATE, at DATETIME DEFAULT CURRENT_TIMESTAMP, x INTEGER)",
    )
    .await;
    run(&mut c, "INSERT INTO t (x) VALUES (1)", &[]).await;
    let r = run(&mut c, "SELECT created, day, at FROM t", &[]).await;
    assert!(
        matches!(r.rows[0][0], Value::Timestamp(_)),
        "{:?}",
        r.rows[0][0]
    );
    assert!(matches!(r.rows[0][1], Value::Date(_)), "{:?}", r.rows[0][1]);
    assert!(
        matches!(r.rows[0][2], Value::DateTime(_)),
        "{:?}",
        r.rows[0][2]
    );
}

#[tokio::test]
async fn hostile_text_is_bound_never_interpolated() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE x (s TEXT)").await;
    let nasty = [
        "'; DROP TABLE x; --",
        "Robert'); DROP TABLE x;--",
        "a;b;c",
        "\"double\" and 'single' quotes",
        "back\\slash\\",
        "",
        "new\nline\ttab\0nul",
    ];
    for s in nasty {
        run(&mut c, "INSERT INTO x (s) VALUES (?)", &[Value::from(s)]).await;
    }
    let r = run(&mut c, "SELECT s FROM x ORDER BY rowid", &[]).await;
    let got: Vec<Value> = r.rows.into_iter().map(|mut row| row.remove(0)).collect();
    let want: Vec<Value> = nasty.iter().map(|s| Value::from(*s)).collect();
    assert_eq!(got, want);
    for s in nasty {
        let n = scalar(
            &mut c,
            "SELECT count(*) FROM x WHERE s = ?",
            &[Value::from(s)],
        )
        .await;
        assert_eq!(n, Value::Int(1), "{s:?}");
    }
}

#[tokio::test]
async fn binary_with_every_byte_value() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE blobs (b BLOB)").await;
    let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    run(
        &mut c,
        "INSERT INTO blobs VALUES (?)",
        &[Value::Bytes(all.clone())],
    )
    .await;
    run(
        &mut c,
        "INSERT INTO blobs VALUES (?)",
        &[Value::Bytes(Vec::new())],
    )
    .await;
    let r = run(&mut c, "SELECT b, length(b) FROM blobs ORDER BY rowid", &[]).await;
    assert_eq!(r.rows[0], vec![Value::Bytes(all), Value::Int(512)]);
    assert_eq!(r.rows[1], vec![Value::Bytes(Vec::new()), Value::Int(0)]);
}

#[tokio::test]
async fn json_scalars_survive_numeric_affinity() {
    let (_driver, mut c) = memory().await;
    batch(&mut c, "CREATE TABLE docs (j JSON)").await;
    let docs = [
        serde_json::json!(5),
        serde_json::json!(1.25),
        serde_json::json!("12"),
        serde_json::json!(true),
        serde_json::Value::Null,
        serde_json::json!([]),
    ];
    for d in &docs {
        run(
            &mut c,
            "INSERT INTO docs VALUES (?)",
            &[Value::Json(d.clone())],
        )
        .await;
    }
    let r = run(&mut c, "SELECT j FROM docs ORDER BY rowid", &[]).await;
    let got: Vec<Value> = r.rows.into_iter().map(|mut row| row.remove(0)).collect();
    let want: Vec<Value> = docs.iter().cloned().map(Value::Json).collect();
    assert_eq!(got, want);
}
