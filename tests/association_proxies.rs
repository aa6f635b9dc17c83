//! Association proxies (issue 14) on every backend: reading through one or
//! two relationships, `NotLoaded` naming the hop to load, the SQL side
//! (`any` / `has` / `contains` as EXISTS), loader options over a proxy and
//! their statement counts, and appending through a `creator`.

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
    #[relationship(back_populates = "author", order_by = "id")]
    posts: Related<Vec<Post>>,
    /// Collection, then collection: flattened.
    #[association_proxy(target = "posts", attr = "tags")]
    post_tags: AssociationProxy<Tag>,
    /// Collection, then a column.
    #[association_proxy(target = "posts", attr = "title")]
    post_titles: AssociationProxy<String>,
    #[relationship(
        back_populates = "user",
        cascade = "all, delete-orphan",
        order_by = "keyword_id"
    )]
    user_keywords: Related<Vec<UserKeyword>>,
    /// Through an association object, with a creator.
    #[association_proxy(target = "user_keywords", attr = "keyword", creator = keyword_link)]
    keywords: AssociationProxy<Keyword>,
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
    #[relationship(secondary = "post_tag", back_populates = "posts", order_by = "name")]
    tags: Related<Vec<Tag>>,
    /// Scalar, then a column.
    #[association_proxy(target = "author", attr = "name")]
    author_name: AssociationProxy<String>,
    /// Scalar, then a collection.
    #[association_proxy(target = "author", attr = "posts")]
    author_posts: AssociationProxy<Post>,
}

/// A comment whose post may be unset (`Related<Option<Post>>`).
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "comment")]
struct Comment {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(foreign_key = "post.id")]
    post_id: Option<i64>,
    #[relationship]
    post: Related<Option<Post>>,
    /// Scalar, then one object.
    #[association_proxy(target = "post", attr = "author")]
    post_author: AssociationProxy<User>,
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

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "keyword")]
struct Keyword {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    keyword: String,
}

/// SQLAlchemy's association object: a user's keyword, with its own column.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "user_keyword")]
struct UserKeyword {
    #[mapped_column(primary_key, foreign_key = "user_account.id")]
    user_id: i64,
    #[mapped_column(primary_key, foreign_key = "keyword.id")]
    keyword_id: i64,
    #[mapped_column(length = 30)]
    special_key: Option<String>,
    #[relationship(back_populates = "user_keywords")]
    user: Related<User>,
    #[relationship]
    keyword: Related<Keyword>,
}

/// The creator of `User.keywords`: the association object for a keyword.
fn keyword_link(keyword: Keyword) -> UserKeyword {
    UserKeyword {
        keyword: Related::from(keyword),
        ..Default::default()
    }
}

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

/// Three users: user 1 has posts 100 (rust) and 101 (rust, sql), user 2 has
/// post 200 (rust), user 3 has none.
async fn setup(db: &TestDb) -> oxalchemy::Result<Statements> {
    post_tag();
    Base::metadata().create_all(&db.engine).await?;
    let mut session = Session::new(&db.engine);
    for (id, name) in [(1, "rust"), (2, "sql")] {
        session.add(Tag {
            id,
            name: name.into(),
            ..Default::default()
        });
    }
    for u in 1..=3 {
        session.add(User {
            id: u,
            name: format!("user{u}"),
            ..Default::default()
        });
    }
    for (id, author_id) in [(100, 1), (101, 1), (200, 2)] {
        session.add(Post {
            id,
            title: format!("post {id}"),
            author_id,
            ..Default::default()
        });
    }
    for (id, post_id) in [(1, Some(100)), (2, Some(200)), (3, None)] {
        session.add(Comment {
            id,
            post_id,
            ..Default::default()
        });
    }
    session.flush().await?;
    session
        .execute(
            insert(post_tag()).values_many(
                [(100, 1), (101, 1), (101, 2), (200, 1)]
                    .into_iter()
                    .map(|(p, t)| {
                        vec![
                            ("post_id", Value::from(p as i64)),
                            ("tag_id", Value::from(t as i64)),
                        ]
                    }),
            ),
        )
        .await?;
    session.commit().await?;
    Ok(Statements::listen(&db.engine))
}

fn names(tags: &[&Tag]) -> Vec<String> {
    tags.iter().map(|t| t.name.clone()).collect()
}

