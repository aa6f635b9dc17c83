//! Hybrid attributes (issue 14): `#[hybrids] impl Model { #[hybrid] fn .. }`
//! gives one body two sides, the method as written and a typed SQL
//! expression (`Employee::FULL_NAME`), usable wherever a typed column is.

mod common;

use common::TestDb;
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "employee")]
struct Employee {
    #[mapped_column(primary_key)]
    id: i64,
    first_name: String,
    last_name: String,
    salary: i64,
    manager_id: Option<i64>,
    nickname: Option<String>,
    #[relationship(order_by = "id")]
    payslips: Related<Vec<Payslip>>,
}

#[hybrids]
impl Employee {
    /// The contract's example.
    #[hybrid]
    fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    #[hybrid]
    fn has_manager(&self) -> bool {
        self.manager_id.is_some()
    }

    #[hybrid]
    fn earns_more_than(&self, amount: i64) -> bool {
        self.salary > amount
    }

    /// Another hybrid called from a body.
    #[hybrid]
    fn name_length(&self) -> i64 {
        self.full_name().len() as i64
    }

    #[hybrid]
    fn display_name(&self) -> String {
        self.nickname.clone().unwrap_or(self.first_name.clone())
    }

    #[hybrid]
    fn band(&self) -> String {
        if self.salary >= 100_000 {
            "high".to_owned()
        } else if self.salary >= 50_000 {
            "middle".to_owned()
        } else {
            "low".to_owned()
        }
    }

    /// The SQL side by hand: a correlated subquery over the payslips.
    #[hybrid(expr = paid_total_sql)]
    fn paid_total(&self) -> i64 {
        let payslips = self.payslips.get().expect("payslips loaded");
        payslips.iter().map(|p| p.amount).sum()
    }
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "payslip")]
struct Payslip {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(foreign_key = "employee.id")]
    employee_id: i64,
    amount: i64,
}

fn paid_total_sql() -> Expr<i64> {
    select(func::coalesce((func::sum(Payslip::AMOUNT), 0)).cast(BigInteger))
        .filter(Payslip::EMPLOYEE_ID.eq(Employee::ID))
        .scalar_subquery()
        .retype()
}

fn employee(id: i64, first: &str, last: &str, salary: i64, manager: Option<i64>) -> Employee {
    Employee {
        id,
        first_name: first.into(),
        last_name: last.into(),
        salary,
        manager_id: manager,
        nickname: None,
        payslips: Default::default(),
    }
}

async fn seed(db: &TestDb) -> oxalchemy::Result<Session> {
    Base::metadata().create_all(&db.engine).await?;
    let mut session = Session::new(&db.engine);
    session.add_all([
        employee(1, "Ada", "Lovelace", 120_000, None),
        employee(2, "Charles", "Babbage", 90_000, Some(1)),
        Employee {
            nickname: Some("Gracie".into()),
            ..employee(3, "Grace", "Hopper", 40_000, Some(1))
        },
    ]);
    session.flush().await?;
    session.add_all([
        Payslip {
            id: 1,
            employee_id: 1,
            amount: 10,
        },
        Payslip {
            id: 2,
            employee_id: 1,
            amount: 32,
        },
        Payslip {
            id: 3,
            employee_id: 2,
            amount: 7,
        },
    ]);
    session.commit().await?;
    Ok(session)
}

#[test]
fn the_rust_side_is_the_method_as_written() {
    let ada = employee(1, "Ada", "Lovelace", 120_000, None);
    assert_eq!(ada.full_name(), "Ada Lovelace");
    assert!(!ada.has_manager());
    assert!(ada.earns_more_than(5));
    assert!(
        Employee::earns_more_than(&ada, 5),
        "the method path still names the method"
    );
    assert_eq!(ada.name_length(), 12);
    assert_eq!(ada.band(), "high");
    let _: Hybrid<Employee, String> = Employee::FULL_NAME;
    assert_eq!(Employee::FULL_NAME.name(), "full_name");
}

#[test]
fn the_sql_side_per_dialect() {
    use oxalchemy::core::dialect::GenericDialect;
    fn sql<R>(stmt: oxalchemy::Select<R>) -> String {
        stmt.compile(&GenericDialect).sql().to_owned()
    }
    assert_eq!(
        sql(select(Employee::ID).filter(Employee::FULL_NAME.eq("Ada Lovelace"))),
        "SELECT employee.id FROM employee WHERE employee.first_name || ? || employee.last_name = ?"
    );
    assert_eq!(
        sql(select(Employee::ID).filter(Employee::HAS_MANAGER)),
        "SELECT employee.id FROM employee WHERE employee.manager_id IS NOT NULL"
    );
    assert_eq!(
        sql(select(Employee::ID).filter(Employee::EARNS_MORE_THAN(100_000))),
        "SELECT employee.id FROM employee WHERE employee.salary > ?"
    );
    assert_eq!(
        sql(select(Employee::DISPLAY_NAME)),
        "SELECT coalesce(employee.nickname, employee.first_name) AS coalesce_1 FROM employee"
    );
}

