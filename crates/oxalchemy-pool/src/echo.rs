//! `echo`: statement logging through `tracing` (SQLAlchemy's `echo=True`).

use oxalchemy_core::Value;

/// The `tracing` target of statement logs.
pub const ECHO_TARGET: &str = "oxalchemy::engine";

/// Log one statement and its parameters at INFO level.
pub(crate) fn log_statement(sql: &str, params: &[Value]) {
    if params.is_empty() {
        tracing::info!(target: "oxalchemy::engine", "{sql}");
    } else {
        tracing::info!(target: "oxalchemy::engine", "{sql} [parameters: {params:?}]");
    }
}
