//! `SchemaBind`: what `MetaData::create_all` / `drop_all` need from an engine.
//!
//! Core does no I/O itself; the engine (in `oxalchemy-pool`) implements this
//! trait so `metadata.create_all(&engine)` can run DDL through it.

use crate::compiled::Compiled;
use crate::dialect::Dialect;
use crate::driver::BoxFuture;
use crate::error::Result;
use crate::row::CursorResult;
use std::sync::Arc;

/// Something DDL can run against: an engine.
pub trait SchemaBind: Send + Sync {
    /// The dialect to compile DDL for.
    fn schema_dialect(&self) -> Arc<dyn Dialect>;
    /// A connection in a transaction, for a batch of schema statements.
    fn schema_connection(&self) -> BoxFuture<'_, Result<Box<dyn SchemaConnection>>>;
}

/// A connection that runs schema statements (with engine events and echo).
pub trait SchemaConnection: Send {
    /// Run one compiled statement.
    fn run(&mut self, stmt: Compiled) -> BoxFuture<'_, Result<CursorResult>>;
    /// Commit the batch.
    fn finish(self: Box<Self>) -> BoxFuture<'static, Result<()>>;
}
