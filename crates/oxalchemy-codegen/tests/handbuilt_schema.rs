//! The generator on a hand-built `MetaData` (no database): its output is the golden file
//! tests/golden/handbuilt.rs, which this test also compiles and uses through a Session on
//! SQLite (the tables created from the generated models themselves).

#![allow(missing_docs)]

mod support;

#[allow(dead_code, missing_docs)]
#[path = "golden/handbuilt.rs"]
mod handbuilt;

use oxalchemy::MetaData;
use oxalchemy::prelude::*;
use support::golden::assert_golden;

/// Every kind of table and column the generator handles, built by hand.
fn handbuilt_metadata() -> MetaData {
    let md = MetaData::new();
    md.table("author", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(50)).not_null();
        t.column("email", Varchar(100)).unique();
        t.column("mentor_id", Integer).foreign_key("author.id");
        t.column("active", Boolean).not_null().server_default("1");
        t.column("joined", DateTime)
            .server_default_sql("CURRENT_TIMESTAMP");
    });
    md.table("post", |t| {
        t.column("id", Integer).primary_key();
        t.column("author_id", Integer)
            .not_null()
            .foreign_key("author.id")
            .ondelete("CASCADE");
        t.column("reviewer_id", Integer).foreign_key("author.id");
        t.column("title", Varchar(200)).not_null().index();
        t.column("body", Text);
        t.column("type", Varchar(20))
            .not_null()
            .server_default("article");
        t.column("score", Numeric(10, 2));
    });
    md.table("tag", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(30)).not_null().unique();
    });
    md.table("post_tag", |t| {
        t.column("post_id", Integer)
            .primary_key()
            .foreign_key("post.id");
        t.column("tag_id", Integer)
            .primary_key()
            .foreign_key("tag.id");
    });
    md.table("revision", |t| {
        t.column("post_id", Integer)
            .not_null()
            .foreign_key("post.id");
        t.column("number", Integer).not_null();
        t.column("note", Text);
        t.primary_key(["post_id", "number"]);
    });
    md.table("profile", |t| {
        t.column("author_id", Integer)
            .primary_key()
            .foreign_key("author.id");
        t.column("bio", Text);
    });
    md.table("gadget", |t| {
        t.column("id", BigInteger).primary_key();
        t.column("serial", Uuid).not_null();
        t.column("small", SmallInteger);
        t.column("ratio", Float);
        t.column("weight", Double);
        t.column("born", Date);
        t.column("alarm", Time);
        t.column("seen_at", Timestamp);
        t.column("specs", Json);
        t.column("blob", LargeBinary);
        t.column("mood", Enum::new("mood", ["happy", "sad"]));
        t.column("self", Text);
        t.column("Created At", Text);
        t.column("match", Text);
    });
    // Two self-referential keys, and a self-referential association table (not a
    // many-to-many: a model with two many-to-ones, see docs).
    md.table("employee", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Text).not_null();
        t.column("manager_id", Integer).foreign_key("employee.id");
        t.column("buddy_id", Integer).foreign_key("employee.id");
    });
    md.table("employee_friend", |t| {
        t.column("employee_id", Integer)
            .primary_key()
            .foreign_key("employee.id");
        t.column("friend_id", Integer)
            .primary_key()
            .foreign_key("employee.id");
    });
    md.table("event_log", |t| {
        t.column("author_id", Integer).foreign_key("author.id");
        t.column("message", Varchar(200)).not_null();
        t.column("level", SmallInteger)
            .not_null()
            .server_default("0");
    });
    md
}

#[test]
fn generated_code_matches_the_golden_file() {
    let code = oxalchemy_codegen::generate_metadata(&handbuilt_metadata(), "a hand-built MetaData");
    assert_golden("handbuilt.rs", &code);
    // Deterministic: the same tables in another order give the same text.
    let mut tables = handbuilt_metadata().tables();
    tables.reverse();
    assert_eq!(
        oxalchemy_codegen::generate(&tables, "a hand-built MetaData"),
        code
    );
}

