//! Every `Value` kind through every column type, and back.

use crate::support::{TestDb, run};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use oxalchemy_core::Statement;
use oxalchemy_core::{Dialect, SqlType, Value};
use oxalchemy_postgres::PostgresDialect;
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

/// (column, type) pairs, spelled by the dialect.
fn columns() -> Vec<(&'static str, SqlType)> {
    vec![
        ("i2", SqlType::SmallInteger),
        ("i4", SqlType::Integer),
        ("i8", SqlType::BigInteger),
        ("f4", SqlType::Float),
        ("f8", SqlType::Double),
        ("num", SqlType::Numeric(12, 4)),
        ("flag", SqlType::Boolean),
        ("txt", SqlType::Text),
        ("vc", SqlType::Varchar(Some(20))),
        ("bin", SqlType::LargeBinary),
        ("d", SqlType::Date),
        ("tm", SqlType::Time),
        ("ts", SqlType::DateTime),
        ("tz", SqlType::Timestamp),
        ("u", SqlType::Uuid),
        ("j", SqlType::Json),
    ]
}

fn sample() -> Vec<Value> {
    vec![
        Value::Int(-32768),
        Value::Int(2_147_483_647),
        Value::Int(i64::MIN),
        Value::Float(0.1),
        Value::Float(std::f64::consts::PI),
        Value::Decimal(Decimal::from_str("12345678.1234").unwrap()),
        Value::Bool(true),
        Value::from("héllo ☃ 🎉"),
        Value::from("varchar"),
        Value::Bytes((0..=255u8).collect()),
        Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
        Value::Time(NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap()),
        Value::DateTime(
            NaiveDate::from_ymd_opt(1999, 12, 31)
                .unwrap()
                .and_hms_micro_opt(23, 59, 59, 123_456)
                .unwrap(),
        ),
        Value::Timestamp(
            Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap()
                + chrono::Duration::milliseconds(500),
        ),
        Value::Uuid(Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210)),
        Value::Json(serde_json::json!({"a": [1, 2.5, null, "x"], "b": {"c": true}})),
    ]
}

#[tokio::test]
async fn every_value_kind_round_trips() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let d = PostgresDialect;
    let cols = columns();
    let ddl: Vec<String> = cols
        .iter()
        .map(|(n, t)| format!("{n} {}", d.type_name(t, false)))
        .collect();
    run(
        &mut *conn,
        &format!(
            "CREATE TABLE everything (id {} PRIMARY KEY, {})",
            d.autoincrement_column(&SqlType::Integer),
            ddl.join(", ")
        ),
        &[],
    )
    .await;
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO everything ({}) VALUES ({}) RETURNING id",
        names.join(", "),
        placeholders.join(", ")
    );
    let select = format!("SELECT {} FROM everything WHERE id = $1", names.join(", "));

    // Under a non-UTC session time zone too: timestamptz travels as UTC.
    run(&mut *conn, "SET TIME ZONE 'America/New_York'", &[]).await;
    let values = sample();
    let id = run(&mut *conn, &insert, &values).await.rows[0][0].clone();
    assert_eq!(id, Value::Int(1));
    let back = run(&mut *conn, &select, &[id]).await;
    assert_eq!(back.columns.names(), names.as_slice());
    for ((name, expected), got) in names.iter().zip(&values).zip(&back.rows[0]) {
        assert_eq!(got, expected, "column {name}");
    }

    // NULL in every column.
    let nulls = vec![Value::Null; cols.len()];
    let id = run(&mut *conn, &insert, &nulls).await.rows[0][0].clone();
    let back = run(&mut *conn, &select, &[id]).await;
    assert_eq!(back.rows[0], nulls);
}

#[tokio::test]
async fn values_convert_to_the_inferred_parameter_type() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    run(
        c,
        "CREATE TABLE conv (n INTEGER, s TEXT, x NUMERIC(10, 2), f DOUBLE PRECISION, ch CHAR(5))",
        &[],
    )
    .await;
    // Text into integer, int into text, float into numeric, int into double, text into bpchar.
    run(
        c,
        "INSERT INTO conv VALUES ($1, $2, $3, $4, $5)",
        &[
            Value::from("42"),
            Value::Int(7),
            Value::Float(2.5),
            Value::Int(3),
            Value::from("ab"),
        ],
    )
    .await;
    let r = run(c, "SELECT n, s, x, f, ch FROM conv", &[]).await;
    assert_eq!(
        r.rows[0],
        vec![
            Value::Int(42),
            Value::from("7"),
            Value::Decimal(Decimal::from_str("2.50").unwrap()),
            Value::Float(3.0),
            Value::from("ab   "),
        ]
    );
    // Untyped parameters are text; typed expressions read as their type.
    let r = run(
        c,
        "SELECT $1::int8 + 1, $2::text, $3::bool",
        &[Value::Int(41), Value::Int(5), Value::Bool(false)],
    )
    .await;
    assert_eq!(
        r.rows[0],
        vec![Value::Int(42), Value::from("5"), Value::Bool(false)]
    );
}

