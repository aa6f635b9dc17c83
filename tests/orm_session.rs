//! The Session (contract section 4) on every backend: identity map, unit of
//! work, flush order and batching, failure handling, expiry, queries.

mod common;

use common::{Backend, Statements, TestDb};
use oxalchemy::SessionOptions;
use oxalchemy::prelude::*;
use std::sync::Arc;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30, unique)]
    name: String,
    fullname: Option<String>,
    #[relationship(back_populates = "user")]
    addresses: Related<Vec<Address>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "address")]
struct Address {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 100)]
    email_address: String,
    #[mapped_column(foreign_key = "user_account.id")]
    user_id: i64,
    #[relationship(back_populates = "addresses")]
    user: Related<User>,
}

/// Optimistic concurrency: `version` is checked and incremented by every UPDATE.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "document", version_id = "version")]
struct Document {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    title: String,
    version: i64,
}

/// A composite primary key (no autoincrement).
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "membership")]
struct Membership {
    #[mapped_column(primary_key)]
    group_id: i64,
    #[mapped_column(primary_key)]
    member_id: i64,
    #[mapped_column(length = 20)]
    role: String,
}

/// A server default, filled in by the database and read back by the flush.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "ticket")]
struct Ticket {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    title: String,
    #[mapped_column(length = 20, server_default = "open")]
    status: Option<String>,
    /// A server default given as SQL, rendered as written.
    #[mapped_column(length = 20, server_default_sql = "(lower('NEW'))")]
    label: Option<String>,
}

/// A self-referential table with keys chosen by the application.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "node")]
struct Node {
    #[mapped_column(primary_key, autoincrement = false)]
    id: i64,
    #[mapped_column(foreign_key = "node.id")]
    parent_id: Option<i64>,
    #[mapped_column(length = 20)]
    name: String,
}

async fn setup(db: &TestDb) -> oxalchemy::Result<Statements> {
    Base::metadata().create_all(&db.engine).await?;
    let log = Statements::listen(&db.engine);
    Ok(log)
}

fn user(name: &str) -> User {
    User {
        name: name.into(),
        ..Default::default()
    }
}

/// Statements to INSERT `n` rows with generated keys in one flush.
fn generated_key_inserts(db: &TestDb, n: usize) -> usize {
    match db.backend {
        // One cached prepared INSERT .. RETURNING per row.
        Backend::Sqlite => n,
        // One sentinel-ordered INSERT .. SELECT .. RETURNING.
        Backend::Postgres => 1,
        // MariaDB: one multi-row INSERT .. RETURNING; MySQL: one INSERT per row (LAST_INSERT_ID).
        Backend::Mysql if db.engine.dialect().supports_returning() => 1,
        Backend::Mysql => n,
    }
}

async fn count_rows(engine: &Engine, table: &Table) -> oxalchemy::Result<i64> {
    let mut conn = engine.connect().await?;
    let n: Vec<i64> = conn
        .execute(select(func::count_star()).select_from(table))
        .await?
        .scalars()?;
    conn.rollback().await?;
    Ok(n[0])
}

