//! Exact SQL, and parameters, for every construct of the Core expression
//! language (contract section 2), compiled for each backend side by side in
//! the style of sea-query's tests: SQLite, PostgreSQL, MariaDB 10.11 and
//! MySQL 8 (the last two share one expectation where they agree).
//!
//! The expectations were checked against the real servers. To check them
//! again, set `OXALCHEMY_DIALECT_SQL_DUMP=<dir>`: every compiled statement is
//! then appended to `<dir>/<dialect>.sql`, ready to be prepared on each server.

use oxalchemy::core::expr::{
    DatePart, extract, false_, label_ref, literal, literal_column, null, true_, tuple_,
};
use oxalchemy::mysql::MysqlDialect;
use oxalchemy::postgres::PostgresDialect;
use oxalchemy::prelude::*;
use oxalchemy::sqlite::SqliteDialect;
use oxalchemy::{
    AnyType, Compiled, CreateIndex, CreateTable, Dialect, DropIndex, Executable, Select, SqlType,
};

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// What one dialect should produce: SQL text, or an `Unsupported` error
/// naming the feature.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Sql(String),
    Unsupported(&'static str),
}

impl From<&str> for Expect {
    fn from(s: &str) -> Self {
        Expect::Sql(s.to_owned())
    }
}

impl From<String> for Expect {
    fn from(s: String) -> Self {
        Expect::Sql(s)
    }
}

/// `Error::Unsupported` whose message names `feature`.
fn unsupported(feature: &'static str) -> Expect {
    Expect::Unsupported(feature)
}

fn sqlite() -> SqliteDialect {
    SqliteDialect
}
fn postgres() -> PostgresDialect {
    PostgresDialect
}
fn mariadb() -> MysqlDialect {
    MysqlDialect::mariadb((10, 11, 0))
}
fn mysql8() -> MysqlDialect {
    MysqlDialect::mysql8()
}

/// Append a compiled statement to `$OXALCHEMY_DIALECT_SQL_DUMP/<dialect>.sql`.
fn dump(name: &str, compiled: &Compiled) {
    use std::io::Write;
    let Some(dir) = std::env::var_os("OXALCHEMY_DIALECT_SQL_DUMP") else {
        return;
    };
    let path = std::path::Path::new(&dir).join(format!("{name}.sql"));
    let mut line = compiled.sql().replace('\n', " ");
    line.push_str(";\n");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open the dump file");
    f.write_all(line.as_bytes()).expect("write the dump file");
}

/// Compile for `dialect`, failing the test with the error if it does not compile.
#[track_caller]
fn compile(stmt: &dyn Executable, dialect: &dyn Dialect) -> Compiled {
    match stmt.compile_for(dialect) {
        Ok(c) => c,
        Err(e) => panic!("{} dialect: {e}", dialect.name()),
    }
}

/// The compile cache (by statement shape) gives the same SQL, parameters
/// and RETURNING emulation as a direct compile, on a miss and on a hit.
#[track_caller]
fn assert_cache_agrees(
    stmt: &dyn Executable,
    dialect: &dyn Dialect,
    direct: &Compiled,
    label: &str,
) {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    // One cache per dialect (and server flavour) shared by every statement of
    // the suite: statements of different shapes must never share SQL.
    static CACHES: OnceLock<Mutex<HashMap<String, Arc<oxalchemy::core::CompileCache>>>> =
        OnceLock::new();
    let cache = CACHES
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(format!("{dialect:?}"))
        .or_insert_with(|| Arc::new(oxalchemy::core::CompileCache::new(100_000)))
        .clone();
    for round in ["first", "second"] {
        let cached = cache
            .compile(stmt, dialect)
            .unwrap_or_else(|e| panic!("{label}: cached compile ({round}) failed: {e}"));
        assert_eq!(
            cached.sql(),
            direct.sql(),
            "\n{label}: cached SQL ({round}) differs"
        );
        assert_eq!(
            cached.params(),
            direct.params(),
            "\n{label}: cached parameters ({round}) differ"
        );
        assert_eq!(
            cached.fetch_after(),
            direct.fetch_after(),
            "\n{label}: cached RETURNING emulation ({round}) differs"
        );
    }
}

#[track_caller]
fn check_one(stmt: &dyn Executable, label: &str, dialect: &dyn Dialect, expected: Expect) {
    match (stmt.compile_for(dialect), expected) {
        (Ok(c), Expect::Sql(sql)) => {
            dump(label, &c);
            assert_eq!(c.sql(), sql, "\n{label}: compiled SQL differs");
            assert_cache_agrees(stmt, dialect, &c, label);
        }
        (Err(e), Expect::Unsupported(feature)) => {
            assert!(
                matches!(e, Error::Unsupported { .. }),
                "{label}: expected Unsupported, got {e}"
            );
            assert!(
                e.to_string().contains(feature),
                "{label}: the error should name {feature:?}: {e}"
            );
        }
        (Ok(c), Expect::Unsupported(feature)) => panic!(
            "{label}: expected Unsupported({feature}), compiled to {:?}",
            c.sql()
        ),
        (Err(e), Expect::Sql(sql)) => panic!("{label}: expected {sql:?}, got error {e}"),
    }
}

#[track_caller]
fn check(
    stmt: &dyn Executable,
    sqlite_sql: impl Into<Expect>,
    postgres_sql: impl Into<Expect>,
    mariadb_sql: impl Into<Expect>,
    mysql8_sql: impl Into<Expect>,
) {
    check_one(stmt, "sqlite", &sqlite(), sqlite_sql.into());
    check_one(stmt, "postgresql", &postgres(), postgres_sql.into());
    check_one(stmt, "mariadb", &mariadb(), mariadb_sql.into());
    check_one(stmt, "mysql8", &mysql8(), mysql8_sql.into());
}

/// `assert_sql!(stmt, sqlite: "..", postgres: "..", mysql: "..")` (`mysql` is
/// both MariaDB 10.11 and MySQL 8), or with `mariadb: "..", mysql8: ".."`
/// where the two differ. An expectation is SQL text or `unsupported("feature")`.
macro_rules! assert_sql {
    ($stmt:expr, sqlite: $s:expr, postgres: $p:expr, mysql: $m:expr $(,)?) => {{
        let (s, p, m) = (Expect::from($s), Expect::from($p), Expect::from($m));
        check(&$stmt, s, p, m.clone(), m)
    }};
    ($stmt:expr, sqlite: $s:expr, postgres: $p:expr, mariadb: $ma:expr, mysql8: $my:expr $(,)?) => {
        check(&$stmt, $s, $p, $ma, $my)
    };
}

/// The parameters, the same on every dialect (only the placeholders differ).
#[track_caller]
fn assert_params(stmt: &dyn Executable, expected: &[Value]) {
    for d in [
        &sqlite() as &dyn Dialect,
        &postgres(),
        &mariadb(),
        &mysql8(),
    ] {
        assert_eq!(
            compile(stmt, d).params(),
            expected,
            "{} dialect: parameters differ",
            d.name()
        );
    }
}

fn v(x: impl Into<Value>) -> Value {
    x.into()
}

/// `CREATE TABLE name (\n\t<line>,\n\t<line>\n)`, as the compiler lays it out.
fn ddl(name: &str, lines: &[&str]) -> String {
    format!("CREATE TABLE {name} (\n\t{}\n)", lines.join(",\n\t"))
}

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

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
        t.column("email_address", Text).not_null().unique();
    });
    Schema {
        md,
        users,
        addresses,
    }
}

/// A self-referencing table (recursive CTEs, aliases).
fn employees(md: &MetaData) -> Table {
    md.table("employees", |t| {
        t.column("id", Integer).primary_key();
        t.column("manager_id", Integer).foreign_key("employees.id");
        t.column("name", Text);
    })
}

// ---------------------------------------------------------------------------
// SELECT lists
// ---------------------------------------------------------------------------

#[test]
fn select_one_column_and_tuples() {
    let s = schema();
    let u = &s.users;
    assert_sql!(select(u.c("name")),
        sqlite: "SELECT users.name FROM users",
        postgres: "SELECT users.name FROM users",
        mysql: "SELECT users.name FROM users",
    );
    assert_sql!(select((u.c("id"), u.c("name"), u.c("email"))),
        sqlite: "SELECT users.id, users.name, users.email FROM users",
        postgres: "SELECT users.id, users.name, users.email FROM users",
        mysql: "SELECT users.id, users.name, users.email FROM users",
    );
    assert_sql!(select(u.c("id")).add_columns((u.c("name"),)),
        sqlite: "SELECT users.id, users.name FROM users",
        postgres: "SELECT users.id, users.name FROM users",
        mysql: "SELECT users.id, users.name FROM users",
    );
    assert_params(&select((u.c("id"), u.c("name"))), &[]);
}

// ---------------------------------------------------------------------------
// Boolean logic
// ---------------------------------------------------------------------------

#[test]
fn and_or_not_methods() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("id")).filter(
        u.c("id")
            .eq(1)
            .and(u.c("name").ne("x"))
            .or(u.c("email").is_null().not()),
    );
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.id = ? AND users.name <> ? OR users.email IS NOT NULL",
        postgres: "SELECT users.id FROM users WHERE users.id = $1 AND users.name <> $2 OR users.email IS NOT NULL",
        mysql: "SELECT users.id FROM users WHERE users.id = ? AND users.name <> ? OR users.email IS NOT NULL",
    );
    assert_params(&stmt, &[v(1), v("x")]);

    // OR under AND is parenthesized; NOT wraps its operand.
    let stmt = select(u.c("id")).filter(
        u.c("id")
            .eq(1)
            .or(u.c("id").eq(2))
            .and(u.c("name").eq("a").and(u.c("email").eq("b")).not()),
    );
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE (users.id = ? OR users.id = ?) AND NOT (users.name = ? AND users.email = ?)",
        postgres: "SELECT users.id FROM users WHERE (users.id = $1 OR users.id = $2) AND NOT (users.name = $3 AND users.email = $4)",
        mysql: "SELECT users.id FROM users WHERE (users.id = ? OR users.id = ?) AND NOT (users.name = ? AND users.email = ?)",
    );
    assert_params(&stmt, &[v(1), v(2), v("a"), v("b")]);
}

#[test]
fn and_or_not_operators() {
    let s = schema();
    let u = &s.users;
    let stmt =
        select(u.c("id")).filter((u.c("id").eq(1) | u.c("id").gt(2)) & !u.c("name").like("a%"));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE (users.id = ? OR users.id > ?) AND NOT (users.name LIKE ?)",
        postgres: "SELECT users.id FROM users WHERE (users.id = $1 OR users.id > $2) AND NOT (users.name LIKE $3)",
        mysql: "SELECT users.id FROM users WHERE (users.id = ? OR users.id > ?) AND NOT (users.name LIKE ?)",
    );
    assert_params(&stmt, &[v(1), v(2), v("a%")]);

    // not_(..), a double negation, a negated IS NULL, and filter() called twice (ANDed).
    let stmt = select(u.c("id"))
        .filter(not_(u.c("id").in_([1])) & !!u.c("id").lt(9))
        .where_(!u.c("name").is_null());
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE NOT (users.id IN (?)) AND users.id < ? AND users.name IS NOT NULL",
        postgres: "SELECT users.id FROM users WHERE NOT (users.id IN ($1)) AND users.id < $2 AND users.name IS NOT NULL",
        mysql: "SELECT users.id FROM users WHERE NOT (users.id IN (?)) AND users.id < ? AND users.name IS NOT NULL",
    );
    assert_params(&stmt, &[v(1), v(9)]);
}

// ---------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------

#[test]
fn comparisons_against_values() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("id")).filter(
        u.c("id").eq(1)
            & u.c("id").ne(2)
            & u.c("id").lt(3)
            & u.c("id").le(4)
            & u.c("id").gt(5)
            & u.c("id").ge(6)
            & u.c("name").eq("sandy"),
    );
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.id = ? AND users.id <> ? AND users.id < ? AND users.id <= ? \
                 AND users.id > ? AND users.id >= ? AND users.name = ?",
        postgres: "SELECT users.id FROM users WHERE users.id = $1 AND users.id <> $2 AND users.id < $3 AND users.id <= $4 \
                   AND users.id > $5 AND users.id >= $6 AND users.name = $7",
        mysql: "SELECT users.id FROM users WHERE users.id = ? AND users.id <> ? AND users.id < ? AND users.id <= ? \
                AND users.id > ? AND users.id >= ? AND users.name = ?",
    );
    assert_params(&stmt, &[v(1), v(2), v(3), v(4), v(5), v(6), v("sandy")]);
}

#[test]
fn comparisons_against_columns() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    // Columns of two tables: both land in FROM (no join was asked for).
    let stmt = select((u.c("name"), a.c("email_address"))).filter(
        a.c("user_id").eq(u.c("id"))
            & a.c("id").ne(u.c("id"))
            & a.c("id").lt(u.c("id"))
            & a.c("id").le(u.c("id"))
            & a.c("id").gt(u.c("id"))
            & a.c("id").ge(u.c("id")),
    );
    let sql = "SELECT users.name, addresses.email_address FROM users, addresses \
               WHERE addresses.user_id = users.id AND addresses.id <> users.id AND addresses.id < users.id \
               AND addresses.id <= users.id AND addresses.id > users.id AND addresses.id >= users.id";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    assert_params(&stmt, &[]);
}

#[test]
fn is_null_and_is_not_null() {
    let s = schema();
    let u = &s.users;
    // eq(NULL) / ne(NULL) become IS NULL / IS NOT NULL, as in SQLAlchemy.
    let stmt = select(u.c("id")).filter(
        u.c("email").is_null()
            & u.c("name").is_not_null()
            & u.c("email").eq(Value::Null)
            & u.c("email").ne(Value::Null),
    );
    let sql = "SELECT users.id FROM users WHERE users.email IS NULL AND users.name IS NOT NULL \
               AND users.email IS NULL AND users.email IS NOT NULL";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    assert_params(&stmt, &[]);

    // Operands that bind looser than IS are parenthesized.
    let stmt = select(u.c("id")).filter((u.c("id") + 1).is_null() & u.c("id").eq(1).is_null());
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.id + ? IS NULL AND (users.id = ?) IS NULL",
        postgres: "SELECT users.id FROM users WHERE users.id + $1 IS NULL AND (users.id = $2) IS NULL",
        mysql: "SELECT users.id FROM users WHERE users.id + ? IS NULL AND (users.id = ?) IS NULL",
    );
}

// ---------------------------------------------------------------------------
// IN, BETWEEN
// ---------------------------------------------------------------------------

#[test]
fn in_and_not_in_lists() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("id")).filter(u.c("id").in_([1, 2, 3]) & u.c("name").not_in(["a", "b"]));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.id IN (?, ?, ?) AND users.name NOT IN (?, ?)",
        postgres: "SELECT users.id FROM users WHERE users.id IN ($1, $2, $3) AND users.name NOT IN ($4, $5)",
        mysql: "SELECT users.id FROM users WHERE users.id IN (?, ?, ?) AND users.name NOT IN (?, ?)",
    );
    assert_params(&stmt, &[v(1), v(2), v(3), v("a"), v("b")]);

    // A list of columns and expressions.
    let stmt = select(u.c("id")).filter(u.c("id").in_([u.c("id") + 1, u.c("id").mul(2)]));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.id IN (users.id + ?, users.id * ?)",
        postgres: "SELECT users.id FROM users WHERE users.id IN (users.id + $1, users.id * $2)",
        mysql: "SELECT users.id FROM users WHERE users.id IN (users.id + ?, users.id * ?)",
    );
}

#[test]
fn in_and_not_in_empty_list() {
    let s = schema();
    let u = &s.users;
    // SQLAlchemy's empty IN: always false; empty NOT IN: always true.
    let stmt = select(u.c("id"))
        .filter(u.c("id").in_(Vec::<i64>::new()) | u.c("id").not_in(Vec::<i64>::new()));
    let sql = "SELECT users.id FROM users WHERE (1 != 1) OR (1 = 1)";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    assert_params(&stmt, &[]);
}

#[test]
fn in_and_not_in_subquery() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = select(u.c("name")).filter(
        u.c("id")
            .in_(select(a.c("user_id")).filter(a.c("email_address").like("%@sea.org"))),
    );
    assert_sql!(stmt,
        sqlite: "SELECT users.name FROM users WHERE users.id IN \
                 (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE ?)",
        postgres: "SELECT users.name FROM users WHERE users.id IN \
                   (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE $1)",
        mysql: "SELECT users.name FROM users WHERE users.id IN \
                (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE ?)",
    );
    assert_params(&stmt, &[v("%@sea.org")]);

    let stmt = select(u.c("name")).filter(u.c("id").not_in(select(a.c("user_id"))));
    let sql = "SELECT users.name FROM users WHERE users.id NOT IN (SELECT addresses.user_id FROM addresses)";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);

    // A set operation as the subquery (SQLite: no parentheses around members).
    let stmt = select(u.c("name")).filter(
        u.c("id")
            .in_(union(select(a.c("user_id")), select(a.c("id")))),
    );
    assert_sql!(stmt,
        sqlite: "SELECT users.name FROM users WHERE users.id IN \
                 (SELECT addresses.user_id FROM addresses UNION SELECT addresses.id FROM addresses)",
        postgres: "SELECT users.name FROM users WHERE users.id IN \
                   ((SELECT addresses.user_id FROM addresses) UNION (SELECT addresses.id FROM addresses))",
        mysql: "SELECT users.name FROM users WHERE users.id IN \
                ((SELECT addresses.user_id FROM addresses) UNION (SELECT addresses.id FROM addresses))",
    );
}

#[test]
fn between() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("id")).filter(u.c("id").between(1, 5));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.id BETWEEN ? AND ?",
        postgres: "SELECT users.id FROM users WHERE users.id BETWEEN $1 AND $2",
        mysql: "SELECT users.id FROM users WHERE users.id BETWEEN ? AND ?",
    );
    assert_params(&stmt, &[v(1), v(5)]);

    let stmt = select(u.c("id"))
        .filter(u.c("id").between(u.c("id") - 1, u.c("id") + 1) & !u.c("id").between(7, 8));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.id BETWEEN users.id - ? AND users.id + ? \
                 AND NOT (users.id BETWEEN ? AND ?)",
        postgres: "SELECT users.id FROM users WHERE users.id BETWEEN users.id - $1 AND users.id + $2 \
                   AND NOT (users.id BETWEEN $3 AND $4)",
        mysql: "SELECT users.id FROM users WHERE users.id BETWEEN users.id - ? AND users.id + ? \
                AND NOT (users.id BETWEEN ? AND ?)",
    );
    assert_params(&stmt, &[v(1), v(1), v(7), v(8)]);
}

