//! Global criteria (issue 15, point 3) on every backend:
//! `with_loader_criteria::<M>(cond)` as a statement option, per session
//! (`session.add_loader_criteria`) and from a `DoOrmExecute` listener,
//! applied to the top-level FROM, joins, `any()`, and every relationship
//! load. The two classic uses: soft delete and a tenant filter.

mod common;

use common::{Statements, TestDb};
use oxalchemy::event::{self, OrmStatementKind, SessionContext, SessionEvent};
use oxalchemy::orm::{IntoLoaderOptions, LoaderCriteria, LoaderOption};
use oxalchemy::prelude::*;
use std::sync::{Arc, Mutex};

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "crit_user")]
struct User {
    #[mapped_column(primary_key, autoincrement = false)]
    id: i64,
    tenant_id: i64,
    #[mapped_column(length = 30)]
    name: String,
    deleted_at: Option<i64>,
    #[relationship(back_populates = "user", order_by = "id")]
    addresses: Related<Vec<Address>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "crit_address")]
struct Address {
    #[mapped_column(primary_key, autoincrement = false)]
    id: i64,
    tenant_id: i64,
    #[mapped_column(length = 50)]
    email: String,
    deleted_at: Option<i64>,
    #[mapped_column(foreign_key = "crit_user.id")]
    user_id: i64,
    #[relationship(back_populates = "addresses")]
    user: Related<User>,
}

fn user(id: i64, tenant_id: i64, deleted_at: Option<i64>) -> User {
    User {
        id,
        tenant_id,
        name: format!("user{id}"),
        deleted_at,
        ..Default::default()
    }
}

fn address(id: i64, user_id: i64, tenant_id: i64, deleted_at: Option<i64>) -> Address {
    Address {
        id,
        tenant_id,
        email: format!("a{id}@example.org"),
        deleted_at,
        user_id,
        ..Default::default()
    }
}

/// Users 1 (tenant 1, live) and 2 (tenant 2, deleted); 3 (tenant 2, live).
/// Addresses: 10 (user 1, live), 11 (user 1, deleted), 12 (user 1 but
/// tenant 2, live), 20 (user 2, live), 30 (user 3, live).
async fn seed(db: &TestDb) -> oxalchemy::Result<Statements> {
    Base::metadata().create_all(&db.engine).await?;
    let mut session = Session::new(&db.engine);
    session.add_all([user(1, 1, None), user(2, 2, Some(5)), user(3, 2, None)]);
    session.add_all([
        address(10, 1, 1, None),
        address(11, 1, 1, Some(7)),
        address(12, 1, 2, None),
        address(20, 2, 2, None),
        address(30, 3, 2, None),
    ]);
    session.commit().await?;
    Ok(Statements::listen(&db.engine))
}

fn live_users() -> LoaderCriteria {
    with_loader_criteria::<User>(User::DELETED_AT.is_null())
}

fn live_addresses() -> LoaderCriteria {
    with_loader_criteria::<Address>(Address::DELETED_AT.is_null())
}

fn ids(users: &[User]) -> Vec<i64> {
    users.iter().map(|u| u.id).collect()
}

/// (user id, its loaded address ids) per user.
fn tree(users: &[User]) -> oxalchemy::Result<Vec<(i64, Vec<i64>)>> {
    users
        .iter()
        .map(|u| Ok((u.id, u.addresses.get()?.iter().map(|a| a.id).collect())))
        .collect()
}

/// Users with their addresses through `opt`, with soft-delete criteria on both.
async fn loaded_with(
    db: &TestDb,
    opt: impl IntoLoaderOptions,
) -> oxalchemy::Result<Vec<(i64, Vec<i64>)>> {
    let mut session = Session::new(&db.engine);
    let users = session
        .scalars(
            select(User)
                .order_by(User::ID)
                .options((opt, live_users(), live_addresses())),
        )
        .all()
        .await?;
    tree(&users)
}

