//! Code generation for association proxies, per `#[association_proxy]` field
//! (a model without proxies generates nothing here):
//!
//! - a hidden accessor, `fn(member: &Post) -> &impl ProxyValue<T>` whose
//!   body is `&member.<attr>`, spanned at the `attr = ".."` literal: a
//!   missing or private field is rustc's own error there, a field that does
//!   not hold `T`s (a column of another type, a relationship to another
//!   model, a field that is neither) `ProxyValue`'s error;
//! - the reading method (`user.post_tags()`), the SQL constant
//!   (`User::POST_TAGS`), both through the accessor, and with a `creator`
//!   the appending method (`user.push_post_tags(value)`).

use crate::field::ProxyField;
use crate::model::ModelDef;
use crate::naming::{const_name, field_ident};
use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};

/// The items of the model's proxies: nothing for a model without one.
pub(crate) fn expand_proxies(def: &ModelDef) -> TokenStream {
    if def.proxies.is_empty() {
        return TokenStream::new();
    }
    let proxies = def.proxies.iter().map(|p| proxy_items(def, p));
    let ident = &def.ident;
    quote! {
        #[allow(dead_code)]
        impl #ident {
            #(#proxies)*
        }
    }
}

fn proxy_items(def: &ModelDef, p: &ProxyField) -> TokenStream {
    let ident = &def.ident;
    let vis = &def.vis;
    let model = def.name();
    let target_name = p.target.value();
    let attr_name = p.attr.value();
    let target = def
        .relationships
        .iter()
        .find(|r| r.field_name == target_name)
        .expect("ModelDef checked that the target is a relationship");
    let value = &target.value_ty;
    let intermediate = &target.target;
    let target_field = &target.ident;
    let item = &p.item_ty;
    let name = &p.field_name;
    let method = &p.ident;
    let konst = Ident::new(&const_name(name), p.ident.span());
    let accessor = format_ident!("__oxalchemy_proxy_{}", name);

    // Spanned at `attr = ".."`: an attribute the target's model lacks, or
    // whose type is not `T`, is reported there.
    let span = p.attr.span();
    let attr_field =
        field_ident(&attr_name, span).expect("ModelDef checked that attr is a field name");
    let (item_at, intermediate_at) = (respan(item, span), respan(intermediate, span));
    let access = quote_spanned! {span=>
        fn #accessor(
            member: &#intermediate_at,
        ) -> &(impl ::oxalchemy::__private::ProxyValue<#item_at> + use<>) {
            &member.#attr_field
        }
    };
    let read_doc = format!(
        "The `{attr_name}` of each object of `{model}.{target_name}` (the association proxy \
         `{name}`), flattened in the relationship's order. `Error::NotLoaded` names the \
         relationship to load first: `selectinload({model}::{konst})` loads both."
    );
    let const_doc = format!(
        "The association proxy `{model}.{name}` (`{target_name}` then `{attr_name}`), for SQL \
         (`{model}::{konst}.any(..)`, `.has(..)`, `.contains(&value)`: `EXISTS` through \
         `{target_name}`) and loader options (`selectinload({model}::{konst})`)."
    );
    let push = p.creator.as_ref().map(|creator| {
        let push_ident = Ident::new(&format!("push_{name}"), p.ident.span());
        let doc = format!(
            "Append `value` through the association proxy `{name}`: the creator builds the \
             `{target_name}` object, which is pushed to `{model}.{target_name}` (loaded or not) \
             and inserted by the next flush of the session holding this `{model}`."
        );
        let span = syn::spanned::Spanned::span(creator);
        let (item_at, intermediate_at) = (respan(item, span), respan(intermediate, span));
        let build = quote_spanned! {span=>
            let creator: fn(#item_at) -> #intermediate_at = #creator;
        };
        quote! {
            #[doc = #doc]
            #vis fn #push_ident(&mut self, value: #item) {
                #build
                self.#target_field.push(creator(value));
            }
        }
    });
    quote! {
        #[doc(hidden)]
        #access
        #[doc = #const_doc]
        #vis const #konst: ::oxalchemy::AssociationProxyRef<#ident, #value, #item> =
            ::oxalchemy::AssociationProxyRef::new(#target_name, #name, #attr_name, Self::#accessor);
        #[doc = #read_doc]
        #vis fn #method(&self) -> ::oxalchemy::Result<::std::vec::Vec<&#item>> {
            ::oxalchemy::__private::read_proxy(&self.#target_field, Self::#accessor)
        }
        #push
    }
}