// ---------------------------------------------------------------------------
// LIKE
// ---------------------------------------------------------------------------

#[test]
fn like_and_ilike() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("id")).filter(
        u.c("name").like("a%")
            & u.c("name").not_like("b%")
            & u.c("name").ilike("C%")
            & u.c("name").not_ilike("D%"),
    );
    // ILIKE is native on PostgreSQL, lower() on both sides elsewhere.
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.name LIKE ? AND users.name NOT LIKE ? \
                 AND lower(users.name) LIKE lower(?) AND lower(users.name) NOT LIKE lower(?)",
        postgres: "SELECT users.id FROM users WHERE users.name LIKE $1 AND users.name NOT LIKE $2 \
                   AND users.name ILIKE $3 AND users.name NOT ILIKE $4",
        mysql: "SELECT users.id FROM users WHERE users.name LIKE ? AND users.name NOT LIKE ? \
                AND lower(users.name) LIKE lower(?) AND lower(users.name) NOT LIKE lower(?)",
    );
    assert_params(&stmt, &[v("a%"), v("b%"), v("C%"), v("D%")]);

    // A column as the pattern.
    let stmt = select(u.c("id")).filter(u.c("email").ilike(u.c("name")));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE lower(users.email) LIKE lower(users.name)",
        postgres: "SELECT users.id FROM users WHERE users.email ILIKE users.name",
        mysql: "SELECT users.id FROM users WHERE lower(users.email) LIKE lower(users.name)",
    );
}

#[test]
fn contains_startswith_endswith_escape_literals() {
    let s = schema();
    let u = &s.users;
    // `%`, `_` and the escape character `/` in a literal match themselves.
    let stmt = select(u.c("id")).filter(
        u.c("name").contains("5%_/x") & u.c("name").startswith("a_") & u.c("name").endswith("%b"),
    );
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.name LIKE ? ESCAPE '/' \
                 AND users.name LIKE ? ESCAPE '/' AND users.name LIKE ? ESCAPE '/'",
        postgres: "SELECT users.id FROM users WHERE users.name LIKE $1 ESCAPE '/' \
                   AND users.name LIKE $2 ESCAPE '/' AND users.name LIKE $3 ESCAPE '/'",
        mysql: "SELECT users.id FROM users WHERE users.name LIKE ? ESCAPE '/' \
                AND users.name LIKE ? ESCAPE '/' AND users.name LIKE ? ESCAPE '/'",
    );
    assert_params(&stmt, &[v("%5/%/_//x%"), v("a/_%"), v("%/%b")]);
}

#[test]
fn contains_startswith_endswith_with_expressions() {
    let s = schema();
    let u = &s.users;
    // An expression is concatenated with the wildcards (CONCAT() on MySQL).
    let stmt = select(u.c("id")).filter(
        u.c("name").contains(u.c("email"))
            & u.c("name").startswith(u.c("email"))
            & u.c("name").endswith(u.c("email")),
    );
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.name LIKE ? || users.email || ? \
                 AND users.name LIKE users.email || ? AND users.name LIKE ? || users.email",
        postgres: "SELECT users.id FROM users WHERE users.name LIKE $1 || users.email || $2 \
                   AND users.name LIKE users.email || $3 AND users.name LIKE $4 || users.email",
        mysql: "SELECT users.id FROM users WHERE users.name LIKE CONCAT(CONCAT(?, users.email), ?) \
                AND users.name LIKE CONCAT(users.email, ?) AND users.name LIKE CONCAT(?, users.email)",
    );
    assert_params(&stmt, &[v("%"), v("%"), v("%"), v("%")]);
}

// ---------------------------------------------------------------------------
// Arithmetic, labels
// ---------------------------------------------------------------------------

#[test]
fn arithmetic_methods_and_operators() {
    let s = schema();
    let u = &s.users;
    let by_method = select((
        u.c("id").add(1).label("a"),
        u.c("id").sub(2).label("b"),
        u.c("id").mul(3).label("c"),
        u.c("id").div(4).label("d"),
    ));
    let by_operator = select((
        (u.c("id") + 1).label("a"),
        (u.c("id") - 2).label("b"),
        (u.c("id") * 3).label("c"),
        (u.c("id") / 4).label("d"),
    ));
    // `/` is true division (SQLAlchemy 2): the divisor is cast where integer
    // division truncates (PostgreSQL, SQLite), as SQLAlchemy writes it.
    for stmt in [&by_method, &by_operator] {
        assert_sql!(stmt,
            sqlite: "SELECT users.id + ? AS a, users.id - ? AS b, users.id * ? AS c, users.id / (? + 0.0) AS d FROM users",
            postgres: "SELECT users.id + $1 AS a, users.id - $2 AS b, users.id * $3 AS c, users.id / CAST($4 AS NUMERIC) AS d FROM users",
            mysql: "SELECT users.id + ? AS a, users.id - ? AS b, users.id * ? AS c, users.id / ? AS d FROM users",
        );
        assert_params(stmt, &[v(1), v(2), v(3), v(4)]);
    }
    // Column with column, and unary minus.
    let stmt = select((
        (u.c("id") + u.c("id")).label("twice"),
        (-u.c("id")).label("neg"),
    ));
    let sql = "SELECT users.id + users.id AS twice, -users.id AS neg FROM users";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn arithmetic_precedence() {
    let s = schema();
    let u = &s.users;
    let id = || u.c("id");
    let stmt = select((
        ((id() + 1) * 2).label("p1"),
        (id() + id() * 2).label("p2"),
        (id() - (id() - 1)).label("p3"),
        (id() - id() - 1).label("p4"),
        (id() / (id() / 3)).label("p5"),
        (id() / 2 / 3).label("p6"),
        (id() + (id() + 1)).label("p7"),
    ))
    .filter((id() - 1).div(id() * 3).gt(id() + 1));
    assert_sql!(stmt,
        sqlite: "SELECT (users.id + ?) * ? AS p1, users.id + users.id * ? AS p2, users.id - (users.id - ?) AS p3, \
                 users.id - users.id - ? AS p4, users.id / (users.id / (? + 0.0) + 0.0) AS p5, users.id / (? + 0.0) / (? + 0.0) AS p6, \
                 users.id + users.id + ? AS p7 FROM users WHERE (users.id - ?) / (users.id * ? + 0.0) > users.id + ?",
        postgres: "SELECT (users.id + $1) * $2 AS p1, users.id + users.id * $3 AS p2, users.id - (users.id - $4) AS p3, \
                   users.id - users.id - $5 AS p4, users.id / CAST(users.id / CAST($6 AS NUMERIC) AS NUMERIC) AS p5, \
                   users.id / CAST($7 AS NUMERIC) / CAST($8 AS NUMERIC) AS p6, \
                   users.id + users.id + $9 AS p7 FROM users WHERE (users.id - $10) / CAST(users.id * $11 AS NUMERIC) > users.id + $12",
        mysql: "SELECT (users.id + ?) * ? AS p1, users.id + users.id * ? AS p2, users.id - (users.id - ?) AS p3, \
                users.id - users.id - ? AS p4, users.id / (users.id / ?) AS p5, users.id / ? / ? AS p6, \
                users.id + users.id + ? AS p7 FROM users WHERE (users.id - ?) / (users.id * ?) > users.id + ?",
    );
    assert_params(
        &stmt,
        &[
            v(1),
            v(2),
            v(2),
            v(1),
            v(1),
            v(3),
            v(2),
            v(3),
            v(1),
            v(1),
            v(3),
            v(1),
        ],
    );
}

#[test]
fn labels() {
    let s = schema();
    let u = &s.users;
    // A label that is a reserved word is quoted; anonymous expressions get stable labels.
    let stmt = select((
        u.c("name").label("n"),
        func::lower(u.c("email")).label("order"),
        u.c("id") + 1,
    ));
    assert_sql!(stmt,
        sqlite: "SELECT users.name AS n, lower(users.email) AS \"order\", users.id + ? AS anon_1 FROM users",
        postgres: "SELECT users.name AS n, lower(users.email) AS \"order\", users.id + $1 AS anon_1 FROM users",
        mysql: "SELECT users.name AS n, lower(users.email) AS `order`, users.id + ? AS anon_1 FROM users",
    );
    // In WHERE a label is its expression; in ORDER BY its name, as in SQLAlchemy
    // (the expression again would bind its parameter again, and PostgreSQL then
    // rejects SELECT DISTINCT .. ORDER BY as not matching the select list).
    let total = (u.c("id") * 2).label("total");
    let stmt = select(total.clone())
        .distinct()
        .filter(total.clone().gt(4))
        .order_by((total.clone(), total.clone().desc().nulls_last()));
    assert_sql!(stmt,
        sqlite: "SELECT DISTINCT users.id * ? AS total FROM users WHERE users.id * ? > ? ORDER BY total, total DESC NULLS LAST",
        postgres: "SELECT DISTINCT users.id * $1 AS total FROM users WHERE users.id * $2 > $3 ORDER BY total, total DESC NULLS LAST",
        mysql: "SELECT DISTINCT users.id * ? AS total FROM users WHERE users.id * ? > ? ORDER BY total, total IS NULL ASC, total DESC",
    );
    assert_params(&stmt, &[v(2), v(2), v(4)]);
    // A label that is not in the select list is written as its expression.
    let stmt = select(u.c("id")).order_by(func::lower(u.c("name")).label("lo").desc());
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users ORDER BY lower(users.name) DESC",
        postgres: "SELECT users.id FROM users ORDER BY lower(users.name) DESC",
        mysql: "SELECT users.id FROM users ORDER BY lower(users.name) DESC",
    );
    // The ORDER BY of a set operation names the first member's labels.
    let lo = || func::lower(u.c("name")).label("lo");
    let stmt = union(select(lo()), select(u.c("email"))).order_by(lo());
    assert_sql!(stmt,
        sqlite: "SELECT lower(users.name) AS lo FROM users UNION SELECT users.email FROM users ORDER BY lo",
        postgres: "(SELECT lower(users.name) AS lo FROM users) UNION (SELECT users.email FROM users) ORDER BY lo",
        mysql: "(SELECT lower(users.name) AS lo FROM users) UNION (SELECT users.email FROM users) ORDER BY lo",
    );
}

// ---------------------------------------------------------------------------
// Ordering
// ---------------------------------------------------------------------------

#[test]
fn asc_desc_nulls_first_nulls_last() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("id")).order_by((
        u.c("name").asc(),
        u.c("id").desc(),
        u.c("email").desc().nulls_first(),
        u.c("email").asc().nulls_last(),
        u.c("name"),
    ));
    // MySQL has no NULLS FIRST/LAST: `x IS NULL` (1 for NULL) sorts first.
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users ORDER BY users.name ASC, users.id DESC, \
                 users.email DESC NULLS FIRST, users.email ASC NULLS LAST, users.name",
        postgres: "SELECT users.id FROM users ORDER BY users.name ASC, users.id DESC, \
                   users.email DESC NULLS FIRST, users.email ASC NULLS LAST, users.name",
        mysql: "SELECT users.id FROM users ORDER BY users.name ASC, users.id DESC, \
                users.email IS NULL DESC, users.email DESC, users.email IS NULL ASC, users.email ASC, users.name",
    );
    // nulls_* on an expression (no direction given: ASC); MySQL binds its parameter twice.
    let stmt = select(u.c("id")).order_by(func::coalesce((u.c("email"), "z")).nulls_first());
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users ORDER BY coalesce(users.email, ?) ASC NULLS FIRST",
        postgres: "SELECT users.id FROM users ORDER BY coalesce(users.email, $1) ASC NULLS FIRST",
        mysql: "SELECT users.id FROM users ORDER BY coalesce(users.email, ?) IS NULL DESC, coalesce(users.email, ?) ASC",
    );
    assert_eq!(compile(&stmt, &postgres()).params(), [v("z")]);
    assert_eq!(compile(&stmt, &mariadb()).params(), [v("z"), v("z")]);
    assert_eq!(compile(&stmt, &mysql8()).params(), [v("z"), v("z")]);
}

// ---------------------------------------------------------------------------
// CAST, CASE
// ---------------------------------------------------------------------------

#[test]
fn cast_to_several_types() {
    let s = schema();
    let u = &s.users;
    let id = || u.c("id");
    let stmt = select((
        id().cast(Integer).label("a"),
        id().cast(BigInteger).label("b"),
        id().cast(Varchar(10)).label("c"),
        id().cast(Text).label("d"),
        id().cast(Numeric(10, 2)).label("e"),
        id().cast(Float).label("f"),
        id().cast(Double).label("g"),
        id().cast(Boolean).label("h"),
    ));
    // SQLite casts by affinity (and rounds NUMERIC(p, s) to s digits, which its
    // CAST does not); MySQL's CAST accepts only a few type names.
    assert_sql!(stmt,
        sqlite: "SELECT CAST(users.id AS INTEGER) AS a, CAST(users.id AS INTEGER) AS b, CAST(users.id AS TEXT) AS c, \
                 CAST(users.id AS TEXT) AS d, ROUND(CAST(users.id AS NUMERIC(10, 2)), 2) AS e, CAST(users.id AS REAL) AS f, \
                 CAST(users.id AS REAL) AS g, CAST(users.id AS INTEGER) AS h FROM users",
        postgres: "SELECT CAST(users.id AS INTEGER) AS a, CAST(users.id AS BIGINT) AS b, CAST(users.id AS VARCHAR(10)) AS c, \
                   CAST(users.id AS TEXT) AS d, CAST(users.id AS NUMERIC(10, 2)) AS e, CAST(users.id AS REAL) AS f, \
                   CAST(users.id AS DOUBLE PRECISION) AS g, CAST(users.id AS BOOLEAN) AS h FROM users",
        mysql: "SELECT CAST(users.id AS SIGNED) AS a, CAST(users.id AS SIGNED) AS b, CAST(users.id AS CHAR(10)) AS c, \
                CAST(users.id AS CHAR) AS d, CAST(users.id AS DECIMAL(10, 2)) AS e, CAST(users.id AS FLOAT) AS f, \
                CAST(users.id AS DOUBLE) AS g, CAST(users.id AS SIGNED) AS h FROM users",
    );

    let e = || u.c("email");
    let stmt = select((
        e().cast(Date).label("a"),
        e().cast(Time).label("b"),
        e().cast(DateTime).label("c"),
        e().cast(Timestamp).label("d"),
        e().cast(Uuid).label("e"),
        e().cast(Json).label("f"),
        e().cast(LargeBinary).label("g"),
    ));
    // MariaDB's JSON is text: CAST(.. AS JSON) exists on MySQL only.
    assert_sql!(stmt,
        sqlite: "SELECT CAST(users.email AS TEXT) AS a, CAST(users.email AS TEXT) AS b, CAST(users.email AS TEXT) AS c, \
                 CAST(users.email AS TEXT) AS d, CAST(users.email AS TEXT) AS e, CAST(users.email AS TEXT) AS f, \
                 CAST(users.email AS BLOB) AS g FROM users",
        postgres: "SELECT CAST(users.email AS DATE) AS a, CAST(users.email AS TIME) AS b, CAST(users.email AS TIMESTAMP) AS c, \
                   CAST(users.email AS TIMESTAMP WITH TIME ZONE) AS d, CAST(users.email AS UUID) AS e, \
                   CAST(users.email AS JSONB) AS f, CAST(users.email AS BYTEA) AS g FROM users",
        mariadb: "SELECT CAST(users.email AS DATE) AS a, CAST(users.email AS TIME(6)) AS b, CAST(users.email AS DATETIME(6)) AS c, \
                  CAST(users.email AS DATETIME(6)) AS d, CAST(users.email AS CHAR(36)) AS e, CAST(users.email AS CHAR) AS f, \
                  CAST(users.email AS BINARY) AS g FROM users",
        mysql8: "SELECT CAST(users.email AS DATE) AS a, CAST(users.email AS TIME(6)) AS b, CAST(users.email AS DATETIME(6)) AS c, \
                 CAST(users.email AS DATETIME(6)) AS d, CAST(users.email AS CHAR(36)) AS e, CAST(users.email AS JSON) AS f, \
                 CAST(users.email AS BINARY) AS g FROM users",
    );
    // A cast compared in WHERE.
    let stmt = select(u.c("id")).filter(u.c("email").cast(Integer).gt(5));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE CAST(users.email AS INTEGER) > ?",
        postgres: "SELECT users.id FROM users WHERE CAST(users.email AS INTEGER) > $1",
        mysql: "SELECT users.id FROM users WHERE CAST(users.email AS SIGNED) > ?",
    );
    assert_params(&stmt, &[v(5)]);
}

#[test]
fn case_with_and_without_else() {
    let s = schema();
    let u = &s.users;
    let size = case([(u.c("id").lt(2), "small"), (u.c("id").lt(4), "medium")])
        .else_("large")
        .label("size");
    let stmt = select((u.c("name"), size));
    assert_sql!(stmt,
        sqlite: "SELECT users.name, CASE WHEN users.id < ? THEN ? WHEN users.id < ? THEN ? ELSE ? END AS size FROM users",
        postgres: "SELECT users.name, CASE WHEN users.id < $1 THEN $2 WHEN users.id < $3 THEN $4 ELSE $5 END AS size FROM users",
        mysql: "SELECT users.name, CASE WHEN users.id < ? THEN ? WHEN users.id < ? THEN ? ELSE ? END AS size FROM users",
    );
    assert_params(&stmt, &[v(2), v("small"), v(4), v("medium"), v("large")]);

    // No ELSE (NULL), a column as the value, a branch added with when(), used in WHERE.
    let c = case([(u.c("email").is_null(), u.c("name"))]).when(u.c("id").eq(1), "one");
    let stmt = select(c.clone()).filter(c.expr().ne("x"));
    assert_sql!(stmt,
        sqlite: "SELECT CASE WHEN users.email IS NULL THEN users.name WHEN users.id = ? THEN ? END AS anon_1 FROM users \
                 WHERE CASE WHEN users.email IS NULL THEN users.name WHEN users.id = ? THEN ? END <> ?",
        postgres: "SELECT CASE WHEN users.email IS NULL THEN users.name WHEN users.id = $1 THEN $2 END AS anon_1 FROM users \
                   WHERE CASE WHEN users.email IS NULL THEN users.name WHEN users.id = $3 THEN $4 END <> $5",
        mysql: "SELECT CASE WHEN users.email IS NULL THEN users.name WHEN users.id = ? THEN ? END AS anon_1 FROM users \
                WHERE CASE WHEN users.email IS NULL THEN users.name WHEN users.id = ? THEN ? END <> ?",
    );
}

// ---------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------

