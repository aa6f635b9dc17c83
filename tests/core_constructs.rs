//! Issue 11: SQLAlchemy's answers on every backend. Each statement runs on
//! SQLite, PostgreSQL and MariaDB and its values are checked (the SQL text of
//! each construct is in `dialect_sql.rs`): true and floor division, ORDER BY a
//! label, UPDATE/DELETE naming other tables, GROUP BY an expression with
//! parameters, CAST to NUMERIC(p, s), and the constructs of the point 4.

mod common;

use common::Backend;
use oxalchemy::core::expr::{
    DatePart, extract, false_, label_ref, literal, literal_column, null, true_, tuple_,
};
use oxalchemy::prelude::*;

/// `nums`: id, n (INTEGER), amount (NUMERIC(10, 2)), f (DOUBLE), name (VARCHAR).
struct Nums {
    nums: Table,
}

/// Rows: (1, 7, 10.00, 2.345, "a%c"), (2, -7, 2.50, -2.345, "abc"),
/// (3, 10, NULL, 10, "ABC_x"), (4, NULL, 0.10, NULL, NULL).
async fn nums(engine: &Engine) -> oxalchemy::Result<Nums> {
    let md = MetaData::new();
    let nums = md.table("nums", |t| {
        t.column("id", Integer).primary_key().autoincrement(false);
        t.column("n", Integer);
        t.column("amount", Numeric(10, 2));
        t.column("f", Double);
        t.column("name", Varchar(20));
    });
    md.create_all(engine).await?;
    let mut conn = engine.connect().await?;
    let dec = |s: &str| Value::Decimal(s.parse().expect("decimal"));
    conn.execute(insert(&nums).values_many([
        [
            ("id", Value::from(1)),
            ("n", Value::from(7)),
            ("amount", dec("10.00")),
            ("f", Value::from(2.345)),
            ("name", Value::from("a%c")),
        ],
        [
            ("id", Value::from(2)),
            ("n", Value::from(-7)),
            ("amount", dec("2.50")),
            ("f", Value::from(-2.345)),
            ("name", Value::from("abc")),
        ],
        [
            ("id", Value::from(3)),
            ("n", Value::from(10)),
            ("amount", Value::Null),
            ("f", Value::from(10.0)),
            ("name", Value::from("ABC_x")),
        ],
        [
            ("id", Value::from(4)),
            ("n", Value::Null),
            ("amount", dec("0.10")),
            ("f", Value::Null),
            ("name", Value::Null),
        ],
    ]))
    .await?;
    conn.commit().await?;
    Ok(Nums { nums })
}

/// `parents` (id, n) and `children` (id, parent_id, v), for statements over two tables.
struct Family {
    parents: Table,
    children: Table,
}

