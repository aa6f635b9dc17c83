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

// Configuration errors of relationships, found by the configure step and
// returned (never panicked) by the first operation that needs the relationship.

oxalchemy::declarative_base!(NoFkBase);

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = NoFkBase, table = "shelf")]
pub struct Shelf {
    #[mapped_column(primary_key)]
    pub id: i64,
    pub label: String,
    /// No foreign key links shelf and volume.
    pub volumes: Related<Vec<Volume>>,
    #[relationship(primaryjoin = "shelf.id = volume.shelf_ref", order_by = "nope desc")]
    pub sorted: Related<Vec<Volume>>,
    #[relationship(primaryjoin = "shelf.id volume.shelf_ref")]
    pub garbled: Related<Vec<Volume>>,
}

#[derive(Model, Debug, Clone, PartialEq, Default)]
#[model(base = NoFkBase, table = "volume")]
pub struct Volume {
    #[mapped_column(primary_key)]
    pub id: i64,
    pub shelf_ref: i64,
}

fn argument_message(err: Error) -> String {
    let msg = err.to_string();
    assert!(matches!(err, Error::ArgumentError(_)), "{msg}");
    msg
}

#[test]
fn any_on_a_relationship_without_a_join_condition_is_an_error_not_a_panic() {
    use oxalchemy::sqlite::SqliteDialect;
    let stmt = select(Shelf).filter(Shelf::VOLUMES.any(()));
    let msg = argument_message(stmt.try_compile(&SqliteDialect).unwrap_err());
    assert!(msg.contains("Shelf.volumes"), "{msg}");
    assert!(
        msg.contains("no foreign key links shelf and volume"),
        "{msg}"
    );
    let stmt = select(Shelf).filter(Shelf::GARBLED.any(Volume::ID.eq(1)));
    let msg = argument_message(stmt.try_compile(&SqliteDialect).unwrap_err());
    assert!(msg.contains("Shelf.garbled: primaryjoin"), "{msg}");
    // A relationship constant made by hand for a field that is not one.
    let typo: oxalchemy::orm::Rel<Shelf, Vec<Volume>> = oxalchemy::orm::Rel::new("volumez");
    let stmt = select(Shelf).filter(typo.any(()));
    let msg = argument_message(stmt.try_compile(&SqliteDialect).unwrap_err());
    assert!(
        msg.contains("Shelf has no relationship \"volumez\""),
        "{msg}"
    );
}

#[test]
fn the_configure_step_reports_each_relationship_once_resolved() {
    let msg = argument_message(Shelf::VOLUMES.resolved().unwrap_err());
    assert!(msg.contains("Shelf.volumes"), "{msg}");
    let msg = argument_message(Shelf::SORTED.resolved().unwrap_err());
    assert!(
        msg.contains("Shelf.sorted: order_by names \"nope\""),
        "{msg}"
    );
    let msg = argument_message(Book::AUTHOR.resolved().unwrap_err());
    assert!(
        msg.contains("Book.author: back_populates = \"novels\""),
        "{msg}"
    );
    // The model itself is configured; its relationships keep their own errors.
    let state = <Shelf as Model>::mapper().configured().unwrap();
    assert_eq!(state.primary_key(), [0]);
    assert_eq!(state.autoincrement(), Some(0));
    assert!(state.relationship("volumes").is_err());
    assert!(state.relationship("missing").is_err());
    let r = <Author as Model>::mapper()
        .configured()
        .unwrap()
        .relationship("books")
        .unwrap_err();
    assert!(r.to_string().contains("Author.books"), "{r}");
}

#[tokio::test]
async fn loading_or_saving_through_a_broken_relationship_is_an_argument_error() {
    let engine = create_engine("sqlite://").unwrap();
    NoFkBase::metadata().create_all(&engine).await.unwrap();
    let mut session = Session::new(&engine);
    let err = session
        .scalars(select(Shelf).options(selectinload(Shelf::VOLUMES)))
        .all()
        .await
        .unwrap_err();
    assert!(argument_message(err).contains("Shelf.volumes"));

    let mut shelf = Shelf {
        label: "a".into(),
        ..Default::default()
    };
    shelf.volumes = Related::from(vec![Volume::default()]);
    // One row, so the loader has a parent to load for.
    session.add(Shelf {
        id: 7,
        ..Default::default()
    });
    session.commit().await.unwrap();
    let err = session
        .scalars(select(Shelf).options(selectinload(Shelf::VOLUMES)))
        .all()
        .await
        .unwrap_err();
    assert!(argument_message(err).contains("Shelf.volumes"));
    session.add(shelf);
    let err = session.commit().await.unwrap_err();
    assert!(argument_message(err).contains("Shelf.volumes"));
}
