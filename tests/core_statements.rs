//! Every construct of the Core expression language, executed on each backend
//! with its results checked.

mod common;

use common::Backend;
use oxalchemy::prelude::*;

struct Schema {
    md: MetaData,
    users: Table,
    addresses: Table,
}

fn schema() -> Schema {
    let md = MetaData::new();
    let users = md.table("users", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(50)).not_null();
        t.column("email", Text);
    });
    let addresses = md.table("addresses", |t| {
        t.column("id", Integer).primary_key();
        t.column("user_id", Integer)
            .not_null()
            .foreign_key("users.id");
        t.column("email_address", Varchar(100)).not_null().unique();
    });
    Schema {
        md,
        users,
        addresses,
    }
}

/// users: 1 spongebob, 2 sandy, 3 patrick (no email), 4 squidward;
/// addresses: spongebob 1, sandy 2, patrick 0, squidward 1.
async fn seeded(engine: &Engine) -> oxalchemy::Result<Schema> {
    let s = schema();
    s.md.create_all(engine).await?;
    let mut conn = engine.connect().await?;
    conn.execute(insert(&s.users).values_many([
        [
            ("name", Value::from("spongebob")),
            ("email", Value::from("sb@sea.org")),
        ],
        [
            ("name", Value::from("sandy")),
            ("email", Value::from("sandy@sea.org")),
        ],
        [("name", Value::from("patrick")), ("email", Value::Null)],
        [
            ("name", Value::from("squidward")),
            ("email", Value::from("sq@sea.org")),
        ],
    ]))
    .await?;
    conn.execute(insert(&s.addresses).values_many([
        (
            ("user_id", 1),
            ("email_address", "spongebob@sqlalchemy.org"),
        ),
        (("user_id", 2), ("email_address", "sandy@sqlalchemy.org")),
        (("user_id", 2), ("email_address", "sandy@squirrelpower.org")),
        (
            ("user_id", 4),
            ("email_address", "squidward@sqlalchemy.org"),
        ),
    ]))
    .await?;
    conn.commit().await?;
    Ok(s)
}