/// `tokens` with every span set to `span`, so a type named in a check is
/// reported at the option that asked for the check, not at its declaration.
fn respan(tokens: &impl ToTokens, span: proc_macro2::Span) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    fn go(stream: TokenStream, span: proc_macro2::Span) -> TokenStream {
        stream
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Group(g) => {
                    let mut inner = Group::new(g.delimiter(), go(g.stream(), span));
                    inner.set_span(span);
                    TokenTree::Group(inner)
                }
                mut other => {
                    other.set_span(span);
                    other
                }
            })
            .collect()
    }
    go(tokens.to_token_stream(), span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand_text(input: syn::DeriveInput) -> String {
        let def = ModelDef::from_derive_input(&input).unwrap_or_else(|e| panic!("{e}"));
        expand_proxies(&def).to_string()
    }

    #[test]
    fn a_proxy_generates_its_accessor_and_items() {
        let text = expand_text(parse_quote! {
            #[model(base = Base)]
            pub struct User {
                #[mapped_column(primary_key)] id: i64,
                #[mapped_column(name = "user_name")] name: String,
                user_keywords: Related<Vec<UserKeyword>>,
                #[association_proxy(target = "user_keywords", attr = "keyword", creator = kw::make)]
                keywords: AssociationProxy<Keyword>,
            }
        });
        for expected in [
            "# [doc (hidden)] fn __oxalchemy_proxy_keywords (member : & UserKeyword ,) -> & (impl :: oxalchemy :: __private :: ProxyValue < Keyword > + use < >) { & member . keyword }",
            "pub const KEYWORDS : :: oxalchemy :: AssociationProxyRef < User , Vec < UserKeyword > , Keyword > = :: oxalchemy :: AssociationProxyRef :: new (\"user_keywords\" , \"keywords\" , \"keyword\" , Self :: __oxalchemy_proxy_keywords)",
            "pub fn keywords (& self) -> :: oxalchemy :: Result < :: std :: vec :: Vec < & Keyword >>",
            ":: oxalchemy :: __private :: read_proxy (& self . user_keywords , Self :: __oxalchemy_proxy_keywords)",
            "pub fn push_keywords (& mut self , value : Keyword)",
            "let creator : fn (Keyword) -> UserKeyword = kw :: make ;",
            "self . user_keywords . push (creator (value)) ;",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
        // Nothing for the columns and relationships themselves.
        assert_eq!(text.matches("fn __oxalchemy_proxy_").count(), 1, "{text}");
    }

    #[test]
    fn a_keyword_attr_is_a_raw_field_access() {
        let text = expand_text(parse_quote! {
            #[model(base = Base)]
            struct User {
                #[mapped_column(primary_key)] id: i64,
                posts: Related<Vec<Post>>,
                #[association_proxy(target = "posts", attr = "type")]
                post_types: AssociationProxy<String>,
            }
        });
        assert!(text.contains("& member . r#type"), "{text}");
    }

    #[test]
    fn a_model_without_proxies_emits_no_proxy_code() {
        let input: syn::DeriveInput = parse_quote! {
            #[model(base = Base)]
            pub struct Account {
                #[mapped_column(primary_key)] id: i64,
                c1: String, c2: String, c3: i32, c4: i64, c5: Option<String>,
                c6: bool, c7: f64, c8: Option<i64>, c9: String,
                owner: Related<User>,
                entries: Related<Vec<Entry>>,
            }
        };
        assert_eq!(expand_text(input.clone()), "");
        let def = ModelDef::from_derive_input(&input).unwrap_or_else(|e| panic!("{e}"));
        let whole = crate::expand::expand(&def).to_string();
        for proxy_word in ["Proxy", "proxy"] {
            assert!(!whole.contains(proxy_word), "`{proxy_word}` in:\n{whole}");
        }
    }

    #[test]
    fn without_a_creator_there_is_no_push_method() {
        let text = expand_text(parse_quote! {
            #[model(base = Base)]
            struct User {
                #[mapped_column(primary_key)] id: i64,
                posts: Related<Vec<Post>>,
                #[association_proxy(target = "posts", attr = "tags")]
                post_tags: AssociationProxy<Tag>,
            }
        });
        assert!(text.contains("fn post_tags (& self)"), "{text}");
        assert!(!text.contains("push_post_tags"), "{text}");
    }
}
