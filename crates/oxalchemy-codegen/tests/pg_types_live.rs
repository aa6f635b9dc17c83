//! PostgreSQL's own types through the generator: a native enum, arrays, json and jsonb,
//! interval and inet (no Rust field type: String with a note), timestamptz with a SQL
//! default. The output must equal tests/golden/pg_types.rs, which this test compiles and
//! uses: every column reads, and the columns a field type binds write.

#![allow(missing_docs)]

#[path = "../../../tests/common/mod.rs"]
mod common;
mod support;

#[allow(dead_code, missing_docs)]
#[path = "golden/pg_types.rs"]
mod pg_types;

use common::{Backend, TestDb};
use oxalchemy::prelude::*;
use support::golden::assert_golden;

const DDL: &[&str] = &[
    "CREATE TYPE mood AS ENUM ('happy', 'sad')",
    "CREATE TABLE everything (
        id BIGSERIAL PRIMARY KEY,
        m mood,
        tags INTEGER[],
        doc JSONB,
        j JSON,
        u UUID NOT NULL,
        span INTERVAL,
        at TIMESTAMPTZ DEFAULT now(),
        b BYTEA,
        r REAL,
        d DOUBLE PRECISION,
        s SMALLINT,
        n NUMERIC(8, 3),
        day DATE,
        t TIME,
        c CHAR(3),
        x TEXT,
        ip INET
    )",
    "INSERT INTO everything (m, tags, doc, j, u, span, b, r, d, s, n, day, t, c, x, ip)
     VALUES ('happy', '{1,2}', '{\"a\": 1}', '[1]', '00000000-0000-0000-0000-000000000007',
             '1 day', '\\x0102', 1.5, 2.5, 3, 1.234, '2020-01-02', '03:04:05', 'ab', 'text',
             '10.0.0.1')",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_types_generate_read_and_write() -> oxalchemy::Result<()> {
    let Some(db) = TestDb::open(Backend::Postgres).await else {
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
    let code = oxalchemy_codegen::generate_metadata(&metadata, "PostgreSQL's types");
    assert_golden("pg_types.rs", &code);

    use pg_types::*;
    support::same_tables::assert_models_match(Base::metadata(), &metadata);
    let mut session = Session::new(&db.engine);
    let row: Everything = session.get::<Everything>(1).await?.expect("row 1");
    assert_eq!(row.m.as_deref(), Some("happy"));
    assert_eq!(row.tags, Some(serde_json::json!([1, 2])));
    assert_eq!(row.doc, Some(serde_json::json!({"a": 1})));
    assert_eq!(row.j, Some(serde_json::json!([1])));
    assert_eq!(row.u, uuid::Uuid::from_u128(7));
    assert_eq!(row.span.as_deref(), Some("1 day"));
    assert!(row.at.is_some(), "the SQL default applied");
    assert_eq!(row.b.as_deref(), Some(&[1u8, 2][..]));
    assert_eq!(row.n, Some("1.234".parse().unwrap()));
    assert_eq!(row.c.as_deref(), Some("ab "));
    assert_eq!(row.ip.as_deref(), Some("10.0.0.1"));

    let saved = session
        .save(Everything {
            m: Some("sad".into()),
            doc: Some(serde_json::json!({"k": 1})),
            j: Some(serde_json::json!({"k": 2})),
            u: uuid::Uuid::from_u128(8),
            x: Some("new".into()),
            n: Some("2.5".parse().unwrap()),
            ..Default::default()
        })
        .await?;
    session.commit().await?;
    let again = Session::new(&db.engine)
        .get::<Everything>(saved.id)
        .await?
        .expect("saved row");
    assert_eq!(again.m.as_deref(), Some("sad"));
    // `at` was None: the INSERT left it out, so its `server_default_sql = "now()"` applied.
    assert!(
        again.at.is_some(),
        "the SQL default applies to a model's INSERT too"
    );
    // Several rows in one flush: one INSERT whose parameters are cast to the native enum type.
    let mut many = Session::new(&db.engine);
    many.add_all((11..14).map(|i| Everything {
        m: Some(if i % 2 == 0 { "happy" } else { "sad" }.into()),
        u: uuid::Uuid::from_u128(i),
        ..Default::default()
    }));
    many.commit().await?;
    let moods: Vec<Option<String>> = many
        .scalars(
            select(Everything::M)
                .filter(Everything::U.in_([
                    uuid::Uuid::from_u128(11),
                    uuid::Uuid::from_u128(12),
                    uuid::Uuid::from_u128(13),
                ]))
                .order_by(Everything::U),
        )
        .all()
        .await?;
    assert_eq!(
        moods,
        [Some("sad".into()), Some("happy".into()), Some("sad".into())]
    );
    assert_eq!(again.j, Some(serde_json::json!({"k": 2})));
    assert_eq!(again.n, Some("2.5".parse().unwrap()));
    Ok(())
}
