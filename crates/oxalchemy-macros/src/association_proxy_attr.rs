//! `#[association_proxy(..)]`: parsed and checked now; the proxy itself comes
//! with the association-proxy runtime (the field is not a column).

use crate::attr_value::{for_each_option, non_empty_str};
use crate::errors::Errors;
use syn::{Attribute, LitStr};

/// Every option `#[association_proxy(..)]` accepts.
pub(crate) const ASSOCIATION_PROXY_OPTIONS: &[&str] = &["target", "attr"];

/// The parsed options of an association proxy field.
#[derive(Default)]
pub(crate) struct AssociationProxyOptions {
    /// `target = "relationship"`: the relationship to go through.
    pub(crate) target: Option<LitStr>,
    /// `attr = "field"`: the attribute of the related objects.
    pub(crate) attr: Option<LitStr>,
}

impl AssociationProxyOptions {
    /// Parse the `#[association_proxy(..)]` attributes of a field.
    pub(crate) fn from_attrs(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut o = AssociationProxyOptions::default();
        for_each_option(
            attrs,
            "association_proxy",
            ASSOCIATION_PROXY_OPTIONS,
            errors,
            |k, meta, _| {
                match k {
                    "target" => o.target = Some(non_empty_str(meta)?),
                    "attr" => o.attr = Some(non_empty_str(meta)?),
                    _ => return Ok(false),
                }
                Ok(true)
            },
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn parses_target_and_attr() {
        let mut errors = Errors::new();
        let attrs: Vec<Attribute> =
            vec![parse_quote!(#[association_proxy(target = "posts", attr = "tags")])];
        let o = AssociationProxyOptions::from_attrs(&attrs, &mut errors);
        assert!(errors.finish().is_ok());
        assert_eq!(o.target.unwrap().value(), "posts");
        assert_eq!(o.attr.unwrap().value(), "tags");
    }

    #[test]
    fn rejects_unknown_options() {
        let mut errors = Errors::new();
        let attrs: Vec<Attribute> = vec![parse_quote!(#[association_proxy(targte = "posts")])];
        AssociationProxyOptions::from_attrs(&attrs, &mut errors);
        let e = errors.finish().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown association_proxy option `targte`; did you mean `target`?"
        );
    }
}
