//! Errors: each failure surfaces as the right `Error` variant, with a message
//! that says what was wrong, on every backend; connections and transactions
//! stay usable after a failed statement is rolled back.

mod common;

use common::Backend;
use oxalchemy::prelude::*;

fn people(md: &MetaData) -> Table {
    md.table("people", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(50)).not_null();
        t.column("email", Text);
    })
}

async fn seeded_people(engine: &Engine) -> oxalchemy::Result<Table> {
    let md = MetaData::new();
    let people = people(&md);
    md.create_all(engine).await?;
    let mut conn = engine.connect().await?;
    conn.execute(insert(&people).values((("name", "sandy"), ("email", None::<String>))))
        .await?;
    conn.commit().await?;
    Ok(people)
}

/// parent(id); child(id, parent_id NOT NULL FK, code UNIQUE, qty CHECK qty > 0).
fn integrity_schema(md: &MetaData) -> (Table, Table) {
    let parent = md.table("parent", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(30)).not_null();
    });
    let child = md.table("child", |t| {
        t.column("id", Integer).primary_key();
        t.column("parent_id", Integer)
            .not_null()
            .foreign_key("parent.id");
        t.column("code", Varchar(20)).not_null().unique();
        t.column("qty", Integer).not_null();
        t.check("ck_child_qty_positive", "qty > 0");
    });
    (parent, child)
}

fn contains_all(msg: &str, words: &[&str]) -> bool {
    let lower = msg.to_lowercase();
    words.iter().all(|w| lower.contains(&w.to_lowercase()))
}

fn url_error(url: &str) -> String {
    match create_engine(url) {
        Ok(_) => panic!("create_engine({url:?}) should fail"),
        Err(Error::ArgumentError(m)) => m,
        Err(other) => panic!("create_engine({url:?}): expected ArgumentError, got {other:?}"),
    }
}

