//! Relationship loading (contract section 5, design decision 6): there is no
//! implicit I/O, so a `Related<T>` field is filled only when a query's loader
//! options (or the relationship's `lazy` setting) ask for it, or by
//! `session.load(..)`.
//!
//! - `options`: `selectinload`, `joinedload`, `subqueryload`, `raiseload`,
//!   `contains_eager`, .. chained to any depth, and `select(..).options(..)`;
//! - `criteria`: `with_loader_criteria`, conditions added wherever a model appears;
//! - `tree`: the options of a query as a tree, and the per-relationship decision;
//! - `query`: link columns and the child statements;
//! - `joined`: LEFT OUTER JOINs of joined loading, and the LIMIT rewrite;
//! - `apply`: filling the fields level by level;
//! - `run`: `session.scalars(..)` with loading, and `session.load(..)`.

mod apply;
mod criteria;
mod joined;
mod keys;
mod options;
pub(crate) mod query;
mod run;
mod tree;

pub use criteria::{LoaderCriteria, with_loader_criteria};
pub use options::{
    EagerLoadPath, IntoLoaderOptions, Load, LoadSteps, LoaderOption, RelTarget, SelectOptionsExt,
    Strategy, contains_eager, defaultload, joinedload, lazyload, raiseload, selectin_polymorphic,
    selectinload, subqueryload,
};
pub use run::LoadSpec;
pub(crate) use run::{Expect, run_scalars};
