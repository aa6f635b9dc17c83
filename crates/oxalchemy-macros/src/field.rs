//! One struct field, classified: a column, a relationship, or a field that is
//! neither (an association proxy, an inheritance parent).

use crate::association_proxy_attr::AssociationProxyOptions;
use crate::column_attr::ColumnOptions;
use crate::errors::Errors;
use crate::naming::ident_text;
use crate::relationship_attr::RelationshipOptions;
use proc_macro2::Ident;
use syn::spanned::Spanned;
use syn::{Field, GenericArgument, LitStr, PathArguments, Type};

/// A mapped column field.
pub(crate) struct ColumnField {
    /// The field.
    pub(crate) ident: Ident,
    /// The field's Rust type, as written.
    pub(crate) ty: Type,
    /// The field name without a raw prefix.
    pub(crate) field_name: String,
    /// The column name (`name = ".."`, else the field name).
    pub(crate) column_name: String,
    /// Its `#[mapped_column(..)]` options.
    pub(crate) options: ColumnOptions,
}

/// A relationship field (`Related<T>`).
pub(crate) struct RelationshipField {
    /// The field.
    pub(crate) ident: Ident,
    /// The field name without a raw prefix.
    pub(crate) field_name: String,
    /// `T` of `Related<T>`: `Vec<Address>` or `User`.
    pub(crate) value_ty: Type,
    /// The related model: `Address` of `Related<Vec<Address>>`.
    pub(crate) target: Type,
    /// True for a collection.
    pub(crate) uselist: bool,
    /// Its `#[relationship(..)]` options.
    pub(crate) options: RelationshipOptions,
}

/// An association proxy field (`AssociationProxy<T>`): checked here, its
/// `target` resolved against the model's relationships by `ModelDef`.
pub(crate) struct ProxyField {
    /// The field.
    pub(crate) ident: Ident,
    /// The field name without a raw prefix.
    pub(crate) field_name: String,
    /// `T` of `AssociationProxy<T>`: what the proxy yields.
    pub(crate) item_ty: Type,
    /// `target = ".."`: the relationship to go through.
    pub(crate) target: LitStr,
    /// `attr = ".."`: the field of the target's model.
    pub(crate) attr: LitStr,
    /// `creator = path::to_fn`, if given.
    pub(crate) creator: Option<syn::Path>,
}

/// A field that is not mapped to a column nor a relationship: it is set to
/// its `Default` when a row is decoded.
pub(crate) struct OtherField {
    /// The field.
    pub(crate) ident: Ident,
}

/// What a field maps to.
pub(crate) enum FieldKind {
    /// A column.
    Column(ColumnField),
    /// A relationship.
    Relationship(RelationshipField),
    /// An association proxy (not a column).
    Proxy(ProxyField),
    /// Neither: set to its `Default` when a row is decoded.
    Other(OtherField),
    /// `#[parent]`: the inherited model's value (table inheritance).
    Parent(ParentField),
}

/// The `#[parent]` field of a subclass: the value of the `inherits` model.
pub(crate) struct ParentField {
    /// The field.
    pub(crate) ident: Ident,
    /// Its type (must be the `inherits` model).
    pub(crate) ty: syn::Type,
}

/// The attributes the derive owns on fields.
const FIELD_ATTRIBUTES: &[&str] = &[
    "mapped_column",
    "relationship",
    "association_proxy",
    "parent",
];

