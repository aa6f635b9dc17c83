//! Relationship persistence in the unit of work, on every backend: the
//! save-update cascade (foreign keys from generated keys, batching, nested
//! objects, items pushed without loading), delete and delete-orphan,
//! the default cascade (children detached, or a clear error), many-to-many
//! link rows, self-referential trees, and failed flushes.
//!
//! Relationships are loaded through the session (`session.load`), so each
//! collection remembers what it was loaded with; `Related::from` builds a
//! whole new collection (assignment).

mod common;

use common::{Backend, Statements, TestDb};
use oxalchemy::prelude::*;
use std::sync::Once;

oxalchemy::declarative_base!(Base);

// --- The SQLAlchemy ORM Quick Start models -------------------------------

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30, unique)]
    name: String,
    fullname: Option<String>,
    #[relationship(back_populates = "user", cascade = "all, delete-orphan")]
    addresses: Related<Vec<Address>>,
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

// --- The default cascade, nullable foreign key ---------------------------

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "author")]
struct Author {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "author")]
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
    author_id: Option<i64>,
    #[relationship(back_populates = "books")]
    author: Related<Option<Author>>,
}

// --- The default cascade, NOT NULL foreign key ---------------------------

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "team")]
struct Team {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship]
    players: Related<Vec<Player>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "player")]
struct Player {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[mapped_column(foreign_key = "team.id")]
    team_id: i64,
}

// --- passive_deletes: the database's ON DELETE CASCADE --------------------

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "forum")]
struct Forum {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(cascade = "all, delete-orphan", passive_deletes)]
    topics: Related<Vec<Topic>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "topic")]
struct Topic {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    title: String,
    #[mapped_column(foreign_key = "forum.id", ondelete = "CASCADE")]
    forum_id: i64,
}

// --- Nesting (writer -> posts -> comments) and many-to-many (post <-> tag) -

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "writer")]
struct Writer {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "writer", cascade = "all, delete-orphan")]
    posts: Related<Vec<Post>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "post")]
struct Post {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50, unique)]
    title: String,
    #[mapped_column(foreign_key = "writer.id")]
    writer_id: i64,
    #[relationship(back_populates = "posts")]
    writer: Related<Writer>,
    #[relationship(cascade = "all, delete-orphan")]
    comments: Related<Vec<Comment>>,
    #[relationship(secondary = "post_tag", back_populates = "posts")]
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
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "tag")]
struct Tag {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(secondary = "post_tag", back_populates = "tags")]
    posts: Related<Vec<Post>>,
}

// --- An adjacency list ------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "node")]
struct Node {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(foreign_key = "node.id")]
    parent_id: Option<i64>,
    #[mapped_column(length = 20)]
    name: String,
    #[relationship(back_populates = "parent", cascade = "all, delete-orphan")]
    children: Related<Vec<Node>>,
    #[relationship(back_populates = "children")]
    parent: Related<Option<Node>>,
}

// --- One-to-one, and the association-object pattern ----------------------

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "account")]
struct Account {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "account", cascade = "all, delete-orphan")]
    profile: Related<Option<Profile>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "profile")]
struct Profile {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 50)]
    bio: String,
    #[mapped_column(foreign_key = "account.id")]
    account_id: i64,
    #[relationship(back_populates = "profile")]
    account: Related<Account>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "club")]
struct Club {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(back_populates = "club", cascade = "all, delete-orphan")]
    memberships: Related<Vec<Membership>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "member")]
struct Member {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
}

/// An association object: its primary key is the two foreign keys.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "membership")]
struct Membership {
    #[mapped_column(primary_key, foreign_key = "club.id")]
    club_id: i64,
    #[mapped_column(primary_key, foreign_key = "member.id")]
    member_id: i64,
    #[mapped_column(length = 20)]
    role: String,
    #[relationship(back_populates = "memberships")]
    club: Related<Club>,
    #[relationship]
    member: Related<Member>,
}

// --- A many-to-many relationship that cascades deletes to its targets -----

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "playlist")]
struct Playlist {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    #[relationship(secondary = "playlist_song", cascade = "all")]
    songs: Related<Vec<Song>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "song")]
struct Song {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    title: String,
}

/// The association table of Post.tags, as SQLAlchemy's `Table("post_tag", Base.metadata, ..)`.
fn post_tag() -> Table {
    static DEFINE: Once = Once::new();
    DEFINE.call_once(|| {
        Base::metadata().table("playlist_song", |t| {
            t.column("playlist_id", BigInteger)
                .primary_key()
                .foreign_key("playlist.id");
            t.column("song_id", BigInteger)
                .primary_key()
                .foreign_key("song.id");
        });
        Base::metadata().table("post_tag", |t| {
            t.column("post_id", BigInteger)
                .primary_key()
                .foreign_key("post.id");
            t.column("tag_id", BigInteger)
                .primary_key()
                .foreign_key("tag.id");
        });
    });
    Base::metadata().get_table("post_tag").expect("post_tag")
}