/// The generated models compile (this file includes them) and work: created by
/// `create_all` from the models themselves, then used through a Session.
#[tokio::test]
async fn generated_models_work_through_a_session() -> oxalchemy::Result<()> {
    use handbuilt::*;
    Base::configure()?;
    let engine = create_engine("sqlite://")?;
    event_log_table();
    // The models declare exactly the tables they were generated from: names, types,
    // nullability and keys, column by column.
    let source = handbuilt_metadata();
    for table in Base::metadata().tables() {
        let original = source
            .get_table(&table.fullname())
            .expect("a generated table");
        assert_eq!(
            table.column_names(),
            original.column_names(),
            "{}",
            table.name()
        );
        assert_eq!(
            table.primary_key(),
            original.primary_key(),
            "{}",
            table.name()
        );
        for (generated, original) in table.columns().iter().zip(original.columns()) {
            let what = format!("{}.{}", table.name(), original.name());
            assert_eq!(generated.sql_type(), original.sql_type(), "{what}");
            assert_eq!(generated.is_nullable(), original.is_nullable(), "{what}");
        }
    }
    Base::metadata().create_all(&engine).await?;
    let mut session = Session::new(&engine);

    let ada = session
        .save(Author {
            name: "ada".into(),
            active: true,
            ..Default::default()
        })
        .await?;
    assert!(ada.id > 0);
    let bob = session
        .save(Author {
            name: "bob".into(),
            mentor_id: Some(ada.id),
            ..Default::default()
        })
        .await?;
    let post = session
        .save(Post {
            author_id: bob.id,
            reviewer_id: Some(ada.id),
            title: "hello".into(),
            r#type: "article".into(),
            score: Some("12.50".parse().unwrap()),
            tag_collection: Related::from(vec![
                Tag {
                    name: "rust".into(),
                    ..Default::default()
                },
                Tag {
                    name: "sql".into(),
                    ..Default::default()
                },
            ]),
            revision_collection: Related::from(vec![Revision {
                number: 1,
                ..Default::default()
            }]),
            ..Default::default()
        })
        .await?;
    session.add(Profile {
        author_id: ada.id,
        bio: Some("first".into()),
        ..Default::default()
    });
    session.commit().await?;

    let mut session = Session::new(&engine);
    let post: Post = session
        .scalars(
            select(Post)
                .filter(Post::ID.eq(post.id))
                .options(selectinload(Post::TAG_COLLECTION))
                .options(joinedload(Post::AUTHOR))
                .options(joinedload(Post::REVIEWER)),
        )
        .one()
        .await?;
    assert_eq!(post.author.get()?.name, "bob");
    assert_eq!(
        post.reviewer.get()?.as_ref().map(|a| a.name.as_str()),
        Some("ada")
    );
    let mut tags: Vec<&str> = post
        .tag_collection
        .get()?
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    tags.sort();
    assert_eq!(tags, ["rust", "sql"]);
    assert_eq!(post.score, Some("12.50".parse().unwrap()));

    let mut ada: Author = session.get::<Author>(ada.id).await?.expect("ada");
    session.load(&mut ada, Author::AUTHOR_COLLECTION).await?;
    session
        .load(&mut ada, Author::POST_REVIEWER_COLLECTION)
        .await?;
    session.load(&mut ada, Author::PROFILE).await?;
    assert_eq!(ada.author_collection.get()?.len(), 1);
    assert_eq!(ada.post_reviewer_collection.get()?.len(), 1);
    assert_eq!(
        ada.profile.get()?.as_ref().and_then(|p| p.bio.as_deref()),
        Some("first")
    );
    let revision = session.get::<Revision>((post.id, 1)).await?;
    assert!(revision.is_some());

    let boss = session
        .save(Employee {
            name: "boss".into(),
            ..Default::default()
        })
        .await?;
    let worker = session
        .save(Employee {
            name: "worker".into(),
            manager_id: Some(boss.id),
            buddy_id: Some(boss.id),
            ..Default::default()
        })
        .await?;
    session.add(EmployeeFriend {
        employee_id: worker.id,
        friend_id: boss.id,
        ..Default::default()
    });
    session.commit().await?;
    let mut boss: Employee = session.get::<Employee>(boss.id).await?.expect("boss");
    session
        .load(&mut boss, Employee::EMPLOYEE_MANAGER_COLLECTION)
        .await?;
    session
        .load(&mut boss, Employee::EMPLOYEE_BUDDY_COLLECTION)
        .await?;
    session
        .load(&mut boss, Employee::EMPLOYEE_FRIEND_FRIEND_COLLECTION)
        .await?;
    assert_eq!(boss.employee_manager_collection.get()?[0].name, "worker");
    assert_eq!(boss.employee_buddy_collection.get()?[0].name, "worker");
    assert_eq!(
        boss.employee_friend_friend_collection.get()?[0].employee_id,
        worker.id
    );
    let mut worker: Employee = session.get::<Employee>(worker.id).await?.expect("worker");
    session.load(&mut worker, Employee::MANAGER).await?;
    assert_eq!(worker.manager.get()?.as_ref().map(|m| m.id), Some(boss.id));

    let gadget = session
        .save(Gadget {
            serial: uuid::Uuid::from_u128(7),
            self_: Some("me".into()),
            created_at: Some("today".into()),
            r#match: Some("yes".into()),
            mood: Some("happy".into()),
            specs: Some(serde_json::json!({"a": 1})),
            ..Default::default()
        })
        .await?;
    session.commit().await?;
    let found = Session::new(&engine)
        .get::<Gadget>(gadget.id)
        .await?
        .expect("gadget");
    assert_eq!(found, gadget);
    Ok(())
}
