//! Table inheritance (contract section 7): single-table and joined-table
//! subclasses in one hierarchy, several levels deep, on every backend.
//! SQLAlchemy 2.x's single- and joined-table inheritance is the reference.

mod common;

use common::Statements;
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "employee", polymorphic_on = "kind", polymorphic_identity = "employee")]
struct Employee {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50, validate = Employee::check_name)]
    name: String,
    #[mapped_column(length = 20)]
    kind: String,
}

impl Employee {
    /// A validator of the base, run for every class (`fn(&str, &T)` with `T` the field's type).
    #[allow(clippy::ptr_arg)]
    fn check_name(_: &str, name: &String) -> Result<(), String> {
        if name.is_empty() {
            Err("a name is required".into())
        } else {
            Ok(())
        }
    }
}

/// Single-table: its columns live in `employee`, nullable there.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, inherits = Employee, polymorphic_identity = "manager")]
struct Manager {
    #[parent]
    employee: Employee,
    #[mapped_column(length = 50)]
    manager_data: Option<String>,
}

/// Single-table below a single-table subclass.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, inherits = Manager, polymorphic_identity = "director")]
struct Director {
    #[parent]
    manager: Manager,
    budget: Option<i64>,
}

/// Joined: its own table, keyed by `employee.id`.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "engineer", inherits = Employee, polymorphic_identity = "engineer")]
struct Engineer {
    #[parent]
    employee: Employee,
    #[mapped_column(length = 30)]
    language: String,
}

/// Single-table below a joined subclass: its columns live in `engineer`.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, inherits = Engineer, polymorphic_identity = "principal")]
struct Principal {
    #[parent]
    engineer: Engineer,
    #[mapped_column(length = 30)]
    mentor: Option<String>,
}

#[hybrids]
impl Employee {
    /// A hybrid on the base, used from subclasses.
    #[hybrid]
    fn badge(&self) -> String {
        format!("{} ({})", self.name, self.kind)
    }
}

fn employee(name: &str) -> Employee {
    Employee {
        name: name.into(),
        ..Default::default()
    }
}

fn sql<R>(stmt: oxalchemy::Select<R>) -> String {
    stmt.compile(&oxalchemy::sqlite::SqliteDialect)
        .sql()
        .to_owned()
}

#[test]
fn tables_follow_the_hierarchy() {
    let employee = Employee::table();
    let names = employee.column_names();
    assert_eq!(names, ["id", "name", "kind", "manager_data", "budget"]);
    assert!(employee.column_def("manager_data").unwrap().is_nullable());
    assert!(std::ptr::eq(Manager::table(), Employee::table()));
    let engineer = Engineer::table();
    assert_eq!(engineer.column_names(), ["id", "language", "mentor"]);
    assert!(engineer.column_def("mentor").unwrap().is_nullable());
    assert_eq!(engineer.primary_key(), ["id"]);
    let fk = &engineer.foreign_keys()[0];
    assert_eq!(
        (fk.target_table(), fk.target_columns()),
        ("employee", &["id".to_owned()][..])
    );
    let tables: Vec<String> = Base::metadata()
        .tables()
        .iter()
        .map(|t| t.name().to_owned())
        .collect();
    assert_eq!(tables.len(), 2, "{tables:?}");
}

#[test]
fn select_of_a_subclass() {
    assert_eq!(
        sql(select(Manager)),
        "SELECT employee.id, employee.name, employee.kind, employee.manager_data FROM employee \
         WHERE employee.kind IN (?, ?)"
    );
    assert_eq!(
        sql(select(Engineer)
            .filter(Employee::NAME.eq("x"))
            .filter(Engineer::LANGUAGE.eq("rust"))),
        "SELECT employee.id, employee.name, employee.kind, engineer.language FROM employee \
         JOIN engineer ON engineer.id = employee.id WHERE employee.name = ? AND engineer.language = ?"
    );
}