#[tokio::test]
async fn other_column_types_decode() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    run(c, "CREATE TYPE mood AS ENUM ('happy', 'sad')", &[]).await;
    run(c, "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)", &[]).await;
    run(c, "CREATE TABLE feelings (m mood, p posint)", &[]).await;
    run(
        c,
        "INSERT INTO feelings VALUES ($1, $2)",
        &[Value::from("sad"), Value::Int(5)],
    )
    .await;
    let r = run(c, "SELECT m, p FROM feelings", &[]).await;
    assert_eq!(r.rows[0], vec![Value::from("sad"), Value::Int(5)]);

    let r = run(
        c,
        "SELECT 'pg_class'::regclass::oid = 1259, 'pg_class'::regclass, 'r'::\"char\", \
         '1 day 02:03:04.5'::interval, '192.168.0.1/24'::inet, '::1'::inet, \
         ARRAY[1, 2, NULL]::int4[], ARRAY['a', 'b']::text[], 'x'::name, NULL::int4, \
         'NaN'::numeric, 'infinity'::numeric, '12:00:00+02'::timetz, pg_sleep(0)",
        &[],
    )
    .await;
    let mut row = r.rows[0].clone();
    assert!(
        matches!(row[10], Value::Float(f) if f.is_nan()),
        "{:?}",
        row[10]
    );
    row[10] = Value::Null; // NaN != NaN
    assert_eq!(
        row,
        vec![
            Value::Bool(true),
            Value::Int(1259),
            Value::from("r"),
            Value::from("1 day 02:03:04.5"),
            Value::from("192.168.0.1/24"),
            Value::from("::1"),
            Value::Json(serde_json::json!([1, 2, null])),
            Value::Json(serde_json::json!(["a", "b"])),
            Value::from("x"),
            Value::Null,
            Value::Null,
            Value::Float(f64::INFINITY),
            Value::from("12:00:00+02"),
            Value::Null,
        ]
    );
    // A type without a decoder is a DataError naming it.
    let e = c
        .execute(Statement::new("SELECT point(1, 2) AS p", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(e, oxalchemy_core::Error::DataError { .. }), "{e}");
    assert!(e.to_string().contains("point"), "{e}");
    // The connection is still in sync afterwards.
    assert_eq!(run(c, "SELECT 1", &[]).await.rows[0], vec![Value::Int(1)]);
}

#[tokio::test]
async fn hostile_text_is_only_data() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    run(c, "CREATE TABLE victims (id INTEGER)", &[]).await;
    run(c, "INSERT INTO victims VALUES (1)", &[]).await;
    run(c, "CREATE TABLE notes (body TEXT)", &[]).await;
    let texts = [
        "O'Reilly",
        "it''s",
        "semi;colon",
        "'; DROP TABLE victims; --",
        "\"; DROP TABLE victims; --",
        "\"double\" quotes",
        "back\\slash \\' \\x00",
        "$1 $2 ? %s :name",
        "line\nbreak\ttab",
        "",
    ];
    for t in texts {
        run(c, "INSERT INTO notes (body) VALUES ($1)", &[Value::from(t)]).await;
        let r = run(
            c,
            "SELECT body FROM notes WHERE body = $1",
            &[Value::from(t)],
        )
        .await;
        assert_eq!(r.rows, vec![vec![Value::from(t)]], "{t:?}");
    }
    let r = run(c, "SELECT count(*) FROM victims", &[]).await;
    assert_eq!(r.rows[0][0], Value::Int(1));
    let r = run(c, "SELECT count(*) FROM notes", &[]).await;
    assert_eq!(r.rows[0][0], Value::Int(texts.len() as i64));
}

#[tokio::test]
async fn every_byte_value_round_trips_through_bytea() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    run(
        c,
        "CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BYTEA)",
        &[],
    )
    .await;
    let all: Vec<u8> = (0..=255u8).collect();
    let reversed: Vec<u8> = all.iter().rev().copied().collect();
    for (i, data) in [all.clone(), reversed, Vec::new(), vec![0; 1000]]
        .into_iter()
        .enumerate()
    {
        run(
            c,
            "INSERT INTO blobs VALUES ($1, $2)",
            &[Value::Int(i as i64), Value::Bytes(data.clone())],
        )
        .await;
        let r = run(
            c,
            "SELECT data, length(data) FROM blobs WHERE id = $1",
            &[Value::Int(i as i64)],
        )
        .await;
        assert_eq!(
            r.rows[0],
            vec![Value::Bytes(data.clone()), Value::Int(data.len() as i64)]
        );
    }
    // Each byte individually, compared on the server.
    let r = run(
        c,
        "SELECT bool_and(get_byte($1, i) = i) FROM generate_series(0, 255) AS i",
        &[Value::Bytes(all)],
    )
    .await;
    assert_eq!(r.rows[0][0], Value::Bool(true));
}

#[tokio::test]
async fn naive_datetime_edges() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    let old = NaiveDateTime::parse_from_str("0001-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let r = run(c, "SELECT $1::timestamp", &[Value::DateTime(old)]).await;
    assert_eq!(r.rows[0][0], Value::DateTime(old));
    let e = c
        .execute(Statement::new("SELECT 'infinity'::timestamp", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(e, oxalchemy_core::Error::DataError { .. }), "{e}");
}
