//! DDL spelled by the dialect, run on the server.

use crate::support::{TestDb, exec};
use oxalchemy_core::Statement;
use oxalchemy_core::{Driver, Error, FromValue, IntegrityKind, SqlType, Value};

#[tokio::test]
async fn keyed_text_without_length_can_be_indexed() {
    let db = TestDb::new("keyed").await;
    let d = db.driver.dialect();
    let mut conn = db.connect().await;
    let ddl = format!(
        "CREATE TABLE tags (id {} NOT NULL, name {} NOT NULL, slug {}, note {}, \
         PRIMARY KEY (id), CONSTRAINT uq_tags_name UNIQUE (name), INDEX ix_tags_slug (slug))",
        d.autoincrement_column(&SqlType::Integer),
        d.type_name(&SqlType::Text, true),
        d.type_name(&SqlType::Varchar(None), true),
        d.type_name(&SqlType::Text, false),
    );
    exec(&mut conn, &ddl, &[]).await;
    // A text primary key too.
    let ddl = format!(
        "CREATE TABLE codes (code {} NOT NULL PRIMARY KEY)",
        d.type_name(&SqlType::Text, true)
    );
    exec(&mut conn, &ddl, &[]).await;

    let r = exec(
        &mut conn,
        "INSERT INTO tags (name, slug, note) VALUES (?, ?, ?)",
        &[
            Value::from("rust"),
            Value::from("rust"),
            Value::from("x".repeat(10_000)),
        ],
    )
    .await;
    assert_eq!(r.last_insert_id, Some(1));
    let r = exec(
        &mut conn,
        "INSERT INTO tags (name) VALUES (?), (?)",
        &[Value::from("sql"), Value::from("orm")],
    )
    .await;
    assert_eq!(r.rows_affected, 2);
    assert_eq!(
        r.last_insert_id,
        Some(2),
        "LAST_INSERT_ID is the first id of a multi-row insert"
    );
    let e = conn
        .execute(Statement::new(
            "INSERT INTO tags (name) VALUES (?)",
            vec![Value::from("rust")],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.integrity_kind(), Some(IntegrityKind::Unique));
    assert!(
        matches!(&e, Error::IntegrityError { constraint: Some(c), .. } if c == "uq_tags_name"),
        "{e}"
    );

    let r = exec(
        &mut conn,
        "SELECT index_name, non_unique FROM information_schema.statistics \
         WHERE table_schema = DATABASE() AND table_name = ? ORDER BY index_name",
        &[Value::from("tags")],
    )
    .await;
    let mut names: Vec<String> = r
        .rows
        .iter()
        .map(|row| String::from_value(&row[0]).unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["PRIMARY", "ix_tags_slug", "uq_tags_name"]);
}

#[tokio::test]
async fn has_table_and_affected_rows() {
    let db = TestDb::new("hastable").await;
    let d = db.driver.dialect();
    let mut conn = db.connect().await;
    let (sql, params) = d.has_table_query(None, "things");
    assert!(exec(&mut conn, &sql, &params).await.rows.is_empty());
    let ddl = format!(
        "CREATE TABLE things (id {} PRIMARY KEY, flag {} NOT NULL DEFAULT {})",
        d.autoincrement_column(&SqlType::BigInteger),
        d.type_name(&SqlType::Boolean, false),
        d.boolean_literal(false)
    );
    exec(&mut conn, &ddl, &[]).await;
    assert_eq!(exec(&mut conn, &sql, &params).await.rows.len(), 1);
    let (sql, params) = d.has_table_query(Some(db.name()), "things");
    assert_eq!(exec(&mut conn, &sql, &params).await.rows.len(), 1);

    // An insert of all defaults.
    let r = exec(
        &mut conn,
        &format!("INSERT INTO things {}", d.default_values_insert()),
        &[],
    )
    .await;
    assert_eq!((r.rows_affected, r.last_insert_id), (1, Some(1)));
    exec(
        &mut conn,
        &format!("INSERT INTO things {}", d.default_values_insert()),
        &[],
    )
    .await;
    let r = exec(&mut conn, "SELECT id, flag FROM things ORDER BY id", &[]).await;
    assert_eq!(
        r.rows,
        vec![
            vec![Value::Int(1), Value::Bool(false)],
            vec![Value::Int(2), Value::Bool(false)]
        ]
    );

    // UPDATE counts matched rows, also when the value does not change (read
    // from the info text: connections do not set CLIENT_FOUND_ROWS).
    let r = exec(
        &mut conn,
        "UPDATE things SET flag = ? WHERE id >= ?",
        &[Value::Bool(false), Value::Int(1)],
    )
    .await;
    assert_eq!(r.rows_affected, 2);
    let r = exec(
        &mut conn,
        "DELETE FROM things WHERE id = ?",
        &[Value::Int(2)],
    )
    .await;
    assert_eq!(r.rows_affected, 1);

    // OFFSET without LIMIT.
    let sql = format!(
        "SELECT id FROM things ORDER BY id LIMIT {} OFFSET 0",
        d.limit_for_offset_only().unwrap()
    );
    assert_eq!(
        exec(&mut conn, &sql, &[]).await.rows,
        vec![vec![Value::Int(1)]]
    );
}
