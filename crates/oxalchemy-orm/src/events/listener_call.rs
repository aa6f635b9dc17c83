//! Calling a listener so that a panic becomes an error naming the listener
//! (the session and the pool stay usable).

use oxalchemy_core::{Error, Result};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Run `f`; a panic is returned as `InvalidRequest` saying that `what`
/// (e.g. "the BeforeInsert listener of User") panicked, with the panic's
/// message.
pub(crate) fn call_listener(
    what: &dyn Fn() -> String,
    f: impl FnOnce() -> Result<()>,
) -> Result<()> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".to_owned());
            Err(Error::invalid_request(format!(
                "{} panicked: {message}",
                what()
            )))
        }
    }
}
