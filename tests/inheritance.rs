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
    #[mapped_column(length = 50)]
    name: String,
    #[mapped_column(length = 20)]
    kind: String,
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
    assert_eq!(engineer.column_names(), ["id", "language"]);
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
