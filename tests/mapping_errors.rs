//! Mapping errors found when a base's models are assembled: a foreign key that
//! names no model's table or column is reported with the model and field.

#![cfg(all(feature = "macros", feature = "sqlite"))]
#![allow(missing_docs)]

use oxalchemy::prelude::*;

oxalchemy::declarative_base!(BrokenBase);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = BrokenBase, table = "parent_ok")]
pub struct ParentOk {
    #[mapped_column(primary_key)]
    pub id: i64,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = BrokenBase, table = "orphan")]
pub struct Orphan {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(foreign_key = "missing_table.id")]
    pub missing_id: i64,
}

oxalchemy::declarative_base!(BadColumnBase);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = BadColumnBase, table = "owner")]
pub struct Owner {
    #[mapped_column(primary_key)]
    pub id: i64,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = BadColumnBase, table = "pet")]
pub struct Pet {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(foreign_key = "owner.uid")]
    pub owner_id: i64,
}

#[tokio::test]
async fn a_foreign_key_to_a_missing_table_names_the_model_and_field() {
    let err = BrokenBase::configure().unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::ArgumentError(_)), "{msg}");
    assert!(msg.contains("model Orphan, field missing_id"), "{msg}");
    assert!(msg.contains("missing_table"), "{msg}");
    assert!(
        msg.contains("parent_ok"),
        "the known tables are listed: {msg}"
    );
    let engine = create_engine("sqlite://").unwrap();
    let err = BrokenBase::metadata()
        .create_all(&engine)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("model Orphan, field missing_id"),
        "{err}"
    );
}

#[tokio::test]
async fn a_foreign_key_to_a_missing_column_names_the_model_and_field() {
    let err = BadColumnBase::configure().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("model Pet, field owner_id"), "{msg}");
    assert!(msg.contains("no column \"uid\""), "{msg}");
}

oxalchemy::declarative_base!(BackBase);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = BackBase, table = "author")]
pub struct Author {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[relationship(back_populates = "writer")]
    pub books: Related<Vec<Book>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = BackBase, table = "book")]
pub struct Book {
    #[mapped_column(primary_key)]
    pub id: i64,
    #[mapped_column(foreign_key = "author.id")]
    pub author_id: i64,
    #[relationship(back_populates = "novels")]
    pub author: Related<Author>,
}

#[test]
fn back_populates_must_name_each_other() {
    let err = BackBase::configure().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("back_populates"), "{msg}");
    assert!(
        msg.contains("Author.books") || msg.contains("Book.author"),
        "{msg}"
    );
}

#[test]
fn join_conditions_are_inferred_from_the_foreign_key() {
    use oxalchemy::orm::{Direction, resolve};
    let books = Author::BOOKS.mapping();
    let r = resolve(<Author as Model>::mapper(), books).unwrap();
    assert_eq!(r.direction, Direction::OneToMany);
    assert_eq!(r.pairs, vec![("id".to_owned(), "author_id".to_owned())]);
    let author = Book::AUTHOR.mapping();
    let r = resolve(<Book as Model>::mapper(), author).unwrap();
    assert_eq!(r.direction, Direction::ManyToOne);
    assert_eq!(r.pairs, vec![("author_id".to_owned(), "id".to_owned())]);
}