backend_tests! {
    async fn single_table_subclasses_save_load_update_delete(db) {
        Base::metadata().create_all(&db.engine).await?;
        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        let plain = session.save(employee("wally")).await?;
        // The discriminator comes from polymorphic_identity, whatever the field held.
        let boss = session
            .save(Manager {
                employee: Employee { kind: "bogus".into(), ..employee("dilbert's boss") },
                manager_data: Some("pointy".into()),
            })
            .await?;
        let ceo = session
            .save(Director {
                manager: Manager { employee: employee("ceo"), manager_data: None },
                budget: Some(1_000_000),
            })
            .await?;
        assert_eq!(plain.kind, "employee");
        assert_eq!(boss.employee.kind, "manager");
        assert_eq!(ceo.manager.employee.kind, "director");
        let inserts = statements.take();
        assert_eq!(inserts.len(), 3, "{inserts:?}");
        assert!(inserts.iter().all(|s| s.starts_with("INSERT INTO employee")), "{inserts:?}");
        session.commit().await?;

        // select(Manager): the discriminator restricted to Manager and its subclasses.
        let managers: Vec<Manager> = session
            .scalars(select(Manager).order_by(Employee::ID))
            .all()
            .await?;
        assert_eq!(
            managers.iter().map(|m| m.employee.name.as_str()).collect::<Vec<_>>(),
            ["dilbert's boss", "ceo"]
        );
        assert_eq!(managers[0], boss);
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].contains("WHERE employee.kind IN ("), "{}", sent[0]);
        let directors: Vec<Director> = session
            .scalars(select(Director).filter(Manager::MANAGER_DATA.is_null()))
            .all()
            .await?;
        assert_eq!(directors.len(), 1);
        assert_eq!(directors[0], ceo);
        let named: Vec<Manager> = session
            .scalars(select(Manager).filter(Employee::NAME.eq("ceo")))
            .all()
            .await?;
        assert_eq!(named.len(), 1);
        let everyone: Vec<Employee> = session
            .scalars(select(Employee).order_by(Employee::ID))
            .all()
            .await?;
        assert_eq!(
            everyone.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
            ["employee", "manager", "director"]
        );
        statements.take();

        // One identity per row for the hierarchy: the Manager loaded above is
        // a hit for get::<Employee> and get::<Manager>.
        let as_employee = session.get::<Employee>(boss.employee.id).await?.unwrap();
        assert_eq!(as_employee.name, "dilbert's boss");
        assert_eq!(session.get::<Manager>(boss.employee.id).await?, Some(boss.clone()));
        assert!(statements.take().is_empty());
        // A plain employee's row is not a Manager.
        assert_eq!(session.get::<Manager>(plain.id).await?, None);
        statements.take();

        // Update: only the changed column; delete: the one row.
        let mut changed = boss.clone();
        changed.manager_data = Some("spiky".into());
        session.add(changed);
        session.flush().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].starts_with("UPDATE employee SET manager_data"), "{}", sent[0]);
        session.delete(&ceo);
        session.commit().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].starts_with("DELETE FROM employee"), "{}", sent[0]);
        let mut fresh = Session::new(&db.engine);
        let left: Vec<Manager> = fresh.scalars(select(Manager)).all().await?;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].manager_data.as_deref(), Some("spiky"));
        Ok(())
    }

    async fn joined_subclasses_load_through_a_join(db) {
        Base::metadata().create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        for (id, name, kind) in [(1, "ada", "engineer"), (2, "grace", "engineer"), (3, "bob", "employee")] {
            conn.execute(insert(Employee::table()).values([
                ("id", Value::from(id)),
                ("name", Value::from(name)),
                ("kind", Value::from(kind)),
            ]))
            .await?;
        }
        for (id, language) in [(1, "rust"), (2, "cobol")] {
            conn.execute(insert(Engineer::table()).values([
                ("id", Value::from(id)),
                ("language", Value::from(language)),
            ]))
            .await?;
        }
        conn.commit().await?;
        drop(conn);

        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        let engineers: Vec<Engineer> = session
            .scalars(select(Engineer).order_by(Employee::ID))
            .all()
            .await?;
        assert_eq!(
            engineers,
            [
                Engineer { employee: Employee { id: 1, name: "ada".into(), kind: "engineer".into() }, language: "rust".into() },
                Engineer { employee: Employee { id: 2, name: "grace".into(), kind: "engineer".into() }, language: "cobol".into() },
            ]
        );
        let rustaceans: Vec<Engineer> = session
            .scalars(select(Engineer).filter(Engineer::LANGUAGE.eq("rust")).filter(Employee::NAME.startswith("a")))
            .all()
            .await?;
        assert_eq!(rustaceans.len(), 1);
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent.iter().all(|s| s.contains("JOIN engineer ON engineer.id = employee.id")), "{sent:?}");
        // Loaded above: an identity-map hit, as the parent class too.
        assert_eq!(session.get::<Engineer>(2).await?.unwrap().language, "cobol");
        assert_eq!(session.get::<Employee>(1).await?.unwrap().name, "ada");
        assert!(statements.take().is_empty());
        // Not loaded: one SELECT through the join.
        let mut other = Session::new(&db.engine);
        assert_eq!(other.get::<Engineer>(1).await?.unwrap().language, "rust");
        assert_eq!(other.get::<Engineer>(3).await?, None);
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        Ok(())
    }
}