#[test]
fn aggregate_functions() {
    let s = schema();
    let u = &s.users;
    let stmt = select((
        func::count(u.c("id")),
        func::count_star(),
        func::sum(u.c("id")),
        func::avg(u.c("id")),
        func::min(u.c("name")),
        func::max(u.c("name")),
        func::count_distinct(u.c("email")).label("emails"),
    ));
    // Anonymous labels are numbered per function name, as SQLAlchemy does.
    let sql = "SELECT count(users.id) AS count_1, count(*) AS count_2, sum(users.id) AS sum_1, \
               avg(users.id) AS avg_1, min(users.name) AS min_1, max(users.name) AS max_1, \
               count(DISTINCT users.email) AS emails FROM users";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    assert_params(&stmt, &[]);
}

#[test]
fn scalar_functions() {
    let s = schema();
    let u = &s.users;
    let stmt = select((
        func::coalesce((u.c("email"), u.c("name"), "none")).label("contact"),
        func::lower(u.c("name")).label("lo"),
        func::upper(u.c("name")).label("up"),
        func::length(u.c("name")).label("len"),
        func::now().label("at"),
    ));
    // length counts characters: char_length on MySQL, where LENGTH counts bytes.
    assert_sql!(stmt,
        sqlite: "SELECT coalesce(users.email, users.name, ?) AS contact, lower(users.name) AS lo, upper(users.name) AS up, \
                 length(users.name) AS len, CURRENT_TIMESTAMP AS at FROM users",
        postgres: "SELECT coalesce(users.email, users.name, $1) AS contact, lower(users.name) AS lo, upper(users.name) AS up, \
                   length(users.name) AS len, CURRENT_TIMESTAMP AS at FROM users",
        mysql: "SELECT coalesce(users.email, users.name, ?) AS contact, lower(users.name) AS lo, upper(users.name) AS up, \
                char_length(users.name) AS len, CURRENT_TIMESTAMP AS at FROM users",
    );
    assert_params(&stmt, &[v("none")]);
    // Functions in WHERE, nested.
    let stmt = select(u.c("id")).filter(func::length(func::lower(u.c("name"))).gt(3));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE length(lower(users.name)) > ?",
        postgres: "SELECT users.id FROM users WHERE length(lower(users.name)) > $1",
        mysql: "SELECT users.id FROM users WHERE char_length(lower(users.name)) > ?",
    );
}

#[test]
fn func_call_any_name() {
    let s = schema();
    let u = &s.users;
    let stmt = select(func::call("substr", (u.c("name"), 1, 3)).label("pre"))
        .filter(func::call("abs", (u.c("id"),)).ge(1));
    assert_sql!(stmt,
        sqlite: "SELECT substr(users.name, ?, ?) AS pre FROM users WHERE abs(users.id) >= ?",
        postgres: "SELECT substr(users.name, $1, $2) AS pre FROM users WHERE abs(users.id) >= $3",
        mysql: "SELECT substr(users.name, ?, ?) AS pre FROM users WHERE abs(users.id) >= ?",
    );
    assert_params(&stmt, &[v(1), v(3), v(1)]);
    // No arguments; an invalid name is an ArgumentError, never spliced into SQL.
    let stmt = select(func::call("pi", ()).label("r"));
    let sql = "SELECT pi() AS r";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    let bad = select(func::call("x); DROP TABLE users; --", ()));
    for d in [
        &sqlite() as &dyn Dialect,
        &postgres(),
        &mariadb(),
        &mysql8(),
    ] {
        let err = bad.compile_for(d).unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
    }
}

#[test]
fn window_functions() {
    let s = schema();
    let u = &s.users;
    let stmt = select((
        u.c("name"),
        func::row_number()
            .over(
                Window::new()
                    .partition_by(u.c("email"))
                    .order_by(u.c("id").desc()),
            )
            .label("rn"),
        func::sum(u.c("id"))
            .over(
                Window::new()
                    .order_by(u.c("id"))
                    .rows_between(None, Some(0)),
            )
            .label("running"),
        func::count_star().over(Window::new()).label("total"),
        func::sum(u.c("id"))
            .over(
                Window::new()
                    .partition_by((u.c("email"), u.c("name")))
                    .rows_between(Some(-2), Some(3)),
            )
            .label("nearby"),
        func::max(u.c("id")).over(
            Window::new()
                .order_by(u.c("id"))
                .range_between(Some(0), None),
        ),
    ));
    // An unlabeled window function is anonymous (`anon_1`), as in SQLAlchemy.
    let sql = "SELECT users.name, row_number() OVER (PARTITION BY users.email ORDER BY users.id DESC) AS rn, \
               sum(users.id) OVER (ORDER BY users.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running, \
               count(*) OVER () AS total, \
               sum(users.id) OVER (PARTITION BY users.email, users.name ROWS BETWEEN 2 PRECEDING AND 3 FOLLOWING) AS nearby, \
               max(users.id) OVER (ORDER BY users.id RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS anon_1 \
               FROM users";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    assert_params(&stmt, &[]);
}

// ---------------------------------------------------------------------------
// Subqueries and correlation
// ---------------------------------------------------------------------------

#[test]
fn scalar_subquery_correlates_automatically() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let n = select(func::count(a.c("id")))
        .filter(a.c("user_id").eq(u.c("id")))
        .scalar_subquery()
        .label("n");
    let stmt = select((u.c("name"), n));
    let sql = "SELECT users.name, (SELECT count(addresses.id) AS count_1 FROM addresses \
               WHERE addresses.user_id = users.id) AS n FROM users";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);

    // In WHERE, compared with a column; an uncorrelated one keeps its own FROM.
    let latest = select(func::max(a.c("user_id"))).scalar_subquery();
    let stmt = select(u.c("name")).filter(u.c("id").eq(latest));
    let sql = "SELECT users.name FROM users WHERE users.id = (SELECT max(addresses.user_id) AS max_1 FROM addresses)";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn exists_correlates_automatically() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let has = || exists(select(a.c("id")).filter(a.c("user_id").eq(u.c("id"))));
    let stmt = select(u.c("name")).filter(has());
    let sql = "SELECT users.name FROM users WHERE EXISTS \
               (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);

    let stmt = select(u.c("name")).filter(!has() & u.c("id").gt(1));
    assert_sql!(stmt,
        sqlite: "SELECT users.name FROM users WHERE NOT EXISTS \
                 (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id) AND users.id > ?",
        postgres: "SELECT users.name FROM users WHERE NOT EXISTS \
                   (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id) AND users.id > $1",
        mysql: "SELECT users.name FROM users WHERE NOT EXISTS \
                (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id) AND users.id > ?",
    );

    // Select::exists(); with nothing to correlate to, the subquery keeps every FROM.
    let stmt = select(
        select(a.c("id"))
            .filter(a.c("user_id").eq(u.c("id")))
            .exists()
            .label("any_link"),
    );
    let sql = "SELECT EXISTS (SELECT addresses.id FROM addresses, users \
               WHERE addresses.user_id = users.id) AS any_link";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn from_is_inferred_from_columns_and_where() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    // From the WHERE clause too, once per table.
    let stmt = select(u.c("name")).filter(a.c("user_id").eq(u.c("id")) & a.c("id").gt(u.c("id")));
    let sql = "SELECT users.name FROM users, addresses WHERE addresses.user_id = users.id AND addresses.id > users.id";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    // An explicit select_from comes first.
    let stmt = select(func::count_star()).select_from(a);
    let sql = "SELECT count(*) AS count_1 FROM addresses";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    // No table at all: no FROM.
    let stmt = select(func::now().label("t"));
    let sql = "SELECT CURRENT_TIMESTAMP AS t";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

// ---------------------------------------------------------------------------
// Joins
// ---------------------------------------------------------------------------

#[test]
fn join_and_outerjoin_infer_on_from_the_foreign_key() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = select((u.c("name"), a.c("email_address"))).join(a);
    let sql = "SELECT users.name, addresses.email_address FROM users JOIN addresses ON addresses.user_id = users.id";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);

    let stmt = select((u.c("name"), a.c("email_address"))).outerjoin(a);
    let sql = "SELECT users.name, addresses.email_address FROM users LEFT OUTER JOIN addresses \
               ON addresses.user_id = users.id";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);

    // The other direction: the child table first.
    let stmt = select(a.c("email_address"))
        .join(u)
        .filter(u.c("name").eq("sandy"));
    assert_sql!(stmt,
        sqlite: "SELECT addresses.email_address FROM addresses JOIN users ON addresses.user_id = users.id WHERE users.name = ?",
        postgres: "SELECT addresses.email_address FROM addresses JOIN users ON addresses.user_id = users.id WHERE users.name = $1",
        mysql: "SELECT addresses.email_address FROM addresses JOIN users ON addresses.user_id = users.id WHERE users.name = ?",
    );
}

#[test]
fn join_inference_errors_name_the_candidates() {
    let s = schema();
    let e = employees(&s.md);
    // No foreign key between the tables.
    let err = select(s.users.c("id"))
        .join(&e)
        .compile_for(&sqlite())
        .unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
    assert!(err.to_string().contains("no foreign key"), "{err}");
    // A self-referencing key links an alias both ways: ambiguous, as in SQLAlchemy.
    let m = e.alias("m");
    for d in [
        &sqlite() as &dyn Dialect,
        &postgres(),
        &mariadb(),
        &mysql8(),
    ] {
        let err = select(e.c("name")).join(&m).compile_for(d).unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(
            err.to_string()
                .contains("m(manager_id) -> employees(id); employees(manager_id) -> m(id)"),
            "{err}"
        );
    }
}

#[test]
fn join_on_outerjoin_on_full_join_on() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let cond = || u.c("id").eq(a.c("user_id")) & a.c("email_address").like("%@sea.org");
    let stmt = select((u.c("name"), a.c("email_address"))).join_on(a, cond());
    assert_sql!(stmt,
        sqlite: "SELECT users.name, addresses.email_address FROM users JOIN addresses \
                 ON users.id = addresses.user_id AND addresses.email_address LIKE ?",
        postgres: "SELECT users.name, addresses.email_address FROM users JOIN addresses \
                   ON users.id = addresses.user_id AND addresses.email_address LIKE $1",
        mysql: "SELECT users.name, addresses.email_address FROM users JOIN addresses \
                ON users.id = addresses.user_id AND addresses.email_address LIKE ?",
    );
    assert_params(&stmt, &[v("%@sea.org")]);

    let stmt = select((u.c("name"), a.c("email_address"))).outerjoin_on(a, cond());
    assert_sql!(stmt,
        sqlite: "SELECT users.name, addresses.email_address FROM users LEFT OUTER JOIN addresses \
                 ON users.id = addresses.user_id AND addresses.email_address LIKE ?",
        postgres: "SELECT users.name, addresses.email_address FROM users LEFT OUTER JOIN addresses \
                   ON users.id = addresses.user_id AND addresses.email_address LIKE $1",
        mysql: "SELECT users.name, addresses.email_address FROM users LEFT OUTER JOIN addresses \
                ON users.id = addresses.user_id AND addresses.email_address LIKE ?",
    );

    // MySQL and MariaDB have no FULL OUTER JOIN.
    let stmt =
        select((u.c("name"), a.c("email_address"))).full_join_on(a, u.c("id").eq(a.c("user_id")));
    assert_sql!(stmt,
        sqlite: "SELECT users.name, addresses.email_address FROM users FULL OUTER JOIN addresses ON users.id = addresses.user_id",
        postgres: "SELECT users.name, addresses.email_address FROM users FULL OUTER JOIN addresses ON users.id = addresses.user_id",
        mysql: unsupported("FULL OUTER JOIN"),
    );
}

#[test]
fn self_join_through_an_alias() {
    let s = schema();
    let e = employees(&s.md);
    let boss = e.alias("boss");
    let stmt = select((e.c("name"), boss.c("name").label("boss_name")))
        .outerjoin_on(&boss, e.c("manager_id").eq(boss.c("id")))
        .filter(boss.c("name").ne("ceo"));
    assert_sql!(stmt,
        sqlite: "SELECT employees.name, boss.name AS boss_name FROM employees LEFT OUTER JOIN employees AS boss \
                 ON employees.manager_id = boss.id WHERE boss.name <> ?",
        postgres: "SELECT employees.name, boss.name AS boss_name FROM employees LEFT OUTER JOIN employees AS boss \
                   ON employees.manager_id = boss.id WHERE boss.name <> $1",
        mysql: "SELECT employees.name, boss.name AS boss_name FROM employees LEFT OUTER JOIN employees AS boss \
                ON employees.manager_id = boss.id WHERE boss.name <> ?",
    );
}

// ---------------------------------------------------------------------------
// Derived tables, CTEs
// ---------------------------------------------------------------------------

#[test]
fn derived_table_subquery_columns() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let counts = select((a.c("user_id"), func::count(a.c("id")).label("n")))
        .group_by(a.c("user_id"))
        .subquery("counts");
    let stmt = select((u.c("name"), counts.c("n")))
        .outerjoin_on(&counts, u.c("id").eq(counts.c("user_id")))
        .filter(counts.c("n").gt(1));
    assert_sql!(stmt,
        sqlite: "SELECT users.name, counts.n FROM users LEFT OUTER JOIN \
                 (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses GROUP BY addresses.user_id) AS counts \
                 ON users.id = counts.user_id WHERE counts.n > ?",
        postgres: "SELECT users.name, counts.n FROM users LEFT OUTER JOIN \
                   (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses GROUP BY addresses.user_id) AS counts \
                   ON users.id = counts.user_id WHERE counts.n > $1",
        mysql: "SELECT users.name, counts.n FROM users LEFT OUTER JOIN \
                (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses GROUP BY addresses.user_id) AS counts \
                ON users.id = counts.user_id WHERE counts.n > ?",
    );
    // Selecting from the derived table alone (inferred FROM); it never correlates.
    let stmt = select(func::max(counts.c("n"))).filter(counts.c("user_id").ne(u.c("id")));
    let sql = "SELECT max(counts.n) AS max_1 FROM (SELECT addresses.user_id, count(addresses.id) AS n \
               FROM addresses GROUP BY addresses.user_id) AS counts, users WHERE counts.user_id <> users.id";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn common_table_expression() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let counts = select((a.c("user_id"), func::count(a.c("id")).label("n")))
        .filter(a.c("email_address").like("%.org"))
        .group_by(a.c("user_id"))
        .cte("counts");
    let stmt = select((u.c("name"), counts.c("n")))
        .join_on(&counts, u.c("id").eq(counts.c("user_id")))
        .filter(counts.c("n").ge(2));
    assert_sql!(stmt,
        sqlite: "WITH counts AS (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses \
                 WHERE addresses.email_address LIKE ? GROUP BY addresses.user_id) \
                 SELECT users.name, counts.n FROM users JOIN counts ON users.id = counts.user_id WHERE counts.n >= ?",
        postgres: "WITH counts AS (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses \
                   WHERE addresses.email_address LIKE $1 GROUP BY addresses.user_id) \
                   SELECT users.name, counts.n FROM users JOIN counts ON users.id = counts.user_id WHERE counts.n >= $2",
        mysql: "WITH counts AS (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses \
                WHERE addresses.email_address LIKE ? GROUP BY addresses.user_id) \
                SELECT users.name, counts.n FROM users JOIN counts ON users.id = counts.user_id WHERE counts.n >= ?",
    );
    assert_params(&stmt, &[v("%.org"), v(2)]);

    // A CTE used only inside a subquery is still declared at the top.
    let stmt = select(u.c("name")).filter(u.c("id").in_(select(counts.c("user_id"))));
    assert_sql!(stmt,
        sqlite: "WITH counts AS (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses \
                 WHERE addresses.email_address LIKE ? GROUP BY addresses.user_id) \
                 SELECT users.name FROM users WHERE users.id IN (SELECT counts.user_id FROM counts)",
        postgres: "WITH counts AS (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses \
                   WHERE addresses.email_address LIKE $1 GROUP BY addresses.user_id) \
                   SELECT users.name FROM users WHERE users.id IN (SELECT counts.user_id FROM counts)",
        mysql: "WITH counts AS (SELECT addresses.user_id, count(addresses.id) AS n FROM addresses \
                WHERE addresses.email_address LIKE ? GROUP BY addresses.user_id) \
                SELECT users.name FROM users WHERE users.id IN (SELECT counts.user_id FROM counts)",
    );
}

#[test]
fn recursive_common_table_expression() {
    let s = schema();
    let e = employees(&s.md);
    let anchor = select((e.c("id"), e.c("manager_id"), e.c("name")))
        .filter(e.c("manager_id").is_null())
        .cte("chain")
        .recursive();
    let ee = e.alias("e");
    let chain = anchor.union_all(
        select((ee.c("id"), ee.c("manager_id"), ee.c("name")))
            .join_on(&anchor, ee.c("manager_id").eq(anchor.c("id"))),
    );
    let stmt = select(chain.c("name")).order_by(chain.c("id"));
    assert_sql!(stmt,
        sqlite: "WITH RECURSIVE chain(id, manager_id, name) AS (SELECT employees.id, employees.manager_id, employees.name \
                 FROM employees WHERE employees.manager_id IS NULL UNION ALL SELECT e.id, e.manager_id, e.name \
                 FROM employees AS e JOIN chain ON e.manager_id = chain.id) SELECT chain.name FROM chain ORDER BY chain.id",
        postgres: "WITH RECURSIVE chain(id, manager_id, name) AS ((SELECT employees.id, employees.manager_id, employees.name \
                   FROM employees WHERE employees.manager_id IS NULL) UNION ALL (SELECT e.id, e.manager_id, e.name \
                   FROM employees AS e JOIN chain ON e.manager_id = chain.id)) SELECT chain.name FROM chain ORDER BY chain.id",
        mysql: "WITH RECURSIVE chain(id, manager_id, name) AS ((SELECT employees.id, employees.manager_id, employees.name \
                FROM employees WHERE employees.manager_id IS NULL) UNION ALL (SELECT e.id, e.manager_id, e.name \
                FROM employees AS e JOIN chain ON e.manager_id = chain.id)) SELECT chain.name FROM chain ORDER BY chain.id",
    );
    assert_params(&stmt, &[]);
}

// ---------------------------------------------------------------------------
// Set operations
// ---------------------------------------------------------------------------

