//! Where a flush sends its statements: the session's connection, with the
//! engine's compile cache (statements of the same shape share their SQL).

use oxalchemy_core::{Compiled, CursorResult, Executable, Result, Select, Value};
use oxalchemy_pool::{Connection, Engine};
use std::future::Future;

/// The connection a flush runs on (in the session's transaction).
pub(crate) struct Exec<'a> {
    pub(crate) conn: &'a mut Connection,
    pub(crate) engine: &'a Engine,
}

impl Exec<'_> {
    /// Compile `stmt` through the engine's cache (by statement shape).
    pub(crate) fn compile<E: Executable + ?Sized>(&self, stmt: &E) -> Result<Compiled> {
        self.engine.compile(stmt)
    }

    /// Compile (cached) and run one statement (the future does not hold
    /// the statement).
    pub(crate) fn run<E: Executable + ?Sized>(
        &mut self,
        stmt: &E,
    ) -> impl Future<Output = Result<CursorResult>> + Send + '_ {
        let compiled = self.compile(stmt);
        async move { self.conn.execute_compiled(compiled?).await }
    }

    /// Run the SQL of `template` once per parameter set, in one call to
    /// the driver; one result per set, in order.
    pub(crate) async fn run_many(
        &mut self,
        template: &Compiled,
        sets: Vec<Vec<Value>>,
    ) -> Result<Vec<CursorResult>> {
        self.conn.execute_many_compiled(template, sets).await
    }

    /// Run one compiled statement.
    pub(crate) async fn run_compiled(&mut self, compiled: Compiled) -> Result<CursorResult> {
        self.conn.execute_compiled(compiled).await
    }
}

/// Reads a flush needs before it can be planned (the children a delete
/// cascades to, the link rows of a many-to-many collection). The session's
/// connection is checked out only when a read is needed.
pub(crate) struct Reader<'a> {
    pub(crate) slot: &'a mut Option<Connection>,
    pub(crate) engine: &'a Engine,
}

impl Reader<'_> {
    /// Run a SELECT in the session's transaction; each row as its values.
    pub(crate) async fn rows(&mut self, stmt: Select) -> Result<Vec<Vec<Value>>> {
        if self.slot.is_none() {
            *self.slot = Some(self.engine.connect().await?);
        }
        let Some(conn) = self.slot.as_mut() else {
            unreachable!("the connection was just checked out");
        };
        let result = conn.execute(stmt).await?;
        Ok(result
            .into_rows()
            .into_iter()
            .map(|r| r.into_values())
            .collect())
    }
}
