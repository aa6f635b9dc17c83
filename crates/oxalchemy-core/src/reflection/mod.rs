//! Reflection: reading tables back from a live database.
//!
//! Core defines the backend-neutral pieces: what is read ([`ReflectedTable`]
//! and its parts), the object-safe [`Reflector`] a backend implements with
//! its catalog queries (reached through [`Dialect::reflector`](crate::Dialect::reflector)),
//! [`Inspector`] (SQLAlchemy's `inspect()`), and `MetaData::reflect` /
//! `Table::autoload`, which turn reflected tables into ordinary [`Table`](crate::Table)s.
//! Everything runs through a [`SchemaBind`](crate::SchemaBind) (an engine).

pub mod catalog_row;
mod inspector;
mod metadata_reflect;
mod reflected;
mod reflector;
mod to_table;
mod type_text;

pub use inspector::{Inspector, inspect};
pub use metadata_reflect::ReflectOptions;
pub use reflected::{PrimaryKeyConstraint, ReflectedColumn, ReflectedTable};
pub use reflector::{Reflector, TableRef};
pub use type_text::{TypeText, strip_outer_parens};
