//! Reflection of each backend's own types and quirks: PostgreSQL arrays,
//! JSONB, UUID, native enums, identity columns, comments and cross-schema
//! foreign keys; MySQL unsigned integers, TINYINT(1), ENUM, SET, JSON and
//! comments; SQLite's rowid alias and unnamed constraints. Each ends with
//! the round trip (reflect -> drop -> create_all -> reflect -> equal).

mod common;

use common::Backend;
use oxalchemy::prelude::*;
use oxalchemy::{ReflectedColumn, ReflectedTable, SqlType};

async fn run_ddl(engine: &Engine, ddl: &[&str]) -> oxalchemy::Result<()> {
    let mut conn = engine.connect().await?;
    for stmt in ddl {
        conn.execute(text(*stmt)).await?;
    }
    conn.commit().await
}

fn col<'a>(t: &'a ReflectedTable, name: &str) -> &'a ReflectedColumn {
    t.columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name} in {t:?}"))
}

/// Reflect everything, drop it, recreate it from the reflected MetaData and
/// check the database reads back the same.
async fn assert_round_trip(engine: &Engine, table: &str) -> oxalchemy::Result<ReflectedTable> {
    let insp = inspect(engine).await?;
    let before = insp.reflect_table(table).await?;
    let metadata = MetaData::new();
    metadata.reflect(engine).await?;
    metadata.drop_all(engine).await?;
    metadata.create_all(engine).await?;
    let after = insp.reflect_table(table).await?;
    assert_eq!(before, after);
    Ok(after)
}

