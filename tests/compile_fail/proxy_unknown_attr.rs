// An association proxy's attr must name a field of the target's model: the
// derive of User cannot see Post's fields, so it reads `&member.tagz` at the
// attr literal, and rustc reports the missing field there.
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    posts: Related<Vec<Post>>,
    #[association_proxy(target = "posts", attr = "tagz")]
    post_tags: AssociationProxy<Tag>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "post")]
struct Post {
    #[mapped_column(primary_key)]
    id: i64,
    #[mapped_column(foreign_key = "user_account.id")]
    author_id: i64,
    #[relationship(secondary = "post_tag")]
    tags: Related<Vec<Tag>>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "tag")]
struct Tag {
    #[mapped_column(primary_key)]
    id: i64,
    name: String,
}

fn main() {

}
