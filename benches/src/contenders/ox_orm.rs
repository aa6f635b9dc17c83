//! oxalchemy ORM: `#[derive(Model)]` models through a `Session`.

use crate::contender::{Contender, FinishFuture, RunFuture};
use crate::data::{PostRow, UserRow, consume, new_hair, new_name};
use crate::ops::{Op, Sizes};
use anyhow::Result;
use oxalchemy::prelude::*;
use std::time::{Duration, Instant};

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "bench_users")]
pub struct User {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(length = 100)]
    pub name: String,
    #[mapped_column(length = 50)]
    pub hair_color: Option<String>,
    #[relationship(back_populates = "user")]
    pub posts: Related<Vec<Post>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "bench_posts")]
pub struct Post {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(foreign_key = "bench_users.id")]
    pub user_id: i64,
    #[mapped_column(length = 200)]
    pub title: String,
    pub body: Option<String>,
    #[relationship(back_populates = "posts")]
    pub user: Related<User>,
    #[relationship(back_populates = "post")]
    pub comments: Related<Vec<Comment>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "bench_comments")]
pub struct Comment {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(foreign_key = "bench_posts.id")]
    pub post_id: i64,
    pub text: String,
    #[relationship(back_populates = "comments")]
    pub post: Related<Post>,
}

/// A row of bench_inserts.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "bench_inserts")]
pub struct NewUser {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(length = 100)]
    pub name: String,
    #[mapped_column(length = 50)]
    pub hair_color: Option<String>,
}

fn new_users(n: usize, with_ids: bool) -> Vec<NewUser> {
    (0..n)
        .map(|i| NewUser {
            id: if with_ids { (i + 1) as i64 } else { 0 },
            name: new_name(i),
            hair_color: new_hair(i),
        })
        .collect()
}

pub struct OxOrm {
    engine: Engine,
    session: Session,
    core: crate::contenders::ox_core::Tables,
}

impl OxOrm {
    pub fn new(engine: Engine) -> OxOrm {
        OxOrm {
            session: Session::new(&engine),
            engine,
            core: crate::contenders::ox_core::Tables::new(),
        }
    }

    async fn clear_inserts(&mut self) -> Result<()> {
        self.session.execute(delete(NewUser::table())).await?;
        self.session.commit().await?;
        Ok(())
    }

