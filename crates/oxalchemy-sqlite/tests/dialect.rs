//! The SQLite dialect's spelling rules, checked as strings and against SQLite.

mod common;

use common::{batch, memory, run};
use oxalchemy_core::{Dialect, SqlType, Value};
use oxalchemy_sqlite::SqliteDialect;

fn ident(s: &str) -> String {
    let mut out = String::new();
    SqliteDialect.write_identifier(s, &mut out);
    out
}

#[test]
fn write_identifier_quotes_when_needed() {
    assert_eq!(ident("users"), "users");
    assert_eq!(ident("user_id2"), "user_id2");
    // Reserved words, common and SQLite-specific.
    assert_eq!(ident("order"), "\"order\"");
    assert_eq!(ident("select"), "\"select\"");
    assert_eq!(ident("pragma"), "\"pragma\"");
    assert_eq!(ident("vacuum"), "\"vacuum\"");
    assert_eq!(ident("glob"), "\"glob\"");
    // Mixed case, spaces, leading digits, embedded quotes.
    assert_eq!(ident("UserName"), "\"UserName\"");
    assert_eq!(ident("first name"), "\"first name\"");
    assert_eq!(ident("1st"), "\"1st\"");
    assert_eq!(ident("we\"ird"), "\"we\"\"ird\"");
    assert_eq!(ident(""), "\"\"");
}

#[test]
fn dialect_flags_and_names() {
    let d = SqliteDialect::new();
    assert_eq!(d.name(), "sqlite");
    assert_eq!(d.quote_char(), '"');
    let mut p = String::new();
    d.write_placeholder(3, &mut p);
    assert_eq!(p, "?");
    assert!(d.supports_returning() && d.supports_full_outer_join() && d.supports_nulls_ordering());
    assert!(!d.supports_ilike() && !d.parenthesize_compound_members());
    assert!(d.inline_autoincrement_primary_key());
    assert_eq!(d.autoincrement_column(&SqlType::BigInteger), "INTEGER");
    assert_eq!(d.limit_for_offset_only(), Some("-1"));
    assert_eq!(
        (d.boolean_literal(true), d.boolean_literal(false)),
        ("1", "0")
    );
    let names: Vec<String> = [
        SqlType::Integer,
        SqlType::BigInteger,
        SqlType::SmallInteger,
        SqlType::Varchar(Some(30)),
        SqlType::Varchar(None),
        SqlType::Text,
        SqlType::Boolean,
        SqlType::Float,
        SqlType::Double,
        SqlType::Numeric(10, 2),
        SqlType::Date,
        SqlType::Time,
        SqlType::DateTime,
        SqlType::Timestamp,
        SqlType::Uuid,
        SqlType::Json,
        SqlType::LargeBinary,
    ]
    .iter()
    .map(|t| d.type_name(t, false))
    .collect();
    assert_eq!(
        names,
        [
            "INTEGER",
            "BIGINT",
            "SMALLINT",
            "VARCHAR(30)",
            "TEXT",
            "TEXT",
            "BOOLEAN",
            "REAL",
            "DOUBLE",
            "NUMERIC(10, 2)",
            "DATE",
            "TIME",
            "DATETIME",
            "TIMESTAMP",
            "UUID",
            "JSON",
            "BLOB"
        ]
    );
    assert_eq!(d.cast_type_name(&SqlType::Date), "TEXT");
}

#[tokio::test]
async fn casts_keep_text_values() {
    let (_driver, mut c) = memory().await;
    let sql = format!(
        "SELECT CAST(? AS {})",
        SqliteDialect.cast_type_name(&SqlType::Date)
    );
    let r = run(&mut c, &sql, &[Value::from("2024-01-02")]).await;
    assert_eq!(r.rows[0][0], Value::from("2024-01-02"));
}

#[tokio::test]
async fn has_table_query_runs_against_sqlite() {
    let (_driver, mut c) = memory().await;
    batch(
        &mut c,
        "CREATE TABLE present (x INTEGER); CREATE TEMP TABLE scratch (y INTEGER)",
    )
    .await;
    batch(&mut c, "ATTACH DATABASE ':memory:' AS \"other db\"").await;
    batch(&mut c, "CREATE TABLE \"other db\".elsewhere (z INTEGER)").await;
    for (schema, table, exists) in [
        (None, "present", true),
        (None, "scratch", true),
        (None, "absent", false),
        (None, "elsewhere", false),
        (Some("main"), "present", true),
        (Some("other db"), "elsewhere", true),
        (Some("other db"), "present", false),
    ] {
        let (sql, params) = SqliteDialect.has_table_query(schema, table);
        let r = run(&mut c, &sql, &params).await;
        assert_eq!(!r.rows.is_empty(), exists, "{schema:?}.{table}: {sql}");
    }
}

#[tokio::test]
async fn inline_autoincrement_key_is_a_rowid_alias() {
    let (_driver, mut c) = memory().await;
    let d = SqliteDialect;
    let ddl = format!(
        "CREATE TABLE {} ({} {} PRIMARY KEY, name TEXT)",
        ident("order"),
        ident("ID"),
        d.autoincrement_column(&SqlType::BigInteger)
    );
    batch(&mut c, &ddl).await;
    let r = run(
        &mut c,
        "INSERT INTO \"order\" (name) VALUES (?) RETURNING \"ID\"",
        &[Value::from("x")],
    )
    .await;
    assert_eq!(r.rows[0][0], Value::Int(1));
    assert_eq!(r.last_insert_id, Some(1));
}
