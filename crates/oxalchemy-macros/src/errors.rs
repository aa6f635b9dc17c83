//! `Errors`: several compile errors collected in one pass, reported together.

use proc_macro2::Span;
use std::fmt::Display;

/// Compile errors gathered while analysing one derive input, so a user sees
/// every mistake of a model at once instead of one per build.
#[derive(Default)]
pub(crate) struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    /// No errors yet.
    pub(crate) fn new() -> Self {
        Errors::default()
    }

    /// Record an error (it keeps its own span).
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(all) => all.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Record an error at `span`.
    pub(crate) fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Record the error of a failed step, if any, and give back its value.
    pub(crate) fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    /// `Ok(())` when no error was recorded, else all of them as one `syn::Error`.
    pub(crate) fn finish(self) -> syn::Result<()> {
        match self.combined {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_error_in_order() {
        let mut errors = Errors::new();
        errors.at(Span::call_site(), "first");
        assert_eq!(
            errors.ok::<()>(Err(syn::Error::new(Span::call_site(), "second"))),
            None
        );
        assert_eq!(errors.ok(Ok(3)), Some(3));
        let messages: Vec<String> = errors
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn empty_is_ok() {
        assert!(Errors::new().finish().is_ok());
    }
}
