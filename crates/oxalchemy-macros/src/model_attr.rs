//! `#[model(..)]`: the options of a mapped struct.

use crate::attr_value::{expr_value, flag, for_each_option, non_empty_str};
use crate::errors::Errors;
use syn::{Attribute, Expr, LitStr, Path};

/// Every option `#[model(..)]` accepts.
pub(crate) const MODEL_OPTIONS: &[&str] = &[
    "base",
    "table",
    "schema",
    "version_id",
    "default",
    "polymorphic_on",
    "polymorphic_identity",
    "inherits",
];

/// The parsed options of a model.
#[derive(Default)]
pub(crate) struct ModelOptions {
    /// `base = Path`: the declarative base (required).
    pub(crate) base: Option<Path>,
    /// `table = ".."` (default: the struct name in snake_case).
    pub(crate) table: Option<LitStr>,
    /// `schema = ".."`.
    pub(crate) schema: Option<LitStr>,
    /// `version_id = "column"`: the optimistic-concurrency counter.
    pub(crate) version_id: Option<LitStr>,
    /// `default`: generate `impl Default` whose columns take their
    /// `mapped_column(default = ..)`.
    pub(crate) default_impl: bool,
    /// `polymorphic_on = "column"` (inheritance; parsed, used by a later issue).
    pub(crate) polymorphic_on: Option<LitStr>,
    /// `polymorphic_identity = ..` (inheritance; parsed, used by a later issue).
    pub(crate) polymorphic_identity: Option<Expr>,
    /// `inherits = Parent` (inheritance; parsed, used by a later issue).
    pub(crate) inherits: Option<Path>,
    /// True when some `#[model(..)]` attribute was present.
    pub(crate) present: bool,
}

impl ModelOptions {
    /// Parse every `#[model(..)]` attribute of the struct (several merge).
    pub(crate) fn from_attrs(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut o = ModelOptions {
            present: attrs.iter().any(|a| a.path().is_ident("model")),
            ..ModelOptions::default()
        };
        for_each_option(attrs, "model", MODEL_OPTIONS, errors, |k, meta, _| {
            match k {
                "base" => o.base = Some(meta.value()?.parse()?),
                "table" => o.table = Some(non_empty_str(meta)?),
                "schema" => o.schema = Some(non_empty_str(meta)?),
                "version_id" => o.version_id = Some(non_empty_str(meta)?),
                "default" => o.default_impl = flag(meta)?,
                "polymorphic_on" => o.polymorphic_on = Some(non_empty_str(meta)?),
                "polymorphic_identity" => o.polymorphic_identity = Some(expr_value(meta)?),
                "inherits" => o.inherits = Some(meta.value()?.parse()?),
                _ => return Ok(false),
            }
            Ok(true)
        });
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;
    use syn::parse_quote;

    fn parse(attrs: Vec<Attribute>) -> (ModelOptions, Vec<String>) {
        let mut errors = Errors::new();
        let o = ModelOptions::from_attrs(&attrs, &mut errors);
        let messages = match errors.finish() {
            Ok(()) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        };
        (o, messages)
    }

    #[test]
    fn every_option() {
        let (o, errors) = parse(vec![
            parse_quote!(#[model(base = crate::models::Base, table = "user_account")]),
            parse_quote!(#[model(schema = "auth", version_id = "version")]),
            parse_quote!(#[model(polymorphic_on = "kind", polymorphic_identity = "manager", inherits = Employee)]),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(o.present);
        assert_eq!(
            o.base.unwrap().to_token_stream().to_string(),
            "crate :: models :: Base"
        );
        assert_eq!(o.table.unwrap().value(), "user_account");
        assert_eq!(o.schema.unwrap().value(), "auth");
        assert_eq!(o.version_id.unwrap().value(), "version");
        assert_eq!(o.polymorphic_on.unwrap().value(), "kind");
        assert!(o.polymorphic_identity.is_some());
        assert!(o.inherits.unwrap().is_ident("Employee"));
    }

    #[test]
    fn absent() {
        let (o, errors) = parse(vec![parse_quote!(#[derive(Debug)])]);
        assert!(errors.is_empty());
        assert!(!o.present);
        assert!(o.base.is_none());
    }

    #[test]
    fn misspelled_options() {
        let (_, errors) = parse(vec![parse_quote!(#[model(bsae = Base, tabel = "x")])]);
        assert_eq!(
            errors,
            [
                "unknown model option `bsae`; did you mean `base`?",
                "unknown model option `tabel`; did you mean `table`?",
            ]
        );
    }
}
