//! Relationship loading (contract section 5) on every backend: loader options
//! and their statement counts, `lazy` defaults, `session.load`, joins along
//! relationships and `any()` / `has()`.

mod common;

use common::{Statements, TestDb};
use oxalchemy::prelude::*;
use std::sync::OnceLock;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "user", order_by = "email_address desc")]
    addresses: Related<Vec<Address>>,
    #[relationship(back_populates = "author", order_by = "id")]
    posts: Related<Vec<Post>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "address")]
struct Address {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 100)]
    email_address: String,
    #[mapped_column(foreign_key = "user_account.id")]
    user_id: i64,
    #[relationship(back_populates = "addresses")]
    user: Related<User>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "post")]
struct Post {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 100)]
    title: String,
    #[mapped_column(foreign_key = "user_account.id")]
    author_id: i64,
    #[relationship(back_populates = "posts")]
    author: Related<User>,
    #[relationship(back_populates = "post", order_by = "id")]
    comments: Related<Vec<Comment>>,
    #[relationship(secondary = "post_tag", back_populates = "posts", order_by = "name")]
    tags: Related<Vec<Tag>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "comment")]
struct Comment {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 100)]
    body: String,
    #[mapped_column(foreign_key = "post.id")]
    post_id: i64,
    #[relationship(back_populates = "comments")]
    post: Related<Post>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "tag")]
struct Tag {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(secondary = "post_tag", back_populates = "tags", order_by = "id")]
    posts: Related<Vec<Post>>,
}

/// The association table of `Post.tags`, defined on the base's metadata.
fn post_tag() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        Base::metadata().table("post_tag", |t| {
            t.column("post_id", BigInteger)
                .primary_key()
                .foreign_key("post.id");
            t.column("tag_id", BigInteger)
                .primary_key()
                .foreign_key("tag.id");
        })
    })
}

/// A self-referential tree (adjacency list).
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "node")]
struct Node {
    #[mapped_column(primary_key, autoincrement = false)]
    id: i64,
    #[mapped_column(foreign_key = "node.id")]
    parent_id: Option<i64>,
    #[mapped_column(length = 20)]
    name: String,
    #[relationship(back_populates = "parent", order_by = "id")]
    children: Related<Vec<Node>>,
    #[relationship(back_populates = "children")]
    parent: Related<Option<Node>>,
}

/// A tree whose children load by default (`lazy = "selectin"`), level by level.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "category")]
struct Category {
    #[mapped_column(primary_key, autoincrement = false)]
    id: i64,
    #[mapped_column(foreign_key = "category.id")]
    parent_id: Option<i64>,
    #[mapped_column(length = 20)]
    name: String,
    #[relationship(lazy = "selectin", order_by = "id")]
    children: Related<Vec<Category>>,
}

/// `lazy` defaults on both sides of a relationship.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "author")]
struct Author {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "author", lazy = "selectin", order_by = "id")]
    books: Related<Vec<Book>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "book")]
struct Book {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    title: String,
    #[mapped_column(foreign_key = "author.id")]
    author_id: i64,
    #[relationship(back_populates = "books", lazy = "joined")]
    author: Related<Author>,
}

/// A composite primary key; the lines refer to it through two columns.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "purchase_order")]
struct PurchaseOrder {
    #[mapped_column(primary_key, length = 10)]
    region: String,
    #[mapped_column(primary_key, autoincrement = false)]
    number: i64,
    #[mapped_column(length = 50)]
    note: String,
    #[relationship(
        primaryjoin = "purchase_order.region = order_line.region AND purchase_order.number = order_line.number",
        back_populates = "order",
        order_by = "line_no"
    )]
    lines: Related<Vec<OrderLine>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "order_line")]
struct OrderLine {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 10)]
    region: String,
    number: i64,
    line_no: i64,
    #[relationship(
        primaryjoin = "order_line.region = purchase_order.region AND order_line.number = purchase_order.number",
        back_populates = "lines"
    )]
    order: Related<PurchaseOrder>,
}

async fn setup(db: &TestDb) -> oxalchemy::Result<Statements> {
    post_tag();
    Base::metadata().create_all(&db.engine).await?;
    Ok(Statements::listen(&db.engine))
}

