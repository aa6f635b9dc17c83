//! `ModelDef`: a `#[derive(Model)]` input, analysed and checked, ready to expand.

use crate::errors::Errors;
use crate::field::{
    ColumnField, FieldKind, OtherField, ParentField, ProxyField, RelationshipField, is_integer,
};
use crate::model_attr::ModelOptions;
use crate::naming::{ident_text, snake_case};
use proc_macro2::Ident;
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Fields, Path, Visibility};

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
    /// Table inheritance, if the model takes part in a hierarchy.
    pub(crate) inheritance: Option<InheritanceDef>,
}

/// A model's place in an inheritance hierarchy.
pub(crate) struct InheritanceDef {
    /// `inherits = Parent` and the `#[parent]` field holding it.
    pub(crate) parent: Option<(Path, ParentField)>,
    /// `polymorphic_on = "column"` (the base only).
    pub(crate) polymorphic_on: Option<String>,
    /// `polymorphic_identity = ..`.
    pub(crate) identity: Option<Expr>,
    /// A subclass with `table = ".."`: joined-table inheritance.
    pub(crate) joined: bool,
}

impl ModelDef {
    /// The subclass's parent model and `#[parent]` field.
    pub(crate) fn parent(&self) -> Option<&(Path, ParentField)> {
        self.inheritance.as_ref().and_then(|i| i.parent.as_ref())
    }
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
        let mut parents: Vec<ParentField> = Vec::new();
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
                Some(FieldKind::Parent(p)) => parents.push(p),
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

        let inheritance = check_inheritance(
            &model_name,
            &ident,
            &options,
            parents,
            &columns,
            &mut errors,
        );
        // A subclass's key is its parent's (also when its #[parent] is missing:
        // that error is reported above).
        let subclass = options.inherits.is_some();

        // A misspelled `primary_key` was already reported, with a suggestion.
        // A subclass's key is its parent's.
        if !subclass
            && !columns
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
            inheritance,
        })
    }

    /// The model's name as text.
    pub(crate) fn name(&self) -> String {
        ident_text(&self.ident)
    }
}

/// Check the inheritance options and `#[parent]` fields of a model.
fn check_inheritance(
    model_name: &str,
    ident: &Ident,
    options: &ModelOptions,
    mut parents: Vec<ParentField>,
    columns: &[ColumnField],
    errors: &mut Errors,
) -> Option<InheritanceDef> {
    let span = ident.span();
    if parents.len() > 1 {
        errors.at(
            parents[1].ident.span(),
            format!(
                "`{model_name}` has several #[parent] fields; a model inherits from one parent"
            ),
        );
    }
    let parent_field = if parents.is_empty() {
        None
    } else {
        Some(parents.remove(0))
    };
    match (&options.inherits, parent_field) {
        (Some(_), None) => {
            errors.at(
                span,
                format!(
                    "`{model_name}` inherits from a parent but has no #[parent] field: add `#[parent] pub parent: Parent` holding the inherited columns"
                ),
            );
            None
        }
        (None, Some(p)) => {
            errors.at(
                p.ident.span(),
                format!(
                    "#[parent] on `{}` needs #[model(inherits = Parent)] on `{model_name}`",
                    crate::naming::ident_text(&p.ident)
                ),
            );
            None
        }
        (Some(parent), Some(p)) => {
            if let Some(on) = &options.polymorphic_on {
                errors.at(
                    on.span(),
                    format!(
                        "polymorphic_on on `{model_name}`, a subclass: the discriminator is declared once, on the base of the hierarchy"
                    ),
                );
            }
            if let Some(v) = &options.version_id {
                errors.at(
                    v.span(),
                    format!("version_id on `{model_name}`, a subclass: the version counter is the base's"),
                );
            }
            if options.schema.is_some() && options.table.is_none() {
                errors.at(
                    span,
                    format!("schema on `{model_name}`, a single-table subclass: it maps its parent's table"),
                );
            }
            for c in columns.iter().filter(|c| c.options.primary_key) {
                errors.at(
                    c.ident.span(),
                    format!(
                        "`{}` of `{model_name}` is marked primary_key, but a subclass's key is its parent's (a joined table gets the parent's key columns by itself)",
                        c.field_name
                    ),
                );
            }
            Some(InheritanceDef {
                parent: Some((parent.clone(), p)),
                polymorphic_on: None,
                identity: options.polymorphic_identity.clone(),
                joined: options.table.is_some(),
            })
        }
        (None, None) => match (&options.polymorphic_on, &options.polymorphic_identity) {
            (None, None) => None,
            (None, Some(_)) => {
                errors.at(
                    span,
                    format!(
                        "polymorphic_identity on `{model_name}`, which neither inherits from a model nor has polymorphic_on: give the base of the hierarchy polymorphic_on = \"column\""
                    ),
                );
                None
            }
            (Some(on), identity) => {
                let wanted = on.value();
                if !columns
                    .iter()
                    .any(|c| c.column_name == wanted || c.field_name == wanted)
                {
                    errors.at(
                        on.span(),
                        format!("polymorphic_on = {wanted:?} names no column of `{model_name}`"),
                    );
                }
                let column = columns
                    .iter()
                    .find(|c| c.column_name == wanted || c.field_name == wanted)
                    .map_or(wanted, |c| c.column_name.clone());
                Some(InheritanceDef {
                    parent: None,
                    polymorphic_on: Some(column),
                    identity: identity.clone(),
                    joined: false,
                })
            }
        },
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
    fn inheritance_options() {
        let def = ModelDef::from_derive_input(&parse_quote! {
            #[model(base = Base, inherits = Employee, polymorphic_identity = "manager")]
            pub struct Manager { #[parent] pub employee: Employee, pub data: Option<String> }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let inh = def.inheritance.as_ref().unwrap();
        assert!(!inh.joined);
        assert!(def.parent().unwrap().0.is_ident("Employee"));
        let def = ModelDef::from_derive_input(&parse_quote! {
            #[model(base = Base, table = "employee", polymorphic_on = "kind")]
            pub struct Employee { #[mapped_column(primary_key)] pub id: i64, pub kind: String }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            def.inheritance.unwrap().polymorphic_on.as_deref(),
            Some("kind")
        );
    }

    #[test]
    fn inheritance_mistakes() {
        let errors = errors_of(parse_quote! {
            #[model(base = Base, inherits = Employee, polymorphic_identity = "manager")]
            pub struct Manager { #[mapped_column(primary_key)] pub id: i64 }
        });
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("has no #[parent] field"), "{errors:?}");
        let errors = errors_of(parse_quote! {
            #[model(base = Base, polymorphic_identity = "x")]
            pub struct Plain { #[mapped_column(primary_key)] pub id: i64 }
        });
        assert!(errors[0].contains("neither inherits"), "{errors:?}");
        let errors = errors_of(parse_quote! {
            #[model(base = Base, polymorphic_on = "type")]
            pub struct Plain { #[mapped_column(primary_key)] pub id: i64 }
        });
        assert_eq!(
            errors,
            ["polymorphic_on = \"type\" names no column of `Plain`"]
        );
        let errors = errors_of(parse_quote! {
            #[model(base = Base)]
            pub struct Orphan { #[parent] pub e: Employee }
        });
        assert_eq!(
            errors[0],
            "#[parent] on `e` needs #[model(inherits = Parent)] on `Orphan`"
        );
    }
}
