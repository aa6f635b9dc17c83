//! Reflection on every backend: the same DDL (spelled per backend where it
//! must be) reads back as one expected structure, and a reflected MetaData
//! recreates the same structure after a drop (round trip).

mod common;

use common::Backend;
use oxalchemy::prelude::*;
use oxalchemy::{ReflectedTable, ServerDefault};

/// The shared schema: an autoincrement key, the common types, a server
/// default, a composite primary key whose order differs from the column
/// order, a composite self-referential foreign key, ON DELETE actions, a
/// unique and a check constraint, single- and multi-column indexes.
fn shared_ddl(backend: Backend) -> Vec<String> {
    let (autopk, datetime) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", "DATETIME"),
        Backend::Postgres => ("SERIAL PRIMARY KEY", "TIMESTAMP"),
        Backend::Mysql => ("INTEGER AUTO_INCREMENT PRIMARY KEY", "DATETIME"),
    };
    vec![
        format!(
            "CREATE TABLE users (
                id {autopk},
                name VARCHAR(50) NOT NULL,
                email VARCHAR(100),
                score INTEGER DEFAULT 0,
                active BOOLEAN NOT NULL,
                born DATE,
                created {datetime},
                bio TEXT,
                balance NUMERIC(10, 2),
                CONSTRAINT uq_users_email UNIQUE (email),
                CONSTRAINT ck_users_score CHECK (score >= 0)
            )"
        ),
        "CREATE INDEX ix_users_name ON users (name)".to_owned(),
        "CREATE TABLE orders (
            seq INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            parent_user_id INTEGER,
            parent_seq INTEGER,
            total NUMERIC(12, 3),
            CONSTRAINT pk_orders PRIMARY KEY (user_id, seq),
            CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
            CONSTRAINT fk_orders_parent FOREIGN KEY (parent_user_id, parent_seq)
                REFERENCES orders (user_id, seq) ON DELETE SET NULL
        )"
        .to_owned(),
        "CREATE INDEX ix_orders_total_seq ON orders (total, seq)".to_owned(),
    ]
}

async fn run_ddl(engine: &Engine, ddl: &[String]) -> oxalchemy::Result<()> {
    let mut conn = engine.connect().await?;
    for stmt in ddl {
        conn.execute(text(stmt)).await?;
    }
    conn.commit().await
}

/// One line per fact a reflected table holds, backend-neutral (check
/// conditions are compared by name: each backend rewrites the text).
fn describe(t: &Table) -> Vec<String> {
    let mut out = vec![format!("table {}", t.fullname())];
    for c in t.columns() {
        out.push(format!(
            "column {} {:?} nullable={} pk={} default={:?} autoincrement={:?}",
            c.name(),
            c.sql_type(),
            c.is_nullable(),
            c.is_primary_key(),
            c.server_default(),
            c.autoincrement_setting(),
        ));
    }
    out.push(format!("primary key {:?}", t.primary_key()));
    for fk in t.foreign_keys() {
        out.push(format!(
            "foreign key {:?} {:?} -> {:?}.{} {:?} ondelete={:?} onupdate={:?}",
            fk.name(),
            fk.columns(),
            fk.target_schema(),
            fk.target_table(),
            fk.target_columns(),
            fk.ondelete(),
            fk.onupdate()
        ));
    }
    for ix in t.indexes() {
        out.push(format!(
            "index {} {:?} unique={} expressions={:?}",
            ix.name(),
            ix.columns(),
            ix.is_unique(),
            ix.expressions()
        ));
    }
    for u in t.unique_constraints() {
        out.push(format!("unique {:?} {:?}", u.name(), u.columns()));
    }
    for ck in t.check_constraints() {
        out.push(format!("check {:?}", ck.name()));
    }
    out
}