/// parents 1..=3 with n = 0; children: (10, 1, v 5), (20, 2, v 1), (30, 2, v 9).
async fn family(engine: &Engine) -> oxalchemy::Result<Family> {
    let md = MetaData::new();
    let parents = md.table("parents", |t| {
        t.column("id", Integer).primary_key().autoincrement(false);
        t.column("n", Integer).not_null();
    });
    let children = md.table("children", |t| {
        t.column("id", Integer).primary_key().autoincrement(false);
        t.column("parent_id", Integer).not_null();
        t.column("v", Integer).not_null();
    });
    md.create_all(engine).await?;
    let mut conn = engine.connect().await?;
    conn.execute(insert(&parents).values_many([
        (("id", 1), ("n", 0)),
        (("id", 2), ("n", 0)),
        (("id", 3), ("n", 0)),
    ]))
    .await?;
    conn.execute(insert(&children).values_many([
        (("id", 10), ("parent_id", 1), ("v", 5)),
        (("id", 20), ("parent_id", 2), ("v", 1)),
        (("id", 30), ("parent_id", 2), ("v", 9)),
    ]))
    .await?;
    conn.commit().await?;
    Ok(Family { parents, children })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

backend_tests! {
    async fn true_division_gives_the_exact_quotient(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        // Integers: 7 / 2 is 3.5, -7 / 2 is -3.5 (SQLite and PostgreSQL truncated to 3, -3).
        let rows: Vec<(f64, f64)> = conn
            .execute(select((t.c("n") / 2, t.c("n").div(t.c("id") * 4))).filter(t.c("id").le(2)).order_by(t.c("id")))
            .await?
            .all()?;
        assert_eq!(rows, vec![(3.5, 1.75), (-3.5, -0.875)]);
        // An integral NUMERIC value (SQLite stores 10.00 as the integer 10).
        let q: Vec<f64> = conn
            .execute(select(t.c("amount") / 4).filter(t.c("id").eq(1)))
            .await?
            .scalars()?;
        assert_eq!(q, [2.5]);
        // A float divisor, and a float column.
        let q = conn.execute(select(t.c("n") / 2.5).filter(t.c("id").eq(3))).await?.scalars::<f64>()?[0];
        assert!(close(q, 4.0), "{q}");
        let q = conn.execute(select(t.c("f") / 2).filter(t.c("id").eq(3))).await?.scalars::<f64>()?[0];
        assert!(close(q, 5.0), "{q}");
        // NULL stays NULL.
        let q: Vec<Option<f64>> = conn.execute(select(t.c("n") / 2).filter(t.c("id").eq(4))).await?.scalars()?;
        assert_eq!(q, [None]);
        Ok(())
    }

    async fn floor_division_floors_negative_operands_too(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        // Python's //: 7 // 2 = 3, -7 // 2 = -4, 10 // 2 = 5; 7 // -2 = -4.
        let rows: Vec<(i64, i64, i64)> = conn
            .execute(
                select((t.c("n").floor_div(2), t.c("n").floor_div(-2), (-t.c("n")).floor_div(4)))
                    .filter(t.c("id").le(3))
                    .order_by(t.c("id")),
            )
            .await?
            .all()?;
        assert_eq!(rows, vec![(3, -4, -2), (-4, 3, 1), (5, -5, -3)]);
        // NUMERIC and float operands: 10.00 // 4 = 2, 2.50 // 4 = 0, -2.345 // 1 = -3.
        let q: Vec<i64> = conn
            .execute(select(t.c("amount").floor_div(4)).filter(t.c("id").le(2)).order_by(t.c("id")))
            .await?
            .scalars()?;
        assert_eq!(q, [2, 0]);
        let q = conn.execute(select(t.c("f").floor_div(1)).filter(t.c("id").eq(2))).await?.scalars::<f64>()?[0];
        assert!(close(q, -3.0), "{q}");
        Ok(())
    }

    async fn order_by_a_label_sorts_by_its_expression(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        let by_n = t.c("n").mul(-1).label("x");
        // The select list's "x" is another expression: sort by the ORDER BY's own.
        let ids: Vec<i64> = conn
            .execute(select((t.c("id"), t.c("name").label("x"))).filter(t.c("n").is_not_null()).order_by(by_n.clone()))
            .await?
            .scalars()?;
        assert_eq!(ids, [3, 1, 2]);
        // The same labeled expression in the select list: sorted by the label.
        let ids: Vec<i64> = conn
            .execute(select((t.c("id"), by_n.clone())).filter(t.c("n").is_not_null()).order_by(by_n.desc()))
            .await?
            .scalars()?;
        assert_eq!(ids, [2, 1, 3]);
        // By name: a label, a column, and label_ref(..).desc().
        let rows: Vec<(i64, i64)> = conn
            .execute(select((t.c("id"), (t.c("n") * 2).label("twice"))).filter(t.c("n").is_not_null()).order_by("twice"))
            .await?
            .all()?;
        assert_eq!(rows, vec![(2, -14), (1, 14), (3, 20)]);
        let ids: Vec<i64> = conn
            .execute(select(t.c("id")).filter(t.c("n").is_not_null()).order_by(label_ref("id").desc()))
            .await?
            .scalars()?;
        assert_eq!(ids, [3, 2, 1]);
        let err = conn.execute(select(t.c("id")).order_by("nope")).await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(err.to_string().contains("\"nope\""), "{err}");
        Ok(())
    }

    async fn update_from_another_table(db) {
        let f = family(&db.engine).await?;
        let (p, c) = (&f.parents, &f.children);
        let mut conn = db.engine.connect().await?;
        let result = conn
            .execute(update(p).filter(p.c("id").eq(c.c("parent_id"))).filter(c.c("v").gt(3)).set("n", c.c("v")))
            .await?;
        assert_eq!(result.rows_affected(), 2);
        let rows: Vec<(i64, i64)> = conn
            .execute(select((p.c("id"), p.c("n"))).order_by(p.c("id")))
            .await?
            .all()?;
        assert_eq!(rows, vec![(1, 5), (2, 9), (3, 0)]);
        Ok(())
    }

    async fn delete_using_another_table(db) {
        let f = family(&db.engine).await?;
        let (p, c) = (&f.parents, &f.children);
        let mut conn = db.engine.connect().await?;
        conn.execute(delete(c).filter(c.c("parent_id").eq(p.c("id"))).filter(p.c("id").eq(2))).await?;
        let left: Vec<i64> = conn.execute(select(c.c("id")).order_by(c.c("id"))).await?.scalars()?;
        assert_eq!(left, [10]);
        // Parents with a child: only 1 is left to match.
        conn.execute(delete(p).filter(p.c("id").eq(c.c("parent_id")))).await?;
        let left: Vec<i64> = conn.execute(select(p.c("id")).order_by(p.c("id"))).await?.scalars()?;
        assert_eq!(left, [2, 3]);
        Ok(())
    }

    async fn group_by_an_expression_with_parameters(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        // PostgreSQL needs the two `n + 1` to be one parameter (42803 otherwise).
        let bucket = || (t.c("n") + 1).label("bucket");
        let rows: Vec<(Option<i64>, i64)> = conn
            .execute(
                select((bucket(), func::count_star()))
                    .filter(t.c("n").is_not_null())
                    .group_by(t.c("n") + 1)
                    .having(func::count_star().ge(1))
                    .order_by(t.c("n") + 1),
            )
            .await?
            .all()?;
        assert_eq!(rows, vec![(Some(-6), 1), (Some(8), 1), (Some(11), 1)]);
        // Different values are different expressions: `n + 2` is not grouped.
        let err = conn
            .execute(select(t.c("n") + 1).group_by(t.c("n") + 2))
            .await;
        if db.backend == Backend::Postgres {
            assert!(err.is_err(), "n + 1 is not n + 2");
        }
        Ok(())
    }

    async fn cast_to_numeric_rounds_to_the_scale(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        // SQLAlchemy: 2.35, -2.35, 10.00 (SQLite kept 2.345 before).
        let rows: Vec<f64> = conn
            .execute(select(t.c("f").cast(Numeric(10, 2))).filter(t.c("id").le(3)).order_by(t.c("id")))
            .await?
            .scalars()?;
        assert_eq!(rows, [2.35, -2.35, 10.0]);
        // 7 / 3 at scale 3.
        let q = conn
            .execute(select((t.c("n") / 3).cast(Numeric(10, 3))).filter(t.c("id").eq(1)))
            .await?
            .scalars::<f64>()?[0];
        assert_eq!(q, 2.333);
        Ok(())
    }

    async fn result_columns_are_named_as_in_sqlalchemy(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        let result = conn
            .execute(
                select((
                    t.c("n").cast(Text),
                    func::count(t.c("id")),
                    t.c("n") + 1,
                    func::max(t.c("id")),
                    func::count_star(),
                    t.c("n").cast(Integer),
                ))
                .filter(t.c("id").eq(1))
                .group_by(t.c("n")),
            )
            .await?;
        assert_eq!(result.keys(), ["n", "count_1", "anon_1", "max_1", "count_2", "n__1"]);
        let row = &result.rows()[0];
        assert_eq!(row.get::<String, _>("n")?, "7");
        assert_eq!(row.get::<i64, _>("count_1")?, 1);
        assert_eq!(row.get::<i64, _>("anon_1")?, 8);
        assert_eq!(row.get::<i64, _>("n__1")?, 7);
        Ok(())
    }

    async fn is_distinct_from_treats_null_as_a_value(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        let ids = |cond: Expr<bool>| select(t.c("id")).filter(cond).order_by(t.c("id"));
        let got: Vec<i64> = conn.execute(ids(t.c("n").is_distinct_from(7))).await?.scalars()?;
        assert_eq!(got, [2, 3, 4]);
        let got: Vec<i64> = conn.execute(ids(t.c("n").is_not_distinct_from(null()))).await?.scalars()?;
        assert_eq!(got, [4]);
        let got: Vec<i64> = conn.execute(ids(t.c("amount").is_not_distinct_from(t.c("f")))).await?.scalars()?;
        assert!(got.is_empty(), "{got:?}");
        let got: Vec<i64> = conn.execute(ids(t.c("amount").is_distinct_from(Value::Null))).await?.scalars()?;
        assert_eq!(got, [1, 2, 4]);
        Ok(())
    }

    async fn like_escape_and_case_insensitive_contains(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        let ids = |cond: Expr<bool>| select(t.c("id")).filter(cond).order_by(t.c("id"));
        let got: Vec<i64> = conn.execute(ids(t.c("name").like("a!%%").escape('!'))).await?.scalars()?;
        assert_eq!(got, [1]);
        let got: Vec<i64> = conn.execute(ids(t.c("name").ilike("abc^_%").escape('^'))).await?.scalars()?;
        assert_eq!(got, [3]);
        let got: Vec<i64> = conn.execute(ids(t.c("name").not_like("%!%%").escape('!'))).await?.scalars()?;
        assert_eq!(got, [2, 3]);
        // icontains: case-insensitive, literal `_` matches itself only.
        let got: Vec<i64> = conn.execute(ids(t.c("name").icontains("C_"))).await?.scalars()?;
        assert_eq!(got, [3]);
        let got: Vec<i64> = conn.execute(ids(t.c("name").istartswith("AB"))).await?.scalars()?;
        assert_eq!(got, [2, 3]);
        let got: Vec<i64> = conn.execute(ids(t.c("name").iendswith("C"))).await?.scalars()?;
        assert_eq!(got, [1, 2]);
        // contains(..).autoescape(false): `%` and `_` are wildcards (SQLAlchemy's default).
        let got: Vec<i64> = conn.execute(ids(t.c("name").contains("a%c"))).await?.scalars()?;
        assert_eq!(got, [1]);
        let got: Vec<i64> = conn.execute(ids(t.c("name").endswith("_c"))).await?.scalars()?;
        assert!(got.is_empty(), "{got:?}");
        let got: Vec<i64> = conn.execute(ids(t.c("name").endswith("_c").autoescape(false))).await?.scalars()?;
        assert_eq!(got, [1, 2]);
        // A literal with its own escapes.
        let got: Vec<i64> = conn.execute(ids(t.c("name").contains("C^_").escape('^'))).await?.scalars()?;
        assert_eq!(got, [3]);
        Ok(())
    }

    async fn literals_null_booleans_and_literal_columns(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        let (five, nothing, text_value): (i64, Option<i64>, String) = conn
            .execute(select((literal(5).label("five"), null().label("nothing"), literal("x").label("s"))))
            .await?
            .one()?;
        assert_eq!((five, nothing, text_value.as_str()), (5, None, "x"));
        let all: Vec<i64> = conn.execute(select(t.c("id")).filter(true_()).order_by(t.c("id"))).await?.scalars()?;
        assert_eq!(all, [1, 2, 3, 4]);
        let none: Vec<i64> = conn.execute(select(t.c("id")).filter(false_())).await?.scalars()?;
        assert!(none.is_empty());
        let none: Vec<i64> = conn.execute(select(t.c("id")).filter(true_().not())).await?.scalars()?;
        assert!(none.is_empty());
        // literal_column: trusted SQL, named by its text.
        let result = conn
            .execute(select((t.c("id"), literal_column("n"))).select_from(t).filter(literal_column("n").gt(7)))
            .await?;
        assert_eq!(result.keys()[1], "n");
        assert_eq!(result.all::<(i64, i64)>()?, vec![(3, 10)]);
        Ok(())
    }

    async fn tuple_in_and_extract(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let md = MetaData::new();
        let events = md.table("events", |t| {
            t.column("id", Integer).primary_key();
            t.column("at", DateTime);
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let got: Vec<i64> = conn
            .execute(select(t.c("id")).filter(tuple_((t.c("id"), t.c("n"))).in_([(1, 7), (2, 8), (3, 10)])).order_by(t.c("id")))
            .await?
            .scalars()?;
        assert_eq!(got, [1, 3]);
        let got: Vec<i64> = conn
            .execute(select(t.c("id")).filter(tuple_((t.c("id"), t.c("n"))).not_in([(1, 7)])).order_by(t.c("id")))
            .await?
            .scalars()?;
        // (4, NULL) differs from (1, 7) in its first member: NOT IN holds.
        assert_eq!(got, [2, 3, 4]);
        let at = chrono::NaiveDate::from_ymd_opt(2024, 5, 19)
            .and_then(|d| d.and_hms_opt(13, 45, 30))
            .expect("a date");
        conn.execute(insert(&events).values([("at", at)])).await?;
        let e = || events.c("at");
        // 2024-05-19 was a Sunday (dow 0), the 140th day of the year.
        let row: (i64, i64, i64, i64, i64, i64, i64, i64, i64) = conn
            .execute(select((
                extract("year", e()),
                extract(DatePart::Quarter, e()),
                extract("month", e()),
                extract("day", e()),
                extract("hour", e()),
                extract("minute", e()),
                extract("dow", e()),
                extract("doy", e()),
                extract("epoch", e()),
            )))
            .await?
            .one()?;
        assert_eq!(row, (2024, 2, 5, 19, 13, 45, 0, 140, at.and_utc().timestamp()));
        let second = conn.execute(select(extract("second", e()))).await?.scalars::<f64>()?[0];
        assert_eq!(second, 30.0);
        Ok(())
    }

    async fn functions_with_many_arguments_and_lag(db) {
        let s = nums(&db.engine).await?;
        let t = &s.nums;
        let mut conn = db.engine.connect().await?;
        let mut args: Vec<Expr> = vec![t.c("amount").expr(); 11];
        args.push(literal(42));
        let got: Vec<f64> = conn
            .execute(select(func::call("coalesce", args)).order_by(t.c("id")))
            .await?
            .scalars()?;
        assert_eq!(got, [10.0, 2.5, 42.0, 0.1]);
        let got: Vec<i64> = conn
            .execute(select(func::call("coalesce", [None, None, None, Some(3), Some(4)])))
            .await?
            .scalars()?;
        assert_eq!(got, [3]);
        let prev = func::lag_with(t.c("id"), 2, 0).over(Window::new().order_by(t.c("id")));
        let next = func::lead_with(t.c("id"), 1, -1).over(Window::new().order_by(t.c("id")));
        let rows: Vec<(i64, i64, i64)> = conn
            .execute(select((t.c("id"), prev.label("prev"), next.label("next"))).order_by(t.c("id")))
            .await?
            .all()?;
        assert_eq!(rows, vec![(1, 0, 2), (2, 0, 3), (3, 1, 4), (4, 2, -1)]);
        Ok(())
    }

    async fn aliases_of_subqueries_and_a_self_joined_cte(db) {
        let f = family(&db.engine).await?;
        let c = &f.children;
        let mut conn = db.engine.connect().await?;
        // Pairs of children of one parent, through two references to one CTE.
        let kids = select((c.c("id"), c.c("parent_id"), c.c("v"))).cte("kids");
        let (a, b) = (kids.alias("a"), kids.alias("b"));
        let pairs: Vec<(i64, i64)> = conn
            .execute(
                select((a.c("id"), b.c("id")))
                    .join_on(&b, a.c("parent_id").eq(b.c("parent_id")).and(a.c("id").lt(b.c("id")))),
            )
            .await?
            .all()?;
        assert_eq!(pairs, vec![(20, 30)]);
        // A CTE joined with itself under its own name and an alias.
        let pairs: Vec<(i64, i64)> = conn
            .execute(
                select((kids.c("id"), b.c("id")))
                    .join_on(&b, kids.c("v").lt(b.c("v")))
                    .filter(b.c("id").eq(30))
                    .order_by(kids.c("id")),
            )
            .await?
            .all()?;
        assert_eq!(pairs, vec![(10, 30), (20, 30)]);
        // A derived table and an alias of it.
        let sq = select((c.c("parent_id"), func::max(c.c("v")).label("top"))).group_by(c.c("parent_id")).subquery("sq");
        let other = sq.alias("other");
        let rows: Vec<(i64, i64)> = conn
            .execute(
                select((sq.c("parent_id"), other.c("parent_id")))
                    .join_on(&other, sq.c("top").lt(other.c("top"))),
            )
            .await?
            .all()?;
        assert_eq!(rows, vec![(1, 2)]);
        Ok(())
    }

    async fn correlation_follows_sqlalchemy_and_can_be_controlled(db) {
        let md = MetaData::new();
        let a = md.table("ca", |t| { t.column("id", Integer).primary_key().autoincrement(false); });
        let b = md.table("cb", |t| {
            t.column("id", Integer).primary_key().autoincrement(false);
            t.column("a_id", Integer);
        });
        let c = md.table("cc", |t| {
            t.column("id", Integer).primary_key().autoincrement(false);
            t.column("b_id", Integer);
            t.column("a_id", Integer);
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&a).values_many([[("id", 1)], [("id", 2)]])).await?;
        conn.execute(insert(&b).values_many([(("id", 10), ("a_id", 1)), (("id", 20), ("a_id", 2))])).await?;
        // The grandchild row belongs to b 10 but points at a 2.
        conn.execute(insert(&c).values((("id", 100), ("b_id", 10), ("a_id", 2)))).await?;
        let inner = || select(c.c("id")).filter(c.c("b_id").eq(b.c("id"))).filter(c.c("a_id").eq(a.c("id")));
        let query = |inner: oxalchemy::Select<oxalchemy::AnyType>| {
            select(a.c("id"))
                .filter(exists(select(b.c("id")).filter(b.c("a_id").eq(a.c("id"))).filter(exists(inner))))
                .order_by(a.c("id"))
        };
        // Automatic: the innermost query correlates with its immediately
        // enclosing FROM (cb) only, so it has its own `ca`: any a matches.
        let got: Vec<i64> = conn.execute(query(inner())).await?.scalars()?;
        assert_eq!(got, [1]);
        // correlate(&a): the outermost `ca` only (no automatic correlation any
        // more, so the innermost has its own `cb`): a 2's row points at it.
        let got: Vec<i64> = conn.execute(query(inner().correlate(&a))).await?.scalars()?;
        assert_eq!(got, [2]);
        // Both: the grandchild must belong to the b and the a of the outer rows.
        let got: Vec<i64> = conn.execute(query(inner().correlate((&a, &b)))).await?.scalars()?;
        assert!(got.is_empty(), "{got:?}");
        // correlate_except(&b): every enclosing FROM but cb, as correlate(&a) here.
        let got: Vec<i64> = conn.execute(query(inner().correlate_except(&b))).await?.scalars()?;
        assert_eq!(got, [2]);
        // correlate(()): no correlation at all, even with the immediately enclosing query.
        let all: Vec<i64> = conn
            .execute(select(a.c("id")).filter(exists(select(b.c("id")).filter(b.c("a_id").eq(a.c("id"))).filter(b.c("id").eq(20)).correlate(()))).order_by(a.c("id")))
            .await?
            .scalars()?;
        assert_eq!(all, [1, 2]);
        Ok(())
    }

    async fn distinct_on_is_postgresql_only(db) {
        let f = family(&db.engine).await?;
        let c = &f.children;
        let mut conn = db.engine.connect().await?;
        let stmt = select((c.c("parent_id"), c.c("v")))
            .distinct_on(c.c("parent_id"))
            .order_by((c.c("parent_id"), c.c("v").desc()));
        let result = conn.execute(stmt).await;
        if db.backend == Backend::Postgres {
            assert_eq!(result?.all::<(i64, i64)>()?, vec![(1, 5), (2, 9)]);
        } else {
            let err = result.unwrap_err();
            assert!(matches!(err, Error::Unsupported { .. }), "{err}");
            assert!(err.to_string().contains("DISTINCT ON"), "{err}");
        }
        Ok(())
    }

    async fn upsert_updates_only_where_the_condition_holds(db) {
        let f = family(&db.engine).await?;
        let c = &f.children;
        let mut conn = db.engine.connect().await?;
        // Keep the larger v: 10 gets 7 (> 5), 20 keeps 1 (0 < 1), 40 is new.
        for (id, v) in [(10, 7), (20, 0), (40, 3)] {
            conn.execute(
                insert(c)
                    .values((("id", id), ("parent_id", 3), ("v", v)))
                    .on_conflict_do_update_where(
                        c.c("id"),
                        [("v", excluded("v")), ("parent_id", excluded("parent_id"))],
                        c.c("v").lt(excluded("v")),
                    ),
            )
            .await?;
        }
        let rows: Vec<(i64, i64, i64)> = conn
            .execute(select((c.c("id"), c.c("parent_id"), c.c("v"))).order_by(c.c("id")))
            .await?
            .all()?;
        assert_eq!(rows, vec![(10, 3, 7), (20, 2, 1), (30, 2, 9), (40, 3, 3)]);
        Ok(())
    }

    async fn multi_row_returning_in_parameter_order(db) {
        let md = MetaData::new();
        let items = md.table("items", |t| {
            t.column("id", Integer).primary_key();
            t.column("name", Varchar(20)).not_null();
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        let stmt = insert(&items)
            .values_many([[("name", "c")], [("name", "a")], [("name", "b")]])
            .returning((items.c("id"), items.c("name")))
            .sort_by_parameter_order();
        let result = conn.execute(stmt).await;
        if db.backend == Backend::Mysql && !db.engine.dialect().supports_returning() {
            assert!(matches!(result.unwrap_err(), Error::Unsupported { .. }));
            return Ok(());
        }
        let mut rows: Vec<(i64, String)> = result?.all()?;
        // Generated keys ascend in VALUES order.
        rows.sort();
        let names: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(names, ["c", "a", "b"]);
        Ok(())
    }
}

// A construct built wrongly is an ArgumentError when the statement compiles,
// never a panic: `escape` on an expression that is not a LIKE, an unknown
// `extract` part.
#[test]
fn misuse_is_an_argument_error_not_a_panic() {
    let md = MetaData::new();
    let t = md.table("misuse", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Text);
        t.column("at", DateTime);
    });
    let dialect = oxalchemy::sqlite::SqliteDialect;
    let err = select(t.c("id"))
        .filter(t.c("name").eq("x").escape('!'))
        .try_compile(&dialect)
        .unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
    assert!(err.to_string().contains("applies to a LIKE"), "{err}");
    let err = select(extract("fortnight", t.c("at")))
        .try_compile(&dialect)
        .unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
    assert!(err.to_string().contains("not a date part"), "{err}");
}
