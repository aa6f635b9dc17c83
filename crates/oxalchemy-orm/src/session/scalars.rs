//! `Scalars`: the builder `session.scalars(stmt)` returns.

use super::session::Session;
use crate::result_shape::ResultShape;
use oxalchemy_core::{Error, Result, Select, Value};

/// A query to run in a session, decoding each row into `R` (a model, a
/// tuple, or a plain value) by position: `session.scalars(select(User)).all().await?`.
///
/// Running it autoflushes first and refreshes the identity map's snapshots
/// of the models it returns.
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

fn decode<R: ResultShape>(row: Vec<Value>) -> Result<R> {
    if row.len() != R::width() {
        return Err(Error::invalid_request(format!(
            "the query returns {} column(s) per row, but {} takes {}; select what the result \
             type decodes (select(User) for a model, a tuple of columns for a tuple)",
            row.len(),
            std::any::type_name::<R>(),
            R::width()
        )));
    }
    R::decode(&mut row.into_iter())
}

impl<'s, R: ResultShape> Scalars<'s, R> {
    pub(crate) fn new(session: &'s mut Session, stmt: Select<R>) -> Self {
        Scalars { session, stmt }
    }

    /// Every row.
    pub async fn all(self) -> Result<Vec<R>> {
        let rows = self.session.query_rows(&self.stmt).await?;
        rows.into_iter().map(decode).collect()
    }

    /// Exactly one row: `Error::NoResultFound` when there is none,
    /// `Error::MultipleResultsFound` when there are more.
    pub async fn one(self) -> Result<R> {
        let mut rows = self.session.query_rows(&self.stmt).await?;
        match rows.len() {
            0 => Err(Error::NoResultFound),
            1 => decode(rows.remove(0)),
            _ => Err(Error::MultipleResultsFound),
        }
    }

    /// The first row, if any (the statement is sent as written: add
    /// `.limit(1)` to fetch only one row).
    pub async fn first(self) -> Result<Option<R>> {
        let rows = self.session.query_rows(&self.stmt).await?;
        rows.into_iter().next().map(decode).transpose()
    }

    /// One row or none: `Error::MultipleResultsFound` when there are more.
    pub async fn one_or_none(self) -> Result<Option<R>> {
        let mut rows = self.session.query_rows(&self.stmt).await?;
        match rows.len() {
            0 => Ok(None),
            1 => decode(rows.remove(0)).map(Some),
            _ => Err(Error::MultipleResultsFound),
        }
    }
}
