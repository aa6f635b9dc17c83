//! search_path from the URL, schema-qualified tables and has_table_query.

use crate::support::{TestDb, base_url, run, url_with};
use oxalchemy_core::{Dialect, Driver, Value};
use oxalchemy_postgres::{PostgresDialect, PostgresDriver};

#[tokio::test]
async fn url_options_reach_the_session() {
    let db = TestDb::new().await;
    let mut conn = db.boxed().await;
    let r = run(
        &mut *conn,
        "SELECT current_schema(), current_setting('application_name')",
        &[],
    )
    .await;
    assert_eq!(
        r.rows[0],
        vec![
            Value::from(db.schema.as_str()),
            Value::from(db.schema.as_str())
        ]
    );
}

#[tokio::test]
async fn schema_qualified_tables() {
    let db = TestDb::new().await;
    let other = TestDb::new().await;
    let mut conn = db.boxed().await;
    let c = &mut *conn;
    let d = PostgresDialect;
    let mut qualified = String::new();
    d.write_identifier(&other.schema, &mut qualified);
    qualified.push('.');
    d.write_identifier("Accounts", &mut qualified);
    assert!(qualified.ends_with(".\"Accounts\""), "{qualified}");

    run(
        c,
        &format!("CREATE TABLE {qualified} (id INTEGER PRIMARY KEY, \"user\" TEXT)"),
        &[],
    )
    .await;
    run(
        c,
        &format!("INSERT INTO {qualified} VALUES ($1, $2)"),
        &[Value::Int(1), Value::from("sandy")],
    )
    .await;
    let r = run(
        c,
        &format!("SELECT \"user\" FROM {qualified} WHERE id = $1"),
        &[Value::Int(1)],
    )
    .await;
    assert_eq!(r.rows, vec![vec![Value::from("sandy")]]);

    // has_table: the other schema only when named, the current schema by default.
    let (sql, params) = d.has_table_query(Some(&other.schema), "Accounts");
    assert_eq!(run(c, &sql, &params).await.rows.len(), 1);
    let (sql, params) = d.has_table_query(None, "Accounts");
    assert!(run(c, &sql, &params).await.rows.is_empty());
    run(c, "CREATE TABLE local_t (id INTEGER)", &[]).await;
    let (sql, params) = d.has_table_query(None, "local_t");
    assert_eq!(run(c, &sql, &params).await.rows.len(), 1);
    let (sql, params) = d.has_table_query(Some(&db.schema), "local_t");
    assert_eq!(run(c, &sql, &params).await.rows.len(), 1);
    let (sql, params) = d.has_table_query(Some(&other.schema), "local_t");
    assert!(run(c, &sql, &params).await.rows.is_empty());
    // Views count as tables too.
    run(c, "CREATE VIEW local_v AS SELECT id FROM local_t", &[]).await;
    let (sql, params) = d.has_table_query(None, "local_v");
    assert_eq!(run(c, &sql, &params).await.rows.len(), 1);
}

#[tokio::test]
async fn the_driver_reports_its_dialect_and_masked_url() {
    let url = url_with(&base_url(), &[("application_name", "oxa test")]);
    let driver = PostgresDriver::from_url(&url).unwrap();
    assert_eq!(driver.dialect().name(), "postgresql");
    assert!(driver.display_url().contains("application_name=oxa%20test"));
    let mut conn = driver.connect().await.unwrap();
    let r = run(
        &mut *conn,
        "SELECT current_setting('application_name')",
        &[],
    )
    .await;
    assert_eq!(r.rows[0][0], Value::from("oxa test"));
}
