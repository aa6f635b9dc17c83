//! `Compiled`: SQL text plus bound parameters, ready for a driver.

use crate::dialect::Dialect;
use crate::error::Result;
use crate::value::Value;
use std::sync::Arc;

/// A statement compiled for one dialect: SQL text and its parameters in order.
///
/// ```
/// use oxalchemy_core::Compiled;
/// let c = Compiled::new("SELECT 1", vec![]);
/// assert_eq!(c.sql(), "SELECT 1");
/// assert!(c.params().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    sql: Arc<str>,
    params: Vec<Value>,
    fetch_after: Option<FetchAfterInsert>,
}

/// How to emulate `INSERT .. RETURNING` on a backend without it (MySQL): run
/// `select_sql` with parameters `[first_id, first_id + row_count]` after the
/// INSERT, where `first_id` is the LAST_INSERT_ID the INSERT reported.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchAfterInsert {
    /// `SELECT <returning columns> FROM t WHERE key >= ? AND key < ? ORDER BY key`.
    pub select_sql: String,
    /// How many rows the INSERT wrote.
    pub row_count: usize,
}

impl Compiled {
    /// Wrap SQL text and its parameters.
    pub fn new(sql: impl Into<Arc<str>>, params: Vec<Value>) -> Self {
        Compiled {
            sql: sql.into(),
            params,
            fetch_after: None,
        }
    }

    /// Attach a RETURNING emulation.
    pub fn with_fetch_after(mut self, fetch: FetchAfterInsert) -> Self {
        self.fetch_after = Some(fetch);
        self
    }

    /// The SQL text, with placeholders in the dialect's style.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The SQL text as a shared string (cheap to clone into caches).
    pub fn sql_arc(&self) -> &Arc<str> {
        &self.sql
    }

    /// The parameters, in placeholder order.
    pub fn params(&self) -> &[Value] {
        &self.params
    }

    /// Take the parameters out.
    pub fn into_parts(self) -> (Arc<str>, Vec<Value>, Option<FetchAfterInsert>) {
        (self.sql, self.params, self.fetch_after)
    }

    /// The RETURNING emulation to run after this INSERT, if any.
    pub fn fetch_after(&self) -> Option<&FetchAfterInsert> {
        self.fetch_after.as_ref()
    }
}

/// Anything a connection can execute: Core statements, `text(..)`, DDL.
pub trait Executable: Send + Sync {
    /// Compile for `dialect`.
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled>;

    /// True when compiled SQL may be cached by statement shape
    /// ([`CompileCache`](crate::CompileCache)): Core statements are; text
    /// and already-compiled SQL gain nothing from it.
    fn cacheable(&self) -> bool {
        false
    }
}

impl Executable for Compiled {
    fn compile_for(&self, _dialect: &dyn Dialect) -> Result<Compiled> {
        Ok(self.clone())
    }
}

impl<E: Executable + ?Sized> Executable for &E {
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        (**self).compile_for(dialect)
    }
    fn cacheable(&self) -> bool {
        (**self).cacheable()
    }
}
