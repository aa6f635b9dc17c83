//! tokio-postgres with cached prepared statements: the physical limit on PostgreSQL.

use crate::contender::{BULK_CHUNK, Backend, Contender, RunFuture, Sql};
use crate::data::{CommentRow, PostRow, UserRow, build_tree, consume, new_rows, tree_size};
use crate::ops::{Op, Sizes};
use anyhow::Result;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row, Statement};

pub async fn connect(url: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Create the tables and load the data set.
pub async fn setup(url: &str, s: &Sizes) -> Result<()> {
    let c = connect(url).await?;
    for sql in crate::contender::drop_ddl() {
        c.batch_execute(sql).await?;
    }
    for sql in crate::contender::ddl(Backend::Postgres) {
        c.batch_execute(&sql).await?;
    }
    c.batch_execute("BEGIN").await?;
    let ids: Vec<i64> = (1..=s.users as i64).collect();
    let names: Vec<String> = (1..=s.users).map(crate::data::user_name).collect();
    let hair: Vec<Option<String>> = (1..=s.users).map(crate::data::hair_color).collect();
    c.execute(
        "INSERT INTO bench_users (id, name, hair_color) SELECT * FROM UNNEST($1::bigint[], $2::varchar[], $3::varchar[])",
        &[&ids, &names, &hair],
    )
    .await?;
    let (mut pid, mut puid, mut ptitle) = (vec![], vec![], vec![]);
    let (mut cid, mut cpid, mut ctext) = (vec![], vec![], vec![]);
    for u in 1..=s.assoc_users.min(s.users) {
        for j in 0..s.assoc_posts {
            let post_id = pid.len() as i64 + 1;
            pid.push(post_id);
            puid.push(u as i64);
            ptitle.push(format!("Post {j} by user {u}"));
            for k in 0..s.assoc_comments {
                cid.push(cid.len() as i64 + 1);
                cpid.push(post_id);
                ctext.push(format!("Comment {k} on post {post_id}"));
            }
        }
    }
    c.execute(
        "INSERT INTO bench_posts (id, user_id, title, body) SELECT i, u, t, 'body text' FROM UNNEST($1::bigint[], $2::bigint[], $3::varchar[]) AS x(i, u, t)",
        &[&pid, &puid, &ptitle],
    )
    .await?;
    c.execute(
        "INSERT INTO bench_comments (id, post_id, text) SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[])",
        &[&cid, &cpid, &ctext],
    )
    .await?;
    for t in ["bench_users", "bench_posts", "bench_comments"] {
        c.batch_execute(&format!(
            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {t}))"
        ))
        .await?;
    }
    c.batch_execute("COMMIT; ANALYZE").await?;
    Ok(())
}

pub async fn teardown(url: &str) -> Result<()> {
    let c = connect(url).await?;
    for sql in crate::contender::drop_ddl() {
        c.batch_execute(sql).await?;
    }
    Ok(())
}

/// One connection with its prepared statements, keyed by SQL text.
struct Conn {
    client: Client,
    cache: HashMap<String, Statement>,
}