backend_tests! {
    async fn backend_specific_types_are_kept(db) {
        match db.backend {
            Backend::Postgres => {
                run_ddl(&db.engine, &[
                    "CREATE TYPE mood AS ENUM ('happy', 'sad')",
                    "CREATE TABLE things (
                        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        tags TEXT[],
                        scores INTEGER[] NOT NULL,
                        doc JSONB,
                        raw JSON,
                        uid UUID DEFAULT gen_random_uuid(),
                        m mood,
                        code CHAR(3),
                        span INTERVAL,
                        status VARCHAR(10) DEFAULT 'new',
                        created TIMESTAMPTZ DEFAULT now()
                    )",
                    "COMMENT ON TABLE things IS 'all the things'",
                    "COMMENT ON COLUMN things.doc IS 'the document'",
                ]).await?;
                let t = inspect(&db.engine).await?.reflect_table("things").await?;
                assert_eq!(t.comment.as_deref(), Some("all the things"));
                let id = col(&t, "id");
                assert_eq!((&id.sql_type, id.autoincrement, &id.default), (&SqlType::BigInteger, true, &None));
                assert_eq!(col(&t, "tags").sql_type, SqlType::Array(Box::new(SqlType::Text)));
                assert_eq!(col(&t, "scores").sql_type, SqlType::Array(Box::new(SqlType::Integer)));
                assert!(!col(&t, "scores").nullable);
                assert_eq!(col(&t, "doc").sql_type, SqlType::Jsonb);
                assert_eq!(col(&t, "doc").comment.as_deref(), Some("the document"));
                assert_eq!(col(&t, "raw").sql_type, SqlType::Other("JSON".into()));
                assert_eq!(col(&t, "uid").sql_type, SqlType::Uuid);
                assert_eq!(col(&t, "uid").default.as_deref(), Some("gen_random_uuid()"));
                assert_eq!(col(&t, "m").sql_type, SqlType::Enum { name: "mood".into(), variants: vec!["happy".into(), "sad".into()], native: true });
                assert_eq!(col(&t, "code").sql_type, SqlType::Char(Some(3)));
                assert_eq!(col(&t, "span").sql_type, SqlType::Other("interval".into()));
                assert_eq!(col(&t, "status").default.as_deref(), Some("'new'::character varying"));
                assert_eq!(col(&t, "created").sql_type, SqlType::Timestamp);
                assert_eq!(col(&t, "created").default.as_deref(), Some("now()"));
                // The round trip drops and recreates the native enum type too.
                assert_round_trip(&db.engine, "things").await?;
                let labels: Vec<String> = db.engine.connect().await?
                    .execute(text("SELECT unnest(enum_range(NULL::mood))::text"))
                    .await?
                    .scalars()?;
                assert_eq!(labels, ["happy", "sad"]);
            }
            Backend::Mysql => {
                run_ddl(&db.engine, &[
                    "CREATE TABLE things (
                        id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
                        small TINYINT UNSIGNED NOT NULL DEFAULT 1,
                        flag BOOLEAN NOT NULL DEFAULT 0,
                        tiny TINYINT,
                        n INT UNSIGNED,
                        kind ENUM('a', 'b', 'c') NOT NULL DEFAULT 'a',
                        perms SET('r', 'w', 'x'),
                        doc JSON,
                        code CHAR(3),
                        note VARCHAR(20) DEFAULT 'hi' COMMENT 'a note',
                        body MEDIUMTEXT,
                        geo POINT
                    ) COMMENT 'all the things'",
                ]).await?;
                let t = inspect(&db.engine).await?.reflect_table("things").await?;
                assert_eq!(t.comment.as_deref(), Some("all the things"));
                let id = col(&t, "id");
                assert_eq!((&id.sql_type, id.autoincrement), (&SqlType::UnsignedBigInteger, true));
                assert_eq!(col(&t, "small").sql_type, SqlType::UnsignedTinyInteger);
                assert_eq!(col(&t, "small").default.as_deref(), Some("1"));
                assert_eq!(col(&t, "flag").sql_type, SqlType::Boolean);
                assert_eq!(col(&t, "tiny").sql_type, SqlType::TinyInteger);
                assert_eq!(col(&t, "n").sql_type, SqlType::UnsignedInteger);
                assert_eq!(col(&t, "kind").sql_type, SqlType::Enum { name: "kind".into(), variants: vec!["a".into(), "b".into(), "c".into()], native: true });
                assert_eq!(col(&t, "kind").default.as_deref(), Some("'a'"));
                assert_eq!(col(&t, "perms").sql_type, SqlType::Set(vec!["r".into(), "w".into(), "x".into()]));
                assert_eq!(col(&t, "doc").sql_type, SqlType::Json);
                assert!(t.check_constraints.is_empty(), "the json_valid check is part of Json: {:?}", t.check_constraints);
                assert_eq!(col(&t, "code").sql_type, SqlType::Char(Some(3)));
                assert_eq!(col(&t, "note").comment.as_deref(), Some("a note"));
                assert_eq!(col(&t, "body").sql_type, SqlType::Other("mediumtext".into()));
                // An unmapped type is kept as Other (with a warning), never a failure.
                assert_eq!(col(&t, "geo").sql_type, SqlType::Other("point".into()));
                assert_round_trip(&db.engine, "things").await?;
            }
            Backend::Sqlite => {
                run_ddl(&db.engine, &[
                    "CREATE TABLE plain_key (id INT PRIMARY KEY, v TEXT)",
                    "CREATE TABLE no_rowid (id INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID",
                    "CREATE TABLE counted (id INTEGER PRIMARY KEY AUTOINCREMENT, shape GEOMETRY, v TEXT DEFAULT ('x'))",
                    "CREATE TABLE child (
                        id INTEGER NOT NULL PRIMARY KEY,
                        key_id INT REFERENCES plain_key (id) ON UPDATE CASCADE,
                        code VARCHAR(5) UNIQUE,
                        qty INT CHECK (qty > 0)
                    )",
                ]).await?;
                let insp = inspect(&db.engine).await?;
                // INT PRIMARY KEY is not the rowid alias: no autoincrement.
                let plain = insp.reflect_table("plain_key").await?;
                assert!(!col(&plain, "id").autoincrement);
                assert!(!col(&plain, "id").nullable);
                assert!(!col(&insp.reflect_table("no_rowid").await?, "id").autoincrement);
                let counted = insp.reflect_table("counted").await?;
                assert!(col(&counted, "id").autoincrement);
                assert_eq!(col(&counted, "shape").sql_type, SqlType::Other("GEOMETRY".into()));
                assert_eq!(col(&counted, "v").default.as_deref(), Some("'x'"));
                let child = insp.reflect_table("child").await?;
                assert_eq!(child.foreign_keys.len(), 1);
                assert_eq!(child.foreign_keys[0].name(), None);
                assert_eq!(child.foreign_keys[0].onupdate(), Some("CASCADE"));
                assert_eq!(child.unique_constraints[0].name(), None);
                assert_eq!(child.unique_constraints[0].columns(), ["code"]);
                assert!(child.indexes.is_empty(), "autoindexes are constraints: {:?}", child.indexes);
                assert_eq!(child.check_constraints[0].sql(), "qty > 0");
                // sqlite_sequence (made by AUTOINCREMENT) is SQLite's own, not a table to reflect.
                assert_eq!(insp.table_names().await?, ["child", "counted", "no_rowid", "plain_key"]);
                for t in ["plain_key", "no_rowid", "counted", "child"] {
                    assert_round_trip(&db.engine, t).await?;
                }
            }
        }
        Ok(())
    }

    async fn views_are_listed_and_reflected_on_request(db) {
        run_ddl(&db.engine, &[
            "CREATE TABLE base_t (id INTEGER PRIMARY KEY, name VARCHAR(20))",
            "CREATE VIEW names_v AS SELECT id, name FROM base_t",
        ]).await?;
        let insp = inspect(&db.engine).await?;
        assert_eq!(insp.view_names().await?, ["names_v"]);
        assert_eq!(insp.table_names().await?, ["base_t"]);
        let md = MetaData::new();
        md.reflect(&db.engine).await?;
        assert!(md.get_table("names_v").is_none());
        let md = MetaData::new();
        md.reflect_with(&db.engine, oxalchemy::ReflectOptions::new().views(true)).await?;
        let v = md.get_table("names_v").expect("view reflected");
        assert_eq!(v.column_names(), ["id", "name"]);
        run_ddl(&db.engine, &["DROP VIEW names_v"]).await?;
        Ok(())
    }

    async fn column_and_table_comments_are_created_and_read(db) {
        let md = MetaData::new();
        md.table("notes", |t| {
            t.comment("kept notes");
            t.column("id", Integer).primary_key();
            t.column("body", Text).comment("what it says");
        });
        md.create_all(&db.engine).await?;
        let t = inspect(&db.engine).await?.reflect_table("notes").await?;
        if db.backend == Backend::Sqlite {
            // SQLite has no comments (as in SQLAlchemy).
            assert_eq!(t.comment, None);
        } else {
            assert_eq!(t.comment.as_deref(), Some("kept notes"));
            assert_eq!(col(&t, "body").comment.as_deref(), Some("what it says"));
        }
        Ok(())
    }
}