backend_tests! {
    async fn joined_subclasses_save_update_delete_per_table(db) {
        Base::metadata().create_all(&db.engine).await?;
        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        // Parent row first, its generated key copied into the child row.
        let linus = session
            .save(Engineer { employee: Employee { kind: "ignored".into(), ..employee("linus") }, language: "c".into() })
            .await?;
        assert!(linus.employee.id > 0);
        assert_eq!(linus.employee.kind, "engineer");
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent[0].starts_with("INSERT INTO employee"), "{sent:?}");
        assert!(sent[1].starts_with("INSERT INTO engineer"), "{sent:?}");
        // Several at once: one batch per table.
        let team = session
            .save_all([
                Engineer { employee: employee("ken"), language: "b".into() },
                Engineer { employee: employee("dennis"), language: "c".into() },
            ])
            .await?;
        assert!(team[0].employee.id != team[1].employee.id);
        statements.take();
        session.commit().await?;
        statements.take();

        // Identity map: the saved value answers get without SQL.
        assert_eq!(session.get::<Engineer>(linus.employee.id).await?, Some(linus.clone()));
        let loaded: Vec<Engineer> = session.scalars(select(Engineer).order_by(Employee::ID)).all().await?;
        assert_eq!(loaded.len(), 3);
        assert_eq!(loaded[0], linus);
        statements.take();

        // Updates touch only the tables whose columns changed.
        let mut changed = linus.clone();
        changed.language = "rust".into();
        session.add(changed.clone());
        session.flush().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].starts_with("UPDATE engineer SET language"), "{}", sent[0]);
        changed.employee.name = "torvalds".into();
        session.add(changed.clone());
        session.flush().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].starts_with("UPDATE employee SET name"), "{}", sent[0]);

        // merge of a value another session does not hold: read through the
        // join, then diffed (the first session's transaction ends first).
        session.commit().await?;
        statements.take();
        let mut other = Session::new(&db.engine);
        let mut detached = changed.clone();
        detached.language = "ocaml".into();
        let merged = other.merge(detached).await?;
        assert_eq!(merged.language, "ocaml");
        other.commit().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent[0].contains("JOIN engineer"), "{}", sent[0]);
        assert!(sent[1].starts_with("UPDATE engineer SET language"), "{}", sent[1]);
        changed.language = "ocaml".into();
        session.expire_all();

        // Deletes remove the child row before the parent's.
        session.delete(&changed);
        session.commit().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent[0].starts_with("DELETE FROM engineer"), "{sent:?}");
        assert!(sent[1].starts_with("DELETE FROM employee"), "{sent:?}");

        let mut fresh = Session::new(&db.engine);
        let left: Vec<Engineer> = fresh.scalars(select(Engineer).order_by(Employee::ID)).all().await?;
        assert_eq!(
            left.iter().map(|e| (e.employee.name.as_str(), e.language.as_str())).collect::<Vec<_>>(),
            [("ken", "b"), ("dennis", "c")]
        );
        let everyone: Vec<Employee> = fresh.scalars(select(Employee)).all().await?;
        assert_eq!(everyone.len(), 2);
        Ok(())
    }
}

