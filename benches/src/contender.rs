//! The interface every contender implements, and small shared helpers.

use crate::ops::{Op, Sizes};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The future of one timed iteration: `Ok(None)` when the contender has no
/// counterpart of the operation.
pub type RunFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<Option<Duration>>> + 'a>>;

/// The future of [`Contender::finish`].
pub type FinishFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// One library under test.
pub trait Contender {
    /// The column heading.
    fn name(&self) -> &'static str;
    /// Run one iteration of `op` and return the time of its measured part.
    fn run<'a>(&'a mut self, op: Op, sizes: &'a Sizes) -> RunFuture<'a>;
    /// Called after the iterations of each operation (end open transactions).
    fn finish(&mut self) -> FinishFuture<'_> {
        Box::pin(async { Ok(()) })
    }
    /// A note on how the contender does an operation, for the report.
    fn note(&self, _op: Op) -> Option<&'static str> {
        None
    }
}

/// The three servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MySQL / MariaDB",
        }
    }

    /// The n-th (1-based) positional placeholder.
    pub fn ph(self, n: usize) -> String {
        match self {
            Backend::Postgres => format!("${n}"),
            _ => "?".to_string(),
        }
    }

    /// `(p1, p2), (p3, p4), ..`: `rows` groups of `cols` placeholders, numbered from `start`.
    pub fn row_placeholders(self, rows: usize, cols: usize, start: usize) -> String {
        let mut out = String::new();
        let mut n = start;
        for r in 0..rows {
            if r > 0 {
                out.push_str(", ");
            }
            out.push('(');
            for c in 0..cols {
                if c > 0 {
                    out.push_str(", ");
                }
                out.push_str(&self.ph(n));
                n += 1;
            }
            out.push(')');
        }
        out
    }

    /// `p1, p2, ..` for an IN list.
    pub fn list_placeholders(self, n: usize) -> String {
        (1..=n).map(|i| self.ph(i)).collect::<Vec<_>>().join(", ")
    }
}

/// SQL text shared by the raw drivers (the peers and oxalchemy build their own).
pub struct Sql {
    pub trivial: String,
    pub medium: String,
    pub users_upto: String,
    pub by_pk: String,
    pub insert_one: String,
    pub update_name: String,
}

impl Sql {
    pub fn new(b: Backend) -> Sql {
        let (p1, p2) = (b.ph(1), b.ph(2));
        Sql {
            trivial: format!("SELECT id, name, hair_color FROM bench_users LIMIT {p1}"),
            medium: format!(
                "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title, p.body \
                 FROM bench_users u LEFT OUTER JOIN bench_posts p ON p.user_id = u.id \
                 WHERE u.hair_color = {p1} AND u.id <= {p2}"
            ),
            users_upto: format!("SELECT id, name, hair_color FROM bench_users WHERE id <= {p1}"),
            by_pk: format!("SELECT id, name, hair_color FROM bench_users WHERE id = {p1}"),
            insert_one: format!("INSERT INTO bench_inserts (name, hair_color) VALUES ({p1}, {p2})"),
            update_name: format!("UPDATE bench_users SET name = {p1} WHERE id = {p2}"),
        }
    }

    pub fn posts_in(b: Backend, n: usize) -> String {
        format!(
            "SELECT id, user_id, title, body FROM bench_posts WHERE user_id IN ({})",
            b.list_placeholders(n)
        )
    }

    pub fn comments_in(b: Backend, n: usize) -> String {
        format!(
            "SELECT id, post_id, text FROM bench_comments WHERE post_id IN ({})",
            b.list_placeholders(n)
        )
    }

    pub fn insert_many(b: Backend, rows: usize) -> String {
        format!(
            "INSERT INTO bench_inserts (name, hair_color) VALUES {}",
            b.row_placeholders(rows, 2, 1)
        )
    }

    pub fn insert_many_with_id(b: Backend, rows: usize) -> String {
        format!(
            "INSERT INTO bench_inserts (id, name, hair_color) VALUES {}",
            b.row_placeholders(rows, 3, 1)
        )
    }
}

/// Rows per multi-row INSERT in the bulk operations (every contender, and
/// within every backend's parameter limit).
pub const BULK_CHUNK: usize = 1000;

/// The DDL of the benchmark tables, per backend.
pub fn ddl(b: Backend) -> Vec<String> {
    let (pk, text, suffix) = match b {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", "TEXT", ""),
        Backend::Postgres => ("BIGSERIAL PRIMARY KEY", "TEXT", ""),
        Backend::Mysql => (
            "BIGINT AUTO_INCREMENT PRIMARY KEY",
            "TEXT",
            " ENGINE=InnoDB",
        ),
    };
    let fk_type = match b {
        Backend::Sqlite => "INTEGER",
        _ => "BIGINT",
    };
    vec![
        format!(
            "CREATE TABLE bench_users (id {pk}, name VARCHAR(100) NOT NULL, hair_color VARCHAR(50)){suffix}"
        ),
        format!(
            "CREATE TABLE bench_posts (id {pk}, user_id {fk_type} NOT NULL REFERENCES bench_users (id), \
             title VARCHAR(200) NOT NULL, body {text}){suffix}"
        ),
        format!("CREATE INDEX bench_posts_user_id ON bench_posts (user_id)"),
        format!(
            "CREATE TABLE bench_comments (id {pk}, post_id {fk_type} NOT NULL REFERENCES bench_posts (id), \
             text {text} NOT NULL){suffix}"
        ),
        format!("CREATE INDEX bench_comments_post_id ON bench_comments (post_id)"),
        format!(
            "CREATE TABLE bench_inserts (id {pk}, name VARCHAR(100) NOT NULL, hair_color VARCHAR(50)){suffix}"
        ),
    ]
}

/// Drop statements, children first.
pub fn drop_ddl() -> Vec<&'static str> {
    vec![
        "DROP TABLE IF EXISTS bench_comments",
        "DROP TABLE IF EXISTS bench_posts",
        "DROP TABLE IF EXISTS bench_users",
        "DROP TABLE IF EXISTS bench_inserts",
    ]
}