#[test]
fn union_and_union_all() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let first = || select(u.c("email")).filter(u.c("id").lt(3));
    let second = || select(a.c("email_address"));
    // SQLite does not accept parenthesized members.
    assert_sql!(union(first(), second()),
        sqlite: "SELECT users.email FROM users WHERE users.id < ? UNION SELECT addresses.email_address FROM addresses",
        postgres: "(SELECT users.email FROM users WHERE users.id < $1) UNION (SELECT addresses.email_address FROM addresses)",
        mysql: "(SELECT users.email FROM users WHERE users.id < ?) UNION (SELECT addresses.email_address FROM addresses)",
    );
    assert_params(&union(first(), second()), &[v(3)]);
    // ORDER BY / LIMIT of the whole result name the result columns unqualified.
    let stmt = first().union_all(second()).order_by(u.c("email")).limit(5);
    assert_sql!(stmt,
        sqlite: "SELECT users.email FROM users WHERE users.id < ? UNION ALL SELECT addresses.email_address FROM addresses \
                 ORDER BY email LIMIT 5",
        postgres: "(SELECT users.email FROM users WHERE users.id < $1) UNION ALL (SELECT addresses.email_address FROM addresses) \
                   ORDER BY email LIMIT 5",
        mysql: "(SELECT users.email FROM users WHERE users.id < ?) UNION ALL (SELECT addresses.email_address FROM addresses) \
                ORDER BY email LIMIT 5",
    );
    assert_sql!(union_all(first(), second()),
        sqlite: "SELECT users.email FROM users WHERE users.id < ? UNION ALL SELECT addresses.email_address FROM addresses",
        postgres: "(SELECT users.email FROM users WHERE users.id < $1) UNION ALL (SELECT addresses.email_address FROM addresses)",
        mysql: "(SELECT users.email FROM users WHERE users.id < ?) UNION ALL (SELECT addresses.email_address FROM addresses)",
    );
}

#[test]
fn union_members_with_their_own_limit_or_a_nested_union() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    // SQLite wraps a member that has ORDER BY / LIMIT, or is itself a set operation.
    let stmt = union(
        select(u.c("email")).order_by(u.c("id")).limit(1),
        union(select(a.c("email_address")), select(u.c("name"))),
    );
    assert_sql!(stmt,
        sqlite: "SELECT * FROM (SELECT users.email FROM users ORDER BY users.id LIMIT 1) AS anon_1 UNION \
                 SELECT * FROM (SELECT addresses.email_address FROM addresses UNION SELECT users.name FROM users) AS anon_2",
        postgres: "(SELECT users.email FROM users ORDER BY users.id LIMIT 1) UNION \
                   ((SELECT addresses.email_address FROM addresses) UNION (SELECT users.name FROM users))",
        mysql: "(SELECT users.email FROM users ORDER BY users.id LIMIT 1) UNION \
                ((SELECT addresses.email_address FROM addresses) UNION (SELECT users.name FROM users))",
    );
}

#[test]
fn intersect_and_except() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let first = || select(u.c("email"));
    let second = || select(a.c("email_address"));
    assert_sql!(intersect(first(), second()),
        sqlite: "SELECT users.email FROM users INTERSECT SELECT addresses.email_address FROM addresses",
        postgres: "(SELECT users.email FROM users) INTERSECT (SELECT addresses.email_address FROM addresses)",
        mysql: "(SELECT users.email FROM users) INTERSECT (SELECT addresses.email_address FROM addresses)",
    );
    assert_sql!(except(first(), second()),
        sqlite: "SELECT users.email FROM users EXCEPT SELECT addresses.email_address FROM addresses",
        postgres: "(SELECT users.email FROM users) EXCEPT (SELECT addresses.email_address FROM addresses)",
        mysql: "(SELECT users.email FROM users) EXCEPT (SELECT addresses.email_address FROM addresses)",
    );
    // The ALL forms: not on SQLite.
    assert_sql!(intersect_all(first(), second()),
        sqlite: unsupported("INTERSECT ALL"),
        postgres: "(SELECT users.email FROM users) INTERSECT ALL (SELECT addresses.email_address FROM addresses)",
        mysql: "(SELECT users.email FROM users) INTERSECT ALL (SELECT addresses.email_address FROM addresses)",
    );
    assert_sql!(except_all(first(), second()),
        sqlite: unsupported("EXCEPT ALL"),
        postgres: "(SELECT users.email FROM users) EXCEPT ALL (SELECT addresses.email_address FROM addresses)",
        mysql: "(SELECT users.email FROM users) EXCEPT ALL (SELECT addresses.email_address FROM addresses)",
    );
    // Older servers: MySQL before 8.0.31 has neither; MariaDB 10.3/10.4 lack the ALL forms.
    let old_mysql = MysqlDialect::mysql((8, 0, 30));
    let err = intersect(first(), second())
        .compile_for(&old_mysql)
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    let maria_10_4 = MysqlDialect::mariadb((10, 4, 0));
    assert!(
        intersect(first(), second())
            .compile_for(&maria_10_4)
            .is_ok()
    );
    let err = except_all(first(), second())
        .compile_for(&maria_10_4)
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
}

// ---------------------------------------------------------------------------
// DISTINCT, GROUP BY, ORDER BY, LIMIT
// ---------------------------------------------------------------------------

#[test]
fn distinct() {
    let s = schema();
    let u = &s.users;
    let stmt = select((u.c("name"), u.c("email"))).distinct();
    let sql = "SELECT DISTINCT users.name, users.email FROM users";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn group_by_and_having() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = select((u.c("id"), u.c("name"), func::count(a.c("id")).label("n")))
        .join(a)
        .group_by((u.c("id"), u.c("name")))
        .having(func::count(a.c("id")).gt(1))
        .having(func::max(a.c("email_address")).ne("x"));
    assert_sql!(stmt,
        sqlite: "SELECT users.id, users.name, count(addresses.id) AS n FROM users JOIN addresses ON addresses.user_id = users.id \
                 GROUP BY users.id, users.name HAVING count(addresses.id) > ? AND max(addresses.email_address) <> ?",
        postgres: "SELECT users.id, users.name, count(addresses.id) AS n FROM users JOIN addresses ON addresses.user_id = users.id \
                   GROUP BY users.id, users.name HAVING count(addresses.id) > $1 AND max(addresses.email_address) <> $2",
        mysql: "SELECT users.id, users.name, count(addresses.id) AS n FROM users JOIN addresses ON addresses.user_id = users.id \
                GROUP BY users.id, users.name HAVING count(addresses.id) > ? AND max(addresses.email_address) <> ?",
    );
    assert_params(&stmt, &[v(1), v("x")]);
}

#[test]
fn order_by() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("name"))
        .order_by(u.c("name"))
        .order_by((u.c("email").desc(), func::lower(u.c("name")).asc()));
    let sql =
        "SELECT users.name FROM users ORDER BY users.name, users.email DESC, lower(users.name) ASC";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn limit_and_offset() {
    let s = schema();
    let u = &s.users;
    let both = select(u.c("id")).order_by(u.c("id")).limit(10).offset(20);
    let sql = "SELECT users.id FROM users ORDER BY users.id LIMIT 10 OFFSET 20";
    assert_sql!(both, sqlite: sql, postgres: sql, mysql: sql);
    assert_params(&both, &[]);

    let limit = select(u.c("id")).limit(10);
    let sql = "SELECT users.id FROM users LIMIT 10";
    assert_sql!(limit, sqlite: sql, postgres: sql, mysql: sql);

    // OFFSET alone: SQLite and MySQL need a LIMIT in front of it.
    let offset = select(u.c("id")).offset(18);
    assert_sql!(offset,
        sqlite: "SELECT users.id FROM users LIMIT -1 OFFSET 18",
        postgres: "SELECT users.id FROM users OFFSET 18",
        mysql: "SELECT users.id FROM users LIMIT 18446744073709551615 OFFSET 18",
    );
    // On a set operation too.
    let stmt = union(select(u.c("id")), select(u.c("id"))).offset(2);
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users UNION SELECT users.id FROM users LIMIT -1 OFFSET 2",
        postgres: "(SELECT users.id FROM users) UNION (SELECT users.id FROM users) OFFSET 2",
        mysql: "(SELECT users.id FROM users) UNION (SELECT users.id FROM users) LIMIT 18446744073709551615 OFFSET 2",
    );
}

#[test]
fn everything_in_one_select() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = select((u.c("id"), u.c("name")))
        .filter(u.c("name").like("s%").and(u.c("email").is_not_null()))
        .join_on(a, u.c("id").eq(a.c("user_id")))
        .group_by(u.c("id"))
        .having(func::count(a.c("id")).gt(1))
        .order_by(u.c("name").desc())
        .limit(10)
        .offset(20);
    assert_sql!(stmt,
        sqlite: "SELECT users.id, users.name FROM users JOIN addresses ON users.id = addresses.user_id \
                 WHERE users.name LIKE ? AND users.email IS NOT NULL GROUP BY users.id \
                 HAVING count(addresses.id) > ? ORDER BY users.name DESC LIMIT 10 OFFSET 20",
        postgres: "SELECT users.id, users.name FROM users JOIN addresses ON users.id = addresses.user_id \
                   WHERE users.name LIKE $1 AND users.email IS NOT NULL GROUP BY users.id \
                   HAVING count(addresses.id) > $2 ORDER BY users.name DESC LIMIT 10 OFFSET 20",
        mysql: "SELECT users.id, users.name FROM users JOIN addresses ON users.id = addresses.user_id \
                WHERE users.name LIKE ? AND users.email IS NOT NULL GROUP BY users.id \
                HAVING count(addresses.id) > ? ORDER BY users.name DESC LIMIT 10 OFFSET 20",
    );
    assert_params(&stmt, &[v("s%"), v(1)]);
}

// ---------------------------------------------------------------------------
// INSERT
// ---------------------------------------------------------------------------

#[test]
fn insert_one_row() {
    let s = schema();
    let u = &s.users;
    let stmt = insert(u).values((("name", "sandy"), ("email", "sandy@sea.org")));
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (name, email) VALUES (?, ?)",
        postgres: "INSERT INTO users (name, email) VALUES ($1, $2)",
        mysql: "INSERT INTO users (name, email) VALUES (?, ?)",
    );
    assert_params(&stmt, &[v("sandy"), v("sandy@sea.org")]);
    // values() called twice merges into one row; an expression as a value.
    let stmt = insert(u)
        .values([("name", Value::from("sandy"))])
        .values([("email", func::call("lower", ("SANDY@SEA.ORG",)))]);
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (name, email) VALUES (?, lower(?))",
        postgres: "INSERT INTO users (name, email) VALUES ($1, lower($2))",
        mysql: "INSERT INTO users (name, email) VALUES (?, lower(?))",
    );
    assert_params(&stmt, &[v("sandy"), v("SANDY@SEA.ORG")]);
}

#[test]
fn insert_many_rows() {
    let s = schema();
    let u = &s.users;
    let stmt = insert(u).values_many([
        [("name", Value::from("a")), ("email", Value::from("a@x"))],
        [("name", Value::from("b")), ("email", Value::Null)],
        [("name", Value::from("c")), ("email", Value::from("c@x"))],
    ]);
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (name, email) VALUES (?, ?), (?, ?), (?, ?)",
        postgres: "INSERT INTO users (name, email) VALUES ($1, $2), ($3, $4), ($5, $6)",
        mysql: "INSERT INTO users (name, email) VALUES (?, ?), (?, ?), (?, ?)",
    );
    assert_params(
        &stmt,
        &[v("a"), v("a@x"), v("b"), Value::Null, v("c"), v("c@x")],
    );
    // Rows naming different columns are an ArgumentError.
    let bad = insert(u).values_many([
        vec![("name", Value::from("a"))],
        vec![("email", Value::from("b"))],
    ]);
    let err = bad.compile_for(&postgres()).unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
}

#[test]
fn insert_defaults() {
    let md = MetaData::new();
    let t = md.table("events", |t| {
        t.column("id", Integer).primary_key();
        t.column("kind", Text).default("note");
        t.column("body", Text);
    });
    // Nothing given: a row of server defaults.
    assert_sql!(insert(&t),
        sqlite: "INSERT INTO events (kind) VALUES (?)",
        postgres: "INSERT INTO events (kind) VALUES ($1)",
        mysql: "INSERT INTO events (kind) VALUES (?)",
    );
    // The client-side default fills the column a row leaves out.
    let stmt = insert(&t).values([("body", "hi")]);
    assert_sql!(stmt,
        sqlite: "INSERT INTO events (body, kind) VALUES (?, ?)",
        postgres: "INSERT INTO events (body, kind) VALUES ($1, $2)",
        mysql: "INSERT INTO events (body, kind) VALUES (?, ?)",
    );
    assert_params(&stmt, &[v("hi"), v("note")]);
    let bare = md.table("ticks", |t| {
        t.column("id", Integer).primary_key();
    });
    assert_sql!(insert(&bare),
        sqlite: "INSERT INTO ticks DEFAULT VALUES",
        postgres: "INSERT INTO ticks DEFAULT VALUES",
        mysql: "INSERT INTO ticks () VALUES ()",
    );
}

#[test]
fn insert_from_select() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = insert(a).from_select(
        ["user_id", "email_address"],
        select((u.c("id"), u.c("email"))).filter(u.c("email").is_not_null()),
    );
    let sql = "INSERT INTO addresses (user_id, email_address) SELECT users.id, users.email FROM users \
               WHERE users.email IS NOT NULL";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);

    // A CTE of the SELECT goes right before it.
    let named = select((u.c("id"), u.c("name")))
        .filter(u.c("name").like("s%"))
        .cte("named");
    let stmt = insert(a).from_select(
        ["user_id", "email_address"],
        select((named.c("id"), named.c("name"))),
    );
    assert_sql!(stmt,
        sqlite: "INSERT INTO addresses (user_id, email_address) WITH named AS (SELECT users.id, users.name FROM users \
                 WHERE users.name LIKE ?) SELECT named.id, named.name FROM named",
        postgres: "INSERT INTO addresses (user_id, email_address) WITH named AS (SELECT users.id, users.name FROM users \
                   WHERE users.name LIKE $1) SELECT named.id, named.name FROM named",
        mysql: "INSERT INTO addresses (user_id, email_address) WITH named AS (SELECT users.id, users.name FROM users \
                WHERE users.name LIKE ?) SELECT named.id, named.name FROM named",
    );
}

#[test]
fn insert_values_with_a_subquery_using_a_cte() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let firsts = select(u.c("id")).filter(u.c("id").lt(3)).cte("firsts");
    let stmt = insert(a).values((
        (
            "user_id",
            select(func::max(firsts.c("id"))).scalar_subquery(),
        ),
        ("email_address", "x@y"),
    ));
    // `WITH .. INSERT .. VALUES` is not accepted everywhere: the subquery declares its CTE.
    assert_sql!(stmt,
        sqlite: "INSERT INTO addresses (user_id, email_address) VALUES ((WITH firsts AS (SELECT users.id FROM users \
                 WHERE users.id < ?) SELECT max(firsts.id) AS max_1 FROM firsts), ?)",
        postgres: "INSERT INTO addresses (user_id, email_address) VALUES ((WITH firsts AS (SELECT users.id FROM users \
                   WHERE users.id < $1) SELECT max(firsts.id) AS max_1 FROM firsts), $2)",
        mysql: "INSERT INTO addresses (user_id, email_address) VALUES ((WITH firsts AS (SELECT users.id FROM users \
                WHERE users.id < ?) SELECT max(firsts.id) AS max_1 FROM firsts), ?)",
    );
    assert_params(&stmt, &[v(3), v("x@y")]);
}

#[test]
fn insert_returning() {
    let s = schema();
    let u = &s.users;
    let stmt = insert(u)
        .values([("name", "sandy")])
        .returning((u.c("id"), u.c("name").label("who")));
    // MySQL 8 has no RETURNING: the INSERT runs alone, then a SELECT by the rows' keys.
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (name) VALUES (?) RETURNING id, name AS who",
        postgres: "INSERT INTO users (name) VALUES ($1) RETURNING id, name AS who",
        mariadb: "INSERT INTO users (name) VALUES (?) RETURNING id, name AS who",
        mysql8: "INSERT INTO users (name) VALUES (?)",
    );
    assert_params(&stmt, &[v("sandy")]);
    for d in [&sqlite() as &dyn Dialect, &postgres(), &mariadb()] {
        assert!(compile(&stmt, d).fetch_after().is_none());
    }
    let c = compile(&stmt, &mysql8());
    let fetch = c.fetch_after().expect("MySQL 8 emulates RETURNING");
    assert_eq!(
        fetch.select_sql,
        "SELECT id, name AS who, id FROM users WHERE id IN (?)"
    );
    assert_eq!(fetch.row_count, 1);

    // Many rows.
    let stmt = insert(u)
        .values_many([[("name", "a")], [("name", "b")], [("name", "c")]])
        .returning(u.c("id"));
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (name) VALUES (?), (?), (?) RETURNING id",
        postgres: "INSERT INTO users (name) VALUES ($1), ($2), ($3) RETURNING id",
        mariadb: "INSERT INTO users (name) VALUES (?), (?), (?) RETURNING id",
        mysql8: "INSERT INTO users (name) VALUES (?), (?), (?)",
    );
    let c = compile(&stmt, &mysql8());
    let fetch = c.fetch_after().expect("MySQL 8 emulates RETURNING");
    assert_eq!(
        fetch.select_sql,
        "SELECT id, id FROM users WHERE id IN (?, ?, ?)"
    );
    assert_eq!(fetch.row_count, 3);

    // No autoincrement key to find the rows by: Unsupported on MySQL 8.
    let md = MetaData::new();
    let tags = md.table("tags", |t| {
        t.column("name", Varchar(20)).primary_key();
    });
    let stmt = insert(&tags)
        .values([("name", "a")])
        .returning(tags.c("name"));
    assert_sql!(stmt,
        sqlite: "INSERT INTO tags (name) VALUES (?) RETURNING name",
        postgres: "INSERT INTO tags (name) VALUES ($1) RETURNING name",
        mariadb: "INSERT INTO tags (name) VALUES (?) RETURNING name",
        mysql8: unsupported("RETURNING"),
    );
    // Nor for an expression.
    let stmt = insert(u).values([("name", "a")]).returning(u.c("id") + 1);
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (name) VALUES (?) RETURNING id + ?",
        postgres: "INSERT INTO users (name) VALUES ($1) RETURNING id + $2",
        mariadb: "INSERT INTO users (name) VALUES (?) RETURNING id + ?",
        mysql8: unsupported("RETURNING"),
    );
}

// ---------------------------------------------------------------------------
// UPDATE, DELETE
// ---------------------------------------------------------------------------

#[test]
fn update_with_where() {
    let s = schema();
    let u = &s.users;
    let stmt = update(u).filter(u.c("id").eq(5)).set("name", "patrick");
    assert_sql!(stmt,
        sqlite: "UPDATE users SET name = ? WHERE users.id = ?",
        postgres: "UPDATE users SET name = $1 WHERE users.id = $2",
        mysql: "UPDATE users SET name = ? WHERE users.id = ?",
    );
    assert_params(&stmt, &[v("patrick"), v(5)]);
    // No WHERE: every row; values() for several pairs.
    let stmt = update(u).values((("name", "x"), ("email", Value::Null)));
    assert_sql!(stmt,
        sqlite: "UPDATE users SET name = ?, email = ?",
        postgres: "UPDATE users SET name = $1, email = $2",
        mysql: "UPDATE users SET name = ?, email = ?",
    );
    assert_params(&stmt, &[v("x"), Value::Null]);
}