/// The SET clause of an UPDATE, with placeholders written as `?`.
fn set_clause(sql: &str) -> String {
    let start = sql.find(" SET ").map(|i| i + 5).unwrap_or(0);
    let end = sql.find(" WHERE ").unwrap_or(sql.len());
    let mut out = sql[start..end].to_owned();
    for i in (1..10).rev() {
        out = out.replace(&format!("${i}"), "?");
    }
    out.replace(['"', '`'], "")
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

backend_tests! {
    async fn add_flush_commit_and_get(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        assert!(!session.in_transaction());
        session.add(user("spongebob"));
        session.add_all([user("sandy"), user("patrick")]);
        assert_eq!(session.new_objects::<User>().len(), 3);
        session.flush().await?;
        assert!(session.in_transaction(), "the session autobegins");
        assert!(session.new_objects::<User>().is_empty());
        session.commit().await?;
        assert!(!session.in_transaction());

        let mut other = Session::new(&db.engine);
        let users = other.scalars(select(User).order_by(User::ID)).all().await?;
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["spongebob", "sandy", "patrick"]);
        assert!(users.iter().all(|u| u.id > 0));
        let sandy = other.get::<User>(users[1].id).await?.expect("sandy");
        assert_eq!(sandy.name, "sandy");
        assert!(other.get::<User>(999_999).await?.is_none());
        Ok(())
    }

    async fn save_returns_generated_keys_and_server_defaults(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let sandy = session.save(user("sandy")).await?;
        assert!(sandy.id > 0);
        let squidward = session.save(user("squidward")).await?;
        assert!(squidward.id > sandy.id);

        let t = session.save(Ticket { title: "leak".into(), ..Default::default() }).await?;
        assert!(t.id > 0);
        assert_eq!(t.status.as_deref(), Some("open"), "the server default comes back");
        assert_eq!(t.label.as_deref(), Some("new"), "a SQL server default is evaluated");
        let given = session
            .save(Ticket { title: "mine".into(), status: Some("closed".into()), ..Default::default() })
            .await?;
        assert_eq!(given.status.as_deref(), Some("closed"));

        // Keys given by the application, server default read back.
        let explicit = session
            .save(Ticket { id: 1000, title: "explicit".into(), ..Default::default() })
            .await?;
        assert_eq!((explicit.id, explicit.status.as_deref()), (1000, Some("open")));
        session.commit().await?;

        let mut other = Session::new(&db.engine);
        let again = other.get::<Ticket>(t.id).await?.expect("ticket");
        assert_eq!(again, t);
        Ok(())
    }

    async fn save_all_batches_inserts_per_backend(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let users = session.save_all(names.iter().map(|n| user(n))).await?;
        let statements = log.take();
        assert_eq!(statements.len(), generated_key_inserts(&db, names.len()), "{statements:?}");
        assert!(statements.iter().all(|s| s.starts_with("INSERT INTO")), "{statements:?}");
        // Every object got the key of its own row.
        for (u, name) in users.iter().zip(names) {
            assert_eq!(u.name, name);
        }
        session.commit().await?;
        let mut other = Session::new(&db.engine);
        for u in &users {
            let row = other.get::<User>(u.id).await?.expect("row");
            assert_eq!(row.name, u.name, "generated key {} went to the wrong object", u.id);
        }

        // Keys given by the application and nothing to read back: one
        // multi-row INSERT on every backend.
        log.take();
        let members: Vec<Membership> = (1..=5)
            .map(|i| Membership { group_id: 1, member_id: i, role: format!("r{i}") })
            .collect();
        session.add_all(members.clone());
        session.flush().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:?}");

        // A statement carries at most 1000 rows.
        let many: Vec<Membership> = (1..=1200)
            .map(|i| Membership { group_id: 3, member_id: i, role: "m".into() })
            .collect();
        session.save_all(many).await?;
        assert_eq!(log.take().len(), 2);

        // Two tables: one batch each (parents first).
        session.add_all([user("h"), user("i")]);
        session.add(Membership { group_id: 2, member_id: 1, role: "x".into() });
        session.flush().await?;
        let statements = log.take();
        assert_eq!(statements.len(), generated_key_inserts(&db, 2) + 1, "{statements:?}");
        session.commit().await?;
        Ok(())
    }

    async fn second_get_issues_no_sql(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let patrick = session.save(user("patrick")).await?;
        session.commit().await?;
        log.take();

        let first = session.get::<User>(patrick.id).await?.expect("patrick");
        assert_eq!(log.take().len(), 1, "expired after commit: one SELECT");
        let second = session.get::<User>(patrick.id).await?.expect("patrick");
        assert_eq!(log.take().len(), 0, "the identity map answers: no SQL");
        assert_eq!(first, second);

        // Rows a query returned are in the identity map too.
        let mut other = Session::new(&db.engine);
        let all = other.scalars(select(User)).all().await?;
        log.take();
        other.get::<User>(all[0].id).await?;
        assert_eq!(log.take().len(), 0);
        Ok(())
    }

    async fn update_sends_only_changed_columns(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let patrick = session
            .save(User { name: "patrick".into(), fullname: Some("Patrick".into()), ..Default::default() })
            .await?;
        session.commit().await?;
        let mut patrick = session.get::<User>(patrick.id).await?.expect("patrick");
        log.take();

        patrick.fullname = Some("Patrick Star".into());
        session.add(patrick.clone());
        assert_eq!(session.dirty_objects::<User>().len(), 1);
        session.flush().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:?}");
        assert!(statements[0].starts_with("UPDATE user_account SET"), "{statements:?}");
        assert_eq!(set_clause(&statements[0]), "fullname = ?", "{}", statements[0]);

        // The snapshot follows: the same value again is a no-op.
        session.add(patrick.clone());
        session.flush().await?;
        assert!(log.take().is_empty());

        // `save` returns the persisted value.
        patrick.name = "patrick star".into();
        let saved = session.save(patrick.clone()).await?;
        assert_eq!(saved.name, "patrick star");
        let statements = log.take();
        assert_eq!(set_clause(&statements[0]), "name = ?");
        session.commit().await?;

        let mut other = Session::new(&db.engine);
        let row = other.get::<User>(patrick.id).await?.expect("row");
        assert_eq!((row.name.as_str(), row.fullname.as_deref()), ("patrick star", Some("Patrick Star")));
        Ok(())
    }

    async fn flush_without_changes_sends_nothing(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        session.flush().await?;
        assert!(log.take().is_empty());
        let u = session.save(user("sandy")).await?;
        log.take();
        session.add(u.clone());
        session.add(u.clone());
        session.flush().await?;
        assert!(log.take().is_empty(), "an unchanged object writes nothing");
        session.commit().await?;
        assert!(log.take().is_empty());
        Ok(())
    }

    async fn inserts_follow_foreign_keys(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        // The child is added before its parent; the flush inserts the parent first.
        session.add(Address { email_address: "sandy@example.com".into(), user_id: 10, ..Default::default() });
        session.add(User { id: 10, name: "sandy".into(), ..Default::default() });
        session.flush().await?;
        let statements = log.take();
        assert!(statements[0].starts_with("INSERT INTO user_account"), "{statements:?}");
        assert!(statements[1].starts_with("INSERT INTO address"), "{statements:?}");

        // Rows of a self-referential table: parents before children.
        session.add_all([
            Node { id: 3, parent_id: Some(2), name: "leaf".into() },
            Node { id: 2, parent_id: Some(1), name: "branch".into() },
            Node { id: 1, parent_id: None, name: "root".into() },
        ]);
        session.flush().await?;
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, Node::table()).await?, 3);

        // Deletes: children before parents, whatever the order of delete().
        let mut session = Session::new(&db.engine);
        let root = session.get::<Node>(1).await?.expect("root");
        let branch = session.get::<Node>(2).await?.expect("branch");
        let leaf = session.get::<Node>(3).await?.expect("leaf");
        session.delete(&root);
        session.delete(&branch);
        session.delete(&leaf);
        assert_eq!(session.deleted_objects::<Node>().len(), 3);
        let sandy = session.get::<User>(10).await?.expect("sandy");
        let addr = session
            .scalars(select(Address).filter(Address::USER_ID.eq(10)))
            .one()
            .await?;
        session.delete(&sandy);
        session.delete(&addr);
        log.take();
        session.commit().await?;
        let statements = log.take();
        let pos = |prefix: &str| statements.iter().position(|s| s.starts_with(prefix));
        assert!(pos("DELETE FROM address") < pos("DELETE FROM user_account"), "{statements:?}");
        assert_eq!(count_rows(&db.engine, Node::table()).await?, 0);
        assert_eq!(count_rows(&db.engine, User::table()).await?, 0);
        Ok(())
    }

    async fn failed_flush_keeps_pending_work_for_a_retry(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        session.save(user("sandy")).await?;
        session.commit().await?;

        // The flush is the transaction's first write: the transaction rolls back.
        let duplicate = user("sandy");
        session.add(user("patrick"));
        session.add(duplicate.clone());
        let err = session.flush().await.expect_err("unique violation");
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
        assert!(!session.in_transaction());
        assert_eq!(session.new_objects::<User>().len(), 2, "the pending work stays");
        // Fix it and retry.
        session.expunge(&duplicate);
        session.add(user("sandy cheeks"));
        session.flush().await?;
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, User::table()).await?, 3);

        // Work flushed earlier in the transaction is undone with it, as in SQLAlchemy.
        let gary = session.save(user("gary")).await?;
        session.add(user("sandy"));
        let err = session.flush().await.expect_err("unique violation");
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
        assert!(!session.in_transaction(), "the transaction rolled back");
        session.expunge(&user("sandy"));
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, User::table()).await?, 3);
        let mut other = Session::new(&db.engine);
        assert!(other.get::<User>(gary.id).await?.is_none());
        // The session is usable: save it again.
        let gary = session.save(user("gary")).await?;
        session.commit().await?;
        // A fresh session: `other`'s transaction keeps its snapshot (REPEATABLE READ on MySQL).
        let mut fresh = Session::new(&db.engine);
        assert!(fresh.get::<User>(gary.id).await?.is_some());
        Ok(())
    }

    async fn rollback_discards_pending_work(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        session.add(user("plankton"));
        session.rollback().await?;
        assert!(session.new_objects::<User>().is_empty());
        session.flush().await?;
        assert_eq!(count_rows(&db.engine, User::table()).await?, 0);

        // A row inserted by the rolled-back transaction leaves the identity map.
        let karen = session.save(user("karen")).await?;
        session.rollback().await?;
        log.take();
        assert!(session.get::<User>(karen.id).await?.is_none());
        assert_eq!(log.take().len(), 1, "the get reads the database");
        // Adding it again is an INSERT, not an UPDATE of a missing row.
        session.add(karen.clone());
        session.commit().await?;
        let statements = log.take();
        assert!(statements[0].starts_with("INSERT"), "{statements:?}");
        assert_eq!(count_rows(&db.engine, User::table()).await?, 1);

        // A pending change of a known row is discarded too.
        let mut k = session.get::<User>(karen.id).await?.expect("karen");
        k.fullname = Some("Karen".into());
        session.add(k);
        session.rollback().await?;
        session.commit().await?;
        let mut other = Session::new(&db.engine);
        assert_eq!(other.get::<User>(karen.id).await?.expect("karen").fullname, None);

        // Dropping a session rolls back.
        let mut dropped = Session::new(&db.engine);
        dropped.save(user("dropped")).await?;
        drop(dropped);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(count_rows(&db.engine, User::table()).await?, 1);
        Ok(())
    }

    async fn version_id_detects_concurrent_changes(db) {
        let log = setup(&db).await?;
        let mut a = Session::new(&db.engine);
        let doc = a.save(Document { title: "draft".into(), ..Default::default() }).await?;
        assert_eq!(doc.version, 1, "the version counter starts at 1");
        a.commit().await?;

        let mut mine = a.get::<Document>(doc.id).await?.expect("doc");
        let mut b = Session::new(&db.engine);
        let mut theirs = b.get::<Document>(doc.id).await?.expect("doc");
        theirs.title = "theirs".into();
        let theirs = b.save(theirs).await?;
        assert_eq!(theirs.version, 2);
        b.commit().await?;

        log.take();
        mine.title = "mine".into();
        a.add(mine.clone());
        let err = a.flush().await.expect_err("stale");
        let statements = log.take();
        assert!(statements[0].contains("version"), "{statements:?}");
        match &err {
            Error::StaleDataError { message } => {
                assert!(message.contains("Document with id ="), "{message}");
                assert!(message.contains("document"), "{message}");
            }
            other => panic!("expected StaleDataError, got {other}"),
        }
        // Reload, reapply, flush.
        a.rollback().await?;
        let mut fresh = a.get::<Document>(doc.id).await?.expect("doc");
        assert_eq!(fresh.title, "theirs");
        fresh.title = "mine".into();
        let saved = a.save(fresh).await?;
        assert_eq!(saved.version, 3);
        a.commit().await?;

        // A stale DELETE fails the same way.
        let mut c = Session::new(&db.engine);
        let old = c.get::<Document>(doc.id).await?.expect("doc");
        let mut d = Session::new(&db.engine);
        let mut newer = d.get::<Document>(doc.id).await?.expect("doc");
        newer.title = "newer".into();
        d.save(newer).await?;
        d.commit().await?;
        c.delete(&old);
        assert!(matches!(c.flush().await, Err(Error::StaleDataError { .. })));
        Ok(())
    }

    async fn updates_of_one_shape_run_together_and_each_is_checked(db) {
        let log = setup(&db).await?;
        let mut a = Session::new(&db.engine);
        let docs = a
            .save_all((0..4).map(|i| Document { title: format!("doc {i}"), ..Default::default() }).collect::<Vec<_>>())
            .await?;
        a.commit().await?;

        // Four rows changed the same way: four UPDATEs (one execution each
        // in the statement log), all written.
        let mut mine = Vec::new();
        for d in &docs {
            let mut doc = a.get::<Document>(d.id).await?.expect("doc");
            doc.title = format!("{} v2", doc.title);
            mine.push(doc);
        }
        log.take();
        a.add_all(mine.clone());
        a.flush().await?;
        let updates = log.take().into_iter().filter(|s| s.starts_with("UPDATE")).count();
        assert_eq!(updates, 4);
        a.commit().await?;

        // a reads all four; another session then changes the third row; a
        // flush of all four fails on that row and writes none of them.
        let mut stale = Vec::new();
        for d in &docs {
            let mut doc = a.get::<Document>(d.id).await?.expect("doc");
            doc.title = format!("{} v3", doc.title);
            stale.push(doc);
        }
        let mut b = Session::new(&db.engine);
        let mut theirs = b.get::<Document>(docs[2].id).await?.expect("doc");
        theirs.title = "theirs".into();
        b.save(theirs).await?;
        b.commit().await?;
        a.add_all(stale);
        let err = a.flush().await.expect_err("stale");
        assert!(matches!(err, Error::StaleDataError { .. }), "{err}");
        a.rollback().await?;
        let titles: Vec<String> = {
            let mut s = Session::new(&db.engine);
            let mut t = Vec::new();
            for d in &docs {
                t.push(s.get::<Document>(d.id).await?.expect("doc").title);
            }
            t
        };
        assert_eq!(titles, ["doc 0 v2", "doc 1 v2", "theirs", "doc 3 v2"]);
        Ok(())
    }

    async fn refresh_reads_the_row_again(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let mut sandy = session.save(user("sandy")).await?;
        session.commit().await?;
        let mut other = Session::new(&db.engine);
        let mut theirs = other.get::<User>(sandy.id).await?.expect("sandy");
        theirs.fullname = Some("Sandy Cheeks".into());
        other.save(theirs).await?;
        other.commit().await?;

        // A pending change is discarded by refresh.
        let mut changed = sandy.clone();
        changed.name = "not saved".into();
        session.add(changed);
        session.refresh(&mut sandy).await?;
        assert_eq!(sandy.fullname.as_deref(), Some("Sandy Cheeks"));
        assert_eq!(sandy.name, "sandy");
        assert!(session.dirty_objects::<User>().is_empty());

        let mut never_saved = user("nobody");
        assert!(matches!(session.refresh(&mut never_saved).await, Err(Error::InvalidRequest(_))));
        let mut gone = User { id: 999_999, name: "gone".into(), ..Default::default() };
        assert!(matches!(session.refresh(&mut gone).await, Err(Error::InvalidRequest(_))));
        Ok(())
    }

    async fn expunge_forgets_an_object(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let sandy = session.save(user("sandy")).await?;
        assert!(session.contains(&sandy));
        session.expunge(&sandy);
        assert!(!session.contains(&sandy));
        log.take();
        session.get::<User>(sandy.id).await?.expect("sandy");
        assert_eq!(log.take().len(), 1, "not in the identity map any more: SELECT");

        // A pending object is forgotten too.
        let plankton = user("plankton");
        session.add(plankton.clone());
        session.expunge(&plankton);
        assert!(session.new_objects::<User>().is_empty());
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, User::table()).await?, 1);
        Ok(())
    }

    async fn expire_all_and_commit_expire_the_identity_map(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let sandy = session.save(user("sandy")).await?;
        log.take();
        session.get::<User>(sandy.id).await?;
        assert_eq!(log.take().len(), 0, "the flush stored the snapshot");
        session.expire_all();
        session.get::<User>(sandy.id).await?;
        assert_eq!(log.take().len(), 1, "expired: SELECT");
        session.get::<User>(sandy.id).await?;
        assert_eq!(log.take().len(), 0);

        // expire_all discards unflushed changes of known objects (as SQLAlchemy).
        let mut changed = sandy.clone();
        changed.fullname = Some("changed".into());
        session.add(changed);
        session.expire_all();
        session.flush().await?;
        assert_eq!(log.take().len(), 0);

        session.commit().await?;
        session.get::<User>(sandy.id).await?;
        assert_eq!(log.take().len(), 1, "commit expires: SELECT");

        // Adding an unchanged value does not make an expired snapshot fresh.
        session.commit().await?;
        session.add(sandy.clone());
        session.flush().await?;
        session.get::<User>(sandy.id).await?;
        assert_eq!(log.take().len(), 1, "still expired: SELECT");

        // expire_on_commit = false keeps the snapshots.
        let mut keep = Session::with_options(&db.engine, SessionOptions::default().expire_on_commit(false));
        let gary = keep.save(user("gary")).await?;
        keep.commit().await?;
        log.take();
        let again = keep.get::<User>(gary.id).await?.expect("gary");
        assert_eq!(log.take().len(), 0, "no SQL without expire_on_commit");
        assert_eq!(again, gary);
        Ok(())
    }

    async fn composite_primary_keys(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let m = session.save(Membership { group_id: 1, member_id: 2, role: "admin".into() }).await?;
        session.add(Membership { group_id: 1, member_id: 3, role: "member".into() });
        session.commit().await?;
        log.take();
        let mut got = session.get::<Membership>((1, 2)).await?.expect("membership");
        assert_eq!(got, m);
        session.get::<Membership>((1, 2)).await?;
        assert_eq!(log.take().len(), 1, "second get from the identity map");
        assert!(session.get::<Membership>((2, 1)).await?.is_none());

        got.role = "owner".into();
        session.add(got.clone());
        session.flush().await?;
        let statements = log.take();
        let update = statements.iter().find(|s| s.starts_with("UPDATE")).expect("update");
        assert_eq!(set_clause(update), "role = ?");
        assert!(update.contains("group_id") && update.contains("member_id"), "{update}");

        session.delete(&got);
        session.commit().await?;
        let mut other = Session::new(&db.engine);
        assert!(other.get::<Membership>((1, 2)).await?.is_none());
        assert!(other.get::<Membership>((1, 3)).await?.is_some());
        Ok(())
    }

    async fn queries_decode_models_tuples_and_rows(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let users = session
            .save_all(["spongebob", "sandy", "patrick", "squidward"].map(user))
            .await?;
        session.add_all([
            Address { email_address: "sb@sea.org".into(), user_id: users[0].id, ..Default::default() },
            Address { email_address: "sb2@sea.org".into(), user_id: users[0].id, ..Default::default() },
            Address { email_address: "sandy@sea.org".into(), user_id: users[1].id, ..Default::default() },
        ]);
        session.commit().await?;

        let stmt = select(User)
            .filter(User::NAME.in_(["spongebob", "sandy"]))
            .order_by(User::ID);
        let found: Vec<User> = session.scalars(stmt.clone()).all().await?;
        assert_eq!(found.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["spongebob", "sandy"]);
        assert!(!found[0].addresses.is_loaded());
        assert!(matches!(session.scalars(stmt.clone()).one().await, Err(Error::MultipleResultsFound)));
        assert!(matches!(session.scalars(stmt.clone()).one_or_none().await, Err(Error::MultipleResultsFound)));
        assert_eq!(session.scalars(stmt.clone()).first().await?.expect("first").name, "spongebob");
        let none = select(User).filter(User::NAME.eq("nobody"));
        assert!(matches!(session.scalars(none.clone()).one().await, Err(Error::NoResultFound)));
        assert!(session.scalars(none.clone()).first().await?.is_none());
        assert!(session.scalars(none).one_or_none().await?.is_none());
        let one: User = session.scalars(select(User).filter(User::NAME.eq("sandy"))).one().await?;
        assert_eq!(one.id, users[1].id);

        // limit / offset
        let page = session
            .scalars(select(User).order_by(User::ID).limit(2).offset(1))
            .all()
            .await?;
        assert_eq!(page.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["sandy", "patrick"]);

        // tuples and single columns
        let pairs: Vec<(i64, String)> = session
            .scalars(select((User::ID, User::NAME)).order_by(User::ID))
            .all()
            .await?;
        assert_eq!(pairs[2], (users[2].id, "patrick".to_owned()));
        let names: Vec<String> = session
            .scalars(select(User::NAME).filter(User::FULLNAME.is_null()).order_by(User::NAME))
            .all()
            .await?;
        assert_eq!(names.len(), 4);

        // join to another model with an explicit ON clause
        let joined: Vec<(User, Address)> = session
            .scalars(
                select((User, Address))
                    .join_on(Address, User::ID.eq(Address::USER_ID))
                    .order_by(Address::ID),
            )
            .all()
            .await?;
        assert_eq!(joined.len(), 3);
        assert_eq!(joined[2].0.name, "sandy");
        assert_eq!(joined[2].1.email_address, "sandy@sea.org");
        let emails: Vec<String> = session
            .scalars(
                select(Address::EMAIL_ADDRESS)
                    .join_on(User::table(), User::ID.eq(Address::USER_ID))
                    .filter(User::NAME.eq("spongebob"))
                    .order_by(Address::EMAIL_ADDRESS),
            )
            .all()
            .await?;
        assert_eq!(emails, ["sb2@sea.org", "sb@sea.org"]);

        // aggregation through execute (Core-style rows)
        let rows = session
            .execute(
                select((User::NAME, func::count(Address::ID)))
                    .join_on(Address, User::ID.eq(Address::USER_ID))
                    .group_by(User::NAME)
                    .order_by(User::NAME),
            )
            .await?;
        let counts: Vec<(String, i64)> = rows.all()?;
        assert_eq!(counts, [("sandy".to_owned(), 1), ("spongebob".to_owned(), 2)]);
        Ok(())
    }

    async fn queries_autoflush_pending_changes(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        session.add(user("pearl"));
        let found = session
            .scalars(select(User).filter(User::NAME.eq("pearl")))
            .one()
            .await?;
        assert!(found.id > 0, "the pending INSERT was flushed before the query");
        let mut pearl = found.clone();
        pearl.fullname = Some("Pearl Krabs".into());
        session.add(pearl);
        let rows = session
            .execute(select(User::FULLNAME).filter(User::ID.eq(found.id)))
            .await?;
        let fullname: Vec<Option<String>> = rows.scalars()?;
        assert_eq!(fullname, [Some("Pearl Krabs".to_owned())]);

        // A get that misses the identity map flushes first, too.
        session.add(User { id: 500, name: "mrs puff".into(), ..Default::default() });
        let puff = session.get::<User>(500).await?.expect("flushed by the get");
        assert_eq!(puff.name, "mrs puff");

        // Without autoflush, nothing is sent before the query.
        let mut manual = Session::with_options(&db.engine, SessionOptions::default().autoflush(false));
        manual.add(user("larry"));
        let larry = manual
            .scalars(select(User).filter(User::NAME.eq("larry")))
            .one_or_none()
            .await?;
        assert!(larry.is_none());
        Ok(())
    }

    async fn get_and_delete_within_the_session(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let sandy = session.save(user("sandy")).await?;
        log.take();
        session.delete(&sandy);
        assert!(session.get::<User>(sandy.id).await?.is_none(), "deleted, not yet flushed");
        assert!(log.take().is_empty());
        session.flush().await?;
        assert!(!session.contains(&sandy));
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, User::table()).await?, 0);

        // A new object that is deleted before the flush is simply dropped.
        let temp = user("temp");
        session.add(temp.clone());
        session.delete(&temp);
        session.flush().await?;
        assert_eq!(count_rows(&db.engine, User::table()).await?, 0);

        // A pending change of a known row is readable through get.
        let gary = session.save(user("gary")).await?;
        let mut changed = gary.clone();
        changed.fullname = Some("Gary the snail".into());
        session.add(changed.clone());
        log.take();
        assert_eq!(session.get::<User>(gary.id).await?, Some(changed));
        assert!(log.take().is_empty());
        Ok(())
    }

    async fn session_and_futures_are_send(db) {
        setup(&db).await?;
        let engine = db.engine.clone();
        // A session moves into a spawned task; every future is Send.
        let handle = tokio::spawn(async move {
            let mut session = assert_send(Session::new(&engine));
            let u = assert_send(session.save(user("task"))).await?;
            assert_send(session.get::<User>(u.id)).await?;
            assert_send(session.scalars(select(User)).all()).await?;
            assert_send(session.save_all(vec![user("t2")])).await?;
            assert_send(session.flush()).await?;
            assert_send(session.commit()).await?;
            Ok::<_, Error>(u.id)
        });
        let id = handle.await.expect("task")?;
        assert!(id > 0);
        Ok(())
    }
}