impl Conn {
    async fn stmt(&mut self, sql: &str) -> Result<Statement> {
        if let Some(st) = self.cache.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(sql).await?;
        self.cache.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

fn user(r: &Row) -> UserRow {
    UserRow {
        id: r.get(0),
        name: r.get(1),
        hair_color: r.get(2),
    }
}

pub struct RawPostgres {
    conn: Conn,
    sql: Sql,
    /// The concurrency test's connections, with the lookup prepared on each.
    pool: Vec<Arc<(Client, Statement)>>,
}

impl RawPostgres {
    pub async fn new(url: &str) -> Result<RawPostgres> {
        let sql = Sql::new(Backend::Postgres);
        let mut pool = Vec::new();
        for _ in 0..crate::POOL_SIZE {
            let c = connect(url).await?;
            let st = c.prepare(&sql.by_pk).await?;
            pool.push(Arc::new((c, st)));
        }
        Ok(RawPostgres {
            conn: Conn {
                client: connect(url).await?,
                cache: HashMap::new(),
            },
            sql,
            pool,
        })
    }

    async fn clear_inserts(&mut self) -> Result<()> {
        self.conn
            .client
            .batch_execute("DELETE FROM bench_inserts")
            .await?;
        Ok(())
    }

    async fn run_op(&mut self, op: Op, s: &Sizes) -> Result<Option<Duration>> {
        match op {
            Op::Trivial(n) => {
                let t = Instant::now();
                let st = self.conn.stmt(&self.sql.trivial).await?;
                let rows: Vec<UserRow> = self
                    .conn
                    .client
                    .query(&st, &[&(n as i64)])
                    .await?
                    .iter()
                    .map(user)
                    .collect();
                let d = t.elapsed();
                consume(rows, n, "trivial")?;
                Ok(Some(d))
            }
            Op::Medium => {
                let t = Instant::now();
                let st = self.conn.stmt(&self.sql.medium).await?;
                let rows: Vec<(UserRow, Option<PostRow>)> = self
                    .conn
                    .client
                    .query(&st, &[&"black", &(s.medium_users as i64)])
                    .await?
                    .iter()
                    .map(|r| {
                        let post = r.get::<_, Option<i64>>(3).map(|id| PostRow {
                            id,
                            user_id: r.get(4),
                            title: r.get(5),
                            body: r.get(6),
                        });
                        (user(r), post)
                    })
                    .collect();
                let d = t.elapsed();
                consume(rows, s.medium_rows(), "medium")?;
                Ok(Some(d))
            }
            Op::Assoc => {
                let t = Instant::now();
                let st = self.conn.stmt(&self.sql.users_upto).await?;
                let users: Vec<UserRow> = self
                    .conn
                    .client
                    .query(&st, &[&(s.assoc_users as i64)])
                    .await?
                    .iter()
                    .map(user)
                    .collect();
                let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
                let st = self
                    .conn
                    .stmt(
                        "SELECT id, user_id, title, body FROM bench_posts WHERE user_id = ANY($1)",
                    )
                    .await?;
                let posts: Vec<PostRow> = self
                    .conn
                    .client
                    .query(&st, &[&ids])
                    .await?
                    .iter()
                    .map(|r| PostRow {
                        id: r.get(0),
                        user_id: r.get(1),
                        title: r.get(2),
                        body: r.get(3),
                    })
                    .collect();
                let post_ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
                let st = self
                    .conn
                    .stmt("SELECT id, post_id, text FROM bench_comments WHERE post_id = ANY($1)")
                    .await?;
                let comments: Vec<CommentRow> = self
                    .conn
                    .client
                    .query(&st, &[&post_ids])
                    .await?
                    .iter()
                    .map(|r| CommentRow {
                        id: r.get(0),
                        post_id: r.get(1),
                        text: r.get(2),
                    })
                    .collect();
                let tree = build_tree(users, posts, comments);
                let d = t.elapsed();
                anyhow::ensure!(tree_size(&tree) == crate::assoc_objects(s));
                Ok(Some(d))
            }
            Op::Batch(n) => {
                self.clear_inserts().await?;
                let rows = new_rows(n);
                let sql = Sql::insert_many(Backend::Postgres, n);
                let t = Instant::now();
                self.conn.client.batch_execute("BEGIN").await?;
                let st = self.conn.stmt(&sql).await?;
                for _ in 0..s.batch_statements {
                    let params: Vec<&(dyn ToSql + Sync)> = rows
                        .iter()
                        .flat_map(|(a, b)| [a as &(dyn ToSql + Sync), b])
                        .collect();
                    self.conn.client.execute(&st, &params).await?;
                }
                self.conn.client.batch_execute("COMMIT").await?;
                Ok(Some(t.elapsed()))
            }
            Op::BulkNoKeys | Op::BulkKeys => {
                self.clear_inserts().await?;
                let rows = new_rows(s.bulk);
                let ids: Vec<i64> = (1..=s.bulk as i64).collect();
                let t = Instant::now();
                self.conn.client.batch_execute("BEGIN").await?;
                let mut keys = Vec::new();
                for (c, chunk) in rows.chunks(BULK_CHUNK).enumerate() {
                    if op == Op::BulkNoKeys {
                        let st = self
                            .conn
                            .stmt(&Sql::insert_many_with_id(Backend::Postgres, chunk.len()))
                            .await?;
                        let cids = &ids[c * BULK_CHUNK..c * BULK_CHUNK + chunk.len()];
                        let params: Vec<&(dyn ToSql + Sync)> = chunk
                            .iter()
                            .zip(cids)
                            .flat_map(|((a, b), id)| [id as &(dyn ToSql + Sync), a, b])
                            .collect();
                        self.conn.client.execute(&st, &params).await?;
                    } else {
                        let sql = format!(
                            "{} RETURNING id",
                            Sql::insert_many(Backend::Postgres, chunk.len())
                        );
                        let st = self.conn.stmt(&sql).await?;
                        let params: Vec<&(dyn ToSql + Sync)> = chunk
                            .iter()
                            .flat_map(|(a, b)| [a as &(dyn ToSql + Sync), b])
                            .collect();
                        keys.extend(
                            self.conn
                                .client
                                .query(&st, &params)
                                .await?
                                .iter()
                                .map(|r| r.get::<_, i64>(0)),
                        );
                    }
                }
                self.conn.client.batch_execute("COMMIT").await?;
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
                let st = self.conn.stmt(&self.sql.insert_one).await?;
                for (a, b) in &rows {
                    self.conn.client.execute(&st, &[a, b]).await?; // autocommit
                }
                Ok(Some(t.elapsed()))
            }
            Op::PkLookups => {
                let ids = s.lookup_ids();
                let t = Instant::now();
                let st = self.conn.stmt(&self.sql.by_pk).await?;
                for id in &ids {
                    let r = self.conn.client.query_one(&st, &[id]).await?;
                    std::hint::black_box(user(&r));
                }
                Ok(Some(t.elapsed()))
            }
            Op::ResultRows => {
                let t = Instant::now();
                let st = self.conn.stmt(&self.sql.trivial).await?;
                let rows: Vec<(i64, String, Option<String>)> = self
                    .conn
                    .client
                    .query(&st, &[&(s.big as i64)])
                    .await?
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2)))
                    .collect();
                let d = t.elapsed();
                consume(rows, s.big, "rows")?;
                Ok(Some(d))
            }
            Op::ResultModels => {
                let t = Instant::now();
                let st = self.conn.stmt(&self.sql.trivial).await?;
                let rows: Vec<UserRow> = self
                    .conn
                    .client
                    .query(&st, &[&(s.big as i64)])
                    .await?
                    .iter()
                    .map(user)
                    .collect();
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
                self.conn.client.batch_execute("BEGIN").await?;
                let st = self.conn.stmt(&self.sql.update_name).await?;
                for (i, name) in names.iter().enumerate() {
                    self.conn
                        .client
                        .execute(&st, &[name, &((i + 1) as i64)])
                        .await?;
                }
                self.conn.client.batch_execute("COMMIT").await?;
                Ok(Some(t.elapsed()))
            }
            Op::Concurrent => {
                let ids = Arc::new(s.lookup_ids());
                let per_task = s.per_task;
                let t = Instant::now();
                let handles: Vec<_> = (0..s.tasks)
                    .map(|task| {
                        let conn = self.pool[task % self.pool.len()].clone();
                        let ids = ids.clone();
                        tokio::spawn(async move {
                            for i in 0..per_task {
                                let id = ids[(task * per_task + i) % ids.len()];
                                let r = conn.0.query_one(&conn.1, &[&id]).await?;
                                std::hint::black_box(user(&r));
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

impl Contender for RawPostgres {
    fn name(&self) -> &'static str {
        "raw driver"
    }

    fn run<'a>(&'a mut self, op: Op, sizes: &'a Sizes) -> RunFuture<'a> {
        Box::pin(self.run_op(op, sizes))
    }

    fn note(&self, op: Op) -> Option<&'static str> {
        match op {
            Op::Assoc => Some("raw PostgreSQL: `= ANY($1)` with an array parameter"),
            Op::Concurrent => {
                Some("raw PostgreSQL: 10 pipelined clients shared round robin, no checkout")
            }
            _ => None,
        }
    }
}