fn expected_users() -> Vec<String> {
    let sd = |s: &str| format!("{:?}", Some(ServerDefault::Sql(s.to_owned())));
    vec![
        "table users".to_owned(),
        "column id Integer nullable=false pk=true default=None autoincrement=Some(true)".to_owned(),
        "column name Varchar(Some(50)) nullable=false pk=false default=None autoincrement=Some(false)".to_owned(),
        "column email Varchar(Some(100)) nullable=true pk=false default=None autoincrement=Some(false)".to_owned(),
        format!("column score Integer nullable=true pk=false default={} autoincrement=Some(false)", sd("0")),
        "column active Boolean nullable=false pk=false default=None autoincrement=Some(false)".to_owned(),
        "column born Date nullable=true pk=false default=None autoincrement=Some(false)".to_owned(),
        "column created DateTime nullable=true pk=false default=None autoincrement=Some(false)".to_owned(),
        "column bio Text nullable=true pk=false default=None autoincrement=Some(false)".to_owned(),
        "column balance Numeric(10, 2) nullable=true pk=false default=None autoincrement=Some(false)".to_owned(),
        "primary key [\"id\"]".to_owned(),
        "index ix_users_name [\"name\"] unique=false expressions=[]".to_owned(),
        "unique Some(\"uq_users_email\") [\"email\"]".to_owned(),
        "check Some(\"ck_users_score\")".to_owned(),
    ]
}

fn expected_orders() -> Vec<String> {
    vec![
        "table orders".to_owned(),
        "column seq Integer nullable=false pk=true default=None autoincrement=Some(false)".to_owned(),
        "column user_id Integer nullable=false pk=true default=None autoincrement=Some(false)".to_owned(),
        "column parent_user_id Integer nullable=true pk=false default=None autoincrement=Some(false)".to_owned(),
        "column parent_seq Integer nullable=true pk=false default=None autoincrement=Some(false)".to_owned(),
        "column total Numeric(12, 3) nullable=true pk=false default=None autoincrement=Some(false)".to_owned(),
        "primary key [\"user_id\", \"seq\"]".to_owned(),
        "foreign key Some(\"fk_orders_parent\") [\"parent_user_id\", \"parent_seq\"] -> None.orders [\"user_id\", \"seq\"] ondelete=Some(\"SET NULL\") onupdate=None".to_owned(),
        "foreign key Some(\"fk_orders_user\") [\"user_id\"] -> None.users [\"id\"] ondelete=Some(\"CASCADE\") onupdate=None".to_owned(),
        "index ix_orders_total_seq [\"total\", \"seq\"] unique=false expressions=[]".to_owned(),
    ]
}

/// Every table of the database, read through the inspector.
async fn snapshot(engine: &Engine) -> oxalchemy::Result<Vec<ReflectedTable>> {
    let insp = inspect(engine).await?;
    let mut out = Vec::new();
    for name in insp.table_names().await? {
        out.push(insp.reflect_table(&name).await?);
    }
    Ok(out)
}