#[test]
fn update_with_expression_values() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = update(u)
        .set("name", func::upper(u.c("name")).concat("!"))
        .set(
            "email",
            select(func::max(a.c("email_address")))
                .filter(a.c("user_id").eq(u.c("id")))
                .scalar_subquery(),
        )
        .filter(u.c("id").ge(2) & u.c("email").is_null());
    // The subquery correlates to the updated table; MySQL concatenates with CONCAT().
    assert_sql!(stmt,
        sqlite: "UPDATE users SET name = upper(users.name) || ?, email = (SELECT max(addresses.email_address) AS max_1 \
                 FROM addresses WHERE addresses.user_id = users.id) WHERE users.id >= ? AND users.email IS NULL",
        postgres: "UPDATE users SET name = upper(users.name) || $1, email = (SELECT max(addresses.email_address) AS max_1 \
                   FROM addresses WHERE addresses.user_id = users.id) WHERE users.id >= $2 AND users.email IS NULL",
        mysql: "UPDATE users SET name = CONCAT(upper(users.name), ?), email = (SELECT max(addresses.email_address) AS max_1 \
                FROM addresses WHERE addresses.user_id = users.id) WHERE users.id >= ? AND users.email IS NULL",
    );
    assert_params(&stmt, &[v("!"), v(2)]);
}

#[test]
fn update_returning() {
    let s = schema();
    let u = &s.users;
    let stmt = update(u)
        .set("name", "x")
        .filter(u.c("id").eq(1))
        .returning((u.c("id"), u.c("name")));
    // MariaDB has INSERT/DELETE .. RETURNING only; MySQL none.
    assert_sql!(stmt,
        sqlite: "UPDATE users SET name = ? WHERE users.id = ? RETURNING id, name",
        postgres: "UPDATE users SET name = $1 WHERE users.id = $2 RETURNING id, name",
        mysql: unsupported("UPDATE .. RETURNING"),
    );
}

#[test]
fn update_and_delete_with_a_cte() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let linked = select(a.c("user_id"))
        .filter(a.c("email_address").like("%.org"))
        .cte("linked");
    // MariaDB has no `WITH .. UPDATE/DELETE`: the subquery declares the CTE itself.
    let stmt = update(u)
        .set("name", "linked")
        .filter(u.c("id").in_(select(linked.c("user_id"))));
    assert_sql!(stmt,
        sqlite: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE ?) \
                 UPDATE users SET name = ? WHERE users.id IN (SELECT linked.user_id FROM linked)",
        postgres: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE $1) \
                   UPDATE users SET name = $2 WHERE users.id IN (SELECT linked.user_id FROM linked)",
        mariadb: "UPDATE users SET name = ? WHERE users.id IN (WITH linked AS (SELECT addresses.user_id FROM addresses \
                  WHERE addresses.email_address LIKE ?) SELECT linked.user_id FROM linked)",
        mysql8: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE ?) \
                 UPDATE users SET name = ? WHERE users.id IN (SELECT linked.user_id FROM linked)",
    );
    assert_eq!(
        compile(&stmt, &mysql8()).params(),
        [v("%.org"), v("linked")]
    );
    assert_eq!(
        compile(&stmt, &mariadb()).params(),
        [v("linked"), v("%.org")]
    );

    // A CTE used in SET only is declared too.
    let stmt = update(u).set(
        "email",
        select(func::max(linked.c("user_id"))).scalar_subquery(),
    );
    assert_sql!(stmt,
        sqlite: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE ?) \
                 UPDATE users SET email = (SELECT max(linked.user_id) AS max_1 FROM linked)",
        postgres: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE $1) \
                   UPDATE users SET email = (SELECT max(linked.user_id) AS max_1 FROM linked)",
        mariadb: "UPDATE users SET email = (WITH linked AS (SELECT addresses.user_id FROM addresses \
                  WHERE addresses.email_address LIKE ?) SELECT max(linked.user_id) AS max_1 FROM linked)",
        mysql8: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE ?) \
                 UPDATE users SET email = (SELECT max(linked.user_id) AS max_1 FROM linked)",
    );

    let stmt = delete(u).filter(u.c("id").not_in(select(linked.c("user_id"))));
    assert_sql!(stmt,
        sqlite: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE ?) \
                 DELETE FROM users WHERE users.id NOT IN (SELECT linked.user_id FROM linked)",
        postgres: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE $1) \
                   DELETE FROM users WHERE users.id NOT IN (SELECT linked.user_id FROM linked)",
        mariadb: "DELETE FROM users WHERE users.id NOT IN (WITH linked AS (SELECT addresses.user_id FROM addresses \
                  WHERE addresses.email_address LIKE ?) SELECT linked.user_id FROM linked)",
        mysql8: "WITH linked AS (SELECT addresses.user_id FROM addresses WHERE addresses.email_address LIKE ?) \
                 DELETE FROM users WHERE users.id NOT IN (SELECT linked.user_id FROM linked)",
    );
}

#[test]
fn delete_with_where() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = delete(u).filter(u.c("name").eq("squidward"));
    assert_sql!(stmt,
        sqlite: "DELETE FROM users WHERE users.name = ?",
        postgres: "DELETE FROM users WHERE users.name = $1",
        mysql: "DELETE FROM users WHERE users.name = ?",
    );
    assert_params(&stmt, &[v("squidward")]);
    let sql = "DELETE FROM addresses";
    assert_sql!(delete(a), sqlite: sql, postgres: sql, mysql: sql);
    // A correlated NOT EXISTS against the deleted table.
    let stmt = delete(u).filter(!exists(
        select(a.c("id")).filter(a.c("user_id").eq(u.c("id"))),
    ));
    let sql = "DELETE FROM users WHERE NOT EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn delete_returning() {
    let s = schema();
    let u = &s.users;
    let stmt = delete(u)
        .filter(u.c("id").eq(3))
        .returning((u.c("id"), u.c("name")));
    assert_sql!(stmt,
        sqlite: "DELETE FROM users WHERE users.id = ? RETURNING id, name",
        postgres: "DELETE FROM users WHERE users.id = $1 RETURNING id, name",
        mariadb: "DELETE FROM users WHERE users.id = ? RETURNING id, name",
        mysql8: unsupported("DELETE .. RETURNING"),
    );
}

// ---------------------------------------------------------------------------
// Upsert
// ---------------------------------------------------------------------------

#[test]
fn upsert_on_conflict_do_nothing() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = insert(u)
        .values((("id", 1), ("name", "sandy")))
        .on_conflict_do_nothing(u.c("id"));
    // MySQL: assigning the key to itself changes nothing.
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
        postgres: "INSERT INTO users (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        mysql: "INSERT INTO users (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE id = users.id",
    );
    assert_params(&stmt, &[v(1), v("sandy")]);

    // From a SELECT: SQLite would read `ON` as a join constraint, so it gets `WHERE true`;
    // on MySQL the key is qualified, `id` alone would also name the SELECT's column.
    let stmt = insert(u)
        .from_select(["id", "name"], select((a.c("id"), a.c("email_address"))))
        .on_conflict_do_nothing(u.c("id"));
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (id, name) SELECT addresses.id, addresses.email_address FROM addresses \
                 WHERE true ON CONFLICT (id) DO NOTHING",
        postgres: "INSERT INTO users (id, name) SELECT addresses.id, addresses.email_address FROM addresses \
                   ON CONFLICT (id) DO NOTHING",
        mysql: "INSERT INTO users (id, name) SELECT addresses.id, addresses.email_address FROM addresses \
                ON DUPLICATE KEY UPDATE id = users.id",
    );
    // A SELECT that already has a WHERE (or ends otherwise) is left alone.
    let stmt = insert(u)
        .from_select(
            ["id", "name"],
            select((a.c("id"), a.c("email_address"))).filter(a.c("id").gt(1)),
        )
        .on_conflict_do_nothing(u.c("id"));
    assert_eq!(
        compile(&stmt, &sqlite()).sql(),
        "INSERT INTO users (id, name) SELECT addresses.id, addresses.email_address FROM addresses \
         WHERE addresses.id > ? ON CONFLICT (id) DO NOTHING"
    );
    let stmt = insert(u)
        .from_select(
            ["id", "name"],
            union(
                select((a.c("id"), a.c("email_address"))),
                select((u.c("id"), u.c("name"))),
            ),
        )
        .on_conflict_do_nothing(u.c("id"));
    assert_eq!(
        compile(&stmt, &sqlite()).sql(),
        "INSERT INTO users (id, name) SELECT addresses.id, addresses.email_address FROM addresses \
         UNION SELECT users.id, users.name FROM users WHERE true ON CONFLICT (id) DO NOTHING"
    );
}

#[test]
fn upsert_on_conflict_do_update_with_excluded() {
    let s = schema();
    let u = &s.users;
    let stmt = insert(u)
        .values((("id", 1), ("name", "sandy"), ("email", "s@sea.org")))
        .on_conflict_do_update(
            u.c("id"),
            [
                ("name", excluded("name")),
                ("email", func::coalesce((excluded("email"), u.c("email")))),
            ],
        );
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE \
                 SET name = excluded.name, email = coalesce(excluded.email, users.email)",
        postgres: "INSERT INTO users (id, name, email) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE \
                   SET name = excluded.name, email = coalesce(excluded.email, users.email)",
        mysql: "INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE \
                name = VALUES(name), email = coalesce(VALUES(email), users.email)",
    );
    assert_params(&stmt, &[v(1), v("sandy"), v("s@sea.org")]);

    // With RETURNING and a bound value in the update.
    let stmt = insert(u)
        .values((("id", 1), ("name", "sandy")))
        .on_conflict_do_update(
            (u.c("id"),),
            [("name", u.c("name").concat(excluded("name")))],
        )
        .returning(u.c("id"));
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE \
                 SET name = users.name || excluded.name RETURNING id",
        postgres: "INSERT INTO users (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE \
                   SET name = users.name || excluded.name RETURNING id",
        mariadb: "INSERT INTO users (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE \
                  name = CONCAT(users.name, VALUES(name)) RETURNING id",
        mysql8: unsupported("RETURNING"),
    );

    // MySQL's own spelling (no target); elsewhere DO UPDATE needs the target columns.
    let stmt = insert(u)
        .values((("id", 1), ("name", "sandy")))
        .on_duplicate_key_update([("name", excluded("name"))]);
    assert_eq!(
        compile(&stmt, &mysql8()).sql(),
        "INSERT INTO users (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE name = VALUES(name)"
    );
    let err = stmt.compile_for(&postgres()).unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
}

// ---------------------------------------------------------------------------
// text()
// ---------------------------------------------------------------------------

#[test]
fn text_with_named_binds() {
    let stmt = text("SELECT id FROM users WHERE name = :name AND id > :id OR name = :name")
        .bind("name", "sandy")
        .bind("id", 2);
    // Each use of a name is one placeholder; PostgreSQL numbers them.
    assert_sql!(stmt,
        sqlite: "SELECT id FROM users WHERE name = ? AND id > ? OR name = ?",
        postgres: "SELECT id FROM users WHERE name = $1 AND id > $2 OR name = $3",
        mysql: "SELECT id FROM users WHERE name = ? AND id > ? OR name = ?",
    );
    assert_params(&stmt, &[v("sandy"), v(2), v("sandy")]);

    // Quoted text is not a bind.
    let stmt =
        text(r#"SELECT CAST(:v AS CHAR(10)) AS "b:c", ':quoted' AS q FROM users WHERE id > :v"#)
            .bind("v", 1);
    assert_sql!(stmt,
        sqlite: r#"SELECT CAST(? AS CHAR(10)) AS "b:c", ':quoted' AS q FROM users WHERE id > ?"#,
        postgres: r#"SELECT CAST($1 AS CHAR(10)) AS "b:c", ':quoted' AS q FROM users WHERE id > $2"#,
        mysql: r#"SELECT CAST(? AS CHAR(10)) AS "b:c", ':quoted' AS q FROM users WHERE id > ?"#,
    );
    assert_params(&stmt, &[v(1), v(1)]);
    // PostgreSQL text: a `::` cast is not a bind, `\:` writes a colon.
    let stmt =
        text(r"SELECT (CAST(:v AS INTEGER[]))[1\:2], id::text FROM users").bind("v", "{1,2,3}");
    assert_eq!(
        compile(&stmt, &postgres()).sql(),
        "SELECT (CAST($1 AS INTEGER[]))[1:2], id::text FROM users"
    );

    // A missing value is an ArgumentError naming the bind.
    let err = text("SELECT :missing")
        .compile_for(&postgres())
        .unwrap_err();
    assert!(
        matches!(&err, Error::ArgumentError(m) if m.contains(":missing")),
        "{err}"
    );
}

#[test]
fn text_as_an_expression() {
    let s = schema();
    let u = &s.users;
    // Parenthesized inside other expressions; its binds are numbered in order.
    let stmt = select(u.c("id"))
        .filter(u.c("id").gt(1) & text("users.name LIKE :p").bind("p", "s%"))
        .filter(u.c("email").is_not_null());
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.id > ? AND (users.name LIKE ?) AND users.email IS NOT NULL",
        postgres: "SELECT users.id FROM users WHERE users.id > $1 AND (users.name LIKE $2) AND users.email IS NOT NULL",
        mysql: "SELECT users.id FROM users WHERE users.id > ? AND (users.name LIKE ?) AND users.email IS NOT NULL",
    );
    assert_params(&stmt, &[v(1), v("s%")]);
}

// ---------------------------------------------------------------------------
// Identifier quoting
// ---------------------------------------------------------------------------

fn odd_names(md: &MetaData) -> Table {
    md.table("order", |t| {
        t.column("id", Integer).primary_key();
        t.column("select", Text);
        t.column("User Name", Text);
        t.column("MixedCase", Text);
        t.column("we\"ird`q", Text);
        t.column("rank", Integer);
        t.column("9lives", Integer);
    })
}

#[test]
fn identifier_quoting() {
    let md = MetaData::new();
    let q = odd_names(&md);
    let stmt = select((
        q.c("select"),
        q.c("User Name"),
        q.c("MixedCase"),
        q.c("we\"ird`q"),
        q.c("rank"),
        q.c("9lives"),
    ))
    .filter(q.c("id").eq(1))
    .order_by(q.c("MixedCase"));
    // Reserved words, spaces, upper case, leading digits; the quote character is doubled.
    assert_sql!(stmt,
        sqlite: r#"SELECT "order"."select", "order"."User Name", "order"."MixedCase", "order"."we""ird`q", "order"."rank", "order"."9lives" FROM "order" WHERE "order".id = ? ORDER BY "order"."MixedCase""#,
        postgres: r#"SELECT "order"."select", "order"."User Name", "order"."MixedCase", "order"."we""ird`q", "order"."rank", "order"."9lives" FROM "order" WHERE "order".id = $1 ORDER BY "order"."MixedCase""#,
        mysql: r#"SELECT `order`.`select`, `order`.`User Name`, `order`.`MixedCase`, `order`.`we"ird``q`, `order`.`rank`, `order`.`9lives` FROM `order` WHERE `order`.id = ? ORDER BY `order`.`MixedCase`"#,
    );
    // In DML and RETURNING too.
    let stmt = update(&q)
        .set("select", "x")
        .filter(q.c("User Name").eq("y"));
    assert_sql!(stmt,
        sqlite: r#"UPDATE "order" SET "select" = ? WHERE "order"."User Name" = ?"#,
        postgres: r#"UPDATE "order" SET "select" = $1 WHERE "order"."User Name" = $2"#,
        mysql: r#"UPDATE `order` SET `select` = ? WHERE `order`.`User Name` = ?"#,
    );
    let stmt = insert(&q)
        .values([("MixedCase", "x")])
        .returning(q.c("select"));
    assert_sql!(stmt,
        sqlite: r#"INSERT INTO "order" ("MixedCase") VALUES (?) RETURNING "select""#,
        postgres: r#"INSERT INTO "order" ("MixedCase") VALUES ($1) RETURNING "select""#,
        mariadb: r#"INSERT INTO `order` (`MixedCase`) VALUES (?) RETURNING `select`"#,
        mysql8: r#"INSERT INTO `order` (`MixedCase`) VALUES (?)"#,
    );
    assert_eq!(
        compile(&stmt, &mysql8())
            .fetch_after()
            .map(|f| f.select_sql.as_str()),
        Some("SELECT `select`, id FROM `order` WHERE id IN (?)")
    );
    // An alias and a schema are quoted the same way.
    let md2 = MetaData::new();
    let app = md2.table("Accounts", |t| {
        t.schema("My App");
        t.column("id", Integer).primary_key();
    });
    let al = app.alias("from");
    let stmt = select(al.c("id")).select_from(&al);
    assert_sql!(stmt,
        sqlite: r#"SELECT "from".id FROM "My App"."Accounts" AS "from""#,
        postgres: r#"SELECT "from".id FROM "My App"."Accounts" AS "from""#,
        mysql: r#"SELECT `from`.id FROM `My App`.`Accounts` AS `from`"#,
    );
}

// ---------------------------------------------------------------------------
// CREATE TABLE
// ---------------------------------------------------------------------------

#[test]
fn create_table_with_autoincrement_key() {
    let s = schema();
    // SQLite: the rowid alias `INTEGER PRIMARY KEY`; PostgreSQL: an identity column.
    assert_sql!(CreateTable::new(&s.users),
        sqlite: ddl("users", &["id INTEGER NOT NULL PRIMARY KEY", "name VARCHAR(50) NOT NULL", "email TEXT"]),
        postgres: ddl("users", &[
            "id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL",
            "name VARCHAR(50) NOT NULL",
            "email TEXT",
            "PRIMARY KEY (id)",
        ]),
        mysql: ddl("users", &[
            "id INTEGER AUTO_INCREMENT NOT NULL",
            "name VARCHAR(50) NOT NULL",
            "email TEXT",
            "PRIMARY KEY (id)",
        ]),
    );
    // A BIGINT key; IF NOT EXISTS.
    let md = MetaData::new();
    let big = md.table("big", |t| {
        t.column("id", BigInteger).primary_key();
    });
    assert_sql!(CreateTable::new(&big).if_not_exists(),
        sqlite: "CREATE TABLE IF NOT EXISTS big (\n\tid INTEGER NOT NULL PRIMARY KEY\n)",
        postgres: "CREATE TABLE IF NOT EXISTS big (\n\tid BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n\tPRIMARY KEY (id)\n)",
        mysql: "CREATE TABLE IF NOT EXISTS big (\n\tid BIGINT AUTO_INCREMENT NOT NULL,\n\tPRIMARY KEY (id)\n)",
    );
    // A composite key, or autoincrement(false), does not autoincrement.
    let pair = md.table("pair", |t| {
        t.column("a", Integer);
        t.column("b", Integer);
        t.primary_key(["a", "b"]);
    });
    let sql = ddl(
        "pair",
        &[
            "a INTEGER NOT NULL",
            "b INTEGER NOT NULL",
            "PRIMARY KEY (a, b)",
        ],
    );
    assert_sql!(CreateTable::new(&pair), sqlite: sql.clone(), postgres: sql.clone(), mysql: sql);
    let manual = md.table("fixed_ids", |t| {
        t.column("id", Integer).primary_key().autoincrement(false);
    });
    let sql = ddl("fixed_ids", &["id INTEGER NOT NULL", "PRIMARY KEY (id)"]);
    assert_sql!(CreateTable::new(&manual), sqlite: sql.clone(), postgres: sql.clone(), mysql: sql);
}

