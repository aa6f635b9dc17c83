//! The `validators` of a model's mapper: one `Validator` per column with
//! `#[mapped_column(validate = path)]`, whose `check` decodes the column value
//! to the field's type and calls the user's function.

use crate::field::ColumnField;
use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;

/// The `&[Validator { .. }, ..]` of the mapper (`columns` in mapper order).
pub(crate) fn validators(
    owner: &Ident,
    table: &str,
    columns: &[ColumnField],
    offset: &TokenStream,
) -> TokenStream {
    let items = columns.iter().enumerate().filter_map(|(position, c)| {
        let path = c.options.validate.as_ref()?;
        let field = &c.field_name;
        let ty = &c.ty;
        let label = format!("{table}.{}", c.column_name);
        // The mapper is a static inside `Model::mapper`, where `Self` is not
        // in scope: `Self::check` names the model.
        let path = replace_self(path.to_token_stream(), owner);
        // Spanned at the user's path: a wrong signature is reported there.
        let typed = quote_spanned! {c.options.validate.as_ref()?.span()=>
            let __oxalchemy_validate: fn(
                &str,
                &#ty,
            ) -> ::core::result::Result<(), ::std::string::String> = #path;
        };
        Some(quote! {
            ::oxalchemy::__private::Validator {
                field: #field,
                position: #offset + #position,
                check: |__oxalchemy_value: &::oxalchemy::Value| -> ::core::result::Result<(), ::std::string::String> {
                    #typed
                    match <#ty as ::oxalchemy::orm::FieldType>::from_value(
                        ::core::clone::Clone::clone(__oxalchemy_value),
                    ) {
                        ::core::result::Result::Ok(value) => __oxalchemy_validate(#field, &value),
                        ::core::result::Result::Err(mismatch) => ::core::result::Result::Err(
                            ::std::string::ToString::to_string(&::oxalchemy::__private::decode_error(
                                mismatch,
                                ::std::string::String::from(#label),
                            )),
                        ),
                    }
                },
            }
        })
    });
    quote!(&[#(#items),*])
}

/// `tokens` with every `Self` replaced by `owner` (in nested groups too).
pub(crate) fn replace_self(tokens: TokenStream, owner: &Ident) -> TokenStream {
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Ident(i) if i == "Self" => {
                TokenTree::Ident(Ident::new(&owner.to_string(), i.span()))
            }
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), replace_self(g.stream(), owner));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_is_replaced_by_the_model() {
        let owner = Ident::new("User", proc_macro2::Span::call_site());
        let out = replace_self(quote!(Self::check_email), &owner);
        assert_eq!(out.to_string(), quote!(User::check_email).to_string());
        let closure = replace_self(quote!(|k, v| Self::check(k, (v, Self::X))), &owner);
        assert_eq!(
            closure.to_string(),
            quote!(|k, v| User::check(k, (v, User::X))).to_string()
        );
        let plain = replace_self(quote!(crate::checks::email), &owner);
        assert_eq!(plain.to_string(), quote!(crate::checks::email).to_string());
    }
}
