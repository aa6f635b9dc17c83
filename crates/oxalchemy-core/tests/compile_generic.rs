//! SQL-string tests of the compiler against the standard dialect.

use oxalchemy_core::dialect::GenericDialect;
use oxalchemy_core::sql_type::{Integer, Text, Varchar};
use oxalchemy_core::*;

fn schema() -> (MetaData, Table, Table) {
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
        t.column("email_address", Text).not_null().unique();
    });
    (md, users, addresses)
}

fn sql(e: &impl Executable) -> (String, Vec<Value>) {
    let c = e.compile_for(&GenericDialect).unwrap();
    (c.sql().to_owned(), c.params().to_vec())
}

#[test]
fn select_with_everything() {
    let (_md, users, addresses) = schema();
    let stmt = select((users.c("id"), users.c("name")))
        .filter(
            users
                .c("name")
                .like("s%")
                .and(users.c("email").is_not_null()),
        )
        .join_on(&addresses, users.c("id").eq(addresses.c("user_id")))
        .group_by(users.c("id"))
        .having(func::count(addresses.c("id")).gt(1))
        .order_by(users.c("name").desc())
        .limit(10)
        .offset(20);
    let (s, p) = sql(&stmt);
    assert_eq!(
        s,
        "SELECT users.id, users.name FROM users JOIN addresses ON users.id = addresses.user_id \
         WHERE users.name LIKE ? AND users.email IS NOT NULL GROUP BY users.id \
         HAVING count(addresses.id) > ? ORDER BY users.name DESC LIMIT 10 OFFSET 20"
    );
    assert_eq!(p, vec![Value::from("s%"), Value::Int(1)]);
}

#[test]
fn join_infers_on_from_foreign_key() {
    let (_md, users, addresses) = schema();
    let (s, _) = sql(&select((users.c("name"), addresses.c("email_address"))).join(&addresses));
    assert_eq!(
        s,
        "SELECT users.name, addresses.email_address FROM users JOIN addresses ON addresses.user_id = users.id"
    );
    let (s, _) = sql(&select(users.c("name")).outerjoin(&addresses));
    assert!(
        s.ends_with("FROM users LEFT OUTER JOIN addresses ON addresses.user_id = users.id"),
        "{s}"
    );
}

#[test]
fn join_without_foreign_key_is_an_argument_error() {
    let md = MetaData::new();
    let a = md.table("a", |t| {
        t.column("id", Integer).primary_key();
    });
    let b = md.table("b", |t| {
        t.column("id", Integer).primary_key();
    });
    let err = select(a.c("id"))
        .join(&b)
        .compile_for(&GenericDialect)
        .unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
    assert!(err.to_string().contains("no foreign key"), "{err}");
}

#[test]
fn correlated_exists_and_scalar_subquery() {
    let (_md, users, addresses) = schema();
    let has_addr =
        exists(select(addresses.c("id")).filter(addresses.c("user_id").eq(users.c("id"))));
    let (s, _) = sql(&select(users.c("name")).filter(has_addr));
    assert_eq!(
        s,
        "SELECT users.name FROM users WHERE EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)"
    );
    let n = select(func::count(addresses.c("id")))
        .filter(addresses.c("user_id").eq(users.c("id")))
        .scalar_subquery()
        .label("n");
    let (s, _) = sql(&select((users.c("name"), n)));
    assert_eq!(
        s,
        "SELECT users.name, (SELECT count(addresses.id) AS count_1 FROM addresses WHERE addresses.user_id = users.id) AS n FROM users"
    );
}