#[test]
fn create_table_types() {
    let md = MetaData::new();
    let t = md.table("kinds", |t| {
        t.column("id", Integer).primary_key().autoincrement(false);
        t.column("small", SmallInteger);
        t.column("big", BigInteger);
        t.column("short", Varchar(20));
        t.column("long", Text);
        t.column("flag", Boolean);
        t.column("ratio", Float);
        t.column("precise", Double);
        t.column("money", Numeric(10, 2));
        t.column("day", Date);
        t.column("clock", Time);
        t.column("local", DateTime);
        t.column("instant", Timestamp);
        t.column("uid", Uuid);
        t.column("doc", Json);
        t.column("data", LargeBinary);
    });
    let common = |lines: &[&str]| {
        let mut all = vec!["id INTEGER NOT NULL"];
        all.extend_from_slice(lines);
        all.push("PRIMARY KEY (id)");
        ddl("kinds", &all)
    };
    assert_sql!(CreateTable::new(&t),
        sqlite: common(&[
            "small SMALLINT", "big BIGINT", "short VARCHAR(20)", "long TEXT", "flag BOOLEAN", "ratio REAL",
            "precise DOUBLE", "money NUMERIC(10, 2)", "day DATE", "clock TIME", "local DATETIME",
            "instant TIMESTAMP", "uid UUID", "doc JSON", "data BLOB",
        ]),
        postgres: common(&[
            "small SMALLINT", "big BIGINT", "short VARCHAR(20)", "long TEXT", "flag BOOLEAN", "ratio REAL",
            "precise DOUBLE PRECISION", "money NUMERIC(10, 2)", "day DATE", "clock TIME", "local TIMESTAMP",
            "instant TIMESTAMP WITH TIME ZONE", "uid UUID", "doc JSONB", "data BYTEA",
        ]),
        mysql: common(&[
            "small SMALLINT", "big BIGINT", "short VARCHAR(20)", "`long` TEXT", "flag BOOL", "ratio FLOAT",
            "precise DOUBLE", "money DECIMAL(10, 2)", "day DATE", "clock TIME(6)", "local DATETIME(6)",
            "instant DATETIME(6)", "uid CHAR(36)", "doc JSON", "data LONGBLOB",
        ]),
    );
}

#[test]
fn create_table_constraints() {
    let s = schema();
    // NOT NULL, UNIQUE and a foreign key; MySQL cannot key a TEXT column, so it is VARCHAR(255).
    assert_sql!(CreateTable::new(&s.addresses),
        sqlite: ddl("addresses", &[
            "id INTEGER NOT NULL PRIMARY KEY",
            "user_id INTEGER NOT NULL",
            "email_address TEXT NOT NULL",
            "UNIQUE (email_address)",
            "FOREIGN KEY(user_id) REFERENCES users (id)",
        ]),
        postgres: ddl("addresses", &[
            "id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL",
            "user_id INTEGER NOT NULL",
            "email_address TEXT NOT NULL",
            "PRIMARY KEY (id)",
            "UNIQUE (email_address)",
            "FOREIGN KEY(user_id) REFERENCES users (id)",
        ]),
        mysql: ddl("addresses", &[
            "id INTEGER AUTO_INCREMENT NOT NULL",
            "user_id INTEGER NOT NULL",
            "email_address VARCHAR(255) NOT NULL",
            "PRIMARY KEY (id)",
            "UNIQUE (email_address)",
            "FOREIGN KEY(user_id) REFERENCES users (id)",
        ]),
    );

    let products = s.md.table("products", |t| {
        t.column("id", Integer).primary_key();
        t.column("sku", Text).not_null();
        t.column("owner_id", Integer)
            .foreign_key("users.id")
            .ondelete("CASCADE");
        t.column("price", Numeric(10, 2))
            .not_null()
            .server_default("0");
        t.column("note", Varchar(40)).server_default("it's");
        t.column("created", DateTime)
            .server_default_sql("CURRENT_TIMESTAMP");
        t.column("mood", Enum::new("mood", ["happy", "sad"]));
        t.column("tag", Text).index();
        t.unique_named("uq_products_sku", ["sku"]);
        t.foreign_key(["owner_id"], "users", ["id"])
            .name("fk_owner")
            .ondelete("SET NULL")
            .onupdate("cascade");
        t.check("ck_price", "price >= 0");
    });
    // Enum: native ENUM on MySQL, a CHECK constraint elsewhere.
    assert_sql!(CreateTable::new(&products),
        sqlite: ddl("products", &[
            "id INTEGER NOT NULL PRIMARY KEY",
            "sku TEXT NOT NULL",
            "owner_id INTEGER",
            "price NUMERIC(10, 2) NOT NULL DEFAULT '0'",
            "note VARCHAR(40) DEFAULT 'it''s'",
            "created DATETIME DEFAULT (CURRENT_TIMESTAMP)",
            "mood VARCHAR(5)",
            "tag TEXT",
            "CONSTRAINT uq_products_sku UNIQUE (sku)",
            "FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE CASCADE",
            "CONSTRAINT fk_owner FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE",
            "CONSTRAINT ck_products_mood CHECK (mood IN ('happy', 'sad'))",
            "CONSTRAINT ck_price CHECK (price >= 0)",
        ]),
        postgres: ddl("products", &[
            "id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL",
            "sku TEXT NOT NULL",
            "owner_id INTEGER",
            "price NUMERIC(10, 2) NOT NULL DEFAULT '0'",
            "note VARCHAR(40) DEFAULT 'it''s'",
            "created TIMESTAMP DEFAULT (CURRENT_TIMESTAMP)",
            "mood VARCHAR(5)",
            "tag TEXT",
            "PRIMARY KEY (id)",
            "CONSTRAINT uq_products_sku UNIQUE (sku)",
            "FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE CASCADE",
            "CONSTRAINT fk_owner FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE",
            "CONSTRAINT ck_products_mood CHECK (mood IN ('happy', 'sad'))",
            "CONSTRAINT ck_price CHECK (price >= 0)",
        ]),
        mysql: ddl("products", &[
            "id INTEGER AUTO_INCREMENT NOT NULL",
            "sku VARCHAR(255) NOT NULL",
            "owner_id INTEGER",
            "price DECIMAL(10, 2) NOT NULL DEFAULT '0'",
            "note VARCHAR(40) DEFAULT 'it''s'",
            "created DATETIME(6) DEFAULT (CURRENT_TIMESTAMP)",
            "mood ENUM('happy', 'sad')",
            "tag VARCHAR(255)",
            "PRIMARY KEY (id)",
            "CONSTRAINT uq_products_sku UNIQUE (sku)",
            "FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE CASCADE",
            "CONSTRAINT fk_owner FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE",
            "CONSTRAINT ck_price CHECK (price >= 0)",
        ]),
    );
    // Indexes are their own statements; MySQL's DROP INDEX names the table.
    let ix = products.indexes()[0].clone();
    assert_eq!(ix.name(), "ix_products_tag");
    let sql = "CREATE INDEX ix_products_tag ON products (tag)";
    assert_sql!(CreateIndex::new(&products, ix), sqlite: sql, postgres: sql, mysql: sql);
    assert_sql!(DropIndex::new(&products, "ix_products_tag"),
        sqlite: "DROP INDEX ix_products_tag",
        postgres: "DROP INDEX ix_products_tag",
        mysql: "DROP INDEX ix_products_tag ON products",
    );
    // A bad referential action is rejected, never written into the DDL.
    let bad = s.md.table("bad", |t| {
        t.column("id", Integer).primary_key();
        t.column("u", Integer)
            .foreign_key("users.id")
            .ondelete("CASCADE; DROP TABLE users");
    });
    let err = CreateTable::new(&bad).compile_for(&postgres()).unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
}

#[test]
fn create_table_mysql_keys_on_text_columns() {
    let md = MetaData::new();
    let t = md.table("keyed", |t| {
        t.column("code", Text).primary_key();
        t.column("a", Text);
        t.column("b", Text);
        t.column("c", Text);
        t.column("free", Text);
        t.unique(["a", "b"]);
        t.unique_index("ux_keyed_c", ["c"]);
    });
    // Every TEXT column in a key or index becomes VARCHAR(255) on MySQL only.
    assert_sql!(CreateTable::new(&t),
        sqlite: ddl("keyed", &[
            "code TEXT NOT NULL", "a TEXT", "b TEXT", "c TEXT", "free TEXT",
            "PRIMARY KEY (code)", "UNIQUE (a, b)",
        ]),
        postgres: ddl("keyed", &[
            "code TEXT NOT NULL", "a TEXT", "b TEXT", "c TEXT", "free TEXT",
            "PRIMARY KEY (code)", "UNIQUE (a, b)",
        ]),
        mysql: ddl("keyed", &[
            "code VARCHAR(255) NOT NULL", "a VARCHAR(255)", "b VARCHAR(255)", "c VARCHAR(255)", "free TEXT",
            "PRIMARY KEY (code)", "UNIQUE (a, b)",
        ]),
    );
    let sql = "CREATE UNIQUE INDEX ux_keyed_c ON keyed (c)";
    assert_sql!(CreateIndex::new(&t, t.indexes()[0].clone()), sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn create_table_self_reference_and_quoted_names() {
    let md = MetaData::new();
    let e = employees(&md);
    // The key has a foreign key... to its own table, but on another column: it autoincrements.
    assert_sql!(CreateTable::new(&e),
        sqlite: ddl("employees", &[
            "id INTEGER NOT NULL PRIMARY KEY", "manager_id INTEGER", "name TEXT",
            "FOREIGN KEY(manager_id) REFERENCES employees (id)",
        ]),
        postgres: ddl("employees", &[
            "id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL", "manager_id INTEGER", "name TEXT",
            "PRIMARY KEY (id)", "FOREIGN KEY(manager_id) REFERENCES employees (id)",
        ]),
        mysql: ddl("employees", &[
            "id INTEGER AUTO_INCREMENT NOT NULL", "manager_id INTEGER", "name TEXT",
            "PRIMARY KEY (id)", "FOREIGN KEY(manager_id) REFERENCES employees (id)",
        ]),
    );
    let q = odd_names(&md);
    assert_sql!(CreateTable::new(&q),
        sqlite: ddl(r#""order""#, &[
            "id INTEGER NOT NULL PRIMARY KEY", r#""select" TEXT"#, r#""User Name" TEXT"#,
            r#""MixedCase" TEXT"#, r#""we""ird`q" TEXT"#, r#""rank" INTEGER"#, r#""9lives" INTEGER"#,
        ]),
        postgres: ddl(r#""order""#, &[
            "id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL", r#""select" TEXT"#, r#""User Name" TEXT"#,
            r#""MixedCase" TEXT"#, r#""we""ird`q" TEXT"#, r#""rank" INTEGER"#, r#""9lives" INTEGER"#,
            "PRIMARY KEY (id)",
        ]),
        mysql: ddl("`order`", &[
            "id INTEGER AUTO_INCREMENT NOT NULL", "`select` TEXT", "`User Name` TEXT",
            "`MixedCase` TEXT", r#"`we"ird``q` TEXT"#, "`rank` INTEGER", "`9lives` INTEGER",
            "PRIMARY KEY (id)",
        ]),
    );
}

#[test]
fn create_table_enum_columns() {
    let md = MetaData::new();
    let state = || Enum::new("state", ["open", "closed"]);
    let t = md.table("moves", |t| {
        t.column("id", Integer).primary_key();
        t.column("from_state", state()).not_null();
        t.column("to_state", state());
        t.column("kind", Enum::new("", ["a'b", "c\\d"]));
    });
    // One CHECK per column, named after the enum type, or after the column when the
    // type is unnamed or already used in this table; values are string literals
    // (MySQL also escapes the backslash).
    assert_sql!(CreateTable::new(&t),
        sqlite: ddl("moves", &[
            "id INTEGER NOT NULL PRIMARY KEY",
            "from_state VARCHAR(6) NOT NULL",
            "to_state VARCHAR(6)",
            "kind VARCHAR(3)",
            "CONSTRAINT ck_moves_state CHECK (from_state IN ('open', 'closed'))",
            "CONSTRAINT ck_moves_to_state CHECK (to_state IN ('open', 'closed'))",
            r"CONSTRAINT ck_moves_kind CHECK (kind IN ('a''b', 'c\d'))",
        ]),
        postgres: ddl("moves", &[
            "id INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL",
            "from_state VARCHAR(6) NOT NULL",
            "to_state VARCHAR(6)",
            "kind VARCHAR(3)",
            "PRIMARY KEY (id)",
            "CONSTRAINT ck_moves_state CHECK (from_state IN ('open', 'closed'))",
            "CONSTRAINT ck_moves_to_state CHECK (to_state IN ('open', 'closed'))",
            r"CONSTRAINT ck_moves_kind CHECK (kind IN ('a''b', 'c\d'))",
        ]),
        mysql: ddl("moves", &[
            "id INTEGER AUTO_INCREMENT NOT NULL",
            "from_state ENUM('open', 'closed') NOT NULL",
            "to_state ENUM('open', 'closed')",
            r"kind ENUM('a''b', 'c\\d')",
            "PRIMARY KEY (id)",
        ]),
    );
}

