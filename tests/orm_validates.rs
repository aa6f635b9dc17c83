//! Column validators (`#[mapped_column(validate = path)]`, SQLAlchemy's
//! `@validates`) on every backend: a bad value is refused when the session
//! takes the object (`add`, `save`, `merge`, through cascades too) and when a
//! flush would write it (a listener's change); the session stays usable and
//! nothing is written.
//!
//! Mapper listeners are process-wide and the tests of this file run in
//! parallel: a listener acts only for its own test database.

mod common;

use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

/// A model with validators: a method, a free function, a closure.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "member")]
struct Member {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 100, validate = Self::check_email)]
    email: String,
    #[mapped_column(validate = non_negative)]
    age: i32,
    #[mapped_column(length = 30, validate = |_field, nick: &Option<String>| match nick {
        Some(n) if n.is_empty() => Err("may be NULL but not empty".to_owned()),
        _ => Ok(()),
    })]
    nickname: Option<String>,
    #[relationship(back_populates = "member", cascade = "all, delete-orphan")]
    phones: Related<Vec<Phone>>,
}

impl Member {
    fn check_email(field: &str, value: &String) -> Result<(), String> {
        if value.contains('@') {
            Ok(())
        } else {
            Err(format!("{field} must contain an @, got {value:?}"))
        }
    }
}

fn non_negative(field: &str, value: &i32) -> Result<(), String> {
    if *value >= 0 {
        Ok(())
    } else {
        Err(format!("{field} cannot be negative ({value})"))
    }
}

/// A child model reached through a cascade, with its own validator.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "member_phone")]
struct Phone {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 20, validate = digits_only)]
    number: String,
    #[mapped_column(foreign_key = "member.id")]
    member_id: i64,
    #[relationship(back_populates = "phones")]
    member: Related<Member>,
}

fn digits_only(_field: &str, value: &String) -> Result<(), String> {
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("not a phone number: {value:?}"))
    }
}

/// The model whose flush-time values a listener changes.
#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "stamped_member")]
struct StampedMember {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 100, validate = Member::check_email)]
    email: String,
}

fn member(email: &str, age: i32) -> Member {
    Member {
        email: email.into(),
        age,
        ..Default::default()
    }
}

/// The model, field and message of a validation error.
fn refused(err: Error) -> (String, String, String) {
    match err {
        Error::ValidationError {
            model,
            field,
            message,
        } => (model, field, message),
        other => panic!("expected a ValidationError, got {other}"),
    }
}

async fn count<M: Model + oxalchemy::orm::ResultShape>(
    engine: &Engine,
) -> oxalchemy::Result<usize> {
    let mut s = Session::new(engine);
    Ok(s.scalars(select(oxalchemy::orm::entity::<M>()))
        .all()
        .await?
        .len())
}

