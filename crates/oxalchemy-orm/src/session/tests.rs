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
            version_id: Some("version"),
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
            version_id: None,
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
    assert_eq!(uow.ops()[2].kind, OpKind::Update);
    let p = plan(uow.ops(), &map).expect("plan");
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
    let plan = plan(uow.ops(), &IdentityMap::default()).expect("plan");
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
    let p = plan(uow.ops(), &map).expect("plan");
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
