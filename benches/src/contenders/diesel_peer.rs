//! diesel 2 (synchronous): its query builder, `belonging_to` + `grouped_by`
//! for associations, batch `insert_into(..).values(&vec)`.

use crate::contender::{BULK_CHUNK, Contender, RunFuture};
use crate::data::{consume, new_rows};
use crate::ops::{Op, Sizes};
use anyhow::Result;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub mod schema {
    diesel::table! {
        bench_users (id) {
            id -> BigInt,
            name -> Varchar,
            hair_color -> Nullable<Varchar>,
        }
    }
    diesel::table! {
        bench_posts (id) {
            id -> BigInt,
            user_id -> BigInt,
            title -> Varchar,
            body -> Nullable<Text>,
        }
    }
    diesel::table! {
        bench_comments (id) {
            id -> BigInt,
            post_id -> BigInt,
            text -> Text,
        }
    }
    diesel::table! {
        bench_inserts (id) {
            id -> BigInt,
            name -> Varchar,
            hair_color -> Nullable<Varchar>,
        }
    }
    diesel::joinable!(bench_posts -> bench_users (user_id));
    diesel::joinable!(bench_comments -> bench_posts (post_id));
    diesel::allow_tables_to_appear_in_same_query!(bench_users, bench_posts, bench_comments);
}

use schema::{bench_comments, bench_inserts, bench_posts, bench_users};

#[derive(Queryable, Selectable, Identifiable, Debug, Clone, PartialEq)]
#[diesel(table_name = bench_users)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug, Clone, PartialEq)]
#[diesel(belongs_to(User, foreign_key = user_id))]
#[diesel(table_name = bench_posts)]
pub struct Post {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug, Clone, PartialEq)]
#[diesel(belongs_to(Post, foreign_key = post_id))]
#[diesel(table_name = bench_comments)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub text: String,
}

#[derive(Insertable)]
#[diesel(table_name = bench_inserts)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub hair_color: Option<&'a str>,
}

#[derive(Insertable)]
#[diesel(table_name = bench_inserts)]
pub struct NewUserWithId<'a> {
    pub id: i64,
    pub name: &'a str,
    pub hair_color: Option<&'a str>,
}

fn borrowed(rows: &[(String, Option<String>)]) -> Vec<NewUser<'_>> {
    rows.iter()
        .map(|(a, b)| NewUser {
            name: a,
            hair_color: b.as_deref(),
        })
        .collect()
}