impl FieldKind {
    /// Classify and parse one named field, recording every mistake in `errors`.
    pub(crate) fn from_field(field: &Field, errors: &mut Errors) -> Option<FieldKind> {
        let ident = field.ident.clone()?;
        let field_name = ident_text(&ident);
        let has = |name: &str| field.attrs.iter().find(|a| a.path().is_ident(name));
        let column_attr = has("mapped_column");
        let relationship_attr = has("relationship");
        let proxy_attr = has("association_proxy");
        let parent_attr = has("parent");

        // At most one role per field.
        let roles: Vec<&syn::Attribute> = [column_attr, relationship_attr, proxy_attr, parent_attr]
            .into_iter()
            .flatten()
            .collect();
        if roles.len() > 1 {
            let names: Vec<String> = FIELD_ATTRIBUTES
                .iter()
                .filter(|n| has(n).is_some())
                .map(|n| format!("#[{n}]"))
                .collect();
            errors.at(
                roles[1].path().span(),
                format!("field `{field_name}` has {}: a field is one of a column, a relationship, an association proxy or a parent", names.join(" and ")),
            );
        }

        if parent_attr.is_some() {
            return Some(FieldKind::Parent(ParentField {
                ident,
                ty: field.ty.clone(),
            }));
        }
        if let Some(attr) = proxy_attr {
            let o = AssociationProxyOptions::from_attrs(&field.attrs, errors);
            for (k, v) in [("target", &o.target), ("attr", &o.attr)] {
                if v.is_none() {
                    errors.at(
                        attr.path().span(),
                        format!("#[association_proxy] needs `{k} = \"..\"` (target = \"relationship\", attr = \"field\")"),
                    );
                }
            }
            let item_ty = proxy_inner(&field.ty);
            if item_ty.is_none() {
                errors.at(
                    field.ty.span(),
                    format!(
                        "#[association_proxy] needs an `AssociationProxy<T>` field (T: what the proxy yields), and `{field_name}` is not one"
                    ),
                );
            }
            return match (item_ty, o.target, o.attr) {
                (Some(item_ty), Some(target), Some(attr)) if roles.len() == 1 => {
                    Some(FieldKind::Proxy(ProxyField {
                        ident,
                        field_name,
                        item_ty: item_ty.clone(),
                        target,
                        attr,
                        creator: o.creator,
                    }))
                }
                _ => Some(FieldKind::Other(OtherField { ident })),
            };
        }
        if roles.is_empty() && proxy_inner(&field.ty).is_some() {
            errors.at(
                field.ty.span(),
                format!(
                    "`{field_name}` is an `AssociationProxy<..>` field: mark it #[association_proxy(target = \"relationship\", attr = \"field\")]"
                ),
            );
            return Some(FieldKind::Other(OtherField { ident }));
        }

        match related_inner(&field.ty) {
            Some(value_ty) => {
                if let Some(attr) = column_attr {
                    errors.at(
                        attr.path().span(),
                        format!("#[mapped_column] on `{field_name}`, a `Related<..>` relationship field: use #[relationship(..)]"),
                    );
                }
                let options = RelationshipOptions::from_attrs(&field.attrs, errors);
                // `Related<Vec<T>>`, `Related<Option<T>>` (a many-to-one that may be
                // unset) or `Related<T>`: the related model is `T`.
                let (target, is_vec) = match vec_inner(value_ty) {
                    Some(inner) => (inner.clone(), true),
                    None => (option_inner(value_ty).unwrap_or(value_ty).clone(), false),
                };
                Some(FieldKind::Relationship(RelationshipField {
                    ident,
                    field_name,
                    value_ty: value_ty.clone(),
                    target,
                    uselist: options.uselist.unwrap_or(is_vec),
                    options,
                }))
            }
            None => {
                if relationship_attr.is_some() {
                    errors.at(
                        field.ty.span(),
                        format!(
                            "#[relationship] needs a `Related<T>` or `Related<Vec<T>>` field, and `{field_name}` is not one"
                        ),
                    );
                }
                let options = ColumnOptions::from_attrs(&field.attrs, errors);
                let column_name = options
                    .name
                    .as_ref()
                    .map(syn::LitStr::value)
                    .unwrap_or_else(|| field_name.clone());
                Some(FieldKind::Column(ColumnField {
                    ident,
                    ty: field.ty.clone(),
                    field_name,
                    column_name,
                    options,
                }))
            }
        }
    }
}

/// Look through invisible groups and parentheses around a type.
fn plain(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => plain(&g.elem),
        Type::Paren(p) => plain(&p.elem),
        other => other,
    }
}

/// The single type argument of a path type whose last segment is `name`:
/// `T` of `Related<T>`, `oxalchemy::Related<T>`.
fn single_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = plain(ty) else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = types.next()?;
    types.next().is_none().then_some(first)
}

/// `T` of `Related<T>`, when `ty` is a relationship type.
pub(crate) fn related_inner(ty: &Type) -> Option<&Type> {
    single_argument(ty, "Related")
}

/// `T` of `AssociationProxy<T>`.
pub(crate) fn proxy_inner(ty: &Type) -> Option<&Type> {
    single_argument(ty, "AssociationProxy")
}

/// `T` of `Vec<T>`.
pub(crate) fn vec_inner(ty: &Type) -> Option<&Type> {
    single_argument(ty, "Vec")
}

/// `T` of `Option<T>`.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    single_argument(ty, "Option")
}

