//! The `Session` (contract section 4): identity map and unit of work with
//! value semantics. See `docs/session.md` in the repository for the guide.
//!
//! - [`session`](Session): the public API, transaction handling;
//! - `identity_map`: identity -> snapshot of the row as last seen;
//! - `unit_of_work`: the changes registered by `add` / `delete`;
//! - `flush`: planning and running the statements in dependency order;
//! - `insert_batch`: how each backend batches INSERTs and returns generated keys;
//! - `dependency`: foreign-key order of tables and of self-referential rows;
//! - `scalars`: the query builder `session.scalars(stmt)`;
//! - `loaded_entities`: which result columns are whole models;
//! - `normalize`: database values in the form models produce.

mod dependency;
mod exec;
mod flush;
mod identity_map;
mod insert_batch;
mod loaded_entities;
mod model_info;
mod normalize;
mod options;
mod scalars;
#[allow(clippy::module_inception)]
mod session;
mod unit_of_work;

#[cfg(test)]
mod tests;

pub use options::SessionOptions;
pub use scalars::Scalars;
pub use session::Session;
