//! Unit tests of the unit of work with hand-written models (no derive):
//! flush planning (pure, no database) and a session on in-memory SQLite.

use super::flush::plan;
use super::identity_map::{IdentityKey, IdentityMap};
use super::model_info::ModelInfo;
use super::unit_of_work::{OpKind, UnitOfWork};
use crate::mapper::{ColumnMapping, Mapper};
use crate::model::Model;
use crate::result_shape::{ResultShape, decode_model};
use crate::{Session, entity};
use oxalchemy_core::{ExprLike, Result, SqlType, Table, Value, select};
use oxalchemy_pool::{Engine, EngineOptions};
use std::sync::{Arc, OnceLock};

const fn col(name: &'static str, sql_type: fn() -> SqlType, primary_key: bool) -> ColumnMapping {
    ColumnMapping {
        field: name,
        name,
        sql_type,
        nullable: false,
        primary_key,
        autoincrement: None,
        unique: false,
        index: false,
        default: None,
        server_default: None,
        server_default_sql: None,
        foreign_key: None,
        ondelete: None,
        onupdate: None,
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Parent {
    id: i64,
    name: String,
    version: i64,
}

thread_local! {
    /// How many times `Parent::from_values` ran on this thread.
    static PARENT_DECODES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn parent_decodes() -> usize {
    PARENT_DECODES.with(std::cell::Cell::get)
}

impl Model for Parent {
    type PrimaryKey = i64;
    fn mapper() -> &'static Mapper {
        static COLUMNS: [ColumnMapping; 3] = [
            col("id", || SqlType::BigInteger, true),
            col("name", || SqlType::Varchar(Some(20)), false),
            col("version", || SqlType::BigInteger, false),
        ];
        static MAPPER: Mapper = Mapper {
            model: "Parent",
            table: "parent",
            schema: None,
            columns: &COLUMNS,
            relationships: &[],
            table_fn: <Parent as Model>::table,
            base_metadata: crate::registry::metadata_for::<()>,
            from_values_boxed: crate::any_model::boxed_from_values::<Parent>,
            validators: &[],
            version_id: Some("version"),
            primary_key: &[0],
            autoincrement: Some(0),
            inheritance: None,
            state: OnceLock::new(),
        };
        &MAPPER
    }
    fn table() -> &'static Table {
        static T: OnceLock<Table> = OnceLock::new();
        T.get_or_init(|| Self::mapper().build_table().expect("table"))
    }
    fn to_values(&self) -> Vec<Value> {
        vec![
            self.id.into(),
            self.name.clone().into(),
            self.version.into(),
        ]
    }
    fn from_values(values: Vec<Value>) -> Result<Self> {
        PARENT_DECODES.with(|n| n.set(n.get() + 1));
        let mut v = values.into_iter();
        let mut next = || v.next().unwrap_or(Value::Null);
        Ok(Parent {
            id: i64_of(next()),
            name: match next() {
                Value::Text(s) => s,
                _ => String::new(),
            },
            version: i64_of(next()),
        })
    }
}

impl ResultShape for Parent {
    fn width() -> usize {
        3
    }
    fn decode(values: &mut std::vec::IntoIter<Value>) -> Result<Self> {
        decode_model::<Parent>(values)
    }
}

fn i64_of(v: Value) -> i64 {
    match v {
        Value::Int(i) => i,
        _ => 0,
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Child {
    id: i64,
    parent_id: i64,
}

impl Model for Child {
    type PrimaryKey = i64;
    fn mapper() -> &'static Mapper {
        static COLUMNS: [ColumnMapping; 2] = [col("id", || SqlType::BigInteger, true), {
            let mut c = col("parent_id", || SqlType::BigInteger, false);
            c.foreign_key = Some("parent.id");
            c
        }];
        static MAPPER: Mapper = Mapper {
            model: "Child",
            table: "child",
            schema: None,
            columns: &COLUMNS,
            relationships: &[],
            table_fn: <Child as Model>::table,
            base_metadata: crate::registry::metadata_for::<()>,
            from_values_boxed: crate::any_model::boxed_from_values::<Child>,
            validators: &[],
            version_id: None,
            primary_key: &[0],
            autoincrement: Some(0),
            inheritance: None,
            state: OnceLock::new(),
        };
        &MAPPER
    }
    fn table() -> &'static Table {
        static T: OnceLock<Table> = OnceLock::new();
        T.get_or_init(|| Self::mapper().build_table().expect("table"))
    }
    fn to_values(&self) -> Vec<Value> {
        vec![self.id.into(), self.parent_id.into()]
    }
    fn from_values(values: Vec<Value>) -> Result<Self> {
        let mut v = values.into_iter();
        Ok(Child {
            id: i64_of(v.next().unwrap_or(Value::Null)),
            parent_id: i64_of(v.next().unwrap_or(Value::Null)),
        })
    }
}

#[test]
fn new_objects_insert_parents_first_and_known_ones_update_the_diff() {
    let parent = ModelInfo::of::<Parent>();
    let child = ModelInfo::of::<Child>();
    let mut uow = UnitOfWork::default();
    let mut map = IdentityMap::default();
    uow.register_save(
        child,
        Child {
            id: 0,
            parent_id: 1,
        }
        .to_values(),
        false,
    );
    uow.register_save(
        parent,
        Parent {
            id: 0,
            name: "a".into(),
            version: 0,
        }
        .to_values(),
        false,
    );
    let known = Parent {
        id: 5,
        name: "old".into(),
        version: 3,
    };
    map.put(
        IdentityKey::of_row(parent, &known.to_values()),
        known.to_values(),
    );
    let changed = Parent {
        name: "new".into(),
        ..known.clone()
    };
    uow.register_save(parent, changed.to_values(), true);
    assert_eq!(uow.ops().nth(2).expect("third op").kind, OpKind::Update);
    let p = plan(&uow.ops().cloned().collect::<Vec<_>>(), &map).expect("plan");
    let text = format!("{p:?}");
    let parent_at = text
        .find("Insert(InsertGroup { info: Parent")
        .expect("parent insert");
    let child_at = text
        .find("Insert(InsertGroup { info: Child")
        .expect("child insert");
    assert!(parent_at < child_at, "{text}");
    // Only `name` changes; the version goes from 3 to 4 and is checked.
    assert!(text.contains("changed: [1]"), "{text}");
    assert!(text.contains("version: Some((2, Int(3)))"), "{text}");
    assert!(text.contains("Int(5), Text(\"new\"), Int(4)"), "{text}");
    // The new Parent omits its key (generated) and starts its version at 1.
    assert!(
        text.contains("columns: [1, 2], rows: [(2, [Int(0), Text(\"a\"), Int(1)])]"),
        "{text}"
    );
}

#[test]
fn a_child_linked_to_a_new_parent_takes_its_key_during_the_flush() {
    use super::unit_of_work::{Link, SaveRequest};
    let parent = ModelInfo::of::<Parent>();
    let child = ModelInfo::of::<Child>();
    let mut uow = UnitOfWork::default();
    let p = uow
        .register(SaveRequest {
            info: parent,
            values: Parent::default().to_values(),
            known: false,
            links: Vec::new(),
            direct: true,
            key_pending: false,
        })
        .ticket();
    uow.register(SaveRequest {
        info: child,
        values: Child::default().to_values(),
        known: false,
        links: vec![Link {
            fk: vec![1],
            parent: p,
            referenced: vec![0],
            relationship: "Parent.children".into(),
        }],
        direct: false,
        key_pending: false,
    });
    let plan = plan(
        &uow.ops().cloned().collect::<Vec<_>>(),
        &IdentityMap::default(),
    )
    .expect("plan");
    let text = format!("{plan:?}");
    let parent_at = text.find("info: Parent").expect("parent insert");
    let child_at = text.find("info: Child").expect("child insert");
    assert!(parent_at < child_at, "{text}");
    // The child's foreign key is given (copied when the statement runs).
    assert!(
        text.contains("columns: [1], rows: [(2, [Int(0), Int(0)])]"),
        "{text}"
    );
    assert!(
        text.contains("links: {2: [Link { fk: [1], parent: 1"),
        "{text}"
    );

    // Deleting the new parent drops the child that was to take its key.
    uow.register_delete(parent, Parent::default().to_values(), true, Vec::new());
    assert!(uow.is_empty());
}

#[test]
fn an_unchanged_object_plans_no_statement() {
    let parent = ModelInfo::of::<Parent>();
    let mut uow = UnitOfWork::default();
    let mut map = IdentityMap::default();
    let known = Parent {
        id: 5,
        name: "same".into(),
        version: 1,
    };
    map.put(
        IdentityKey::of_row(parent, &known.to_values()),
        known.to_values(),
    );
    uow.register_save(parent, known.to_values(), true);
    let p = plan(&uow.ops().cloned().collect::<Vec<_>>(), &map).expect("plan");
    assert!(p.is_empty());
    assert_eq!(p.into_unchanged().saved.len(), 1);
}

#[test]
fn deleting_a_pending_object_cancels_its_insert() {
    let parent = ModelInfo::of::<Parent>();
    let mut uow = UnitOfWork::default();
    let p = Parent {
        id: 0,
        name: "temp".into(),
        version: 0,
    };
    uow.register_save(parent, p.to_values(), false);
    uow.register_delete(parent, p.to_values(), true, Vec::new());
    assert!(uow.is_empty());
    let keyed = Parent {
        id: 9,
        name: "k".into(),
        version: 0,
    };
    uow.register_save(parent, keyed.to_values(), false);
    uow.register_delete(parent, keyed.to_values(), true, Vec::new());
    assert!(uow.is_empty());
}

fn sqlite_engine() -> Engine {
    let driver = oxalchemy_sqlite::SqliteDriver::from_url("sqlite://").expect("driver");
    Engine::from_driver(Arc::new(driver), EngineOptions::default()).expect("engine")
}

#[tokio::test]
async fn a_session_over_sqlite_with_hand_written_models() -> Result<()> {
    let engine = sqlite_engine();
    let md = oxalchemy_core::MetaData::new();
    md.add_table(Parent::table().clone());
    md.add_table(Child::table().clone());
    md.create_all(&engine).await?;

    let mut session = Session::new(&engine);
    let p = session
        .save(Parent {
            name: "p".into(),
            ..Default::default()
        })
        .await?;
    assert_eq!((p.id, p.version), (1, 1));
    session.add(Child {
        id: 0,
        parent_id: p.id,
    });
    session.commit().await?;

    let mut got = session.get::<Parent>(p.id).await?.expect("parent");
    got.name = "q".into();
    let saved = session.save(got).await?;
    assert_eq!(saved.version, 2);
    let found = session
        .scalars(select(entity::<Parent>()).filter(Parent::table().c("name").eq("q")))
        .one()
        .await?;
    assert_eq!(found, saved);
    session.commit().await?;
    Ok(())
}

#[test]
fn session_is_send_and_static() {
    fn check<T: Send + 'static>() {}
    check::<Session>();
}

fn named(id: i64, name: &str) -> Parent {
    Parent {
        id,
        name: name.into(),
        version: 0,
    }
}

/// The identities, kinds and names of the pending ops, in order.
fn pending(uow: &UnitOfWork) -> Vec<(i64, OpKind, String)> {
    uow.ops()
        .map(|op| {
            let p = Parent::from_values(op.values.clone()).expect("parent");
            (p.id, op.kind, p.name)
        })
        .collect()
}

#[test]
fn the_same_identity_added_twice_is_one_change_with_the_last_value() {
    let parent = ModelInfo::of::<Parent>();
    let mut uow = UnitOfWork::default();
    let a = uow.register_save(parent, named(1, "a").to_values(), false);
    let b = uow.register_save(parent, named(2, "b").to_values(), false);
    let a2 = uow.register_save(parent, named(1, "a2").to_values(), false);
    assert_eq!(a, a2);
    assert_ne!(a, b);
    assert_eq!(uow.len(), 2);
    assert_eq!(
        pending(&uow),
        vec![
            (1, OpKind::Insert, "a2".to_owned()),
            (2, OpKind::Insert, "b".to_owned())
        ]
    );
    let key = IdentityKey::of_row(parent, &named(1, "").to_values());
    assert_eq!(uow.find(&key).map(|op| op.ticket), Some(a));
    assert_eq!(
        uow.by_ticket(b).map(|op| op.values[1].clone()),
        Some(Value::Text("b".into()))
    );
}

#[test]
fn add_then_delete_and_delete_then_add_keep_one_change_per_identity() {
    let parent = ModelInfo::of::<Parent>();
    let mut uow = UnitOfWork::default();
    // A known row: add (UPDATE), then delete: one DELETE with the same ticket.
    let t = uow.register_save(parent, named(1, "x").to_values(), true);
    uow.register_delete(parent, named(1, "x").to_values(), true, Vec::new());
    assert_eq!(pending(&uow), vec![(1, OpKind::Delete, "x".to_owned())]);
    let key = IdentityKey::of_row(parent, &named(1, "").to_values());
    assert_eq!(uow.find(&key).map(|op| op.ticket), Some(t));
    // Added again: an UPDATE again, still one change with the same ticket.
    let t2 = uow.register_save(parent, named(1, "y").to_values(), true);
    assert_eq!(t, t2);
    assert_eq!(pending(&uow), vec![(1, OpKind::Update, "y".to_owned())]);

    // Delete first (a row never loaded), then add: the add is kept.
    uow.register_delete(parent, named(2, "d").to_values(), true, Vec::new());
    let t3 = uow.register_save(parent, named(2, "e").to_values(), false);
    assert_eq!(uow.by_ticket(t3).map(|op| op.kind), Some(OpKind::Insert));
    assert_eq!(uow.len(), 2);

    // A new row added then deleted is gone; adding it again is a new change at the end.
    let t4 = uow.register_save(parent, named(3, "n").to_values(), false);
    uow.register_delete(parent, named(3, "n").to_values(), true, Vec::new());
    assert!(uow.by_ticket(t4).is_none());
    let key3 = IdentityKey::of_row(parent, &named(3, "").to_values());
    assert!(uow.find(&key3).is_none());
    let t5 = uow.register_save(parent, named(3, "m").to_values(), false);
    assert_ne!(t4, t5);
    assert_eq!(
        pending(&uow),
        vec![
            (1, OpKind::Update, "y".to_owned()),
            (2, OpKind::Insert, "e".to_owned()),
            (3, OpKind::Insert, "m".to_owned())
        ]
    );
}

#[test]
fn the_index_survives_many_removals() {
    // Enough removals to compact the slots several times.
    let parent = ModelInfo::of::<Parent>();
    let mut uow = UnitOfWork::default();
    let mut tickets = Vec::new();
    for id in 1..=1000 {
        tickets.push(uow.register_save(parent, named(id, "v1").to_values(), id % 2 == 0));
    }
    // Delete the new odd rows (their INSERTs go), expunge every 10th even one.
    for id in (1..=1000).step_by(2) {
        uow.register_delete(parent, named(id, "").to_values(), true, Vec::new());
    }
    for id in (10..=1000).step_by(10) {
        uow.forget(parent, &named(id, "").to_values());
    }
    assert_eq!(uow.len(), 400);
    // Replace what is left, and add the odd ones again.
    for id in 1..=1000 {
        uow.register_save(parent, named(id, "v2").to_values(), id % 2 == 0);
    }
    assert_eq!(uow.len(), 1000);
    let ops = pending(&uow);
    // Survivors keep their place, re-added rows follow in the order they came.
    let survivors: Vec<i64> = (1..=1000).filter(|i| i % 2 == 0 && i % 10 != 0).collect();
    let readded: Vec<i64> = (1..=1000).filter(|i| i % 2 == 1 || i % 10 == 0).collect();
    let expected: Vec<i64> = survivors.iter().chain(&readded).copied().collect();
    assert_eq!(ops.iter().map(|o| o.0).collect::<Vec<_>>(), expected);
    assert!(ops.iter().all(|o| o.2 == "v2"));
    for (id, kind, _) in &ops {
        let key = IdentityKey::of_row(parent, &named(*id, "").to_values());
        let op = uow.find(&key).expect("indexed by key");
        assert_eq!(op.kind, *kind);
        assert_eq!(
            uow.by_ticket(op.ticket).map(|o| o.key.clone()),
            Some(Some(key))
        );
    }
    // Survivors kept their ticket.
    assert_eq!(
        uow.find(&IdentityKey::of_row(parent, &named(2, "").to_values()))
            .map(|op| op.ticket),
        Some(tickets[1])
    );
    // expire_all drops the UPDATEs; the index follows.
    uow.forget_updates();
    assert!(uow.ops().all(|op| op.kind == OpKind::Insert));
    assert!(
        uow.find(&IdentityKey::of_row(parent, &named(2, "").to_values()))
            .is_none()
    );
    assert!(
        uow.find(&IdentityKey::of_row(parent, &named(3, "").to_values()))
            .is_some()
    );
}

#[tokio::test]
async fn a_failed_flush_keeps_the_pending_work_and_a_corrected_add_replaces_it() -> Result<()> {
    let engine = sqlite_engine();
    let md = oxalchemy_core::MetaData::new();
    md.add_table(Parent::table().clone());
    md.add_table(Child::table().clone());
    md.create_all(&engine).await?;
    let mut session = Session::new(&engine);
    session.add(named(1, "taken"));
    session.commit().await?;

    let mut s2 = Session::new(&engine);
    // id 1 exists: the flush fails (a key the session does not know is an INSERT).
    s2.add_all((1..=5).map(|id| named(id, "new")));
    assert!(s2.flush().await.is_err());
    assert_eq!(s2.new_objects::<Parent>().len(), 5);
    // Fix the cause: the conflicting object leaves, one more is added, another replaced.
    s2.expunge(&named(1, ""));
    s2.add(named(6, "six"));
    s2.add(named(3, "three"));
    s2.commit().await?;
    let names: Vec<(i64, String)> = s2
        .scalars(select(entity::<Parent>()))
        .all()
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(
        names,
        vec![
            (1, "taken".to_owned()),
            (2, "new".to_owned()),
            (3, "three".to_owned()),
            (4, "new".to_owned()),
            (5, "new".to_owned()),
            (6, "six".to_owned()),
        ]
    );
    Ok(())
}

/// Issue 15, point 7: a flush of a model without listeners decodes nothing;
/// with a `BeforeInsert` listener, each inserted row is decoded once.
#[tokio::test(flavor = "current_thread")]
async fn a_flush_without_listeners_decodes_no_model() -> Result<()> {
    use crate::events::{MapperEvent, listens_for};
    let engine = sqlite_engine();
    let md = oxalchemy_core::MetaData::new();
    md.add_table(Parent::table().clone());
    md.create_all(&engine).await?;
    let mut session = Session::new(&engine);
    let first = session
        .save(Parent {
            name: "a".into(),
            ..Default::default()
        })
        .await?;
    let before = parent_decodes();
    session.add(Parent {
        name: "b".into(),
        ..Default::default()
    });
    session.add(Parent {
        name: "a2".into(),
        ..first.clone()
    });
    session.flush().await?;
    assert_eq!(parent_decodes(), before, "no listener: no decode");

    let mine = engine.clone();
    let handle = listens_for::<Parent>(MapperEvent::BeforeInsert, move |ctx, p: &mut Parent| {
        if ctx.engine().ptr_eq(&mine) {
            p.name.push('!');
        }
        Ok(())
    });
    session.add(Parent {
        name: "c".into(),
        ..Default::default()
    });
    let before = parent_decodes();
    session.flush().await?;
    assert_eq!(
        parent_decodes(),
        before + 1,
        "one listener, one new row: one decode"
    );
    assert!(handle.remove());
    let names: Vec<Value> = session
        .execute(oxalchemy_core::text("SELECT name FROM parent ORDER BY id"))
        .await?
        .into_rows()
        .into_iter()
        .map(|r| r.into_values().remove(0))
        .collect();
    assert_eq!(
        names,
        [Value::from("a2"), Value::from("b"), Value::from("c!")]
    );
    Ok(())
}
