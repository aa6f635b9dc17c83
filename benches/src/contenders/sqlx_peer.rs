//! sqlx (without its macros): `query_as` into tuples, `QueryBuilder::push_values`
//! for bulk inserts; statements are prepared and cached per connection.

use crate::contender::{BULK_CHUNK, Backend, Contender, RunFuture, Sql};
use crate::data::{CommentRow, PostRow, UserRow, build_tree, consume, new_rows, tree_size};
use crate::ops::{Op, Sizes};
use anyhow::Result;
use sqlx::pool::PoolConnection;
use sqlx::{AssertSqlSafe, Connection, Pool, QueryBuilder};
use std::sync::Arc;
use std::time::{Duration, Instant};

type UserTuple = (i64, String, Option<String>);
type Joined = (
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn to_user((id, name, hair_color): UserTuple) -> UserRow {
    UserRow {
        id,
        name,
        hair_color,
    }
}

/// SQL text as cheaply clonable strings.
struct Texts {
    trivial: Arc<str>,
    medium: Arc<str>,
    users_upto: Arc<str>,
    by_pk: Arc<str>,
    insert_one: Arc<str>,
    update_name: Arc<str>,
}

impl Texts {
    fn new(b: Backend) -> Texts {
        let s = Sql::new(b);
        Texts {
            trivial: s.trivial.into(),
            medium: s.medium.into(),
            users_upto: s.users_upto.into(),
            by_pk: s.by_pk.into(),
            insert_one: s.insert_one.into(),
            update_name: s.update_name.into(),
        }
    }
}

macro_rules! sqlx_contender {
    ($name:ident, $db:ty, $backend:expr, $returning:expr) => {
        pub struct $name {
            pool: Pool<$db>,
            conn: PoolConnection<$db>,
            sql: Texts,
        }

        impl $name {
            pub async fn new(pool: Pool<$db>) -> Result<$name> {
                let conn = pool.acquire().await?;
                Ok($name { pool, conn, sql: Texts::new($backend) })
            }

            async fn users(&mut self, sql: &Arc<str>, arg: i64) -> Result<Vec<UserRow>> {
                let rows: Vec<UserTuple> =
                    sqlx::query_as(AssertSqlSafe(sql.clone())).bind(arg).fetch_all(&mut *self.conn).await?;
                Ok(rows.into_iter().map(to_user).collect())
            }

            async fn clear_inserts(&mut self) -> Result<()> {
                sqlx::query("DELETE FROM bench_inserts").execute(&mut *self.conn).await?;
                Ok(())
            }

            async fn run_op(&mut self, op: Op, s: &Sizes) -> Result<Option<Duration>> {
                match op {
                    Op::Trivial(n) => {
                        let t = Instant::now();
                        let sql = self.sql.trivial.clone();
                        let rows = self.users(&sql, n as i64).await?;
                        let d = t.elapsed();
                        consume(rows, n, "trivial")?;
                        Ok(Some(d))
                    }
                    Op::Medium => {
                        let t = Instant::now();
                        let rows: Vec<Joined> = sqlx::query_as(AssertSqlSafe(self.sql.medium.clone()))
                            .bind("black")
                            .bind(s.medium_users as i64)
                            .fetch_all(&mut *self.conn)
                            .await?;
                        let rows: Vec<(UserRow, Option<PostRow>)> =
                            rows.into_iter().map(crate::contenders::ox_core::joined).collect();
                        let d = t.elapsed();
                        consume(rows, s.medium_rows(), "medium")?;
                        Ok(Some(d))
                    }
                    Op::Assoc => {
                        let t = Instant::now();
                        let sql = self.sql.users_upto.clone();
                        let users = self.users(&sql, s.assoc_users as i64).await?;
                        let mut q = sqlx::query_as::<_, (i64, i64, String, Option<String>)>(AssertSqlSafe(
                            Sql::posts_in($backend, users.len()),
                        ));
                        for u in &users {
                            q = q.bind(u.id);
                        }
                        let posts: Vec<PostRow> = q
                            .fetch_all(&mut *self.conn)
                            .await?
                            .into_iter()
                            .map(|(id, user_id, title, body)| PostRow { id, user_id, title, body })
                            .collect();
                        let mut q = sqlx::query_as::<_, (i64, i64, String)>(AssertSqlSafe(Sql::comments_in(
                            $backend,
                            posts.len(),
                        )));
                        for p in &posts {
                            q = q.bind(p.id);
                        }
                        let comments: Vec<CommentRow> = q
                            .fetch_all(&mut *self.conn)
                            .await?
                            .into_iter()
                            .map(|(id, post_id, text)| CommentRow { id, post_id, text })
                            .collect();
                        let tree = build_tree(users, posts, comments);
                        let d = t.elapsed();
                        anyhow::ensure!(tree_size(&tree) == crate::assoc_objects(s));
                        Ok(Some(d))
                    }
                    Op::Batch(n) => {
                        self.clear_inserts().await?;
                        let rows = new_rows(n);
                        let t = Instant::now();
                        let mut tx = self.conn.begin().await?;
                        for _ in 0..s.batch_statements {
                            let mut qb = QueryBuilder::<$db>::new("INSERT INTO bench_inserts (name, hair_color) ");
                            qb.push_values(&rows, |mut b, (a, h)| {
                                b.push_bind(a.clone()).push_bind(h.clone());
                            });
                            qb.build().execute(&mut *tx).await?;
                        }
                        tx.commit().await?;
                        Ok(Some(t.elapsed()))
                    }
                    Op::BulkNoKeys | Op::BulkKeys => {
                        self.clear_inserts().await?;
                        if op == Op::BulkKeys && !$returning {
                            return Ok(None);
                        }
                        let rows = new_rows(s.bulk);
                        let t = Instant::now();
                        let mut keys: Vec<i64> = Vec::new();
                        let mut tx = self.conn.begin().await?;
                        for (c, chunk) in rows.chunks(BULK_CHUNK).enumerate() {
                            if op == Op::BulkNoKeys {
                                let mut qb =
                                    QueryBuilder::<$db>::new("INSERT INTO bench_inserts (id, name, hair_color) ");
                                qb.push_values(chunk.iter().enumerate(), |mut b, (i, (a, h))| {
                                    b.push_bind((c * BULK_CHUNK + i + 1) as i64).push_bind(a.clone()).push_bind(h.clone());
                                });
                                qb.build().execute(&mut *tx).await?;
                            } else {
                                let mut qb = QueryBuilder::<$db>::new("INSERT INTO bench_inserts (name, hair_color) ");
                                qb.push_values(chunk, |mut b, (a, h)| {
                                    b.push_bind(a.clone()).push_bind(h.clone());
                                });
                                qb.push(" RETURNING id");
                                keys.extend(qb.build_query_scalar::<i64>().fetch_all(&mut *tx).await?);
                            }
                        }
                        tx.commit().await?;
                        let d = t.elapsed();
                        if op == Op::BulkKeys {
                            consume(keys, s.bulk, "bulk keys")?;
                        }
                        Ok(Some(d))
                    }
                    Op::Singles => {
                        self.clear_inserts().await?;
                        let rows = new_rows(s.singles);
                        let t = Instant::now();
                        for (a, h) in rows {
                            sqlx::query(AssertSqlSafe(self.sql.insert_one.clone()))
                                .bind(a)
                                .bind(h)
                                .execute(&mut *self.conn)
                                .await?;
                        }
                        Ok(Some(t.elapsed()))
                    }
                    Op::PkLookups => {
                        let ids = s.lookup_ids();
                        let t = Instant::now();
                        for id in ids {
                            let u: UserTuple = sqlx::query_as(AssertSqlSafe(self.sql.by_pk.clone()))
                                .bind(id)
                                .fetch_one(&mut *self.conn)
                                .await?;
                            std::hint::black_box(to_user(u));
                        }
                        Ok(Some(t.elapsed()))
                    }
                    Op::ResultRows => {
                        let t = Instant::now();
                        let rows: Vec<UserTuple> = sqlx::query_as(AssertSqlSafe(self.sql.trivial.clone()))
                            .bind(s.big as i64)
                            .fetch_all(&mut *self.conn)
                            .await?;
                        let d = t.elapsed();
                        consume(rows, s.big, "rows")?;
                        Ok(Some(d))
                    }
                    Op::ResultModels => {
                        let t = Instant::now();
                        let sql = self.sql.trivial.clone();
                        let rows = self.users(&sql, s.big as i64).await?;
                        let d = t.elapsed();
                        consume(rows, s.big, "models")?;
                        Ok(Some(d))
                    }
                    Op::BulkUpdate => {
                        let stamp = crate::next_stamp();
                        let names: Vec<String> = (1..=s.bulk_update).map(|i| format!("User {i} v{stamp}")).collect();
                        let t = Instant::now();
                        let mut tx = self.conn.begin().await?;
                        for (i, name) in names.into_iter().enumerate() {
                            sqlx::query(AssertSqlSafe(self.sql.update_name.clone()))
                                .bind(name)
                                .bind((i + 1) as i64)
                                .execute(&mut *tx)
                                .await?;
                        }
                        tx.commit().await?;
                        Ok(Some(t.elapsed()))
                    }
                    Op::Concurrent => {
                        let ids = Arc::new(s.lookup_ids());
                        let per_task = s.per_task;
                        let t = Instant::now();
                        let handles: Vec<_> = (0..s.tasks)
                            .map(|task| {
                                let pool = self.pool.clone();
                                let ids = ids.clone();
                                let sql = self.sql.by_pk.clone();
                                tokio::spawn(async move {
                                    for i in 0..per_task {
                                        let id = ids[(task * per_task + i) % ids.len()];
                                        let u: UserTuple = sqlx::query_as(AssertSqlSafe(sql.clone()))
                                            .bind(id)
                                            .fetch_one(&pool)
                                            .await?;
                                        std::hint::black_box(u);
                                    }
                                    anyhow::Ok(())
                                })
                            })
                            .collect();
                        crate::join_all(handles).await?;
                        Ok(Some(t.elapsed()))
                    }
                    Op::PkHit | Op::CompileCached | Op::CompileUncached => Ok(None),
                }
            }
        }

        impl Contender for $name {
            fn name(&self) -> &'static str {
                "sqlx"
            }

            fn run<'a>(&'a mut self, op: Op, sizes: &'a Sizes) -> RunFuture<'a> {
                Box::pin(self.run_op(op, sizes))
            }

            fn note(&self, op: Op) -> Option<&'static str> {
                match op {
                    Op::Assoc => Some("sqlx: IN lists of bound parameters built by hand (no relationship loading)"),
                    _ => None,
                }
            }
        }
    };
}

sqlx_contender!(SqlxSqlite, sqlx::Sqlite, Backend::Sqlite, true);
sqlx_contender!(SqlxPg, sqlx::Postgres, Backend::Postgres, true);
sqlx_contender!(SqlxMysql, sqlx::MySql, Backend::Mysql, true);

/// The sqlx pools, configured as the other contenders' connections.
pub async fn sqlite_pool(path: &str) -> Result<Pool<sqlx::Sqlite>> {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteSynchronous};
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .foreign_keys(true)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10));
    Ok(SqlitePoolOptions::new()
        .max_connections(crate::POOL_SIZE as u32 + 1)
        .connect_with(opts)
        .await?)
}

pub async fn pg_pool(url: &str) -> Result<Pool<sqlx::Postgres>> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(crate::POOL_SIZE as u32 + 1)
        .connect(url)
        .await?)
}

pub async fn mysql_pool(url: &str) -> Result<Pool<sqlx::MySql>> {
    Ok(sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(crate::POOL_SIZE as u32 + 1)
        .connect(url)
        .await?)
}