/// A foreign key into another PostgreSQL schema: the target keeps its schema,
/// `reflect` pulls it in under `schema.name`, and `reflect_schema` reads that schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_schema_foreign_keys_on_postgres() -> oxalchemy::Result<()> {
    let Some(db) = common::TestDb::open(Backend::Postgres).await else {
        return Ok(());
    };
    let other = format!("oxt_reflect_other_{}", std::process::id());
    run_ddl(&db.engine, &[
        &format!("CREATE SCHEMA {other}"),
        &format!("CREATE TABLE {other}.accounts (id INTEGER PRIMARY KEY, owner VARCHAR(20))"),
        &format!("CREATE TABLE payments (id SERIAL PRIMARY KEY, account_id INTEGER NOT NULL CONSTRAINT fk_pay_acc REFERENCES {other}.accounts (id) ON DELETE RESTRICT)"),
    ]).await?;
    let result = async {
        let md = MetaData::new();
        md.reflect(&db.engine).await?;
        let payments = md.get_table("payments").unwrap();
        let fk = &payments.foreign_keys()[0];
        assert_eq!(
            (fk.target_schema(), fk.target_table()),
            (Some(other.as_str()), "accounts")
        );
        assert_eq!(fk.ondelete(), Some("RESTRICT"));
        let accounts = md
            .get_table(&format!("{other}.accounts"))
            .expect("target pulled in");
        assert_eq!(accounts.schema(), Some(other.as_str()));

        let md2 = MetaData::new();
        md2.reflect_schema(&db.engine, &other).await?;
        assert!(md2.get_table(&format!("{other}.accounts")).is_some());
        let insp = inspect(&db.engine).await?;
        assert!(insp.schema_names().await?.contains(&other));
        assert_eq!(insp.table_names_in(&other).await?, ["accounts"]);

        // Round trip across schemas.
        let before = insp.reflect_table("payments").await?;
        md.drop_all(&db.engine).await?;
        md.create_all(&db.engine).await?;
        assert_eq!(before, insp.reflect_table("payments").await?);
        Ok::<(), oxalchemy::Error>(())
    }
    .await;
    run_ddl(&db.engine, &[&format!("DROP SCHEMA {other} CASCADE")]).await?;
    result
}

/// A foreign key into another MySQL database: the target keeps its database
/// as its schema, and `reflect` pulls it in as `db.table`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_database_foreign_keys_on_mysql() -> oxalchemy::Result<()> {
    let Some(db) = common::TestDb::open(Backend::Mysql).await else {
        return Ok(());
    };
    let other = format!("oxt_reflect_other_{}", std::process::id());
    run_ddl(&db.engine, &[
        &format!("CREATE DATABASE {other}"),
        &format!("CREATE TABLE {other}.accounts (id INTEGER PRIMARY KEY, owner VARCHAR(20))"),
        &format!("CREATE TABLE payments (id INTEGER AUTO_INCREMENT PRIMARY KEY, account_id INTEGER NOT NULL, CONSTRAINT fk_pay_acc FOREIGN KEY (account_id) REFERENCES {other}.accounts (id) ON DELETE CASCADE)"),
    ]).await?;
    let result = async {
        let md = MetaData::new();
        md.reflect(&db.engine).await?;
        let payments = md.get_table("payments").unwrap();
        let fk = &payments.foreign_keys()[0];
        assert_eq!(
            (fk.target_schema(), fk.target_table()),
            (Some(other.as_str()), "accounts")
        );
        assert_eq!(fk.ondelete(), Some("CASCADE"));
        assert!(
            payments.indexes().is_empty(),
            "the implicit foreign-key index is not listed"
        );
        assert!(md.get_table(&format!("{other}.accounts")).is_some());
        let insp = inspect(&db.engine).await?;
        assert_eq!(insp.table_names_in(&other).await?, ["accounts"]);
        let before = insp.reflect_table("payments").await?;
        md.drop_all(&db.engine).await?;
        md.create_all(&db.engine).await?;
        assert_eq!(before, insp.reflect_table("payments").await?);
        Ok::<(), oxalchemy::Error>(())
    }
    .await;
    run_ddl(
        &db.engine,
        &[
            "DROP TABLE IF EXISTS payments",
            &format!("DROP DATABASE {other}"),
        ],
    )
    .await?;
    result
}
