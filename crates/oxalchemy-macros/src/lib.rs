//! oxalchemy's proc macros. Use them through the facade: `use oxalchemy::prelude::*;`
//! brings `#[derive(Model)]` (the derive and the `Model` trait share the name,
//! in different namespaces, as serde's `Serialize` does).
//!
//! The crate is thin: each macro parses its input with `syn`, analyses it into
//! a checked definition (plain functions, unit-tested here), and expands that
//! into code that names only `::oxalchemy::..` paths.
//!
//! ```ignore
//! use oxalchemy::prelude::*;
//!
//! oxalchemy::declarative_base!(Base);
//!
//! #[derive(Model, Debug, Clone, PartialEq, Default)]
//! #[model(base = Base, table = "user_account")]
//! pub struct User {
//!     #[mapped_column(primary_key)]
//!     pub id: i64,
//!     #[mapped_column(length = 30)]
//!     pub name: String,
//!     pub fullname: Option<String>,
//!     #[relationship(back_populates = "user", cascade = "all, delete-orphan")]
//!     pub addresses: Related<Vec<Address>>,
//! }
//! # #[derive(Model, Debug, Clone, PartialEq, Default)]
//! # #[model(base = Base)]
//! # pub struct Address { #[mapped_column(primary_key)] pub id: i64 }
//!
//! let stmt = select(User).filter(User::NAME.eq("sandy"));
//! ```

mod association_proxy_attr;
mod attr_value;
mod column_attr;
mod errors;
mod expand;
mod expand_proxy;
mod expand_validate;
mod field;
mod hybrid_attr;
mod hybrid_translate;
mod model;
mod model_attr;
mod naming;
mod polymorphic;
mod proxy_check;
mod relationship_attr;
mod suggest;

use proc_macro::TokenStream;

/// `#[derive(Model)]`: map a struct with named fields to a table.
///
/// Generates, for a struct `User`:
///
/// - `impl oxalchemy::orm::Model for User` (its `Mapper`, its Core `Table`,
///   `to_values` / `from_values` in field order) and `impl ResultShape`;
/// - one typed constant per column, `User::NAME: Column<User, String>`, and per
///   relationship, `User::ADDRESSES: Rel<User, Vec<Address>>`;
/// - the entity constant `User` in the value namespace, so `select(User)` works;
/// - the registration of the model with its declarative base, so
///   `Base::metadata()` holds its table before any model is touched.
///
/// Attributes:
///
/// - `#[model(base = Base, table = "..", schema = "..", version_id = "column", default)]`
///   (`base` is required; `table` defaults to the struct name in snake_case;
///   `default` generates `impl Default` in which each column with
///   `mapped_column(default = expr)` holds `expr`, instead of deriving `Default`;
///   `polymorphic_on = "column"` and `polymorphic_identity = value` on the
///   base of a hierarchy, `inherits = Parent` and `polymorphic_identity` on a
///   subclass, whose `#[parent]` field holds the parent's value: table
///   inheritance, single-table without `table`, joined-table with it; see
///   the guide's inheritance chapter);
/// - `#[mapped_column(primary_key, autoincrement = bool, name = "..", sql_type = expr,
///   length = N, nullable = bool, unique, index, default = expr, server_default = "..", server_default_sql = "..",
///   foreign_key = "table.column", ondelete = "..", onupdate = "..")]`;
/// - `#[relationship(back_populates = "..", secondary = "..", foreign_keys = "..",
///   primaryjoin = "..", order_by = "..", cascade = "..", passive_deletes,
///   lazy = "select" | "selectin" | "joined" | "raise" | "subquery", uselist = bool)]`
///   on `Related<T>` / `Related<Vec<T>>` fields (which are relationships even
///   without the attribute);
/// - `#[association_proxy(target = "relationship", attr = "field", creator = path::to_fn)]`
///   on an `AssociationProxy<T>` field (not a column): generates
///   `user.<field>()` (`Result<Vec<&T>>`, the `attr` of each object of
///   `target`, flattened), the constant `User::<FIELD>` (`.any(..)`,
///   `.has(..)`, `.contains(&value)` in SQL; `selectinload(User::<FIELD>)`),
///   and, with `creator` (a `fn(T) -> Intermediate`), `user.push_<field>(value)`.
///   See `docs/association_proxies.md`.
///
/// Mistakes are compile errors at the offending token: a missing primary key,
/// an unsupported field type, an unknown or misspelled option (with a
/// suggestion), a malformed `foreign_key`, a missing `base`.
#[proc_macro_derive(
    Model,
    attributes(model, mapped_column, relationship, association_proxy, parent)
)]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive_model_tokens(&input).into()
}

