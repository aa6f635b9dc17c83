//! Server detection and session setup.

use crate::support::{TestDb, exec};
use oxalchemy_core::Statement;
use oxalchemy_core::{Driver, FromValue, Value};
use oxalchemy_mysql::{DEFAULT_SQL_MODE, ServerFlavor};

#[tokio::test]
async fn flavour_is_detected_on_first_connect() {
    let db = TestDb::new("flavour").await;
    let dialect = db.driver.dialect();
    assert!(!db.driver.mysql_dialect().is_server_detected());
    let mut conn = db.connect().await;
    let info = db.driver.mysql_dialect().server_info();
    assert!(db.driver.mysql_dialect().is_server_detected());
    let version: String = {
        let r = exec(&mut conn, "SELECT VERSION()", &[]).await;
        r.rows[0][0].to_string()
    };
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    assert_eq!(
        info.flavor == ServerFlavor::MariaDb,
        mariadb,
        "{info} vs {version}"
    );
    // The Arc handed out before the connection sees the detected server.
    assert_eq!(dialect.supports_returning(), info.supports_returning());
    assert_eq!(
        dialect.supports_intersect_except(),
        info.supports_intersect_except()
    );
    if mariadb && info.version >= (10, 5, 0) {
        assert!(
            dialect.supports_returning(),
            "MariaDB {info} has INSERT .. RETURNING"
        );
        exec(
            &mut conn,
            "CREATE TABLE r (id INTEGER AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10))",
            &[],
        )
        .await;
        let r = exec(
            &mut conn,
            "INSERT INTO r (name) VALUES (?), (?), (?) RETURNING id, name",
            &[Value::from("a"), Value::from("b"), Value::from("c")],
        )
        .await;
        assert_eq!(r.columns.names(), ["id", "name"]);
        assert_eq!(
            r.rows,
            vec![
                vec![Value::Int(1), Value::from("a")],
                vec![Value::Int(2), Value::from("b")],
                vec![Value::Int(3), Value::from("c")],
            ]
        );
        assert_eq!(r.rows_affected, 3);
        let r = exec(
            &mut conn,
            "DELETE FROM r WHERE id > ? RETURNING name",
            &[Value::Int(1)],
        )
        .await;
        assert_eq!(r.rows, vec![vec![Value::from("b")], vec![Value::from("c")]]);
        assert_eq!(r.rows_affected, 2);
    }
    if info.supports_intersect_except() {
        let r = exec(
            &mut conn,
            "SELECT 1 AS x UNION SELECT 2 INTERSECT SELECT 2",
            &[],
        )
        .await;
        assert!(!r.rows.is_empty());
    }
}

#[tokio::test]
async fn session_is_set_up() {
    let db = TestDb::new("session").await;
    let mut conn = db.connect().await;
    let r = exec(
        &mut conn,
        "SELECT @@session.time_zone, @@session.sql_mode, @@character_set_client, @@character_set_results, @@character_set_connection",
        &[],
    )
    .await;
    let row: Vec<String> = r.rows[0]
        .iter()
        .map(|v| match v {
            Value::Text(s) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(row[0], "+00:00");
    for mode in DEFAULT_SQL_MODE.split(',') {
        assert!(
            row[1].split(',').any(|m| m == mode),
            "{mode} missing from {}",
            row[1]
        );
    }
    assert!(!row[1].contains("NO_BACKSLASH_ESCAPES"));
    assert_eq!(&row[2..], ["utf8mb4", "utf8mb4", "utf8mb4"]);
    // NOW() is UTC.
    let r = exec(
        &mut conn,
        "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())",
        &[],
    )
    .await;
    assert_eq!(r.rows[0][0], Value::Int(0));
}

#[tokio::test]
async fn url_options_reach_the_session() {
    let db = TestDb::new("options").await;
    let mut url = url::Url::parse(&crate::support::base_url()).unwrap();
    url.set_path(db.name());
    url.query_pairs_mut()
        .append_pair("sql_mode", "STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES")
        .append_pair("time_zone", "+02:00")
        .append_pair("init_command", "SET @oxa=42")
        .append_pair("stmt_cache_size", "2");
    let driver = oxalchemy_mysql::MysqlDriver::from_url(url.as_str()).unwrap();
    let mut conn = driver.connect().await.unwrap();
    let r = conn
        .execute(Statement::new(
            "SELECT @@session.time_zone, @@session.sql_mode, @oxa",
            vec![],
        ))
        .await
        .unwrap();
    assert_eq!(r.rows[0][0], Value::from("+02:00"));
    let mut modes: Vec<String> = String::from_value(&r.rows[0][1])
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    modes.sort();
    assert_eq!(modes, ["NO_BACKSLASH_ESCAPES", "STRICT_ALL_TABLES"]);
    assert_eq!(r.rows[0][2], Value::Int(42));
    // The dialect writes literals for that mode.
    let mut literal = String::new();
    driver
        .dialect()
        .write_string_literal(r"a\b'c", &mut literal);
    assert_eq!(literal, r"'a\b''c'");
    let r = conn
        .execute(Statement::new(format!("SELECT {literal}"), vec![]))
        .await
        .unwrap();
    assert_eq!(r.rows[0][0], Value::from(r"a\b'c"));
    // A tiny statement cache still runs many statements.
    for i in 0..10 {
        let r = conn
            .execute(Statement::new(
                format!("SELECT {i} + ?"),
                vec![Value::Int(1)],
            ))
            .await
            .unwrap();
        assert_eq!(r.rows[0][0], Value::Int(i + 1));
    }
}