/// How many statements start with each prefix, in a short form for asserts.
fn count(statements: &[String], prefix: &str) -> usize {
    statements.iter().filter(|s| s.starts_with(prefix)).count()
}

fn position(statements: &[String], prefix: &str) -> usize {
    statements
        .iter()
        .position(|s| s.starts_with(prefix))
        .unwrap_or_else(|| panic!("no statement starts with {prefix:?}: {statements:#?}"))
}

fn last_position(statements: &[String], prefix: &str) -> usize {
    statements
        .iter()
        .rposition(|s| s.starts_with(prefix))
        .unwrap_or_else(|| panic!("no statement starts with {prefix:?}: {statements:#?}"))
}

async fn setup(db: &TestDb) -> oxalchemy::Result<Statements> {
    post_tag();
    Base::metadata().create_all(&db.engine).await?;
    Ok(Statements::listen(&db.engine))
}

/// Statements to INSERT `n` rows with generated keys in one flush.
fn generated_key_inserts(db: &TestDb, n: usize) -> usize {
    match db.backend {
        // One cached prepared INSERT .. RETURNING per row.
        Backend::Sqlite => n,
        // One sentinel-ordered INSERT .. SELECT .. RETURNING.
        Backend::Postgres => 1,
        // MariaDB: one multi-row INSERT .. RETURNING; MySQL: one INSERT per row.
        Backend::Mysql if db.engine.dialect().supports_returning() => 1,
        Backend::Mysql => n,
    }
}

async fn count_rows(engine: &Engine, table: &Table) -> oxalchemy::Result<i64> {
    let mut conn = engine.connect().await?;
    let n: Vec<i64> = conn
        .execute(select(func::count_star()).select_from(table))
        .await?
        .scalars()?;
    conn.rollback().await?;
    Ok(n[0])
}

fn address(email: &str) -> Address {
    Address {
        email_address: email.into(),
        ..Default::default()
    }
}

fn user(name: &str, fullname: &str, emails: &[&str]) -> User {
    User {
        name: name.into(),
        fullname: Some(fullname.into()),
        addresses: Related::from(emails.iter().map(|e| address(e)).collect::<Vec<_>>()),
        ..Default::default()
    }
}

/// Load `user.addresses` through the session (so the collection remembers
/// what it was loaded with), ordered by id.
async fn load_addresses(session: &mut Session, user: &mut User) -> oxalchemy::Result<()> {
    session.load(user, User::ADDRESSES).await?;
    user.addresses.get_mut()?.sort_by_key(|a| a.id);
    Ok(())
}

/// Load `post.tags` by hand through the association table.
async fn load_tags(session: &mut Session, post: &mut Post) -> oxalchemy::Result<()> {
    let pt = post_tag();
    let tags = session
        .scalars(
            select(Tag)
                .join_on(&pt, pt.c("tag_id").eq(Tag::ID))
                .filter(pt.c("post_id").eq(post.id))
                .order_by(Tag::ID),
        )
        .all()
        .await?;
    post.tags = Related::from(tags);
    Ok(())
}

async fn tag_names_of(db: &TestDb, post_id: i64) -> oxalchemy::Result<Vec<String>> {
    let pt = post_tag();
    let mut session = Session::new(&db.engine);
    session
        .scalars(
            select(Tag::NAME)
                .join_on(&pt, pt.c("tag_id").eq(Tag::ID))
                .filter(pt.c("post_id").eq(post_id))
                .order_by(Tag::NAME),
        )
        .all()
        .await
}

