//! oxalchemy-codegen: writes `#[derive(Model)]` structs for the tables of a database,
//! as SQLAlchemy's sqlacodegen writes declarative classes.
//!
//! The generator is a plain function of tables ([`generate`], [`generate_metadata`]);
//! the `oxalchemy-codegen` binary reflects a live database and prints its result:
//!
//! ```text
//! cargo run -p oxalchemy-codegen -- --url postgresql://app@db/app [--schema s] [--tables a,b] > models.rs
//! ```
//!
//! What it writes (docs/reflection.md, "Code generation", has the full rules):
//! - `oxalchemy::declarative_base!(pub Base);` and one model per table with a primary key,
//!   sorted by table name; the struct is the table's name in CamelCase (`blog_post` ->
//!   `BlogPost`, no singularization), fields are the columns in snake_case (keywords raw:
//!   `r#type`), `Option<T>` where the column allows NULL, `#[mapped_column(..)]` with the key,
//!   length or SQL type, uniqueness, index, literal server default and foreign key;
//! - relationships from single-column foreign keys, both sides with `back_populates`:
//!   `author: Related<Author>` (the column without `_id`, else the target table) and
//!   `post_collection: Related<Vec<Post>>` on the other side (`Related<Option<Post>>` named
//!   `post` when the key is unique: one-to-one); when several foreign keys link the same
//!   two tables both sides name theirs with `foreign_keys` and the reverse name includes
//!   the forward one (`post_reviewer_collection`);
//! - many-to-many through association tables (exactly two columns, each a foreign key to a
//!   different model, NOT NULL): `tag_collection: Related<Vec<Tag>>` with `secondary`;
//!   the association table is a model too (that is what puts it in `Base::metadata()`);
//! - a table without a primary key becomes a function returning a Core `Table`;
//! - a type no Rust field type maps gets `String` and a comment saying so.
//!
//! ```
//! use oxalchemy::{MetaData, sql_type::{Integer, Varchar}};
//! let metadata = MetaData::new();
//! metadata.table("author", |t| {
//!     t.column("id", Integer).primary_key();
//!     t.column("name", Varchar(50)).not_null();
//! });
//! let code = oxalchemy_codegen::generate_metadata(&metadata, "");
//! assert!(code.contains("pub struct Author {"));
//! assert!(code.contains("#[mapped_column(length = 50)]\n    pub name: String,"));
//! ```

pub mod cli;
pub mod naming;
pub mod plan;
pub mod render;
pub mod server_default;
pub mod type_map;

use oxalchemy::{MetaData, Table};

/// The Rust source of models for `tables` (in any order; the output is sorted, so the
/// same tables always give the same text). `source` is named in the header comment
/// (e.g. the database, never a URL with a password); empty for none.
pub fn generate(tables: &[Table], source: &str) -> String {
    render::render(&plan::plan(tables), source)
}

/// [`generate`] for every table of `metadata`.
pub fn generate_metadata(metadata: &MetaData, source: &str) -> String {
    generate(&metadata.tables(), source)
}
