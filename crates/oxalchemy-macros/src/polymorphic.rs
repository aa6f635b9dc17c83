//! `#[derive(Polymorphic)]`: an enum with one tuple variant per class of an
//! inheritance hierarchy (`Employee(Employee)`, `Manager(Manager)`, ..). It
//! implements `Model` and `ResultShape` over the variants and defines the
//! entity constant, so `select(AnyEmployee)`, `get`, `add` and `delete`
//! work polymorphically. Which classes the hierarchy has is known at run
//! time only: a missing variant is a configuration error of the enum.

use crate::naming::ident_text;
use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Type};

/// The checked enum: its name, visibility and `(variant, model type)` pairs.
pub(crate) struct PolymorphicDef {
    ident: Ident,
    vis: syn::Visibility,
    variants: Vec<(Ident, Type)>,
}

impl PolymorphicDef {
    /// Check the input: a non-generic enum whose variants each hold one model.
    pub(crate) fn from_derive_input(input: &DeriveInput) -> syn::Result<PolymorphicDef> {
        let Data::Enum(data) = &input.data else {
            return Err(syn::Error::new(
                input.ident.span(),
                "#[derive(Polymorphic)] needs an enum with one variant per class: \
                 `enum AnyEmployee { Employee(Employee), Manager(Manager) }`",
            ));
        };
        if !input.generics.params.is_empty() {
            return Err(syn::Error::new(
                input.generics.span(),
                "#[derive(Polymorphic)] does not support generic parameters",
            ));
        }
        let mut variants = Vec::new();
        let mut errors: Option<syn::Error> = None;
        for v in &data.variants {
            match &v.fields {
                Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                    variants.push((v.ident.clone(), f.unnamed[0].ty.clone()));
                }
                _ => {
                    let e = syn::Error::new(
                        v.span(),
                        format!(
                            "variant `{}` must hold one model: `{0}({0})`",
                            ident_text(&v.ident)
                        ),
                    );
                    match &mut errors {
                        Some(all) => all.combine(e),
                        None => errors = Some(e),
                    }
                }
            }
        }
        if let Some(e) = errors {
            return Err(e);
        }
        if variants.is_empty() {
            return Err(syn::Error::new(
                input.ident.span(),
                "#[derive(Polymorphic)] needs at least one variant, the base class first",
            ));
        }
        Ok(PolymorphicDef {
            ident: input.ident.clone(),
            vis: input.vis.clone(),
            variants,
        })
    }
}

