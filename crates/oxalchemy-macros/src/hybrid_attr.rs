//! `#[hybrids] impl Model { #[hybrid] fn .. }`: each `#[hybrid]` method stays
//! as written (the Rust side) and gets its SQL side, an upper-case associated
//! constant: a `Hybrid<Model, T>` for a method without arguments, a
//! `fn(args) -> Expr<T>` for one with arguments.

use crate::errors::Errors;
use crate::hybrid_translate::{EXPR_HINT, Scope};
use crate::naming::const_name;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use std::collections::{BTreeMap, BTreeSet};
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ImplItemFn, ItemImpl, Pat, ReturnType};

/// One `#[hybrid]` method, analysed.
struct HybridFn {
    method: ImplItemFn,
    /// `expr = path`: the SQL side given by hand.
    expr: Option<syn::Path>,
    /// The arguments after `&self`: name and type.
    params: Vec<(syn::Ident, syn::Type)>,
    ret: syn::Type,
}

/// Expand `#[hybrids]` on an impl block (`args` are the attribute's own tokens).
pub(crate) fn expand(args: TokenStream, mut item: ItemImpl) -> TokenStream {
    let mut errors = Errors::new();
    if !args.is_empty() {
        errors.at(args.span(), "#[hybrids] takes no arguments");
    }
    if item.trait_.is_some() || !item.generics.params.is_empty() {
        errors.at(
            item.impl_token.span,
            "#[hybrids] goes on an inherent, non-generic impl block of a model: `#[hybrids] impl Employee { .. }`",
        );
    }
    let mut hybrids = Vec::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let Some(position) = method
            .attrs
            .iter()
            .position(|a| a.path().is_ident("hybrid"))
        else {
            continue;
        };
        let attr = method.attrs.remove(position);
        if let Some(h) = errors.ok(analyse(&attr, method)) {
            hybrids.push(h);
        }
    }
    let scope_hybrids: BTreeMap<String, usize> = hybrids
        .iter()
        .map(|h| (h.method.sig.ident.to_string(), h.params.len()))
        .collect();
    let mut generated = Vec::new();
    for h in &hybrids {
        let scope = Scope {
            hybrids: scope_hybrids.clone(),
            params: h
                .params
                .iter()
                .map(|(n, _)| n.to_string())
                .collect::<BTreeSet<_>>(),
        };
        if let Some(tokens) = errors.ok(sql_side(h, &scope)) {
            generated.push(tokens);
        }
    }
    let self_ty = &item.self_ty;
    let errors = errors
        .finish()
        .err()
        .map(|e| e.to_compile_error())
        .unwrap_or_default();
    quote! {
        #item
        #errors
        #[automatically_derived]
        impl #self_ty {
            #(#generated)*
        }
    }
}

fn analyse(attr: &syn::Attribute, method: &ImplItemFn) -> syn::Result<HybridFn> {
    let mut expr = None;
    if !matches!(attr.meta, syn::Meta::Path(_)) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("expr") {
                expr = Some(meta.value()?.parse::<syn::Path>()?);
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown #[hybrid] option; the one option is `expr = path::to_fn` ({EXPR_HINT})"
                )))
            }
        })?;
    }
    let sig = &method.sig;
    if !sig.generics.params.is_empty() || sig.asyncness.is_some() {
        return Err(syn::Error::new_spanned(
            sig,
            "a #[hybrid] method is neither generic nor async",
        ));
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(r)) if matches!(r.kind, syn::ReceiverKind::Reference(_, _, None)) => {}
        _ => {
            return Err(syn::Error::new_spanned(
                sig,
                "a #[hybrid] method takes `&self` first: `fn full_name(&self) -> String`",
            ));
        }
    }
    let mut params = Vec::new();
    for input in inputs {
        let FnArg::Typed(typed) = input else {
            unreachable!("only the first argument can be a receiver")
        };
        let Pat::Ident(ident) = &*typed.pat else {
            return Err(syn::Error::new_spanned(
                &typed.pat,
                "a #[hybrid] method's arguments are plain names",
            ));
        };
        params.push((ident.ident.clone(), (*typed.ty).clone()));
    }
    let ReturnType::Type(_, ret) = &sig.output else {
        return Err(syn::Error::new_spanned(
            sig,
            "a #[hybrid] method returns a value: `-> String`, `-> bool` ..",
        ));
    };
    Ok(HybridFn {
        method: method.clone(),
        expr,
        params,
        ret: (**ret).clone(),
    })
}

