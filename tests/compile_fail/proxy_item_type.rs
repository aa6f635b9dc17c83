// The T of AssociationProxy<T> is what attr holds: Post.tags holds Tag
// objects, not String; Post.title holds String, not i64.
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    posts: Related<Vec<Post>>,
    #[association_proxy(target = "posts", attr = "tags")]
    post_tags: AssociationProxy<String>,
    #[association_proxy(target = "posts", attr = "title")]
    post_titles: AssociationProxy<i64>,
}

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "post")]
struct Post {
    #[mapped_column(primary_key)]
    id: i64,
    title: String,
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
