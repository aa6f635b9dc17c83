//! rusqlite with cached prepared statements: the physical limit on SQLite.

use crate::contender::{BULK_CHUNK, Backend, Contender, RunFuture, Sql};
use crate::data::{CommentRow, PostRow, UserRow, build_tree, consume, new_rows, tree_size};
use crate::ops::{Op, Sizes};
use anyhow::Result;
use rusqlite::{Connection, params};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Open a connection configured as oxalchemy's driver configures its own
/// (foreign keys on, WAL, synchronous = NORMAL, busy timeout).
pub fn open(path: &str) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// Create the tables and load the data set.
pub fn setup(path: &str, s: &Sizes) -> Result<()> {
    let conn = open(path)?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
    for sql in crate::contender::drop_ddl() {
        conn.execute_batch(sql)?;
    }
    for sql in crate::contender::ddl(Backend::Sqlite) {
        conn.execute_batch(&sql)?;
    }
    conn.execute_batch("BEGIN")?;
    {
        let mut st =
            conn.prepare("INSERT INTO bench_users (id, name, hair_color) VALUES (?, ?, ?)")?;
        for id in 1..=s.users {
            st.execute(params![
                id as i64,
                crate::data::user_name(id),
                crate::data::hair_color(id)
            ])?;
        }
        let mut st =
            conn.prepare("INSERT INTO bench_posts (id, user_id, title, body) VALUES (?, ?, ?, ?)")?;
        let mut sc =
            conn.prepare("INSERT INTO bench_comments (id, post_id, text) VALUES (?, ?, ?)")?;
        let mut post_id = 0i64;
        let mut comment_id = 0i64;
        for u in 1..=s.assoc_users.min(s.users) {
            for j in 0..s.assoc_posts {
                post_id += 1;
                st.execute(params![
                    post_id,
                    u as i64,
                    format!("Post {j} by user {u}"),
                    Some("body text")
                ])?;
                for k in 0..s.assoc_comments {
                    comment_id += 1;
                    sc.execute(params![
                        comment_id,
                        post_id,
                        format!("Comment {k} on post {post_id}")
                    ])?;
                }
            }
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(())
}

pub struct RawSqlite {
    conn: Connection,
    sql: Sql,
    pool: Arc<Mutex<Vec<Connection>>>,
}

impl RawSqlite {
    pub fn new(path: &str) -> Result<RawSqlite> {
        let pool = (0..crate::POOL_SIZE)
            .map(|_| open(path))
            .collect::<Result<Vec<_>>>()?;
        Ok(RawSqlite {
            conn: open(path)?,
            sql: Sql::new(Backend::Sqlite),
            pool: Arc::new(Mutex::new(pool)),
        })
    }

    fn users(&self, sql: &str, arg: i64) -> Result<Vec<UserRow>> {
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st
            .query_map([arg], |r| {
                Ok(UserRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    hair_color: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn clear_inserts(&self) -> Result<()> {
        self.conn.execute_batch("DELETE FROM bench_inserts")?;
        Ok(())
    }

    async fn concurrent(&mut self, s: &Sizes) -> Result<Option<Duration>> {
        let ids = Arc::new(s.lookup_ids());
        let per_task = s.per_task;
        let sql = Arc::new(self.sql.by_pk.clone());
        let t = Instant::now();
        let handles: Vec<_> = (0..s.tasks)
            .map(|task| {
                let pool = self.pool.clone();
                let ids = ids.clone();
                let sql = sql.clone();
                tokio::task::spawn_blocking(move || -> Result<()> {
                    for i in 0..per_task {
                        let conn = loop {
                            if let Some(c) = pool.lock().unwrap().pop() {
                                break c;
                            }
                            std::thread::yield_now();
                        };
                        let id = ids[(task * per_task + i) % ids.len()];
                        let res = conn.prepare_cached(&sql).and_then(|mut st| {
                            st.query_row([id], |r| {
                                Ok(UserRow {
                                    id: r.get(0)?,
                                    name: r.get(1)?,
                                    hair_color: r.get(2)?,
                                })
                            })
                        });
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

    fn run_op(&mut self, op: Op, s: &Sizes) -> Result<Option<Duration>> {
        let t = Instant::now();
        match op {
            Op::Trivial(n) => {
                let t = Instant::now();
                let rows = self.users(&self.sql.trivial, n as i64)?;
                let d = t.elapsed();
                consume(rows, n, "trivial")?;
                return Ok(Some(d));
            }
            Op::Medium => {
                let mut st = self.conn.prepare_cached(&self.sql.medium)?;
                let rows = st
                    .query_map(params!["black", s.medium_users as i64], |r| {
                        let user = UserRow {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            hair_color: r.get(2)?,
                        };
                        let post = match r.get::<_, Option<i64>>(3)? {
                            Some(id) => Some(PostRow {
                                id,
                                user_id: r.get(4)?,
                                title: r.get(5)?,
                                body: r.get(6)?,
                            }),
                            None => None,
                        };
                        Ok((user, post))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                consume(rows, s.medium_rows(), "medium")?;
            }
            Op::Assoc => {
                let users = self.users(&self.sql.users_upto, s.assoc_users as i64)?;
                let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
                let mut st = self
                    .conn
                    .prepare_cached(&Sql::posts_in(Backend::Sqlite, ids.len()))?;
                let posts = st
                    .query_map(rusqlite::params_from_iter(&ids), |r| {
                        Ok(PostRow {
                            id: r.get(0)?,
                            user_id: r.get(1)?,
                            title: r.get(2)?,
                            body: r.get(3)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let post_ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
                let mut st = self
                    .conn
                    .prepare_cached(&Sql::comments_in(Backend::Sqlite, post_ids.len()))?;
                let comments = st
                    .query_map(rusqlite::params_from_iter(&post_ids), |r| {
                        Ok(CommentRow {
                            id: r.get(0)?,
                            post_id: r.get(1)?,
                            text: r.get(2)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let tree = build_tree(users, posts, comments);
                anyhow::ensure!(tree_size(&tree) == crate::assoc_objects(s));
                std::hint::black_box(tree);
            }
            Op::Batch(n) => {
                self.clear_inserts()?;
                let rows = new_rows(n);
                let sql = Sql::insert_many(Backend::Sqlite, n);
                let t = Instant::now();
                self.conn.execute_batch("BEGIN")?;
                let mut st = self.conn.prepare_cached(&sql)?;
                for _ in 0..s.batch_statements {
                    let params: Vec<&dyn rusqlite::ToSql> = rows
                        .iter()
                        .flat_map(|(a, b)| [a as &dyn rusqlite::ToSql, b])
                        .collect();
                    st.execute(params.as_slice())?;
                }
                drop(st);
                self.conn.execute_batch("COMMIT")?;
                return Ok(Some(t.elapsed()));
            }
            Op::BulkNoKeys | Op::BulkKeys => {
                self.clear_inserts()?;
                let rows = new_rows(s.bulk);
                let t = Instant::now();
                self.conn.execute_batch("BEGIN")?;
                if op == Op::BulkNoKeys {
                    // Multi-row prepared INSERTs of BULK_CHUNK rows.
                    for (c, chunk) in rows.chunks(BULK_CHUNK).enumerate() {
                        let ids: Vec<i64> = (0..chunk.len())
                            .map(|i| (c * BULK_CHUNK + i + 1) as i64)
                            .collect();
                        let mut st = self.conn.prepare_cached(&Sql::insert_many_with_id(
                            Backend::Sqlite,
                            chunk.len(),
                        ))?;
                        let params: Vec<&dyn rusqlite::ToSql> = chunk
                            .iter()
                            .zip(&ids)
                            .flat_map(|((a, b), id)| [id as &dyn rusqlite::ToSql, a, b])
                            .collect();
                        st.execute(params.as_slice())?;
                    }
                } else {
                    // One cached single-row INSERT per row; the key is last_insert_rowid().
                    let mut st = self.conn.prepare_cached(&self.sql.insert_one)?;
                    let mut keys = Vec::with_capacity(rows.len());
                    for (a, b) in &rows {
                        st.execute(params![a, b])?;
                        keys.push(self.conn.last_insert_rowid());
                    }
                    drop(st);
                    consume(keys, s.bulk, "bulk keys")?;
                }
                self.conn.execute_batch("COMMIT")?;
                return Ok(Some(t.elapsed()));
            }
            Op::Singles => {
                self.clear_inserts()?;
                let rows = new_rows(s.singles);
                let t = Instant::now();
                // Autocommit: each INSERT is its own transaction.
                let mut st = self.conn.prepare_cached(&self.sql.insert_one)?;
                for (a, b) in &rows {
                    st.execute(params![a, b])?;
                }
                return Ok(Some(t.elapsed()));
            }
            Op::PkLookups => {
                let ids = s.lookup_ids();
                let t = Instant::now();
                let mut st = self.conn.prepare_cached(&self.sql.by_pk)?;
                for &id in &ids {
                    let u = st.query_row([id], |r| {
                        Ok(UserRow {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            hair_color: r.get(2)?,
                        })
                    })?;
                    std::hint::black_box(u);
                }
                return Ok(Some(t.elapsed()));
            }
            Op::ResultRows => {
                let mut st = self.conn.prepare_cached(&self.sql.trivial)?;
                let rows = st
                    .query_map([s.big as i64], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let d = t.elapsed();
                consume(rows, s.big, "rows")?;
                return Ok(Some(d));
            }
            Op::ResultModels => {
                let rows = self.users(&self.sql.trivial, s.big as i64)?;
                let d = t.elapsed();
                consume(rows, s.big, "models")?;
                return Ok(Some(d));
            }
            Op::BulkUpdate => {
                let stamp = crate::next_stamp();
                let names: Vec<String> = (1..=s.bulk_update)
                    .map(|i| format!("User {i} v{stamp}"))
                    .collect();
                let t = Instant::now();
                self.conn.execute_batch("BEGIN")?;
                let mut st = self.conn.prepare_cached(&self.sql.update_name)?;
                for (i, name) in names.iter().enumerate() {
                    st.execute(params![name, (i + 1) as i64])?;
                }
                drop(st);
                self.conn.execute_batch("COMMIT")?;
                return Ok(Some(t.elapsed()));
            }
            Op::Concurrent => unreachable!("run() handles it"),
            Op::PkHit | Op::CompileCached | Op::CompileUncached => return Ok(None),
        }
        Ok(Some(t.elapsed()))
    }
}

impl Contender for RawSqlite {
    fn name(&self) -> &'static str {
        "raw driver"
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
            Op::BulkKeys => Some("rusqlite: one cached INSERT per row + last_insert_rowid()"),
            _ => None,
        }
    }
}