#[test]
fn compile_and_shared_dialects_agree() {
    use std::sync::Arc;
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    // `stmt.compile(&dialect)` (panics on error) is the same as compile_for.
    let stmt = select(u.c("name")).filter(u.c("id").eq(1));
    assert_eq!(
        stmt.compile(&postgres()).sql(),
        "SELECT users.name FROM users WHERE users.id = $1"
    );
    assert_eq!(stmt.compile(&postgres()).params(), [v(1)]);
    // An engine hands out `Arc<dyn Dialect>` (through `AsDialect`, no forwarding impl):
    // a dialect behind an Arc compiles as the same dialect in a Box.
    let linked = select(a.c("user_id")).cte("linked");
    let stmts: Vec<Box<dyn Executable>> = vec![
        Box::new(
            update(u)
                .set("name", "x")
                .filter(u.c("id").in_(select(linked.c("user_id")))),
        ),
        Box::new(
            insert(u)
                .from_select(["id", "name"], select((a.c("id"), a.c("email_address"))))
                .on_conflict_do_nothing(u.c("id")),
        ),
        Box::new(intersect_all(select(u.c("id")), select(a.c("id")))),
        Box::new(
            select(u.c("id"))
                .order_by(u.c("email").asc().nulls_first())
                .offset(3),
        ),
        Box::new(insert(u).values([("name", "a")]).returning(u.c("id"))),
        Box::new(select(func::length(u.c("name"))).filter(u.c("name").ilike("a%"))),
        Box::new(CreateTable::new(a)),
        // Issue 11's dialect rules.
        Box::new(select((
            u.c("id") / 2,
            u.c("id").floor_div(2),
            u.c("id").cast(Numeric(10, 2)),
            extract("dow", u.c("email")),
            func::lag_with(u.c("id"), 1, 0).over(Window::new()),
        ))),
        Box::new(
            select(u.c("id") + 1)
                .distinct_on(u.c("name"))
                .filter(u.c("email").is_distinct_from(u.c("name")))
                .group_by(u.c("id") + 1),
        ),
        Box::new(update(u).set("name", a.c("email_address"))),
        Box::new(delete(u).filter(u.c("id").eq(a.c("user_id")))),
        Box::new(
            insert(u)
                .values_many([[("name", "a")], [("name", "b")]])
                .returning(u.c("id"))
                .sort_by_parameter_order(),
        ),
    ];
    let dialects: Vec<(Box<dyn Dialect>, Arc<dyn Dialect>)> = vec![
        (Box::new(sqlite()), Arc::new(sqlite())),
        (Box::new(postgres()), Arc::new(postgres())),
        (Box::new(mariadb()), Arc::new(mariadb())),
        (Box::new(mysql8()), Arc::new(mysql8())),
    ];
    for stmt in &stmts {
        for (direct, shared) in &dialects {
            let a = stmt.compile_for(&**direct).map(|c| {
                (
                    c.sql().to_owned(),
                    c.params().to_vec(),
                    c.fetch_after().cloned(),
                )
            });
            let b = stmt.compile_for(&**shared).map(|c| {
                (
                    c.sql().to_owned(),
                    c.params().to_vec(),
                    c.fetch_after().cloned(),
                )
            });
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{} dialect", direct.name()),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{} dialect: {a:?} vs {b:?}", direct.name()),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Issue 11: division, ORDER BY labels, multi-table UPDATE/DELETE, GROUP BY
// with parameters, NUMERIC casts, result names and the constructs of point 4
// (each also runs on every backend in core_constructs.rs)
// ---------------------------------------------------------------------------

/// `nums` (id, n INTEGER, amount NUMERIC(10, 2), f DOUBLE).
fn nums(md: &MetaData) -> Table {
    md.table("nums", |t| {
        t.column("id", Integer).primary_key();
        t.column("n", Integer);
        t.column("amount", Numeric(10, 2));
        t.column("f", Double);
    })
}

#[test]
fn true_division_casts_the_divisor_as_sqlalchemy_does() {
    let s = schema();
    let t = nums(&s.md);
    // The divisor's own type when NUMERIC or floating, else NUMERIC (PostgreSQL);
    // `+ 0.0` on SQLite; MySQL's `/` is exact already.
    let stmt = select((
        t.c("n") / 2,
        t.c("n") / t.c("amount"),
        t.c("n") / 2.5,
        t.c("amount") / t.c("f"),
    ));
    assert_sql!(stmt,
        sqlite: "SELECT nums.n / (? + 0.0) AS anon_1, nums.n / (nums.amount + 0.0) AS anon_2, \
                 nums.n / (? + 0.0) AS anon_3, nums.amount / (nums.f + 0.0) AS anon_4 FROM nums",
        postgres: "SELECT nums.n / CAST($1 AS NUMERIC) AS anon_1, nums.n / CAST(nums.amount AS NUMERIC(10, 2)) AS anon_2, \
                   nums.n / CAST($2 AS DOUBLE PRECISION) AS anon_3, nums.amount / CAST(nums.f AS DOUBLE PRECISION) AS anon_4 FROM nums",
        mysql: "SELECT nums.n / ? AS anon_1, nums.n / nums.amount AS anon_2, nums.n / ? AS anon_3, \
                nums.amount / nums.f AS anon_4 FROM nums",
    );
    assert_params(&stmt, &[v(2), v(2.5)]);
    // A divisor that binds looser than `+` keeps its parentheses inside them.
    let stmt = select(t.c("n") / (t.c("id") - 1));
    assert_sql!(stmt,
        sqlite: "SELECT nums.n / (nums.id - ? + 0.0) AS anon_1 FROM nums",
        postgres: "SELECT nums.n / CAST(nums.id - $1 AS NUMERIC) AS anon_1 FROM nums",
        mysql: "SELECT nums.n / (nums.id - ?) AS anon_1 FROM nums",
    );
}

#[test]
fn floor_division_floors_everywhere() {
    let s = schema();
    let t = nums(&s.md);
    // FLOOR of the true quotient; SQLite (built without FLOOR) truncates with
    // CAST and subtracts one where that rounded up.
    let stmt = select(t.c("n").floor_div(2).label("q"));
    assert_sql!(stmt,
        sqlite: "SELECT (CAST(nums.n / (? + 0.0) AS INTEGER) - (nums.n / (? + 0.0) < CAST(nums.n / (? + 0.0) AS INTEGER))) AS q FROM nums",
        postgres: "SELECT FLOOR(nums.n / CAST($1 AS NUMERIC)) AS q FROM nums",
        mysql: "SELECT FLOOR(nums.n / ?) AS q FROM nums",
    );
    assert_eq!(compile(&stmt, &sqlite()).params(), [v(2), v(2), v(2)]);
    assert_eq!(compile(&stmt, &postgres()).params(), [v(2)]);
    let stmt = select(t.c("f").floor_div(t.c("amount")));
    assert_sql!(stmt,
        sqlite: "SELECT (CAST(nums.f / (nums.amount + 0.0) AS INTEGER) - (nums.f / (nums.amount + 0.0) < \
                 CAST(nums.f / (nums.amount + 0.0) AS INTEGER))) AS anon_1 FROM nums",
        postgres: "SELECT FLOOR(nums.f / CAST(nums.amount AS NUMERIC(10, 2))) AS anon_1 FROM nums",
        mysql: "SELECT FLOOR(nums.f / nums.amount) AS anon_1 FROM nums",
    );
}

#[test]
fn order_by_a_label_names_it_only_for_the_same_expression() {
    let s = schema();
    let u = &s.users;
    // The select list's "x" labels another expression: ORDER BY the expression.
    let stmt = select((u.c("id"), u.c("name").label("x"))).order_by((u.c("id") * 2).label("x"));
    assert_sql!(stmt,
        sqlite: "SELECT users.id, users.name AS x FROM users ORDER BY users.id * ?",
        postgres: "SELECT users.id, users.name AS x FROM users ORDER BY users.id * $1",
        mysql: "SELECT users.id, users.name AS x FROM users ORDER BY users.id * ?",
    );
    // Same expression, other value: not the same.
    let stmt = select((u.c("id") * 3).label("x")).order_by((u.c("id") * 2).label("x").desc());
    assert_sql!(stmt,
        sqlite: "SELECT users.id * ? AS x FROM users ORDER BY users.id * ? DESC",
        postgres: "SELECT users.id * $1 AS x FROM users ORDER BY users.id * $2 DESC",
        mysql: "SELECT users.id * ? AS x FROM users ORDER BY users.id * ? DESC",
    );
    let stmt = select((u.c("id") * 2).label("x")).order_by((u.c("id") * 2).label("x").desc());
    assert_sql!(stmt,
        sqlite: "SELECT users.id * ? AS x FROM users ORDER BY x DESC",
        postgres: "SELECT users.id * $1 AS x FROM users ORDER BY x DESC",
        mysql: "SELECT users.id * ? AS x FROM users ORDER BY x DESC",
    );
}

#[test]
fn order_by_and_group_by_a_name() {
    let s = schema();
    let u = &s.users;
    // A label by its name, a column as itself (SQLAlchemy's order_by("name")).
    let stmt = select((u.c("name"), func::count(u.c("id")).label("n")))
        .group_by("name")
        .order_by((label_ref("n").desc(), label_ref("name")));
    assert_sql!(stmt,
        sqlite: "SELECT users.name, count(users.id) AS n FROM users GROUP BY users.name ORDER BY n DESC, users.name",
        postgres: "SELECT users.name, count(users.id) AS n FROM users GROUP BY users.name ORDER BY n DESC, users.name",
        mysql: "SELECT users.name, count(users.id) AS n FROM users GROUP BY users.name ORDER BY n DESC, users.name",
    );
    let stmt = select((u.c("id") * 2).label("twice")).order_by("twice");
    assert_sql!(stmt,
        sqlite: "SELECT users.id * ? AS twice FROM users ORDER BY twice",
        postgres: "SELECT users.id * $1 AS twice FROM users ORDER BY twice",
        mysql: "SELECT users.id * ? AS twice FROM users ORDER BY twice",
    );
    // A set operation: names of its first member, unqualified.
    let stmt = union(select(u.c("name")), select(u.c("email"))).order_by(label_ref("name").desc());
    assert_sql!(stmt,
        sqlite: "SELECT users.name FROM users UNION SELECT users.email FROM users ORDER BY name DESC",
        postgres: "(SELECT users.name FROM users) UNION (SELECT users.email FROM users) ORDER BY name DESC",
        mysql: "(SELECT users.name FROM users) UNION (SELECT users.email FROM users) ORDER BY name DESC",
    );
    // A name the select list does not have.
    let err = select(u.c("id"))
        .order_by("nope")
        .compile_for(&sqlite())
        .unwrap_err();
    assert!(matches!(err, Error::ArgumentError(_)), "{err}");
    assert!(err.to_string().contains("(it has: id)"), "{err}");
}

#[test]
fn update_naming_another_table() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = update(u)
        .filter(u.c("id").eq(a.c("user_id")))
        .filter(a.c("email_address").like("%@x"))
        .set("email", a.c("email_address"));
    assert_sql!(stmt,
        sqlite: "UPDATE users SET email = addresses.email_address FROM addresses \
                 WHERE users.id = addresses.user_id AND addresses.email_address LIKE ?",
        postgres: "UPDATE users SET email = addresses.email_address FROM addresses \
                   WHERE users.id = addresses.user_id AND addresses.email_address LIKE $1",
        mysql: "UPDATE users, addresses SET users.email = addresses.email_address \
                WHERE users.id = addresses.user_id AND addresses.email_address LIKE ?",
    );
    // Another table only in SET; RETURNING is qualified then.
    let stmt = update(u)
        .set("name", a.c("email_address"))
        .returning((u.c("id"), u.c("name")));
    assert_sql!(stmt,
        sqlite: "UPDATE users SET name = addresses.email_address FROM addresses RETURNING users.id, users.name",
        postgres: "UPDATE users SET name = addresses.email_address FROM addresses RETURNING users.id, users.name",
        mysql: unsupported("UPDATE .. RETURNING"),
    );
    // A subquery in WHERE correlates with the target and the other table;
    // here only with the target (a subquery correlating every FROM it has is
    // an error, as in SQLAlchemy).
    let sub = || select(a.c("id")).filter(a.c("user_id").eq(u.c("id")));
    let err = update(u)
        .filter(u.c("id").eq(a.c("user_id")))
        .filter(exists(sub()))
        .set("name", "x")
        .compile_for(&sqlite())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    let stmt = update(u)
        .filter(u.c("id").eq(a.c("user_id")))
        .filter(exists(sub().correlate(u)))
        .set("name", "x");
    assert_sql!(stmt,
        sqlite: "UPDATE users SET name = ? FROM addresses WHERE users.id = addresses.user_id AND \
                 EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)",
        postgres: "UPDATE users SET name = $1 FROM addresses WHERE users.id = addresses.user_id AND \
                   EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)",
        mysql: "UPDATE users, addresses SET users.name = ? WHERE users.id = addresses.user_id AND \
                EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)",
    );
}

#[test]
fn delete_naming_another_table() {
    let s = schema();
    let (u, a) = (&s.users, &s.addresses);
    let stmt = delete(u)
        .filter(u.c("id").eq(a.c("user_id")))
        .filter(a.c("id").gt(3));
    // SQLite has no multi-table DELETE (SQLAlchemy refuses it): a correlated EXISTS.
    assert_sql!(stmt,
        sqlite: "DELETE FROM users WHERE EXISTS (SELECT 1 FROM addresses WHERE users.id = addresses.user_id AND addresses.id > ?)",
        postgres: "DELETE FROM users USING addresses WHERE users.id = addresses.user_id AND addresses.id > $1",
        mysql: "DELETE FROM users USING users, addresses WHERE users.id = addresses.user_id AND addresses.id > ?",
    );
    assert_params(&stmt, &[v(3)]);
}

#[test]
fn group_by_reuses_the_select_lists_placeholders_on_postgresql() {
    let s = schema();
    let u = &s.users;
    let stmt = select(((u.c("id") + 1).label("b"), func::count_star()))
        .group_by(u.c("id") + 1)
        .having((u.c("id") + 1).gt(2))
        .order_by(u.c("id") + 1);
    assert_sql!(stmt,
        sqlite: "SELECT users.id + ? AS b, count(*) AS count_1 FROM users GROUP BY users.id + ? \
                 HAVING users.id + ? > ? ORDER BY users.id + ?",
        postgres: "SELECT users.id + $1 AS b, count(*) AS count_1 FROM users GROUP BY users.id + $1 \
                   HAVING users.id + $1 > $2 ORDER BY users.id + $1",
        mysql: "SELECT users.id + ? AS b, count(*) AS count_1 FROM users GROUP BY users.id + ? \
                HAVING users.id + ? > ? ORDER BY users.id + ?",
    );
    assert_eq!(compile(&stmt, &postgres()).params(), [v(1), v(2)]);
    assert_eq!(
        compile(&stmt, &sqlite()).params(),
        [v(1), v(1), v(1), v(2), v(1)]
    );
    // Another value is another expression; a GROUP BY expression is reused too.
    let stmt = select(u.c("id") + 1)
        .group_by((u.c("id") + 2, u.c("name").concat("!")))
        .order_by(u.c("name").concat("!"));
    assert_eq!(
        compile(&stmt, &postgres()).sql(),
        "SELECT users.id + $1 AS anon_1 FROM users GROUP BY users.id + $2, users.name || $3 ORDER BY users.name || $3"
    );
    // The cache keys on the reuse: same shape, different values, different SQL.
    let cache = oxalchemy::core::CompileCache::new(10);
    let same = select(u.c("id") + 1).group_by(u.c("id") + 1);
    let other = select(u.c("id") + 1).group_by(u.c("id") + 2);
    let a = cache.compile(&same, &postgres()).unwrap();
    let b = cache.compile(&other, &postgres()).unwrap();
    assert_eq!(
        a.sql(),
        "SELECT users.id + $1 AS anon_1 FROM users GROUP BY users.id + $1"
    );
    assert_eq!(
        b.sql(),
        "SELECT users.id + $1 AS anon_1 FROM users GROUP BY users.id + $2"
    );
    assert_eq!(b.params(), [v(1), v(2)]);
}

#[test]
fn result_columns_are_named_as_sqlalchemy_names_them() {
    let s = schema();
    let u = &s.users;
    let stmt = select((
        u.c("id").cast(Text),
        u.c("name"),
        func::count(u.c("id")),
        u.c("id").cast(Integer),
        func::max(u.c("id")),
        u.c("id") + 1,
        literal(5),
        null(),
        literal_column("1"),
        func::count_star(),
        func::row_number().over(Window::new()),
    ));
    assert_sql!(stmt,
        sqlite: "SELECT CAST(users.id AS TEXT) AS id, users.name, count(users.id) AS count_1, CAST(users.id AS INTEGER) AS id__1, \
                 max(users.id) AS max_1, users.id + ? AS anon_1, ? AS anon_2, NULL AS anon_3, 1, count(*) AS count_2, \
                 row_number() OVER () AS anon_4 FROM users",
        postgres: "SELECT CAST(users.id AS TEXT) AS id, users.name, count(users.id) AS count_1, CAST(users.id AS INTEGER) AS id__1, \
                   max(users.id) AS max_1, users.id + $1 AS anon_1, $2 AS anon_2, NULL AS anon_3, 1, count(*) AS count_2, \
                   row_number() OVER () AS anon_4 FROM users",
        mysql: "SELECT CAST(users.id AS CHAR) AS id, users.name, count(users.id) AS count_1, CAST(users.id AS SIGNED) AS id__1, \
                max(users.id) AS max_1, users.id + ? AS anon_1, ? AS anon_2, NULL AS anon_3, 1, count(*) AS count_2, \
                row_number() OVER () AS anon_4 FROM users",
    );
    // A subquery's CAST column is reached by the column's name.
    let sq = select(u.c("id").cast(Text)).subquery("sq");
    assert_sql!(select(sq.c("id")),
        sqlite: "SELECT sq.id FROM (SELECT CAST(users.id AS TEXT) AS id FROM users) AS sq",
        postgres: "SELECT sq.id FROM (SELECT CAST(users.id AS TEXT) AS id FROM users) AS sq",
        mysql: "SELECT sq.id FROM (SELECT CAST(users.id AS CHAR) AS id FROM users) AS sq",
    );
}

#[test]
fn result_column_types_are_recorded() {
    let s = schema();
    let t = nums(&s.md);
    let stmt = select((
        func::sum(t.c("amount")),
        t.c("n").in_([1, 2]),
        exists(select(t.c("id"))),
        t.c("f").is_null(),
        func::count_star(),
        func::avg(t.c("amount")),
        t.c("amount").cast(Numeric(8, 3)),
        t.c("n").floor_div(2),
        extract(DatePart::Year, t.c("n")),
    ));
    let types = vec![
        Some(SqlType::Numeric(10, 2)),
        Some(SqlType::Boolean),
        Some(SqlType::Boolean),
        Some(SqlType::Boolean),
        Some(SqlType::BigInteger),
        None,
        Some(SqlType::Numeric(8, 3)),
        Some(SqlType::BigInteger),
        Some(SqlType::Integer),
    ];
    for d in [&sqlite() as &dyn Dialect, &postgres(), &mariadb()] {
        assert_eq!(compile(&stmt, d).column_types(), types, "{}", d.name());
    }
    // Through the cache too (a hit takes this statement's types).
    let cache = oxalchemy::core::CompileCache::new(10);
    let a = cache.compile(&select(t.c("n") + 1), &postgres()).unwrap();
    let b = cache.compile(&select(t.c("n") + 1.5), &postgres()).unwrap();
    assert_eq!(a.column_types(), [Some(SqlType::Integer)]);
    assert_eq!(b.column_types(), [Some(SqlType::Double)]);
    let returning = insert(&t)
        .values([("n", 1)])
        .returning((t.c("id"), t.c("amount")));
    assert_eq!(
        compile(&returning, &postgres()).column_types(),
        [Some(SqlType::Integer), Some(SqlType::Numeric(10, 2))]
    );
}

#[test]
fn cast_to_numeric_rounds_on_sqlite() {
    let s = schema();
    let t = nums(&s.md);
    let stmt = select(t.c("f").cast(Numeric(10, 2)));
    assert_sql!(stmt,
        sqlite: "SELECT ROUND(CAST(nums.f AS NUMERIC(10, 2)), 2) AS f FROM nums",
        postgres: "SELECT CAST(nums.f AS NUMERIC(10, 2)) AS f FROM nums",
        mysql: "SELECT CAST(nums.f AS DECIMAL(10, 2)) AS f FROM nums",
    );
}

#[test]
fn is_distinct_from() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("id")).filter(
        u.c("email")
            .is_distinct_from(u.c("name"))
            .and(u.c("email").is_not_distinct_from(null()))
            .and(u.c("id").is_distinct_from(3)),
    );
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.email IS NOT users.name AND users.email IS NULL AND users.id IS NOT ?",
        postgres: "SELECT users.id FROM users WHERE users.email IS DISTINCT FROM users.name AND \
                   users.email IS NOT DISTINCT FROM NULL AND users.id IS DISTINCT FROM $1",
        mysql: "SELECT users.id FROM users WHERE NOT (users.email <=> users.name) AND users.email <=> NULL \
                AND NOT (users.id <=> ?)",
    );
}

#[test]
fn like_with_escape_icontains_and_autoescape() {
    let s = schema();
    let u = &s.users;
    let q = |cond: Expr<bool>| select(u.c("id")).filter(cond);
    assert_sql!(q(u.c("name").like("a!%%").escape('!')),
        sqlite: "SELECT users.id FROM users WHERE users.name LIKE ? ESCAPE '!'",
        postgres: "SELECT users.id FROM users WHERE users.name LIKE $1 ESCAPE '!'",
        mysql: "SELECT users.id FROM users WHERE users.name LIKE ? ESCAPE '!'",
    );
    assert_sql!(q(u.c("name").not_ilike("a!%%").escape('!')),
        sqlite: "SELECT users.id FROM users WHERE lower(users.name) NOT LIKE lower(?) ESCAPE '!'",
        postgres: "SELECT users.id FROM users WHERE users.name NOT ILIKE $1 ESCAPE '!'",
        mysql: "SELECT users.id FROM users WHERE lower(users.name) NOT LIKE lower(?) ESCAPE '!'",
    );
    let stmt = q(u.c("name").icontains("a%b"));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE lower(users.name) LIKE lower(?) ESCAPE '/'",
        postgres: "SELECT users.id FROM users WHERE users.name ILIKE $1 ESCAPE '/'",
        mysql: "SELECT users.id FROM users WHERE lower(users.name) LIKE lower(?) ESCAPE '/'",
    );
    assert_params(&stmt, &[v("%a/%b%")]);
    assert_params(&q(u.c("name").istartswith("a_")), &[v("a/_%")]);
    assert_params(&q(u.c("name").iendswith("_a")), &[v("%/_a")]);
    // autoescape(false): SQLAlchemy's default, `%` and `_` are wildcards.
    let stmt = q(u.c("name").contains("a%b").autoescape(false));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE users.name LIKE ?",
        postgres: "SELECT users.id FROM users WHERE users.name LIKE $1",
        mysql: "SELECT users.id FROM users WHERE users.name LIKE ?",
    );
    assert_params(&stmt, &[v("%a%b%")]);
    // escape(c) on contains: the literal carries its own escapes.
    assert_params(&q(u.c("name").contains("a^%").escape('^')), &[v("%a^%%")]);
    // An expression is concatenated, never escaped.
    let stmt = q(u.c("name").icontains(u.c("email")));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE lower(users.name) LIKE lower(? || users.email || ?)",
        postgres: "SELECT users.id FROM users WHERE users.name ILIKE $1 || users.email || $2",
        mysql: "SELECT users.id FROM users WHERE lower(users.name) LIKE lower(CONCAT(CONCAT(?, users.email), ?))",
    );
}

