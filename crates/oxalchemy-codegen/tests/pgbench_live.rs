//! The schema `pgbench -i --foreign-keys -s 1` creates (run against this test's own
//! PostgreSQL schema), reflected and generated: the output must equal
//! tests/golden/pgbench.rs byte for byte, and that file, compiled into this test, is used
//! through a Session on the same database. Needs /usr/bin/pgbench (PostgreSQL's client
//! tools, as on CI).

#![allow(missing_docs)]

#[path = "../../../tests/common/mod.rs"]
mod common;
mod support;

#[allow(dead_code, missing_docs)]
#[path = "golden/pgbench.rs"]
mod pgbench;

use common::{Backend, TestDb};
use oxalchemy::prelude::*;
use support::golden::assert_golden;

/// Run `pgbench -i --foreign-keys -s 1` against the test database (its URL carries the
/// test's search_path, so the tables land in the test's schema).
fn pgbench_init(url: &str) {
    let output = std::process::Command::new("pgbench")
        .args(["-i", "--foreign-keys", "-s", "1", "-q", url])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run pgbench ({e}): install PostgreSQL's client tools (pgbench)")
        });
    assert!(
        output.status.success(),
        "pgbench -i failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgbench_schema_generates_and_works() -> oxalchemy::Result<()> {
    let Some(db) = TestDb::open(Backend::Postgres).await else {
        return Ok(());
    };
    pgbench_init(db.url());

    let metadata = MetaData::new();
    metadata.reflect(&db.engine).await?;
    let code = oxalchemy_codegen::generate_metadata(&metadata, "pgbench -i --foreign-keys");
    assert_golden("pgbench.rs", &code);

    use pgbench::*;
    Base::configure()?;
    pgbench_history_table();
    support::same_tables::assert_models_match(Base::metadata(), &metadata);
    let mut session = Session::new(&db.engine);
    let mut account: PgbenchAccounts = session
        .get::<PgbenchAccounts>(17)
        .await?
        .expect("account 17");
    assert_eq!(account.bid, Some(1));
    assert_eq!(account.abalance, Some(0));
    session
        .load(&mut account, PgbenchAccounts::PGBENCH_BRANCHES)
        .await?;
    let branch = account.pgbench_branches.get()?.as_ref().expect("branch 1");
    assert_eq!(branch.bid, 1);

    // A pgbench transaction, through the models: update a balance, log to the history.
    account.abalance = Some(25);
    session.add(account);
    let teller: PgbenchTellers = session
        .scalars(select(PgbenchTellers).filter(PgbenchTellers::TID.eq(3)))
        .one()
        .await?;
    let history = pgbench_history_table();
    session
        .execute(insert(&history).values((
            ("tid", teller.tid),
            ("bid", 1),
            ("aid", 17),
            ("delta", 25),
        )))
        .await?;
    // A new branch with its key given (pgbench's keys are not generated).
    session.add(PgbenchBranches {
        bid: 2,
        bbalance: Some(0),
        ..Default::default()
    });
    session.commit().await?;

    let mut session = Session::new(&db.engine);
    let account = session
        .get::<PgbenchAccounts>(17)
        .await?
        .expect("account 17");
    assert_eq!(account.abalance, Some(25));
    let mut branch = session.get::<PgbenchBranches>(2).await?.expect("branch 2");
    session
        .load(&mut branch, PgbenchBranches::PGBENCH_TELLERS_COLLECTION)
        .await?;
    assert!(branch.pgbench_tellers_collection.get()?.is_empty());
    let deltas: Vec<Option<i32>> = session
        .execute(select(history.c("delta")).filter(history.c("aid").eq(17)))
        .await?
        .scalars()?;
    assert_eq!(deltas, [Some(25)]);
    Ok(())
}