/// Bulk insert with keys returned: RETURNING on SQLite and PostgreSQL.
fn keys_sqlite(c: &mut SqliteConnection, rows: &[NewUser<'_>]) -> QueryResult<Option<Vec<i64>>> {
    diesel::insert_into(bench_inserts::table)
        .values(rows)
        .returning(bench_inserts::id)
        .get_results(c)
        .map(Some)
}

fn keys_pg(c: &mut PgConnection, rows: &[NewUser<'_>]) -> QueryResult<Option<Vec<i64>>> {
    diesel::insert_into(bench_inserts::table)
        .values(rows)
        .returning(bench_inserts::id)
        .get_results(c)
        .map(Some)
}

/// diesel's MySQL backend has no RETURNING.
fn keys_mysql(_c: &mut MysqlConnection, _rows: &[NewUser<'_>]) -> QueryResult<Option<Vec<i64>>> {
    Ok(None)
}

fn compile_sqlite(
    q: &dyn diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
) -> QueryResult<String> {
    use diesel::query_builder::QueryBuilder;
    let mut qb = diesel::sqlite::SqliteQueryBuilder::new();
    q.to_sql(&mut qb, &diesel::sqlite::Sqlite)?;
    Ok(qb.finish())
}

fn compile_pg(q: &dyn diesel::query_builder::QueryFragment<diesel::pg::Pg>) -> QueryResult<String> {
    use diesel::query_builder::QueryBuilder;
    let mut qb = diesel::pg::PgQueryBuilder::default();
    q.to_sql(&mut qb, &diesel::pg::Pg)?;
    Ok(qb.finish())
}

fn compile_mysql(
    q: &dyn diesel::query_builder::QueryFragment<diesel::mysql::Mysql>,
) -> QueryResult<String> {
    use diesel::query_builder::QueryBuilder;
    let mut qb = diesel::mysql::MysqlQueryBuilder::new();
    q.to_sql(&mut qb, &diesel::mysql::Mysql)?;
    Ok(qb.finish())
}

macro_rules! diesel_contender {
    ($name:ident, $conn:ty, $keys:path, $compile:path, $setup:expr) => {
        pub struct $name {
            conn: $conn,
            pool: Arc<Mutex<Vec<$conn>>>,
        }

        impl $name {
            pub fn new(url: &str) -> Result<$name> {
                let open = |url: &str| -> Result<$conn> {
                    let mut c = <$conn>::establish(url)?;
                    c.batch_execute($setup)?;
                    Ok(c)
                };
                let pool = (0..crate::POOL_SIZE).map(|_| open(url)).collect::<Result<Vec<_>>>()?;
                Ok($name { conn: open(url)?, pool: Arc::new(Mutex::new(pool)) })
            }

            fn run_op(&mut self, op: Op, s: &Sizes) -> Result<Option<Duration>> {
                let c = &mut self.conn;
                let t = Instant::now();
                match op {
                    Op::Trivial(n) => {
                        let rows = bench_users::table.limit(n as i64).load::<User>(c)?;
                        let d = t.elapsed();
                        consume(rows, n, "trivial")?;
                        return Ok(Some(d));
                    }
                    Op::Medium => {
                        let rows = bench_users::table
                            .left_join(bench_posts::table)
                            .filter(bench_users::hair_color.eq("black"))
                            .filter(bench_users::id.le(s.medium_users as i64))
                            .load::<(User, Option<Post>)>(c)?;
                        let d = t.elapsed();
                        consume(rows, s.medium_rows(), "medium")?;
                        return Ok(Some(d));
                    }
                    Op::Assoc => {
                        let users = bench_users::table.filter(bench_users::id.le(s.assoc_users as i64)).load::<User>(c)?;
                        let posts = Post::belonging_to(&users).load::<Post>(c)?;
                        let comments = Comment::belonging_to(&posts).load::<Comment>(c)?;
                        let grouped_comments = comments.grouped_by(&posts);
                        let posts_and_comments = posts.into_iter().zip(grouped_comments).grouped_by(&users);
                        let tree: Vec<(User, Vec<(Post, Vec<Comment>)>)> =
                            users.into_iter().zip(posts_and_comments).collect();
                        let d = t.elapsed();
                        let n: usize = tree
                            .iter()
                            .map(|(_, p)| 1 + p.iter().map(|(_, c)| 1 + c.len()).sum::<usize>())
                            .sum();
                        anyhow::ensure!(n == crate::assoc_objects(s));
                        return Ok(Some(d));
                    }
                    Op::Batch(n) => {
                        diesel::delete(bench_inserts::table).execute(c)?;
                        let rows = new_rows(n);
                        let t = Instant::now();
                        c.transaction(|c| {
                            for _ in 0..s.batch_statements {
                                diesel::insert_into(bench_inserts::table).values(&borrowed(&rows)).execute(c)?;
                            }
                            QueryResult::Ok(())
                        })?;
                        return Ok(Some(t.elapsed()));
                    }
                    Op::BulkNoKeys | Op::BulkKeys => {
                        diesel::delete(bench_inserts::table).execute(c)?;
                        let rows = new_rows(s.bulk);
                        let t = Instant::now();
                        let keys = c.transaction(|c| {
                            let mut keys = Vec::new();
                            for (i, chunk) in rows.chunks(BULK_CHUNK).enumerate() {
                                if op == Op::BulkNoKeys {
                                    let with_ids: Vec<NewUserWithId<'_>> = chunk
                                        .iter()
                                        .enumerate()
                                        .map(|(j, (a, b))| NewUserWithId {
                                            id: (i * BULK_CHUNK + j + 1) as i64,
                                            name: a,
                                            hair_color: b.as_deref(),
                                        })
                                        .collect();
                                    diesel::insert_into(bench_inserts::table).values(&with_ids).execute(c)?;
                                } else {
                                    match $keys(c, &borrowed(chunk))? {
                                        Some(k) => keys.extend(k),
                                        None => return QueryResult::Ok(None),
                                    }
                                }
                            }
                            QueryResult::Ok(Some(keys))
                        })?;
                        let d = t.elapsed();
                        if op == Op::BulkKeys {
                            match keys {
                                Some(keys) => consume(keys, s.bulk, "bulk keys")?,
                                None => return Ok(None),
                            }
                        }
                        return Ok(Some(d));
                    }
                    Op::Singles => {
                        diesel::delete(bench_inserts::table).execute(c)?;
                        let rows = new_rows(s.singles);
                        let t = Instant::now();
                        for (a, b) in &rows {
                            diesel::insert_into(bench_inserts::table)
                                .values(NewUser { name: a, hair_color: b.as_deref() })
                                .execute(c)?;
                        }
                        return Ok(Some(t.elapsed()));
                    }
                    Op::PkLookups => {
                        let ids = s.lookup_ids();
                        let t = Instant::now();
                        for id in ids {
                            let u = bench_users::table.find(id).first::<User>(c)?;
                            std::hint::black_box(u);
                        }
                        return Ok(Some(t.elapsed()));
                    }
                    Op::ResultRows => {
                        let rows = bench_users::table
                            .select((bench_users::id, bench_users::name, bench_users::hair_color))
                            .limit(s.big as i64)
                            .load::<(i64, String, Option<String>)>(c)?;
                        let d = t.elapsed();
                        consume(rows, s.big, "rows")?;
                        return Ok(Some(d));
                    }
                    Op::ResultModels => {
                        let rows = bench_users::table.limit(s.big as i64).load::<User>(c)?;
                        let d = t.elapsed();
                        consume(rows, s.big, "models")?;
                        return Ok(Some(d));
                    }
                    Op::BulkUpdate => {
                        let stamp = crate::next_stamp();
                        let names: Vec<String> = (1..=s.bulk_update).map(|i| format!("User {i} v{stamp}")).collect();
                        let t = Instant::now();
                        c.transaction(|c| {
                            for (i, name) in names.iter().enumerate() {
                                diesel::update(bench_users::table.find((i + 1) as i64))
                                    .set(bench_users::name.eq(name))
                                    .execute(c)?;
                            }
                            QueryResult::Ok(())
                        })?;
                        return Ok(Some(t.elapsed()));
                    }
                    Op::CompileUncached => {
                        let q = bench_users::table
                            .left_join(bench_posts::table)
                            .filter(bench_users::hair_color.eq("black"))
                            .filter(bench_users::id.le(s.medium_users as i64));
                        let t = Instant::now();
                        for _ in 0..s.compiles {
                            std::hint::black_box($compile(&q)?);
                        }
                        return Ok(Some(t.elapsed()));
                    }
                    Op::PkHit | Op::CompileCached | Op::Concurrent => return Ok(None),
                }
            }

            async fn concurrent(&mut self, s: &Sizes) -> Result<Option<Duration>> {
                let ids = Arc::new(s.lookup_ids());
                let per_task = s.per_task;
                let t = Instant::now();
                let handles: Vec<_> = (0..s.tasks)
                    .map(|task| {
                        let pool = self.pool.clone();
                        let ids = ids.clone();
                        tokio::task::spawn_blocking(move || -> Result<()> {
                            for i in 0..per_task {
                                let mut conn = loop {
                                    if let Some(c) = pool.lock().unwrap().pop() {
                                        break c;
                                    }
                                    std::thread::yield_now();
                                };
                                let id = ids[(task * per_task + i) % ids.len()];
                                let res = bench_users::table.find(id).first::<User>(&mut conn);
                                pool.lock().unwrap().push(conn);
                                std::hint::black_box(res?);
                            }
                            Ok(())
                        })
                    })
                    .collect();
                crate::join_all(handles).await?;
                Ok(Some(t.elapsed()))
            }
        }

        impl Contender for $name {
            fn name(&self) -> &'static str {
                "diesel"
            }

            fn run<'a>(&'a mut self, op: Op, sizes: &'a Sizes) -> RunFuture<'a> {
                Box::pin(async move {
                    if op == Op::Concurrent {
                        self.concurrent(sizes).await
                    } else {
                        self.run_op(op, sizes)
                    }
                })
            }

            fn note(&self, op: Op) -> Option<&'static str> {
                match op {
                    Op::CompileUncached => Some("diesel: `QueryFragment::to_sql` of the query (its statement cache keys static queries by type, so there is no separate cached compile)"),
                    Op::Concurrent => Some("diesel: synchronous connections in `spawn_blocking`, 10 shared through a mutex"),
                    _ => None,
                }
            }
        }
    };
}

diesel_contender!(
    DieselSqlite,
    SqliteConnection,
    keys_sqlite,
    compile_sqlite,
    "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000"
);
diesel_contender!(DieselPg, PgConnection, keys_pg, compile_pg, "SELECT 1");
diesel_contender!(
    DieselMysql,
    MysqlConnection,
    keys_mysql,
    compile_mysql,
    "SELECT 1"
);
