//! Code generation: a checked [`ModelDef`] becomes the `Model` and
//! `ResultShape` impls, the typed column constants, the entity constant and
//! the registration with the declarative base.
//!
//! Generated code names only `::oxalchemy::..` paths, never the ORM crates
//! directly (what only generated code needs at run time comes from
//! `::oxalchemy::__private`; the traits and types users see keep their
//! public paths), and has no type-level recursion over columns: each column is one
//! `ColumnMapping` in a static slice and one expression in `to_values` /
//! `from_values`, so compile time grows linearly with the model.

use crate::field::{ColumnField, RelationshipField};
use crate::model::ModelDef;
use crate::naming::const_name;
use crate::relationship_attr::cascade_flags;
use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// Everything `#[derive(Model)]` generates for `def`.
pub(crate) fn expand(def: &ModelDef) -> TokenStream {
    let model_impl = model_impl(def);
    let result_shape = result_shape_impl(def);
    let constants = constants(def);
    let entity = entity_constant(def);
    let registration = registration(def);
    let default_impl = default_impl(def);
    let proxies = crate::expand_proxy::expand_proxies(def);
    quote! {
        #model_impl
        #result_shape
        #constants
        #entity
        #registration
        #default_impl
        #proxies
    }
}

/// `#[model(default)]`: `impl Default` in which a column with
/// `mapped_column(default = expr)` holds `expr` (converted with `Into`, so a
/// default the field cannot hold is a compile error at the expression) and
/// every other field its own `Default`. It is how a non-`Option` field says
/// "the column's default", since the session writes an explicit value as
/// held (SQLAlchemy's dataclass mapping puts `default=` in `__init__` the
/// same way).
fn default_impl(def: &ModelDef) -> TokenStream {
    if !def.default_impl {
        return TokenStream::new();
    }
    let ident = &def.ident;
    let columns = def.columns.iter().map(|c| {
        let f = &c.ident;
        match &c.options.default {
            Some(expr) => quote_spanned!(expr.span()=> #f: ::core::convert::Into::into(#expr)),
            None => quote!(#f: ::core::default::Default::default()),
        }
    });
    let rest = def
        .relationships
        .iter()
        .map(|r| &r.ident)
        .chain(def.parent().map(|(_, p)| &p.ident))
        .chain(def.others.iter().map(|o| &o.ident))
        .map(|f| quote!(#f: ::core::default::Default::default()));
    quote! {
        impl ::core::default::Default for #ident {
            fn default() -> Self {
                #ident { #(#columns,)* #(#rest,)* }
            }
        }
    }
}

/// `<Ty as ::oxalchemy::orm::FieldType>`, spanned at the field's type so that
/// an unsupported type is reported there (by `FieldType`'s `on_unimplemented`).
fn field_type(c: &ColumnField) -> TokenStream {
    let ty = &c.ty;
    quote_spanned!(ty.span()=> <#ty as ::oxalchemy::orm::FieldType>)
}

fn opt_str(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

fn column_mapping(c: &ColumnField) -> TokenStream {
    let o = &c.options;
    let field = &c.field_name;
    let name = &c.column_name;
    let ft = field_type(c);
    let sql_type = match &o.sql_type {
        Some(expr) => quote_spanned! {expr.span()=>
            || -> ::oxalchemy::SqlType { ::core::convert::Into::<::oxalchemy::SqlType>::into(#expr) }
        },
        None => {
            let length = match o.length {
                Some(n) => quote!(::core::option::Option::Some(#n)),
                None => quote!(::core::option::Option::None),
            };
            quote!(|| #ft::sql_type(#length))
        }
    };
    let nullable = match o.nullable {
        Some(b) => quote!(#b),
        None => quote!(#ft::NULLABLE),
    };
    let primary_key = o.primary_key;
    let autoincrement = match o.autoincrement {
        Some(b) => quote!(::core::option::Option::Some(#b)),
        None => quote!(::core::option::Option::None),
    };
    let unique = o.unique;
    let index = o.index;
    let default = match &o.default {
        Some(expr) => quote_spanned! {expr.span()=>
            ::core::option::Option::Some(|| -> ::oxalchemy::Value { ::oxalchemy::Value::from(#expr) })
        },
        None => quote!(::core::option::Option::None),
    };
    let server_default = opt_str(
        o.server_default
            .as_ref()
            .filter(|_| !o.server_default_sql)
            .map(syn::LitStr::value),
    );
    let server_default_sql = opt_str(
        o.server_default
            .as_ref()
            .filter(|_| o.server_default_sql)
            .map(syn::LitStr::value),
    );
    let foreign_key = opt_str(o.foreign_key.as_ref().map(syn::LitStr::value));
    let ondelete = opt_str(o.ondelete.as_ref().map(syn::LitStr::value));
    let onupdate = opt_str(o.onupdate.as_ref().map(syn::LitStr::value));
    quote! {
        ::oxalchemy::__private::ColumnMapping {
            field: #field,
            name: #name,
            sql_type: #sql_type,
            nullable: #nullable,
            primary_key: #primary_key,
            autoincrement: #autoincrement,
            unique: #unique,
            index: #index,
            default: #default,
            server_default: #server_default,
            server_default_sql: #server_default_sql,
            foreign_key: #foreign_key,
            ondelete: #ondelete,
            onupdate: #onupdate,
        }
    }
}

/// The marker type of one relationship field, for its type-erased accessors.
fn relationship_marker_name(r: &RelationshipField) -> Ident {
    Ident::new(&format!("__OxalchemyRel_{}", r.field_name), r.ident.span())
}

/// A marker type implementing `RelationshipField` for one field (declared
/// inside `mapper()`, so it stays private to the model).
fn relationship_marker(owner: &Ident, r: &RelationshipField) -> TokenStream {
    let marker = relationship_marker_name(r);
    let f = &r.ident;
    let value = &r.value_ty;
    quote! {
        #[allow(non_camel_case_types)]
        struct #marker;
        impl ::oxalchemy::__private::RelationshipField for #marker {
            type Owner = #owner;
            type Value = #value;
            fn field(owner: &#owner) -> &::oxalchemy::orm::Related<#value> {
                &owner.#f
            }
            fn field_mut(owner: &mut #owner) -> &mut ::oxalchemy::orm::Related<#value> {
                &mut owner.#f
            }
        }
    }
}

fn relationship_mapping(r: &RelationshipField) -> TokenStream {
    let marker = relationship_marker_name(r);
    let o = &r.options;
    let field = &r.field_name;
    let target = &r.target;
    let target_mapper =
        quote_spanned!(target.span()=> <#target as ::oxalchemy::orm::Model>::mapper);
    let uselist = r.uselist;
    let back_populates = opt_str(o.back_populates.as_ref().map(syn::LitStr::value));
    let secondary = opt_str(o.secondary.as_ref().map(syn::LitStr::value));
    let foreign_keys: Vec<String> = o.foreign_keys.iter().map(syn::LitStr::value).collect();
    let primaryjoin = opt_str(o.primaryjoin.as_ref().map(syn::LitStr::value));
    let order_by = o.order_by_terms.iter().map(
        |(column, desc)| quote!(::oxalchemy::__private::OrderBy { column: #column, desc: #desc }),
    );
    let [
        save_update,
        merge,
        delete,
        delete_orphan,
        refresh_expire,
        expunge,
    ] = cascade_flags(o.cascade());
    let cascade = quote! {
        ::oxalchemy::__private::Cascade {
            save_update: #save_update,
            merge: #merge,
            delete: #delete,
            delete_orphan: #delete_orphan,
            refresh_expire: #refresh_expire,
            expunge: #expunge,
        }
    };
    let passive_deletes = o.passive_deletes;
    let lazy = Ident::new(
        match o.lazy() {
            "selectin" => "Selectin",
            "joined" => "Joined",
            "subquery" => "Subquery",
            "raise" => "Raise",
            _ => "Select",
        },
        proc_macro2::Span::call_site(),
    );
    quote! {
        ::oxalchemy::__private::RelationshipMapping {
            field: #field,
            target: #target_mapper,
            uselist: #uselist,
            back_populates: #back_populates,
            secondary: #secondary,
            foreign_keys: &[#(#foreign_keys),*],
            primaryjoin: #primaryjoin,
            order_by: &[#(#order_by),*],
            cascade: #cascade,
            passive_deletes: #passive_deletes,
            lazy: ::oxalchemy::__private::Lazy::#lazy,
            access: ::oxalchemy::__private::RelationshipAccess::of::<#marker>(),
        }
    }
}

/// The column SQLAlchemy's autoincrement rule would pick (Core's
/// `Table::autoincrement_column`): the primary-key column marked
/// `autoincrement = true`, else the single primary-key column that is not
/// marked `autoincrement = false` and has no foreign key. Its SQL type
/// (known at run time) must also be an integer unless it was marked; the
/// configure step checks that.
fn autoincrement_candidate(def: &ModelDef) -> Option<usize> {
    let keys: Vec<(usize, &ColumnField)> = def
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.options.primary_key)
        .collect();
    if let Some((i, _)) = keys
        .iter()
        .find(|(_, c)| c.options.autoincrement == Some(true))
    {
        return Some(*i);
    }
    match keys.as_slice() {
        [(i, c)] if c.options.autoincrement.is_none() && c.options.foreign_key.is_none() => {
            Some(*i)
        }
        _ => None,
    }
}

fn model_impl(def: &ModelDef) -> TokenStream {
    let ident = &def.ident;
    let base = &def.base;
    let model = def.name();
    let table = &def.table;
    let schema = opt_str(def.schema.clone());
    let version_id = opt_str(def.version_id.clone());
    let own_width = def.columns.len();
    let parent = def.parent();
    // Own columns of a subclass follow its parent's in mapper order.
    let offset = match parent {
        Some((p, _)) => quote!(<#p as ::oxalchemy::__private::Inheritable>::COLUMNS.len()),
        None => quote!(0usize),
    };
    let validators = crate::expand_validate::validators(ident, table, &def.columns, &offset);

    let keys: Vec<&syn::Type> = def
        .columns
        .iter()
        .filter(|c| c.options.primary_key)
        .map(|c| &c.ty)
        .collect();
    let primary_key = match (parent, keys.as_slice()) {
        (Some((p, _)), _) => quote!(<#p as ::oxalchemy::orm::Model>::PrimaryKey),
        (None, [one]) => quote!(#one),
        (None, many) => quote!((#(#many,)*)),
    };

    let columns: Vec<TokenStream> = def.columns.iter().map(column_mapping).collect();
    let relationships = def.relationships.iter().map(relationship_mapping);
    let key_positions: Vec<usize> = def
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.options.primary_key)
        .map(|(i, _)| i)
        .collect();
    let autoincrement = match autoincrement_candidate(def) {
        Some(i) => quote!(::core::option::Option::Some(#i)),
        None => quote!(::core::option::Option::None),
    };
    let markers = def
        .relationships
        .iter()
        .map(|r| relationship_marker(ident, r));
    let set_columns = def.columns.iter().map(|c| {
        let f = &c.ident;
        let ft = field_type(c);
        let label = format!("{table}.{}", c.column_name);
        quote! {
            self.#f = match #ft::from_value(
                __oxalchemy_values.next().unwrap_or(::oxalchemy::Value::Null),
            ) {
                ::core::result::Result::Ok(value) => value,
                ::core::result::Result::Err(mismatch) => {
                    return ::core::result::Result::Err(
                        ::oxalchemy::__private::decode_error(mismatch, ::std::string::String::from(#label)),
                    );
                }
            };
        }
    });

    let to_values: Vec<TokenStream> = def
        .columns
        .iter()
        .map(|c| {
            let f = &c.ident;
            let ft = field_type(c);
            quote!(#ft::to_value(&self.#f))
        })
        .collect();

    // In mapper order, as `Mapper::primary_key_positions`.
    let key_values: Vec<TokenStream> = def
        .columns
        .iter()
        .filter(|c| c.options.primary_key)
        .map(|c| {
            let f = &c.ident;
            let ft = field_type(c);
            quote!(#ft::to_value(&self.#f))
        })
        .collect();

    let decode_columns = def.columns.iter().map(|c| {
        let f = &c.ident;
        let ft = field_type(c);
        let label = format!("{table}.{}", c.column_name);
        quote! {
            #f: match #ft::from_value(
                __oxalchemy_values.next().unwrap_or(::oxalchemy::Value::Null),
            ) {
                ::core::result::Result::Ok(value) => value,
                ::core::result::Result::Err(mismatch) => {
                    return ::core::result::Result::Err(
                        ::oxalchemy::__private::decode_error(mismatch, ::std::string::String::from(#label)),
                    );
                }
            }
        }
    });
    let not_loaded = def.relationships.iter().map(|r| {
        let f = &r.ident;
        let label = format!("{model}.{}", r.field_name);
        quote!(#f: ::oxalchemy::orm::Related::not_loaded(#label))
    });
    let others = def.others.iter().map(|o| {
        let f = &o.ident;
        quote!(#f: ::core::default::Default::default())
    });

    let hierarchy = def.inheritance.is_some();
    let inheritable_t = quote!(<#ident as ::oxalchemy::__private::Inheritable>);
    // The facts a hierarchy member shares with its subclasses live in its
    // `Inheritable` impl; the mapper reads them from there.
    let (table_expr, schema_expr, columns_expr, primary_key_expr, autoincrement_expr, version_expr) =
        if hierarchy {
            (
                quote!(#inheritable_t::TABLE),
                quote!(#inheritable_t::SCHEMA),
                quote!(#inheritable_t::COLUMNS),
                quote!(#inheritable_t::PRIMARY_KEY),
                quote!(#inheritable_t::AUTOINCREMENT),
                quote!(#inheritable_t::VERSION_ID),
            )
        } else {
            (
                quote!(#table),
                schema.clone(),
                quote!(&[#(#columns),*]),
                quote!(&[#(#key_positions),*]),
                autoincrement.clone(),
                version_id.clone(),
            )
        };
    let single_table_subclass = def
        .inheritance
        .as_ref()
        .is_some_and(|i| i.parent.is_some() && !i.joined);
    let table_fn = match parent {
        Some((p, _)) if single_table_subclass => quote!(<#p as ::oxalchemy::orm::Model>::table),
        _ => quote!(<#ident as ::oxalchemy::orm::Model>::table),
    };
    let table_body = match parent {
        Some((p, _)) if single_table_subclass => {
            quote!(<#p as ::oxalchemy::orm::Model>::table())
        }
        _ => quote! {
            static TABLE: ::oxalchemy::__private::OnceLock<::oxalchemy::Table> =
                ::oxalchemy::__private::OnceLock::new();
            // Never a panic: a table the mapper cannot build is reported
            // by the configure step (`Mapper::configured`).
            TABLE.get_or_init(|| <#ident as ::oxalchemy::orm::Model>::mapper().model_table())
        },
    };
    let inheritance_expr = match &def.inheritance {
        None => quote!(::core::option::Option::None),
        Some(inh) => {
            let parent_fn = match parent {
                Some((p, _)) => {
                    quote!(::core::option::Option::Some(<#p as ::oxalchemy::orm::Model>::mapper))
                }
                None => quote!(::core::option::Option::None),
            };
            let polymorphic_on = opt_str(inh.polymorphic_on.clone());
            let identity = match &inh.identity {
                Some(expr) => quote_spanned! {expr.span()=>
                    ::core::option::Option::Some(|| -> ::oxalchemy::Value { ::oxalchemy::Value::from(#expr) })
                },
                None => quote!(::core::option::Option::None),
            };
            let joined = inh.joined;
            let (parent_ref, parent_mut) = match parent {
                Some((p, pf)) => {
                    let f = &pf.ident;
                    (
                        quote! {
                            ::core::option::Option::Some(|any: &dyn ::core::any::Any| {
                                any.downcast_ref::<#ident>().map(|v| {
                                    &v.#f as &dyn ::oxalchemy::orm::AnyModel
                                })
                            })
                        },
                        quote! {
                            ::core::option::Option::Some(|any: &mut dyn ::core::any::Any| {
                                any.downcast_mut::<#ident>().map(|v| {
                                    let _: &#p = &v.#f;
                                    &mut v.#f as &mut dyn ::oxalchemy::orm::AnyModel
                                })
                            })
                        },
                    )
                }
                None => (
                    quote!(::core::option::Option::None),
                    quote!(::core::option::Option::None),
                ),
            };
            quote! {
                ::core::option::Option::Some(&::oxalchemy::__private::Inheritance {
                    parent: #parent_fn,
                    polymorphic_on: #polymorphic_on,
                    identity: #identity,
                    parent_width: #offset,
                    joined: #joined,
                    polymorphic: ::core::option::Option::None,
                    parent_ref: #parent_ref,
                    parent_mut: #parent_mut,
                })
            }
        }
    };
    let inheritable = match (&def.inheritance, parent) {
        (None, _) => TokenStream::new(),
        (Some(_), None) => quote! {
            impl ::oxalchemy::__private::Inheritable for #ident {
                const COLUMNS: &'static [::oxalchemy::__private::ColumnMapping] = &[#(#columns),*];
                const PRIMARY_KEY: &'static [usize] = &[#(#key_positions),*];
                const AUTOINCREMENT: ::core::option::Option<usize> = #autoincrement;
                const VERSION_ID: ::core::option::Option<&'static str> = #version_id;
                const TABLE: &'static str = #table;
                const SCHEMA: ::core::option::Option<&'static str> = #schema;
                type Base = #ident;
                fn base(&self) -> &#ident {
                    self
                }
            }
        },
        (Some(_), Some((p, pf))) => {
            let parent_field = &pf.ident;
            let pt = quote_spanned!(p.span()=> <#p as ::oxalchemy::__private::Inheritable>);
            // Spanned at `inherits = Parent`, as every use of the parent's facts.
            let parent_base = quote_spanned!(p.span()=> #pt::base(&self.#parent_field));
            let (t, sch) = if single_table_subclass {
                (quote!(#pt::TABLE), quote!(#pt::SCHEMA))
            } else {
                (quote!(#table), schema.clone())
            };
            quote! {
                impl ::oxalchemy::__private::Inheritable for #ident {
                    const COLUMNS: &'static [::oxalchemy::__private::ColumnMapping] =
                        &::oxalchemy::__private::concat_columns::<{ #pt::COLUMNS.len() + #own_width }>(
                            #pt::COLUMNS,
                            &[#(#columns),*],
                        );
                    const PRIMARY_KEY: &'static [usize] = #pt::PRIMARY_KEY;
                    const AUTOINCREMENT: ::core::option::Option<usize> = #pt::AUTOINCREMENT;
                    const VERSION_ID: ::core::option::Option<&'static str> = #pt::VERSION_ID;
                    const TABLE: &'static str = #t;
                    const SCHEMA: ::core::option::Option<&'static str> = #sch;
                    type Base = #pt::Base;
                    fn base(&self) -> &Self::Base {
                        #parent_base
                    }
                }
            }
        }
    };

    let width = if hierarchy {
        quote!(#inheritable_t::COLUMNS.len())
    } else {
        quote!(#own_width)
    };
    // A subclass: the parent's values first, then its own.
    let (to_values_body, key_body, push_key_body, from_values_body, set_values_body) = match parent
    {
        Some((p, pf)) => {
            let pfi = &pf.ident;
            let pty = &pf.ty;
            (
                quote! {
                    let mut __oxalchemy_out = <#p as ::oxalchemy::orm::Model>::to_values(&self.#pfi);
                    __oxalchemy_out.reserve(#own_width);
                    #(__oxalchemy_out.push(#to_values);)*
                    __oxalchemy_out
                },
                quote!(<#p as ::oxalchemy::orm::Model>::primary_key_values(&self.#pfi)),
                quote!(<#p as ::oxalchemy::orm::Model>::push_key_values(&self.#pfi, out)),
                quote! {
                    let mut values = values;
                    let __oxalchemy_own = values.split_off(#offset);
                    let __oxalchemy_parent: #pty = <#p as ::oxalchemy::orm::Model>::from_values(values)?;
                    let mut __oxalchemy_values = __oxalchemy_own.into_iter();
                    ::core::result::Result::Ok(#ident {
                        #pfi: __oxalchemy_parent,
                        #(#decode_columns,)*
                        #(#not_loaded,)*
                        #(#others,)*
                    })
                },
                quote! {
                    let mut values = values;
                    let __oxalchemy_own = values.split_off(#offset);
                    <#p as ::oxalchemy::orm::Model>::set_values(&mut self.#pfi, values)?;
                    let mut __oxalchemy_values = __oxalchemy_own.into_iter();
                    #(#set_columns)*
                    ::core::result::Result::Ok(())
                },
            )
        }
        None => (
            quote!(::std::vec![#(#to_values),*]),
            quote!(::std::vec![#(#key_values),*]),
            quote!(#(out.push(#key_values);)*),
            quote! {
                let mut __oxalchemy_values = values.into_iter();
                ::core::result::Result::Ok(#ident {
                    #(#decode_columns,)*
                    #(#not_loaded,)*
                    #(#others,)*
                })
            },
            quote! {
                let mut __oxalchemy_values = values.into_iter();
                #(#set_columns)*
                ::core::result::Result::Ok(())
            },
        ),
    };

    quote! {
        impl ::oxalchemy::orm::Model for #ident {
            type PrimaryKey = #primary_key;

            fn mapper() -> &'static ::oxalchemy::__private::Mapper {
                #(#markers)*
                static MAPPER: ::oxalchemy::__private::Mapper = ::oxalchemy::__private::Mapper {
                    model: #model,
                    table: #table_expr,
                    schema: #schema_expr,
                    columns: #columns_expr,
                    relationships: &[#(#relationships),*],
                    primary_key: #primary_key_expr,
                    autoincrement: #autoincrement_expr,
                    version_id: #version_expr,
                    table_fn: #table_fn,
                    base_metadata: ::oxalchemy::__private::metadata_for::<#base>,
                    validators: #validators,
                    from_values_boxed: ::oxalchemy::__private::boxed_from_values::<#ident>,
                    inheritance: #inheritance_expr,
                    state: ::oxalchemy::__private::OnceLock::new(),
                };
                &MAPPER
            }

            fn table() -> &'static ::oxalchemy::Table {
                #table_body
            }

            fn to_values(&self) -> ::std::vec::Vec<::oxalchemy::Value> {
                #to_values_body
            }

            fn primary_key_values(&self) -> ::std::vec::Vec<::oxalchemy::Value> {
                #key_body
            }

            fn push_key_values(&self, out: &mut ::std::vec::Vec<::oxalchemy::Value>) {
                #push_key_body
            }

            fn from_values(
                values: ::std::vec::Vec<::oxalchemy::Value>,
            ) -> ::oxalchemy::Result<Self> {
                if values.len() != #width {
                    return ::core::result::Result::Err(::oxalchemy::Error::invalid_request(
                        ::std::format!(
                            "{} has {} columns but {} values were given",
                            #model, #width, values.len()
                        ),
                    ));
                }
                #from_values_body
            }

            fn set_values(
                &mut self,
                values: ::std::vec::Vec<::oxalchemy::Value>,
            ) -> ::oxalchemy::Result<()> {
                if values.len() != #width {
                    return ::core::result::Result::Err(::oxalchemy::Error::invalid_request(
                        ::std::format!(
                            "{} has {} columns but {} values were given",
                            #model, #width, values.len()
                        ),
                    ));
                }
                #set_values_body
            }
        }
        #inheritable
    }
}

fn result_shape_impl(def: &ModelDef) -> TokenStream {
    let ident = &def.ident;
    let own_width = def.columns.len();
    let width = if def.inheritance.is_some() {
        quote!(<#ident as ::oxalchemy::__private::Inheritable>::COLUMNS.len())
    } else {
        quote!(#own_width)
    };
    quote! {
        impl ::oxalchemy::orm::ResultShape for #ident {
            fn width() -> usize {
                #width
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
                out.push(self);
            }
            fn entities(
                offset: usize,
                out: &mut ::std::vec::Vec<(usize, &'static ::oxalchemy::__private::Mapper)>,
            ) {
                out.push((offset, <#ident as ::oxalchemy::orm::Model>::mapper()));
            }
        }
    }
}

fn constants(def: &ModelDef) -> TokenStream {
    let ident = &def.ident;
    let vis = &def.vis;
    let model = def.name();
    let table = &def.table;
    let columns = def.columns.iter().map(|c| {
        let konst = Ident::new(&const_name(&c.field_name), c.ident.span());
        let ty = &c.ty;
        let name = &c.column_name;
        let doc = format!("The `{table}.{name}` column, typed: `{model}::{konst}.eq(..)`.");
        quote! {
            #[doc = #doc]
            #vis const #konst: ::oxalchemy::Column<#ident, #ty> =
                ::oxalchemy::Column::of_model(<#ident as ::oxalchemy::orm::Model>::table, #name);
        }
    });
    let relationships = def.relationships.iter().map(|r| {
        let konst = Ident::new(&const_name(&r.field_name), r.ident.span());
        let ty = &r.value_ty;
        let field = &r.field_name;
        let doc = format!("The `{model}.{field}` relationship, for loader options and joins.");
        quote! {
            #[doc = #doc]
            #vis const #konst: ::oxalchemy::orm::Rel<#ident, #ty> =
                ::oxalchemy::orm::Rel::new(#field);
        }
    });
    quote! {
        #[allow(dead_code)]
        impl #ident {
            #(#columns)*
            #(#relationships)*
        }
    }
}

fn entity_constant(def: &ModelDef) -> TokenStream {
    let ident = &def.ident;
    let vis = &def.vis;
    let doc = format!(
        "The `{0}` entity, as a value: `select({0})` selects every column of the model.",
        def.name()
    );
    quote! {
        #[doc = #doc]
        #[allow(non_upper_case_globals, dead_code)]
        #vis const #ident: ::oxalchemy::orm::Entity<#ident> = ::oxalchemy::orm::Entity::new();
    }
}

/// The link-time registration with the base. `Base` appears only inside the
/// closure's body, never in a signature, so a private base may declare public models.
fn registration(def: &ModelDef) -> TokenStream {
    let ident = &def.ident;
    let base = &def.base;
    quote! {
        ::oxalchemy::__private::inventory::submit! {
            ::oxalchemy::__private::ModelRegistration {
                base: || ::std::any::TypeId::of::<#base>(),
                table: <#ident as ::oxalchemy::orm::Model>::table,
                mapper: <#ident as ::oxalchemy::orm::Model>::mapper,
            }
        }
    }
}
