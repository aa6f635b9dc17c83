//! Every `Value` through a column of its declared type, and back.

use crate::support::{TestDb, exec};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use oxalchemy_core::sql_type::Enum;
use oxalchemy_core::{Driver, FromValue, SqlType, Value};
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

fn decode<T: FromValue>(v: &Value) -> T {
    T::from_value(v).unwrap_or_else(|e| panic!("cannot decode {v:?}: {e:?}"))
}

#[tokio::test]
async fn every_value_round_trips() {
    let db = TestDb::new("roundtrip").await;
    let dialect = db.driver.dialect();
    let columns: Vec<(&str, SqlType)> = vec![
        ("b", SqlType::Boolean),
        ("i", SqlType::Integer),
        ("bi", SqlType::BigInteger),
        ("si", SqlType::SmallInteger),
        ("f", SqlType::Float),
        ("d", SqlType::Double),
        ("n", SqlType::Numeric(20, 6)),
        ("v", SqlType::Varchar(Some(40))),
        ("t", SqlType::Text),
        ("dt", SqlType::Date),
        ("tm", SqlType::Time),
        ("ts", SqlType::DateTime),
        ("tz", SqlType::Timestamp),
        ("u", SqlType::Uuid),
        ("j", SqlType::Json),
        ("bl", SqlType::LargeBinary),
        ("e", Enum::new("mood", ["happy", "sad"]).into()),
    ];
    let ddl = format!(
        "CREATE TABLE vals (id INTEGER NOT NULL PRIMARY KEY, {})",
        columns
            .iter()
            .map(|(n, t)| format!("{n} {}", dialect.type_name(t, false)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut conn = db.connect().await;
    exec(&mut conn, &ddl, &[]).await;

    let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let time = NaiveTime::from_hms_micro_opt(23, 59, 58, 123_456).unwrap();
    let datetime = NaiveDateTime::new(date, time);
    let stamp: DateTime<Utc> = Utc.with_ymd_and_hms(2099, 12, 31, 1, 2, 3).unwrap();
    let uuid = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
    let json = serde_json::json!({"a": [1, 2.5, null, "x"], "b": {"c": true}});
    let decimal = Decimal::from_str("-12345678901234.123456").unwrap();
    let values = vec![
        Value::Int(1),
        Value::Bool(true),
        Value::Int(-2_147_483_648),
        Value::Int(i64::MAX),
        Value::Int(-32768),
        Value::Float(0.1),
        Value::Float(std::f64::consts::PI),
        Value::Decimal(decimal),
        Value::from("héllo wörld ✓ 🦀"),
        Value::from("long ".repeat(1000)),
        Value::Date(date),
        Value::Time(time),
        Value::DateTime(datetime),
        Value::Timestamp(stamp),
        Value::Uuid(uuid),
        Value::Json(json.clone()),
        Value::Bytes(vec![0, 1, 2, 254, 255]),
        Value::from("sad"),
    ];
    let placeholders = vec!["?"; values.len()].join(", ");
    let names = columns
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ");
    let insert = format!("INSERT INTO vals (id, {names}) VALUES ({placeholders})");
    let r = exec(&mut conn, &insert, &values).await;
    assert_eq!(r.rows_affected, 1);

    let r = exec(
        &mut conn,
        &format!("SELECT {names} FROM vals WHERE id = ?"),
        &[Value::Int(1)],
    )
    .await;
    assert_eq!(
        r.columns.names(),
        columns
            .iter()
            .map(|(n, _)| n.to_string())
            .collect::<Vec<_>>()
    );
    let row = &r.rows[0];
    assert_eq!(row[0], Value::Bool(true));
    assert_eq!(row[1], Value::Int(-2_147_483_648));
    assert_eq!(row[2], Value::Int(i64::MAX));
    assert_eq!(row[3], Value::Int(-32768));
    assert_eq!(
        row[4],
        Value::Float(0.1),
        "FLOAT reads back by its shortest form"
    );
    assert_eq!(decode::<f32>(&row[4]), 0.1_f32);
    assert_eq!(row[5], Value::Float(std::f64::consts::PI));
    assert_eq!(row[6], Value::Decimal(decimal));
    assert_eq!(row[7], Value::from("héllo wörld ✓ 🦀"));
    assert_eq!(row[8], Value::from("long ".repeat(1000)));
    assert_eq!(row[9], Value::Date(date));
    assert_eq!(row[10], Value::Time(time));
    assert_eq!(row[11], Value::DateTime(datetime));
    // Timestamp is DATETIME(6) holding UTC: it reads back as a DateTime.
    assert_eq!(decode::<DateTime<Utc>>(&row[12]), stamp);
    assert_eq!(decode::<Uuid>(&row[13]), uuid);
    assert_eq!(decode::<serde_json::Value>(&row[14]), json);
    assert_eq!(row[15], Value::Bytes(vec![0, 1, 2, 254, 255]));
    assert_eq!(row[16], Value::from("sad"));

    // NULL in every column.
    let nulls = vec![Value::Null; columns.len()];
    let mut params = vec![Value::Int(2)];
    params.extend(nulls);
    exec(&mut conn, &insert, &params).await;
    let r = exec(
        &mut conn,
        &format!("SELECT {names} FROM vals WHERE id = 2"),
        &[],
    )
    .await;
    assert!(r.rows[0].iter().all(Value::is_null), "{:?}", r.rows[0]);

    // The text protocol (CALL is not prepared) decodes to the same values.
    let r = exec(
        &mut conn,
        &format!("SELECT {names} FROM vals WHERE id = 1"),
        &[],
    )
    .await;
    let prepared = r.rows[0].clone();
    exec(
        &mut conn,
        &format!("CREATE PROCEDURE read_vals() SELECT {names} FROM vals WHERE id = 1"),
        &[],
    )
    .await;
    let r = exec(&mut conn, "CALL read_vals()", &[]).await;
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0], prepared);
}

const NASTY: &[&str] = &[
    "it's",
    "\"double\"",
    r"back\slash",
    r"trailing\",
    r"\'",
    "semi;colon",
    "'; DROP TABLE texts; --",
    "`backtick`",
    "new\nline\ttab\r",
    "nul\0byte",
    "percent % and underscore _",
    ":named ? qmark",
    "",
];

#[tokio::test]
async fn hostile_text_is_data() {
    let db = TestDb::new("hostile").await;
    let mut conn = db.connect().await;
    exec(
        &mut conn,
        "CREATE TABLE texts (id INTEGER NOT NULL PRIMARY KEY, body TEXT)",
        &[],
    )
    .await;
    for (i, s) in NASTY.iter().enumerate() {
        exec(
            &mut conn,
            "INSERT INTO texts (id, body) VALUES (?, ?)",
            &[Value::from(i as i64), Value::from(*s)],
        )
        .await;
    }
    let r = exec(&mut conn, "SELECT body FROM texts ORDER BY id", &[]).await;
    let back: Vec<String> = r.rows.iter().map(|row| decode(&row[0])).collect();
    assert_eq!(back, NASTY);
    // Lookups by the same text match exactly.
    for s in NASTY {
        let r = exec(
            &mut conn,
            "SELECT COUNT(*) FROM texts WHERE body = ?",
            &[Value::from(*s)],
        )
        .await;
        assert_eq!(r.rows[0][0], Value::Int(1), "{s:?}");
    }
}

#[tokio::test]
async fn string_literals_match_the_session_sql_mode() {
    // DDL cannot bind: server defaults are written as literals by the dialect.
    let db = TestDb::new("literals").await;
    let dialect = db.driver.dialect();
    let mut conn = db.connect().await;
    for (i, s) in NASTY.iter().enumerate() {
        let mut literal = String::new();
        dialect.write_string_literal(s, &mut literal);
        let table = format!("lit_{i}");
        exec(
            &mut conn,
            &format!("CREATE TABLE {table} (id INTEGER NOT NULL PRIMARY KEY, body VARCHAR(100) DEFAULT {literal})"),
            &[],
        )
        .await;
        exec(
            &mut conn,
            &format!("INSERT INTO {table} (id) VALUES (1)"),
            &[],
        )
        .await;
        let r = exec(&mut conn, &format!("SELECT body FROM {table}"), &[]).await;
        assert_eq!(decode::<String>(&r.rows[0][0]), *s, "literal {literal}");
        let r = exec(&mut conn, &format!("SELECT {literal}"), &[]).await;
        assert_eq!(decode::<String>(&r.rows[0][0]), *s, "literal {literal}");
    }
}

#[tokio::test]
async fn every_byte_in_a_longblob() {
    let db = TestDb::new("bytes").await;
    let dialect = db.driver.dialect();
    let mut conn = db.connect().await;
    let ddl = format!(
        "CREATE TABLE blobs (id INTEGER NOT NULL PRIMARY KEY, data {})",
        dialect.type_name(&SqlType::LargeBinary, false)
    );
    exec(&mut conn, &ddl, &[]).await;
    let all: Vec<u8> = (0..=255u8).collect();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    exec(
        &mut conn,
        "INSERT INTO blobs (id, data) VALUES (?, ?), (?, ?)",
        &[
            Value::Int(1),
            Value::Bytes(all.clone()),
            Value::Int(2),
            Value::Bytes(big.clone()),
        ],
    )
    .await;
    let r = exec(
        &mut conn,
        "SELECT data, LENGTH(data) FROM blobs ORDER BY id",
        &[],
    )
    .await;
    assert_eq!(r.rows[0][0], Value::Bytes(all));
    assert_eq!(r.rows[0][1], Value::Int(256));
    assert_eq!(r.rows[1][0], Value::Bytes(big));
    let r = exec(
        &mut conn,
        "SELECT id FROM blobs WHERE data = ?",
        &[Value::Bytes((0..=255u8).collect())],
    )
    .await;
    assert_eq!(r.rows, vec![vec![Value::Int(1)]]);
}
