//! oxalchemy: SQLAlchemy's Core, Engine and ORM, rebuilt in Rust.
pub use oxalchemy_core as core;