backend_tests! {
    async fn same_ddl_reflects_the_same_structure(db) {
        run_ddl(&db.engine, &shared_ddl(db.backend)).await?;
        let metadata = MetaData::new();
        metadata.reflect(&db.engine).await?;
        let names: Vec<String> = metadata.sorted_tables().iter().map(|t| t.name().to_owned()).collect();
        assert_eq!(names, ["users", "orders"]);
        assert_eq!(describe(&metadata.get_table("users").unwrap()), expected_users());
        assert_eq!(describe(&metadata.get_table("orders").unwrap()), expected_orders());
        Ok(())
    }

    async fn round_trip_recreates_the_same_structure(db) {
        run_ddl(&db.engine, &shared_ddl(db.backend)).await?;
        let before = snapshot(&db.engine).await?;
        let metadata = MetaData::new();
        metadata.reflect(&db.engine).await?;
        metadata.drop_all(&db.engine).await?;
        assert!(inspect(&db.engine).await?.table_names().await?.is_empty());
        metadata.create_all(&db.engine).await?;
        let after = snapshot(&db.engine).await?;
        assert_eq!(before, after);
        // And a MetaData reflected from the recreated tables describes the same.
        let again = MetaData::new();
        again.reflect(&db.engine).await?;
        for t in metadata.tables() {
            assert_eq!(describe(&t), describe(&again.get_table(t.name()).unwrap()));
        }
        Ok(())
    }

    async fn reflect_only_pulls_in_foreign_key_targets(db) {
        run_ddl(&db.engine, &shared_ddl(db.backend)).await?;
        let metadata = MetaData::new();
        metadata.reflect_only(&db.engine, ["orders"]).await?;
        let mut names: Vec<String> = metadata.tables().iter().map(|t| t.name().to_owned()).collect();
        names.sort();
        assert_eq!(names, ["orders", "users"]);

        let md2 = MetaData::new();
        let orders = Table::autoload("orders", &md2, &db.engine).await?;
        assert_eq!(orders.primary_key(), ["user_id", "seq"]);
        assert!(md2.get_table("users").is_some(), "autoload follows foreign keys");
        Ok(())
    }

    async fn reflected_tables_work_in_core_statements(db) {
        run_ddl(&db.engine, &shared_ddl(db.backend)).await?;
        let metadata = MetaData::new();
        let users = Table::autoload("users", &metadata, &db.engine).await?;
        let orders = Table::autoload("orders", &metadata, &db.engine).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&users).values((("name", "sandy"), ("active", true)))).await?;
        let id: i64 = conn.execute(select(users.c("id"))).await?.one::<(i64,)>()?.0;
        conn.execute(insert(&orders).values((("user_id", id), ("seq", 1), ("total", Value::Null)))).await?;
        // The join's ON clause comes from the reflected foreign key.
        let rows: Vec<(String, i64)> = conn
            .execute(select((users.c("name"), orders.c("seq"))).join(&orders))
            .await?
            .all()?;
        assert_eq!(rows, [("sandy".to_owned(), 1)]);
        // The reflected server default applies.
        let score: Option<i64> = conn.execute(select(users.c("score"))).await?.scalar::<Option<i64>>()?.flatten();
        assert_eq!(score, Some(0));
        conn.commit().await?;
        Ok(())
    }

    async fn inspector_answers_from_the_database(db) {
        run_ddl(&db.engine, &shared_ddl(db.backend)).await?;
        let insp = inspect(&db.engine).await?;
        assert_eq!(insp.table_names().await?, ["orders", "users"]);
        assert!(insp.view_names().await?.is_empty());
        let cols: Vec<String> = insp.columns("users").await?.into_iter().map(|c| c.name).collect();
        assert_eq!(cols, ["id", "name", "email", "score", "active", "born", "created", "bio", "balance"]);
        assert_eq!(insp.pk_constraint("orders").await?.columns, ["user_id", "seq"]);
        let fks = insp.foreign_keys("orders").await?;
        assert_eq!(fks.len(), 2);
        assert_eq!(insp.indexes("users").await?.len(), 1);
        assert_eq!(insp.unique_constraints("users").await?[0].columns(), ["email"]);
        let checks = insp.check_constraints("users").await?;
        assert_eq!(checks.len(), 1);
        assert!(checks[0].sql().contains("score") && checks[0].sql().contains(">="), "{checks:?}");
        assert_eq!(insp.table_comment("users").await?, None);
        assert!(insp.has_table("users").await?);
        assert!(!insp.has_table("nope").await?);
        assert!(insp.schema_names().await?.iter().any(|s| s == insp.default_schema_name()));
        Ok(())
    }

    async fn missing_table_is_an_argument_error_naming_it(db) {
        run_ddl(&db.engine, &shared_ddl(db.backend)).await?;
        let metadata = MetaData::new();
        let err = Table::autoload("no_such_table", &metadata, &db.engine).await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err:?}");
        assert!(err.to_string().contains("no_such_table"), "{err}");
        let err = metadata.reflect_only(&db.engine, ["users", "ghost"]).await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err:?}");
        assert!(err.to_string().contains("ghost"), "{err}");
        let err = inspect(&db.engine).await?.columns("ghost").await.unwrap_err();
        assert!(err.to_string().contains("ghost"), "{err}");
        Ok(())
    }

    async fn expression_indexes_are_reported(db) {
        let ddl = match db.backend {
            // MariaDB has no expression indexes: a virtual column carries the expression.
            Backend::Mysql => return Ok(()),
            _ => vec![
                "CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(40))".to_owned(),
                "CREATE INDEX ix_people_lower ON people (lower(name), id)".to_owned(),
            ],
        };
        run_ddl(&db.engine, &ddl).await?;
        let ix = inspect(&db.engine).await?.indexes("people").await?;
        assert_eq!(ix.len(), 1);
        assert_eq!(ix[0].columns(), ["id"]);
        assert_eq!(ix[0].expressions().len(), 2);
        // PostgreSQL writes `lower(name::text)`, SQLite keeps the text as written.
        let first = &ix[0].expressions()[0];
        assert!(first.starts_with("lower(name"), "{ix:?}");
        // The round trip recreates it.
        let before = snapshot(&db.engine).await?;
        let md = MetaData::new();
        md.reflect(&db.engine).await?;
        md.drop_all(&db.engine).await?;
        md.create_all(&db.engine).await?;
        assert_eq!(before, snapshot(&db.engine).await?);
        Ok(())
    }
}