/// Every query shape the tests use, in a session whose criteria filter
/// tenant `tenant`: each returns only that tenant's rows.
async fn tenant_view(db: &TestDb, tenant: i64) -> oxalchemy::Result<Vec<Vec<i64>>> {
    let mut session = Session::new(&db.engine);
    session.add_loader_criteria(with_loader_criteria::<User>(User::TENANT_ID.eq(tenant)));
    session.add_loader_criteria(with_loader_criteria::<Address>(
        Address::TENANT_ID.eq(tenant),
    ));
    let mut seen = Vec::new();
    let users = session
        .scalars(select(User).order_by(User::ID))
        .all()
        .await?;
    seen.push(ids(&users));
    let count = session.scalars(select(func::count(User::ID))).one().await?;
    seen.push(vec![count]);
    let joined = session
        .scalars(select(Address).join(Address::USER).order_by(Address::ID))
        .all()
        .await?;
    seen.push(joined.iter().map(|a| a.id).collect());
    for opt in [
        LoaderOption::from(selectinload(User::ADDRESSES)),
        joinedload(User::ADDRESSES).into(),
        subqueryload(User::ADDRESSES).into(),
    ] {
        let users = session
            .scalars(select(User).order_by(User::ID).options(opt))
            .all()
            .await?;
        for (_, addresses) in tree(&users)? {
            seen.push(addresses);
        }
    }
    let any = session
        .scalars(
            select(User)
                .filter(User::ADDRESSES.any(()))
                .order_by(User::ID),
        )
        .all()
        .await?;
    seen.push(ids(&any));
    let mut found = Vec::new();
    for id in [1, 2, 3] {
        session.expunge_all();
        if let Some(mut u) = session.get::<User>(id).await? {
            session.load(&mut u, User::ADDRESSES).await?;
            found.push(u.id);
            seen.push(u.addresses.get()?.iter().map(|a| a.id).collect());
        }
    }
    seen.push(found);
    Ok(seen)
}