backend_tests! {
    async fn a_bad_value_is_refused_when_the_session_takes_the_object(db) {
        Base::metadata().create_all(&db.engine).await?;
        let mut session = Session::new(&db.engine);

        // add(): reported by the next flush, nothing registered.
        session.add(member("no-at-sign", 30));
        let err = session.flush().await.expect_err("refused");
        assert_eq!(err.to_string(), "ValidationError: Member.email: email must contain an @, got \"no-at-sign\"");
        let (model, field, _) = refused(err);
        assert_eq!((model.as_str(), field.as_str()), ("Member", "email"));
        session.flush().await?;
        assert!(session.new_objects::<Member>().is_empty());

        // save(): refused at once; a free function and a closure validate too.
        let (_, field, message) = refused(session.save(member("a@x", -1)).await.expect_err("refused"));
        assert_eq!((field.as_str(), message.as_str()), ("age", "age cannot be negative (-1)"));
        let bad_nick = Member { nickname: Some(String::new()), ..member("a@x", 1) };
        let (_, field, _) = refused(session.save(bad_nick).await.expect_err("refused"));
        assert_eq!(field, "nickname");
        assert_eq!(count::<Member>(&db.engine).await?, 0, "nothing written");

        // The session is usable: a good value is written.
        let mut kept = session.save(Member { nickname: None, ..member("kim@x", 40) }).await?;
        session.commit().await?;

        // A changed value of a known object is validated.
        kept.email = "kim-at-x".into();
        session.add(kept.clone());
        let (_, field, _) = refused(session.flush().await.expect_err("refused"));
        assert_eq!(field, "email");
        kept.email = "kim@y".into();
        kept.age = 41;
        session.add(kept.clone());
        session.commit().await?;

        // merge() validates what it copies.
        let merged = session.merge(Member { age: -5, ..kept.clone() }).await;
        assert_eq!(refused(merged.expect_err("refused")).1, "age");
        session.rollback().await?;

        let mut other = Session::new(&db.engine);
        let stored = other.get::<Member>(kept.id).await?.expect("the member");
        assert_eq!((stored.email.as_str(), stored.age), ("kim@y", 41));

        // Unchanged values are not checked again (SQLAlchemy validates on
        // set): a row written before the validator existed can be updated.
        let mut conn = db.engine.connect().await?;
        conn.execute(text("INSERT INTO member (id, email, age) VALUES (100, 'legacy', 1)")).await?;
        conn.commit().await?;
        drop(conn);
        // A new session: the other one's transaction (REPEATABLE READ on MySQL) predates the row.
        let mut other = Session::new(&db.engine);
        let mut legacy = other.get::<Member>(100).await?.expect("the legacy row");
        legacy.age = 2;
        other.add(legacy);
        other.commit().await?;
        assert_eq!(other.get::<Member>(100).await?.expect("row").age, 2);
        Ok(())
    }

    async fn cascaded_objects_are_validated_before_anything_is_registered(db) {
        Base::metadata().create_all(&db.engine).await?;
        let mut session = Session::new(&db.engine);
        let phones = vec![
            Phone { number: "0123".into(), ..Default::default() },
            Phone { number: "call me".into(), ..Default::default() },
        ];
        session.add(Member { phones: Related::from(phones), ..member("lee@x", 20) });
        let (model, field, message) = refused(session.flush().await.expect_err("refused"));
        assert_eq!((model.as_str(), field.as_str()), ("Phone", "number"));
        assert!(message.contains("call me"), "{message}");
        // Neither the parent nor the good child was registered.
        session.flush().await?;
        assert_eq!(count::<Member>(&db.engine).await?, 0);
        assert_eq!(count::<Phone>(&db.engine).await?, 0);

        let phones = vec![Phone { number: "0123".into(), ..Default::default() }];
        session.add(Member { phones: Related::from(phones), ..member("lee@x", 20) });
        session.commit().await?;
        assert_eq!(count::<Phone>(&db.engine).await?, 1);
        Ok(())
    }

    async fn a_value_changed_at_flush_is_validated(db) {
        Base::metadata().create_all(&db.engine).await?;
        let url = db.engine.url();
        let u = url.clone();
        let on_insert = event::listens_for::<StampedMember>(MapperEvent::BeforeInsert, move |ctx, m: &mut StampedMember| {
            if ctx.engine().url() == u && m.email == "break-on-insert@x" {
                m.email = "broken".into();
            }
            Ok(())
        });
        let u = url.clone();
        let on_update = event::listens_for::<StampedMember>(MapperEvent::BeforeUpdate, move |ctx, m: &mut StampedMember| {
            if ctx.engine().url() == u && m.email == "break-on-update@x" {
                m.email = "broken".into();
            }
            Ok(())
        });
        let mut session = Session::new(&db.engine);
        let err = session
            .save(StampedMember { email: "break-on-insert@x".into(), ..Default::default() })
            .await
            .expect_err("the listener's value is refused");
        assert_eq!(refused(err).2, "email must contain an @, got \"broken\"");
        assert_eq!(count::<StampedMember>(&db.engine).await?, 0, "nothing written");
        // A failed flush keeps its work: expunge the bad object, then go on.
        session.expunge_all();
        let mut saved = session.save(StampedMember { email: "ok@x".into(), ..Default::default() }).await?;
        session.commit().await?;

        saved.email = "break-on-update@x".into();
        session.add(saved.clone());
        let (_, field, _) = refused(session.flush().await.expect_err("refused"));
        assert_eq!(field, "email");
        session.rollback().await?;
        let mut other = Session::new(&db.engine);
        assert_eq!(other.get::<StampedMember>(saved.id).await?.expect("row").email, "ok@x");

        assert!(on_insert.remove() && on_update.remove());
        Ok(())
    }
}
