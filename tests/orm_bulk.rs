//! ORM-enabled bulk UPDATE / DELETE / INSERT through the session on every
//! backend: `synchronize_session` Auto / Evaluate / Fetch / False keep the
//! identity map in line with the statement (or, for False, leave it stale).

mod common;

use common::{Backend, Statements, TestDb};
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "player")]
struct Player {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
    name: String,
    score: i64,
    #[mapped_column(length = 20)]
    team: Option<String>,
}

fn player(name: &str, score: i64, team: Option<&str>) -> Player {
    Player {
        name: name.into(),
        score,
        team: team.map(Into::into),
        ..Default::default()
    }
}

/// Tables, three players flushed (held unexpired by the returned session),
/// their ids, and a statement recorder.
async fn setup(db: &TestDb) -> oxalchemy::Result<(Session, Vec<i64>, Statements)> {
    Base::metadata().create_all(&db.engine).await?;
    let mut session = Session::new(&db.engine);
    let mut ids = Vec::new();
    for p in [
        player("ann", 5, Some("red")),
        player("bob", 15, Some("blue")),
        player("cat", 25, None),
    ] {
        ids.push(session.save(p).await?.id);
    }
    let stmts = Statements::listen(&db.engine);
    Ok((session, ids, stmts))
}

/// The score in the database, read by another session.
async fn db_score(db: &TestDb, id: i64) -> oxalchemy::Result<Option<i64>> {
    let mut other = Session::new(&db.engine);
    Ok(other.get::<Player>(id).await?.map(|p| p.score))
}

fn selects(stmts: &[String]) -> usize {
    stmts.iter().filter(|s| s.starts_with("SELECT")).count()
}

