//! SQLAlchemy 2.x's ORM Quick Start, step by step, in oxalchemy: declare
//! models, create the schema, add objects with their related objects, query
//! with a join, change objects (also through a relationship), and delete with
//! cascades. Runs on in-memory SQLite by default, or on any URL:
//! `cargo run --all-features --example orm_quickstart -- postgresql://postgres@127.0.0.1:5432/test`.

use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = Base, table = "user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(length = 30)]
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
    email_address: String,
    #[mapped_column(foreign_key = "user_account.id")]
    user_id: i64,
    #[relationship(back_populates = "addresses")]
    user: Related<User>,
}

fn address(email: &str) -> Address {
    Address {
        email_address: email.into(),
        ..Default::default()
    }
}

#[tokio::main]
async fn main() -> oxalchemy::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://".to_owned());
    let engine = Engine::builder(&url).echo(false).build()?;

    // Emit CREATE TABLE DDL.
    Base::metadata().drop_all(&engine).await?;
    Base::metadata().create_all(&engine).await?;

    // Create objects and persist: the users and, through the relationship, their addresses.
    let mut session = Session::new(&engine);
    let spongebob = User {
        name: "spongebob".into(),
        fullname: Some("Spongebob Squarepants".into()),
        addresses: Related::from(vec![address("spongebob@sqlalchemy.org")]),
        ..Default::default()
    };
    let sandy = User {
        name: "sandy".into(),
        fullname: Some("Sandy Cheeks".into()),
        addresses: Related::from(vec![
            address("sandy@sqlalchemy.org"),
            address("sandy@squirrelpower.org"),
        ]),
        ..Default::default()
    };
    let patrick = User {
        name: "patrick".into(),
        fullname: Some("Patrick Star".into()),
        ..Default::default()
    };
    session.add_all([spongebob, sandy, patrick]);
    session.commit().await?;

    // Simple SELECT.
    let stmt = select(User)
        .filter(User::NAME.in_(["spongebob", "sandy"]))
        .order_by(User::ID);
    for user in session.scalars(stmt).all().await? {
        println!(
            "User(id={}, name={:?}, fullname={:?})",
            user.id, user.name, user.fullname
        );
    }

    // SELECT with JOIN along the relationship.
    let stmt = select(Address)
        .join(Address::USER)
        .filter(User::NAME.eq("sandy"))
        .filter(Address::EMAIL_ADDRESS.eq("sandy@sqlalchemy.org"));
    let sandy_address: Address = session.scalars(stmt).one().await?;
    println!(
        "Address(id={}, email_address={:?})",
        sandy_address.id, sandy_address.email_address
    );

    // Make changes: a new address for patrick (without loading his collection),
    // and a new email for sandy's address.
    let mut patrick: User = session
        .scalars(select(User).filter(User::NAME.eq("patrick")))
        .one()
        .await?;
    patrick
        .addresses
        .push(address("patrickstar@sqlalchemy.org"));
    session.add(patrick);
    let mut sandy_address = sandy_address;
    sandy_address.email_address = "sandy_cheeks@sqlalchemy.org".into();
    session.add(sandy_address.clone());
    session.commit().await?;

    // Some deletes: remove one of sandy's addresses from her loaded collection
    // (delete-orphan deletes it), then delete patrick (the cascade deletes his addresses).
    let mut sandy: User = session
        .scalars(
            select(User)
                .filter(User::NAME.eq("sandy"))
                .options(selectinload(User::ADDRESSES)),
        )
        .one()
        .await?;
    sandy
        .addresses
        .get_mut()?
        .retain(|a| a.email_address != "sandy_cheeks@sqlalchemy.org");
    session.add(sandy);
    session.flush().await?;
    let patrick: User = session
        .scalars(select(User).filter(User::NAME.eq("patrick")))
        .one()
        .await?;
    session.delete(&patrick);
    session.commit().await?;

    // What is left.
    let users = session
        .scalars(
            select(User)
                .order_by(User::ID)
                .options(selectinload(User::ADDRESSES)),
        )
        .all()
        .await?;
    for user in &users {
        let emails: Vec<&str> = user
            .addresses
            .get()?
            .iter()
            .map(|a| a.email_address.as_str())
            .collect();
        println!("{} -> {:?}", user.name, emails);
    }
    assert_eq!(users.len(), 2);
    assert_eq!(
        users[1].addresses.get()?.len(),
        1,
        "sandy keeps one address"
    );

    session.close().await?;
    Base::metadata().drop_all(&engine).await?;
    Ok(())
}
