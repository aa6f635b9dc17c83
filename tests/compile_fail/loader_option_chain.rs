// A chained loader option's relationship must belong to the model the
// previous step loads: `User::POSTS` loads `Post`, so `Address::USER` is wrong.
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    #[relationship(back_populates = "author")]
    posts: Related<Vec<Post>>,
    #[relationship(back_populates = "user")]
    addresses: Related<Vec<Address>>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "post")]
struct Post {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(foreign_key = "user_account.id")]
    author_id: i64,
    #[relationship(back_populates = "posts")]
    author: Related<User>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "address")]
struct Address {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(foreign_key = "user_account.id")]
    user_id: i64,
    #[relationship(back_populates = "addresses")]
    user: Related<User>,
}

fn main() {
    let _ = select(User).options(selectinload(User::POSTS).selectinload(Address::USER));
    // `has` is for a single related object, `any` for a collection.
    let _ = select(User).filter(User::POSTS.has(()));
}