backend_tests! {
    async fn mapper_events_on_the_base_fire_for_subclasses(db) {
        use std::sync::{Arc, Mutex};
        Base::metadata().create_all(&db.engine).await?;
        let url = db.engine.url();
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let (u, log) = (url.clone(), seen.clone());
        // On the base: fires for every class, on the Employee part of the object.
        let before = event::listens_for::<Employee>(MapperEvent::BeforeInsert, move |ctx, e: &mut Employee| {
            if ctx.engine().url() == u {
                e.name = e.name.to_uppercase();
                log.lock().unwrap().push(format!("before insert {}", ctx.model()));
            }
            Ok(())
        });
        let (u, log) = (url.clone(), seen.clone());
        let deleted = event::listens_for::<Employee>(MapperEvent::AfterDelete, move |ctx, e: &mut Employee| {
            if ctx.engine().url() == u {
                log.lock().unwrap().push(format!("after delete {} {}", ctx.model(), e.name));
            }
            Ok(())
        });
        // On a joined subclass: the whole object.
        let (u, log) = (url.clone(), seen.clone());
        let updated = event::listens_for::<Engineer>(MapperEvent::AfterUpdate, move |ctx, e: &mut Engineer| {
            if ctx.engine().url() == u {
                log.lock().unwrap().push(format!("after update {} {}", e.employee.name, e.language));
            }
            Ok(())
        });
        let mut session = Session::new(&db.engine);
        let boss = session
            .save(Manager { employee: employee("boss"), manager_data: None })
            .await?;
        let mut ada = session
            .save(Engineer { employee: employee("ada"), language: "rust".into() })
            .await?;
        session.save(employee("wally")).await?;
        // The listener's change is written, by the INSERT itself.
        assert_eq!(boss.employee.name, "BOSS");
        assert_eq!(ada.employee.name, "ADA");
        ada.language = "zig".into();
        session.add(ada.clone());
        session.flush().await?;
        session.delete(&boss);
        session.delete(&ada);
        session.commit().await?;
        let mut fresh = Session::new(&db.engine);
        let names: Vec<String> = fresh
            .scalars(select(Employee::NAME).order_by(Employee::NAME))
            .all()
            .await?;
        assert_eq!(names, ["WALLY"]);
        before.remove();
        deleted.remove();
        updated.remove();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            [
                "before insert Manager",
                "before insert Engineer",
                "before insert Employee",
                "after update ADA zig",
                "after delete Manager BOSS",
                "after delete Engineer ADA",
            ],
        );
        Ok(())
    }
}

backend_tests! {
    async fn single_table_below_a_joined_subclass(db) {
        Base::metadata().create_all(&db.engine).await?;
        let statements = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        let p = session
            .save(Principal {
                engineer: Engineer { employee: employee("grace"), language: "cobol".into() },
                mentor: Some("ada".into()),
            })
            .await?;
        assert_eq!(p.engineer.employee.kind, "principal");
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent[1].starts_with("INSERT INTO engineer (id, language, mentor)"), "{sent:?}");
        session.save(Engineer { employee: employee("linus"), language: "c".into() }).await?;
        session.commit().await?;
        statements.take();
        let principals: Vec<Principal> = session.scalars(select(Principal)).all().await?;
        assert_eq!(principals, std::slice::from_ref(&p));
        let sent = statements.take();
        assert!(
            sent[0].contains("JOIN engineer ON engineer.id = employee.id WHERE employee.kind IN ("),
            "{}",
            sent[0]
        );
        // select(Engineer) reads the principal too, as an Engineer.
        let engineers: Vec<Engineer> = session.scalars(select(Engineer).order_by(Employee::ID)).all().await?;
        assert_eq!(engineers.len(), 2);
        assert_eq!(engineers[0], p.engineer);
        // A hybrid of the base, from subclass queries (and its Rust side).
        let found: Vec<Principal> = session
            .scalars(select(Principal).filter(Employee::BADGE.eq("grace (principal)")))
            .all()
            .await?;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].engineer.employee.badge(), "grace (principal)");
        let none: Vec<Engineer> = session
            .scalars(select(Engineer).filter(Employee::BADGE.eq("grace (engineer)")))
            .all()
            .await?;
        assert!(none.is_empty());
        // Deleted child first: engineer, then employee.
        statements.take();
        session.delete(&p);
        session.commit().await?;
        let sent = statements.take();
        assert!(sent[0].starts_with("DELETE FROM engineer") && sent[1].starts_with("DELETE FROM employee"), "{sent:?}");
        Ok(())
    }
}

