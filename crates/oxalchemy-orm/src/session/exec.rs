//! Where a flush sends its statements: the session's connection.

use oxalchemy_core::{Compiled, CursorResult, Result, Select, Value};
use oxalchemy_pool::{Connection, Engine};

/// The connection a flush runs on (in the session's transaction).
pub(crate) struct Exec<'a>(pub(crate) &'a mut Connection);

impl Exec<'_> {
    /// Run one compiled statement.
    pub(crate) async fn run(&mut self, compiled: Compiled) -> Result<CursorResult> {
        self.0.execute_compiled(compiled).await
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