/// Everything `#[derive(Polymorphic)]` generates.
pub(crate) fn expand(def: &PolymorphicDef) -> TokenStream {
    let ident = &def.ident;
    let vis = &def.vis;
    let name = ident_text(ident);
    let names: Vec<&Ident> = def.variants.iter().map(|(v, _)| v).collect();
    let types: Vec<&Type> = def.variants.iter().map(|(_, t)| t).collect();
    let indices: Vec<usize> = (0..def.variants.len()).collect();
    let first = types[0];
    let doc = format!(
        "The `{name}` entity, as a value: `select({name})` loads every row as its own variant."
    );
    quote! {
        impl ::oxalchemy::orm::Model for #ident {
            type PrimaryKey = <#first as ::oxalchemy::orm::Model>::PrimaryKey;

            fn mapper() -> &'static ::oxalchemy::__private::Mapper {
                static MAPPER: ::oxalchemy::__private::OnceLock<&'static ::oxalchemy::__private::Mapper> =
                    ::oxalchemy::__private::OnceLock::new();
                MAPPER.get_or_init(|| {
                    ::oxalchemy::__private::polymorphic_mapper(
                        #name,
                        &[#(<#types as ::oxalchemy::orm::Model>::mapper),*],
                        ::oxalchemy::__private::boxed_from_values::<#ident>,
                    )
                })
            }

            fn table() -> &'static ::oxalchemy::Table {
                (<#ident as ::oxalchemy::orm::Model>::mapper().table_fn)()
            }

            fn to_values(&self) -> ::std::vec::Vec<::oxalchemy::Value> {
                let mapper = <#ident as ::oxalchemy::orm::Model>::mapper();
                match self {
                    #(#ident::#names(v) => ::oxalchemy::__private::polymorphic_values(
                        mapper,
                        #indices,
                        <#types as ::oxalchemy::orm::Model>::to_values(v),
                    ),)*
                }
            }

            fn from_values(
                values: ::std::vec::Vec<::oxalchemy::Value>,
            ) -> ::oxalchemy::Result<Self> {
                let (index, values) = ::oxalchemy::__private::polymorphic_variant(
                    <#ident as ::oxalchemy::orm::Model>::mapper(),
                    values,
                )?;
                match index {
                    #(#indices => ::core::result::Result::Ok(#ident::#names(
                        <#types as ::oxalchemy::orm::Model>::from_values(values)?,
                    )),)*
                    _ => ::core::result::Result::Err(::oxalchemy::Error::invalid_request(
                        ::std::format!("{} has no variant number {index}", #name),
                    )),
                }
            }

            fn primary_key_values(&self) -> ::std::vec::Vec<::oxalchemy::Value> {
                match self {
                    #(#ident::#names(v) => <#types as ::oxalchemy::orm::Model>::primary_key_values(v),)*
                }
            }

            fn push_key_values(&self, out: &mut ::std::vec::Vec<::oxalchemy::Value>) {
                match self {
                    #(#ident::#names(v) => <#types as ::oxalchemy::orm::Model>::push_key_values(v, out),)*
                }
            }

            fn as_persisted(&self) -> &dyn ::oxalchemy::orm::AnyModel {
                match self {
                    #(#ident::#names(v) => v,)*
                }
            }

            fn as_persisted_mut(&mut self) -> &mut dyn ::oxalchemy::orm::AnyModel {
                match self {
                    #(#ident::#names(v) => v,)*
                }
            }
        }

        impl ::oxalchemy::orm::ResultShape for #ident {
            fn width() -> usize {
                <#ident as ::oxalchemy::orm::Model>::mapper().columns.len()
            }
            fn decode(
                values: &mut ::std::vec::IntoIter<::oxalchemy::Value>,
            ) -> ::oxalchemy::Result<Self> {
                ::oxalchemy::__private::decode_model::<#ident>(values)
            }
            fn models_mut<'__oxalchemy_a>(
                &'__oxalchemy_a mut self,
                out: &mut ::std::vec::Vec<&'__oxalchemy_a mut dyn ::oxalchemy::orm::AnyModel>,
            ) {
                match self {
                    #(#ident::#names(v) => out.push(v),)*
                }
            }
            fn entities(
                offset: usize,
                out: &mut ::std::vec::Vec<(usize, &'static ::oxalchemy::__private::Mapper)>,
            ) {
                out.push((offset, <#ident as ::oxalchemy::orm::Model>::mapper()));
            }
        }

        /// The base class's part of every variant: `any_employee.name` reads
        /// the base's field whatever the variant (and association proxies
        /// through a collection of the enum reach the base's fields).
        impl ::core::ops::Deref for #ident {
            type Target = <#first as ::oxalchemy::__private::Inheritable>::Base;
            fn deref(&self) -> &Self::Target {
                match self {
                    #(#ident::#names(v) => ::oxalchemy::__private::Inheritable::base(v),)*
                }
            }
        }

        #[doc = #doc]
        #[allow(non_upper_case_globals, dead_code)]
        #vis const #ident: ::oxalchemy::orm::Entity<#ident> = ::oxalchemy::orm::Entity::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors_of(input: DeriveInput) -> String {
        match PolymorphicDef::from_derive_input(&input) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn variants_hold_one_model() {
        let def = PolymorphicDef::from_derive_input(&parse_quote! {
            enum AnyEmployee { Employee(Employee), Manager(Manager) }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.variants.len(), 2);
        assert!(
            errors_of(parse_quote!(
                enum E {
                    A { x: i64 },
                }
            ))
            .contains("must hold one model")
        );
        assert!(
            errors_of(parse_quote!(
                struct S;
            ))
            .contains("needs an enum")
        );
        assert!(
            errors_of(parse_quote!(
                enum E {}
            ))
            .contains("at least one variant")
        );
    }
}