backend_tests! {
    async fn base_validators_check_subclass_values(db) {
        Base::metadata().create_all(&db.engine).await?;
        let mut session = Session::new(&db.engine);
        let err = session
            .save(Manager { employee: employee(""), manager_data: None })
            .await
            .unwrap_err();
        assert!(matches!(&err, Error::ValidationError { field, .. } if field == "name"), "{err:?}");
        let err = session
            .save(Engineer { employee: employee(""), language: "c".into() })
            .await
            .unwrap_err();
        assert!(matches!(&err, Error::ValidationError { field, .. } if field == "name"), "{err:?}");
        Ok(())
    }
}

mod missing_variant {
    use oxalchemy::prelude::*;

    oxalchemy::declarative_base!(ShapeBase);

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = ShapeBase, table = "shape", polymorphic_on = "kind", polymorphic_identity = "shape")]
    pub(super) struct Shape {
        #[mapped_column(primary_key)]
        pub(super) id: i64,
        pub(super) kind: String,
    }

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = ShapeBase, inherits = Shape, polymorphic_identity = "circle")]
    pub(super) struct Circle {
        #[parent]
        pub(super) shape: Shape,
        pub(super) radius: Option<f64>,
    }

    /// Forgets `Circle`.
    #[derive(Polymorphic, Debug, Clone, PartialEq)]
    pub(super) enum AnyShape {
        Shape(Shape),
    }

    #[tokio::test]
    async fn is_a_configuration_error_naming_the_class() {
        let engine = create_engine("sqlite://").unwrap();
        ShapeBase::metadata().create_all(&engine).await.unwrap();
        let mut session = Session::new(&engine);
        let err = session.scalars(select(AnyShape)).all().await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err:?}");
        assert!(
            err.to_string()
                .contains("AnyShape has no variant for Circle"),
            "{err}"
        );
    }
}

mod duplicate_identities {
    use oxalchemy::prelude::*;

    oxalchemy::declarative_base!(ZooBase);

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = ZooBase, table = "animal", polymorphic_on = "kind")]
    pub(super) struct Animal {
        #[mapped_column(primary_key)]
        pub(super) id: i64,
        pub(super) kind: String,
    }

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = ZooBase, inherits = Animal, polymorphic_identity = "pet")]
    pub(super) struct Cat {
        #[parent]
        pub(super) animal: Animal,
    }

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = ZooBase, inherits = Animal, polymorphic_identity = "pet")]
    pub(super) struct Dog {
        #[parent]
        pub(super) animal: Animal,
    }

    #[tokio::test]
    async fn are_a_configuration_error_naming_both_models() {
        let engine = create_engine("sqlite://").unwrap();
        let err = ZooBase::metadata().create_all(&engine).await.unwrap_err();
        let message = err.to_string();
        assert!(message.contains("polymorphic_identity"), "{message}");
        assert!(
            message.contains("Cat") && message.contains("Dog"),
            "{message}"
        );
        let mut session = Session::new(&engine);
        let err = session.save(Cat::default()).await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err:?}");
        assert!(err.to_string().contains("given to both"), "{err}");
    }
}

/// Every class of the hierarchy, loaded polymorphically.
#[derive(Polymorphic, Debug, Clone, PartialEq)]
enum AnyEmployee {
    Employee(Employee),
    Manager(Manager),
    Director(Director),
    Engineer(Engineer),
    Principal(Principal),
}

fn id_of(e: &AnyEmployee) -> i64 {
    match e {
        AnyEmployee::Employee(e) => e.id,
        AnyEmployee::Manager(m) => m.employee.id,
        AnyEmployee::Director(d) => d.manager.employee.id,
        AnyEmployee::Engineer(e) => e.employee.id,
        AnyEmployee::Principal(p) => p.engineer.employee.id,
    }
}

