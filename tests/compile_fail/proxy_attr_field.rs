// attr is read as a field of the target's model: a private field is rustc's
// privacy error, and a field that is neither a column nor a relationship (here
// another proxy: a proxy of a proxy is not built) is refused at attr.
use oxalchemy::prelude::*;

oxalchemy::declarative_base!(Base);

#[derive(Model, Debug, Clone, Default)]
#[model(base = Base, table = "user_account")]
pub struct User {
    #[mapped_column(primary_key)]
    pub id: i64,
    pub posts: Related<Vec<blog::Post>>,
    #[association_proxy(target = "posts", attr = "secret")]
    pub post_secrets: AssociationProxy<String>,
    #[association_proxy(target = "posts", attr = "tag_names")]
    pub post_tag_names: AssociationProxy<String>,
}

mod blog {
    use super::Base;
    use oxalchemy::prelude::*;

    #[derive(Model, Debug, Clone, Default)]
    #[model(base = Base, table = "post")]
    pub struct Post {
        #[mapped_column(primary_key)]
        pub id: i64,
        secret: String,
        #[mapped_column(foreign_key = "user_account.id")]
        pub author_id: i64,
        #[relationship(secondary = "post_tag")]
        pub tags: Related<Vec<Tag>>,
        #[association_proxy(target = "tags", attr = "name")]
        pub tag_names: AssociationProxy<String>,
    }

    #[derive(Model, Debug, Clone, Default)]
    #[model(base = Base, table = "tag")]
    pub struct Tag {
        #[mapped_column(primary_key)]
        pub id: i64,
        pub name: String,
    }
}

fn main() {

}