backend_tests! {
    async fn update_evaluate_sets_values_without_a_select(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        let result = session
            .execute_with(
                update(Player::table())
                    .filter(Player::SCORE.gt(10).and(Player::TEAM.is_not_null().or(Player::NAME.eq("cat"))))
                    .set("score", Player::SCORE.add(100))
                    .set("team", "green")
                    .set("name", Player::NAME.concat("!")),
                SynchronizeSession::Evaluate,
            )
            .await?;
        assert_eq!(result.rows_affected(), 2);
        let ran = stmts.take();
        assert_eq!(ran.len(), 1, "only the UPDATE runs: {ran:?}");
        assert!(ran[0].starts_with("UPDATE"), "{ran:?}");

        let bob = session.get::<Player>(ids[1]).await?.expect("bob");
        let cat = session.get::<Player>(ids[2]).await?.expect("cat");
        let ann = session.get::<Player>(ids[0]).await?.expect("ann");
        assert!(stmts.take().is_empty(), "served from the identity map");
        assert_eq!((bob.score, bob.team.as_deref()), (115, Some("green")));
        assert_eq!((cat.score, cat.team.as_deref()), (125, Some("green")));
        assert_eq!((ann.score, ann.team.as_deref()), (5, Some("red")));
        assert_eq!((bob.name.as_str(), ann.name.as_str()), ("bob!", "ann"));
        session.commit().await?;
        assert_eq!(db_score(&db, ids[1]).await?, Some(115));
        assert_eq!(db_score(&db, ids[0]).await?, Some(5));
        Ok(())
    }

    async fn update_auto_evaluates_in_list_and_null_tests(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        session
            .execute(
                update(Player::table())
                    .filter(Player::NAME.in_(["ann", "cat"]).and(not_(Player::TEAM.is_null())))
                    .set("score", 0),
            )
            .await?;
        let ran = stmts.take();
        assert_eq!(selects(&ran), 0, "auto evaluates: no SELECT: {ran:?}");
        assert_eq!(session.get::<Player>(ids[0]).await?.map(|p| p.score), Some(0));
        assert_eq!(session.get::<Player>(ids[2]).await?.map(|p| p.score), Some(25));
        assert!(stmts.take().is_empty());
        Ok(())
    }

    async fn update_auto_falls_back_to_fetch(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        // LIKE is not evaluated in Rust: auto fetches the affected keys.
        session
            .execute(update(Player::table()).filter(Player::NAME.like("b%")).set("score", 1))
            .await?;
        let ran = stmts.take();
        if db.backend == Backend::Mysql {
            assert!(ran[0].starts_with("SELECT") && ran[1].starts_with("UPDATE"), "{ran:?}");
        } else {
            assert_eq!(ran.len(), 1, "{ran:?}");
            assert!(ran[0].starts_with("UPDATE") && ran[0].contains("RETURNING"), "{ran:?}");
        }
        assert_eq!(session.get::<Player>(ids[1]).await?.map(|p| p.score), Some(1));
        assert_eq!(session.get::<Player>(ids[0]).await?.map(|p| p.score), Some(5));
        assert!(stmts.take().is_empty(), "the fetched objects got the SET values");
        Ok(())
    }

    async fn update_fetch_expires_values_it_cannot_compute(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        let result = session
            .execute_with(
                update(Player::table())
                    .filter(Player::SCORE.ge(15))
                    .set("name", func::upper(Player::NAME)),
                SynchronizeSession::Fetch,
            )
            .await?;
        assert_eq!(result.rows_affected(), 2);
        stmts.take();
        let bob = session.get::<Player>(ids[1]).await?.expect("bob");
        assert_eq!(bob.name, "BOB");
        assert_eq!(selects(&stmts.take()), 1, "bob was expired and is read again");
        let ann = session.get::<Player>(ids[0]).await?.expect("ann");
        assert_eq!(ann.name, "ann");
        assert!(stmts.take().is_empty(), "ann was not touched");
        Ok(())
    }

    async fn update_false_leaves_stale_values(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        session
            .execute_with(
                update(Player::table()).filter(Player::ID.eq(ids[0])).set("score", 99),
                SynchronizeSession::False,
            )
            .await?;
        assert_eq!(stmts.take().len(), 1);
        assert_eq!(session.get::<Player>(ids[0]).await?.map(|p| p.score), Some(5), "stale");
        assert!(stmts.take().is_empty());
        session.expire_all();
        assert_eq!(session.get::<Player>(ids[0]).await?.map(|p| p.score), Some(99));
        Ok(())
    }

    async fn evaluate_refuses_criteria_it_cannot_compute(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        let err = session
            .execute_with(
                update(Player::table()).filter(Player::NAME.like("a%")).set("score", 7),
                SynchronizeSession::Evaluate,
            )
            .await
            .expect_err("LIKE cannot be evaluated");
        assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
        assert!(err.to_string().contains("Fetch"), "{err}");
        assert!(stmts.take().is_empty(), "nothing ran");
        session.commit().await?;
        assert_eq!(db_score(&db, ids[0]).await?, Some(5));
        let err = session
            .execute_with(select(Player::ID), SynchronizeSession::Fetch)
            .await
            .expect_err("not an UPDATE or DELETE");
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        Ok(())
    }

    async fn delete_evaluate_removes_objects(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        let result = session
            .execute_with(
                delete(Player::table()).filter(Player::SCORE.lt(20)),
                SynchronizeSession::Evaluate,
            )
            .await?;
        assert_eq!(result.rows_affected(), 2);
        assert_eq!(stmts.take().len(), 1);
        assert!(session.get::<Player>(ids[0]).await?.is_none());
        assert_eq!(selects(&stmts.take()), 1, "a deleted object is gone from the identity map");
        assert!(session.get::<Player>(ids[2]).await?.is_some());
        assert!(stmts.take().is_empty());
        Ok(())
    }

    async fn delete_fetch_and_auto_remove_objects(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        session
            .execute_with(
                delete(Player::table()).filter(Player::ID.eq(ids[0])),
                SynchronizeSession::Fetch,
            )
            .await?;
        let ran = stmts.take();
        let returning = db.backend != Backend::Mysql
            || ran.iter().any(|s| s.contains("RETURNING"));
        if returning {
            assert_eq!(ran.len(), 1, "{ran:?}");
        } else {
            assert!(ran[0].starts_with("SELECT"), "MySQL without RETURNING: {ran:?}");
        }
        assert!(session.get::<Player>(ids[0]).await?.is_none());
        assert_eq!(selects(&stmts.take()), 1);
        // auto with LIKE: fetch.
        session.execute(delete(Player::table()).filter(Player::NAME.like("c%"))).await?;
        stmts.take();
        assert!(session.get::<Player>(ids[2]).await?.is_none());
        assert_eq!(selects(&stmts.take()), 1);
        assert!(session.get::<Player>(ids[1]).await?.is_some());
        assert!(stmts.take().is_empty());
        session.commit().await?;
        let mut other = Session::new(&db.engine);
        assert_eq!(other.scalars(select(Player)).all().await?.len(), 1);
        Ok(())
    }

    async fn delete_false_leaves_objects(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        session
            .execute_with(delete(Player::table()), SynchronizeSession::False)
            .await?;
        stmts.take();
        assert!(session.get::<Player>(ids[0]).await?.is_some(), "stale object kept");
        assert!(stmts.take().is_empty());
        Ok(())
    }

    async fn rollback_undoes_a_synchronized_update(db) {
        let (mut session, ids, _stmts) = setup(&db).await?;
        session.commit().await?;
        let ann = session.get::<Player>(ids[0]).await?.expect("ann");
        assert_eq!(ann.score, 5);
        session.execute(update(Player::table()).filter(Player::ID.eq(ids[0])).set("score", 6)).await?;
        assert_eq!(session.get::<Player>(ids[0]).await?.map(|p| p.score), Some(6));
        session.rollback().await?;
        assert_eq!(session.get::<Player>(ids[0]).await?.map(|p| p.score), Some(5));
        Ok(())
    }

    async fn bulk_insert_of_a_list(db) {
        let (mut session, _ids, _stmts) = setup(&db).await?;
        let rows: Vec<Vec<(&str, Value)>> = (0..50)
            .map(|i| vec![("name", Value::from(format!("p{i}"))), ("score", Value::from(i))])
            .collect();
        let result = session.execute(insert(Player::table()).values_many(rows)).await?;
        assert_eq!(result.rows_affected(), 50);
        let all = session.scalars(select(Player).filter(Player::NAME.like("p%"))).all().await?;
        assert_eq!(all.len(), 50);
        assert_eq!(all.iter().map(|p| p.score).sum::<i64>(), (0..50_i64).sum::<i64>());
        Ok(())
    }

    async fn execute_many_inserts_a_list(db) {
        let (mut session, _ids, _stmts) = setup(&db).await?;
        let rows: Vec<Vec<(&str, Value)>> = (0..20)
            .map(|i| {
                let team = if i % 2 == 0 { Value::from("even") } else { Value::Null };
                vec![("name", Value::from(format!("q{i}"))), ("score", Value::from(i)), ("team", team)]
            })
            .collect();
        let result = session.execute_many(insert(Player::table()), rows).await?;
        assert_eq!(result.rows_affected(), 20);
        let evens: Vec<Player> = session
            .scalars(select(Player).filter(Player::TEAM.eq("even")))
            .all()
            .await?;
        assert_eq!(evens.len(), 10);
        let err = session
            .execute_many(insert(Player::table()).values([("name", "x")]), [[("score", 1)]])
            .await
            .expect_err("the INSERT already has values");
        assert!(matches!(err, Error::ArgumentError(_)), "{err}");
        Ok(())
    }

    async fn execute_many_updates_by_primary_key(db) {
        let (mut session, ids, stmts) = setup(&db).await?;
        let result = session
            .execute_many(
                update(Player::table()),
                [
                    vec![("id", Value::from(ids[0])), ("score", Value::from(50))],
                    vec![("id", Value::from(ids[2])), ("score", Value::from(70))],
                    vec![("id", Value::from(ids[1])), ("team", Value::Null)],
                ],
            )
            .await?;
        assert_eq!(result.rows_affected(), 3);
        stmts.take();
        let ann = session.get::<Player>(ids[0]).await?.expect("ann");
        let bob = session.get::<Player>(ids[1]).await?.expect("bob");
        let cat = session.get::<Player>(ids[2]).await?.expect("cat");
        assert!(stmts.take().is_empty(), "held objects got the new values");
        assert_eq!((ann.score, bob.team, cat.score), (50, None, 70));
        session.commit().await?;
        assert_eq!(db_score(&db, ids[2]).await?, Some(70));
        let err = session
            .execute_many(update(Player::table()), [[("score", 1)]])
            .await
            .expect_err("no primary key in the row");
        assert!(err.to_string().contains("primary-key column id"), "{err}");
        Ok(())
    }

    async fn statements_take_the_model_itself(db) {
        // `update(Player)` / `delete(Player)` / `insert(Player)`, as SQLAlchemy's
        // ORM-enabled DML takes the mapped class.
        let (mut session, ids, _stmts) = setup(&db).await?;
        session
            .execute(update(Player).filter(Player::SCORE.gt(10)).set("score", 1))
            .await?;
        assert_eq!(session.get::<Player>(ids[1]).await?.map(|p| p.score), Some(1));
        session.execute(delete(Player).filter(Player::NAME.eq("ann"))).await?;
        assert!(session.get::<Player>(ids[0]).await?.is_none());
        session
            .execute_many(insert(Player), [[("name", Value::from("dan")), ("score", Value::from(7))]])
            .await?;
        session.commit().await?;
        let mut other = Session::new(&db.engine);
        let mut rows: Vec<(String, i64)> = other
            .scalars(select(Player))
            .all()
            .await?
            .into_iter()
            .map(|p| (p.name, p.score))
            .collect();
        rows.sort();
        assert_eq!(rows, [("bob".to_owned(), 1), ("cat".to_owned(), 1), ("dan".to_owned(), 7)]);
        Ok(())
    }
}