#[test]
fn select_of_a_polymorphic_enum_outer_joins_every_joined_table() {
    assert_eq!(
        sql(select(AnyEmployee).order_by(Employee::ID)),
        "SELECT employee.id, employee.name, employee.kind, employee.manager_data, employee.budget, \
         engineer.language, engineer.mentor FROM employee LEFT OUTER JOIN engineer ON \
         engineer.id = employee.id ORDER BY employee.id"
    );
}

backend_tests! {
    async fn polymorphic_enum_loads_each_row_as_its_variant(db) {
        Base::metadata().create_all(&db.engine).await?;
        let mut session = Session::new(&db.engine);
        // add / save take the enum: each object is stored as its own class.
        let saved = session
            .save_all([
                AnyEmployee::Employee(employee("wally")),
                AnyEmployee::Manager(Manager { employee: employee("boss"), manager_data: Some("m".into()) }),
                AnyEmployee::Engineer(Engineer { employee: employee("ada"), language: "rust".into() }),
                AnyEmployee::Director(Director {
                    manager: Manager { employee: employee("ceo"), manager_data: None },
                    budget: Some(7),
                }),
            ])
            .await?;
        session.commit().await?;
        let statements = Statements::listen(&db.engine);
        let all: Vec<AnyEmployee> = session
            .scalars(select(AnyEmployee).order_by(Employee::ID))
            .all()
            .await?;
        // Rows come back in id order; the flush inserted per class.
        let mut expected = saved.clone();
        expected.sort_by_key(id_of);
        assert_eq!(all, expected);
        let kinds: Vec<&str> = all.iter().map(|e| match e {
            AnyEmployee::Employee(_) => "employee",
            AnyEmployee::Manager(_) => "manager",
            AnyEmployee::Director(_) => "director",
            AnyEmployee::Engineer(_) => "engineer",
            AnyEmployee::Principal(_) => "principal",
        }).collect();
        let mut sorted = kinds.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ["director", "employee", "engineer", "manager"]);
        let at = |kind: &str| kinds.iter().position(|k| *k == kind).unwrap();
        let (m, e) = (at("manager"), at("engineer"));
        let sent = statements.take();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].contains("LEFT OUTER JOIN engineer"), "{}", sent[0]);

        // One identity per row: each class and the enum hit the identity map.
        let AnyEmployee::Manager(boss) = &all[m] else { panic!("{:?}", all[m]) };
        assert_eq!(session.get::<Manager>(boss.employee.id).await?.as_ref(), Some(boss));
        assert_eq!(session.get::<AnyEmployee>(boss.employee.id).await?, Some(all[m].clone()));
        let AnyEmployee::Engineer(ada) = &all[e] else { panic!("{:?}", all[e]) };
        assert_eq!(session.get::<AnyEmployee>(ada.employee.id).await?, Some(all[e].clone()));
        assert!(statements.take().is_empty());
        // Not held: one SELECT with the outer joins, decoded as its variant.
        let mut other = Session::new(&db.engine);
        assert_eq!(other.get::<AnyEmployee>(ada.employee.id).await?, Some(all[e].clone()));
        assert_eq!(statements.take().len(), 1);

        // selectin_polymorphic: the base table, then one statement per joined table.
        let mut third = Session::new(&db.engine);
        let again: Vec<AnyEmployee> = third
            .scalars(
                select(AnyEmployee)
                    .order_by(Employee::ID)
                    .options(selectin_polymorphic::<AnyEmployee>()),
            )
            .all()
            .await?;
        assert_eq!(again, all);
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(!sent[0].contains("JOIN"), "{}", sent[0]);
        assert!(
            sent[1].starts_with(
                "SELECT engineer.id, engineer.language, engineer.mentor FROM engineer WHERE engineer.id IN ("
            ),
            "{}",
            sent[1]
        );
        // The identity map got the whole rows.
        assert_eq!(third.get::<Engineer>(ada.employee.id).await?.unwrap().language, "rust");
        assert!(statements.take().is_empty());
        // No row of a joined class: no extra statement.
        let managers: Vec<AnyEmployee> = third
            .scalars(
                select(AnyEmployee)
                    .filter(Employee::KIND.eq("manager"))
                    .options(selectin_polymorphic::<AnyEmployee>()),
            )
            .all()
            .await?;
        assert_eq!(managers, [all[m].clone()]);
        assert_eq!(statements.take().len(), 1);

        // delete takes the enum too (a joined row: child first).
        other.delete(&all[e]);
        other.commit().await?;
        let sent = statements.take();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent[0].starts_with("DELETE FROM engineer"), "{sent:?}");
        let left: Vec<AnyEmployee> = other.scalars(select(AnyEmployee)).all().await?;
        assert_eq!(left.len(), 3);
        Ok(())
    }
}