backend_tests! {
    async fn select_filter_join_group_having_order_limit(db) {
        let s = seeded(&db.engine).await?;
        let (users, addresses) = (&s.users, &s.addresses);
        let mut conn = db.engine.connect().await?;
        let stmt = select((users.c("id"), users.c("name")))
            .filter(users.c("name").like("s%").and(users.c("email").is_not_null()))
            .join_on(addresses, users.c("id").eq(addresses.c("user_id")))
            .group_by((users.c("id"), users.c("name")))
            .having(func::count(addresses.c("id")).ge(1))
            .order_by(users.c("name").desc())
            .limit(10)
            .offset(1);
        let result = conn.execute(stmt).await?;
        let rows: Vec<(i64, String)> = result.all()?;
        assert_eq!(rows, vec![(1, "spongebob".to_owned()), (2, "sandy".to_owned())]);
        for row in result.rows() {
            let id: i64 = row.get(0)?;
            let name: String = row.get("name")?;
            assert!(id > 0 && !name.is_empty());
        }
        Ok(())
    }

    async fn join_inferred_and_outer_join(db) {
        let s = seeded(&db.engine).await?;
        let (users, addresses) = (&s.users, &s.addresses);
        let mut conn = db.engine.connect().await?;
        let n: Vec<String> = conn
            .execute(select(addresses.c("email_address")).join(users).filter(users.c("name").eq("sandy")).order_by(addresses.c("email_address")))
            .await?
            .scalars()?;
        assert_eq!(n, ["sandy@sqlalchemy.org", "sandy@squirrelpower.org"]);
        let rows: Vec<(String, Option<String>)> = conn
            .execute(select((users.c("name"), addresses.c("email_address"))).outerjoin(addresses).filter(users.c("name").eq("patrick")))
            .await?
            .all()?;
        assert_eq!(rows, vec![("patrick".to_owned(), None)]);
        Ok(())
    }

    async fn full_outer_join(db) {
        let s = seeded(&db.engine).await?;
        let (users, addresses) = (&s.users, &s.addresses);
        let mut conn = db.engine.connect().await?;
        let stmt = select((users.c("name"), addresses.c("email_address")))
            .full_join_on(addresses, users.c("id").eq(addresses.c("user_id")))
            .order_by(users.c("name"));
        let result = conn.execute(stmt).await;
        if db.backend == Backend::Mysql {
            let err = result.unwrap_err();
            assert!(matches!(err, Error::Unsupported { .. }), "{err}");
            assert!(err.to_string().contains("FULL OUTER JOIN"), "{err}");
        } else {
            assert_eq!(result?.len(), 5);
        }
        Ok(())
    }

    async fn operators_and_functions(db) {
        let s = seeded(&db.engine).await?;
        let users = &s.users;
        let mut conn = db.engine.connect().await?;
        let q = |cond: Expr<bool>| select(users.c("name")).filter(cond).order_by(users.c("id"));
        let names = |r: CursorResult| r.scalars::<String>();
        assert_eq!(names(conn.execute(q(users.c("id").in_([1, 3]))).await?)?, ["spongebob", "patrick"]);
        assert_eq!(names(conn.execute(q(users.c("id").not_in([1, 3]))).await?)?, ["sandy", "squidward"]);
        assert_eq!(names(conn.execute(q(users.c("id").between(2, 3))).await?)?, ["sandy", "patrick"]);
        assert_eq!(names(conn.execute(q(users.c("name").ilike("SAN%"))).await?)?, ["sandy"]);
        assert_eq!(names(conn.execute(q(users.c("name").contains("war"))).await?)?, ["squidward"]);
        assert_eq!(names(conn.execute(q(users.c("name").startswith("pat"))).await?)?, ["patrick"]);
        assert_eq!(names(conn.execute(q(users.c("name").endswith("dy"))).await?)?, ["sandy"]);
        assert_eq!(names(conn.execute(q(users.c("email").is_null())).await?)?, ["patrick"]);
        assert_eq!(names(conn.execute(q(users.c("id").eq(1) | users.c("id").eq(4))).await?)?, ["spongebob", "squidward"]);
        assert_eq!(names(conn.execute(q(!(users.c("id").gt(1)))).await?)?, ["spongebob"]);
        assert_eq!(names(conn.execute(q(users.c("id").ne(2) & users.c("id").lt(4) & users.c("id").ge(3))).await?)?, ["patrick"]);
        assert_eq!(names(conn.execute(q(users.c("id").in_(Vec::<i64>::new()))).await?)?, Vec::<String>::new());
        // A literal '%' in contains() matches itself only.
        assert!(names(conn.execute(q(users.c("name").contains("%"))).await?)?.is_empty());

        // `/` is true division (SQLAlchemy 2): a number, not an integer.
        let (sum, prod, div): (i64, i64, f64) = conn
            .execute(select(((users.c("id") + 10).label("a"), (users.c("id") * 3).label("b"), users.c("id").div(8).label("c"))).filter(users.c("id").eq(4)))
            .await?
            .one()?;
        assert_eq!((sum, prod, div), (14, 12, 0.5));

        let (n, upper, lower, len, total, maxid, minid, avg): (i64, String, String, i64, i64, i64, i64, f64) = conn
            .execute(select((
                func::count_star(),
                func::max(func::upper(users.c("name"))),
                func::min(func::lower(users.c("name"))),
                func::max(func::length(users.c("name"))),
                func::sum(users.c("id")),
                func::max(users.c("id")),
                func::min(users.c("id")),
                func::avg(users.c("id")),
            )))
            .await?
            .one()?;
        assert_eq!((n, upper.as_str(), lower.as_str(), len, total, maxid, minid), (4, "SQUIDWARD", "patrick", 9, 10, 4, 1));
        assert!((avg - 2.5).abs() < 1e-9);
        let emails: Vec<String> = conn
            .execute(select(func::coalesce((users.c("email"), "none"))).order_by(users.c("id")))
            .await?
            .scalars()?;
        assert_eq!(emails[2], "none");
        let custom: String = conn
            .execute(select(func::call("substr", (users.c("name"), 1, 3))).filter(users.c("id").eq(1)))
            .await?
            .scalars::<String>()?
            .remove(0);
        assert_eq!(custom, "spo");
        let now: Vec<Value> = conn.execute(select(func::now())).await?.scalars()?;
        assert!(!now[0].is_null());
        Ok(())
    }

    async fn case_cast_label_distinct_nulls_order(db) {
        let s = seeded(&db.engine).await?;
        let users = &s.users;
        let mut conn = db.engine.connect().await?;
        let size = case([(users.c("id").lt(2), "first"), (users.c("id").lt(4), "middle")]).else_("last").label("size");
        let rows: Vec<(String, String)> = conn
            .execute(select((users.c("name"), size)).order_by(users.c("id")))
            .await?
            .all()?;
        assert_eq!(rows[0].1, "first");
        assert_eq!(rows[2].1, "middle");
        assert_eq!(rows[3].1, "last");
        let r = conn.execute(select(users.c("id").cast(Varchar(10)).label("id_text")).filter(users.c("id").eq(3))).await?;
        let t: String = r.rows()[0].get("id_text")?;
        assert_eq!(t, "3");
        let n: Vec<i64> = conn
            .execute(select(addresses_user_ids(&s)).distinct().order_by(s.addresses.c("user_id")))
            .await?
            .scalars()?;
        assert_eq!(n, [1, 2, 4]);
        let first: Vec<Option<String>> = conn
            .execute(select(users.c("email")).order_by(users.c("email").asc().nulls_first()))
            .await?
            .scalars()?;
        assert_eq!(first[0], None);
        let last: Vec<Option<String>> = conn
            .execute(select(users.c("email")).order_by(users.c("email").desc().nulls_last()))
            .await?
            .scalars()?;
        assert_eq!(last[3], None);
        assert_eq!(last[0].as_deref(), Some("sq@sea.org"));
        Ok(())
    }

    async fn subqueries_exists_and_correlation(db) {
        let s = seeded(&db.engine).await?;
        let (users, addresses) = (&s.users, &s.addresses);
        let mut conn = db.engine.connect().await?;
        let has = exists(select(addresses.c("id")).filter(addresses.c("user_id").eq(users.c("id"))));
        let with_addr: Vec<String> = conn.execute(select(users.c("name")).filter(has.clone()).order_by(users.c("id"))).await?.scalars()?;
        assert_eq!(with_addr, ["spongebob", "sandy", "squidward"]);
        let without: Vec<String> = conn.execute(select(users.c("name")).filter(has.not())).await?.scalars()?;
        assert_eq!(without, ["patrick"]);
        let n = select(func::count(addresses.c("id")))
            .filter(addresses.c("user_id").eq(users.c("id")))
            .scalar_subquery()
            .label("n");
        let counts: Vec<(String, i64)> = conn.execute(select((users.c("name"), n)).order_by(users.c("id"))).await?.all()?;
        assert_eq!(counts[1], ("sandy".to_owned(), 2));
        assert_eq!(counts[2], ("patrick".to_owned(), 0));
        let in_sub: Vec<String> = conn
            .execute(select(users.c("name")).filter(users.c("id").in_(select(addresses.c("user_id")).filter(addresses.c("email_address").like("%squirrel%")))))
            .await?
            .scalars()?;
        assert_eq!(in_sub, ["sandy"]);
        // Derived table.
        let sub = select((addresses.c("user_id"), func::count(addresses.c("id")).label("n")))
            .group_by(addresses.c("user_id"))
            .subquery("counts");
        let rows: Vec<(String, Option<i64>)> = conn
            .execute(select((users.c("name"), sub.c("n"))).outerjoin_on(&sub, users.c("id").eq(sub.c("user_id"))).order_by(users.c("id")))
            .await?
            .all()?;
        assert_eq!(rows, vec![("spongebob".into(), Some(1)), ("sandy".into(), Some(2)), ("patrick".into(), None), ("squidward".into(), Some(1))]);
        Ok(())
    }

    async fn ctes_and_recursive_cte(db) {
        let md = MetaData::new();
        let nodes = md.table("nodes", |t| {
            t.column("id", Integer).primary_key();
            t.column("parent_id", Integer).foreign_key("nodes.id");
            t.column("label", Varchar(20)).not_null();
        });
        md.create_all(&db.engine).await?;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(&nodes).values_many([
            [("id", Value::from(1)), ("parent_id", Value::Null), ("label", Value::from("root"))],
            [("id", Value::from(2)), ("parent_id", Value::from(1)), ("label", Value::from("a"))],
            [("id", Value::from(3)), ("parent_id", Value::from(2)), ("label", Value::from("a.1"))],
            [("id", Value::from(4)), ("parent_id", Value::from(3)), ("label", Value::from("a.1.x"))],
            [("id", Value::from(5)), ("parent_id", Value::from(1)), ("label", Value::from("b"))],
        ])).await?;
        let anchor = select((nodes.c("id"), nodes.c("label"))).filter(nodes.c("id").eq(2)).cte("subtree").recursive();
        let subtree = anchor.union_all(
            select((nodes.c("id"), nodes.c("label"))).join_on(&anchor, nodes.c("parent_id").eq(anchor.c("id"))),
        );
        let labels: Vec<String> = conn.execute(select(subtree.c("label")).order_by(subtree.c("id"))).await?.scalars()?;
        assert_eq!(labels, ["a", "a.1", "a.1.x"]);
        let big = select(nodes.c("id")).filter(nodes.c("id").gt(3)).cte("big");
        let ids: Vec<i64> = conn.execute(select(big.c("id")).order_by(big.c("id"))).await?.scalars()?;
        assert_eq!(ids, [4, 5]);
        Ok(())
    }

    async fn set_operations(db) {
        let s = seeded(&db.engine).await?;
        let (users, addresses) = (&s.users, &s.addresses);
        let mut conn = db.engine.connect().await?;
        let u: Vec<i64> = conn.execute(union(select(users.c("id")).filter(users.c("id").le(2)), select(addresses.c("user_id"))).order_by(users.c("id"))).await?.scalars()?;
        assert_eq!(u, [1, 2, 4]);
        let ua = conn.execute(union_all(select(users.c("id")), select(addresses.c("user_id")))).await?;
        assert_eq!(ua.len(), 8);
        let i: Vec<i64> = conn.execute(intersect(select(users.c("id")), select(addresses.c("user_id"))).order_by(users.c("id"))).await?.scalars()?;
        assert_eq!(i, [1, 2, 4]);
        let e: Vec<i64> = conn.execute(except(select(users.c("id")), select(addresses.c("user_id")))).await?.scalars()?;
        assert_eq!(e, [3]);
        Ok(())
    }

    async fn window_functions(db) {
        let s = seeded(&db.engine).await?;
        let addresses = &s.addresses;
        let mut conn = db.engine.connect().await?;
        let rn = func::row_number().over(Window::new().partition_by(addresses.c("user_id")).order_by(addresses.c("email_address").desc())).label("rn");
        let rows: Vec<(String, i64)> = conn
            .execute(select((addresses.c("email_address"), rn)).order_by(addresses.c("email_address")))
            .await?
            .all()?;
        assert_eq!(rows, vec![
            ("sandy@sqlalchemy.org".into(), 2),
            ("sandy@squirrelpower.org".into(), 1),
            ("spongebob@sqlalchemy.org".into(), 1),
            ("squidward@sqlalchemy.org".into(), 1),
        ]);
        let running = func::sum(addresses.c("id")).over(Window::new().order_by(addresses.c("id")).rows_between(None, Some(0))).label("running");
        let totals: Vec<i64> = conn.execute(select(running).order_by(addresses.c("id"))).await?.scalars()?;
        assert_eq!(totals, [1, 3, 6, 10]);
        Ok(())
    }

    async fn insert_update_delete_returning(db) {
        let s = schema();
        s.md.create_all(&db.engine).await?;
        let users = &s.users;
        let mut conn = db.engine.connect().await?;
        let r = conn.execute(insert(users).values([("name", Value::from("sandy"))]).returning((users.c("id"),))).await?;
        let (id,): (i64,) = r.one()?;
        assert_eq!(id, 1);
        let r = conn.execute(insert(users).values_many([[("name", "a")], [("name", "b")], [("name", "c")]])).await?;
        assert_eq!(r.rows_affected(), 3);
        let ids: Vec<i64> = conn
            .execute(insert(users).values_many([[("name", "d")], [("name", "e")]]).returning(users.c("id")))
            .await?
            .scalars()?;
        assert_eq!(ids, [5, 6]);
        // Insert from select.
        let r = conn.execute(insert(users).from_select(["name"], select(users.c("name")).filter(users.c("id").le(2)))).await?;
        assert_eq!(r.rows_affected(), 2);
        let r = conn.execute(update(users).filter(users.c("id").eq(2)).set("name", "patrick").set("email", "p@sea.org")).await?;
        assert_eq!(r.rows_affected(), 1);
        let r = conn.execute(update(users).filter(users.c("id").gt(6)).set("name", func::upper(users.c("name")))).await?;
        assert_eq!(r.rows_affected(), 2);
        let upper: Vec<String> = conn.execute(select(users.c("name")).filter(users.c("id").gt(6)).order_by(users.c("id"))).await?.scalars()?;
        assert_eq!(upper, ["SANDY", "A"]);
        let deleted = conn.execute(delete(users).filter(users.c("name").eq("b"))).await?;
        assert_eq!(deleted.rows_affected(), 1);
        if db.backend != Backend::Mysql {
            let gone: Vec<String> = conn.execute(delete(users).filter(users.c("name").eq("c")).returning(users.c("name"))).await?.scalars()?;
            assert_eq!(gone, ["c"]);
            let upd: Vec<String> = conn.execute(update(users).filter(users.c("name").eq("d")).set("name", "dd").returning(users.c("name"))).await?.scalars()?;
            assert_eq!(upd, ["dd"]);
        }
        let count: Vec<i64> = conn.execute(select(func::count_star()).select_from(users)).await?.scalars()?;
        assert!(count[0] >= 6);
        conn.commit().await?;
        Ok(())
    }

    async fn upsert(db) {
        let s = schema();
        s.md.create_all(&db.engine).await?;
        let users = &s.users;
        let mut conn = db.engine.connect().await?;
        conn.execute(insert(users).values((("id", 1), ("name", "sandy")))).await?;
        conn.execute(insert(users).values((("id", 1), ("name", "other"))).on_conflict_do_nothing(users.c("id"))).await?;
        let n: Vec<String> = conn.execute(select(users.c("name"))).await?.scalars()?;
        assert_eq!(n, ["sandy"]);
        conn.execute(
            insert(users)
                .values((("id", 1), ("name", "sandy cheeks"), ("email", "s@x")))
                .on_conflict_do_update(users.c("id"), [("name", excluded("name")), ("email", excluded("email"))]),
        ).await?;
        conn.execute(
            insert(users)
                .values((("id", 2), ("name", "patrick")))
                .on_conflict_do_update(users.c("id"), [("name", excluded("name"))]),
        ).await?;
        let rows: Vec<(i64, String, Option<String>)> = conn
            .execute(select((users.c("id"), users.c("name"), users.c("email"))).order_by(users.c("id")))
            .await?
            .all()?;
        assert_eq!(rows, vec![(1, "sandy cheeks".into(), Some("s@x".into())), (2, "patrick".into(), None)]);
        Ok(())
    }

    async fn text_with_named_binds(db) {
        let s = seeded(&db.engine).await?;
        let _ = s;
        let mut conn = db.engine.connect().await?;
        let rows: Vec<(i64, String)> = conn
            .execute(text("SELECT id, name FROM users WHERE id > :y ORDER BY id").bind("y", 2))
            .await?
            .all()?;
        assert_eq!(rows, vec![(3, "patrick".into()), (4, "squidward".into())]);
        let err = conn.execute(text("SELECT id FROM users WHERE id > :y")).await.unwrap_err();
        assert!(matches!(&err, Error::ArgumentError(m) if m.contains(":y")), "{err}");
        Ok(())
    }

    async fn compile_without_executing(db) {
        let s = schema();
        let compiled = select(s.users.c("name")).filter(s.users.c("id").eq(5)).compile(&db.engine.dialect());
        let expected = match db.backend {
            Backend::Postgres => "SELECT users.name FROM users WHERE users.id = $1",
            Backend::Mysql => "SELECT `users`.`name` FROM `users` WHERE `users`.`id` = ?",
            Backend::Sqlite => "SELECT users.name FROM users WHERE users.id = ?",
        };
        // MySQL quotes only where needed too; accept either spelling there.
        if db.backend == Backend::Mysql {
            assert!(compiled.sql() == expected || compiled.sql() == "SELECT users.name FROM users WHERE users.id = ?", "{}", compiled.sql());
        } else {
            assert_eq!(compiled.sql(), expected);
        }
        assert_eq!(compiled.params(), &[Value::Int(5)]);
        Ok(())
    }
}

fn addresses_user_ids(s: &Schema) -> Column {
    s.addresses.c("user_id")
}
