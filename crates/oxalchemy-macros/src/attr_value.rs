//! Reading option values inside `#[attr(key, key = value, ..)]` lists.

use crate::errors::Errors;
use crate::suggest;
use std::collections::HashSet;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprLit, Lit, LitBool, LitInt, LitStr, Token};

/// A boolean option written as a bare flag (`unique`) or with a value (`unique = false`).
pub(crate) fn flag(meta: &ParseNestedMeta) -> syn::Result<bool> {
    if meta.input.peek(Token![=]) {
        bool_value(meta)
    } else {
        Ok(true)
    }
}

/// `key = true` / `key = false`.
pub(crate) fn bool_value(meta: &ParseNestedMeta) -> syn::Result<bool> {
    let input = meta.value()?;
    if input.peek(LitBool) {
        Ok(input.parse::<LitBool>()?.value())
    } else {
        Err(input.error(format!("`{}` takes `true` or `false`", key(meta))))
    }
}

/// `key = "text"`.
pub(crate) fn str_value(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    let input = meta.value()?;
    if input.peek(LitStr) {
        input.parse()
    } else {
        Err(input.error(format!(
            "`{}` takes a string literal: {} = \"..\"",
            key(meta),
            key(meta)
        )))
    }
}

/// `key = "text"`, refusing an empty string.
pub(crate) fn non_empty_str(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    let lit = str_value(meta)?;
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{}` must not be empty", key(meta)),
        ));
    }
    Ok(lit)
}

/// `key = 123` as a `u32`.
pub(crate) fn u32_value(meta: &ParseNestedMeta) -> syn::Result<(u32, LitInt)> {
    let input = meta.value()?;
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        let n = lit.base10_parse::<u32>()?;
        Ok((n, lit))
    } else {
        Err(input.error(format!(
            "`{}` takes an integer: {} = 30",
            key(meta),
            key(meta)
        )))
    }
}

/// `key = <expression>`.
pub(crate) fn expr_value(meta: &ParseNestedMeta) -> syn::Result<Expr> {
    meta.value()?.parse()
}

/// `key = "a"`, `key = "a, b"` or `key = ["a", "b"]`: a list of strings.
pub(crate) fn str_list(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    let expr = expr_value(meta)?;
    let one = |e: &Expr| match e {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.clone()),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{}` takes a string or a list of strings", key(meta)),
        )),
    };
    let lits = match &expr {
        Expr::Array(array) => array
            .elems
            .iter()
            .map(one)
            .collect::<syn::Result<Vec<_>>>()?,
        e => vec![one(e)?],
    };
    // "a, b" also lists two names.
    Ok(lits
        .into_iter()
        .flat_map(|lit| {
            lit.value()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| LitStr::new(s, lit.span()))
                .collect::<Vec<_>>()
        })
        .collect())
}

/// Consume the value of an option that is being rejected, so parsing can go
/// on and report the next mistake too.
pub(crate) fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        meta.input.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

/// The option's name as written (`primary_key`).
pub(crate) fn key(meta: &ParseNestedMeta) -> String {
    meta.path
        .get_ident()
        .map(crate::naming::ident_text)
        .unwrap_or_else(|| {
            meta.path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::")
        })
}

/// Run `handle` for every option of every `#[name(..)]` attribute in `attrs`.
///
/// Unknown and repeated options are reported (with a suggestion for a likely
/// misspelling) and skipped, so every mistake of the list is reported at once.
/// `handle` returns `Ok(false)` for an option it does not know. Returns the
/// options suggested for misspelled ones (what the user most likely meant).
pub(crate) fn for_each_option(
    attrs: &[Attribute],
    name: &str,
    valid: &'static [&'static str],
    errors: &mut Errors,
    mut handle: impl FnMut(&str, &ParseNestedMeta, &mut Errors) -> syn::Result<bool>,
) -> Vec<&'static str> {
    let mut seen = HashSet::new();
    let mut meant = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        if let syn::Meta::Path(_) = attr.meta {
            continue; // `#[mapped_column]` alone: no options
        }
        let result = attr.parse_nested_meta(|meta| {
            let k = key(&meta);
            if !valid.contains(&k.as_str()) {
                meant.extend(suggest::closest(&k, valid));
                errors.push(syn::Error::new_spanned(
                    &meta.path,
                    suggest::unknown_option(name, &k, valid),
                ));
                return skip_value(&meta);
            }
            if !seen.insert(k.clone()) {
                errors.push(syn::Error::new_spanned(
                    &meta.path,
                    format!("duplicate {name} option `{k}`"),
                ));
                return skip_value(&meta);
            }
            if !handle(&k, &meta, errors)? {
                errors.push(syn::Error::new_spanned(
                    &meta.path,
                    suggest::unknown_option(name, &k, valid),
                ));
                skip_value(&meta)?;
            }
            Ok(())
        });
        errors.ok(result);
    }
    meant
}