backend_tests! {
    async fn hybrids_filter_select_order_group_and_label(db) {
        let mut session = seed(&db).await?;
        // Filter with the contract's example.
        let ada: Employee = session
            .scalars(select(Employee).filter(Employee::FULL_NAME.eq("Ada Lovelace")))
            .one()
            .await?;
        assert_eq!(ada.id, 1);
        // A bool hybrid is a condition on its own; NOT of it too.
        let managed: Vec<i64> = session
            .scalars(select(Employee::ID).filter(Employee::HAS_MANAGER).order_by(Employee::ID))
            .all()
            .await?;
        assert_eq!(managed, [2, 3]);
        let unmanaged: Vec<i64> = session
            .scalars(select(Employee::ID).filter(!Employee::HAS_MANAGER))
            .all()
            .await?;
        assert_eq!(unmanaged, [1]);
        // A hybrid method with an argument.
        let rich: Vec<i64> = session
            .scalars(select(Employee::ID).filter(Employee::EARNS_MORE_THAN(50_000)).order_by(Employee::ID))
            .all()
            .await?;
        assert_eq!(rich, [1, 2]);
        // Select lists decode typed rows; order by a hybrid, descending.
        let rows: Vec<(i64, String)> = session
            .scalars(select((Employee::ID, Employee::FULL_NAME)).order_by(Employee::FULL_NAME.desc()))
            .all()
            .await?;
        assert_eq!(
            rows,
            [
                (3, "Grace Hopper".to_owned()),
                (2, "Charles Babbage".to_owned()),
                (1, "Ada Lovelace".to_owned()),
            ]
        );
        // Operators of a typed column; labels; hybrid calls in bodies.
        let lengths: Vec<(i64, i64)> = session
            .scalars(
                select((Employee::ID, Employee::NAME_LENGTH.label("len")))
                    .filter(Employee::NAME_LENGTH.ge(12).and(Employee::SALARY.lt(100_000)))
                    .order_by(Employee::ID),
            )
            .all()
            .await?;
        assert_eq!(lengths, [(2, 15), (3, 12)]);
        // GROUP BY a hybrid.
        let bands: Vec<(String, i64)> = session
            .scalars(
                select((Employee::BAND, func::count_star()))
                    .group_by(Employee::BAND)
                    .order_by(Employee::BAND),
            )
            .all()
            .await?;
        assert_eq!(
            bands,
            [("high".to_owned(), 1), ("low".to_owned(), 1), ("middle".to_owned(), 1)]
        );
        // COALESCE for unwrap_or.
        let names: Vec<String> = session
            .scalars(select(Employee::DISPLAY_NAME).order_by(Employee::ID))
            .all()
            .await?;
        assert_eq!(names, ["Ada", "Charles", "Gracie"]);
        // In a subquery.
        let sub = select(Employee::ID).filter(Employee::BAND.eq("high"));
        let ids: Vec<i64> = session
            .scalars(select(Employee::ID).filter(Employee::ID.in_(sub)))
            .all()
            .await?;
        assert_eq!(ids, [1]);
        // `expr = ..`: a correlated subquery given by hand.
        let totals: Vec<(i64, i64)> = session
            .scalars(select((Employee::ID, Employee::PAID_TOTAL)).order_by(Employee::ID))
            .all()
            .await?;
        assert_eq!(totals, [(1, 42), (2, 7), (3, 0)]);
        let paid: Vec<i64> = session
            .scalars(select(Employee::ID).filter(Employee::PAID_TOTAL.gt(10)))
            .all()
            .await?;
        assert_eq!(paid, [1]);
        // A hybrid is an operand of a typed column, and has the std operators.
        let ids: Vec<i64> = session
            .scalars(
                select(Employee::ID)
                    .filter(Employee::SALARY.gt(Employee::PAID_TOTAL * 3_000))
                    .filter((Employee::NAME_LENGTH + 1).gt(13)),
            )
            .all()
            .await?;
        assert_eq!(ids, [2]);
        // The Rust sides agree with the rows they came from.
        let everyone: Vec<Employee> = session
            .scalars(select(Employee).options(selectinload(Employee::PAYSLIPS)).order_by(Employee::ID))
            .all()
            .await?;
        let rust: Vec<(i64, i64, String)> = everyone
            .iter()
            .map(|e| (e.id, e.paid_total(), e.display_name()))
            .collect();
        assert_eq!(
            rust,
            [(1, 42, "Ada".to_owned()), (2, 7, "Charles".to_owned()), (3, 0, "Gracie".to_owned())]
        );
        Ok(())
    }
}