backend_tests! {
    async fn decode_type_mismatch_names_column_type_and_value(db) {
        let people = seeded_people(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let result = conn.execute(select((people.c("name"), people.c("email")))).await?;
        let row = &result.rows()[0];

        // An integer asked of a text column.
        let err = row.get::<i64, _>("name").unwrap_err();
        match &err {
            Error::DecodeError { column, rust_type, found } => {
                assert!(column.contains("name"), "{err}");
                assert!(rust_type.contains("i64"), "{err}");
                assert!(found.contains("text") && found.contains("sandy"), "{err}");
            }
            other => panic!("expected DecodeError, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(contains_all(&msg, &["name", "i64", "sandy"]), "{msg}");

        // A String asked of NULL: the message points at Option<_>.
        let err = row.get::<String, _>("email").unwrap_err();
        match &err {
            Error::DecodeError { column, rust_type, found } => {
                assert!(column.contains("email"), "{err}");
                assert!(rust_type.contains("String"), "{err}");
                assert!(found.contains("NULL"), "{err}");
            }
            other => panic!("expected DecodeError, got {other:?}"),
        }
        assert!(contains_all(&err.to_string(), &["email", "String", "NULL", "Option"]), "{err}");
        // The same column decodes fine as Option<String>.
        assert_eq!(row.get::<Option<String>, _>("email")?, None);

        // By position, through a tuple and through scalars(): the column is named too.
        let err = row.get::<bool, _>(0).unwrap_err();
        assert!(matches!(&err, Error::DecodeError { column, .. } if column.contains("name")), "{err}");
        let err = result.one::<(String, String)>().unwrap_err();
        assert!(matches!(&err, Error::DecodeError { column, rust_type, .. } if column.contains("email") && rust_type.contains("String")), "{err}");
        let err = conn.execute(select(people.c("name"))).await?.scalars::<i32>().unwrap_err();
        assert!(matches!(&err, Error::DecodeError { column, rust_type, .. } if column.contains("name") && rust_type.contains("i32")), "{err}");
        // A value out of the Rust type's range is a DecodeError too, not a wrapped number.
        let big: Vec<i64> = conn.execute(select((people.c("id") + 100_000).label("big"))).await?.scalars()?;
        assert_eq!(big, [100_001]);
        let err = conn.execute(select((people.c("id") + 100_000).label("big"))).await?.scalars::<i16>().unwrap_err();
        assert!(matches!(&err, Error::DecodeError { column, rust_type, found } if column.contains("big") && rust_type.contains("i16") && found.contains("100001")), "{err}");
        Ok(())
    }

    async fn missing_column_and_index_out_of_range(db) {
        let people = seeded_people(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let result = conn.execute(select((people.c("name"), people.c("email")))).await?;
        let row = &result.rows()[0];
        let err = row.get::<String, _>("missing").unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(contains_all(&err.to_string(), &["missing", "name", "email"]), "{err}");
        let err = row.get::<String, _>(5).unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(contains_all(&err.to_string(), &["5", "out of range", "name", "email"]), "{err}");
        // A tuple wider than the row.
        let err = result.one::<(String, Option<String>, i64)>().unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(contains_all(&err.to_string(), &["2 columns", "3"]), "{err}");
        Ok(())
    }

    async fn invalid_sql_is_a_programming_error_carrying_the_sql(db) {
        let _people = seeded_people(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let sql = "SELEC name FROM people";
        let err = conn.execute(text(sql)).await.unwrap_err();
        assert!(matches!(err, Error::ProgrammingError { .. }), "{err}");
        assert_eq!(err.sql(), Some(sql), "{err}");
        assert!(err.to_string().contains(sql), "{err}");
        conn.rollback().await?;

        // An unknown column through text(): a ProgrammingError naming it.
        let err = conn.execute(text("SELECT no_such_column FROM people")).await.unwrap_err();
        assert!(matches!(err, Error::ProgrammingError { .. }), "{err}");
        assert!(err.to_string().contains("no_such_column"), "{err}");

        // Without a rollback PostgreSQL refuses every further statement of the failed
        // transaction, and the error says what to do; the others go on.
        let next = conn.execute(text("SELECT name FROM people")).await;
        match db.backend {
            Backend::Postgres => {
                let err = next.unwrap_err();
                assert!(contains_all(&err.to_string(), &["transaction is aborted", "rollback()"]), "{err}");
                conn.rollback().await?;
            }
            Backend::Sqlite | Backend::Mysql => assert_eq!(next?.len(), 1),
        }
        // The connection is still usable.
        let names: Vec<String> = conn.execute(text("SELECT name FROM people")).await?.scalars()?;
        assert_eq!(names, ["sandy"]);
        Ok(())
    }

    async fn missing_table_is_a_programming_error(db) {
        let md = MetaData::new();
        let ghosts = md.table("no_such_table", |t| {
            t.column("id", Integer).primary_key();
            t.column("name", Text);
        });
        // Never created.
        let mut conn = db.engine.connect().await?;
        let err = conn.execute(select(ghosts.c("name"))).await.unwrap_err();
        assert!(matches!(err, Error::ProgrammingError { .. }), "{err}");
        assert!(err.to_string().contains("no_such_table"), "{err}");
        assert!(err.sql().is_some_and(|s| s.contains("no_such_table")), "{err}");
        conn.rollback().await?;
        let err = conn.execute(insert(&ghosts).values([("name", "x")])).await.unwrap_err();
        assert!(matches!(err, Error::ProgrammingError { .. }), "{err}");
        assert!(err.to_string().contains("no_such_table"), "{err}");
        conn.rollback().await?;
        let err = conn.execute(text("DELETE FROM no_such_table")).await.unwrap_err();
        assert!(matches!(err, Error::ProgrammingError { .. }), "{err}");
        conn.rollback().await?;
        // Creating it makes the same statements work.
        md.create_all(&db.engine).await?;
        conn.execute(insert(&ghosts).values([("name", "x")])).await?;
        let n: Vec<String> = conn.execute(select(ghosts.c("name"))).await?.scalars()?;
        assert_eq!(n, ["x"]);
        Ok(())
    }

    async fn integrity_errors_have_their_kind(db) {
        let md = MetaData::new();
        let (parent, child) = integrity_schema(&md);
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&parent).values((("id", 1), ("name", "p")))).await?;
        conn.execute(insert(&child).values((("id", 1), ("parent_id", 1), ("code", "A"), ("qty", 1)))).await?;
        conn.commit().await?;

        let cases: Vec<(&str, oxalchemy::Insert, IntegrityKind, Vec<&str>)> = vec![
            ("duplicate unique column", insert(&child).values((("id", 2), ("parent_id", 1), ("code", "A"), ("qty", 1))), IntegrityKind::Unique, vec![]),
            ("duplicate primary key", insert(&child).values((("id", 1), ("parent_id", 1), ("code", "B"), ("qty", 1))), IntegrityKind::Unique, vec![]),
            ("dangling foreign key", insert(&child).values((("id", 3), ("parent_id", 999), ("code", "C"), ("qty", 1))), IntegrityKind::ForeignKey, vec![]),
            ("NULL in a NOT NULL column", insert(&child).values((("id", 4), ("parent_id", None::<i64>), ("code", "D"), ("qty", 1))), IntegrityKind::NotNull, vec!["parent_id"]),
            ("failed CHECK", insert(&child).values((("id", 5), ("parent_id", 1), ("code", "E"), ("qty", -1))), IntegrityKind::Check, vec!["ck_child_qty_positive"]),
        ];
        for (what, stmt, kind, words) in cases {
            let err = conn.execute(stmt).await.unwrap_err();
            assert!(matches!(err, Error::IntegrityError { .. }), "{what}: {err}");
            assert_eq!(err.integrity_kind(), Some(kind), "{what}: {err}");
            assert!(err.sql().is_some_and(|s| s.contains("child")), "{what}: the error carries the SQL: {err}");
            assert!(contains_all(&err.to_string(), &words), "{what}: {err}");
            // The connection is usable again after a rollback.
            conn.rollback().await?;
            let n: Vec<i64> = conn.execute(select(func::count_star()).select_from(&child)).await?.scalars()?;
            assert_eq!(n, [1], "{what}");
        }
        // The NOT NULL violation of a column missing from the INSERT.
        let err = conn.execute(insert(&child).values((("id", 6), ("parent_id", 1), ("code", "F")))).await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::NotNull), "{err}");
        conn.rollback().await?;
        // An UPDATE violating a constraint, and a DELETE of a referenced parent.
        conn.execute(insert(&child).values((("id", 7), ("parent_id", 1), ("code", "G"), ("qty", 2)))).await?;
        conn.commit().await?;
        let err = conn.execute(update(&child).filter(child.c("id").eq(7)).set("code", "A")).await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
        conn.rollback().await?;
        let err = conn.execute(update(&child).filter(child.c("id").eq(7)).set("qty", 0)).await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::Check), "{err}");
        conn.rollback().await?;
        let err = conn.execute(delete(&parent).filter(parent.c("id").eq(1))).await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::ForeignKey), "{err}");
        conn.rollback().await?;
        let codes: Vec<String> = conn.execute(select(child.c("code")).order_by(child.c("id"))).await?.scalars()?;
        assert_eq!(codes, ["A", "G"]);
        Ok(())
    }

    async fn transactions_stay_usable_after_integrity_errors(db) {
        let md = MetaData::new();
        let (parent, child) = integrity_schema(&md);
        md.create_all(&db.engine).await?;

        // A failed transaction rolled back leaves nothing behind; the next one works.
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&parent).values((("id", 1), ("name", "gone")))).await?;
        let err = tx.execute(insert(&parent).values((("id", 1), ("name", "dup")))).await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
        tx.rollback().await?;
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&parent).values((("id", 1), ("name", "kept")))).await?;
        tx.commit().await?;

        // A savepoint isolates the failure: the outer transaction commits its other work.
        let mut tx = db.engine.begin().await?;
        tx.execute(insert(&child).values((("id", 1), ("parent_id", 1), ("code", "A"), ("qty", 1)))).await?;
        {
            let mut sp = tx.begin_nested().await?;
            let err = sp.execute(insert(&child).values((("id", 2), ("parent_id", 42), ("code", "B"), ("qty", 1)))).await.unwrap_err();
            assert_eq!(err.integrity_kind(), Some(IntegrityKind::ForeignKey), "{err}");
            sp.rollback().await?;
        }
        {
            let mut sp = tx.begin_nested().await?;
            let err = sp.execute(insert(&child).values((("id", 3), ("parent_id", 1), ("code", "C"), ("qty", 0)))).await.unwrap_err();
            assert_eq!(err.integrity_kind(), Some(IntegrityKind::Check), "{err}");
            sp.rollback().await?;
        }
        tx.execute(insert(&child).values((("id", 4), ("parent_id", 1), ("code", "D"), ("qty", 4)))).await?;
        tx.commit().await?;

        let mut conn = db.engine.connect().await?;
        let names: Vec<String> = conn.execute(select(parent.c("name"))).await?.scalars()?;
        assert_eq!(names, ["kept"]);
        let codes: Vec<String> = conn.execute(select(child.c("code")).order_by(child.c("id"))).await?.scalars()?;
        assert_eq!(codes, ["A", "D"]);
        // Pool connections are all back and clean.
        drop(conn);
        let mut conn = db.engine.connect().await?;
        let n: Vec<i64> = conn.execute(select(func::count_star()).select_from(&child)).await?.scalars()?;
        assert_eq!(n, [2]);
        Ok(())
    }

    async fn out_of_range_values(db) {
        let md = MetaData::new();
        let nums = md.table("nums", |t| {
            t.column("id", Integer).primary_key();
            t.column("small", SmallInteger);
            t.column("short_text", Varchar(5));
            t.column("price", Numeric(5, 2));
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        // Each attempt commits when it succeeds and rolls back when it fails.
        let mut attempt = async |stmt: oxalchemy::Insert| -> oxalchemy::Result<oxalchemy::Result<()>> {
            let result = conn.execute(stmt).await.map(|_| ());
            match &result {
                Ok(()) => conn.commit().await?,
                Err(_) => conn.rollback().await?,
            }
            Ok(result)
        };
        let too_small = attempt(insert(&nums).values((("id", 1), ("small", 100_000)))).await?;
        let too_long = attempt(insert(&nums).values((("id", 2), ("short_text", "much too long")))).await?;
        let too_big = attempt(insert(&nums).values((("id", 3), ("price", rust_decimal::Decimal::new(123_456, 1))))).await?;
        match db.backend {
            // SQLite has no length or range limits: the values are stored as given,
            // and reading them back into a narrower Rust type is the DecodeError.
            Backend::Sqlite => {
                too_small?;
                too_long?;
                too_big?;
                let long: Vec<String> = conn.execute(select(nums.c("short_text")).filter(nums.c("id").eq(2))).await?.scalars()?;
                assert_eq!(long, ["much too long"]);
                let err = conn.execute(select(nums.c("small")).filter(nums.c("id").eq(1))).await?.scalars::<i16>().unwrap_err();
                assert!(matches!(&err, Error::DecodeError { rust_type, found, .. } if rust_type.contains("i16") && found.contains("100000")), "{err}");
            }
            Backend::Postgres | Backend::Mysql => {
                for (what, result, words) in [
                    ("SMALLINT 100000", too_small, &["range"][..]),
                    ("VARCHAR(5) 'much too long'", too_long, &["long"][..]),
                    ("NUMERIC(5, 2) 12345.6", too_big, &[][..]),
                ] {
                    let err = result.unwrap_err();
                    assert!(matches!(err, Error::DataError { .. }), "{what}: {err}");
                    assert!(err.sql().is_some_and(|s| s.contains("nums")), "{what}: {err}");
                    assert!(contains_all(&err.to_string(), words), "{what}: {err}");
                }
                // The same values written as SQL literals: the server rejects them.
                for sql in [
                    "INSERT INTO nums (id, small) VALUES (4, 100000)",
                    "INSERT INTO nums (id, short_text) VALUES (5, 'much too long')",
                ] {
                    let err = conn.execute(text(sql)).await.unwrap_err();
                    assert!(matches!(err, Error::DataError { .. }), "{sql}: {err}");
                    assert_eq!(err.sql(), Some(sql));
                    conn.rollback().await?;
                }
                let n: Vec<i64> = conn.execute(select(func::count_star()).select_from(&nums)).await?.scalars()?;
                assert_eq!(n, [0]);
            }
        }
        // Values in range work on every backend.
        conn.execute(insert(&nums).values((("id", 10), ("small", 32_767), ("short_text", "abcde"), ("price", rust_decimal::Decimal::new(99_999, 2))))).await?;
        let (small, short): (i16, String) = conn
            .execute(select((nums.c("small"), nums.c("short_text"))).filter(nums.c("id").eq(10)))
            .await?
            .one()?;
        assert_eq!((small, short.as_str()), (32_767, "abcde"));
        Ok(())
    }

    async fn missing_text_bind_is_an_argument_error(db) {
        let _people = seeded_people(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let err = conn
            .execute(text("SELECT name FROM people WHERE name = :name AND id > :min_id").bind("name", "sandy"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(err.to_string().contains("min_id"), "{err}");
        // A value for a bind the SQL does not have is an error too, naming it.
        let err = conn
            .execute(text("SELECT name FROM people WHERE id > :min_id").bind("min_id", 0).bind("mni_id", 1))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(contains_all(&err.to_string(), &["mni_id", "min_id"]), "{err}");
        // Quotes inside comments and literals hide no binds; `:name` inside them is no bind.
        let names: Vec<String> = conn
            .execute(
                text("SELECT name -- don't: :not_a_bind\nFROM people /* it's */ WHERE name = :name AND email IS NULL AND ':x' = ':x'")
                    .bind("name", "sandy"),
            )
            .await?
            .scalars()?;
        assert_eq!(names, ["sandy"]);
        // Supplying it works.
        let names: Vec<String> = conn
            .execute(text("SELECT name FROM people WHERE name = :name AND id > :min_id").bind("name", "sandy").bind("min_id", 0))
            .await?
            .scalars()?;
        assert_eq!(names, ["sandy"]);
        Ok(())
    }

    async fn bad_urls_are_argument_errors(db) {
        // Unknown scheme: names it and lists the supported ones.
        let m = url_error("oracle://scott:tiger@localhost/orcl");
        assert!(contains_all(&m, &["unknown", "oracle", "sqlite://", "postgresql://", "mysql://"]), "{m}");
        assert!(!m.contains("tiger"), "the password never shows: {m}");
        // Malformed: no "://".
        for url in ["localhost/db", "sqlite:memory", "postgresql:/u@h/db", ""] {
            let m = url_error(url);
            assert!(m.contains("://"), "{url:?}: {m}");
        }
        // A URL of this backend with an option it does not know names the option.
        let bad_option = match db.backend {
            Backend::Sqlite => "sqlite:///some.db?bogus_option=1".to_owned(),
            Backend::Postgres | Backend::Mysql => {
                let base = db.url().split('?').next().unwrap_or_default().to_owned();
                format!("{base}?bogus_option=1")
            }
        };
        let m = url_error(&bad_option);
        assert!(m.contains("bogus_option"), "{m}");
        // A non-numeric port on the server backends.
        if db.backend != Backend::Sqlite {
            let scheme = if db.backend == Backend::Postgres { "postgresql" } else { "mysql" };
            let m = url_error(&format!("{scheme}://u:secret@localhost:notaport/db"));
            assert!(contains_all(&m, &["port", "notaport"]), "{m}");
            assert!(!m.contains("secret"), "the password never shows: {m}");
        }
        // The engine of this test's own URL is fine.
        assert!(create_engine(db.url()).is_ok());
        Ok(())
    }

    async fn unknown_columns_in_statements(db) {
        let md = MetaData::new();
        let users = people(&md);
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;

        // INSERT with a column the table does not have.
        let err = conn.execute(insert(&users).values((("name", "x"), ("nickname", "y")))).await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(contains_all(&err.to_string(), &["nickname", "people", "name", "email"]), "{err}");
        // UPDATE too.
        let err = conn.execute(update(&users).set("nickname", "y")).await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(contains_all(&err.to_string(), &["nickname", "people"]), "{err}");
        // Nothing was written.
        let n: Vec<i64> = conn.execute(select(func::count_star()).select_from(&users)).await?.scalars()?;
        assert_eq!(n, [0]);

        // Table::c panics naming the table and its columns; get_column returns None.
        assert!(users.get_column("missing").is_none());
        assert!(users.get_column("name").is_some());
        let t = users.clone();
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _ = t.c("missing");
        }))
        .unwrap_err();
        let msg = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        assert!(contains_all(&msg, &["people", "missing", "id", "name", "email"]), "{msg}");
        Ok(())
    }

    async fn join_without_or_with_ambiguous_foreign_keys(db) {
        let md = MetaData::new();
        let users = people(&md);
        let pets = md.table("pets", |t| {
            t.column("id", Integer).primary_key();
            t.column("name", Text);
        });
        let messages = md.table("messages", |t| {
            t.column("id", Integer).primary_key();
            t.column("sender_id", Integer).foreign_key("people.id");
            t.column("recipient_id", Integer).foreign_key("people.id");
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;

        // No foreign key between the tables.
        let err = conn.execute(select((users.c("name"), pets.c("name"))).join(&pets)).await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(contains_all(&err.to_string(), &["pets", "people", "no foreign key", "join_on"]), "{err}");
        // Two foreign keys: the candidates are named.
        let err = conn.execute(select(users.c("name")).join(&messages)).await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(contains_all(&err.to_string(), &["more than one", "sender_id", "recipient_id", "join_on"]), "{err}");
        // join_on gives the condition by hand.
        let rows = conn
            .execute(select(users.c("name")).join_on(&messages, users.c("id").eq(messages.c("sender_id"))))
            .await?;
        assert!(rows.is_empty());
        Ok(())
    }
}