/// MySQL 8 has no RETURNING: the flush inserts rows with generated keys one
/// per statement (the key from LAST_INSERT_ID) and reads server defaults back
/// with a SELECT. The local server is MariaDB, so this runs it with MySQL 8's
/// dialect (plain SQL both servers accept).
#[cfg(feature = "mysql")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql8_without_returning() -> oxalchemy::Result<()> {
    use oxalchemy::Dialect;
    use oxalchemy::driver::{BoxFuture, Driver, DriverConnection};

    #[derive(Debug)]
    struct AsMysql8(oxalchemy::mysql::MysqlDriver, Arc<dyn Dialect>);
    impl Driver for AsMysql8 {
        fn dialect(&self) -> Arc<dyn Dialect> {
            self.1.clone()
        }
        fn connect(&self) -> BoxFuture<'_, oxalchemy::Result<Box<dyn DriverConnection>>> {
            self.0.connect()
        }
        fn display_url(&self) -> String {
            self.0.display_url()
        }
    }

    let Some(db) = TestDb::open(Backend::Mysql).await else {
        return Ok(());
    };
    Base::metadata().create_all(&db.engine).await?;
    let driver = AsMysql8(
        oxalchemy::mysql::MysqlDriver::from_url(db.url())?,
        Arc::new(oxalchemy::mysql::MysqlDialect::mysql8()),
    );
    let engine = Engine::from_driver(Arc::new(driver), oxalchemy_pool::EngineOptions::default())?;
    assert!(!engine.dialect().supports_returning());
    let log = Statements::listen(&engine);
    let mut session = Session::new(&engine);
    let users = session.save_all(["a", "b", "c"].map(user)).await?;
    assert_eq!(log.take().len(), 3, "one INSERT per row");
    let t = session
        .save(Ticket {
            id: 7,
            title: "keyed".into(),
            ..Default::default()
        })
        .await?;
    assert_eq!(t.status.as_deref(), Some("open"));
    let statements = log.take();
    assert_eq!(
        statements.len(),
        2,
        "INSERT, then SELECT of the server default: {statements:?}"
    );
    session.add_all([
        Ticket {
            id: 8,
            title: "x".into(),
            ..Default::default()
        },
        Ticket {
            id: 9,
            title: "y".into(),
            ..Default::default()
        },
    ]);
    session.flush().await?;
    assert_eq!(log.take().len(), 2, "one multi-row INSERT, one SELECT");
    session.commit().await?;
    let mut other = Session::new(&engine);
    for u in &users {
        assert_eq!(other.get::<User>(u.id).await?.expect("row").name, u.name);
    }
    assert_eq!(
        other
            .get::<Ticket>(9)
            .await?
            .expect("ticket")
            .status
            .as_deref(),
        Some("open")
    );
    drop(other);
    engine.dispose().await;
    Ok(())
}