#[test]
fn in_list_in_select_between_and_empty_in() {
    let (_md, users, addresses) = schema();
    let (s, p) = sql(&select(users.c("id")).filter(users.c("name").in_(["a", "b"])));
    assert_eq!(s, "SELECT users.id FROM users WHERE users.name IN (?, ?)");
    assert_eq!(p.len(), 2);
    let (s, _) =
        sql(&select(users.c("id")).filter(users.c("id").in_(select(addresses.c("user_id")))));
    assert_eq!(
        s,
        "SELECT users.id FROM users WHERE users.id IN (SELECT addresses.user_id FROM addresses)"
    );
    let (s, _) = sql(&select(users.c("id")).filter(users.c("id").in_(Vec::<i64>::new())));
    assert_eq!(s, "SELECT users.id FROM users WHERE (1 != 1)");
    let (s, _) = sql(&select(users.c("id")).filter(users.c("id").between(1, 5).not()));
    assert_eq!(
        s,
        "SELECT users.id FROM users WHERE NOT (users.id BETWEEN ? AND ?)"
    );
}

#[test]
fn operators_and_precedence() {
    let (_md, users, _) = schema();
    let id = users.c("id");
    let (s, _) = sql(&select((id.clone() + 1) * 2)
        .filter(id.clone().eq(1).or(id.clone().eq(2)).and(id.clone().ne(3))));
    assert_eq!(
        s,
        "SELECT (users.id + ?) * ? AS anon_1 FROM users WHERE (users.id = ? OR users.id = ?) AND users.id <> ?"
    );
    let (s, _) = sql(&select(id.clone().sub(id.clone().sub(1)).label("x")));
    assert_eq!(s, "SELECT users.id - (users.id - ?) AS x FROM users");
    let (s, p) = sql(&select(users.c("id")).filter(users.c("name").contains("50%_off")));
    assert_eq!(
        s,
        "SELECT users.id FROM users WHERE users.name LIKE ? ESCAPE '/'"
    );
    assert_eq!(p, vec![Value::from("%50/%/_off%")]);
    let (s, _) = sql(&select(users.c("id")).filter(users.c("name").ilike("S%")));
    assert_eq!(
        s,
        "SELECT users.id FROM users WHERE lower(users.name) LIKE lower(?)"
    );
    let (s, _) = sql(&select(users.c("id")).filter(users.c("email").eq(Value::Null)));
    assert_eq!(s, "SELECT users.id FROM users WHERE users.email IS NULL");
    let (s, _) =
        sql(&select(users.c("id")).filter(!users.c("email").is_null() & users.c("id").gt(0)));
    assert_eq!(
        s,
        "SELECT users.id FROM users WHERE users.email IS NOT NULL AND users.id > ?"
    );
}

#[test]
fn case_cast_functions_window() {
    let (_md, users, _) = schema();
    let c = case([(users.c("id").lt(10), "small")])
        .else_("large")
        .label("size");
    let (s, _) = sql(&select((c, users.c("id").cast(Text).label("t"))));
    assert_eq!(
        s,
        "SELECT CASE WHEN users.id < ? THEN ? ELSE ? END AS size, CAST(users.id AS TEXT) AS t FROM users"
    );
    let w = func::row_number().over(
        Window::new()
            .partition_by(users.c("name"))
            .order_by(users.c("id").desc()),
    );
    let (s, _) = sql(&select((users.c("id"), w.label("rn"))));
    assert_eq!(
        s,
        "SELECT users.id, row_number() OVER (PARTITION BY users.name ORDER BY users.id DESC) AS rn FROM users"
    );
    let (s, _) = sql(&select((
        func::coalesce((users.c("email"), "none")),
        func::now(),
        func::count_star(),
    )));
    // Numbered per function name, as SQLAlchemy does.
    assert_eq!(
        s,
        "SELECT coalesce(users.email, ?) AS coalesce_1, CURRENT_TIMESTAMP AS now_1, count(*) AS count_1 FROM users"
    );
    let (s, _) = sql(&select(func::call("upper", (users.c("name"),)).label("u")).distinct());
    assert_eq!(s, "SELECT DISTINCT upper(users.name) AS u FROM users");
    let err = select(func::call("x; drop", ()))
        .compile_for(&GenericDialect)
        .unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)));
}

