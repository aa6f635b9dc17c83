//! MySQL/MariaDB's own types through the generator: TINYINT, unsigned integers, MEDIUMINT,
//! TINYINT(1) as bool, ENUM, SET, JSON, YEAR, BIT, BLOB, VARBINARY, LONGTEXT. The output must
//! equal tests/golden/mysql_types.rs, which this test compiles and uses: a row written by
//! SQL reads back, and a row written through the model reads back as written.

#![allow(missing_docs)]

#[path = "../../../tests/common/mod.rs"]
mod common;
mod support;

#[allow(dead_code, missing_docs)]
#[path = "golden/mysql_types.rs"]
mod mysql_types;

use common::{Backend, TestDb};
use oxalchemy::prelude::*;
use support::golden::assert_golden;

const DDL: &[&str] = &[
    "CREATE TABLE everything (
        id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED,
        su SMALLINT UNSIGNED, mu MEDIUMINT, iu INT UNSIGNED, flag TINYINT(1) NOT NULL DEFAULT 0,
        m ENUM('happy', 'sad') DEFAULT 'happy', st SET('a', 'b'), j JSON, dec_ DECIMAL(8, 3),
        f FLOAT, d DOUBLE, dt DATETIME, ts TIMESTAMP NULL, day DATE, t TIME, b BLOB, c CHAR(3),
        y YEAR, bits BIT(3), lt LONGTEXT, vb VARBINARY(10)
    )",
    "INSERT INTO everything (ti, tu, su, mu, iu, m, st, j, dec_, f, d, dt, ts, day, t, b, c, y,
                             bits, lt, vb)
     VALUES (-1, 200, 60000, 5, 4000000000, 'sad', 'a,b', '{\"a\": 1}', 1.234, 1.5, 2.5,
             '2020-01-02 03:04:05', '2020-01-02 03:04:05', '2020-01-02', '03:04:05', x'0102',
             'ab', 2024, b'101', 'long', x'03')",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_types_generate_read_and_write() -> oxalchemy::Result<()> {
    let Some(db) = TestDb::open(Backend::Mysql).await else {
        return Ok(());
    };
    let mut conn = db.engine.connect().await?;
    for statement in DDL {
        conn.execute(text(statement)).await?;
    }
    conn.commit().await?;
    drop(conn);
    let metadata = MetaData::new();
    metadata.reflect(&db.engine).await?;
    let code = oxalchemy_codegen::generate_metadata(&metadata, "MySQL's types");
    assert_golden("mysql_types.rs", &code);

    use mysql_types::*;
    support::same_tables::assert_models_match(Base::metadata(), &metadata);
    let mut session = Session::new(&db.engine);
    let row: Everything = session.get::<Everything>(1).await?.expect("row 1");
    assert_eq!(
        (row.ti, row.tu, row.su, row.mu, row.iu),
        (
            Some(-1),
            Some(200),
            Some(60000),
            Some(5),
            Some(4_000_000_000)
        )
    );
    assert!(!row.flag);
    assert_eq!(row.m.as_deref(), Some("sad"));
    assert_eq!(row.st.as_deref(), Some("a,b"));
    assert_eq!(row.j, Some(serde_json::json!({"a": 1})));
    assert_eq!(row.dec_, Some("1.234".parse().unwrap()));
    assert_eq!(row.b.as_deref(), Some(&[1u8, 2][..]));
    assert_eq!(row.c.as_deref(), Some("ab"));
    assert_eq!((row.y, row.bits), (Some(2024), Some(5)));
    assert_eq!(row.lt.as_deref(), Some("long"));
    assert_eq!(row.vb.as_deref(), Some(&[3u8][..]));

    let written = Everything {
        ti: Some(-2),
        tu: Some(250),
        su: Some(65000),
        mu: Some(7),
        iu: Some(4_100_000_000),
        flag: true,
        m: Some("happy".into()),
        st: Some("b".into()),
        j: Some(serde_json::json!([1])),
        b: Some(vec![9]),
        y: Some(2000),
        bits: Some(6),
        lt: Some("x".into()),
        vb: Some(vec![1]),
        ..Default::default()
    };
    let saved = session.save(written.clone()).await?;
    session.commit().await?;
    let again = Session::new(&db.engine)
        .get::<Everything>(saved.id)
        .await?
        .expect("saved row");
    assert_eq!(
        again,
        Everything {
            id: saved.id,
            ..written
        }
    );
    Ok(())
}
