//! The `Session` (contract section 4): identity map and unit of work with
//! value semantics. See `docs/session.md` in the repository for the guide.
//!
//! - [`session`](Session): the public API, transaction handling;
//! - `identity_map`: identity -> snapshot of the row as last seen;
//! - `unit_of_work`: the changes registered by `add` / `delete`;
//! - `cascade`: relationship cascades at `add` / `delete` (save-update, delete);
//! - `orphans`: what a flush must find out first (delete cascades over
//!   relationships that were not loaded, current link rows);
//! - `removed_members`: members removed from one-to-many relationships,
//!   decided over the whole flush from each relationship's history;
//! - `link_rows`: many-to-many link rows;
//! - `detach`: children of deleted parents without a delete cascade;
//! - `merge`: `session.merge(value)`, a value from outside onto the persistent state;
//! - `no_autoflush`: the scope guard that turns autoflush off;
//! - `flush`: planning and running the statements in dependency order;
//! - `insert_batch`: how each backend batches INSERTs and returns generated keys;
//! - `dependency`: foreign-key order of tables and of self-referential rows;
//! - `scalars`: the query builder `session.scalars(stmt)`;
//! - `loaded_entities`: which result columns are whole models;
//! - `normalize`: database values in the form models produce;
//! - `bulk_dml`: `session.execute(update(..) / delete(..))` of a mapped table
//!   and how it synchronizes the identity map;
//! - `evaluate`: WHERE clauses and SET values computed in Rust for it;
//! - `execute_many`: bulk INSERT and bulk UPDATE by primary key of value lists.

mod bulk_dml;
mod cascade;
mod dependency;
mod detach;
mod detach_events;
mod evaluate;
mod exec;
mod execute_many;
mod flush;
mod flush_hooks;
pub(crate) mod identity_map;
mod info;
mod insert_batch;
pub(crate) mod joined_parts;
mod link_rows;
mod loaded_entities;
mod merge;
pub(crate) mod model_info;
mod no_autoflush;
mod normalize;
mod options;
mod orphans;
pub(crate) mod polymorphic_fill;
mod removed_members;
mod scalars;
#[allow(clippy::module_inception)]
mod session;
mod unit_of_work;
mod validate_graph;

#[cfg(test)]
mod tests;

pub use bulk_dml::SynchronizeSession;
pub use execute_many::BulkStatement;
pub use info::SessionInfo;
pub use no_autoflush::NoAutoflush;
pub(crate) use normalize::normalize_value;
pub use options::SessionOptions;
pub use scalars::Scalars;
pub use session::Session;
