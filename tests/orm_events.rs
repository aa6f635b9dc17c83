//! Mapper events (`event::listens_for::<M>`) and session events
//! (`event::listen_session`) on every backend: the audit recipes of
//! docs/events.md, event order (checked against SQLAlchemy 2.x), aborting
//! listeners, panicking listeners, `Load` / `Refresh`.
//!
//! Mapper listeners are process-wide and the tests of this file run in
//! parallel: each listener acts only for its own test database
//! (`ctx.engine().url() == url`), and each test has its own models.

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use common::Statements;
use oxalchemy::prelude::*;
use std::sync::{Arc, Mutex};

oxalchemy::declarative_base!(Base);

/// Audit columns set by listeners.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "stamped_note")]
struct StampedNote {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    title: String,
    created_at: Option<NaiveDateTime>,
    updated_at: Option<NaiveDateTime>,
}

/// Rows whose inserts are audited.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "audited_order")]
struct AuditedOrder {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    item: String,
}

/// The audit rows, written in the flush's transaction.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "audit_log")]
struct AuditLog {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 20)]
    action: String,
    order_id: i64,
}

/// A model whose listeners fail or panic.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "guarded_item")]
struct GuardedItem {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    name: String,
}

/// The model of the event-order test.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "ordered_thing")]
struct OrderedThing {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    name: String,
}

/// The model of the load and refresh test.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "loaded_thing")]
struct LoadedThing {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    name: String,
}

/// A parent whose children take its generated key in the same flush.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "event_shelf")]
struct EventShelf {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    label: String,
    #[relationship(back_populates = "shelf")]
    books: Related<Vec<EventBook>>,
}

/// The child: its `BeforeInsert` listener reads the copied foreign key.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "event_book")]
struct EventBook {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    title: String,
    #[mapped_column(foreign_key = "event_shelf.id")]
    shelf_id: i64,
    #[mapped_column(length = 80)]
    shelf_note: Option<String>,
    #[relationship(back_populates = "books")]
    shelf: Related<EventShelf>,
}

/// A parent whose delete detaches its members (no delete cascade).
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "event_team")]
struct EventTeam {
    #[mapped_column(primary_key, autoincrement = false)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "team")]
    members: Related<Vec<EventMember>>,
}

/// Detached children: their update listeners see the NULL foreign key.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "event_member")]
struct EventMember {
    #[mapped_column(primary_key, autoincrement = false)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[mapped_column(foreign_key = "event_team.id")]
    team_id: Option<i64>,
    #[mapped_column(length = 80)]
    left_note: Option<String>,
    #[relationship(back_populates = "members")]
    team: Related<EventTeam>,
}

fn at(hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 5, 19)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .expect("a valid time")
}

type Log = Arc<Mutex<Vec<String>>>;