/// True when `ty` is written as one of Rust's integer types (`i64`, `i32`, ..).
pub(crate) fn is_integer(ty: &Type) -> bool {
    let Type::Path(path) = plain(ty) else {
        return false;
    };
    path.qself.is_none()
        && path.path.get_ident().is_some_and(|i| {
            [
                "i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128",
            ]
            .iter()
            .any(|n| i == n)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;
    use syn::parse_quote;

    fn text(ty: &Type) -> String {
        ty.to_token_stream().to_string()
    }

    fn classify(field: Field) -> (Option<FieldKind>, Vec<String>) {
        let mut errors = Errors::new();
        let kind = FieldKind::from_field(&field, &mut errors);
        let messages = match errors.finish() {
            Ok(()) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        };
        (kind, messages)
    }

    fn named(tokens: proc_macro2::TokenStream) -> Field {
        let fields: syn::FieldsNamed = syn::parse2(quote::quote!({ #tokens })).unwrap();
        fields.named.into_iter().next().unwrap()
    }

    #[test]
    fn type_analysis() {
        let ty: Type = parse_quote!(Related<Vec<Address>>);
        let inner = related_inner(&ty).unwrap();
        assert_eq!(text(inner), "Vec < Address >");
        assert_eq!(text(vec_inner(inner).unwrap()), "Address");
        let ty: Type = parse_quote!(oxalchemy::orm::Related<User>);
        assert_eq!(text(related_inner(&ty).unwrap()), "User");
        assert!(related_inner(&parse_quote!(Option<String>)).is_none());
        assert!(related_inner(&parse_quote!(Related)).is_none());
        assert!(is_integer(&parse_quote!(i64)));
        assert!(!is_integer(&parse_quote!(Option<i64>)));
        assert!(!is_integer(&parse_quote!(String)));
    }

    #[test]
    fn columns() {
        let (kind, errors) = classify(named(quote::quote!(
            #[mapped_column(name = "user_name", length = 30)]
            pub name: String
        )));
        assert!(errors.is_empty());
        let Some(FieldKind::Column(c)) = kind else {
            panic!("not a column")
        };
        assert_eq!(c.field_name, "name");
        assert_eq!(c.column_name, "user_name");
        assert_eq!(c.options.length, Some(30));

        let (kind, _) = classify(named(quote::quote!(pub r#type: String)));
        let Some(FieldKind::Column(c)) = kind else {
            panic!("not a column")
        };
        assert_eq!(c.column_name, "type");
    }

    #[test]
    fn relationships() {
        let (kind, errors) = classify(named(quote::quote!(pub addresses: Related<Vec<Address>>)));
        assert!(errors.is_empty());
        let Some(FieldKind::Relationship(r)) = kind else {
            panic!("not a relationship")
        };
        assert!(r.uselist);
        assert_eq!(text(&r.target), "Address");
        assert_eq!(text(&r.value_ty), "Vec < Address >");
        assert_eq!(r.options.cascade(), "save-update, merge");

        let (kind, errors) = classify(named(quote::quote!(
            #[relationship(uselist = true, back_populates = "x")]
            pub user: Related<User>
        )));
        assert!(errors.is_empty());
        let Some(FieldKind::Relationship(r)) = kind else {
            panic!("not a relationship")
        };
        assert!(r.uselist);
        assert_eq!(text(&r.target), "User");

        let (kind, _) = classify(named(quote::quote!(pub parent: Related<Option<Node>>)));
        let Some(FieldKind::Relationship(r)) = kind else {
            panic!("not a relationship")
        };
        assert!(!r.uselist);
        assert_eq!(text(&r.target), "Node");
        assert_eq!(text(&r.value_ty), "Option < Node >");
    }

    #[test]
    fn proxies() {
        let (kind, errors) = classify(named(quote::quote!(
            #[association_proxy(target = "posts", attr = "tags", creator = make_post)]
            pub post_tags: AssociationProxy<Tag>
        )));
        assert!(errors.is_empty(), "{errors:?}");
        let Some(FieldKind::Proxy(p)) = kind else {
            panic!("not a proxy")
        };
        assert_eq!(p.field_name, "post_tags");
        assert_eq!(text(&p.item_ty), "Tag");
        assert_eq!(p.target.value(), "posts");
        assert_eq!(p.attr.value(), "tags");
        assert!(p.creator.is_some());

        let (_, errors) = classify(named(
            quote::quote!(#[association_proxy(target = "posts")] pub t: AssociationProxy<P>),
        ));
        assert_eq!(
            errors,
            [
                "#[association_proxy] needs `attr = \"..\"` (target = \"relationship\", attr = \"field\")"
            ]
        );
        let (_, errors) = classify(named(quote::quote!(
            #[association_proxy(target = "posts", attr = "tags")] pub t: Vec<Tag>
        )));
        assert_eq!(
            errors,
            [
                "#[association_proxy] needs an `AssociationProxy<T>` field (T: what the proxy yields), and `t` is not one"
            ]
        );
        let (_, errors) = classify(named(quote::quote!(pub t: AssociationProxy<Tag>)));
        assert_eq!(
            errors,
            [
                "`t` is an `AssociationProxy<..>` field: mark it #[association_proxy(target = \"relationship\", attr = \"field\")]"
            ]
        );
    }

    #[test]
    fn parent_fields() {
        let (kind, errors) = classify(named(quote::quote!(#[parent] pub employee: Employee)));
        assert!(errors.is_empty(), "{errors:?}");
        assert!(matches!(kind, Some(FieldKind::Parent(p)) if p.ident == "employee"));
    }

    #[test]
    fn misplaced_attributes() {
        let (_, errors) = classify(named(quote::quote!(#[relationship] pub name: String)));
        assert_eq!(
            errors,
            [
                "#[relationship] needs a `Related<T>` or `Related<Vec<T>>` field, and `name` is not one"
            ]
        );
        let (_, errors) = classify(named(
            quote::quote!(#[mapped_column(unique)] pub user: Related<User>),
        ));
        assert_eq!(
            errors,
            [
                "#[mapped_column] on `user`, a `Related<..>` relationship field: use #[relationship(..)]"
            ]
        );
        let (_, errors) = classify(named(
            quote::quote!(#[mapped_column] #[parent] pub e: Employee),
        ));
        assert_eq!(
            errors,
            [
                "field `e` has #[mapped_column] and #[parent]: a field is one of a column, a relationship, an association proxy or a parent"
            ]
        );
    }
}