#[test]
fn literal_null_booleans_and_literal_column() {
    let s = schema();
    let u = &s.users;
    let stmt = select((
        literal(5).label("five"),
        null().label("nada"),
        true_().label("yes"),
    ))
    .filter(false_().not());
    assert_sql!(stmt,
        sqlite: "SELECT ? AS five, NULL AS nada, 1 AS yes WHERE NOT (0)",
        postgres: "SELECT $1 AS five, NULL AS nada, TRUE AS yes WHERE NOT (FALSE)",
        mysql: "SELECT ? AS five, NULL AS nada, 1 AS yes WHERE NOT (0)",
    );
    assert_params(&stmt, &[v(5)]);
    // eq(null()) is IS NULL; a literal column is written as is and names its result.
    let stmt = select((u.c("id"), literal_column("count(*) OVER ()"))).filter(
        u.c("email")
            .eq(null())
            .and(literal_column("users.id").gt(1)),
    );
    let sql = |p: &str| {
        format!(
            "SELECT users.id, count(*) OVER () FROM users WHERE users.email IS NULL AND users.id > {p}"
        )
    };
    assert_sql!(stmt, sqlite: sql("?"), postgres: sql("$1"), mysql: sql("?"));
}

#[test]
fn tuple_in() {
    let s = schema();
    let u = &s.users;
    let stmt = select(u.c("id")).filter(tuple_((u.c("id"), u.c("name"))).in_([(1, "a"), (2, "b")]));
    assert_sql!(stmt,
        sqlite: "SELECT users.id FROM users WHERE (users.id, users.name) IN ((?, ?), (?, ?))",
        postgres: "SELECT users.id FROM users WHERE (users.id, users.name) IN (($1, $2), ($3, $4))",
        mysql: "SELECT users.id FROM users WHERE (users.id, users.name) IN ((?, ?), (?, ?))",
    );
    assert_params(&stmt, &[v(1), v("a"), v(2), v("b")]);
    let a = &s.addresses;
    let stmt = select(u.c("id")).filter(
        tuple_((u.c("id"), u.c("email"))).not_in(select((a.c("user_id"), a.c("email_address")))),
    );
    let sql = "SELECT users.id FROM users WHERE (users.id, users.email) NOT IN \
               (SELECT addresses.user_id, addresses.email_address FROM addresses)";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn extract_parts() {
    let s = schema();
    let t = s.md.table("events", |t| {
        t.column("id", Integer).primary_key();
        t.column("at", DateTime);
    });
    let parts = select((
        extract("year", t.c("at")),
        extract(DatePart::Quarter, t.c("at")),
        extract("dow", t.c("at")),
        extract("doy", t.c("at")),
        extract("epoch", t.c("at")),
    ));
    assert_sql!(parts,
        sqlite: "SELECT CAST(STRFTIME('%Y', events.at) AS INTEGER) AS anon_1, \
                 ((CAST(STRFTIME('%m', events.at) AS INTEGER) + 2) / 3) AS anon_2, \
                 CAST(STRFTIME('%w', events.at) AS INTEGER) AS anon_3, CAST(STRFTIME('%j', events.at) AS INTEGER) AS anon_4, \
                 CAST(STRFTIME('%s', events.at) AS INTEGER) AS anon_5 FROM events",
        postgres: "SELECT EXTRACT(year FROM events.at) AS anon_1, EXTRACT(quarter FROM events.at) AS anon_2, \
                   EXTRACT(dow FROM events.at) AS anon_3, EXTRACT(doy FROM events.at) AS anon_4, \
                   EXTRACT(epoch FROM events.at) AS anon_5 FROM events",
        mysql: "SELECT EXTRACT(year FROM events.at) AS anon_1, EXTRACT(quarter FROM events.at) AS anon_2, \
                (DAYOFWEEK(events.at) - 1) AS anon_3, DAYOFYEAR(events.at) AS anon_4, \
                UNIX_TIMESTAMP(events.at) AS anon_5 FROM events",
    );
    assert_eq!(DatePart::parse("DOY"), Some(DatePart::DayOfYear));
    // An unknown part is refused when the statement compiles (an ArgumentError, not a panic).
    let err = select(extract("fortnight", t.c("at")))
        .try_compile(&SqliteDialect)
        .unwrap_err();
    assert!(err.to_string().contains("not a date part"), "{err}");
}

#[test]
fn functions_with_any_number_of_arguments_and_lag_with_a_default() {
    let s = schema();
    let u = &s.users;
    let stmt = select(func::call("coalesce", vec![1; 12]));
    let sql = |p: &dyn Fn(usize) -> String| {
        let args: Vec<String> = (1..=12).map(p).collect();
        format!("SELECT coalesce({}) AS coalesce_1", args.join(", "))
    };
    assert_sql!(stmt,
        sqlite: sql(&|_| "?".into()),
        postgres: sql(&|i| format!("${i}")),
        mysql: sql(&|_| "?".into()),
    );
    assert_params(&stmt, &vec![v(1); 12]);
    let stmt = select(func::call(
        "greatest",
        (u.c("id"), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    ));
    assert_eq!(compile(&stmt, &mysql8()).params().len(), 15);
    // lag(x, offset, default): the offset inline; MariaDB's LAG takes no default.
    let w = || Window::new().partition_by(u.c("name")).order_by(u.c("id"));
    let stmt = select((
        func::lag_with(u.c("id"), 2, 0).over(w()).label("prev"),
        func::lead_with(u.c("id"), 1, -1).over(w()).label("next"),
    ));
    assert_sql!(stmt,
        sqlite: "SELECT lag(users.id, 2, ?) OVER (PARTITION BY users.name ORDER BY users.id) AS prev, \
                 lead(users.id, 1, ?) OVER (PARTITION BY users.name ORDER BY users.id) AS next FROM users",
        postgres: "SELECT lag(users.id, 2, $1) OVER (PARTITION BY users.name ORDER BY users.id) AS prev, \
                   lead(users.id, 1, $2) OVER (PARTITION BY users.name ORDER BY users.id) AS next FROM users",
        mariadb: "SELECT CASE WHEN COUNT(*) OVER (PARTITION BY users.name ORDER BY users.id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) > 2 \
                  THEN lag(users.id, 2) OVER (PARTITION BY users.name ORDER BY users.id) ELSE ? END AS prev, \
                  CASE WHEN COUNT(*) OVER (PARTITION BY users.name ORDER BY users.id ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) > 1 \
                  THEN lead(users.id, 1) OVER (PARTITION BY users.name ORDER BY users.id) ELSE ? END AS next FROM users",
        mysql8: "SELECT lag(users.id, 2, ?) OVER (PARTITION BY users.name ORDER BY users.id) AS prev, \
                 lead(users.id, 1, ?) OVER (PARTITION BY users.name ORDER BY users.id) AS next FROM users",
    );
    assert_params(&stmt, &[v(0), v(-1)]);
}

#[test]
fn aliases_of_a_subquery_and_of_a_cte() {
    let s = schema();
    let a = &s.addresses;
    let c = select((a.c("id"), a.c("user_id"))).cte("c");
    let (c1, c2) = (c.alias("c1"), c.alias("c2"));
    let stmt = select((c1.c("id"), c2.c("id")))
        .join_on(&c2, c1.c("user_id").eq(c2.c("user_id")))
        .filter(c1.c("id").lt(c2.c("id")));
    let sql = |p: &str| {
        format!(
            "WITH c AS (SELECT addresses.id, addresses.user_id FROM addresses) SELECT c1.id, c2.id \
             FROM c AS c1 JOIN c AS c2 ON c1.user_id = c2.user_id WHERE c1.id < c2.id{p}"
        )
    };
    assert_sql!(stmt, sqlite: sql(""), postgres: sql(""), mysql: sql(""));
    // The CTE under its own name and an alias.
    let stmt = select((c.c("id"), c2.c("id"))).join_on(&c2, c.c("user_id").eq(c2.c("user_id")));
    let sql = "WITH c AS (SELECT addresses.id, addresses.user_id FROM addresses) SELECT c.id, c2.id \
               FROM c JOIN c AS c2 ON c.user_id = c2.user_id";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
    let sq = select((a.c("user_id"), func::count_star().label("n")))
        .group_by(a.c("user_id"))
        .subquery("sq");
    let other = sq.alias("other");
    let stmt =
        select((sq.c("user_id"), other.c("user_id"))).join_on(&other, sq.c("n").lt(other.c("n")));
    let inner = "SELECT addresses.user_id, count(*) AS n FROM addresses GROUP BY addresses.user_id";
    let sql = format!(
        "SELECT sq.user_id, other.user_id FROM ({inner}) AS sq JOIN ({inner}) AS other ON sq.n < other.n"
    );
    assert_sql!(stmt, sqlite: sql.clone(), postgres: sql.clone(), mysql: sql);
}

#[test]
fn correlation_with_the_immediately_enclosing_query_and_by_hand() {
    let md = MetaData::new();
    let a = md.table("ca", |t| {
        t.column("id", Integer).primary_key();
    });
    let b = md.table("cb", |t| {
        t.column("id", Integer).primary_key();
        t.column("a_id", Integer);
    });
    let c = md.table("cc", |t| {
        t.column("id", Integer).primary_key();
        t.column("b_id", Integer);
        t.column("a_id", Integer);
    });
    let inner = || {
        select(c.c("id"))
            .filter(c.c("b_id").eq(b.c("id")))
            .filter(c.c("a_id").eq(a.c("id")))
    };
    let query = |inner: Select<AnyType>| {
        select(a.c("id")).filter(exists(
            select(b.c("id"))
                .filter(b.c("a_id").eq(a.c("id")))
                .filter(exists(inner)),
        ))
    };
    // SQLAlchemy's SQL for each (checked with SQLAlchemy 2.1).
    let sql = |froms: &str| {
        format!(
            "SELECT ca.id FROM ca WHERE EXISTS (SELECT cb.id FROM cb WHERE cb.a_id = ca.id AND \
             EXISTS (SELECT cc.id FROM {froms} WHERE cc.b_id = cb.id AND cc.a_id = ca.id))"
        )
    };
    for (stmt, froms) in [
        (query(inner()), "cc, ca"),
        (query(inner().correlate(&a)), "cc, cb"),
        (query(inner().correlate((&a, &b))), "cc"),
        (query(inner().correlate_except(&b)), "cc, cb"),
        (query(inner().correlate_except(())), "cc"),
    ] {
        assert_sql!(stmt, sqlite: sql(froms), postgres: sql(froms), mysql: sql(froms));
    }
    // correlate(()): nothing is correlated, not even the enclosing query's table.
    let stmt = select(a.c("id")).filter(exists(
        select(b.c("id"))
            .filter(b.c("a_id").eq(a.c("id")))
            .correlate(()),
    ));
    let sql = "SELECT ca.id FROM ca WHERE EXISTS (SELECT cb.id FROM cb, ca WHERE cb.a_id = ca.id)";
    assert_sql!(stmt, sqlite: sql, postgres: sql, mysql: sql);
}

#[test]
fn distinct_on() {
    let s = schema();
    let u = &s.users;
    let stmt = select((u.c("id"), u.c("name")))
        .distinct_on(u.c("name").concat("!"))
        .order_by((u.c("name").concat("!"), u.c("id").desc()));
    // SQLAlchemy ignores it elsewhere (deprecated, to become an error): an error here.
    assert_sql!(stmt,
        sqlite: unsupported("DISTINCT ON"),
        postgres: "SELECT DISTINCT ON (users.name || $1) users.id, users.name FROM users ORDER BY users.name || $1, users.id DESC",
        mysql: unsupported("DISTINCT ON"),
    );
}

#[test]
fn upsert_do_update_where() {
    let s = schema();
    let u = &s.users;
    let stmt = insert(u)
        .values((("id", 1), ("name", "x")))
        .on_conflict_do_update_where(
            u.c("id"),
            [("name", excluded("name")), ("email", excluded("email"))],
            u.c("name").lt(excluded("name")),
        );
    // MySQL has no WHERE there: each column keeps its value unless the
    // condition holds, the column the condition reads assigned last.
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                 email = excluded.email WHERE users.name < excluded.name",
        postgres: "INSERT INTO users (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                   email = excluded.email WHERE users.name < excluded.name",
        mysql: "INSERT INTO users (id, name) VALUES (?, ?) ON DUPLICATE KEY UPDATE \
                email = IF(users.name < VALUES(name), VALUES(email), users.email), \
                name = IF(users.name < VALUES(name), VALUES(name), users.name)",
    );
    // A condition reading two updated columns cannot be emulated on MySQL.
    let stmt = insert(u)
        .values((("id", 1), ("name", "x")))
        .on_conflict_do_update_where(
            u.c("id"),
            [("name", excluded("name")), ("email", excluded("email"))],
            u.c("name").ne(u.c("email")),
        );
    check_one(
        &stmt,
        "mariadb",
        &mariadb(),
        unsupported("on_conflict_do_update_where"),
    );
}

#[test]
fn multi_row_returning_in_parameter_order_on_sqlite() {
    let s = schema();
    let u = &s.users;
    let stmt = insert(u)
        .values_many([[("name", "a")], [("name", "b")]])
        .returning((u.c("id"), u.c("name")))
        .sort_by_parameter_order();
    // SQLite names the VALUES columns column1, column2, ..
    assert_sql!(stmt,
        sqlite: "INSERT INTO users (name) SELECT column1 FROM (VALUES (?, 0), (?, 1)) ORDER BY column2 RETURNING id, name",
        postgres: "INSERT INTO users (name) SELECT p0 FROM (VALUES (CAST($1 AS TEXT), 0), (CAST($2 AS TEXT), 1)) \
                   AS imp_sen (p0, sen_counter) ORDER BY sen_counter RETURNING id, name",
        mariadb: "INSERT INTO users (name) VALUES (?), (?) RETURNING id, name",
        mysql8: unsupported("sort_by_parameter_order"),
    );
    assert_params(
        &insert(u).values_many([[("name", "a")], [("name", "b")]]),
        &[v("a"), v("b")],
    );
}

// ---------------------------------------------------------------------------
// The constructs hybrid attributes translate to (docs/hybrids.md)
// ---------------------------------------------------------------------------

use oxalchemy::core::Node;

fn string_op(op: oxalchemy::core::expr::StringOp, operand: Node) -> Expr {
    Expr::new(Node::StringOp {
        op,
        operand: Box::new(operand),
    })
}

#[test]
fn truncating_division_is_div_on_mysql() {
    let s = schema();
    let t = nums(&s.md);
    let q = Expr::<AnyType>::new(Node::Binary {
        op: oxalchemy::core::expr::BinOp::TruncDiv,
        left: Box::new(t.c("n").into_node()),
        right: Box::new(Node::Param(Value::from(7))),
    });
    assert_sql!(select(q.label("q")),
        sqlite: "SELECT nums.n / ? AS q FROM nums",
        postgres: "SELECT nums.n / $1 AS q FROM nums",
        mysql: "SELECT nums.n DIV ? AS q FROM nums",
    );
}

#[test]
fn string_ops_match_rust_per_dialect() {
    use oxalchemy::core::expr::StringOp;
    let s = schema();
    let name = || s.users.c("name").into_node();
    assert_sql!(select(string_op(StringOp::ByteLength, name()).label("x")),
        sqlite: "SELECT length(CAST(users.name AS BLOB)) AS x FROM users",
        postgres: "SELECT octet_length(users.name) AS x FROM users",
        mysql: "SELECT LENGTH(users.name) AS x FROM users",
    );
    assert_sql!(select(string_op(StringOp::CharLength, name()).label("x")),
        sqlite: "SELECT length(users.name) AS x FROM users",
        postgres: "SELECT char_length(users.name) AS x FROM users",
        mysql: "SELECT CHAR_LENGTH(users.name) AS x FROM users",
    );
    let mysql_lower = format!(
        "SELECT {}users.name{} AS x FROM users",
        "REPLACE(".repeat(26),
        (b'A'..=b'Z')
            .map(|c| format!(", '{}', '{}')", c as char, c.to_ascii_lowercase() as char))
            .collect::<String>()
    );
    assert_sql!(select(string_op(StringOp::AsciiLower, name()).label("x")),
        sqlite: "SELECT lower(users.name) AS x FROM users",
        postgres: "SELECT translate(users.name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS x FROM users",
        mysql: mysql_lower.as_str(),
    );
    let mysql_upper = format!(
        "SELECT {}users.name{} AS x FROM users",
        "REPLACE(".repeat(26),
        (b'a'..=b'z')
            .map(|c| format!(", '{}', '{}')", c as char, c.to_ascii_uppercase() as char))
            .collect::<String>()
    );
    assert_sql!(select(string_op(StringOp::AsciiUpper, name()).label("x")),
        sqlite: "SELECT upper(users.name) AS x FROM users",
        postgres: "SELECT translate(users.name, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') AS x FROM users",
        mysql: mysql_upper.as_str(),
    );
    let same = string_op(StringOp::Bytewise, name()).eq(string_op(
        StringOp::Bytewise,
        Node::Param(Value::from("a ")),
    ));
    assert_sql!(select(s.users.c("id")).filter(same),
        sqlite: "SELECT users.id FROM users WHERE users.name = ?",
        postgres: "SELECT users.id FROM users WHERE (users.name COLLATE \"C\") = ($1 COLLATE \"C\")",
        mysql: "SELECT users.id FROM users WHERE CAST(users.name AS BINARY) = CAST(? AS BINARY)",
    );
}

#[test]
fn least_and_greatest_are_min_and_max_on_sqlite() {
    let s = schema();
    let t = nums(&s.md);
    assert_sql!(select(func::call("least", (t.c("n"), 0)).label("x")),
        sqlite: "SELECT min(nums.n, ?) AS x FROM nums",
        postgres: "SELECT least(nums.n, $1) AS x FROM nums",
        mysql: "SELECT least(nums.n, ?) AS x FROM nums",
    );
}