fn take(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

backend_tests! {
    async fn audit_columns_are_written_by_the_same_statement(db) {
        Base::metadata().create_all(&db.engine).await?;
        let url = db.engine.url();
        let u = url.clone();
        let on_insert = event::listens_for::<StampedNote>(MapperEvent::BeforeInsert, move |ctx, note: &mut StampedNote| {
            if ctx.engine().url() == u {
                note.created_at = Some(at(9));
                note.updated_at = Some(at(9));
            }
            Ok(())
        });
        let u = url.clone();
        let on_update = event::listens_for::<StampedNote>(MapperEvent::BeforeUpdate, move |ctx, note: &mut StampedNote| {
            if ctx.engine().url() == u {
                note.updated_at = Some(at(17));
            }
            Ok(())
        });
        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        let note = session
            .save(StampedNote { title: "draft".into(), ..Default::default() })
            .await?;
        // Written by the INSERT itself, and in the value `save` returns.
        assert_eq!((note.created_at, note.updated_at), (Some(at(9)), Some(at(9))));
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].starts_with("INSERT INTO stamped_note") && sent[0].contains("created_at"), "{sent:?}");

        // Only a changed object is updated; the listener's change joins the same UPDATE.
        session.add(note.clone());
        session.flush().await?;
        assert_eq!(statements.take(), Vec::<String>::new());
        session.add(StampedNote { title: "final".into(), ..note.clone() });
        session.flush().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].starts_with("UPDATE stamped_note") && sent[0].contains("updated_at") && sent[0].contains("title"), "{sent:?}");
        session.commit().await?;
        let stored = session.get::<StampedNote>(note.id).await?.expect("the note");
        assert_eq!((stored.title.as_str(), stored.created_at, stored.updated_at), ("final", Some(at(9)), Some(at(17))));
        assert!(on_insert.remove() && on_update.remove());
        Ok(())
    }

    async fn audit_rows_run_in_the_flush_transaction(db) {
        Base::metadata().create_all(&db.engine).await?;
        let u = db.engine.url();
        let handle = event::listens_for::<AuditedOrder>(MapperEvent::AfterInsert, move |ctx, order: &mut AuditedOrder| {
            if ctx.engine().url() == u {
                // After the INSERT: the generated key is known.
                ctx.execute(insert(AuditLog::table()).values([
                    ("action", Value::from("insert")),
                    ("order_id", Value::from(order.id)),
                ]))?;
            }
            Ok(())
        });
        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        session.add(AuditedOrder { item: "tea".into(), ..Default::default() });
        session.flush().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent[0].starts_with("INSERT INTO audited_order"), "{sent:?}");
        assert!(sent[1].starts_with("INSERT INTO audit_log"), "{sent:?}");
        // The same transaction: a rollback takes the audit row back too.
        session.rollback().await?;
        let logs = session.scalars(select(AuditLog)).all().await?;
        assert_eq!(logs, Vec::<AuditLog>::new());

        let order = session.save(AuditedOrder { item: "coffee".into(), ..Default::default() }).await?;
        session.commit().await?;
        let logs = session.scalars(select(AuditLog)).all().await?;
        assert_eq!(logs.len(), 1);
        assert_eq!((logs[0].action.as_str(), logs[0].order_id), ("insert", order.id));
        assert!(handle.remove());
        Ok(())
    }

    async fn an_err_from_a_listener_aborts_the_flush(db) {
        Base::metadata().create_all(&db.engine).await?;
        let u = db.engine.url();
        let handle = event::listens_for::<GuardedItem>(MapperEvent::BeforeInsert, move |ctx, item: &mut GuardedItem| {
            if ctx.engine().url() == u && item.name.is_empty() {
                return Err(Error::invalid_request("a GuardedItem needs a name"));
            }
            Ok(())
        });
        let mut session = Session::new(&db.engine);
        let kept = session.save(GuardedItem { name: "kept".into(), ..Default::default() }).await?;
        session.add(GuardedItem::default());
        let err = session.flush().await.expect_err("the listener refuses");
        assert_eq!(err.to_string(), Error::invalid_request("a GuardedItem needs a name").to_string());
        // The transaction rolled back (the earlier flush too); the pending work stays.
        assert!(!session.in_transaction());
        assert_eq!(session.new_objects::<GuardedItem>().len(), 1);
        // The session is usable: drop the bad object and go on.
        session.expunge_all();
        assert_eq!(session.get::<GuardedItem>(kept.id).await?, None);
        session.add(GuardedItem { name: "fixed".into(), ..Default::default() });
        session.commit().await?;
        let names: Vec<String> = session
            .scalars(select(GuardedItem::NAME))
            .all()
            .await?;
        assert_eq!(names, ["fixed"]);
        assert!(handle.remove());
        Ok(())
    }

    async fn a_panicking_listener_fails_the_flush_with_its_name(db) {
        Base::metadata().create_all(&db.engine).await?;
        let u = db.engine.url();
        let handle = event::listens_for::<GuardedItem>(MapperEvent::AfterUpdate, move |ctx, item: &mut GuardedItem| {
            if ctx.engine().url() == u && item.name == "boom" {
                panic!("listener bug");
            }
            Ok(())
        });
        let mut session = Session::new(&db.engine);
        let item = session.save(GuardedItem { name: "calm".into(), ..Default::default() }).await?;
        session.commit().await?;
        session.add(GuardedItem { name: "boom".into(), ..item.clone() });
        let err = session.flush().await.expect_err("the listener panics");
        let message = err.to_string();
        assert!(message.contains("the AfterUpdate listener of GuardedItem panicked: listener bug"), "{message}");
        assert!(!session.in_transaction());
        // Neither the session nor the pool is poisoned (the change stays
        // pending until discarded).
        assert_eq!(session.dirty_objects::<GuardedItem>().len(), 1);
        session.expire_all();
        let stored = session.get::<GuardedItem>(item.id).await?.expect("the row");
        assert_eq!(stored.name, "calm");
        session.add(GuardedItem { name: "quiet".into(), ..item.clone() });
        session.commit().await?;
        let mut other = Session::new(&db.engine);
        assert_eq!(other.get::<GuardedItem>(item.id).await?.map(|i| i.name), Some("quiet".into()));
        assert!(handle.remove());
        Ok(())
    }

    async fn events_fire_in_sqlalchemy_order(db) {
        Base::metadata().create_all(&db.engine).await?;
        let log: Log = Log::default();
        for event in [
            SessionEvent::BeforeFlush,
            SessionEvent::AfterFlush,
            SessionEvent::AfterFlushPostexec,
            SessionEvent::AfterBegin,
            SessionEvent::BeforeCommit,
            SessionEvent::AfterCommit,
            SessionEvent::AfterRollback,
        ] {
            let log = log.clone();
            event::listen_session(&db.engine, event, move |ctx: &SessionContext| {
                log.lock().unwrap().push(format!("{:?}", ctx.event()));
                Ok(())
            });
        }
        let mut handles = Vec::new();
        for event in [
            MapperEvent::BeforeInsert,
            MapperEvent::AfterInsert,
            MapperEvent::BeforeUpdate,
            MapperEvent::AfterUpdate,
            MapperEvent::BeforeDelete,
            MapperEvent::AfterDelete,
            MapperEvent::Load,
        ] {
            let log = log.clone();
            let u = db.engine.url();
            handles.push(event::listens_for::<OrderedThing>(event, move |ctx, thing: &mut OrderedThing| {
                if ctx.engine().url() == u {
                    log.lock().unwrap().push(format!("{:?} {}", ctx.event(), thing.name));
                }
                Ok(())
            }));
        }
        let mut session = Session::new(&db.engine);
        session.add(OrderedThing { id: 1, name: "a".into() });
        session.add(OrderedThing { id: 2, name: "b".into() });
        session.commit().await?;
        assert_eq!(take(&log), [
            "BeforeCommit", "BeforeFlush", "AfterBegin", "BeforeInsert a", "BeforeInsert b",
            "AfterInsert a", "AfterInsert b", "AfterFlush", "AfterFlushPostexec", "AfterCommit",
        ]);

        let a = session.get::<OrderedThing>(1).await?.expect("a");
        let b = session.get::<OrderedThing>(2).await?.expect("b");
        // Held by the session now: no second Load.
        session.scalars(select(OrderedThing)).all().await?;
        assert_eq!(take(&log), ["AfterBegin", "Load a", "Load b"]);
        session.add(OrderedThing { name: "a2".into(), ..a });
        session.delete(&b);
        session.flush().await?;
        assert_eq!(take(&log), [
            "BeforeFlush", "BeforeUpdate a2", "AfterUpdate a2", "BeforeDelete b", "AfterDelete b",
            "AfterFlush", "AfterFlushPostexec",
        ]);
        session.rollback().await?;
        assert_eq!(take(&log), ["AfterRollback"]);

        // A failing flush: the rollback is reported, nothing after the failure fires.
        let mut fresh = Session::new(&db.engine);
        fresh.add(OrderedThing { id: 1, name: "duplicate".into() });
        fresh.flush().await.expect_err("a duplicate key");
        assert_eq!(take(&log), [
            "BeforeFlush", "AfterBegin", "BeforeInsert duplicate", "AfterRollback",
        ]);
        for h in handles {
            assert!(h.remove());
        }
        Ok(())
    }

    async fn before_insert_sees_the_key_of_a_parent_inserted_by_the_same_flush(db) {
        // As SQLAlchemy's before_insert: it runs per table in dependency
        // order, after the parent rows are in and their keys copied.
        Base::metadata().create_all(&db.engine).await?;
        let log: Log = Log::default();
        let u = db.engine.url();
        let seen = log.clone();
        let handle = event::listens_for::<EventBook>(MapperEvent::BeforeInsert, move |ctx, book: &mut EventBook| {
            if ctx.engine().url() == u {
                seen.lock().unwrap().push(format!("{} on {}", book.title, book.shelf_id));
                // What the listener writes goes into the same INSERT.
                book.shelf_note = Some(format!("shelved on {}", book.shelf_id));
            }
            Ok(())
        });
        let shelf_log = log.clone();
        let u = db.engine.url();
        let on_shelf = event::listens_for::<EventShelf>(MapperEvent::AfterInsert, move |ctx, shelf: &mut EventShelf| {
            if ctx.engine().url() == u {
                shelf_log.lock().unwrap().push(format!("inserted shelf {}", shelf.id));
            }
            Ok(())
        });
        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        let mut shelf = EventShelf { label: "fiction".into(), ..Default::default() };
        shelf.books.push(EventBook { title: "Emma".into(), ..Default::default() });
        shelf.books.push(EventBook { title: "Persuasion".into(), ..Default::default() });
        session.add(shelf);
        session.commit().await?;
        let shelf_id: i64 = session
            .scalars(select(EventShelf).filter(EventShelf::LABEL.eq("fiction")))
            .one()
            .await?
            .id;
        assert_ne!(shelf_id, 0);
        assert_eq!(take(&log), [
            format!("inserted shelf {shelf_id}"),
            format!("Emma on {shelf_id}"),
            format!("Persuasion on {shelf_id}"),
        ]);
        // The note the listener wrote goes out with the INSERT, no UPDATE follows.
        let all = statements.take();
        let books: Vec<&String> = all.iter().filter(|s| s.contains("event_book")).collect();
        assert!(!books.is_empty() && books.iter().all(|s| s.starts_with("INSERT") && s.contains("shelf_note")), "{all:#?}");
        let notes: Vec<Option<String>> = session
            .scalars(select(EventBook).order_by(EventBook::TITLE))
            .all()
            .await?
            .into_iter()
            .map(|b| b.shelf_note)
            .collect();
        let expected = Some(format!("shelved on {shelf_id}"));
        assert_eq!(notes, [expected.clone(), expected]);
        assert!(handle.remove());
        assert!(on_shelf.remove());
        Ok(())
    }

    async fn detaching_children_fires_their_update_events(db) {
        // Checked against SQLAlchemy 2.x: deleting a parent without a delete
        // cascade updates each child (foreign key NULL) through the unit of
        // work: before_update x2, the UPDATEs, after_update x2, then the
        // parent's before_delete / after_delete; what before_update sets is
        // written by the same UPDATE.
        Base::metadata().create_all(&db.engine).await?;
        let mut setup = Session::new(&db.engine);
        setup.add(EventTeam { id: 1, name: "red".into(), ..Default::default() });
        for (id, name) in [(1, "ann"), (2, "bob")] {
            setup.add(EventMember { id, name: name.into(), team_id: Some(1), ..Default::default() });
        }
        setup.commit().await?;
        let log: Log = Log::default();
        let mut handles = Vec::new();
        for event in [MapperEvent::BeforeUpdate, MapperEvent::AfterUpdate] {
            let (log, u) = (log.clone(), db.engine.url());
            handles.push(event::listens_for::<EventMember>(event, move |ctx, m: &mut EventMember| {
                if ctx.engine().url() == u {
                    log.lock().unwrap().push(format!("{:?} {} team={:?}", ctx.event(), m.name, m.team_id));
                    if ctx.event() == MapperEvent::BeforeUpdate && m.team_id.is_none() {
                        m.left_note = Some("left the team".into());
                    }
                }
                Ok(())
            }));
        }
        for event in [MapperEvent::BeforeDelete, MapperEvent::AfterDelete] {
            let (log, u) = (log.clone(), db.engine.url());
            handles.push(event::listens_for::<EventTeam>(event, move |ctx, t: &mut EventTeam| {
                if ctx.engine().url() == u {
                    log.lock().unwrap().push(format!("{:?} {}", ctx.event(), t.name));
                }
                Ok(())
            }));
        }
        let mut session = Session::new(&db.engine);
        // ann is held by the session, bob is not: both are detached.
        let ann = session.get::<EventMember>(1).await?.expect("ann");
        let team = session.get::<EventTeam>(1).await?.expect("the team");
        session.delete(&team);
        session.flush().await?;
        assert_eq!(take(&log), [
            "BeforeUpdate ann team=None", "BeforeUpdate bob team=None",
            "AfterUpdate ann team=None", "AfterUpdate bob team=None",
            "BeforeDelete red", "AfterDelete red",
        ]);
        // The session's copy of ann follows what was written.
        let held = session.get::<EventMember>(1).await?.expect("still held");
        assert_eq!((held.team_id, held.left_note.as_deref()), (None, Some("left the team")));
        session.commit().await?;
        drop(ann);
        let mut check = Session::new(&db.engine);
        let rows: Vec<(i64, Option<i64>, Option<String>)> = check
            .scalars(select(EventMember).order_by(EventMember::ID))
            .all()
            .await?
            .into_iter()
            .map(|m| (m.id, m.team_id, m.left_note))
            .collect();
        let note = Some("left the team".to_owned());
        assert_eq!(rows, [(1, None, note.clone()), (2, None, note)]);
        for h in handles {
            assert!(h.remove());
        }
        Ok(())
    }

    async fn before_flush_can_abort_before_anything_is_sent(db) {
        Base::metadata().create_all(&db.engine).await?;
        event::listen_session(&db.engine, SessionEvent::BeforeFlush, |ctx: &SessionContext| {
            let pending = ctx.session().new_objects::<LoadedThing>();
            if pending.iter().any(|t| t.name == "forbidden") {
                return Err(Error::invalid_request("forbidden name"));
            }
            Ok(())
        });
        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        session.add(LoadedThing { id: 1, name: "forbidden".into() });
        let err = session.flush().await.expect_err("BeforeFlush refuses");
        assert!(err.to_string().contains("forbidden name"), "{err}");
        assert_eq!(statements.take(), Vec::<String>::new());
        assert_eq!(session.new_objects::<LoadedThing>().len(), 1);
        Ok(())
    }

    async fn before_flush_adds_and_deletes_objects_in_the_same_flush(db) {
        Base::metadata().create_all(&db.engine).await?;
        event::listen_session(&db.engine, SessionEvent::BeforeFlush, |ctx: &SessionContext| {
            for thing in ctx.session().new_objects::<LoadedThing>() {
                if thing.name == "temporary" {
                    ctx.delete(&thing)?;
                } else {
                    ctx.add(AuditLog { action: "created".into(), order_id: thing.id, ..Default::default() })?;
                }
            }
            Ok(())
        });
        event::listen_session(&db.engine, SessionEvent::AfterFlush, |ctx: &SessionContext| {
            let refused = ctx.add(LoadedThing::default()).expect_err("only BeforeFlush adds");
            assert!(refused.to_string().contains("in a AfterFlush listener"), "{refused}");
            Ok(())
        });
        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        session.add(LoadedThing { id: 7, name: "kept".into() });
        session.add(LoadedThing { id: 8, name: "temporary".into() });
        session.flush().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent.iter().any(|s| s.starts_with("INSERT INTO audit_log")), "{sent:?}");
        session.commit().await?;
        let things = session.scalars(select(LoadedThing)).all().await?;
        let names: Vec<&str> = things.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["kept"]);
        let logs = session.scalars(select(AuditLog)).all().await?;
        assert_eq!(logs.iter().map(|l| (l.action.as_str(), l.order_id)).collect::<Vec<_>>(), [("created", 7)]);
        Ok(())
    }

    async fn load_and_refresh_listeners_see_rows_read(db) {
        Base::metadata().create_all(&db.engine).await?;
        let mut session = Session::new(&db.engine);
        session.add_all([
            LoadedThing { id: 1, name: "one".into() },
            LoadedThing { id: 2, name: "two".into() },
        ]);
        session.commit().await?;
        let u = db.engine.url();
        let load = event::listens_for::<LoadedThing>(MapperEvent::Load, move |ctx, thing: &mut LoadedThing| {
            if ctx.engine().url() == u {
                thing.name = thing.name.to_uppercase();
            }
            Ok(())
        });
        let u = db.engine.url();
        let refresh = event::listens_for::<LoadedThing>(MapperEvent::Refresh, move |ctx, thing: &mut LoadedThing| {
            if ctx.engine().url() == u {
                // Statements belong to a flush: refused outside one.
                let err = ctx.execute(text("SELECT 1")).expect_err("no flush");
                assert!(err.to_string().contains("Refresh listener of LoadedThing"), "{err}");
                thing.name.push('!');
            }
            Ok(())
        });
        let mut session = Session::new(&db.engine);
        let things = session.scalars(select(LoadedThing).order_by(LoadedThing::ID)).all().await?;
        let names: Vec<&str> = things.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["ONE", "TWO"]);
        let mut one = things[0].clone();
        session.refresh(&mut one).await?;
        assert_eq!(one.name, "one!");
        // The snapshot keeps the row as read: the listener's change is pending when added.
        session.add(one.clone());
        assert_eq!(session.dirty_objects::<LoadedThing>().len(), 1);
        session.rollback().await?;
        assert!(load.remove() && refresh.remove());
        Ok(())
    }
}
