//! The unit of work loses nothing (issue 10), on every backend, with the
//! statements sent and the rows left:
//!
//! - a child moved to another parent (new or loaded, any add order) is
//!   re-parented by one UPDATE, never deleted or detached;
//! - a relationship remembers what it was loaded with: a partial collection
//!   (`contains_eager` with a filter) orphans only what it held;
//! - the identity map wins: a query gives back the session's state, so a
//!   later `add` writes only what the caller changed (no lost update);
//!   `populate_existing()` opts in to the fresh row;
//! - optimistic concurrency checks the version the caller's value holds;
//! - `session.merge(value)`;
//! - an explicit value is never replaced by a column default;
//! - `no_autoflush`, and `add` after a flushed delete.

mod common;

use common::{Statements, TestDb};
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "uow_user")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "user", cascade = "all, delete-orphan")]
    addresses: Related<Vec<Address>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "uow_address")]
struct Address {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 100)]
    email: String,
    #[mapped_column(foreign_key = "uow_user.id")]
    user_id: i64,
    #[relationship(back_populates = "addresses")]
    user: Related<User>,
}

/// The default cascade: removed children are detached (foreign key NULL).
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "uow_author")]
struct Author {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "author")]
    books: Related<Vec<Book>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "uow_book")]
struct Book {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    title: String,
    #[mapped_column(foreign_key = "uow_author.id")]
    author_id: Option<i64>,
    #[relationship(back_populates = "books")]
    author: Related<Option<Author>>,
}

/// Versioned, with client and server defaults.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "uow_task", version_id = "version")]
struct Task {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    title: String,
    #[mapped_column(default = 5)]
    priority: i64,
    #[mapped_column(length = 20, server_default = "open")]
    status: Option<String>,
    #[mapped_column(default = 3)]
    retries: Option<i64>,
    version: i64,
}

/// Unversioned: two columns two writers change.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "uow_note")]
struct Note {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    title: String,
    #[mapped_column(length = 50)]
    body: String,
}

/// `#[model(default)]`: the generated `Default` holds the client-side defaults.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(base = Base, table = "uow_job", default)]
struct Job {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 20, default = "queued")]
    state: String,
    #[mapped_column(default = 5)]
    priority: i64,
    note: Option<String>,
}

/// Unique names, for a flush that fails half-way.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "uow_tag")]
struct Tag {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 20, unique)]
    name: String,
}

fn count(statements: &[String], prefix: &str) -> usize {
    statements.iter().filter(|s| s.starts_with(prefix)).count()
}

async fn setup(db: &TestDb) -> oxalchemy::Result<Statements> {
    Base::metadata().create_all(&db.engine).await?;
    Ok(Statements::listen(&db.engine))
}

/// The (id, user_id) of every address, by id, read in a transaction of its own.
async fn address_rows(engine: &Engine) -> oxalchemy::Result<Vec<(i64, i64)>> {
    let mut session = Session::new(engine);
    session
        .scalars(select((Address::ID, Address::USER_ID)).order_by(Address::ID))
        .all()
        .await
}

async fn book_rows(engine: &Engine) -> oxalchemy::Result<Vec<(i64, Option<i64>)>> {
    let mut session = Session::new(engine);
    session
        .scalars(select((Book::ID, Book::AUTHOR_ID)).order_by(Book::ID))
        .all()
        .await
}

fn address(email: &str) -> Address {
    Address {
        email: email.into(),
        ..Default::default()
    }
}

/// A user with addresses, saved and committed; the returned value's
/// collection remembers what it was saved with.
async fn saved_user(session: &mut Session, name: &str, emails: &[&str]) -> oxalchemy::Result<User> {
    let user = session
        .save(User {
            name: name.into(),
            addresses: Related::from(emails.iter().map(|e| address(e)).collect::<Vec<_>>()),
            ..Default::default()
        })
        .await?;
    session.commit().await?;
    Ok(user)
}