/// The constant (and, for a translated body, the hidden function building it).
fn sql_side(h: &HybridFn, scope: &Scope) -> syn::Result<TokenStream> {
    let name = &h.method.sig.ident;
    let vis = &h.method.vis;
    let ret = &h.ret;
    let constant = format_ident!("{}", const_name(&name.to_string()), span = name.span());
    let builder = format_ident!("__oxalchemy_hybrid_{}", name);
    let doc = format!("The SQL side of the hybrid [`Self::{name}`], from the same body.");
    let (build, helper) = match &h.expr {
        Some(path) => (quote!(#path), TokenStream::new()),
        None => {
            let body = scope.block(&h.method.block)?;
            let params = h.params.iter().map(|(n, t)| quote!(#n: #t));
            let span = h.method.block.span();
            let helper = quote_spanned! {span=>
                #[doc(hidden)]
                #[allow(non_snake_case, unused_braces, clippy::all)]
                #vis fn #builder(#(#params),*) -> ::oxalchemy::Expr<#ret> {
                    #body
                }
            };
            (quote!(Self::#builder), helper)
        }
    };
    let name_text = name.to_string();
    let constant_item = if h.params.is_empty() {
        quote! {
            #[doc = #doc]
            #vis const #constant: ::oxalchemy::Hybrid<Self, #ret> =
                ::oxalchemy::Hybrid::new(#name_text, #build);
        }
    } else {
        let types = h.params.iter().map(|(_, t)| t);
        quote! {
            #[doc = #doc]
            #vis const #constant: fn(#(#types),*) -> ::oxalchemy::Expr<#ret> = #build;
        }
    };
    Ok(quote! {
        #helper
        #constant_item
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand_text(item: ItemImpl) -> String {
        expand(TokenStream::new(), item).to_string()
    }

    #[test]
    fn keeps_the_method_and_adds_its_sql_side() {
        let text = expand_text(parse_quote! {
            impl Employee {
                #[hybrid]
                pub fn full_name(&self) -> String { format!("{} {}", self.first_name, self.last_name) }
                #[hybrid]
                pub fn earns_more_than(&self, amount: i64) -> bool { self.salary > amount }
                #[hybrid(expr = balance_sql)]
                pub fn balance(&self) -> i64 { self.entries.iter().sum() }
                pub fn plain(&self) -> i64 { 1 }
            }
        });
        for expected in [
            "pub fn full_name (& self) -> String { format ! (\"{} {}\" , self . first_name , self . last_name) }",
            "pub const FULL_NAME : :: oxalchemy :: Hybrid < Self , String > = :: oxalchemy :: Hybrid :: new (\"full_name\" , Self :: __oxalchemy_hybrid_full_name)",
            "pub fn __oxalchemy_hybrid_full_name () -> :: oxalchemy :: Expr < String >",
            "pub const EARNS_MORE_THAN : fn (i64) -> :: oxalchemy :: Expr < bool > = Self :: __oxalchemy_hybrid_earns_more_than",
            "pub fn __oxalchemy_hybrid_earns_more_than (amount : i64)",
            "pub const BALANCE : :: oxalchemy :: Hybrid < Self , i64 > = :: oxalchemy :: Hybrid :: new (\"balance\" , balance_sql)",
            "pub fn plain (& self) -> i64 { 1 }",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
        assert!(
            !text.contains("# [hybrid"),
            "the markers are consumed: {text}"
        );
        assert!(
            !text.contains("__oxalchemy_hybrid_balance"),
            "expr = .. is used as given"
        );
        assert!(!text.contains("compile_error"), "{text}");
    }

    #[test]
    fn mistakes_are_compile_errors() {
        for (item, message) in [
            (
                parse_quote!(impl E { #[hybrid] fn f(self) -> i64 { 1 } }),
                "takes `&self` first",
            ),
            (
                parse_quote!(impl E { #[hybrid] fn f(&self) { } }),
                "returns a value",
            ),
            (
                parse_quote!(impl E { #[hybrid(sql = x)] fn f(&self) -> i64 { 1 } }),
                "unknown #[hybrid] option",
            ),
            (
                parse_quote!(impl E { #[hybrid] fn f(&self) -> String { self.name.to_uppercase() } }),
                "to_ascii_uppercase",
            ),
            (
                parse_quote!(
                    impl<T> E<T> {
                        #[hybrid]
                        fn f(&self) -> i64 {
                            1
                        }
                    }
                ),
                "non-generic",
            ),
        ] {
            let text = expand_text(item);
            assert!(text.contains("compile_error"), "{text}");
            assert!(text.contains(message), "`{message}` not in {text}");
        }
    }
}
