//! `SchemaBind` for `Engine`: what `MetaData::create_all(&engine)` runs DDL through.

use crate::engine::Engine;
use crate::transaction::Transaction;
use oxalchemy_core::{
    BoxFuture, Compiled, CursorResult, Dialect, Result, SchemaBind, SchemaConnection,
};
use std::sync::Arc;

impl SchemaBind for Engine {
    fn schema_dialect(&self) -> Arc<dyn Dialect> {
        self.dialect()
    }

    fn schema_connection(&self) -> BoxFuture<'_, Result<Box<dyn SchemaConnection>>> {
        Box::pin(async move {
            let tx = self.begin().await?;
            Ok(Box::new(tx) as Box<dyn SchemaConnection>)
        })
    }
}

impl SchemaConnection for Transaction {
    fn run(&mut self, stmt: Compiled) -> BoxFuture<'_, Result<CursorResult>> {
        Box::pin(self.execute_compiled(stmt))
    }

    fn finish(self: Box<Self>) -> BoxFuture<'static, Result<()>> {
        Box::pin((*self).commit())
    }
}
