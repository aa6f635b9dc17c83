//! Hybrid attributes and association proxies: one method body that is both a
//! Rust method and an SQL expression, and a relationship's attributes read as
//! the model's own. Runs on in-memory SQLite by default; pass a URL to run it
//! elsewhere:
//! `cargo run --features postgres --example hybrids_and_proxies -- postgresql://postgres@127.0.0.1:5432/test`.

use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "hp_department")]
struct Department {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 40)]
    name: String,
    #[relationship(back_populates = "department", order_by = "id")]
    employees: Related<Vec<Employee>>,
    /// The skills of every employee of the department (collection -> collection).
    #[association_proxy(target = "employees", attr = "skills")]
    employee_skills: AssociationProxy<Skill>,
    /// The last names of the department's employees (collection -> column).
    #[association_proxy(target = "employees", attr = "last_name")]
    last_names: AssociationProxy<String>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "hp_employee")]
struct Employee {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 40)]
    first_name: String,
    #[mapped_column(length = 40)]
    last_name: String,
    salary: i64,
    manager_id: Option<i64>,
    #[mapped_column(foreign_key = "hp_department.id")]
    department_id: i64,
    #[relationship(back_populates = "employees")]
    department: Related<Department>,
    #[relationship(secondary = "hp_employee_skill", order_by = "name")]
    skills: Related<Vec<Skill>>,
}

#[hybrids]
impl Employee {
    /// "First Last": `format!` becomes `||` (SQLite, PostgreSQL) or `CONCAT` (MySQL).
    #[hybrid]
    fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// A bool hybrid is a condition on its own.
    #[hybrid]
    fn has_manager(&self) -> bool {
        self.manager_id.is_some()
    }

    /// Monthly pay, truncated toward zero as Rust's integer division (MySQL: `DIV`).
    #[hybrid]
    fn monthly(&self) -> i64 {
        self.salary / 12
    }

    /// A hybrid method: `Employee::EARNS_MORE_THAN(amount)` on the SQL side.
    #[hybrid]
    fn earns_more_than(&self, amount: i64) -> bool {
        self.salary > amount
    }
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "hp_skill")]
struct Skill {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
}

#[tokio::main]
async fn main() -> oxalchemy::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://".to_owned());
    let employee_skill = Base::metadata().table("hp_employee_skill", |t| {
        t.column("employee_id", BigInteger)
            .primary_key()
            .foreign_key("hp_employee.id");
        t.column("skill_id", BigInteger)
            .primary_key()
            .foreign_key("hp_skill.id");
    });
    let engine = create_engine(&url)?;
    Base::metadata().drop_all(&engine).await?;
    Base::metadata().create_all(&engine).await?;

    let mut session = Session::new(&engine);
    session.add(Department {
        id: 1,
        name: "engines".into(),
        ..Default::default()
    });
    session.add_all([
        Skill {
            id: 1,
            name: "analysis".into(),
        },
        Skill {
            id: 2,
            name: "poetry".into(),
        },
    ]);
    session.add_all([
        Employee {
            id: 1,
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            salary: 120_000,
            department_id: 1,
            ..Default::default()
        },
        Employee {
            id: 2,
            first_name: "Charles".into(),
            last_name: "Babbage".into(),
            salary: 90_001,
            manager_id: Some(1),
            department_id: 1,
            ..Default::default()
        },
    ]);
    session.flush().await?;
    session
        .execute(insert(&employee_skill).values_many([
            vec![
                ("employee_id", Value::from(1)),
                ("skill_id", Value::from(1)),
            ],
            vec![
                ("employee_id", Value::from(1)),
                ("skill_id", Value::from(2)),
            ],
            vec![
                ("employee_id", Value::from(2)),
                ("skill_id", Value::from(1)),
            ],
        ]))
        .await?;
    session.commit().await?;

    // Hybrids: the SQL side in a query, the Rust side on the loaded values.
    let found = session
        .scalars(select(Employee).filter(Employee::FULL_NAME.eq("Ada Lovelace")))
        .one()
        .await?;
    println!("found {} (monthly {})", found.full_name(), found.monthly());
    // The Rust side of the same bodies agrees with the rows the SQL side picked.
    assert!(!found.has_manager() && found.earns_more_than(90_000));
    let managed: Vec<(i64, String, i64)> = session
        .execute(
            select((Employee::ID, Employee::FULL_NAME, Employee::MONTHLY))
                .filter(Employee::HAS_MANAGER)
                .filter(Employee::EARNS_MORE_THAN(90_000))
                .order_by(Employee::ID),
        )
        .await?
        .all()?;
    println!("managed and earning more than 90 000: {managed:?}");
    assert_eq!(managed, [(2, "Charles Babbage".to_owned(), 7_500)]);

    // Association proxies: load the path once, then read it without SQL.
    let department = session
        .scalars(
            select(Department)
                .filter(Department::ID.eq(1))
                .options(selectinload(Department::EMPLOYEE_SKILLS)),
        )
        .one()
        .await?;
    let skills: Vec<&str> = department
        .employee_skills()?
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    println!("skills in {}: {skills:?}", department.name);
    assert_eq!(skills, ["analysis", "poetry", "analysis"]);
    let names: Vec<&String> = department.last_names()?;
    println!("last names: {names:?}");

    // The SQL side of a proxy: EXISTS through both hops.
    let poets = session
        .scalars(
            select(Department).filter(Department::EMPLOYEE_SKILLS.any(Skill::NAME.eq("poetry"))),
        )
        .all()
        .await?;
    println!("departments with a poet: {}", poets.len());
    assert_eq!(poets.len(), 1);
    session.rollback().await?;
    Ok(())
}
