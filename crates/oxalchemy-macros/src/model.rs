//! `ModelDef`: a `#[derive(Model)]` input, analysed and checked, ready to expand.

use crate::errors::Errors;
use crate::field::{ColumnField, FieldKind, OtherField, ProxyField, RelationshipField, is_integer};
use crate::model_attr::ModelOptions;
use crate::naming::{ident_text, snake_case};
use proc_macro2::Ident;
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Path, Visibility};

/// Everything the expansion needs about one model.
pub(crate) struct ModelDef {
    /// The struct's name.
    pub(crate) ident: Ident,
    /// The struct's visibility (the generated constants use it).
    pub(crate) vis: Visibility,
    /// The declarative base.
    pub(crate) base: Path,
    /// The table name.
    pub(crate) table: String,
    /// The schema, if any.
    pub(crate) schema: Option<String>,
    /// The version counter column, if any.
    pub(crate) version_id: Option<String>,
    /// `#[model(default)]`: generate a `Default` that fills client-side defaults.
    pub(crate) default_impl: bool,
    /// The column fields, in declaration order.
    pub(crate) columns: Vec<ColumnField>,
    /// The relationship fields, in declaration order.
    pub(crate) relationships: Vec<RelationshipField>,
    /// Fields that are neither (set to `Default` on decode), proxies included.
    pub(crate) others: Vec<OtherField>,
    /// The association proxy fields, each `target` checked to name a relationship.
    pub(crate) proxies: Vec<ProxyField>,
}