/// Relationships whose target is a hierarchy, through its polymorphic enum.
mod to_a_hierarchy {
    use super::common::Statements;
    use oxalchemy::prelude::*;

    oxalchemy::declarative_base!(CompanyBase);

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = CompanyBase, table = "company")]
    pub(super) struct Company {
        #[mapped_column(primary_key)]
        pub(super) id: i64,
        #[mapped_column(length = 30)]
        pub(super) name: String,
        #[relationship(order_by = "id")]
        pub(super) staff: Related<Vec<AnyStaff>>,
        /// Through the polymorphic collection to the base's column.
        #[association_proxy(target = "staff", attr = "name")]
        pub(super) staff_names: AssociationProxy<String>,
    }

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = CompanyBase, table = "staff", polymorphic_on = "kind", polymorphic_identity = "staff")]
    pub(super) struct Staff {
        #[mapped_column(primary_key)]
        pub(super) id: i64,
        #[mapped_column(length = 30)]
        pub(super) name: String,
        #[mapped_column(length = 20)]
        pub(super) kind: String,
        #[mapped_column(foreign_key = "company.id")]
        pub(super) company_id: Option<i64>,
        /// Declared on the base, loaded from subclasses too.
        #[relationship]
        pub(super) company: Related<Company>,
    }

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = CompanyBase, inherits = Staff, polymorphic_identity = "boss")]
    pub(super) struct Boss {
        #[parent]
        pub(super) staff: Staff,
        #[mapped_column(length = 30)]
        pub(super) title: Option<String>,
    }

    #[derive(Model, Debug, Clone, PartialEq, Default)]
    #[model(base = CompanyBase, table = "coder", inherits = Staff, polymorphic_identity = "coder")]
    pub(super) struct Coder {
        #[parent]
        pub(super) staff: Staff,
        #[mapped_column(length = 30)]
        pub(super) language: String,
    }

    #[derive(Polymorphic, Debug, Clone, PartialEq)]
    pub(super) enum AnyStaff {
        Staff(Staff),
        Boss(Boss),
        Coder(Coder),
    }

    fn staff(name: &str) -> Staff {
        Staff {
            name: name.into(),
            ..Default::default()
        }
    }

    /// The members of the loaded collection, sorted.
    fn names(company: &Company) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = company
            .staff
            .get()
            .unwrap()
            .iter()
            .map(|s| match s {
                AnyStaff::Staff(s) => ("staff", s.name.clone()),
                AnyStaff::Boss(b) => ("boss", b.staff.name.clone()),
                AnyStaff::Coder(c) => ("coder", format!("{} ({})", c.staff.name, c.language)),
            })
            .collect();
        out.sort();
        out
    }

    crate::backend_tests! {
        async fn a_collection_of_a_hierarchy_loads_mixed_variants_with_every_strategy(db) {
            CompanyBase::metadata().create_all(&db.engine).await?;
            let mut session = Session::new(&db.engine);
            // Saved through the collection: each member as its own class,
            // with the company's generated key.
            let acme = session
                .save(Company {
                    name: "acme".into(),
                    staff: Related::from(vec![
                        AnyStaff::Staff(staff("wally")),
                        AnyStaff::Boss(Boss { staff: staff("pointy"), title: Some("ceo".into()) }),
                        AnyStaff::Coder(Coder { staff: staff("ada"), language: "rust".into() }),
                    ]),
                    ..Default::default()
                })
                .await?;
            session.commit().await?;
            // Sorted: the flush inserts the `staff` rows per class, so the
            // ids (the collection's order_by) follow the classes.
            let expected = vec![
                ("boss", "pointy".to_owned()),
                ("coder", "ada (rust)".to_owned()),
                ("staff", "wally".to_owned()),
            ];
            let statements = Statements::listen(&db.engine);
            for (strategy, option, count) in [
                ("selectin", selectinload(Company::STAFF), 2),
                ("subquery", subqueryload(Company::STAFF), 2),
                ("joined", joinedload(Company::STAFF), 1),
            ] {
                let mut s = Session::new(&db.engine);
                let companies: Vec<Company> = s.scalars(select(Company).options(option)).all().await?;
                assert_eq!(names(&companies[0]), expected, "{strategy}");
                let sent = statements.take();
                assert_eq!(sent.len(), count, "{strategy}: {sent:?}");
            }
            // A relationship declared on the base, from a subclass query and
            // through the enum: one more statement.
            let mut s = Session::new(&db.engine);
            let coders: Vec<Coder> = s
                .scalars(select(Coder).options(selectinload(Staff::COMPANY)))
                .all()
                .await?;
            assert_eq!(coders[0].staff.company.get()?.name, "acme");
            assert_eq!(statements.take().len(), 2);
            let mut s = Session::new(&db.engine);
            let everyone: Vec<AnyStaff> = s
                .scalars(select(AnyStaff).options(selectinload(Staff::COMPANY)))
                .all()
                .await?;
            assert_eq!(everyone.len(), 3);
            for member in &everyone {
                let staff = match member {
                    AnyStaff::Staff(s) => s,
                    AnyStaff::Boss(b) => &b.staff,
                    AnyStaff::Coder(c) => &c.staff,
                };
                assert_eq!(staff.company.get()?.name, "acme");
            }
            assert_eq!(statements.take().len(), 2);
            // An association proxy through the polymorphic collection, both sides.
            let mut s = Session::new(&db.engine);
            let companies: Vec<Company> = s
                .scalars(
                    select(Company)
                        .filter(Company::STAFF_NAMES.any(Staff::NAME.eq("ada")))
                        .options(selectinload(Company::STAFF)),
                )
                .all()
                .await?;
            assert_eq!(companies.len(), 1);
            let mut proxied: Vec<&String> = companies[0].staff_names()?;
            proxied.sort();
            assert_eq!(proxied, ["ada", "pointy", "wally"]);
            // The enum reads the base's fields whatever the variant.
            assert!(companies[0].staff.get()?.iter().all(|m| m.company_id == Some(acme.id)));
            statements.take();

            // of_type: a join reaching one class of the hierarchy.
            let mut s = Session::new(&db.engine);
            let with_rust: Vec<Company> = s
                .scalars(select(Company).join(Company::STAFF.of_type(Coder)).filter(Coder::LANGUAGE.eq("rust")))
                .all()
                .await?;
            assert_eq!(with_rust.len(), 1);
            let sent = statements.take();
            assert!(
                sent[0].contains("JOIN staff ON company.id = staff.company_id JOIN coder ON coder.id = staff.id"),
                "{}",
                sent[0]
            );
            for (name, found) in [("ada", 0), ("pointy", 1)] {
                let bosses: Vec<Company> = s
                    .scalars(select(Company).join(Company::STAFF.of_type(Boss)).filter(Staff::NAME.eq(name)))
                    .all()
                    .await?;
                assert_eq!(bosses.len(), found, "{name}");
            }
            let err = s
                .scalars(select(Company).join(Company::STAFF.of_type(Company)))
                .all()
                .await
                .unwrap_err();
            assert!(err.to_string().contains("is not a class of the hierarchy"), "{err}");
            statements.take();
            let mut s = Session::new(&db.engine);
            let mut company = s.get::<Company>(acme.id).await?.unwrap();
            s.load(&mut company, Company::STAFF).await?;
            assert_eq!(names(&company), expected, "lazy load");
            assert_eq!(statements.take().len(), 2);
            Ok(())
        }
    }
}
