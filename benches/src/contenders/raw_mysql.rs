//! mysql_async with its prepared-statement cache: the physical limit on MySQL / MariaDB.

use crate::contender::{BULK_CHUNK, Backend, Contender, RunFuture, Sql};
use crate::data::{CommentRow, PostRow, UserRow, build_tree, consume, new_rows, tree_size};
use crate::ops::{Op, Sizes};
use anyhow::Result;
use mysql_async::prelude::*;
use mysql_async::{Conn, Opts, OptsBuilder, Params, Pool, PoolConstraints, PoolOpts, Value};
use std::time::{Duration, Instant};

pub fn pool(url: &str, size: usize) -> Result<Pool> {
    let constraints = PoolConstraints::new(1, size).expect("valid pool constraints");
    let opts = OptsBuilder::from_opts(Opts::from_url(url)?)
        .pool_opts(PoolOpts::default().with_constraints(constraints))
        .stmt_cache_size(256);
    Ok(Pool::new(opts))
}

/// Create the tables and load the data set.
pub async fn setup(url: &str, s: &Sizes) -> Result<()> {
    let pool = pool(url, 1)?;
    let mut c = pool.get_conn().await?;
    for sql in crate::contender::drop_ddl() {
        c.query_drop(sql).await?;
    }
    for sql in crate::contender::ddl(Backend::Mysql) {
        c.query_drop(sql).await?;
    }
    c.query_drop("BEGIN").await?;
    let users: Vec<(i64, String, Option<String>)> = (1..=s.users)
        .map(|i| {
            (
                i as i64,
                crate::data::user_name(i),
                crate::data::hair_color(i),
            )
        })
        .collect();
    for chunk in users.chunks(1000) {
        let sql = format!(
            "INSERT INTO bench_users (id, name, hair_color) VALUES {}",
            Backend::Mysql.row_placeholders(chunk.len(), 3, 1)
        );
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|(a, b, h)| [Value::from(a), Value::from(b), Value::from(h)])
            .collect();
        c.exec_drop(sql, Params::Positional(params)).await?;
    }
    let mut posts = Vec::new();
    let mut comments = Vec::new();
    for u in 1..=s.assoc_users.min(s.users) {
        for j in 0..s.assoc_posts {
            let post_id = posts.len() as i64 + 1;
            posts.push((post_id, u as i64, format!("Post {j} by user {u}")));
            for k in 0..s.assoc_comments {
                comments.push((
                    comments.len() as i64 + 1,
                    post_id,
                    format!("Comment {k} on post {post_id}"),
                ));
            }
        }
    }
    for chunk in posts.chunks(1000) {
        let sql = format!(
            "INSERT INTO bench_posts (id, user_id, title, body) VALUES {}",
            Backend::Mysql.row_placeholders(chunk.len(), 4, 1)
        );
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|(a, b, t)| {
                [
                    Value::from(a),
                    Value::from(b),
                    Value::from(t),
                    Value::from("body text"),
                ]
            })
            .collect();
        c.exec_drop(sql, Params::Positional(params)).await?;
    }
    for chunk in comments.chunks(1000) {
        let sql = format!(
            "INSERT INTO bench_comments (id, post_id, text) VALUES {}",
            Backend::Mysql.row_placeholders(chunk.len(), 3, 1)
        );
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|(a, b, t)| [Value::from(a), Value::from(b), Value::from(t)])
            .collect();
        c.exec_drop(sql, Params::Positional(params)).await?;
    }
    c.query_drop("COMMIT").await?;
    drop(c);
    pool.disconnect().await?;
    Ok(())
}

pub async fn teardown(url: &str) -> Result<()> {
    let pool = pool(url, 1)?;
    let mut c = pool.get_conn().await?;
    for sql in crate::contender::drop_ddl() {
        c.query_drop(sql).await?;
    }
    drop(c);
    pool.disconnect().await?;
    Ok(())
}

/// True on MariaDB (INSERT .. RETURNING).
pub async fn is_mariadb(url: &str) -> Result<bool> {
    let pool = pool(url, 1)?;
    let mut c = pool.get_conn().await?;
    let v: Option<String> = c.query_first("SELECT VERSION()").await?;
    drop(c);
    pool.disconnect().await?;
    Ok(v.unwrap_or_default().contains("MariaDB"))
}

type UserTuple = (i64, String, Option<String>);

fn to_user((id, name, hair_color): UserTuple) -> UserRow {
    UserRow {
        id,
        name,
        hair_color,
    }
}

