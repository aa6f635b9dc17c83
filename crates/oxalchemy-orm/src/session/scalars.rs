//! `Scalars`: the builder `session.scalars(stmt)` returns.

use super::session::Session;
use crate::loading::{Expect, run_scalars};
use crate::result_shape::ResultShape;
use oxalchemy_core::{Error, Result, Select};

/// A query to run in a session, decoding each row into `R` (a model, a
/// tuple, or a plain value) by position: `session.scalars(select(User)).all().await?`.
///
/// Running it autoflushes first and refreshes the identity map's snapshots
/// of the models it returns; the relationships its loader options
/// (`select(User).options(selectinload(User::ADDRESSES))`) or the
/// relationships' `lazy` settings ask for are loaded too.
#[must_use = "a query does nothing until one of all(), one(), first(), one_or_none() is awaited"]
pub struct Scalars<'s, R> {
    session: &'s mut Session,
    stmt: Select<R>,
}

impl<'s, R> std::fmt::Debug for Scalars<'s, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scalars").field("stmt", &self.stmt).finish()
    }
}

impl<'s, R: ResultShape> Scalars<'s, R> {
    pub(crate) fn new(session: &'s mut Session, stmt: Select<R>) -> Self {
        Scalars { session, stmt }
    }

    /// Run the query with its loader options (see the `loading` module).
    async fn run(self, expect: Expect) -> Result<Vec<R>> {
        run_scalars(self.session, &self.stmt, expect).await
    }

    /// Every row.
    pub async fn all(self) -> Result<Vec<R>> {
        self.run(Expect::All).await
    }

    /// Exactly one row: `Error::NoResultFound` when there is none,
    /// `Error::MultipleResultsFound` when there are more.
    pub async fn one(self) -> Result<R> {
        self.run(Expect::AtMostOne)
            .await?
            .pop()
            .ok_or(Error::NoResultFound)
    }

    /// The first row, if any (the statement is sent as written: add
    /// `.limit(1)` to fetch only one row).
    pub async fn first(self) -> Result<Option<R>> {
        Ok(self.run(Expect::First).await?.pop())
    }

    /// One row or none: `Error::MultipleResultsFound` when there are more.
    pub async fn one_or_none(self) -> Result<Option<R>> {
        Ok(self.run(Expect::AtMostOne).await?.pop())
    }
}