async fn user_ids(session: &mut Session, filter: Expr<bool>) -> oxalchemy::Result<Vec<i64>> {
    Ok(session
        .scalars(select(User).filter(filter).order_by(User::ID))
        .all()
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

backend_tests! {
    // The contract: a proxy read after selectinload of its path costs no statement.
    async fn reads_two_collections_flattened_after_selectinload(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let users = session
            .scalars(select(User).order_by(User::ID).options(selectinload(User::POST_TAGS)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 3, "users, posts, tags");
        assert_eq!(names(&users[0].post_tags()?), ["rust", "rust", "sql"]);
        assert_eq!(names(&users[1].post_tags()?), ["rust"]);
        assert!(users[2].post_tags()?.is_empty());
        assert_eq!(users[0].post_titles()?, ["post 100", "post 101"]);
        assert!(log.take().is_empty(), "reading a loaded proxy runs nothing");
        Ok(())
    }

    async fn not_loaded_names_the_relationship_to_load(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let user = session.get::<User>(1).await?.expect("user 1");
        let err = user.post_tags().unwrap_err();
        assert!(matches!(&err, Error::NotLoaded { relationship } if relationship == "User.posts"), "{err}");
        assert!(err.to_string().contains("selectinload(User::POSTS)"), "{err}");

        // The first hop loaded, not the second: the error names the second.
        let users = session
            .scalars(select(User).filter(User::ID.eq(1)).options(selectinload(User::POSTS)))
            .all()
            .await?;
        let err = users[0].post_tags().unwrap_err();
        assert!(matches!(&err, Error::NotLoaded { relationship } if relationship == "Post.tags"), "{err}");
        // A column attribute needs only the first hop.
        assert_eq!(users[0].post_titles()?, ["post 100", "post 101"]);

        // session.load of a proxy loads both hops: one statement each.
        let mut user = user;
        log.take();
        session.load(&mut user, User::POST_TAGS).await?;
        assert_eq!(log.take().len(), 2);
        assert_eq!(names(&user.post_tags()?), ["rust", "rust", "sql"]);
        Ok(())
    }

    async fn scalar_first_hops(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let posts = session
            .scalars(select(Post).order_by(Post::ID).options(selectinload(Post::AUTHOR_POSTS)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 3, "posts, authors, the authors' posts");
        let siblings: Vec<i64> = posts[0].author_posts()?.iter().map(|p| p.id).collect();
        assert_eq!(siblings, [100, 101]);
        assert_eq!(posts[0].author_name()?, ["user1"]);
        assert_eq!(posts[2].author_name()?, ["user2"]);
        assert!(log.take().is_empty());

        // A column attribute loads only the first hop.
        let posts = session
            .scalars(select(Post).filter(Post::ID.eq(200)).options(selectinload(Post::AUTHOR_NAME)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 2);
        assert_eq!(posts[0].author_name()?, ["user2"]);
        Ok(())
    }

    // A many-to-one (that may be unset), then a many-to-one.
    async fn scalar_object_proxies(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let comments = session
            .scalars(select(Comment).order_by(Comment::ID).options(selectinload(Comment::POST_AUTHOR)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 3, "comments, posts, users");
        let authors: Vec<Vec<i64>> = comments
            .iter()
            .map(|c| Ok(c.post_author()?.iter().map(|u| u.id).collect()))
            .collect::<oxalchemy::Result<_>>()?;
        assert_eq!(authors, [vec![1], vec![2], vec![]], "an unset post yields nothing");
        assert!(log.take().is_empty());

        let ids = |comments: Vec<Comment>| comments.into_iter().map(|c| c.id).collect::<Vec<_>>();
        let found = session
            .scalars(select(Comment).filter(Comment::POST_AUTHOR.has(User::NAME.eq("user2"))))
            .all()
            .await?;
        assert_eq!(ids(found), [2]);
        let found = session
            .scalars(select(Comment).filter(Comment::POST_AUTHOR.has(())).order_by(Comment::ID))
            .all()
            .await?;
        assert_eq!(ids(found), [1, 2]);
        let user1 = session.get::<User>(1).await?.expect("user 1");
        let found = session
            .scalars(select(Comment).filter(Comment::POST_AUTHOR.eq(&user1)))
            .all()
            .await?;
        assert_eq!(ids(found), [1]);
        let err = session
            .scalars(select(Comment).filter(Comment::POST_AUTHOR.contains(&user1)))
            .all()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("Comment.post_author: contains() is for an association proxy of a collection; this one holds one object: use eq(&object)"), "{err}");
        let err = session
            .scalars(select(Comment).filter(Comment::POST_AUTHOR.any(())))
            .all()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("use has()"), "{err}");
        Ok(())
    }

    async fn joinedload_and_subqueryload_through_a_proxy(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        let users = session
            .scalars(select(User).order_by(User::ID).options(joinedload(User::POST_TAGS)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 1, "one statement with both joins");
        assert_eq!(names(&users[0].post_tags()?), ["rust", "rust", "sql"]);
        assert_eq!(users.len(), 3);

        let mut session = Session::new(&db.engine);
        let users = session
            .scalars(select(User).order_by(User::ID).options(subqueryload(User::POST_TAGS)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 3);
        assert_eq!(names(&users[1].post_tags()?), ["rust"]);
        Ok(())
    }

    async fn sql_side_is_exists_through_both_hops(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        log.take();
        assert_eq!(user_ids(&mut session, User::POST_TAGS.any(Tag::NAME.eq("sql"))).await?, [1]);
        // An EXISTS through `posts` whose condition is the EXISTS of `tags`.
        let sql = log.take().join("\n");
        assert_eq!(sql.to_uppercase().matches("EXISTS (SELECT").count(), 2, "{sql}");
        assert_eq!(user_ids(&mut session, User::POST_TAGS.any(Tag::NAME.eq("rust"))).await?, [1, 2]);
        assert_eq!(user_ids(&mut session, User::POST_TAGS.any(())).await?, [1, 2]);
        assert_eq!(user_ids(&mut session, not_(User::POST_TAGS.any(()))).await?, [3]);
        let sql_tag = session.get::<Tag>(2).await?.expect("tag 2");
        assert_eq!(user_ids(&mut session, User::POST_TAGS.contains(&sql_tag)).await?, [1]);
        // Through a column attribute.
        assert_eq!(user_ids(&mut session, User::POST_TITLES.any(Post::TITLE.like("%200"))).await?, [2]);
        assert_eq!(user_ids(&mut session, User::POST_TITLES.eq(&"post 101".to_owned())).await?, [1]);

        // Scalar proxies: has().
        let posts: Vec<i64> = session
            .scalars(select(Post).filter(Post::AUTHOR_NAME.has(User::NAME.eq("user1"))).order_by(Post::ID))
            .all()
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(posts, [100, 101]);
        let posts: Vec<i64> = session
            .scalars(select(Post).filter(Post::AUTHOR_NAME.eq(&"user2".to_owned())))
            .all()
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(posts, [200]);
        // Scalar, then a collection: any().
        let posts: Vec<i64> = session
            .scalars(select(Post).filter(Post::AUTHOR_POSTS.any(Post::TITLE.eq("post 200"))).order_by(Post::ID))
            .all()
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(posts, [200]);

        // The wrong comparison for the proxy's shape is an ArgumentError naming the right one.
        let err = session.scalars(select(User).filter(User::POST_TAGS.has(()))).all().await.unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        assert!(err.to_string().contains("User.post_tags: has() is for a scalar association proxy; this one is a collection: use any()"), "{err}");
        let err = session.scalars(select(Post).filter(Post::AUTHOR_NAME.any(()))).all().await.unwrap_err();
        assert!(err.to_string().contains("Post.author_name: any() is for an association proxy of a collection; this one is scalar: use has()"), "{err}");
        let err = session
            .scalars(select(Post).filter(Post::AUTHOR_NAME.contains(&"user1".to_owned())))
            .all()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("contains() tests membership of an object; this proxy holds column values: use eq(&value), or any(User::NAME.contains(..)) for a substring"), "{err}");
        let err = session
            .scalars(select(User).filter(User::POST_TAGS.eq(&sql_tag)))
            .all()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("User.post_tags: eq() cannot compare a collection of objects to an object: use contains()"), "{err}");
        Ok(())
    }

    // SQLAlchemy's `user.keywords.append(Keyword("x"))`: the creator builds the
    // association object, the flush inserts it with its keyword.
    async fn creator_appends_association_objects(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let mut user = session
            .scalars(select(User).filter(User::ID.eq(1)).options(selectinload(User::KEYWORDS)))
            .one()
            .await?;
        assert!(user.keywords()?.is_empty());
        user.push_keywords(Keyword { id: 1, keyword: "cheese inspector".into() });
        user.push_keywords(Keyword { id: 2, keyword: "snack ninja".into() });
        // Readable before the flush: the loaded collection holds the new links.
        let held: Vec<&str> = user.keywords()?.iter().map(|k| k.keyword.as_str()).collect();
        assert_eq!(held, ["cheese inspector", "snack ninja"]);
        session.add(user);
        session.commit().await?;

        // Not loaded: pushed to the pending list, inserted all the same.
        let mut user2 = session.get::<User>(2).await?.expect("user 2");
        user2.push_keywords(Keyword { id: 3, keyword: "pirate".into() });
        session.add(user2);
        session.commit().await?;

        let mut session = Session::new(&db.engine);
        log.take();
        let users = session
            .scalars(select(User).order_by(User::ID).options(selectinload(User::KEYWORDS)))
            .all()
            .await?;
        assert_eq!(log.take().len(), 3);
        let words = |u: &User| -> oxalchemy::Result<Vec<String>> {
            Ok(u.keywords()?.iter().map(|k| k.keyword.clone()).collect())
        };
        assert_eq!(words(&users[0])?, ["cheese inspector", "snack ninja"]);
        assert_eq!(words(&users[1])?, ["pirate"]);
        assert!(words(&users[2])?.is_empty());
        let links = users[0].user_keywords.get()?;
        assert!(links.iter().all(|l| l.user_id == 1 && l.special_key.is_none()));
        assert_eq!(links.iter().map(|l| l.keyword_id).collect::<Vec<_>>(), [1, 2]);

        let pirate = session.get::<Keyword>(3).await?.expect("keyword 3");
        assert_eq!(user_ids(&mut session, User::KEYWORDS.contains(&pirate)).await?, [2]);
        assert_eq!(user_ids(&mut session, User::KEYWORDS.any(Keyword::KEYWORD.like("%ninja"))).await?, [1]);
        Ok(())
    }
}
