//! oxalchemy Core: statements built with the expression language and run on a
//! pooled `Connection` (commit as you go).

use crate::contender::{BULK_CHUNK, Contender, FinishFuture, RunFuture};
use crate::data::{CommentRow, PostRow, UserRow, build_tree, consume, new_rows, tree_size};
use crate::ops::{Op, Sizes};
use anyhow::Result;
use oxalchemy::prelude::*;
use oxalchemy::{AnyType, Select};
use std::time::{Duration, Instant};

/// The benchmark tables as Core `Table`s (created by the harness's DDL).
#[derive(Clone)]
pub struct Tables {
    pub users: Table,
    pub posts: Table,
    pub comments: Table,
    pub inserts: Table,
}

impl Tables {
    pub fn new() -> Tables {
        let metadata = MetaData::new();
        let users = metadata.table("bench_users", |t| {
            t.column("id", BigInteger).primary_key();
            t.column("name", Varchar(100)).not_null();
            t.column("hair_color", Varchar(50));
        });
        let posts = metadata.table("bench_posts", |t| {
            t.column("id", BigInteger).primary_key();
            t.column("user_id", BigInteger)
                .not_null()
                .foreign_key("bench_users.id");
            t.column("title", Varchar(200)).not_null();
            t.column("body", Text);
        });
        let comments = metadata.table("bench_comments", |t| {
            t.column("id", BigInteger).primary_key();
            t.column("post_id", BigInteger)
                .not_null()
                .foreign_key("bench_posts.id");
            t.column("text", Text).not_null();
        });
        let inserts = metadata.table("bench_inserts", |t| {
            t.column("id", BigInteger).primary_key();
            t.column("name", Varchar(100)).not_null();
            t.column("hair_color", Varchar(50));
        });
        Tables {
            users,
            posts,
            comments,
            inserts,
        }
    }

    /// The medium-complex query (also the statement the compile operations compile).
    pub fn medium(
        &self,
        s: &Sizes,
    ) -> Select<(
        AnyType,
        AnyType,
        AnyType,
        AnyType,
        AnyType,
        AnyType,
        AnyType,
    )> {
        let (u, p) = (&self.users, &self.posts);
        select((
            u.c("id"),
            u.c("name"),
            u.c("hair_color"),
            p.c("id"),
            p.c("user_id"),
            p.c("title"),
            p.c("body"),
        ))
        .outerjoin_on(p, p.c("user_id").eq(u.c("id")))
        .filter(
            u.c("hair_color")
                .eq("black")
                .and(u.c("id").le(s.medium_users as i64)),
        )
    }

    pub fn user_cols(&self) -> Select<(AnyType, AnyType, AnyType)> {
        let u = &self.users;
        select((u.c("id"), u.c("name"), u.c("hair_color")))
    }
}

impl Default for Tables {
    fn default() -> Self {
        Tables::new()
    }
}

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

/// (user, post-or-none) from a row of the medium query.
pub fn joined((id, name, hair_color, pid, uid, title, body): Joined) -> (UserRow, Option<PostRow>) {
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
}

pub struct OxCore {
    engine: Engine,
    conn: Connection,
    t: Tables,
}

impl OxCore {
    pub async fn new(engine: Engine) -> Result<OxCore> {
        let conn = engine.connect().await?;
        Ok(OxCore {
            engine,
            conn,
            t: Tables::new(),
        })
    }

    async fn clear_inserts(&mut self) -> Result<()> {
        self.conn.execute(delete(&self.t.inserts)).await?;
        self.conn.commit().await?;
        Ok(())
    }