/// `users` users, each with `per` posts (each with `per` comments) and two
/// addresses; every post is tagged "rust", odd posts also "sql".
async fn seed_blog(db: &TestDb, users: i64, per: i64) -> oxalchemy::Result<()> {
    let mut session = Session::new(&db.engine);
    session.add_all([
        Tag {
            id: 1,
            name: "rust".into(),
            ..Default::default()
        },
        Tag {
            id: 2,
            name: "sql".into(),
            ..Default::default()
        },
    ]);
    let mut links = Vec::new();
    for u in 1..=users {
        session.add(User {
            id: u,
            name: format!("user{u:03}"),
            ..Default::default()
        });
        for (k, host) in ["a.org", "b.org"].iter().enumerate() {
            session.add(Address {
                id: u * 10 + k as i64,
                email_address: format!("user{u:03}@{host}"),
                user_id: u,
                ..Default::default()
            });
        }
        for p in 0..per {
            let post = u * 100 + p;
            session.add(Post {
                id: post,
                title: format!("post {post}"),
                author_id: u,
                ..Default::default()
            });
            links.push((post, 1));
            if post % 2 == 1 {
                links.push((post, 2));
            }
            for c in 0..per {
                session.add(Comment {
                    id: post * 100 + c,
                    body: format!("comment {c} on {post}"),
                    post_id: post,
                    ..Default::default()
                });
            }
        }
    }
    session.flush().await?;
    session
        .execute(
            insert(post_tag()).values_many(
                links
                    .into_iter()
                    .map(|(p, t)| vec![("post_id", Value::from(p)), ("tag_id", Value::from(t))]),
            ),
        )
        .await?;
    session.commit().await
}

fn count_with(statements: &[String], table: &str) -> usize {
    statements
        .iter()
        .filter(|s| s.to_lowercase().contains(table))
        .count()
}