backend_tests! {
    // The persistence steps of SQLAlchemy's ORM Quick Start.
    async fn quick_start_persistence(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let spongebob = user("spongebob", "Spongebob Squarepants", &["spongebob@sqlalchemy.org"]);
        let sandy = user("sandy", "Sandy Cheeks", &["sandy@sqlalchemy.org", "sandy@squirrelpower.org"]);
        let patrick = user("patrick", "Patrick Star", &[]);
        session.add_all([spongebob, sandy, patrick]);
        session.commit().await?;
        let statements = log.take();
        // Users first (one batch), then the addresses with their user_id set.
        assert!(position(&statements, "INSERT INTO address") > last_position(&statements, "INSERT INTO user_account"));
        assert_eq!(count(&statements, "INSERT INTO user_account"), generated_key_inserts(&db, 3));
        assert_eq!(count(&statements, "INSERT INTO address"), generated_key_inserts(&db, 3));
        assert_eq!(count_rows(&db.engine, Address::table()).await?, 3);

        let sandy = session.scalars(select(User).filter(User::NAME.eq("sandy"))).one().await?;
        let emails: Vec<String> = session
            .scalars(select(Address::EMAIL_ADDRESS).filter(Address::USER_ID.eq(sandy.id)).order_by(Address::ID))
            .all()
            .await?;
        assert_eq!(emails, ["sandy@sqlalchemy.org", "sandy@squirrelpower.org"]);

        // Add an address to patrick without loading his addresses.
        let mut patrick = session.scalars(select(User).filter(User::NAME.eq("patrick"))).one().await?;
        patrick.addresses.push(address("patrickstar@sqlalchemy.org"));
        assert!(!patrick.addresses.is_loaded());
        log.take();
        session.add(patrick.clone());
        session.commit().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "only the new address: {statements:#?}");
        assert!(statements[0].starts_with("INSERT INTO address"), "{statements:#?}");
        let patricks: Vec<String> = session
            .scalars(select(Address::EMAIL_ADDRESS).filter(Address::USER_ID.eq(patrick.id)))
            .all()
            .await?;
        assert_eq!(patricks, ["patrickstar@sqlalchemy.org"]);

        // Remove one of sandy's addresses from her loaded collection: delete-orphan.
        let mut sandy = session.get::<User>(sandy.id).await?.expect("sandy");
        load_addresses(&mut session, &mut sandy).await?;
        sandy.addresses.get_mut()?.retain(|a| a.email_address != "sandy@squirrelpower.org");
        log.take();
        session.add(sandy.clone());
        session.flush().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:#?}");
        assert!(statements[0].starts_with("DELETE FROM address"), "{statements:#?}");
        session.commit().await?;
        let emails: Vec<String> = session
            .scalars(select(Address::EMAIL_ADDRESS).filter(Address::USER_ID.eq(sandy.id)))
            .all()
            .await?;
        assert_eq!(emails, ["sandy@sqlalchemy.org"]);

        // Delete patrick: his addresses (not loaded) go first, by the cascade.
        let patrick = session.get::<User>(patrick.id).await?.expect("patrick");
        log.take();
        session.delete(&patrick);
        session.commit().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 3, "{statements:#?}");
        assert!(statements[0].starts_with("SELECT"), "the collection is read: {statements:#?}");
        assert!(statements[1].starts_with("DELETE FROM address"), "{statements:#?}");
        assert!(statements[2].starts_with("DELETE FROM user_account"), "{statements:#?}");
        assert_eq!(count_rows(&db.engine, User::table()).await?, 2);
        assert_eq!(count_rows(&db.engine, Address::table()).await?, 2);
        Ok(())
    }

    // A user with three new addresses: one INSERT for the user, then the
    // addresses in one batch, their foreign keys set from the generated key.
    async fn save_update_batches_children_and_returns_them(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let saved = session
            .save(user("sandy", "Sandy Cheeks", &["a@sea.org", "b@sea.org", "c@sea.org"]))
            .await?;
        let statements = log.take();
        assert_eq!(count(&statements, "INSERT INTO user_account"), 1, "{statements:#?}");
        assert_eq!(
            count(&statements, "INSERT INTO address"),
            generated_key_inserts(&db, 3),
            "{statements:#?}"
        );
        assert_eq!(statements.len(), 1 + generated_key_inserts(&db, 3), "{statements:#?}");
        // save returns the children persisted: keys and foreign keys filled in.
        assert!(saved.id > 0);
        let addresses = saved.addresses.get()?;
        assert_eq!(addresses.len(), 3);
        assert!(addresses.iter().all(|a| a.id > 0 && a.user_id == saved.id), "{addresses:?}");
        assert_eq!(addresses[0].email_address, "a@sea.org");
        session.commit().await?;

        // Adding the same value again writes nothing; a changed child is UPDATEd.
        let mut again = saved.clone();
        session.add(again.clone());
        session.flush().await?;
        assert!(log.take().is_empty(), "nothing changed");
        again.addresses.get_mut()?[1].email_address = "b@squirrel.org".into();
        again.fullname = Some("Sandy".into());
        session.add(again);
        session.flush().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 2, "{statements:#?}");
        assert_eq!(count(&statements, "UPDATE user_account"), 1, "{statements:#?}");
        assert_eq!(count(&statements, "UPDATE address"), 1, "{statements:#?}");
        session.commit().await?;
        let b = session.get::<Address>(saved.addresses.get()?[1].id).await?.expect("b");
        assert_eq!(b.email_address, "b@squirrel.org");

        // A child moved to another user through that user's collection.
        let mut patrick = session.save(user("patrick", "Patrick Star", &[])).await?;
        patrick.addresses.get_mut()?.push(b.clone());
        let patrick = session.save(patrick).await?;
        assert_eq!(patrick.addresses.get()?[0].user_id, patrick.id);
        session.commit().await?;
        let moved = session.get::<Address>(b.id).await?.expect("b");
        assert_eq!(moved.user_id, patrick.id);
        Ok(())
    }

    // Many-to-one: the parent is inserted (or updated) first and the
    // child's foreign key takes its key.
    async fn many_to_one_saves_the_parent_first(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let a = session
            .save(Address {
                email_address: "gary@sea.org".into(),
                user: Related::from(User { name: "gary".into(), ..Default::default() }),
                ..Default::default()
            })
            .await?;
        let statements = log.take();
        assert!(statements[0].starts_with("INSERT INTO user_account"), "{statements:#?}");
        assert!(statements[1].starts_with("INSERT INTO address"), "{statements:#?}");
        let gary = a.user.get()?;
        assert!(gary.id > 0);
        assert_eq!(a.user_id, gary.id);

        // A known parent changed through the child is UPDATEd.
        let mut a2 = a.clone();
        a2.user.get_mut()?.fullname = Some("Gary the Snail".into());
        session.add(a2);
        session.flush().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:#?}");
        assert!(statements[0].starts_with("UPDATE user_account"), "{statements:#?}");

        // Book.author is Related<Option<Author>>: a new author, then "no author".
        let book = session
            .save(Book {
                title: "Rust".into(),
                author: Related::from(Some(Author { name: "ferris".into(), ..Default::default() })),
                ..Default::default()
            })
            .await?;
        let ferris = book.author.get()?.clone().expect("author");
        assert_eq!(book.author_id, Some(ferris.id));
        let mut orphan = book.clone();
        orphan.author = Related::from(None);
        let orphan = session.save(orphan).await?;
        assert_eq!(orphan.author_id, None);
        session.commit().await?;
        Ok(())
    }

    // Nested to any depth: writer -> posts -> comments, in one flush, one
    // INSERT batch per table where the backend returns keys in order.
    async fn nested_objects_to_any_depth(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let post = |title: &str, comments: &[&str]| Post {
            title: title.into(),
            comments: Related::from(
                comments
                    .iter()
                    .map(|b| Comment { body: (*b).into(), ..Default::default() })
                    .collect::<Vec<_>>(),
            ),
            ..Default::default()
        };
        let w = session
            .save(Writer {
                name: "squidward".into(),
                posts: Related::from(vec![post("clarinet", &["nice", "loud"]), post("art", &["bold", "blue"])]),
                ..Default::default()
            })
            .await?;
        let statements = log.take();
        assert_eq!(count(&statements, "INSERT INTO writer"), 1);
        assert_eq!(count(&statements, "INSERT INTO post "), generated_key_inserts(&db, 2));
        assert_eq!(count(&statements, "INSERT INTO comment"), generated_key_inserts(&db, 4));
        let posts = w.posts.get()?;
        for p in posts {
            assert_eq!(p.writer_id, w.id);
            for c in p.comments.get()? {
                assert!(c.id > 0);
                assert_eq!(c.post_id, p.id);
            }
        }
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, Comment::table()).await?, 4);
        let mut other = Session::new(&db.engine);
        let art_comments: Vec<String> = other
            .scalars(
                select(Comment::BODY)
                    .join_on(Post, Post::ID.eq(Comment::POST_ID))
                    .filter(Post::TITLE.eq("art"))
                    .order_by(Comment::ID),
            )
            .all()
            .await?;
        assert_eq!(art_comments, ["bold", "blue"]);
        Ok(())
    }

    // Delete cascades: loaded children are deleted with their parent,
    // relationships that are not loaded are read first (one SELECT per
    // relationship and level), children before parents.
    async fn delete_cascades_through_loaded_and_unloaded_relationships(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let posts: Vec<Post> = ["one", "two"]
            .iter()
            .map(|t| Post {
                title: (*t).into(),
                comments: Related::from(vec![
                    Comment { body: format!("{t} a"), ..Default::default() },
                    Comment { body: format!("{t} b"), ..Default::default() },
                ]),
                ..Default::default()
            })
            .collect();
        let w = session
            .save(Writer { name: "larry".into(), posts: Related::from(posts), ..Default::default() })
            .await?;
        session.commit().await?;

        // Posts loaded (their comments not): the comments are read, then deleted first.
        let mut larry = session.get::<Writer>(w.id).await?.expect("larry");
        let posts = session
            .scalars(select(Post).filter(Post::WRITER_ID.eq(w.id)).order_by(Post::ID))
            .all()
            .await?;
        larry.posts = Related::from(posts);
        log.take();
        session.delete(&larry);
        assert_eq!(session.deleted_objects::<Post>().len(), 2, "loaded children cascade at once");
        session.commit().await?;
        let statements = log.take();
        // The comments are read; the posts' link rows (Post.tags) and the
        // comments go before the posts, the posts before the writer.
        assert_eq!(statements.len(), 5, "{statements:#?}");
        assert!(statements[0].starts_with("SELECT"), "{statements:#?}");
        assert!(statements[1].starts_with("DELETE FROM post_tag"), "{statements:#?}");
        assert!(statements[2].starts_with("DELETE FROM comment"), "{statements:#?}");
        assert!(statements[3].starts_with("DELETE FROM post "), "{statements:#?}");
        assert!(statements[4].starts_with("DELETE FROM writer"), "{statements:#?}");
        for t in [Writer::table(), Post::table(), Comment::table()] {
            assert_eq!(count_rows(&db.engine, t).await?, 0);
        }

        // Nothing loaded: two levels are read (posts, then comments).
        let w = session
            .save(Writer {
                name: "plankton".into(),
                posts: Related::from(vec![Post {
                    title: "chum".into(),
                    comments: Related::from(vec![Comment { body: "yuck".into(), ..Default::default() }]),
                    ..Default::default()
                }]),
                ..Default::default()
            })
            .await?;
        session.commit().await?;
        let plankton = session.get::<Writer>(w.id).await?.expect("plankton");
        log.take();
        session.delete(&plankton);
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "SELECT"), 2, "{statements:#?}");
        assert_eq!(count(&statements, "DELETE"), 4, "{statements:#?}");
        assert!(position(&statements, "DELETE FROM comment") < position(&statements, "DELETE FROM post "));
        assert_eq!(count_rows(&db.engine, Comment::table()).await?, 0);

        // A new (pending) parent that is deleted drops its new children too.
        session.add(Writer {
            name: "temp".into(),
            posts: Related::from(vec![Post { title: "draft".into(), ..Default::default() }]),
            ..Default::default()
        });
        assert_eq!(session.new_objects::<Post>().len(), 1);
        session.delete(&Writer { name: "temp".into(), ..Default::default() });
        assert!(session.new_objects::<Post>().is_empty());
        assert!(session.new_objects::<Writer>().is_empty());
        Ok(())
    }

    // passive_deletes trusts ON DELETE CASCADE: only the parent's DELETE.
    async fn passive_deletes_sends_only_the_parents_delete(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let f = session
            .save(Forum {
                name: "rust".into(),
                topics: Related::from(vec![
                    Topic { title: "async".into(), ..Default::default() },
                    Topic { title: "traits".into(), ..Default::default() },
                ]),
                ..Default::default()
            })
            .await?;
        session.commit().await?;
        let forum = session.get::<Forum>(f.id).await?.expect("forum");
        log.take();
        session.delete(&forum);
        session.commit().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:#?}");
        assert!(statements[0].starts_with("DELETE FROM forum"), "{statements:#?}");
        assert_eq!(count_rows(&db.engine, Topic::table()).await?, 0, "ON DELETE CASCADE");
        Ok(())
    }

    // delete-orphan: children removed from a loaded collection are deleted
    // (with their own cascades); children moved elsewhere are not.
    async fn delete_orphan_deletes_removed_children(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let w = session
            .save(Writer {
                name: "mrkrabs".into(),
                posts: Related::from(vec![
                    Post {
                        title: "money".into(),
                        comments: Related::from(vec![Comment { body: "$".into(), ..Default::default() }]),
                        ..Default::default()
                    },
                    Post { title: "krabby patty".into(), ..Default::default() },
                    Post { title: "secret formula".into(), ..Default::default() },
                ]),
                ..Default::default()
            })
            .await?;
        let pearl = session.save(Writer { name: "pearl".into(), ..Default::default() }).await?;
        session.commit().await?;

        let mut krabs = w.clone();
        let posts = krabs.posts.get_mut()?;
        let secret = posts.pop().expect("secret formula");
        posts.remove(0); // "money": an orphan, with its comment
        session.add(krabs);
        // The secret formula moves to pearl: not an orphan.
        let mut pearl = pearl.clone();
        pearl.posts.push(secret.clone()); // not loaded: pushed
        session.add(pearl.clone());
        log.take();
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "UPDATE post "), 1, "{statements:#?}");
        assert_eq!(count(&statements, "DELETE FROM comment"), 1, "{statements:#?}");
        assert_eq!(count(&statements, "DELETE FROM post "), 1, "{statements:#?}");
        let mut other = Session::new(&db.engine);
        let titles: Vec<String> = other
            .scalars(select(Post::TITLE).filter(Post::WRITER_ID.eq(w.id)))
            .all()
            .await?;
        assert_eq!(titles, ["krabby patty"]);
        let moved = other.get::<Post>(secret.id).await?.expect("secret formula");
        assert_eq!(moved.writer_id, pearl.id);
        assert_eq!(count_rows(&db.engine, Comment::table()).await?, 0);
        Ok(())
    }

    // The default cascade: deleting a parent sets its children's foreign
    // key to NULL; a child removed from a loaded collection too.
    async fn default_cascade_detaches_children(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let ferris = session
            .save(Author {
                name: "ferris".into(),
                books: Related::from(vec![
                    Book { title: "The Book".into(), ..Default::default() },
                    Book { title: "Rustonomicon".into(), ..Default::default() },
                    Book { title: "Async Book".into(), ..Default::default() },
                ]),
                ..Default::default()
            })
            .await?;
        session.commit().await?;
        let books = ferris.books.get()?.clone();

        // Removed from the loaded collection: detached, not deleted.
        let mut f = ferris.clone();
        f.books.get_mut()?.retain(|b| b.title != "Async Book");
        log.take();
        session.add(f);
        session.commit().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 1, "{statements:#?}");
        assert!(statements[0].starts_with("UPDATE book SET author_id"), "{statements:#?}");
        let async_book = session.get::<Book>(books[2].id).await?.expect("book");
        assert_eq!(async_book.author_id, None);

        // Deleting the author: one UPDATE for the children, then the DELETE.
        let ferris = session.get::<Author>(ferris.id).await?.expect("ferris");
        session.get::<Book>(books[0].id).await?.expect("book");
        log.take();
        session.delete(&ferris);
        session.flush().await?;
        let statements = log.take();
        assert_eq!(statements.len(), 2, "{statements:#?}");
        assert!(statements[0].starts_with("UPDATE book SET author_id"), "{statements:#?}");
        assert!(statements[1].starts_with("DELETE FROM author"), "{statements:#?}");
        // The snapshots of the known children follow (no SQL for the get).
        let the_book = session.get::<Book>(books[0].id).await?.expect("book");
        assert!(log.take().is_empty());
        assert_eq!(the_book.author_id, None);
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, Book::table()).await?, 3);
        Ok(())
    }

    // The default cascade with a NOT NULL foreign key: a clear error before
    // anything is sent; the session stays usable.
    async fn default_cascade_with_a_not_null_key_fails_clearly(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let team = session
            .save(Team {
                name: "jellyfish".into(),
                players: Related::from(vec![Player { name: "sb".into(), ..Default::default() }]),
                ..Default::default()
            })
            .await?;
        session.commit().await?;
        let player = team.players.get()?[0].clone();
        let team = session.get::<Team>(team.id).await?.expect("team");
        session.get::<Player>(player.id).await?.expect("player");
        log.take();
        session.delete(&team);
        let err = session.flush().await.expect_err("NOT NULL team_id");
        assert!(log.take().is_empty(), "nothing was sent");
        let message = err.to_string();
        assert!(message.contains("Team.players"), "{message}");
        assert!(message.contains("all, delete-orphan"), "{message}");
        assert!(message.contains("passive_deletes"), "{message}");
        assert!(message.contains("player.team_id"), "{message}");
        assert_eq!(session.deleted_objects::<Team>().len(), 1, "the delete stays pending");
        // Fix it: delete the player too.
        session.delete(&player);
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, Team::table()).await?, 0);

        // Removing a child from a loaded collection fails the same way.
        let mut team = session
            .save(Team {
                name: "clams".into(),
                players: Related::from(vec![Player { name: "a".into(), ..Default::default() }]),
                ..Default::default()
            })
            .await?;
        team.players.get_mut()?.clear();
        session.add(team);
        let err = session.flush().await.expect_err("NOT NULL team_id");
        assert!(err.to_string().contains("Team.players"), "{err}");
        Ok(())
    }

    // Many-to-many: link rows inserted after both sides, deleted when an
    // item leaves a loaded collection or either side is deleted (before
    // the rows they reference).
    async fn many_to_many_link_rows(db) {
        let log = setup(&db).await?;
        let pt = post_tag();
        let mut session = Session::new(&db.engine);
        let w = session.save(Writer { name: "w".into(), ..Default::default() }).await?;
        let rust = session.save(Tag { name: "rust".into(), ..Default::default() }).await?;
        log.take();
        // New post, one existing tag and two new ones.
        let post = session
            .save(Post {
                title: "hello".into(),
                writer_id: w.id,
                tags: Related::from(vec![
                    rust.clone(),
                    Tag { name: "orm".into(), ..Default::default() },
                    Tag { name: "sql".into(), ..Default::default() },
                ]),
                ..Default::default()
            })
            .await?;
        let statements = log.take();
        assert_eq!(count(&statements, "INSERT INTO post_tag"), 1, "one multi-row INSERT: {statements:#?}");
        assert!(last_position(&statements, "INSERT INTO tag") < position(&statements, "INSERT INTO post_tag"));
        assert!(position(&statements, "INSERT INTO post ") < position(&statements, "INSERT INTO post_tag"));
        session.commit().await?;
        assert_eq!(tag_names_of(&db, post.id).await?, ["orm", "rust", "sql"]);
        let orm = post.tags.get()?[1].clone();
        assert!(orm.id > 0);

        // Remove a tag from the loaded collection: only its link row goes.
        let mut p = session.get::<Post>(post.id).await?.expect("post");
        load_tags(&mut session, &mut p).await?;
        p.tags.get_mut()?.retain(|t| t.name != "sql");
        log.take();
        session.add(p);
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "SELECT"), 1, "the current link rows: {statements:#?}");
        assert_eq!(count(&statements, "DELETE FROM post_tag"), 1, "{statements:#?}");
        assert_eq!(statements.len(), 2, "{statements:#?}");
        assert_eq!(tag_names_of(&db, post.id).await?, ["orm", "rust"]);
        assert_eq!(count_rows(&db.engine, Tag::table()).await?, 3, "the tag stays");

        // Push to a collection that is not loaded: a new tag and an existing one.
        let mut p = session.get::<Post>(post.id).await?.expect("post");
        let sql = session.scalars(select(Tag).filter(Tag::NAME.eq("sql"))).one().await?;
        p.tags.push(sql);
        p.tags.push(Tag { name: "async".into(), ..Default::default() });
        p.tags.push(orm.clone()); // already linked: no second row
        session.add(p);
        session.commit().await?;
        assert_eq!(tag_names_of(&db, post.id).await?, ["async", "orm", "rust", "sql"]);

        // Deleting a tag (the other side) deletes its link rows first.
        let orm = session.get::<Tag>(orm.id).await?.expect("orm");
        log.take();
        session.delete(&orm);
        session.commit().await?;
        let statements = log.take();
        assert!(position(&statements, "DELETE FROM post_tag") < position(&statements, "DELETE FROM tag"), "{statements:#?}");
        assert_eq!(tag_names_of(&db, post.id).await?, ["async", "rust", "sql"]);

        // Deleting the post deletes its link rows first; the tags stay.
        let p = session.get::<Post>(post.id).await?.expect("post");
        log.take();
        session.delete(&p);
        session.commit().await?;
        let statements = log.take();
        assert!(position(&statements, "DELETE FROM post_tag") < position(&statements, "DELETE FROM post "), "{statements:#?}");
        assert_eq!(count_rows(&db.engine, &pt).await?, 0);
        assert_eq!(count_rows(&db.engine, Tag::table()).await?, 3, "orm was deleted; the others stay");
        Ok(())
    }

    // cascade = "all" on a many-to-many: deleting the owner deletes the
    // targets (read through the link rows when not loaded), link rows first.
    async fn many_to_many_delete_cascade(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let song = |t: &str| Song { title: t.into(), ..Default::default() };
        let pl = session
            .save(Playlist { name: "mix".into(), songs: Related::from(vec![song("a"), song("b")]), ..Default::default() })
            .await?;
        session.save(song("other")).await?;
        session.commit().await?;
        let pl = session.get::<Playlist>(pl.id).await?.expect("playlist");
        log.take();
        session.delete(&pl);
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "SELECT"), 2, "link rows, then songs: {statements:#?}");
        assert!(last_position(&statements, "DELETE FROM playlist_song") < position(&statements, "DELETE FROM song"), "{statements:#?}");
        assert!(position(&statements, "DELETE FROM song") < position(&statements, "DELETE FROM playlist "), "{statements:#?}");
        assert_eq!(count_rows(&db.engine, Song::table()).await?, 1);
        assert_eq!(count_rows(&db.engine, Playlist::table()).await?, 0);
        Ok(())
    }

    // The same link given from both sides (Post.tags and Tag.posts) is one row.
    async fn many_to_many_from_both_sides(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let w = session.save(Writer { name: "w".into(), ..Default::default() }).await?;
        let post = session
            .save(Post { title: "p".into(), writer_id: w.id, tags: Related::from(vec![]), ..Default::default() })
            .await?;
        let tag = session.save(Tag { name: "t".into(), posts: Related::from(vec![]), ..Default::default() }).await?;
        let mut p = post.clone();
        p.tags.get_mut()?.push(tag.clone());
        let mut t = tag.clone();
        t.posts.get_mut()?.push(post.clone());
        session.add(p);
        session.add(t);
        log.take();
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "INSERT INTO post_tag"), 1, "{statements:#?}");
        assert_eq!(tag_names_of(&db, post.id).await?, ["t"]);
        Ok(())
    }

    // An adjacency list: a tree inserted parent-first, level by level
    // (generated keys copied down), and deleted children-first.
    async fn self_referential_tree(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let leaf = |name: &str| Node { name: name.into(), ..Default::default() };
        let branch = |name: &str, kids: Vec<Node>| Node {
            name: name.into(),
            children: Related::from(kids),
            ..Default::default()
        };
        let root = session
            .save(branch(
                "root",
                vec![branch("a", vec![leaf("a1"), leaf("a2")]), branch("b", vec![leaf("b1"), leaf("b2")])],
            ))
            .await?;
        let statements = log.take();
        match db.backend {
            Backend::Postgres => assert_eq!(statements.len(), 3, "one INSERT per level: {statements:#?}"),
            Backend::Mysql if db.engine.dialect().supports_returning() => {
                assert_eq!(statements.len(), 3, "one INSERT per level: {statements:#?}")
            }
            _ => assert_eq!(statements.len(), 7, "{statements:#?}"),
        }
        assert_eq!(root.parent_id, None);
        for child in root.children.get()? {
            assert_eq!(child.parent_id, Some(root.id));
            for grandchild in child.children.get()? {
                assert!(grandchild.id > child.id);
                assert_eq!(grandchild.parent_id, Some(child.id));
            }
        }
        session.commit().await?;

        // A node added with its parent: the parent first.
        let c = session
            .save(Node {
                name: "c".into(),
                parent: Related::from(Some(Node { name: "other root".into(), ..Default::default() })),
                ..Default::default()
            })
            .await?;
        let other = c.parent.get()?.clone().expect("parent");
        assert_eq!(c.parent_id, Some(other.id));
        session.commit().await?;

        // Delete the root (children not loaded): every level is read, the
        // rows go children first.
        let root = session.get::<Node>(root.id).await?.expect("root");
        log.take();
        session.delete(&root);
        session.commit().await?;
        let statements = log.take();
        assert_eq!(count(&statements, "SELECT"), 3, "{statements:#?}");
        assert_eq!(count(&statements, "DELETE FROM node"), 7, "{statements:#?}");
        assert_eq!(count_rows(&db.engine, Node::table()).await?, 2);
        Ok(())
    }

    // One-to-one (Related<Option<T>> on the parent): replacing or removing
    // the child deletes the old one (delete-orphan).
    async fn one_to_one(db) {
        let log = setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let acc = session
            .save(Account {
                name: "sb".into(),
                profile: Related::from(Some(Profile { bio: "fry cook".into(), ..Default::default() })),
                ..Default::default()
            })
            .await?;
        let old = acc.profile.get()?.clone().expect("profile");
        assert_eq!(old.account_id, acc.id);
        session.commit().await?;

        let mut acc2 = acc.clone();
        acc2.profile = Related::from(Some(Profile { bio: "jellyfisher".into(), ..Default::default() }));
        log.take();
        let acc2 = session.save(acc2).await?;
        let statements = log.take();
        assert_eq!(count(&statements, "INSERT INTO profile"), 1, "{statements:#?}");
        assert_eq!(count(&statements, "DELETE FROM profile"), 1, "{statements:#?}");
        let new = acc2.profile.get()?.clone().expect("profile");
        assert_eq!(new.account_id, acc.id);
        assert!(session.get::<Profile>(old.id).await?.is_none());

        let mut acc3 = acc2.clone();
        acc3.profile = Related::from(None);
        session.add(acc3);
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, Profile::table()).await?, 0);
        Ok(())
    }

    // The association object pattern: the key of a Membership is the keys
    // of its club and member, both generated by the same flush.
    async fn association_objects(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        let membership = |role: &str, name: &str| Membership {
            role: role.into(),
            member: Related::from(Member { name: name.into(), ..Default::default() }),
            ..Default::default()
        };
        let club = session
            .save(Club {
                name: "krusty krew".into(),
                memberships: Related::from(vec![membership("cook", "spongebob"), membership("cashier", "squidward")]),
                ..Default::default()
            })
            .await?;
        let ms = club.memberships.get()?;
        assert_eq!(ms.len(), 2);
        for m in ms {
            assert_eq!(m.club_id, club.id);
            assert_eq!(m.member_id, m.member.get()?.id);
            assert!(m.member_id > 0);
        }
        assert_ne!(ms[0].member_id, ms[1].member_id);
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, Membership::table()).await?, 2);

        // Deleting the club deletes its memberships (not loaded: read first).
        let club = session.get::<Club>(club.id).await?.expect("club");
        session.delete(&club);
        session.commit().await?;
        assert_eq!(count_rows(&db.engine, Membership::table()).await?, 0);
        assert_eq!(count_rows(&db.engine, Member::table()).await?, 2);
        Ok(())
    }

    // A failed flush rolls back, keeps the pending work (the children too)
    // and leaves the session usable.
    async fn failed_flush_keeps_children_pending(db) {
        setup(&db).await?;
        let mut session = Session::new(&db.engine);
        session.save(Writer {
            name: "first".into(),
            posts: Related::from(vec![Post { title: "hello".into(), ..Default::default() }]),
            ..Default::default()
        }).await?;
        session.commit().await?;

        let duplicate = Post { title: "hello".into(), ..Default::default() };
        session.add(Writer {
            name: "second".into(),
            posts: Related::from(vec![duplicate.clone(), Post { title: "world".into(), ..Default::default() }]),
            ..Default::default()
        });
        let err = session.flush().await.expect_err("unique violation");
        assert_eq!(err.integrity_kind(), Some(IntegrityKind::Unique), "{err}");
        assert!(!session.in_transaction());
        assert_eq!(session.new_objects::<Writer>().len(), 1);
        assert_eq!(session.new_objects::<Post>().len(), 2, "the children stay pending");
        session.expunge(&duplicate);
        session.commit().await?;
        let mut other = Session::new(&db.engine);
        let second = other.scalars(select(Writer).filter(Writer::NAME.eq("second"))).one().await?;
        let titles: Vec<String> = other
            .scalars(select(Post::TITLE).filter(Post::WRITER_ID.eq(second.id)))
            .all()
            .await?;
        assert_eq!(titles, ["world"]);
        Ok(())
    }
}