/// `#[derive(Polymorphic)]` on an enum with one variant per class of an
/// inheritance hierarchy, the base first:
///
/// ```ignore
/// #[derive(Polymorphic, Debug, Clone)]
/// pub enum AnyEmployee { Employee(Employee), Manager(Manager), Engineer(Engineer) }
/// let all: Vec<AnyEmployee> = session.scalars(select(AnyEmployee)).all().await?;
/// ```
///
/// It implements `Model` (so `select`, `get`, `add`, `save` and `delete`
/// take the enum; the session stores each object as its own class) and
/// defines the entity constant. Each row comes back as the variant its
/// discriminator names; joined tables are read with LEFT OUTER JOINs. A
/// mapped class of the hierarchy without a variant is a configuration
/// error. See `docs/inheritance.md`.
#[proc_macro_derive(Polymorphic)]
pub fn derive_polymorphic(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    match polymorphic::PolymorphicDef::from_derive_input(&input) {
        Ok(def) => polymorphic::expand(&def).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `#[hybrids]` on an inherent impl block of a model: each method marked
/// `#[hybrid]` keeps its body for the Rust side and gets its SQL side from the
/// same body, an upper-case associated constant.
///
/// ```ignore
/// #[hybrids]
/// impl Employee {
///     #[hybrid]
///     pub fn full_name(&self) -> String { format!("{} {}", self.first_name, self.last_name) }
///     #[hybrid]
///     pub fn earns_more_than(&self, amount: i64) -> bool { self.salary > amount }
/// }
/// // Employee::FULL_NAME: Hybrid<Employee, String>
/// // Employee::EARNS_MORE_THAN: fn(i64) -> Expr<bool>
/// let stmt = select(Employee).filter(Employee::FULL_NAME.eq("Ada Lovelace"));
/// ```
///
/// The translated subset and the per-backend SQL are in `docs/hybrids.md`; a
/// body outside it is a compile error at the unsupported expression, which
/// suggests `#[hybrid(expr = path::to_fn)]` to give the SQL side by hand.
#[proc_macro_attribute]
pub fn hybrids(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(input as syn::ItemImpl);
    hybrid_attr::expand(args.into(), item).into()
}

/// `#[hybrid]` marks a method of a `#[hybrids] impl` block; `#[hybrids]`
/// consumes it. Used anywhere else it is a compile error saying so.
#[proc_macro_attribute]
pub fn hybrid(_args: TokenStream, input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let error = syn::Error::new(
        proc_macro2::Span::call_site(),
        "#[hybrid] methods go in an impl block marked #[hybrids]: `#[hybrids] impl Employee { #[hybrid] fn .. }`",
    )
    .to_compile_error();
    quote::quote!(#error #input).into()
}

/// The expansion of `#[derive(Model)]` as a `proc_macro2` stream (testable).
fn derive_model_tokens(input: &syn::DeriveInput) -> proc_macro2::TokenStream {
    match model::ModelDef::from_derive_input(input) {
        Ok(def) => expand::expand(&def),
        Err(errors) => errors.to_compile_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand_text(input: syn::DeriveInput) -> String {
        derive_model_tokens(&input).to_string()
    }

    #[test]
    fn expands_the_contract_user() {
        let text = expand_text(parse_quote! {
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
        });
        for expected in [
            "impl :: oxalchemy :: orm :: Model for User",
            "type PrimaryKey = i64 ;",
            "table : \"user_account\"",
            "sql_type : || < String as :: oxalchemy :: orm :: FieldType > :: sql_type (:: core :: option :: Option :: Some (30u32))",
            "nullable : < Option < String > as :: oxalchemy :: orm :: FieldType > :: NULLABLE",
            "target : < Address as :: oxalchemy :: orm :: Model > :: mapper",
            "uselist : true",
            "cascade : :: oxalchemy :: __private :: Cascade { save_update : true , merge : true , delete : true , delete_orphan : true , refresh_expire : true , expunge : true , }",
            "lazy : :: oxalchemy :: __private :: Lazy :: Select",
            "order_by : & []",
            "primary_key : & [0usize]",
            "autoincrement : :: core :: option :: Option :: Some (0usize)",
            "state : :: oxalchemy :: __private :: OnceLock :: new ()",
            "mapper () . model_table ()",
            "pub const NAME : :: oxalchemy :: Column < User , String > = :: oxalchemy :: Column :: of_model (< User as :: oxalchemy :: orm :: Model > :: table , \"name\")",
            "pub const FULLNAME : :: oxalchemy :: Column < User , Option < String > >",
            "pub const ADDRESSES : :: oxalchemy :: orm :: Rel < User , Vec < Address > > = :: oxalchemy :: orm :: Rel :: new (\"addresses\")",
            "pub const User : :: oxalchemy :: orm :: Entity < User > = :: oxalchemy :: orm :: Entity :: new ()",
            "addresses : :: oxalchemy :: orm :: Related :: not_loaded (\"User.addresses\")",
            "String :: from (\"user_account.name\")",
            "impl :: oxalchemy :: orm :: ResultShape for User",
            "fn width () -> usize { 3usize }",
            "base : || :: std :: any :: TypeId :: of :: < Base > ()",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
        // Only facade paths; runtime-only items from `__private`.
        assert!(!text.contains("oxalchemy_orm") && !text.contains("oxalchemy_core"));
        assert!(!text.contains(":: oxalchemy :: orm :: Mapper"));
        assert!(!text.contains(":: oxalchemy :: orm :: RelationshipMapping"));
        assert!(!text.contains("panic"), "table() never panics");
    }

    #[test]
    fn typed_relationship_options_and_key_positions() {
        let text = expand_text(parse_quote! {
            #[model(base = Base)]
            struct Link {
                #[mapped_column(primary_key, foreign_key = "a.id")] a_id: i64,
                #[mapped_column(primary_key)] b_id: i64,
                #[relationship(order_by = "item.position desc, id", lazy = "selectin", cascade = "delete")]
                items: Related<Vec<Item>>,
            }
        });
        for expected in [
            "primary_key : & [0usize , 1usize]",
            "autoincrement : :: core :: option :: Option :: None",
            "order_by : & [:: oxalchemy :: __private :: OrderBy { column : \"position\" , desc : true } , :: oxalchemy :: __private :: OrderBy { column : \"id\" , desc : false }]",
            "lazy : :: oxalchemy :: __private :: Lazy :: Selectin",
            "save_update : false , merge : false , delete : true , delete_orphan : false",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
        let marked = expand_text(parse_quote! {
            #[model(base = Base)]
            struct Pair {
                #[mapped_column(primary_key)] a: i64,
                #[mapped_column(primary_key, autoincrement = true)] b: i64,
            }
        });
        assert!(
            marked.contains("autoincrement : :: core :: option :: Option :: Some (1usize)"),
            "{marked}"
        );
    }

    #[test]
    fn composite_keys_are_tuples_in_field_order() {
        let text = expand_text(parse_quote! {
            #[model(base = Base)]
            struct Link {
                #[mapped_column(primary_key)] left_id: i32,
                note: String,
                #[mapped_column(primary_key)] right_id: i64,
            }
        });
        assert!(text.contains("type PrimaryKey = (i32 , i64 ,) ;"), "{text}");
        assert!(text.contains("const LEFT_ID"));
        assert!(text.contains("const Link"));
        assert!(
            !text.contains("pub const"),
            "private model, private constants"
        );
    }

    #[test]
    fn explicit_column_options() {
        let text = expand_text(parse_quote! {
            #[model(base = Base, schema = "s", version_id = "version")]
            pub(crate) struct Item {
                #[mapped_column(primary_key, autoincrement = false)] id: i64,
                #[mapped_column(name = "label", sql_type = Varchar(20), nullable = true, unique, index)]
                title: String,
                #[mapped_column(default = 5, server_default = "7")] qty: i32,
                #[mapped_column(foreign_key = "owner.id", ondelete = "CASCADE", onupdate = "SET NULL")]
                owner_id: Option<i64>,
                version: i32,
            }
        });
        for expected in [
            "schema : :: core :: option :: Option :: Some (\"s\")",
            "version_id : :: core :: option :: Option :: Some (\"version\")",
            "autoincrement : :: core :: option :: Option :: Some (false)",
            "name : \"label\"",
            "Into :: < :: oxalchemy :: SqlType > :: into (Varchar (20))",
            "nullable : true",
            "unique : true , index : true",
            ":: oxalchemy :: Value :: from (5)",
            "server_default : :: core :: option :: Option :: Some (\"7\")",
            "foreign_key : :: core :: option :: Option :: Some (\"owner.id\")",
            "ondelete : :: core :: option :: Option :: Some (\"CASCADE\")",
            "onupdate : :: core :: option :: Option :: Some (\"SET NULL\")",
            "pub (crate) const TITLE : :: oxalchemy :: Column < Item , String > = :: oxalchemy :: Column :: of_model (< Item as :: oxalchemy :: orm :: Model > :: table , \"label\")",
            "pub (crate) const Item",
        ] {
            assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
        }
    }

    #[test]
    fn errors_become_compile_errors() {
        let text = expand_text(parse_quote!(
            struct P(i64);
        ));
        assert!(text.contains("compile_error"), "{text}");
        assert!(text.contains("needs a struct with named fields"));
        assert!(!text.contains("impl"));
    }
}
