//! ORM basics: declarative models, the Session's identity map and unit of
//! work, and model queries. Runs on in-memory SQLite by default; pass a URL to
//! run it elsewhere:
//! `cargo run --features postgres --example orm_basics -- postgresql://postgres@127.0.0.1:5432/test`.

use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "ob_user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30, unique)]
    name: String,
    fullname: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "ob_address")]
struct Address {
    #[mapped_column(primary_key)]
    id: i64,
    email_address: String,
    #[mapped_column(foreign_key = "ob_user_account.id", ondelete = "CASCADE")]
    user_id: i64,
}

#[tokio::main]
async fn main() -> oxalchemy::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://".to_owned());
    let engine = create_engine(&url)?;
    Base::metadata().drop_all(&engine).await?;
    Base::metadata().create_all(&engine).await?;

    let mut session = Session::new(&engine);

    // save: INSERT now, and get the value back with its generated key.
    let spongebob = session
        .save(User {
            name: "spongebob".into(),
            fullname: Some("Spongebob Squarepants".into()),
            ..Default::default()
        })
        .await?;
    let users = session
        .save_all([
            User {
                name: "sandy".into(),
                fullname: Some("Sandy Cheeks".into()),
                ..Default::default()
            },
            User {
                name: "patrick".into(),
                fullname: Some("Patrick Star".into()),
                ..Default::default()
            },
        ])
        .await?;
    println!(
        "saved: {} {:?}",
        spongebob.id,
        users.iter().map(|u| u.id).collect::<Vec<_>>()
    );

    // add + commit: the unit of work INSERTs parents before children.
    session.add_all([
        Address {
            email_address: "spongebob@sqlalchemy.org".into(),
            user_id: spongebob.id,
            ..Default::default()
        },
        Address {
            email_address: "sandy@sqlalchemy.org".into(),
            user_id: users[0].id,
            ..Default::default()
        },
        Address {
            email_address: "sandy@squirrelpower.org".into(),
            user_id: users[0].id,
            ..Default::default()
        },
    ]);
    session.commit().await?;

    // Model queries.
    let stmt = select(User)
        .filter(User::NAME.in_(["spongebob", "sandy"]))
        .order_by(User::ID);
    for user in session.scalars(stmt).all().await? {
        println!("{user:?}");
    }
    let sandy: User = session
        .scalars(select(User).filter(User::NAME.eq("sandy")))
        .one()
        .await?;

    // A join with an explicit ON clause, rows as tuples.
    let rows: Vec<(String, String)> = session
        .scalars(
            select((User::NAME, Address::EMAIL_ADDRESS))
                .join_on(Address, User::ID.eq(Address::USER_ID))
                .order_by(Address::EMAIL_ADDRESS),
        )
        .all()
        .await?;
    println!("{rows:?}");

    // Aggregation through execute (Core-style rows).
    let counts: Vec<(String, i64)> = session
        .execute(
            select((User::NAME, func::count(Address::ID).label("n")))
                .join_on(Address, User::ID.eq(Address::USER_ID))
                .group_by(User::NAME)
                .order_by(User::NAME),
        )
        .await?
        .all()?;
    println!("addresses per user: {counts:?}");

    // The identity map: a second get of the same key sends no SQL.
    let patrick = session
        .get::<User>(users[1].id)
        .await?
        .expect("patrick exists");
    let again = session.get::<User>(users[1].id).await?;
    assert_eq!(again.as_ref(), Some(&patrick));

    // Change a value and add it back: only the changed column is updated.
    let mut patrick = patrick;
    patrick.fullname = Some("Patrick Star, Esq.".into());
    session.add(patrick);
    session.commit().await?;

    // Delete; the database cascades to the addresses (ON DELETE CASCADE).
    session.delete(&sandy);
    session.commit().await?;
    let left: Vec<String> = session
        .scalars(select(User::NAME).order_by(User::NAME))
        .all()
        .await?;
    println!("users left: {left:?}");

    // End the session's transaction before changing the schema (MySQL would
    // wait for the session's metadata lock).
    session.close().await?;
    Base::metadata().drop_all(&engine).await?;
    Ok(())
}