pub struct RawMysql {
    conn: Conn,
    pool: Pool,
    sql: Sql,
    mariadb: bool,
}

impl RawMysql {
    pub async fn new(url: &str) -> Result<RawMysql> {
        let pool = pool(url, crate::POOL_SIZE)?;
        let conn = self::pool(url, 1)?.get_conn().await?;
        Ok(RawMysql {
            conn,
            pool,
            sql: Sql::new(Backend::Mysql),
            mariadb: is_mariadb(url).await?,
        })
    }

    async fn users(&mut self, sql: &str, arg: i64) -> Result<Vec<UserRow>> {
        let rows: Vec<UserTuple> = self.conn.exec(sql, (arg,)).await?;
        Ok(rows.into_iter().map(to_user).collect())
    }

    async fn run_op(&mut self, op: Op, s: &Sizes) -> Result<Option<Duration>> {
        match op {
            Op::Trivial(n) => {
                let t = Instant::now();
                let rows = self.users(&self.sql.trivial.clone(), n as i64).await?;
                let d = t.elapsed();
                consume(rows, n, "trivial")?;
                Ok(Some(d))
            }
            Op::Medium => {
                let t = Instant::now();
                type Joined = (
                    i64,
                    String,
                    Option<String>,
                    Option<i64>,
                    Option<i64>,
                    Option<String>,
                    Option<String>,
                );
                let rows: Vec<Joined> = self
                    .conn
                    .exec(&self.sql.medium, ("black", s.medium_users as i64))
                    .await?;
                let rows: Vec<(UserRow, Option<PostRow>)> = rows
                    .into_iter()
                    .map(|(id, name, hair_color, pid, uid, title, body)| {
                        let post = pid.map(|id| PostRow {
                            id,
                            user_id: uid.unwrap_or_default(),
                            title: title.unwrap_or_default(),
                            body,
                        });
                        (
                            UserRow {
                                id,
                                name,
                                hair_color,
                            },
                            post,
                        )
                    })
                    .collect();
                let d = t.elapsed();
                consume(rows, s.medium_rows(), "medium")?;
                Ok(Some(d))
            }
            Op::Assoc => {
                let t = Instant::now();
                let users = self
                    .users(&self.sql.users_upto.clone(), s.assoc_users as i64)
                    .await?;
                let ids: Vec<Value> = users.iter().map(|u| Value::from(u.id)).collect();
                let posts: Vec<(i64, i64, String, Option<String>)> = self
                    .conn
                    .exec(
                        Sql::posts_in(Backend::Mysql, ids.len()),
                        Params::Positional(ids),
                    )
                    .await?;
                let posts: Vec<PostRow> = posts
                    .into_iter()
                    .map(|(id, user_id, title, body)| PostRow {
                        id,
                        user_id,
                        title,
                        body,
                    })
                    .collect();
                let post_ids: Vec<Value> = posts.iter().map(|p| Value::from(p.id)).collect();
                let comments: Vec<(i64, i64, String)> = self
                    .conn
                    .exec(
                        Sql::comments_in(Backend::Mysql, post_ids.len()),
                        Params::Positional(post_ids),
                    )
                    .await?;
                let comments: Vec<CommentRow> = comments
                    .into_iter()
                    .map(|(id, post_id, text)| CommentRow { id, post_id, text })
                    .collect();
                let tree = build_tree(users, posts, comments);
                let d = t.elapsed();
                anyhow::ensure!(tree_size(&tree) == crate::assoc_objects(s));
                Ok(Some(d))
            }
            Op::Batch(n) => {
                self.conn.query_drop("DELETE FROM bench_inserts").await?;
                let rows = new_rows(n);
                let sql = Sql::insert_many(Backend::Mysql, n);
                let t = Instant::now();
                self.conn.query_drop("BEGIN").await?;
                for _ in 0..s.batch_statements {
                    let params: Vec<Value> = rows
                        .iter()
                        .flat_map(|(a, b)| [Value::from(a), Value::from(b)])
                        .collect();
                    self.conn
                        .exec_drop(&sql, Params::Positional(params))
                        .await?;
                }
                self.conn.query_drop("COMMIT").await?;
                Ok(Some(t.elapsed()))
            }
            Op::BulkNoKeys | Op::BulkKeys => {
                self.conn.query_drop("DELETE FROM bench_inserts").await?;
                let rows = new_rows(s.bulk);
                let t = Instant::now();
                self.conn.query_drop("BEGIN").await?;
                let mut keys: Vec<i64> = Vec::new();
                for (c, chunk) in rows.chunks(BULK_CHUNK).enumerate() {
                    if op == Op::BulkNoKeys {
                        let params: Vec<Value> = chunk
                            .iter()
                            .enumerate()
                            .flat_map(|(i, (a, b))| {
                                [
                                    Value::from((c * BULK_CHUNK + i + 1) as i64),
                                    Value::from(a),
                                    Value::from(b),
                                ]
                            })
                            .collect();
                        self.conn
                            .exec_drop(
                                Sql::insert_many_with_id(Backend::Mysql, chunk.len()),
                                Params::Positional(params),
                            )
                            .await?;
                    } else {
                        let params: Vec<Value> = chunk
                            .iter()
                            .flat_map(|(a, b)| [Value::from(a), Value::from(b)])
                            .collect();
                        let sql = Sql::insert_many(Backend::Mysql, chunk.len());
                        if self.mariadb {
                            let got: Vec<i64> = self
                                .conn
                                .exec(format!("{sql} RETURNING id"), Params::Positional(params))
                                .await?;
                            keys.extend(got);
                        } else {
                            self.conn.exec_drop(sql, Params::Positional(params)).await?;
                            let first = self.conn.last_insert_id().unwrap_or_default() as i64;
                            keys.extend(first..first + chunk.len() as i64);
                        }
                    }
                }
                self.conn.query_drop("COMMIT").await?;
                let d = t.elapsed();
                if op == Op::BulkKeys {
                    consume(keys, s.bulk, "bulk keys")?;
                }
                Ok(Some(d))
            }
            Op::Singles => {
                self.conn.query_drop("DELETE FROM bench_inserts").await?;
                let rows = new_rows(s.singles);
                let t = Instant::now();
                for (a, b) in &rows {
                    self.conn.exec_drop(&self.sql.insert_one, (a, b)).await?; // autocommit
                }
                Ok(Some(t.elapsed()))
            }
            Op::PkLookups => {
                let ids = s.lookup_ids();
                let t = Instant::now();
                for &id in &ids {
                    let r: Option<UserTuple> = self.conn.exec_first(&self.sql.by_pk, (id,)).await?;
                    std::hint::black_box(to_user(r.expect("row")));
                }
                Ok(Some(t.elapsed()))
            }
            Op::ResultRows => {
                let t = Instant::now();
                let rows: Vec<UserTuple> =
                    self.conn.exec(&self.sql.trivial, (s.big as i64,)).await?;
                let d = t.elapsed();
                consume(rows, s.big, "rows")?;
                Ok(Some(d))
            }
            Op::ResultModels => {
                let t = Instant::now();
                let rows = self.users(&self.sql.trivial.clone(), s.big as i64).await?;
                let d = t.elapsed();
                consume(rows, s.big, "models")?;
                Ok(Some(d))
            }
            Op::BulkUpdate => {
                let stamp = crate::next_stamp();
                let names: Vec<String> = (1..=s.bulk_update)
                    .map(|i| format!("User {i} v{stamp}"))
                    .collect();
                let t = Instant::now();
                self.conn.query_drop("BEGIN").await?;
                for (i, name) in names.iter().enumerate() {
                    self.conn
                        .exec_drop(&self.sql.update_name, (name, (i + 1) as i64))
                        .await?;
                }
                self.conn.query_drop("COMMIT").await?;
                Ok(Some(t.elapsed()))
            }
            Op::Concurrent => {
                let ids = std::sync::Arc::new(s.lookup_ids());
                let per_task = s.per_task;
                let t = Instant::now();
                let handles: Vec<_> = (0..s.tasks)
                    .map(|task| {
                        let pool = self.pool.clone();
                        let ids = ids.clone();
                        let sql = self.sql.by_pk.clone();
                        tokio::spawn(async move {
                            for i in 0..per_task {
                                let mut conn = pool.get_conn().await?;
                                let id = ids[(task * per_task + i) % ids.len()];
                                let r: Option<UserTuple> = conn.exec_first(&sql, (id,)).await?;
                                std::hint::black_box(r);
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

impl Contender for RawMysql {
    fn name(&self) -> &'static str {
        "raw driver"
    }

    fn run<'a>(&'a mut self, op: Op, sizes: &'a Sizes) -> RunFuture<'a> {
        Box::pin(self.run_op(op, sizes))
    }
}
