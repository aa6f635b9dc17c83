// Association proxy options are checked: a misspelling gets a suggestion,
// a missing one is named, a creator is a function path.
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "user_account")]
struct User {
    #[mapped_column(primary_key)]
    id: i64,
    posts: Related<Vec<Post>>,
    #[association_proxy(target = "posts", atr = "tags")]
    post_tags: AssociationProxy<Tag>,
    #[association_proxy(target = "posts", attr = "tags", creater = make_post)]
    more_tags: AssociationProxy<Tag>,
    #[association_proxy(target = "posts", attr = "tags", creator = "make_post")]
    even_more_tags: AssociationProxy<Tag>,
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