    async fn run_op(&mut self, op: Op, s: &Sizes) -> Result<Option<Duration>> {
        let tables = self.t.clone();
        let (users, ins) = (&tables.users, &tables.inserts);
        match op {
            Op::Trivial(n) => {
                let t = Instant::now();
                let rows: Vec<UserRow> = self
                    .conn
                    .execute(self.t.user_cols().limit(n as u64))
                    .await?
                    .all::<UserTuple>()?
                    .into_iter()
                    .map(to_user)
                    .collect();
                let d = t.elapsed();
                consume(rows, n, "trivial")?;
                Ok(Some(d))
            }
            Op::Medium => {
                let t = Instant::now();
                let rows: Vec<(UserRow, Option<PostRow>)> = self
                    .conn
                    .execute(self.t.medium(s))
                    .await?
                    .all::<Joined>()?
                    .into_iter()
                    .map(joined)
                    .collect();
                let d = t.elapsed();
                consume(rows, s.medium_rows(), "medium")?;
                Ok(Some(d))
            }
            Op::Assoc => {
                let t = Instant::now();
                let (p, c) = (&self.t.posts, &self.t.comments);
                let users: Vec<UserRow> = self
                    .conn
                    .execute(
                        self.t
                            .user_cols()
                            .filter(users.c("id").le(s.assoc_users as i64)),
                    )
                    .await?
                    .all::<UserTuple>()?
                    .into_iter()
                    .map(to_user)
                    .collect();
                let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
                let posts: Vec<PostRow> = self
                    .conn
                    .execute(
                        select((p.c("id"), p.c("user_id"), p.c("title"), p.c("body")))
                            .filter(p.c("user_id").in_(ids)),
                    )
                    .await?
                    .all::<(i64, i64, String, Option<String>)>()?
                    .into_iter()
                    .map(|(id, user_id, title, body)| PostRow {
                        id,
                        user_id,
                        title,
                        body,
                    })
                    .collect();
                let post_ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
                let comments: Vec<CommentRow> = self
                    .conn
                    .execute(
                        select((c.c("id"), c.c("post_id"), c.c("text")))
                            .filter(c.c("post_id").in_(post_ids)),
                    )
                    .await?
                    .all::<(i64, i64, String)>()?
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
                for _ in 0..s.batch_statements {
                    let stmt = insert(ins).values_many(
                        rows.iter()
                            .map(|(a, b)| (("name", a.clone()), ("hair_color", b.clone()))),
                    );
                    self.conn.execute(stmt).await?;
                }
                self.conn.commit().await?;
                Ok(Some(t.elapsed()))
            }
            Op::BulkNoKeys | Op::BulkKeys => {
                self.clear_inserts().await?;
                let rows = new_rows(s.bulk);
                let t = Instant::now();
                let mut keys: Vec<i64> = Vec::new();
                for (c, chunk) in rows.chunks(BULK_CHUNK).enumerate() {
                    if op == Op::BulkNoKeys {
                        let stmt =
                            insert(ins).values_many(chunk.iter().enumerate().map(|(i, (a, b))| {
                                (
                                    ("id", (c * BULK_CHUNK + i + 1) as i64),
                                    ("name", a.clone()),
                                    ("hair_color", b.clone()),
                                )
                            }));
                        self.conn.execute(stmt).await?;
                    } else {
                        let stmt = insert(ins)
                            .values_many(
                                chunk
                                    .iter()
                                    .map(|(a, b)| (("name", a.clone()), ("hair_color", b.clone()))),
                            )
                            .returning(ins.c("id"));
                        keys.extend(self.conn.execute(stmt).await?.scalars::<i64>()?);
                    }
                }
                self.conn.commit().await?;
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
                for (a, b) in rows {
                    self.conn
                        .execute(insert(ins).values((("name", a), ("hair_color", b))))
                        .await?;
                    self.conn.commit().await?;
                }
                Ok(Some(t.elapsed()))
            }
            Op::PkLookups => {
                let ids = s.lookup_ids();
                let t = Instant::now();
                for id in ids {
                    let u: UserTuple = self
                        .conn
                        .execute(self.t.user_cols().filter(users.c("id").eq(id)))
                        .await?
                        .one()?;
                    std::hint::black_box(to_user(u));
                }
                Ok(Some(t.elapsed()))
            }
            Op::ResultRows => {
                let t = Instant::now();
                let rows = self
                    .conn
                    .execute(self.t.user_cols().limit(s.big as u64))
                    .await?
                    .all::<UserTuple>()?;
                let d = t.elapsed();
                consume(rows, s.big, "rows")?;
                Ok(Some(d))
            }
            Op::BulkUpdate => {
                let stamp = crate::next_stamp();
                let names: Vec<String> = (1..=s.bulk_update)
                    .map(|i| format!("User {i} v{stamp}"))
                    .collect();
                let t = Instant::now();
                for (i, name) in names.into_iter().enumerate() {
                    self.conn
                        .execute(
                            update(users)
                                .filter(users.c("id").eq((i + 1) as i64))
                                .set("name", name),
                        )
                        .await?;
                }
                self.conn.commit().await?;
                Ok(Some(t.elapsed()))
            }
            Op::CompileCached | Op::CompileUncached => {
                let stmt = self.t.medium(s);
                let dialect = self.engine.dialect();
                let t = Instant::now();
                for _ in 0..s.compiles {
                    let compiled = if op == Op::CompileCached {
                        self.engine.compile(&stmt)?
                    } else {
                        stmt.try_compile(dialect.as_ref())?
                    };
                    std::hint::black_box(compiled);
                }
                Ok(Some(t.elapsed()))
            }
            Op::Concurrent => {
                let ids = std::sync::Arc::new(s.lookup_ids());
                let per_task = s.per_task;
                let t = Instant::now();
                let handles: Vec<_> = (0..s.tasks)
                    .map(|task| {
                        let engine = self.engine.clone();
                        let users = self.t.users.clone();
                        let ids = ids.clone();
                        tokio::spawn(async move {
                            for i in 0..per_task {
                                let id = ids[(task * per_task + i) % ids.len()];
                                let mut conn = engine.connect().await?;
                                let u: UserTuple = conn
                                    .execute(
                                        select((
                                            users.c("id"),
                                            users.c("name"),
                                            users.c("hair_color"),
                                        ))
                                        .filter(users.c("id").eq(id)),
                                    )
                                    .await?
                                    .one()?;
                                std::hint::black_box(u);
                            }
                            anyhow::Ok(())
                        })
                    })
                    .collect();
                crate::join_all(handles).await?;
                Ok(Some(t.elapsed()))
            }
            Op::ResultModels | Op::PkHit => Ok(None),
        }
    }
}

impl Contender for OxCore {
    fn name(&self) -> &'static str {
        "oxalchemy Core"
    }

    fn run<'a>(&'a mut self, op: Op, sizes: &'a Sizes) -> RunFuture<'a> {
        Box::pin(self.run_op(op, sizes))
    }

    fn finish(&mut self) -> FinishFuture<'_> {
        // The reads of an operation share one transaction (as reads on one
        // connection do); end it before the next operation.
        Box::pin(async move {
            self.conn.rollback().await?;
            Ok(())
        })
    }
}