#[test]
fn subquery_cte_and_recursive_cte() {
    let (_md, users, addresses) = schema();
    let sub = select((
        addresses.c("user_id"),
        func::count(addresses.c("id")).label("n"),
    ))
    .group_by(addresses.c("user_id"))
    .subquery("counts");
    let (s, _) = sql(&select((users.c("name"), sub.c("n")))
        .outerjoin_on(&sub, users.c("id").eq(sub.c("user_id"))));
    assert_eq!(
        s,
        "SELECT users.name, counts.n FROM users LEFT OUTER JOIN (SELECT addresses.user_id, count(addresses.id) AS n \
         FROM addresses GROUP BY addresses.user_id) AS counts ON users.id = counts.user_id"
    );
    let cte = select(users.c("id")).filter(users.c("id").gt(5)).cte("big");
    let (s, _) = sql(&select(cte.c("id")));
    assert_eq!(
        s,
        "WITH big AS (SELECT users.id FROM users WHERE users.id > ?) SELECT big.id FROM big"
    );

    let md = MetaData::new();
    let nodes = md.table("nodes", |t| {
        t.column("id", Integer).primary_key();
        t.column("parent_id", Integer).foreign_key("nodes.id");
    });
    let anchor = select((nodes.c("id"), nodes.c("parent_id")))
        .filter(nodes.c("id").eq(1))
        .cte("tree")
        .recursive();
    let tree = anchor.union_all(
        select((nodes.c("id"), nodes.c("parent_id")))
            .join_on(&anchor, nodes.c("parent_id").eq(anchor.c("id"))),
    );
    let (s, _) = sql(&select(tree.c("id")));
    assert_eq!(
        s,
        "WITH RECURSIVE tree(id, parent_id) AS ((SELECT nodes.id, nodes.parent_id FROM nodes WHERE nodes.id = ?) UNION ALL \
         (SELECT nodes.id, nodes.parent_id FROM nodes JOIN tree ON nodes.parent_id = tree.id)) SELECT tree.id FROM tree"
    );
}

#[test]
fn set_operations() {
    let (_md, users, addresses) = schema();
    let u = union(select(users.c("id")), select(addresses.c("user_id")))
        .order_by(users.c("id"))
        .limit(3);
    let (s, _) = sql(&u);
    assert_eq!(
        s,
        "(SELECT users.id FROM users) UNION (SELECT addresses.user_id FROM addresses) ORDER BY id LIMIT 3"
    );
    let (s, _) = sql(&union_all(select(users.c("id")), select(users.c("id"))));
    assert!(s.contains(" UNION ALL "));
    let (s, _) = sql(&intersect(
        select(users.c("id")),
        select(addresses.c("user_id")),
    ));
    assert!(s.contains(" INTERSECT "));
    let (s, _) = sql(&except(
        select(users.c("id")),
        select(addresses.c("user_id")),
    ));
    assert!(s.contains(" EXCEPT "));
}

