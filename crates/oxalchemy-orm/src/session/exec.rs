//! Where a flush sends its statements: the session's connection.

use oxalchemy_core::{Compiled, CursorResult, Result};
use oxalchemy_pool::Connection;

/// The connection a flush runs on (in the session's transaction).
pub(crate) struct Exec<'a>(pub(crate) &'a mut Connection);

impl Exec<'_> {
    /// Run one compiled statement.
    pub(crate) async fn run(&mut self, compiled: Compiled) -> Result<CursorResult> {
        self.0.execute_compiled(compiled).await
    }
}