impl ModelDef {
    /// Analyse a derive input; every mistake found is reported together.
    pub(crate) fn from_derive_input(input: &DeriveInput) -> syn::Result<ModelDef> {
        let mut errors = Errors::new();
        let ident = input.ident.clone();
        let model_name = ident_text(&ident);

        let named = match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(named) => Some(named),
                _ => None,
            },
            _ => None,
        };
        let Some(named) = named else {
            return Err(syn::Error::new(
                ident.span(),
                "#[derive(Model)] needs a struct with named fields",
            ));
        };
        if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
            errors.at(
                input.generics.span(),
                format!("#[derive(Model)] does not support generic parameters: `{model_name}` maps one table"),
            );
        }

        let options = ModelOptions::from_attrs(&input.attrs, &mut errors);
        // Parsed (the names are reserved) but not built yet: an error, never ignored.
        for (name, given) in [
            ("polymorphic_on", options.polymorphic_on.is_some()),
            (
                "polymorphic_identity",
                options.polymorphic_identity.is_some(),
            ),
            ("inherits", options.inherits.is_some()),
        ] {
            if given {
                errors.at(
                    ident.span(),
                    format!(
                        "#[model({name} = ..)] on `{model_name}`: table inheritance is not built \
                         yet; map each class to its own table with a relationship between them"
                    ),
                );
            }
        }
        if options.base.is_none() {
            let message = if options.present {
                format!(
                    "#[model(..)] of `{model_name}` needs `base = Base`, the declarative base declared with oxalchemy::declarative_base!(Base)"
                )
            } else {
                format!(
                    "model `{model_name}` needs #[model(base = Base)], naming the declarative base declared with oxalchemy::declarative_base!(Base)"
                )
            };
            let span = input
                .attrs
                .iter()
                .find(|a| a.path().is_ident("model"))
                .map_or(ident.span(), |a| a.path().span());
            errors.at(span, message);
        }

        let mut columns = Vec::new();
        let mut relationships = Vec::new();
        let mut others = Vec::new();
        let mut proxies = Vec::new();
        for field in &named.named {
            match FieldKind::from_field(field, &mut errors) {
                Some(FieldKind::Column(c)) => columns.push(c),
                Some(FieldKind::Relationship(r)) => relationships.push(r),
                Some(FieldKind::Proxy(p)) => {
                    others.push(OtherField {
                        ident: p.ident.clone(),
                    });
                    proxies.push(p);
                }
                Some(FieldKind::Other(o)) => others.push(o),
                None => {}
            }
        }
        crate::proxy_check::check_proxies(
            &model_name,
            &columns,
            &relationships,
            &proxies,
            &mut errors,
        );

        // A misspelled `primary_key` was already reported, with a suggestion.
        if !columns
            .iter()
            .any(|c| c.options.primary_key || c.options.meant_primary_key)
        {
            errors.at(
                ident.span(),
                format!("model `{model_name}` has no primary key: mark a field #[mapped_column(primary_key)]"),
            );
        }

        let mut seen: HashMap<&str, &ColumnField> = HashMap::new();
        for c in &columns {
            if let Some(first) = seen.insert(&c.column_name, c) {
                let span = c.options.name.as_ref().map_or(c.ident.span(), |n| n.span());
                errors.at(
                    span,
                    format!(
                        "fields `{}` and `{}` both map to column `{}`",
                        first.field_name, c.field_name, c.column_name
                    ),
                );
            }
        }

        let version_id = options.version_id.as_ref().and_then(|lit| {
            let wanted = lit.value();
            let column = columns
                .iter()
                .find(|c| c.column_name == wanted)
                .or_else(|| columns.iter().find(|c| c.field_name == wanted));
            match column {
                None => {
                    errors.at(
                        lit.span(),
                        format!("version_id = {wanted:?} names no column of `{model_name}`"),
                    );
                    None
                }
                Some(c) if !is_integer(&c.ty) || c.options.nullable == Some(true) => {
                    errors.at(
                        c.ty.span(),
                        format!("the version_id column `{}` must be a NOT NULL integer field (i32 or i64)", c.field_name),
                    );
                    None
                }
                Some(c) => Some(c.column_name.clone()),
            }
        });

        errors.finish()?;
        Ok(ModelDef {
            table: options
                .table
                .as_ref()
                .map_or_else(|| snake_case(&model_name), |t| t.value()),
            schema: options.schema.as_ref().map(|s| s.value()),
            base: options.base.expect("checked above"),
            version_id,
            default_impl: options.default_impl,
            ident,
            vis: input.vis.clone(),
            columns,
            relationships,
            others,
            proxies,
        })
    }

    /// The model's name as text.
    pub(crate) fn name(&self) -> String {
        ident_text(&self.ident)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors_of(input: DeriveInput) -> Vec<String> {
        match ModelDef::from_derive_input(&input) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn contract_user() {
        let def = ModelDef::from_derive_input(&parse_quote! {
            #[derive(Model, Debug, Clone, PartialEq, Default)]
            #[model(base = Base, table = "user_account")]
            pub struct User {
                #[mapped_column(primary_key)]
                pub id: i64,
                #[mapped_column(length = 30)]
                pub name: String,
                pub fullname: Option<String>,
                #[relationship(back_populates = "user", cascade = "all, delete-orphan")]
                pub addresses: Related<Vec<Address>>,
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.name(), "User");
        assert_eq!(def.table, "user_account");
        assert!(def.base.is_ident("Base"));
        let names: Vec<&str> = def.columns.iter().map(|c| c.column_name.as_str()).collect();
        assert_eq!(names, ["id", "name", "fullname"]);
        assert_eq!(def.relationships.len(), 1);
        assert_eq!(def.relationships[0].options.cascade(), "all, delete-orphan");
        assert!(def.others.is_empty());
    }

    #[test]
    fn default_table_name_is_snake_case() {
        let def = ModelDef::from_derive_input(&parse_quote! {
            #[model(base = Base)]
            struct OrderLine { #[mapped_column(primary_key)] id: i32 }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.table, "order_line");
        assert!(matches!(def.vis, Visibility::Inherited));
    }

    #[test]
    fn shapes_that_are_not_models() {
        let expected = ["#[derive(Model)] needs a struct with named fields"];
        assert_eq!(
            errors_of(parse_quote!(
                struct P(i64);
            )),
            expected
        );
        assert_eq!(
            errors_of(parse_quote!(
                struct U;
            )),
            expected
        );
        assert_eq!(
            errors_of(parse_quote!(
                enum E {
                    A,
                }
            )),
            expected
        );
        assert_eq!(
            errors_of(parse_quote!(
                #[model(base = B)]
                struct G<T> {
                    #[mapped_column(primary_key)]
                    id: T,
                }
            )),
            ["#[derive(Model)] does not support generic parameters: `G` maps one table"]
        );
    }

    #[test]
    fn several_errors_at_once() {
        let errors = errors_of(parse_quote! {
            #[model(table = "t")]
            struct User {
                id: i64,
                #[mapped_column(primery_key)]
                other: i64,
                #[mapped_column(foreign_key = "nodot")]
                fk: i64,
            }
        });
        assert_eq!(
            errors,
            [
                "#[model(..)] of `User` needs `base = Base`, the declarative base declared with oxalchemy::declarative_base!(Base)",
                "unknown mapped_column option `primery_key`; did you mean `primary_key`?",
                "foreign_key must be \"table.column\" (or \"schema.table.column\"), not \"nodot\"",
            ]
        );
    }

    #[test]
    fn missing_model_attribute() {
        let errors = errors_of(parse_quote!(
            struct User {
                #[mapped_column(primary_key)]
                id: i64,
            }
        ));
        assert_eq!(
            errors,
            [
                "model `User` needs #[model(base = Base)], naming the declarative base declared with oxalchemy::declarative_base!(Base)"
            ]
        );
    }

    #[test]
    fn duplicate_columns() {
        let errors = errors_of(parse_quote! {
            #[model(base = B)]
            struct T { #[mapped_column(primary_key)] id: i64, #[mapped_column(name = "id")] other: i64 }
        });
        assert_eq!(errors, ["fields `id` and `other` both map to column `id`"]);
    }

    #[test]
    fn version_id() {
        let def = ModelDef::from_derive_input(&parse_quote! {
            #[model(base = B, version_id = "version")]
            struct T { #[mapped_column(primary_key)] id: i64, #[mapped_column(name = "version")] v: i32 }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.version_id.as_deref(), Some("version"));
        let def = ModelDef::from_derive_input(&parse_quote! {
            #[model(base = B, version_id = "v")]
            struct T { #[mapped_column(primary_key)] id: i64, #[mapped_column(name = "ver")] v: i64 }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.version_id.as_deref(), Some("ver"));
        assert_eq!(
            errors_of(parse_quote! {
                #[model(base = B, version_id = "v")]
                struct T { #[mapped_column(primary_key)] id: i64, v: String }
            }),
            ["the version_id column `v` must be a NOT NULL integer field (i32 or i64)"]
        );
        assert_eq!(
            errors_of(parse_quote! {
                #[model(base = B, version_id = "nope")]
                struct T { #[mapped_column(primary_key)] id: i64 }
            }),
            ["version_id = \"nope\" names no column of `T`"]
        );
    }

    #[test]
    fn inheritance_options_are_errors_until_built() {
        let errors = errors_of(parse_quote! {
            #[model(base = Base, inherits = Employee, polymorphic_identity = "manager")]
            pub struct Manager { #[mapped_column(primary_key)] pub id: i64 }
        });
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|e| e.contains("table inheritance is not built yet"))
        );
    }
}