#[test]
fn insert_forms() {
    let (_md, users, _) = schema();
    let (s, p) = sql(&insert(&users).values([("name", Value::from("sandy"))]));
    assert_eq!(s, "INSERT INTO users (name) VALUES (?)");
    assert_eq!(p, vec![Value::from("sandy")]);
    let (s, p) = sql(&insert(&users)
        .values((("name", "sandy"), ("email", "s@x")))
        .returning((users.c("id"),)));
    assert_eq!(
        s,
        "INSERT INTO users (name, email) VALUES (?, ?) RETURNING id"
    );
    assert_eq!(p.len(), 2);
    let (s, p) =
        sql(&insert(&users).values_many([[("name", "a")], [("name", "b")], [("name", "c")]]));
    assert_eq!(s, "INSERT INTO users (name) VALUES (?), (?), (?)");
    assert_eq!(p.len(), 3);
    let (s, _) = sql(&insert(&users).from_select(
        ["name"],
        select(users.c("email")).filter(users.c("id").gt(1)),
    ));
    assert_eq!(
        s,
        "INSERT INTO users (name) SELECT users.email FROM users WHERE users.id > ?"
    );
    let (s, _) = sql(&insert(&users)
        .values((("id", 1), ("name", "x")))
        .on_conflict_do_update(users.c("id"), [("name", excluded("name"))]));
    assert_eq!(
        s,
        "INSERT INTO users (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name"
    );
    let (s, _) = sql(&insert(&users)
        .values((("id", 1), ("name", "x")))
        .on_conflict_do_nothing(users.c("id")));
    assert_eq!(
        s,
        "INSERT INTO users (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"
    );
    let (s, _) = sql(&insert(&users));
    assert_eq!(s, "INSERT INTO users DEFAULT VALUES");
    let err = insert(&users)
        .values([("nope", 1)])
        .compile_for(&GenericDialect)
        .unwrap_err();
    assert!(err.to_string().contains("has no column \"nope\""), "{err}");
    let err = insert(&users)
        .values_many(vec![
            vec![("name", Value::from("a"))],
            vec![("email", Value::from("b"))],
        ])
        .compile_for(&GenericDialect)
        .unwrap_err();
    assert!(err.to_string().contains("same columns"), "{err}");
}

#[test]
fn update_and_delete() {
    let (_md, users, addresses) = schema();
    let (s, p) = sql(&update(&users)
        .filter(users.c("id").eq(5))
        .set("name", "patrick"));
    assert_eq!(s, "UPDATE users SET name = ? WHERE users.id = ?");
    assert_eq!(p, vec![Value::from("patrick"), Value::Int(5)]);
    let (s, _) = sql(&update(&users)
        .set("id", users.c("id").add(1))
        .returning(users.c("id")));
    assert_eq!(s, "UPDATE users SET id = users.id + ? RETURNING id");
    let (s, _) = sql(&delete(&users)
        .filter(users.c("name").eq("squidward"))
        .returning((users.c("id"), users.c("name"))));
    assert_eq!(
        s,
        "DELETE FROM users WHERE users.name = ? RETURNING id, name"
    );
    // Correlated subquery in DELETE.
    let (s, _) = sql(&delete(&users).filter(
        exists(select(addresses.c("id")).filter(addresses.c("user_id").eq(users.c("id")))).not(),
    ));
    assert_eq!(
        s,
        "DELETE FROM users WHERE NOT EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)"
    );
}

#[test]
fn text_binds() {
    let (s, p) = sql(&text(
        "SELECT x, y FROM some_table WHERE y > :y AND z = :z::int AND w = ':no'",
    )
    .bind("y", 2)
    .bind("z", 3));
    assert_eq!(
        s,
        "SELECT x, y FROM some_table WHERE y > ? AND z = ?::int AND w = ':no'"
    );
    assert_eq!(p, vec![Value::Int(2), Value::Int(3)]);
    let err = text("SELECT :missing")
        .compile_for(&GenericDialect)
        .unwrap_err();
    assert!(
        matches!(&err, Error::ArgumentError(m) if m.contains(":missing")),
        "{err}"
    );
    let err = text("SELECT 1")
        .bind("extra", 1)
        .compile_for(&GenericDialect)
        .unwrap_err();
    assert!(err.to_string().contains(":extra"), "{err}");
}

#[test]
fn text_binds_skip_comments() {
    // A quote inside a comment opens no string literal: the binds after it are found.
    let (s, p) = sql(&text(
        "SELECT x -- don't look here: :not_a_bind\nFROM t /* it's :also_not */ WHERE y = :y -- end",
    )
    .bind("y", 1));
    assert_eq!(
        s,
        "SELECT x -- don't look here: :not_a_bind\nFROM t /* it's :also_not */ WHERE y = ? -- end"
    );
    assert_eq!(p, vec![Value::Int(1)]);
    let (s, p) = sql(&text("SELECT /* unterminated :x"));
    assert_eq!(s, "SELECT /* unterminated :x");
    assert!(p.is_empty());
    // Subtraction is not a comment.
    let (s, _) = sql(&text("SELECT :a - :b").bind("a", 1).bind("b", 2));
    assert_eq!(s, "SELECT ? - ?");
}