backend_tests! {
    // A child removed from one loaded collection and put in a new parent's,
    // in both add orders: one UPDATE of its foreign key with the new
    // parent's generated key; nothing deleted.
    async fn a_child_moved_to_a_new_parent_is_reparented(db) {
        let log = setup(&db).await?;
        for new_parent_first in [false, true] {
            let mut session = Session::new(&db.engine);
            let mut krabs = saved_user(&mut session, &format!("krabs{new_parent_first}"), &["a@x", "b@x"]).await?;
            let moved = krabs.addresses.get_mut()?.remove(1);
            let pearl = User {
                name: format!("pearl{new_parent_first}"),
                addresses: Related::from(vec![moved.clone()]),
                ..Default::default()
            };
            if new_parent_first {
                session.add(pearl);
                session.add(krabs.clone());
            } else {
                session.add(krabs.clone());
                session.add(pearl);
            }
            log.take();
            session.commit().await?;
            let statements = log.take();
            assert_eq!(count(&statements, "DELETE"), 0, "{statements:#?}");
            assert_eq!(count(&statements, "INSERT INTO uow_user"), 1, "{statements:#?}");
            assert_eq!(count(&statements, "UPDATE uow_address SET user_id"), 1, "{statements:#?}");
            let mut check = Session::new(&db.engine);
            let pearl_id: i64 = check
                .scalars(select(User::ID).filter(User::NAME.eq(format!("pearl{new_parent_first}"))))
                .one()
                .await?;
            let moved_now = check.get::<Address>(moved.id).await?.expect("moved address kept");
            assert_eq!(moved_now.user_id, pearl_id);
            assert_eq!(moved_now.email, "b@x");
            let kept: Vec<i64> = check
                .scalars(select(Address::ID).filter(Address::USER_ID.eq(krabs.id)))
                .all()
                .await?;
            assert_eq!(kept, [krabs.addresses.get()?[0].id]);
        }
        Ok(())
    }

    // The same into another loaded parent, and under the default cascade
    // (no delete-orphan): the child is re-parented, never detached.
    async fn a_child_moved_to_a_loaded_parent_is_reparented(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        for parent_first in [false, true] {
            let mut a = saved_user(&mut session, &format!("a{parent_first}"), &["1", "2"]).await?;
            let b_id = saved_user(&mut session, &format!("b{parent_first}"), &["3"]).await?.id;
            let mut b = session.get::<User>(b_id).await?.expect("b");
            session.load(&mut b, User::ADDRESSES).await?;
            let moved = a.addresses.get_mut()?.remove(0);
            b.addresses.get_mut()?.push(moved.clone());
            if parent_first {
                session.add(b.clone());
                session.add(a.clone());
            } else {
                session.add(a.clone());
                session.add(b.clone());
            }
            log.take();
            session.commit().await?;
            let statements = log.take();
            assert_eq!(count(&statements, "DELETE"), 0, "{statements:#?}");
            assert_eq!(count(&statements, "UPDATE uow_address"), 1, "{statements:#?}");
            let rows = address_rows(&db.engine).await?;
            assert!(rows.contains(&(moved.id, b.id)), "{rows:?}");
        }

        // Default cascade: a book moves from ferris to a new author.
        let ferris = session
            .save(Author {
                name: "ferris".into(),
                books: Related::from(vec![
                    Book { title: "one".into(), ..Default::default() },
                    Book { title: "two".into(), ..Default::default() },
                ]),
                ..Default::default()
            })
            .await?;
        session.commit().await?;
        let mut f = ferris.clone();
        let two = f.books.get_mut()?.pop().expect("two");
        session.add(Author { name: "corro".into(), books: Related::from(vec![two.clone()]), ..Default::default() });
        session.add(f);
        log.take();
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "UPDATE uow_book SET author_id"), 1, "{statements:#?}");
        let books = book_rows(&db.engine).await?;
        let corro: i64 = Session::new(&db.engine)
            .scalars(select(Author::ID).filter(Author::NAME.eq("corro")))
            .one()
            .await?;
        assert_eq!(books, [(ferris.books.get()?[0].id, Some(ferris.id)), (two.id, Some(corro))]);
        Ok(())
    }

    // A child really removed (in no parent after the flush) is still an
    // orphan: deleted with delete-orphan, detached without.
    async fn a_removed_child_in_no_parent_is_an_orphan(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let mut u = saved_user(&mut session, "sandy", &["1", "2"]).await?;
        let gone = u.addresses.get_mut()?.remove(0);
        session.add(u.clone());
        log.take();
        session.commit().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:#?}");
        assert!(statements[0].starts_with("DELETE FROM uow_address"), "{statements:#?}");
        assert!(!address_rows(&db.engine).await?.iter().any(|r| r.0 == gone.id));

        let mut ferris = session
            .save(Author {
                name: "ferris".into(),
                books: Related::from(vec![Book { title: "one".into(), ..Default::default() }]),
                ..Default::default()
            })
            .await?;
        session.commit().await?;
        let book = ferris.books.get_mut()?.remove(0);
        session.add(ferris);
        session.commit().await?;
        assert!(book_rows(&db.engine).await?.contains(&(book.id, None)));
        Ok(())
    }

    // A collection loaded partially (contains_eager with a filter) orphans
    // only a member it held; rows it never held are untouched.
    async fn a_partial_collection_orphans_only_what_it_held(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let u = saved_user(&mut session, "squidward", &["home@x", "work1@y", "work2@y"]).await?;
        let mut partial = session
            .scalars(
                select(User)
                    .join(User::ADDRESSES)
                    .filter(Address::EMAIL.like("%@y"))
                    .filter(User::ID.eq(u.id))
                    .options(contains_eager(User::ADDRESSES)),
            )
            .one()
            .await?;
        assert_eq!(partial.addresses.get()?.len(), 2);
        assert_eq!(partial.addresses.loaded_with().map(|h| h.len()), Some(2));
        let removed = partial.addresses.get_mut()?.remove(0);
        session.add(partial);
        log.take();
        session.commit().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:#?}");
        assert!(statements[0].starts_with("DELETE FROM uow_address"), "{statements:#?}");
        let emails: Vec<String> = Session::new(&db.engine)
            .scalars(select(Address::EMAIL).filter(Address::USER_ID.eq(u.id)).order_by(Address::EMAIL))
            .all()
            .await?;
        assert_eq!(emails, ["home@x", if removed.email == "work1@y" { "work2@y" } else { "work1@y" }]);
        Ok(())
    }

    // A collection built by the caller (Related::from) on an existing
    // parent is the whole new collection, as SQLAlchemy's assignment: the
    // rows it replaces are read at the flush and orphaned.
    async fn an_assigned_collection_replaces_the_rows(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let u = saved_user(&mut session, "gary", &["1", "2"]).await?;
        let keep = u.addresses.get()?[1].clone();
        let mut fresh = session.get::<User>(u.id).await?.expect("gary");
        fresh.addresses = Related::from(vec![keep.clone(), address("3")]);
        session.add(fresh);
        log.take();
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "SELECT"), 1, "the replaced rows are read: {statements:#?}");
        assert_eq!(count(&statements, "DELETE FROM uow_address"), 1, "{statements:#?}");
        assert_eq!(count(&statements, "INSERT INTO uow_address"), 1, "{statements:#?}");
        let rows = address_rows(&db.engine).await?;
        assert_eq!(rows.len(), 2);
        assert!(rows.contains(&(keep.id, u.id)));
        Ok(())
    }

    // The identity map wins: a query returns the session's state for a row
    // it holds, so `add` writes only what the caller changed and another
    // writer's column survives. populate_existing() gives the fresh row.
    async fn the_identity_map_wins(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let note = session.save(Note { title: "t".into(), body: "b".into(), ..Default::default() }).await?;
        session.commit().await?;
        let mut mine = session.get::<Note>(note.id).await?.expect("note");

        // Another transaction changes the body.
        let mut other = Session::new(&db.engine);
        let mut theirs = other.get::<Note>(note.id).await?.expect("note");
        theirs.body = "their body".into();
        other.add(theirs);
        other.commit().await?;

        let again = session.scalars(select(Note).filter(Note::ID.eq(note.id))).one().await?;
        assert_eq!(again.body, "b", "the session's state, not the fresh row");
        mine.title = "my title".into();
        session.add(mine);
        log.take();
        session.commit().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:#?}");
        assert!(statements[0].starts_with("UPDATE uow_note SET title = "), "{statements:#?}");
        assert!(!statements[0].contains("body"), "{statements:#?}");
        let row = Session::new(&db.engine).get::<Note>(note.id).await?.expect("note");
        assert_eq!((row.title.as_str(), row.body.as_str()), ("my title", "their body"));

        // An unflushed change comes back from a query (autoflush off).
        let mut held = session.get::<Note>(note.id).await?.expect("note");
        held.body = "pending".into();
        {
            let mut scope = session.no_autoflush();
            scope.add(held.clone());
            let seen = scope.scalars(select(Note).filter(Note::ID.eq(note.id))).one().await?;
            assert_eq!(seen.body, "pending");
            // populate_existing: the row as stored; the unflushed change is discarded.
            let fresh = scope
                .scalars(select(Note).filter(Note::ID.eq(note.id)).populate_existing())
                .one()
                .await?;
            assert_eq!(fresh.body, "their body");
        }
        log.take();
        session.commit().await?;
        assert!(log.take().iter().all(|s| !s.starts_with("UPDATE")));
        Ok(())
    }

    // A version-checked UPDATE uses the version the caller's value holds:
    // after the session re-read the row another transaction changed, an
    // old value is stale; nothing is overwritten.
    async fn a_stale_value_is_refused(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let task = session.save(Task { title: "draft".into(), ..Default::default() }).await?;
        session.commit().await?;
        let mut old = session.get::<Task>(task.id).await?.expect("task");
        assert_eq!(old.version, 1);
        // End the read transaction (MariaDB's repeatable read would keep
        // showing version 1); the caller keeps the value.
        session.commit().await?;

        let mut other = Session::new(&db.engine);
        let mut theirs = other.get::<Task>(task.id).await?.expect("task");
        theirs.title = "theirs".into();
        other.add(theirs);
        other.commit().await?;

        // The session re-reads the row (version 2) ...
        let fresh = session
            .scalars(select(Task).filter(Task::ID.eq(task.id)).populate_existing())
            .one()
            .await?;
        assert_eq!(fresh.version, 2);
        // ... and an edit of the value read at version 1 is stale.
        old.priority = 9;
        session.add(old.clone());
        let err = session.flush().await.unwrap_err();
        assert!(matches!(err, Error::StaleDataError { .. }), "{err}");
        session.rollback().await?;
        let row = Session::new(&db.engine).get::<Task>(task.id).await?.expect("task");
        assert_eq!((row.title.as_str(), row.priority, row.version), ("theirs", 0, 2));

        // A delete of the stale value is refused too.
        session.delete(&old);
        let err = session.flush().await.unwrap_err();
        assert!(matches!(err, Error::StaleDataError { .. }), "{err}");
        session.rollback().await?;

        // The current value goes through.
        let mut current = session.get::<Task>(task.id).await?.expect("task");
        current.priority = 9;
        session.add(current);
        session.commit().await?;
        let row = Session::new(&db.engine).get::<Task>(task.id).await?.expect("task");
        assert_eq!((row.title.as_str(), row.priority, row.version), ("theirs", 9, 3));
        Ok(())
    }

    // merge: a value from outside the session is copied onto the row (loaded
    // first), writing only what differs; a stale version is refused at once;
    // a value without a row is inserted.
    async fn merge_copies_a_value_from_outside(db) {
        let log = setup(&db).await?;
        let mut first = Session::new(&db.engine);
        let task = first.save(Task { title: "a".into(), priority: 1, ..Default::default() }).await?;
        first.commit().await?;

        // As if deserialized from a request: known to no session.
        let mut incoming = task.clone();
        incoming.title = "b".into();
        let mut session = Session::new(&db.engine);
        log.take();
        let merged = session.merge(incoming).await?;
        assert_eq!(merged.title, "b");
        let statements = log.take();
        assert_eq!(statements.len(), 1, "the row is loaded: {statements:#?}");
        assert!(statements[0].starts_with("SELECT"), "{statements:#?}");
        session.commit().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:#?}");
        assert!(statements[0].starts_with("UPDATE uow_task SET title = "), "{statements:#?}");
        assert!(!statements[0].contains("priority ="), "{statements:#?}");
        let row = Session::new(&db.engine).get::<Task>(task.id).await?.expect("task");
        assert_eq!((row.title.as_str(), row.priority, row.version), ("b", 1, 2));

        // The value still holds version 1: stale at merge time.
        let mut stale = task.clone();
        stale.priority = 7;
        let err = session.merge(stale).await.unwrap_err();
        assert!(matches!(err, Error::StaleDataError { .. }), "{err}");
        session.commit().await?;
        let row = Session::new(&db.engine).get::<Task>(task.id).await?.expect("task");
        assert_eq!(row.priority, 1);

        // No row with this key: an INSERT.
        let new = Task { id: task.id + 100, title: "c".into(), priority: 2, ..Default::default() };
        session.merge(new.clone()).await?;
        log.take();
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "INSERT INTO uow_task"), 1, "{statements:#?}");
        let row = Session::new(&db.engine).get::<Task>(new.id).await?.expect("task");
        assert_eq!((row.title.as_str(), row.priority, row.version), ("c", 2, 1));

        // A merged collection replaces the row's: the member it lacks is orphaned.
        let u = saved_user(&mut first, "plankton", &["1", "2"]).await?;
        let mut incoming = u.clone();
        incoming.addresses = Related::from(vec![u.addresses.get()?[1].clone()]);
        session.merge(incoming).await?;
        session.commit().await?;
        let rows = address_rows(&db.engine).await?;
        assert_eq!(rows.iter().filter(|r| r.1 == u.id).count(), 1);
        Ok(())
    }

    // A column default applies only where the caller gave no value (None);
    // an explicit value equal to the Rust default is written as held.
    async fn explicit_values_are_never_replaced(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let zero = session
            .save(Task { title: "zero".into(), priority: 0, status: None, retries: None, ..Default::default() })
            .await?;
        let given = session
            .save(Task {
                title: "given".into(),
                priority: 7,
                status: Some(String::new()),
                retries: Some(0),
                ..Default::default()
            })
            .await?;
        session.commit().await?;
        assert_eq!((zero.priority, zero.status.as_deref(), zero.retries), (0, Some("open"), Some(3)));
        let mut check = Session::new(&db.engine);
        let rows: Vec<(String, i64, Option<String>, Option<i64>)> = check
            .scalars(
                select((Task::TITLE, Task::PRIORITY, Task::STATUS, Task::RETRIES))
                    .filter(Task::ID.in_([zero.id, given.id]))
                    .order_by(Task::ID),
            )
            .all()
            .await?;
        assert_eq!(
            rows,
            [
                ("zero".to_owned(), 0, Some("open".to_owned()), Some(3)),
                ("given".to_owned(), 7, Some(String::new()), Some(0)),
            ]
        );
        Ok(())
    }

    // `#[model(default)]` makes "the column's default" expressible for a
    // non-Option field: the generated Default holds it, and what the caller
    // sets instead is written as held.
    async fn a_generated_default_fills_client_defaults(db) {
        setup(&db).await?;
        let job = Job::default();
        assert_eq!((job.state.as_str(), job.priority, job.note.as_deref()), ("queued", 5, None));
        let mut session = Session::new(&db.engine);
        let a = session.save(Job::default()).await?;
        let b = session.save(Job { priority: 0, state: String::new(), ..Job::default() }).await?;
        session.commit().await?;
        let rows: Vec<(String, i64)> = Session::new(&db.engine)
            .scalars(select((Job::STATE, Job::PRIORITY)).filter(Job::ID.in_([a.id, b.id])).order_by(Job::ID))
            .all()
            .await?;
        assert_eq!(rows, [("queued".to_owned(), 5), (String::new(), 0)]);
        Ok(())
    }

    // A flush that fails half-way fires the statement events evenly: every
    // statement that started has its BeforeExecute, every one that completed
    // its AfterExecute, and only the failing one lacks an AfterExecute.
    async fn a_failed_flush_fires_events_evenly(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        session.save(Tag { name: "taken".into(), ..Default::default() }).await?;
        session.commit().await?;
        let seen = std::sync::Arc::new(std::sync::Mutex::new((0_usize, 0_usize)));
        for (event, after) in [(EngineEvent::BeforeExecute, false), (EngineEvent::AfterExecute, true)] {
            let seen = seen.clone();
            event::listen(&db.engine, event, move |ctx: &ExecuteContext| {
                if ctx.statement().starts_with("INSERT INTO uow_tag") {
                    let mut s = seen.lock().unwrap();
                    if after { s.1 += 1 } else { s.0 += 1 }
                }
            });
        }
        session.add_all(["a", "taken", "c"].map(|n| Tag { name: n.into(), ..Default::default() }));
        let err = session.flush().await.unwrap_err();
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
        let (before, after) = *seen.lock().unwrap();
        assert_eq!(before, after + 1, "before {before}, after {after}");
        Ok(())
    }

    // no_autoflush is a scope; add after a flushed delete is an error
    // until the object is expunged.
    async fn no_autoflush_and_add_after_delete(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        session.add(Note { id: 1, title: "n".into(), body: "b".into() });
        log.take();
        {
            let mut scope = session.no_autoflush();
            let none = scope.get::<Note>(1).await?;
            assert!(none.is_none());
        }
        let statements = log.take();
        assert_eq!(count(&statements, "INSERT"), 0, "{statements:#?}");
        let found = session.get::<Note>(1).await?;
        assert!(found.is_some());
        assert_eq!(count(&log.take(), "INSERT INTO uow_note"), 1);

        let note = found.expect("note");
        session.delete(&note);
        session.flush().await?;
        session.add(note.clone());
        let err = session.flush().await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
        assert!(err.to_string().contains("expunge"), "{err}");
        session.expunge(&note);
        session.add(note.clone());
        session.commit().await?;
        assert!(Session::new(&db.engine).get::<Note>(1).await?.is_some());
        Ok(())
    }
}
