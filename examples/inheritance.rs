//! Table inheritance: one hierarchy with a single-table subclass (`Manager`,
//! its columns in `employee`) and a joined-table one (`Engineer`, its own
//! table keyed by `employee.id`), loaded class by class and polymorphically
//! through `AnyEmployee`. Runs on in-memory SQLite:
//! `cargo run --example inheritance`.

use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "employee", polymorphic_on = "kind", polymorphic_identity = "employee")]
struct Employee {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    name: String,
    #[mapped_column(length = 20)]
    kind: String,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, inherits = Employee, polymorphic_identity = "manager")]
struct Manager {
    #[parent]
    employee: Employee,
    manager_data: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "engineer", inherits = Employee, polymorphic_identity = "engineer")]
struct Engineer {
    #[parent]
    employee: Employee,
    #[mapped_column(length = 30)]
    language: String,
}

/// Every class of the hierarchy: each row loads as its own variant.
#[derive(Polymorphic, Debug, Clone, PartialEq)]
enum AnyEmployee {
    Employee(Employee),
    Manager(Manager),
    Engineer(Engineer),
}

#[tokio::main]
async fn main() -> oxalchemy::Result<()> {
    let engine = create_engine("sqlite://")?;
    event::listen(
        &engine,
        EngineEvent::BeforeExecute,
        |ctx: &ExecuteContext| {
            println!("  SQL: {}", ctx.statement());
        },
    );
    Base::metadata().create_all(&engine).await?;

    let mut session = Session::new(&engine);
    println!("single-table subclass: one INSERT into employee, kind set from the identity");
    let boss = session
        .save(Manager {
            employee: Employee {
                name: "pointy".into(),
                ..Default::default()
            },
            manager_data: Some("budget owner".into()),
        })
        .await?;
    assert_eq!(boss.employee.kind, "manager");
    session
        .save(Employee {
            name: "wally".into(),
            ..Default::default()
        })
        .await?;
    session.commit().await?;

    println!("joined-table subclass: the parent row first, its key copied into the child row");
    let ada = session
        .save(Engineer {
            employee: Employee {
                name: "ada".into(),
                ..Default::default()
            },
            language: "rust".into(),
        })
        .await?;
    println!("an UPDATE of the changed table only");
    let mut changed = ada.clone();
    changed.language = "zig".into();
    session.add(changed);
    session.commit().await?;

    println!("select(Manager): the discriminator restricted to the Manager identities");
    let managers: Vec<Manager> = session.scalars(select(Manager)).all().await?;
    println!("  -> {managers:?}");
    println!("select(Engineer): the joined table, filters through the declaring class");
    let engineers: Vec<Engineer> = session
        .scalars(
            select(Engineer)
                .filter(Employee::NAME.eq("ada"))
                .filter(Engineer::LANGUAGE.eq("zig")),
        )
        .all()
        .await?;
    println!("  -> {engineers:?}");
    println!("get::<Employee>(..) of a loaded Manager: an identity-map hit, no SQL");
    let as_employee = session.get::<Employee>(boss.employee.id).await?;
    println!("  -> {as_employee:?}");

    println!("select(AnyEmployee): every row as its own variant, joined tables outer-joined");
    let everyone: Vec<AnyEmployee> = session
        .scalars(select(AnyEmployee).order_by(Employee::ID))
        .all()
        .await?;
    for e in &everyone {
        println!("  -> {e:?}");
    }
    println!("selectin_polymorphic: the base table, then one statement per joined table");
    let mut fresh = Session::new(&engine);
    let again: Vec<AnyEmployee> = fresh
        .scalars(
            select(AnyEmployee)
                .order_by(Employee::ID)
                .options(selectin_polymorphic::<AnyEmployee>()),
        )
        .all()
        .await?;
    assert_eq!(again, everyone);
    println!("delete of a joined subclass: the child row first");
    fresh.delete(&again[2]);
    fresh.commit().await?;
    Ok(())
}