    async fn run_op(&mut self, op: Op, s: &Sizes) -> Result<Option<Duration>> {
        // Each iteration starts with an empty identity map (the transaction stays open
        // across the reads of one operation, as in a request reading several times).
        self.session.expunge_all();
        match op {
            Op::Trivial(n) => {
                let t = Instant::now();
                let rows: Vec<User> = self
                    .session
                    .scalars(select(User).limit(n as u64))
                    .all()
                    .await?;
                let d = t.elapsed();
                consume(rows, n, "trivial")?;
                Ok(Some(d))
            }
            Op::Medium => {
                // (User, Option<Post>) is not a result shape yet: Core rows through the session.
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
                let rows: Vec<(UserRow, Option<PostRow>)> = self
                    .session
                    .execute(self.core.medium(s))
                    .await?
                    .all::<Joined>()?
                    .into_iter()
                    .map(crate::contenders::ox_core::joined)
                    .collect();
                let d = t.elapsed();
                consume(rows, s.medium_rows(), "medium")?;
                Ok(Some(d))
            }
            Op::Assoc => {
                // selectinload, nested: three statements (users, posts IN, comments IN).
                let t = Instant::now();
                let users: Vec<User> = self
                    .session
                    .scalars(
                        select(User)
                            .filter(User::ID.le(s.assoc_users as i64))
                            .options(selectinload(User::POSTS).selectinload(Post::COMMENTS)),
                    )
                    .all()
                    .await?;
                let d = t.elapsed();
                let mut n = 0;
                for u in &users {
                    n += 1;
                    for p in u.posts.get()? {
                        n += 1 + p.comments.get()?.len();
                    }
                }
                anyhow::ensure!(n == crate::assoc_objects(s), "{n} objects loaded");
                Ok(Some(d))
            }
            Op::Batch(n) => {
                self.clear_inserts().await?;
                let t = Instant::now();
                for _ in 0..s.batch_statements {
                    self.session.add_all(new_users(n, false));
                    self.session.flush().await?;
                }
                self.session.commit().await?;
                Ok(Some(t.elapsed()))
            }
            Op::BulkNoKeys => {
                self.clear_inserts().await?;
                let models = new_users(s.bulk, true);
                let t = Instant::now();
                self.session.add_all(models);
                self.session.commit().await?;
                Ok(Some(t.elapsed()))
            }
            Op::BulkKeys => {
                self.clear_inserts().await?;
                let models = new_users(s.bulk, false);
                let t = Instant::now();
                let saved = self.session.save_all(models).await?;
                self.session.commit().await?;
                let d = t.elapsed();
                anyhow::ensure!(saved.iter().all(|m| m.id > 0));
                consume(saved, s.bulk, "bulk keys")?;
                Ok(Some(d))
            }
            Op::Singles => {
                self.clear_inserts().await?;
                let models = new_users(s.singles, false);
                let t = Instant::now();
                for m in models {
                    self.session.add(m);
                    self.session.commit().await?;
                }
                Ok(Some(t.elapsed()))
            }
            Op::PkLookups | Op::PkHit => {
                let ids = s.lookup_ids();
                if op == Op::PkHit {
                    for &id in &ids {
                        self.session.get::<User>(id).await?;
                    }
                }
                let t = Instant::now();
                for &id in &ids {
                    let u = self.session.get::<User>(id).await?;
                    std::hint::black_box(u.expect("row"));
                }
                Ok(Some(t.elapsed()))
            }
            Op::ResultRows => {
                let t = Instant::now();
                let rows: Vec<(i64, String, Option<String>)> = self
                    .session
                    .scalars(select((User::ID, User::NAME, User::HAIR_COLOR)).limit(s.big as u64))
                    .all()
                    .await?;
                let d = t.elapsed();
                consume(rows, s.big, "rows")?;
                Ok(Some(d))
            }
            Op::ResultModels => {
                let t = Instant::now();
                let rows: Vec<User> = self
                    .session
                    .scalars(select(User).limit(s.big as u64))
                    .all()
                    .await?;
                let d = t.elapsed();
                consume(rows, s.big, "models")?;
                Ok(Some(d))
            }
            Op::BulkUpdate => {
                let stamp = crate::next_stamp();
                self.session.rollback().await?;
                let mut users: Vec<User> = self
                    .session
                    .scalars(select(User).filter(User::ID.le(s.bulk_update as i64)))
                    .all()
                    .await?;
                for u in &mut users {
                    u.name = format!("User {} v{stamp}", u.id);
                }
                let t = Instant::now();
                self.session.add_all(users);
                self.session.commit().await?;
                Ok(Some(t.elapsed()))
            }
            Op::Concurrent => {
                let ids = std::sync::Arc::new(s.lookup_ids());
                let per_task = s.per_task;
                let t = Instant::now();
                let handles: Vec<_> = (0..s.tasks)
                    .map(|task| {
                        let engine = self.engine.clone();
                        let ids = ids.clone();
                        tokio::spawn(async move {
                            for i in 0..per_task {
                                let id = ids[(task * per_task + i) % ids.len()];
                                let mut session = Session::new(&engine); // one per request
                                let u = session.get::<User>(id).await?;
                                std::hint::black_box(u.expect("row"));
                            }
                            anyhow::Ok(())
                        })
                    })
                    .collect();
                crate::join_all(handles).await?;
                Ok(Some(t.elapsed()))
            }
            Op::CompileCached | Op::CompileUncached => Ok(None),
        }
    }
}

impl Contender for OxOrm {
    fn name(&self) -> &'static str {
        "oxalchemy ORM"
    }

    fn run<'a>(&'a mut self, op: Op, sizes: &'a Sizes) -> RunFuture<'a> {
        Box::pin(self.run_op(op, sizes))
    }

    fn finish(&mut self) -> FinishFuture<'_> {
        Box::pin(async move {
            self.session.rollback().await?;
            Ok(())
        })
    }

    fn note(&self, op: Op) -> Option<&'static str> {
        match op {
            Op::Medium => Some(
                "ORM: `session.execute` of the Core statement ((User, Option<Post>) is not a result shape)",
            ),
            Op::Assoc => Some(
                "ORM: selectinload(User::POSTS).selectinload(Post::COMMENTS), three statements",
            ),
            _ => None,
        }
    }
}