#[test]
fn quoting_of_identifiers() {
    let md = MetaData::new();
    let t = md.table("order", |t| {
        t.column("select", Integer).primary_key();
        t.column("Mixed Case", Text);
        t.column("we\"ird", Text);
    });
    let (s, _) = sql(
        &select((t.c("select"), t.c("Mixed Case"), t.c("we\"ird"))).filter(t.c("select").eq(1))
    );
    assert_eq!(
        s,
        "SELECT \"order\".\"select\", \"order\".\"Mixed Case\", \"order\".\"we\"\"ird\" FROM \"order\" WHERE \"order\".\"select\" = ?"
    );
    let (s, _) = sql(&CreateTable::new(&t));
    assert_eq!(
        s,
        "CREATE TABLE \"order\" (\n\t\"select\" INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n\t\"Mixed Case\" TEXT,\n\t\"we\"\"ird\" TEXT,\n\tPRIMARY KEY (\"select\")\n)"
    );
}

#[test]
fn create_table_ddl() {
    let (md, _users, addresses) = schema();
    let (s, _) = sql(&CreateTable::new(&addresses));
    assert_eq!(
        s,
        "CREATE TABLE addresses (\n\tid INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n\tuser_id INTEGER NOT NULL,\n\
         \temail_address TEXT NOT NULL,\n\tPRIMARY KEY (id),\n\tUNIQUE (email_address),\n\tFOREIGN KEY(user_id) REFERENCES users (id)\n)"
    );
    let names: Vec<String> = md
        .sorted_tables()
        .iter()
        .map(|t| t.name().to_owned())
        .collect();
    assert_eq!(names, ["users", "addresses"]);
}

#[test]
fn ddl_with_defaults_checks_and_ondelete() {
    let md = MetaData::new();
    md.table("parent", |t| {
        t.column("id", Integer).primary_key();
    });
    let child = md.table("child", |t| {
        t.column("id", Integer).primary_key();
        t.column("parent_id", Integer)
            .foreign_key("parent.id")
            .ondelete("cascade");
        t.column("status", Varchar(10))
            .not_null()
            .server_default("new")
            .index();
        t.column("n", Integer).server_default_sql("0");
        t.check("ck_n", "n >= 0");
    });
    let (s, _) = sql(&CreateTable::new(&child));
    assert!(
        s.contains("status VARCHAR(10) NOT NULL DEFAULT 'new'"),
        "{s}"
    );
    assert!(s.contains("n INTEGER DEFAULT (0)"), "{s}");
    assert!(
        s.contains("FOREIGN KEY(parent_id) REFERENCES parent (id) ON DELETE CASCADE"),
        "{s}"
    );
    assert!(s.contains("CONSTRAINT ck_n CHECK (n >= 0)"), "{s}");
    // parent_id has a foreign key: not autoincrement; id is.
    assert_eq!(child.autoincrement_column().map(|c| c.name()), Some("id"));
    assert_eq!(child.indexes()[0].name(), "ix_child_status");
    let bad = md.try_table("bad", |t| {
        t.column("x", Integer).foreign_key("nodot");
    });
    assert!(matches!(bad, Err(Error::ArgumentError(_))));
}

#[test]
fn column_lookup() {
    let (_md, users, _) = schema();
    assert!(users.get_column("missing").is_none());
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| users.c("missing")));
    let msg = *r.unwrap_err().downcast::<String>().unwrap();
    assert!(
        msg.contains("users") && msg.contains("missing") && msg.contains("id, name, email"),
        "{msg}"
    );
}
