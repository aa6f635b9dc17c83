//! `#[association_proxy(target = "..", attr = "..", creator = path::to_fn)]`:
//! the options of an association proxy field (an `AssociationProxy<T>`, not a column).

use crate::attr_value::{for_each_option, non_empty_str};
use crate::errors::Errors;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr, Path};

/// `creator = path::to_fn`: a path (a function's name), never an expression.
fn path_value(meta: &ParseNestedMeta) -> syn::Result<Path> {
    let input = meta.value()?;
    input.parse::<Path>().map_err(|e| {
        syn::Error::new(
            e.span(),
            "`creator` takes the path of a function: creator = path::to_fn, where `fn to_fn(value: T) -> Intermediate`",
        )
    })
}

/// Every option `#[association_proxy(..)]` accepts.
pub(crate) const ASSOCIATION_PROXY_OPTIONS: &[&str] = &["target", "attr", "creator"];

/// The parsed options of an association proxy field.
#[derive(Default)]
pub(crate) struct AssociationProxyOptions {
    /// `target = "relationship"`: the relationship to go through.
    pub(crate) target: Option<LitStr>,
    /// `attr = "field"`: the attribute of the related objects.
    pub(crate) attr: Option<LitStr>,
    /// `creator = path::to_fn`: a `fn(T) -> Intermediate` building the
    /// intermediate object, for the generated `push_<field>(value)`.
    pub(crate) creator: Option<Path>,
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
                    "creator" => o.creator = Some(path_value(meta)?),
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
    fn parses_a_creator_path_and_refuses_other_values() {
        let mut errors = Errors::new();
        let attrs: Vec<Attribute> = vec![parse_quote!(
            #[association_proxy(target = "user_keywords", attr = "keyword", creator = kw::make)]
        )];
        let o = AssociationProxyOptions::from_attrs(&attrs, &mut errors);
        assert!(errors.finish().is_ok());
        let path = o.creator.unwrap();
        assert_eq!(quote::quote!(#path).to_string(), "kw :: make");

        let mut errors = Errors::new();
        let attrs: Vec<Attribute> =
            vec![parse_quote!(#[association_proxy(target = "t", attr = "a", creator = "make")])];
        AssociationProxyOptions::from_attrs(&attrs, &mut errors);
        let e = errors.finish().unwrap_err();
        assert!(
            e.to_string()
                .starts_with("`creator` takes the path of a function"),
            "{e}"
        );
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