backend_tests! {
    async fn sql_matches_sqlalchemy(db) {
        // SQLAlchemy 2.1 writes these clauses for the same options
        // (`with_loader_criteria(Address, Address.deleted_at.is_(None))`).
        let log = seed(&db).await?;
        let mut session = Session::new(&db.engine);
        session
            .scalars(select(User).join(User::ADDRESSES).options(live_addresses()))
            .all()
            .await?;
        session
            .scalars(select(User).options((joinedload(User::ADDRESSES), live_addresses())))
            .all()
            .await?;
        session
            .scalars(select(User).options((
                selectinload(User::ADDRESSES),
                live_addresses(),
                live_users(),
            )))
            .all()
            .await?;
        let sql = log.take().join("\n");
        for clause in [
            "JOIN crit_address ON crit_user.id = crit_address.user_id AND crit_address.deleted_at IS NULL",
            "LEFT OUTER JOIN crit_address AS crit_address_1 ON crit_user.id = crit_address_1.user_id AND crit_address_1.deleted_at IS NULL",
            "FROM crit_user WHERE crit_user.deleted_at IS NULL",
            "AND crit_address.deleted_at IS NULL ORDER BY crit_address.id",
        ] {
            assert!(sql.replace('\n', " ").contains(clause), "{clause}\nnot in\n{sql}");
        }
        Ok(())
    }

    async fn soft_delete_at_the_top_level_and_in_joins(db) {
        let log = seed(&db).await?;
        let mut session = Session::new(&db.engine);
        let users = session
            .scalars(select(User).order_by(User::ID).options(live_users()))
            .all()
            .await?;
        assert_eq!(ids(&users), [1, 3]);

        // A join to the filtered entity: the criterion goes into the ON clause.
        log.take();
        let rows = session
            .scalars(
                select(User)
                    .join(User::ADDRESSES)
                    .order_by(User::ID)
                    .options(live_addresses()),
            )
            .all()
            .await?;
        assert_eq!(ids(&rows), [1, 1, 2, 3], "address 11 is deleted");
        let sql = log.take().join("\n").to_lowercase();
        assert!(
            sql.contains("crit_address.deleted_at is null") && !sql.contains("where"),
            "{sql}"
        );

        // The entity joined to: the WHERE of its FROM item.
        let addresses = session
            .scalars(
                select(Address)
                    .join(Address::USER)
                    .order_by(Address::ID)
                    .options(live_users()),
            )
            .all()
            .await?;
        assert_eq!(addresses.iter().map(|a| a.id).collect::<Vec<_>>(), [10, 11, 12, 30]);

        // any(): the EXISTS subquery only sees live addresses.
        let with_deleted = session
            .scalars(
                select(User)
                    .filter(User::ADDRESSES.any(Address::ID.eq(11)))
                    .options(live_addresses()),
            )
            .all()
            .await?;
        assert!(with_deleted.is_empty());
        let without = session
            .scalars(select(User).filter(User::ADDRESSES.any(Address::ID.eq(11))))
            .all()
            .await?;
        assert_eq!(ids(&without), [1]);

        // An alias of the entity: the criterion's columns refer to it.
        log.take();
        let other = Address::table().alias("other");
        let rows = session
            .scalars(
                select(User)
                    .join(User::ADDRESSES.of_type(&other))
                    .order_by(User::ID)
                    .options(live_addresses()),
            )
            .all()
            .await?;
        assert_eq!(ids(&rows), [1, 1, 2, 3]);
        let sql = log.take().join("\n");
        assert!(sql.contains("other.deleted_at IS NULL"), "{sql}");

        // has(): a deleted user is not there.
        let of_live = session
            .scalars(
                select(Address)
                    .filter(Address::USER.has(()))
                    .order_by(Address::ID)
                    .options(live_users()),
            )
            .all()
            .await?;
        assert_eq!(of_live.iter().map(|a| a.id).collect::<Vec<_>>(), [10, 11, 12, 30]);

        // session.execute returns rows: loader criteria there are refused, not ignored.
        let err = session
            .execute(select(User).options(live_users()))
            .await
            .expect_err("criteria on session.execute");
        assert!(err.to_string().contains("session.scalars"), "{err}");
        Ok(())
    }

    async fn soft_delete_in_every_loading_strategy(db) {
        let log = seed(&db).await?;
        let expected = vec![(1, vec![10, 12]), (3, vec![30])];
        assert_eq!(loaded_with(&db, selectinload(User::ADDRESSES)).await?, expected);
        log.take();
        assert_eq!(loaded_with(&db, joinedload(User::ADDRESSES)).await?, expected);
        let sql = log.take().join("\n").to_lowercase();
        assert!(sql.contains("crit_address_1.deleted_at is null"), "the alias: {sql}");
        assert_eq!(loaded_with(&db, subqueryload(User::ADDRESSES)).await?, expected);

        let mut session = Session::new(&db.engine);
        // A many-to-one whose target is filtered out stays not loaded (a
        // `User` field has no "none"), as for a key that matches nothing.
        for opt in [
            LoaderOption::from(selectinload(Address::USER)),
            joinedload(Address::USER).into(),
        ] {
            let of_deleted = session
                .scalars(
                    select(Address)
                        .filter(Address::ID.eq(20))
                        .options((opt.clone(), live_users())),
                )
                .one()
                .await?;
            assert!(of_deleted.user.get().is_err());
            session.expunge_all();
            let plain = session
                .scalars(select(Address).filter(Address::ID.eq(20)).options(opt))
                .one()
                .await?;
            assert_eq!(plain.user.get()?.id, 2);
            session.expunge_all();
        }

        // Without criteria every address loads: the filter above did the work.
        let users = session
            .scalars(
                select(User)
                    .filter(User::ID.eq(1))
                    .options(selectinload(User::ADDRESSES)),
            )
            .all()
            .await?;
        assert_eq!(tree(&users)?, [(1, vec![10, 11, 12])]);
        Ok(())
    }

    async fn session_criteria_apply_to_get_and_load(db) {
        seed(&db).await?;
        let mut session = Session::new(&db.engine);
        session.add_loader_criteria(live_users());
        session.add_loader_criteria(live_addresses());
        assert!(session.get::<User>(2).await?.is_none(), "user 2 is deleted");
        let mut one = session.get::<User>(1).await?.expect("user 1");
        session.load(&mut one, User::ADDRESSES).await?;
        assert_eq!(
            one.addresses.get()?.iter().map(|a| a.id).collect::<Vec<_>>(),
            [10, 12]
        );
        session.clear_loader_criteria();
        session.expunge_all();
        assert!(session.get::<User>(2).await?.is_some());
        Ok(())
    }

    async fn do_orm_execute_adds_criteria_to_every_orm_query(db) {
        let log = seed(&db).await?;
        let handle = event::listen_session(
            &db.engine,
            SessionEvent::DoOrmExecute,
            |ctx: &SessionContext| {
                ctx.add_criteria::<User>(User::DELETED_AT.is_null())?;
                ctx.add_criteria::<Address>(Address::DELETED_AT.is_null())
            },
        );
        let mut session = Session::new(&db.engine);
        let users = session
            .scalars(
                select(User)
                    .order_by(User::ID)
                    .options(selectinload(User::ADDRESSES)),
            )
            .all()
            .await?;
        assert_eq!(tree(&users)?, [(1, vec![10, 12]), (3, vec![30])]);
        session.expunge_all();
        assert!(session.get::<User>(2).await?.is_none());
        let statements = log.take();
        assert!(
            statements.iter().filter(|s| s.to_lowercase().contains("deleted_at is null")).count() >= 3,
            "{statements:?}"
        );

        // Other events may not add criteria.
        let refused = event::listen_session(&db.engine, SessionEvent::BeforeFlush, |ctx: &SessionContext| {
            ctx.add_criteria::<User>(User::ID.eq(1))
        });
        session.add(user(9, 1, None));
        let err = session.flush().await.expect_err("add_criteria in BeforeFlush");
        assert!(err.to_string().contains("DoOrmExecute"), "{err}");
        refused.remove();
        session.rollback().await?;

        assert!(handle.remove());
        session.expunge_all();
        assert!(session.get::<User>(2).await?.is_some(), "the listener is gone");
        Ok(())
    }

    async fn do_orm_execute_sees_and_rewrites_the_statement(db) {
        // The tenant comes from session.info (SQLAlchemy's Session.info);
        // the listener restricts each statement with ctx.filter and caps
        // queries with rewrite_select.
        #[derive(Debug, Clone, Copy)]
        struct Tenant(i64);
        seed(&db).await?;
        let kinds: Arc<Mutex<Vec<OrmStatementKind>>> = Arc::default();
        let seen = kinds.clone();
        let handle = event::listen_session(&db.engine, SessionEvent::DoOrmExecute, move |ctx: &SessionContext| {
            let kind = ctx.statement_kind().expect("a DoOrmExecute listener knows the operation");
            seen.lock().unwrap().push(kind);
            let Some(&Tenant(t)) = ctx.session().info().get::<Tenant>() else {
                return Ok(());
            };
            match kind {
                OrmStatementKind::Select => {
                    let unlimited = ctx.select().is_some_and(|q| q.limit.is_none());
                    ctx.filter(User::TENANT_ID.eq(t))?;
                    if unlimited {
                        ctx.rewrite_select(|q| q.limit = Some(100))?;
                    }
                }
                OrmStatementKind::Get => ctx.filter(User::TENANT_ID.eq(t))?,
                OrmStatementKind::Update | OrmStatementKind::Delete => {
                    ctx.filter(Address::TENANT_ID.eq(t))?
                }
                OrmStatementKind::RelationshipLoad => {
                    let err = ctx.filter(Address::TENANT_ID.eq(t)).expect_err("no single statement");
                    assert!(err.to_string().contains("add_criteria"), "{err}");
                    ctx.add_criteria::<Address>(Address::TENANT_ID.eq(t))?;
                }
                _ => {}
            }
            Ok(())
        });
        let log = Statements::listen(&db.engine);
        let mut session = Session::new(&db.engine);
        session.info_mut().insert(Tenant(2));
        let users = session.scalars(select(User).order_by(User::ID)).all().await?;
        assert_eq!(ids(&users), [2, 3]);
        let q = log.take().pop().expect("the query");
        assert!(q.contains("tenant_id") && q.contains("LIMIT"), "{q}");
        session.expunge_all();
        assert!(session.get::<User>(1).await?.is_none(), "user 1 is tenant 1's");
        let mut three = session.get::<User>(3).await?.expect("user 3 is tenant 2's");
        session.load(&mut three, User::ADDRESSES).await?;
        assert_eq!(three.addresses.get()?.iter().map(|a| a.id).collect::<Vec<_>>(), [30]);
        // Bulk statements: only tenant 2's addresses change.
        let result = session
            .execute(update(Address::table()).set("email", "t2@example.org"))
            .await?;
        assert_eq!(result.rows_affected(), 3);
        session
            .execute(delete(Address::table()).filter(Address::ID.eq(10)))
            .await?;
        session.commit().await?;
        assert_eq!(
            *kinds.lock().unwrap(),
            [
                OrmStatementKind::Select,
                OrmStatementKind::Get,
                OrmStatementKind::Get,
                OrmStatementKind::RelationshipLoad,
                OrmStatementKind::Update,
                OrmStatementKind::Delete,
            ]
        );

        // Another session without the info sees everything; address 10 (tenant 1) survived.
        let mut other = Session::new(&db.engine);
        let emails: Vec<(i64, String)> = other
            .scalars(select(Address).order_by(Address::ID))
            .all()
            .await?
            .into_iter()
            .map(|a| (a.id, a.email))
            .collect();
        assert_eq!(emails.len(), 5);
        assert_eq!(emails[0], (10, "a10@example.org".to_owned()));
        assert!(emails[2..].iter().all(|(_, e)| e == "t2@example.org"), "{emails:?}");

        // The selected columns are not the listener's to change.
        let bad = event::listen_session(&db.engine, SessionEvent::DoOrmExecute, |ctx: &SessionContext| {
            if ctx.select().is_some() {
                ctx.rewrite_select(|q| q.columns.truncate(1))?;
            }
            Ok(())
        });
        let err = other.scalars(select(User)).all().await.expect_err("columns changed");
        assert!(err.to_string().contains("result columns"), "{err}");
        assert!(bad.remove());
        // Outside DoOrmExecute the statement is not there to change.
        let refused = event::listen_session(&db.engine, SessionEvent::BeforeFlush, |ctx: &SessionContext| {
            assert!(ctx.statement_kind().is_none() && ctx.select().is_none());
            ctx.filter(User::ID.eq(1))
        });
        other.add(user(9, 1, None));
        let err = other.flush().await.expect_err("filter in BeforeFlush");
        assert!(err.to_string().contains("DoOrmExecute"), "{err}");
        assert!(refused.remove());
        other.rollback().await?;
        assert!(handle.remove());
        Ok(())
    }

    async fn two_tenants_never_see_each_other(db) {
        seed(&db).await?;
        let one = tenant_view(&db, 1).await?;
        let two = tenant_view(&db, 2).await?;
        assert_eq!(
            one,
            vec![
                vec![1],       // select(User)
                vec![1],       // count(User::ID)
                vec![10, 11],  // select(Address).join(Address::USER)
                vec![10, 11],  // selectinload
                vec![10, 11],  // joinedload
                vec![10, 11],  // subqueryload
                vec![1],       // any()
                vec![10, 11],  // get + load of user 1
                vec![1],       // get found
            ]
        );
        assert_eq!(
            two,
            vec![
                vec![2, 3],
                vec![2],
                vec![20, 30],
                vec![20],
                vec![30],
                vec![20],
                vec![30],
                vec![20],
                vec![30],
                vec![2, 3],
                vec![20],
                vec![30],
                vec![2, 3],
            ]
        );
        Ok(())
    }

    async fn session_criteria_restrict_bulk_update_and_delete(db) {
        seed(&db).await?;
        let mut session = Session::new(&db.engine);
        session.add_loader_criteria(with_loader_criteria::<Address>(Address::TENANT_ID.eq(1)));
        let held = session.get::<Address>(10).await?.expect("tenant 1 sees address 10");
        session
            .execute(update(Address::table()).set("email", "x@example.org"))
            .await?;
        // The held object saw the new value (synchronized by evaluation, no reload).
        let again = session.get::<Address>(10).await?.expect("still there");
        assert_eq!((held.email.as_str(), again.email.as_str()), ("a10@example.org", "x@example.org"));
        session
            .execute(delete(Address::table()).filter(Address::DELETED_AT.is_not_null()))
            .await?;
        session.commit().await?;
        // Without criteria: only tenant 1's rows were changed or deleted.
        let mut check = Session::new(&db.engine);
        let all = check
            .scalars(select(Address).order_by(Address::ID))
            .all()
            .await?;
        let got: Vec<(i64, &str)> = all.iter().map(|a| (a.id, a.email.as_str())).collect();
        assert_eq!(
            got,
            [
                (10, "x@example.org"),
                (12, "a12@example.org"),
                (20, "a20@example.org"),
                (30, "a30@example.org"),
            ]
        );
        Ok(())
    }
}
