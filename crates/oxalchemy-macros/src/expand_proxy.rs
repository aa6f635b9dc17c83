//! Code generation for association proxies:
//!
//! - on every model, one `ProxyAttr<HASH>` impl per column and relationship
//!   field (`HASH` is [`attr_hash`] of the field name), so that a proxy of
//!   another model can read the field named by its `attr` without seeing
//!   this model's fields (an `attr` naming no field is the trait's
//!   `on_unimplemented` error, at the `attr = ".."` literal);
//! - per `#[association_proxy]` field: the reading method (`user.post_tags()`),
//!   the SQL constant (`User::POST_TAGS`), and with a `creator` the
//!   appending method (`user.push_post_tags(value)`).

use crate::field::{ColumnField, ProxyField, RelationshipField};
use crate::model::ModelDef;
use crate::naming::const_name;
use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

/// FNV-1a (64 bits) of a field name: the const parameter that names the
/// field in `ProxyAttr<HASH>` (the same function on both sides of a proxy).
pub(crate) fn attr_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every `ProxyAttr` impl of the model and the items of its proxies.
pub(crate) fn expand_proxies(def: &ModelDef) -> TokenStream {
    let columns = def.columns.iter().map(|c| column_attr(def, c));
    let relationships = def.relationships.iter().map(|r| relationship_attr(def, r));
    let proxies: Vec<TokenStream> = def.proxies.iter().map(|p| proxy_items(def, p)).collect();
    let ident = &def.ident;
    let items = if proxies.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            #[allow(dead_code)]
            impl #ident {
                #(#proxies)*
            }
        }
    };
    quote! {
        #(#columns)*
        #(#relationships)*
        #items
    }
}

fn column_attr(def: &ModelDef, c: &ColumnField) -> TokenStream {
    let ident = &def.ident;
    let hash = attr_hash(&c.field_name);
    let field = &c.field_name;
    let column = &c.column_name;
    let f = &c.ident;
    let ty = &c.ty;
    quote! {
        impl ::oxalchemy::__private::ProxyAttr<#hash> for #ident {
            type Item = #ty;
            type Value = #ty;
            const FIELD: &'static str = #field;
            const KIND: ::oxalchemy::__private::ProxyAttrKind =
                ::oxalchemy::__private::ProxyAttrKind::Column;
            fn proxy_read<'__oxalchemy_a>(
                &'__oxalchemy_a self,
                out: &mut ::std::vec::Vec<&'__oxalchemy_a #ty>,
            ) -> ::oxalchemy::Result<()> {
                out.push(&self.#f);
                ::core::result::Result::Ok(())
            }
            fn proxy_match(item: &#ty) -> ::oxalchemy::__private::Node {
                ::oxalchemy::__private::column_criterion(
                    <#ident as ::oxalchemy::orm::Model>::table,
                    #column,
                    <#ty as ::oxalchemy::orm::FieldType>::to_value(item),
                )
            }
        }
    }
}

fn relationship_attr(def: &ModelDef, r: &RelationshipField) -> TokenStream {
    let ident = &def.ident;
    let hash = attr_hash(&r.field_name);
    let field = &r.field_name;
    let f = &r.ident;
    let value = &r.value_ty;
    let members = quote!(<#value as ::oxalchemy::__private::ProxyMembers>);
    // The bound is higher-ranked so that it is checked where the impl is used,
    // never here: a relationship to a type that is not a model is already
    // reported by the mapping, and must not be reported twice.
    quote! {
        impl ::oxalchemy::__private::ProxyAttr<#hash> for #ident
        where
            for<'__oxalchemy_b> #value: ::oxalchemy::__private::ProxyMembers,
        {
            type Item = #members::Member;
            type Value = #value;
            const FIELD: &'static str = #field;
            const KIND: ::oxalchemy::__private::ProxyAttrKind =
                ::oxalchemy::__private::ProxyAttrKind::relationship(#members::MANY);
            fn proxy_read<'__oxalchemy_a>(
                &'__oxalchemy_a self,
                out: &mut ::std::vec::Vec<&'__oxalchemy_a #members::Member>,
            ) -> ::oxalchemy::Result<()> {
                ::oxalchemy::__private::ProxyMembers::push_members(self.#f.get()?, out);
                ::core::result::Result::Ok(())
            }
            fn proxy_match(item: &#members::Member) -> ::oxalchemy::__private::Node {
                ::oxalchemy::__private::identity_criterion(item)
            }
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
    let hash = attr_hash(&attr_name);
    let name = &p.field_name;
    let method = &p.ident;
    let konst = Ident::new(&const_name(name), p.ident.span());

    // Spanned at `attr = ".."`: an attribute the target's model lacks, or
    // whose type is not `T`, is reported there.
    let mut at_attr = target_field.clone();
    at_attr.set_span(p.attr.span());
    let read = quote_spanned! {p.attr.span()=>
        ::oxalchemy::__private::read_proxy::<#value, #item, #hash>(&self.#at_attr)
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
        #[doc = #const_doc]
        #vis const #konst: ::oxalchemy::AssociationProxyRef<#ident, #value, #hash> =
            ::oxalchemy::AssociationProxyRef::new(#target_name, #name);
        #[doc = #read_doc]
        #vis fn #method(&self) -> ::oxalchemy::Result<::std::vec::Vec<&#item>> {
            #read
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
    fn hashes_are_stable_and_distinct() {
        assert_eq!(attr_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(attr_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(attr_hash("tags"), attr_hash("tag"));
    }

    #[test]
    fn every_field_can_be_proxied_and_proxies_generate_their_items() {
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
        let id = attr_hash("id");
        let name = attr_hash("name");
        let rel = attr_hash("user_keywords");
        let kw = attr_hash("keyword");
        for expected in [
            format!("impl :: oxalchemy :: __private :: ProxyAttr < {id}u64 > for User"),
            format!("impl :: oxalchemy :: __private :: ProxyAttr < {name}u64 > for User"),
            "column_criterion (< User as :: oxalchemy :: orm :: Model > :: table , \"user_name\"".to_owned(),
            format!("impl :: oxalchemy :: __private :: ProxyAttr < {rel}u64 > for User"),
            "ProxyAttrKind :: relationship (< Vec < UserKeyword > as :: oxalchemy :: __private :: ProxyMembers > :: MANY)".to_owned(),
            format!("pub const KEYWORDS : :: oxalchemy :: AssociationProxyRef < User , Vec < UserKeyword > , {kw}u64 > = :: oxalchemy :: AssociationProxyRef :: new (\"user_keywords\" , \"keywords\")"),
            "pub fn keywords (& self) -> :: oxalchemy :: Result < :: std :: vec :: Vec < & Keyword >>".to_owned(),
            format!(":: oxalchemy :: __private :: read_proxy :: < Vec < UserKeyword > , Keyword , {kw}u64 > (& self . user_keywords)"),
            "pub fn push_keywords (& mut self , value : Keyword)".to_owned(),
            "let creator : fn (Keyword) -> UserKeyword = kw :: make ;".to_owned(),
            "self . user_keywords . push (creator (value)) ;".to_owned(),
        ] {
            assert!(text.contains(&expected), "missing `{expected}` in:\n{text}");
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
