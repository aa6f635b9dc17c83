//! The checks of an association proxy that need the whole model: `target`
//! names one of its relationships, and a `creator` goes with a collection;
//! and `attr` is a field name. (Which field of the target's model it names,
//! this derive cannot see: the generated accessor `&member.<attr>` is
//! checked by rustc.)

use crate::errors::Errors;
use crate::field::{ColumnField, ProxyField, RelationshipField};
use crate::naming::field_ident;
use crate::suggest;

/// Report every proxy whose `target` is not a relationship of the model, and
/// every `creator` on a proxy through a single object.
pub(crate) fn check_proxies(
    model: &str,
    columns: &[ColumnField],
    relationships: &[RelationshipField],
    proxies: &[ProxyField],
    errors: &mut Errors,
) {
    let names: Vec<&str> = relationships
        .iter()
        .map(|r| r.field_name.as_str())
        .collect();
    for p in proxies {
        if field_ident(&p.attr.value(), p.attr.span()).is_none() {
            errors.at(
                p.attr.span(),
                format!(
                    "association proxy `{}`: attr = {:?} is not a field name",
                    p.field_name,
                    p.attr.value()
                ),
            );
        }
        let target = p.target.value();
        match relationships.iter().find(|r| r.field_name == target) {
            Some(r) => {
                if let (Some(creator), false) = (&p.creator, r.uselist) {
                    errors.at(
                        syn::spanned::Spanned::span(creator),
                        format!(
                            "#[association_proxy(creator = ..)] on `{}`: `{target}` holds one object, and a creator appends to a collection; set `{model}.{target}` directly",
                            p.field_name
                        ),
                    );
                }
            }
            None if columns.iter().any(|c| c.field_name == target) => errors.at(
                p.target.span(),
                format!(
                    "association proxy `{}`: target = {target:?} is a column of `{model}`; it must name a relationship (a `Related<..>` field)",
                    p.field_name
                ),
            ),
            None => {
                let hint = match suggest::closest(&target, &names).as_slice() {
                    [] if names.is_empty() => format!("`{model}` has no relationship"),
                    [] => format!("its relationships: {}", names.join(", ")),
                    found => format!(
                        "did you mean {}?",
                        found
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                };
                errors.at(
                    p.target.span(),
                    format!(
                        "association proxy `{}`: target = {target:?} names no relationship of `{model}`; {hint}",
                        p.field_name
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::ModelDef;
    use syn::{DeriveInput, parse_quote};

    fn errors_of(input: DeriveInput) -> Vec<String> {
        match ModelDef::from_derive_input(&input) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_proxy_through_a_relationship_is_accepted() {
        let def = ModelDef::from_derive_input(&parse_quote! {
            #[model(base = Base)]
            struct User {
                #[mapped_column(primary_key)] id: i64,
                posts: Related<Vec<Post>>,
                #[association_proxy(target = "posts", attr = "tags", creator = make)]
                post_tags: AssociationProxy<Tag>,
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.proxies.len(), 1);
        assert_eq!(def.others.len(), 1, "decoded as its Default");
    }

    #[test]
    fn targets_must_be_relationships() {
        let errors = errors_of(parse_quote! {
            #[model(base = Base)]
            struct User {
                #[mapped_column(primary_key)] id: i64,
                name: String,
                posts: Related<Vec<Post>>,
                #[association_proxy(target = "post", attr = "tags")]
                a: AssociationProxy<Tag>,
                #[association_proxy(target = "name", attr = "x")]
                b: AssociationProxy<String>,
                #[association_proxy(target = "zzzzzz", attr = "x")]
                c: AssociationProxy<String>,
                #[association_proxy(target = "posts", attr = "two words")]
                d: AssociationProxy<String>,
            }
        });
        assert_eq!(
            errors,
            [
                "association proxy `a`: target = \"post\" names no relationship of `User`; did you mean `posts`?",
                "association proxy `b`: target = \"name\" is a column of `User`; it must name a relationship (a `Related<..>` field)",
                "association proxy `c`: target = \"zzzzzz\" names no relationship of `User`; its relationships: posts",
                "association proxy `d`: attr = \"two words\" is not a field name",
            ]
        );
    }

    #[test]
    fn a_creator_needs_a_collection() {
        let errors = errors_of(parse_quote! {
            #[model(base = Base)]
            struct Address {
                #[mapped_column(primary_key)] id: i64,
                user: Related<User>,
                #[association_proxy(target = "user", attr = "name", creator = make)]
                user_name: AssociationProxy<String>,
            }
        });
        assert_eq!(
            errors,
            [
                "#[association_proxy(creator = ..)] on `user_name`: `user` holds one object, and a creator appends to a collection; set `Address.user` directly"
            ]
        );
    }
}