backend_tests! {
    async fn selectinload_three_levels_costs_three_statements(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 50, 2).await?;
        for users in [1, 50] {
            let mut session = Session::new(&db.engine);
            log.take();
            let loaded = session
                .scalars(
                    select(User)
                        .filter(User::ID.le(users))
                        .order_by(User::ID)
                        .options(selectinload(User::POSTS).selectinload(Post::COMMENTS)),
                )
                .all()
                .await?;
            let sql = log.take();
            assert_eq!(sql.len(), 3, "{users} users: {sql:#?}");
            assert_eq!(loaded.len(), users as usize);
            for user in &loaded {
                let posts = user.posts.get()?;
                assert_eq!(posts.len(), 2);
                assert!(posts.iter().all(|p| p.author_id == user.id));
                for post in posts {
                    let comments = post.comments.get()?;
                    assert_eq!(comments.iter().map(|c| c.id).collect::<Vec<_>>(), [post.id * 100, post.id * 100 + 1]);
                    // Not asked for: not loaded, and the error says how to load it.
                    let err = post.tags.get().unwrap_err().to_string();
                    assert!(err.contains("Post.tags") && err.contains("selectinload(Post::TAGS)"), "{err}");
                }
                assert!(!user.addresses.is_loaded());
            }
            session.rollback().await?;
        }
        Ok(())
    }

    async fn tuple_options_and_many_to_one_selectin(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 3, 2).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let users = session
            .scalars(select(User).order_by(User::ID).options((
                selectinload(User::ADDRESSES),
                selectinload(User::POSTS).selectinload(Post::TAGS),
            )))
            .all()
            .await?;
        assert_eq!(log.take().len(), 4);
        assert_eq!(users[0].addresses.get()?.len(), 2);
        // order_by = "email_address desc"
        assert_eq!(users[0].addresses.get()?[0].email_address, "user001@b.org");
        let tags: Vec<&str> = users[0].posts.get()?[1].tags.get()?.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(tags, ["rust", "sql"]);

        // Many-to-one: one statement for all the distinct users.
        let addresses = session
            .scalars(select(Address).order_by(Address::ID).options(selectinload(Address::USER)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 2);
        assert_eq!(addresses.len(), 6);
        for a in &addresses {
            assert_eq!(a.user.get()?.id, a.user_id);
        }
        Ok(())
    }

    async fn joinedload_costs_one_statement(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 4, 3).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let addresses = session
            .scalars(select(Address).order_by(Address::ID).options(joinedload(Address::USER)))
            .all()
            .await?;
        let sql = log.take();
        assert_eq!(sql.len(), 1, "{sql:#?}");
        assert!(sql[0].contains("LEFT OUTER JOIN"), "{}", sql[0]);
        assert_eq!(addresses.len(), 8);
        assert!(addresses.iter().all(|a| a.user.get().unwrap().id == a.user_id));

        // A collection, and a collection below it: rows are de-duplicated into parents.
        let users = session
            .scalars(
                select(User)
                    .order_by(User::ID)
                    .options(joinedload(User::POSTS).joinedload(Post::COMMENTS)),
            )
            .all()
            .await?;
        assert_eq!(log.take().len(), 1);
        assert_eq!(users.iter().map(|u| u.id).collect::<Vec<_>>(), [1, 2, 3, 4]);
        for user in &users {
            let posts = user.posts.get()?;
            assert_eq!(posts.iter().map(|p| p.id).collect::<Vec<_>>(), [user.id * 100, user.id * 100 + 1, user.id * 100 + 2]);
            for post in posts {
                assert_eq!(post.comments.get()?.len(), 3);
            }
        }

        // one() counts parents, not joined rows.
        let one = session
            .scalars(select(User).filter(User::ID.eq(2)).options(joinedload(User::ADDRESSES)))
            .one()
            .await?;
        assert_eq!(one.addresses.get()?.len(), 2);
        assert_eq!(log.take().len(), 1);
        // Joined rows refresh the identity map too: no SQL to get one of them.
        let id = one.addresses.get()?[1].id;
        assert_eq!(session.get::<Address>(id).await?.unwrap().user_id, 2);
        assert!(log.take().is_empty());
        Ok(())
    }

    async fn joinedload_with_limit_counts_parents(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 5, 3).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let users = session
            .scalars(
                select(User)
                    .order_by(User::ID.desc())
                    .limit(2)
                    .offset(1)
                    .options(joinedload(User::POSTS)),
            )
            .all()
            .await?;
        assert_eq!(log.take().len(), 1);
        assert_eq!(users.iter().map(|u| u.id).collect::<Vec<_>>(), [4, 3]);
        assert!(users.iter().all(|u| u.posts.get().unwrap().len() == 3));
        Ok(())
    }

    async fn subqueryload_costs_one_statement_per_level(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 6, 2).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let users = session
            .scalars(
                select(User)
                    .filter(User::NAME.like("user%"))
                    .order_by(User::ID)
                    .options(subqueryload(User::POSTS).subqueryload(Post::COMMENTS)),
            )
            .all()
            .await?;
        let sql = log.take();
        assert_eq!(sql.len(), 3, "{sql:#?}");
        assert!(sql[2].matches("SELECT").count() >= 4, "{}", sql[2]);
        assert_eq!(users.len(), 6);
        for user in &users {
            for post in user.posts.get()? {
                assert_eq!(post.author_id, user.id);
                assert_eq!(post.comments.get()?.len(), 2);
            }
        }

        // With a LIMIT, the subquery keeps it: only those users' posts are read.
        let users = session
            .scalars(
                select(User)
                    .order_by(User::ID)
                    .limit(2)
                    .options((subqueryload(User::POSTS), subqueryload(User::ADDRESSES))),
            )
            .all()
            .await?;
        assert_eq!(log.take().len(), 3);
        assert_eq!(users.len(), 2);
        assert!(users.iter().all(|u| u.posts.get().unwrap().len() == 2));
        assert!(users.iter().all(|u| u.addresses.get().unwrap().len() == 2));
        Ok(())
    }

    async fn selectinload_batches_keys_by_500(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        session.add_all((1..=1200).map(|id| User { id, name: format!("u{id}"), ..Default::default() }));
        session.add_all((1..=1200).map(|id| Address {
            id,
            email_address: format!("u{id}@sea.org"),
            user_id: id,
            ..Default::default()
        }));
        session.commit().await?;
        log.take();
        let users = session
            .scalars(select(User).options(selectinload(User::ADDRESSES)))
            .all()
            .await?;
        let sql = log.take();
        assert_eq!(sql.len(), 4);
        assert_eq!(count_with(&sql, "address"), 3);
        assert_eq!(users.len(), 1200);
        assert!(users.iter().all(|u| u.addresses.get().unwrap()[0].user_id == u.id));
        Ok(())
    }

    async fn composite_keys(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        for (region, number) in [("eu", 1), ("eu", 2), ("us", 1)] {
            session.add(PurchaseOrder { region: region.into(), number, note: format!("{region}-{number}"), ..Default::default() });
        }
        let mut id = 0;
        for (region, number, lines) in [("eu", 1, 3), ("eu", 2, 1), ("us", 1, 2)] {
            for line_no in (1..=lines).rev() {
                id += 1;
                session.add(OrderLine { id, region: region.into(), number, line_no, ..Default::default() });
            }
        }
        session.commit().await?;
        let expect = |orders: &[PurchaseOrder]| {
            let shape: Vec<(String, i64, Vec<i64>)> = orders
                .iter()
                .map(|o| (o.region.clone(), o.number, o.lines.get().unwrap().iter().map(|l| l.line_no).collect()))
                .collect();
            assert_eq!(shape, [
                ("eu".to_owned(), 1, vec![1, 2, 3]),
                ("eu".to_owned(), 2, vec![1]),
                ("us".to_owned(), 1, vec![1, 2]),
            ]);
        };
        let ordered = || select(PurchaseOrder).order_by((PurchaseOrder::REGION, PurchaseOrder::NUMBER));
        log.take();
        expect(&session.scalars(ordered().options(selectinload(PurchaseOrder::LINES))).all().await?);
        assert_eq!(log.take().len(), 2);
        expect(&session.scalars(ordered().options(joinedload(PurchaseOrder::LINES))).all().await?);
        assert_eq!(log.take().len(), 1);
        expect(&session.scalars(ordered().options(subqueryload(PurchaseOrder::LINES))).all().await?);
        assert_eq!(log.take().len(), 2);

        // The other side, by two columns.
        let lines = session
            .scalars(select(OrderLine).order_by(OrderLine::ID).options(selectinload(OrderLine::ORDER)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 2);
        assert!(lines.iter().all(|l| {
            let o = l.order.get().unwrap();
            (o.region.as_str(), o.number) == (l.region.as_str(), l.number)
        }));
        Ok(())
    }

    async fn self_referential_trees(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        for (id, parent_id, name) in [(1, None, "root"), (2, Some(1), "a"), (3, Some(1), "b"), (4, Some(2), "a1"), (5, Some(2), "a2"), (6, Some(3), "b1")] {
            session.add(Node { id, parent_id, name: name.into(), ..Default::default() });
        }
        session.commit().await?;
        log.take();
        let root = session
            .scalars(
                select(Node)
                    .filter(Node::PARENT_ID.eq(None::<i64>))
                    .options(selectinload(Node::CHILDREN).selectinload(Node::CHILDREN)),
            )
            .one()
            .await?;
        assert_eq!(log.take().len(), 3);
        let names = |nodes: &[Node]| nodes.iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        let level1 = root.children.get()?;
        assert_eq!(names(level1), ["a", "b"]);
        assert_eq!(names(level1[0].children.get()?), ["a1", "a2"]);
        assert_eq!(names(level1[1].children.get()?), ["b1"]);
        assert!(!level1[0].children.get()?[0].children.is_loaded());

        // Many-to-one to the same table: joined through an alias.
        let leaves = session
            .scalars(
                select(Node)
                    .filter(Node::ID.in_([4, 5, 6]))
                    .order_by(Node::ID)
                    .options(joinedload(Node::PARENT).joinedload(Node::PARENT)),
            )
            .all()
            .await?;
        assert_eq!(log.take().len(), 1);
        let parents: Vec<&str> = leaves.iter().map(|n| n.parent.get().unwrap().as_ref().unwrap().name.as_str()).collect();
        assert_eq!(parents, ["a", "a", "b"]);
        let grand = leaves[0].parent.get()?.as_ref().unwrap().parent.get()?.as_ref().unwrap();
        assert_eq!(grand.name, "root");

        // The root has no parent: loaded as None.
        let mut root = session.get::<Node>(1).await?.unwrap();
        log.take();
        session.load(&mut root, Node::PARENT).await?;
        assert_eq!(log.take().len(), 0, "a NULL key needs no statement");
        assert_eq!(root.parent.get()?, &None);

        // lazy = "selectin" on a self-referential relationship loads every level.
        for (id, parent_id) in [(1, None), (2, Some(1)), (3, Some(2)), (4, Some(3)), (5, Some(1))] {
            session.add(Category { id, parent_id, name: format!("c{id}"), ..Default::default() });
        }
        session.flush().await?;
        log.take();
        let top = session
            .scalars(select(Category).filter(Category::PARENT_ID.eq(None::<i64>)))
            .one()
            .await?;
        // The roots, then one statement per level (the last finds no children).
        assert_eq!(log.take().len(), 5);
        let c3 = &top.children.get()?[0].children.get()?[0];
        assert_eq!(c3.id, 3);
        assert_eq!(c3.children.get()?[0].id, 4);
        assert!(c3.children.get()?[0].children.get()?.is_empty());
        Ok(())
    }

    async fn many_to_many_through_secondary(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 2, 2).await?;
        let mut session = Session::new(&db.engine);
        let check = |posts: &[Post]| {
            for post in posts {
                let tags: Vec<&str> = post.tags.get().unwrap().iter().map(|t| t.name.as_str()).collect();
                if post.id % 2 == 1 {
                    assert_eq!(tags, ["rust", "sql"]);
                } else {
                    assert_eq!(tags, ["rust"]);
                }
            }
        };
        log.take();
        let posts = session.scalars(select(Post).order_by(Post::ID).options(selectinload(Post::TAGS))).all().await?;
        assert_eq!(log.take().len(), 2);
        assert_eq!(posts.len(), 4);
        check(&posts);
        check(&session.scalars(select(Post).order_by(Post::ID).options(joinedload(Post::TAGS))).all().await?);
        assert_eq!(log.take().len(), 1);
        check(&session.scalars(select(Post).order_by(Post::ID).options(subqueryload(Post::TAGS))).all().await?);
        assert_eq!(log.take().len(), 2);

        // The other side, and a level further.
        let tags = session
            .scalars(select(Tag).order_by(Tag::ID).options(selectinload(Tag::POSTS).joinedload(Post::AUTHOR)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 2);
        assert_eq!(tags[0].posts.get()?.iter().map(|p| p.id).collect::<Vec<_>>(), [100, 101, 200, 201]);
        assert_eq!(tags[1].posts.get()?.iter().map(|p| p.id).collect::<Vec<_>>(), [101, 201]);
        assert_eq!(tags[1].posts.get()?[1].author.get()?.name, "user002");
        Ok(())
    }

    async fn raiseload_and_lazy_defaults(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 2, 1).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let user = session
            .scalars(select(User).filter(User::ID.eq(1)).options(raiseload(User::ADDRESSES)))
            .one()
            .await?;
        assert_eq!(log.take().len(), 1);
        match user.addresses.get() {
            Err(Error::NotLoaded { relationship }) => assert_eq!(relationship, "User.addresses"),
            other => panic!("expected NotLoaded, got {other:?}"),
        }
        let message = user.addresses.get().unwrap_err().to_string();
        assert!(message.contains("selectinload(User::ADDRESSES)") && message.contains("session.load"), "{message}");

        // Author.books is lazy = "selectin", Book.author lazy = "joined".
        let mut s2 = Session::new(&db.engine);
        let tolkien = s2.save(Author { name: "tolkien".into(), ..Default::default() }).await?;
        s2.save_all(["hobbit", "silmarillion"].map(|t| Book { title: t.into(), author_id: tolkien.id, ..Default::default() })).await?;
        s2.commit().await?;
        log.take();
        let authors = s2.scalars(select(Author)).all().await?;
        assert_eq!(log.take().len(), 2, "the authors, then their books (not their books' author again)");
        assert_eq!(authors[0].books.get()?.len(), 2);
        assert!(!authors[0].books.get()?[0].author.is_loaded());
        let books = s2.scalars(select(Book).order_by(Book::ID)).all().await?;
        assert_eq!(log.take().len(), 1, "the author is joined");
        assert_eq!(books[1].author.get()?.name, "tolkien");
        // An option overrides the default.
        let authors = s2.scalars(select(Author).options(lazyload(Author::BOOKS))).all().await?;
        assert_eq!(log.take().len(), 1);
        assert!(!authors[0].books.is_loaded());
        Ok(())
    }

    async fn contains_eager_uses_the_query_join(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 3, 1).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let users = session
            .scalars(
                select(User)
                    .join(User::ADDRESSES)
                    .filter(Address::EMAIL_ADDRESS.like("%@b.org"))
                    .order_by(User::ID)
                    .options(contains_eager(User::ADDRESSES)),
            )
            .all()
            .await?;
        assert_eq!(log.take().len(), 1);
        assert_eq!(users.len(), 3);
        for user in &users {
            let emails: Vec<&str> = user.addresses.get()?.iter().map(|a| a.email_address.as_str()).collect();
            assert_eq!(emails, [format!("{}@b.org", user.name)]);
        }
        // Both entities selected: the joined columns fill the relationship too.
        let pairs = session
            .scalars(
                select((User, Address))
                    .join(User::ADDRESSES)
                    .order_by(Address::ID)
                    .options(contains_eager(User::ADDRESSES)),
            )
            .all()
            .await?;
        assert_eq!(log.take().len(), 1);
        assert_eq!(pairs.len(), 6);
        assert!(pairs.iter().all(|(u, a)| u.addresses.get().unwrap().len() == 2 && a.user_id == u.id));

        // Without the join it is an error that says what to add.
        let err = session
            .scalars(select(User).options(contains_eager(User::ADDRESSES)))
            .all()
            .await
            .unwrap_err();
        assert!(err.to_string().contains(".join(User::ADDRESSES)"), "{err}");
        // An option must start at an entity of the query.
        let err = session
            .scalars(select(User).options(selectinload(Post::TAGS)))
            .all()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ArgumentError { .. }), "{err}");
        Ok(())
    }

    async fn session_load_is_one_statement(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 2, 2).await?;
        let mut session = Session::new(&db.engine);
        let mut user = session.get::<User>(2).await?.unwrap();
        log.take();
        session.load(&mut user, User::ADDRESSES).await?;
        assert_eq!(log.take().len(), 1);
        assert_eq!(user.addresses.get()?.len(), 2);
        assert!(!user.posts.is_loaded());
        // The loaded addresses are in the identity map: no SQL to get one.
        let id = user.addresses.get()?[0].id;
        let again = session.get::<Address>(id).await?.unwrap();
        assert_eq!(again.email_address, user.addresses.get()?[0].email_address);
        assert!(log.take().is_empty());

        // A loader option loads further levels.
        session.load(&mut user, selectinload(User::POSTS).selectinload(Post::COMMENTS)).await?;
        assert_eq!(log.take().len(), 2);
        assert_eq!(user.posts.get()?[1].comments.get()?.len(), 2);

        // defaultload as the first step of session.load loads too.
        let mut other = session.get::<User>(1).await?.unwrap();
        log.take();
        session.load(&mut other, defaultload(User::POSTS).selectinload(Post::TAGS)).await?;
        assert_eq!(log.take().len(), 2);
        assert_eq!(other.posts.get()?[1].tags.get()?.len(), 2);

        // Many objects at once: still one statement.
        let mut posts = session.scalars(select(Post).order_by(Post::ID)).all().await?;
        log.take();
        session.load_all(&mut posts, Post::AUTHOR).await?;
        assert_eq!(log.take().len(), 1);
        assert!(posts.iter().all(|p| p.author.get().unwrap().id == p.author_id));
        Ok(())
    }

    async fn joins_along_relationships(db) {
        let _log = setup(&db).await?;
        seed_blog(&db, 3, 2).await?;
        let mut session = Session::new(&db.engine);
        let rows: Vec<(String, String)> = session
            .execute(
                select((User::NAME, Address::EMAIL_ADDRESS))
                    .join(User::ADDRESSES)
                    .order_by((User::NAME, Address::EMAIL_ADDRESS)),
            )
            .await?
            .all()?;
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0], ("user001".to_owned(), "user001@a.org".to_owned()));

        let addresses = session
            .scalars(select(Address).join(Address::USER).filter(User::NAME.eq("user002")).order_by(Address::ID))
            .all()
            .await?;
        assert_eq!(addresses.iter().map(|a| a.id).collect::<Vec<_>>(), [20, 21]);

        // Many-to-many joins go through the association table.
        let posts = session
            .scalars(select(Post).join(Post::TAGS).filter(Tag::NAME.eq("sql")).order_by(Post::ID))
            .all()
            .await?;
        assert_eq!(posts.iter().map(|p| p.id).collect::<Vec<_>>(), [101, 201, 301]);

        // A self-referential relationship joins an alias of its table.
        let mut s = Session::new(&db.engine);
        for (id, parent_id, name) in [(1, None, "root"), (2, Some(1), "a"), (3, Some(2), "a1")] {
            s.add(Node { id, parent_id, name: name.into(), ..Default::default() });
        }
        s.flush().await?;
        let child = Node::table().alias("child");
        let parents = s
            .scalars(select(Node).join(Node::CHILDREN.of_type(&child)).filter(child.c("name").eq("a1")))
            .all()
            .await?;
        assert_eq!(parents.iter().map(|n| n.id).collect::<Vec<_>>(), [2]);
        s.rollback().await?;
        Ok(())
    }

    async fn any_and_has(db) {
        let _log = setup(&db).await?;
        seed_blog(&db, 3, 2).await?;
        let mut session = Session::new(&db.engine);
        session.add(User { id: 9, name: "lonely".into(), ..Default::default() });
        session.flush().await?;
        let ids = |users: Vec<User>| users.into_iter().map(|u| u.id).collect::<Vec<_>>();
        let with_b = session
            .scalars(select(User).filter(User::ADDRESSES.any(Address::EMAIL_ADDRESS.like("user002%"))).order_by(User::ID))
            .all()
            .await?;
        assert_eq!(ids(with_b), [2]);
        let with_any = session
            .scalars(select(User).filter(User::ADDRESSES.any(())).order_by(User::ID))
            .all()
            .await?;
        assert_eq!(ids(with_any), [1, 2, 3]);
        let without = session
            .scalars(select(User).filter(not_(User::ADDRESSES.any(()))))
            .all()
            .await?;
        assert_eq!(ids(without), [9]);
        let of_sandy = session
            .scalars(select(Address).filter(Address::USER.has(User::NAME.eq("user003"))).order_by(Address::ID))
            .all()
            .await?;
        assert_eq!(of_sandy.iter().map(|a| a.id).collect::<Vec<_>>(), [30, 31]);
        let tagged = session
            .scalars(select(Post).filter(Post::TAGS.any(Tag::NAME.eq("sql"))).order_by(Post::ID))
            .all()
            .await?;
        assert_eq!(tagged.iter().map(|p| p.id).collect::<Vec<_>>(), [101, 201, 301]);

        // Self-referential: the criterion applies to the related row.
        for (id, parent_id, name) in [(1, None, "root"), (2, Some(1), "a"), (3, Some(2), "a1")] {
            session.add(Node { id, parent_id, name: name.into(), ..Default::default() });
        }
        session.flush().await?;
        let has_a1 = session
            .scalars(select(Node).filter(Node::CHILDREN.any(Node::NAME.eq("a1"))))
            .all()
            .await?;
        assert_eq!(has_a1.iter().map(|n| n.id).collect::<Vec<_>>(), [2]);
        let under_root = session
            .scalars(select(Node).filter(Node::PARENT.has(Node::NAME.eq("root"))))
            .all()
            .await?;
        assert_eq!(under_root.iter().map(|n| n.id).collect::<Vec<_>>(), [2]);
        session.rollback().await?;
        Ok(())
    }

    async fn options_where_rows_come_back_are_an_error_not_ignored(db) {
        let log = setup(&db).await?;
        seed_blog(&db, 2, 1).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let query = || select(User).options(selectinload(User::POSTS));
        let err = session.execute(query()).await.unwrap_err();
        assert!(matches!(err, oxalchemy::Error::ArgumentError(_)), "{err}");
        assert!(err.to_string().contains("use session.scalars(..)"), "{err}");
        let err = session
            .execute(select(User).populate_existing())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("populate_existing()"), "{err}");
        let mut conn = db.engine.connect().await?;
        let err = conn.execute(query()).await.unwrap_err();
        assert!(err.to_string().starts_with("ArgumentError: Connection::execute returns rows"), "{err}");
        // Nothing was sent; the same query through scalars applies the options.
        assert!(log.take().is_empty());
        let users = session.scalars(query().order_by(User::ID)).all().await?;
        assert_eq!(users.len(), 2);
        assert!(users.iter().all(|u| u.posts.get().is_ok_and(|p| p.len() == 1)));
        session.rollback().await?;
        Ok(())
    }
}

/// Loading futures are `Send` (usable in web handlers).
#[allow(dead_code)]
fn futures_are_send(session: &mut Session, user: &mut User) {
    fn is_send<T: Send>(_: T) {}
    is_send(session.load(user, User::ADDRESSES));
    is_send(
        session
            .scalars(select(User).options(joinedload(User::POSTS).selectinload(Post::TAGS)))
            .all(),
    );
}
