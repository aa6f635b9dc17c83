//! sea-orm 2 (over sqlx): entities, `find_also_related`, `LoaderTrait::load_many`,
//! `insert_many`.

use crate::contender::{BULK_CHUNK, Contender, RunFuture};
use crate::data::{consume, new_rows};
use crate::ops::{Op, Sizes};
use anyhow::Result;
use sea_orm::entity::prelude::*;
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbBackend, LoaderTrait, QuerySelect, QueryTrait,
    Set, TransactionTrait,
};
use std::time::{Duration, Instant};

pub mod user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub hair_color: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::post::Entity")]
        Post,
    }

    impl Related<super::post::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Post.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod post {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_posts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub title: String,
        pub body: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::user::Entity",
            from = "Column::UserId",
            to = "super::user::Column::Id"
        )]
        User,
        #[sea_orm(has_many = "super::comment::Entity")]
        Comment,
    }

    impl Related<super::user::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl Related<super::comment::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Comment.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod comment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_comments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub post_id: i64,
        pub text: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::post::Entity",
            from = "Column::PostId",
            to = "super::post::Column::Id"
        )]
        Post,
    }

    impl Related<super::post::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Post.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod inserts {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bench_inserts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub hair_color: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn active(rows: &[(String, Option<String>)], first_id: Option<i64>) -> Vec<inserts::ActiveModel> {
    rows.iter()
        .enumerate()
        .map(|(i, (a, h))| inserts::ActiveModel {
            id: match first_id {
                Some(first) => Set(first + i as i64),
                None => sea_orm::ActiveValue::NotSet,
            },
            name: Set(a.clone()),
            hair_color: Set(h.clone()),
        })
        .collect()
}

/// A user with its posts, each with its comments.
type UserTree = (user::Model, Vec<(post::Model, Vec<comment::Model>)>);

pub struct SeaOrm {
    db: DatabaseConnection,
    backend: DbBackend,
}

impl SeaOrm {
    pub async fn new(url: &str, backend: DbBackend) -> Result<SeaOrm> {
        let mut opt = ConnectOptions::new(url.to_string());
        opt.max_connections(crate::POOL_SIZE as u32)
            .min_connections(1)
            .sqlx_logging(false);
        opt.map_sqlx_sqlite_opts(|o| {
            o.foreign_keys(true)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
        });
        Ok(SeaOrm {
            db: Database::connect(opt).await?,
            backend,
        })
    }

    async fn clear_inserts(&self) -> Result<()> {
        inserts::Entity::delete_many().exec(&self.db).await?;
        Ok(())
    }

    fn medium(s: &Sizes) -> sea_orm::SelectTwo<user::Entity, post::Entity> {
        user::Entity::find()
            .find_also_related(post::Entity)
            .filter(user::Column::HairColor.eq("black"))
            .filter(user::Column::Id.lte(s.medium_users as i64))
    }

    async fn run_op(&mut self, op: Op, s: &Sizes) -> Result<Option<Duration>> {
        let db = &self.db;
        match op {
            Op::Trivial(n) => {
                let t = Instant::now();
                let rows = user::Entity::find().limit(n as u64).all(db).await?;
                let d = t.elapsed();
                consume(rows, n, "trivial")?;
                Ok(Some(d))
            }
            Op::Medium => {
                let t = Instant::now();
                let rows = Self::medium(s).all(db).await?;
                let d = t.elapsed();
                consume(rows, s.medium_rows(), "medium")?;
                Ok(Some(d))
            }
            Op::Assoc => {
                let t = Instant::now();
                let users = user::Entity::find()
                    .filter(user::Column::Id.lte(s.assoc_users as i64))
                    .all(db)
                    .await?;
                let posts: Vec<Vec<post::Model>> = users.load_many(post::Entity, db).await?;
                let flat: Vec<post::Model> = posts.iter().flatten().cloned().collect();
                let comments: Vec<Vec<comment::Model>> =
                    flat.load_many(comment::Entity, db).await?;
                let mut comments = comments.into_iter();
                let tree: Vec<UserTree> = users
                    .into_iter()
                    .zip(posts)
                    .map(|(u, ps)| {
                        let ps = ps
                            .into_iter()
                            .map(|p| (p, comments.next().unwrap_or_default()))
                            .collect();
                        (u, ps)
                    })
                    .collect();
                let d = t.elapsed();
                let n: usize = tree
                    .iter()
                    .map(|(_, p)| 1 + p.iter().map(|(_, c)| 1 + c.len()).sum::<usize>())
                    .sum();
                anyhow::ensure!(n == crate::assoc_objects(s));
                Ok(Some(d))
            }
            Op::Batch(n) => {
                self.clear_inserts().await?;
                let rows = new_rows(n);
                let t = Instant::now();
                let txn = db.begin().await?;
                for _ in 0..s.batch_statements {
                    inserts::Entity::insert_many(active(&rows, None))
                        .exec_without_returning(&txn)
                        .await?;
                }
                txn.commit().await?;
                Ok(Some(t.elapsed()))
            }
            Op::BulkKeys if self.backend == DbBackend::MySql => {
                // insert_many(..).exec_with_returning_keys returns no keys on MariaDB.
                Ok(None)
            }
            Op::BulkNoKeys | Op::BulkKeys => {
                self.clear_inserts().await?;
                let rows = new_rows(s.bulk);
                let t = Instant::now();
                let txn = db.begin().await?;
                let mut keys: Vec<i64> = Vec::new();
                for (c, chunk) in rows.chunks(BULK_CHUNK).enumerate() {
                    if op == Op::BulkNoKeys {
                        let first = (c * BULK_CHUNK + 1) as i64;
                        inserts::Entity::insert_many(active(chunk, Some(first)))
                            .exec_without_returning(&txn)
                            .await?;
                    } else {
                        keys.extend(
                            inserts::Entity::insert_many(active(chunk, None))
                                .exec_with_returning_keys(&txn)
                                .await?,
                        );
                    }
                }
                txn.commit().await?;
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
                for am in active(&rows, None) {
                    inserts::Entity::insert(am)
                        .exec_without_returning(db)
                        .await?;
                }
                Ok(Some(t.elapsed()))
            }
            Op::PkLookups => {
                let ids = s.lookup_ids();
                let t = Instant::now();
                for id in ids {
                    let u = user::Entity::find_by_id(id).one(db).await?;
                    std::hint::black_box(u.expect("row"));
                }
                Ok(Some(t.elapsed()))
            }
            Op::ResultRows => {
                let t = Instant::now();
                let rows: Vec<(i64, String, Option<String>)> = user::Entity::find()
                    .select_only()
                    .columns([
                        user::Column::Id,
                        user::Column::Name,
                        user::Column::HairColor,
                    ])
                    .limit(s.big as u64)
                    .into_tuple()
                    .all(db)
                    .await?;
                let d = t.elapsed();
                consume(rows, s.big, "rows")?;
                Ok(Some(d))
            }
            Op::ResultModels => {
                let t = Instant::now();
                let rows = user::Entity::find().limit(s.big as u64).all(db).await?;
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
                let txn = db.begin().await?;
                for (i, name) in names.into_iter().enumerate() {
                    user::Entity::update_many()
                        .col_expr(user::Column::Name, sea_orm::sea_query::Expr::value(name))
                        .filter(user::Column::Id.eq((i + 1) as i64))
                        .exec(&txn)
                        .await?;
                }
                txn.commit().await?;
                Ok(Some(t.elapsed()))
            }
            Op::CompileUncached => {
                let q = Self::medium(s);
                let t = Instant::now();
                for _ in 0..s.compiles {
                    std::hint::black_box(q.build(self.backend));
                }
                Ok(Some(t.elapsed()))
            }
            Op::Concurrent => {
                let ids = std::sync::Arc::new(s.lookup_ids());
                let per_task = s.per_task;
                let t = Instant::now();
                let handles: Vec<_> = (0..s.tasks)
                    .map(|task| {
                        let db = self.db.clone();
                        let ids = ids.clone();
                        tokio::spawn(async move {
                            for i in 0..per_task {
                                let id = ids[(task * per_task + i) % ids.len()];
                                let u = user::Entity::find_by_id(id).one(&db).await?;
                                std::hint::black_box(u.expect("row"));
                            }
                            anyhow::Ok(())
                        })
                    })
                    .collect();
                crate::join_all(handles).await?;
                Ok(Some(t.elapsed()))
            }
            Op::PkHit | Op::CompileCached => Ok(None),
        }
    }
}

impl Contender for SeaOrm {
    fn name(&self) -> &'static str {
        "sea-orm"
    }

    fn run<'a>(&'a mut self, op: Op, sizes: &'a Sizes) -> RunFuture<'a> {
        Box::pin(self.run_op(op, sizes))
    }

    fn note(&self, op: Op) -> Option<&'static str> {
        match op {
            Op::CompileUncached => Some("sea-orm: `QueryTrait::build` (sea-query) of the query"),
            Op::Assoc => Some("sea-orm: `LoaderTrait::load_many` per level"),
            _ => None,
        }
    }
}
