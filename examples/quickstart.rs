//! oxalchemy quickstart: tables, inserts, queries and a transaction on the
//! embedded default (in-memory SQLite, no server needed).
//!
//! Run it with `cargo run --example quickstart`; pass another URL to run the
//! same code elsewhere, e.g.
//! `cargo run --features postgres --example quickstart -- postgresql://postgres@127.0.0.1:5432/test`.

use oxalchemy::prelude::*;

#[tokio::main]
async fn main() -> oxalchemy::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://".to_owned());
    let engine = create_engine(&url)?;

    // Schema: two tables linked by a foreign key.
    let metadata = MetaData::new();
    let users = metadata.table("qs_users", |t| {
        t.column("id", Integer).primary_key();
        t.column("name", Varchar(30)).not_null();
        t.column("fullname", Text);
    });
    let addresses = metadata.table("qs_addresses", |t| {
        t.column("id", Integer).primary_key();
        t.column("user_id", Integer)
            .not_null()
            .foreign_key("qs_users.id");
        t.column("email_address", Varchar(100)).not_null().unique();
    });
    metadata.drop_all(&engine).await?;
    metadata.create_all(&engine).await?;

    // "Begin once": the block commits at the end, or rolls back on error/drop.
    let mut tx = engine.begin().await?;
    let ids: Vec<i64> = tx
        .execute(
            insert(&users)
                .values_many([
                    [("name", "spongebob"), ("fullname", "Spongebob Squarepants")],
                    [("name", "sandy"), ("fullname", "Sandy Cheeks")],
                    [("name", "patrick"), ("fullname", "Patrick Star")],
                ])
                .returning(users.c("id")),
        )
        .await?
        .scalars()?;
    println!("inserted users with ids {ids:?}");
    tx.execute(insert(&addresses).values_many([
        (
            ("user_id", ids[0]),
            ("email_address", "spongebob@sqlalchemy.org"),
        ),
        (
            ("user_id", ids[1]),
            ("email_address", "sandy@sqlalchemy.org"),
        ),
        (
            ("user_id", ids[1]),
            ("email_address", "sandy@squirrelpower.org"),
        ),
    ]))
    .await?;
    tx.commit().await?;

    // "Commit as you go": a connection begins on first use.
    let mut conn = engine.connect().await?;

    // A join with the ON clause inferred from the foreign key.
    let result = conn
        .execute(
            select((users.c("name"), addresses.c("email_address")))
                .join(&addresses)
                .filter(users.c("name").in_(["sandy", "spongebob"]))
                .order_by(addresses.c("email_address")),
        )
        .await?;
    for row in result.rows() {
        let name: String = row.get("name")?;
        let email: String = row.get(1)?;
        println!("{name:>10}  {email}");
    }

    // Aggregation with GROUP BY / HAVING.
    let counts: Vec<(String, i64)> = conn
        .execute(
            select((users.c("name"), func::count(addresses.c("id")).label("n")))
                .outerjoin(&addresses)
                .group_by(users.c("name"))
                .having(func::count(addresses.c("id")).ge(1))
                .order_by(users.c("name")),
        )
        .await?
        .all()?;
    println!("addresses per user: {counts:?}");

    // UPDATE and a savepoint that is rolled back.
    conn.execute(
        update(&users)
            .filter(users.c("name").eq("patrick"))
            .set("fullname", "Patrick Star, Esq."),
    )
    .await?;
    conn.commit().await?;
    let mut tx = engine.begin().await?;
    {
        let mut sp = tx.begin_nested().await?;
        sp.execute(delete(&users).filter(users.c("name").eq("patrick")))
            .await?;
        sp.rollback().await?; // ROLLBACK TO SAVEPOINT: patrick stays
    }
    let patrick: (String,) = tx
        .execute(select(users.c("fullname")).filter(users.c("name").eq("patrick")))
        .await?
        .one()?;
    tx.commit().await?;
    println!("patrick after the rolled-back savepoint: {}", patrick.0);

    // Textual SQL with named binds.
    let n: Vec<i64> = conn
        .execute(text("SELECT count(*) FROM qs_users WHERE id > :min").bind("min", 1))
        .await?
        .scalars()?;
    println!("users with id > 1: {}", n[0]);
    println!("pool: {:?}", engine.pool_status());

    // Return the connection (ending its transaction) before dropping the tables.
    conn.commit().await?;
    drop(conn);
    metadata.drop_all(&engine).await?;
    Ok(())
}
