//! Association proxies (SQLAlchemy's `association_proxy`): a field that reads
//! an attribute of the objects behind a relationship, and a constant that
//! compares it in SQL.
//!
//! ```ignore
//! #[relationship(back_populates = "author")]
//! pub posts: Related<Vec<Post>>,
//! #[association_proxy(target = "posts", attr = "tags")]
//! pub post_tags: AssociationProxy<Tag>,
//! ```
//!
//! - `user.post_tags()` (generated): the `tags` of every loaded post, flattened,
//!   as `Result<Vec<&Tag>>` (`Error::NotLoaded` naming the hop to load);
//! - `User::POST_TAGS` (generated, an [`AssociationProxyRef`]): `.any(..)`,
//!   `.has(..)`, `.contains(&tag)`, `.eq(&value)` as a correlated `EXISTS` through `posts`
//!   whose condition is `tags`' own `EXISTS`; and a loader path:
//!   `selectinload(User::POST_TAGS)` loads `posts` then `tags`;
//! - with `creator = path::to_fn`, `user.push_post_tags(value)` appends
//!   `to_fn(value)` to `posts` (inserted by the next flush).
//!
//! The attribute side is typed through [`ProxyAttr`], which the derive
//! implements for every column and relationship field of every model (keyed
//! by a hash of the field's name, so the proxy's model never needs to see the
//! target model's fields).

use crate::loading::{EagerLoadPath, LoadSpec, LoadSteps, LoaderOption, Strategy};
use crate::model::Model;
use crate::related::Related;
use crate::relationship_expr::{RelCriterion, exists};
use oxalchemy_core::expr::{Node, Source};
use oxalchemy_core::{Expr, Result, Table, Value};
use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The field type of an association proxy: a marker holding nothing (the
/// values live in the relationship it reads through). `#[derive(Model)]`
/// generates the reading method (`user.post_tags()`) and the SQL constant
/// (`User::POST_TAGS`) for a field marked `#[association_proxy(target = "..", attr = "..")]`.
pub struct AssociationProxy<T>(PhantomData<fn() -> T>);

impl<T> AssociationProxy<T> {
    /// The marker (what `Default` gives).
    pub const fn new() -> Self {
        AssociationProxy(PhantomData)
    }
}

impl<T> Default for AssociationProxy<T> {
    fn default() -> Self {
        AssociationProxy::new()
    }
}

impl<T> Clone for AssociationProxy<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for AssociationProxy<T> {}

/// Markers are all equal: a proxy holds no value of its own.
impl<T> PartialEq for AssociationProxy<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for AssociationProxy<T> {}

impl<T> Hash for AssociationProxy<T> {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl<T> fmt::Debug for AssociationProxy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AssociationProxy")
    }
}

/// The members of a relationship value: every object of a `Vec<T>`, the
/// object of a `T`, the object of an `Option<T>` when set.
pub trait ProxyMembers {
    /// The related model.
    type Member: Model;
    /// True for a collection.
    const MANY: bool;
    /// Append references to the members to `out`.
    fn push_members<'a>(&'a self, out: &mut Vec<&'a Self::Member>);
}

impl<T: Model> ProxyMembers for Vec<T> {
    type Member = T;
    const MANY: bool = true;
    fn push_members<'a>(&'a self, out: &mut Vec<&'a T>) {
        out.extend(self.iter());
    }
}

impl<T: Model> ProxyMembers for Option<T> {
    type Member = T;
    const MANY: bool = false;
    fn push_members<'a>(&'a self, out: &mut Vec<&'a T>) {
        out.extend(self.iter());
    }
}

impl<T: Model> ProxyMembers for T {
    type Member = T;
    const MANY: bool = false;
    fn push_members<'a>(&'a self, out: &mut Vec<&'a T>) {
        out.push(self);
    }
}

/// What an association proxy's `attr` names on the intermediate model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyAttrKind {
    /// A column field: the proxy reads its values.
    Column,
    /// A many-to-one (or one-to-one) relationship: one object per member.
    Scalar,
    /// A collection relationship: its objects, flattened.
    Collection,
}

impl ProxyAttrKind {
    /// The kind of a relationship attribute.
    pub const fn relationship(many: bool) -> ProxyAttrKind {
        if many {
            ProxyAttrKind::Collection
        } else {
            ProxyAttrKind::Scalar
        }
    }
}

/// The field of a model whose name hashes to `A`, as an association proxy's
/// `attr` reads it. Implemented by `#[derive(Model)]` for each column and
/// relationship field (`A` is the derive's hash of the field name); not meant
/// to be implemented by hand.
#[diagnostic::on_unimplemented(
    message = "association proxy: `{Self}` has no column or relationship field named by `attr`",
    label = "`attr` names no field of `{Self}`",
    note = "`attr` names a column field or a `Related<..>` field of the model the `target` relationship leads to"
)]
pub trait ProxyAttr<const A: u64>: Model {
    /// What the proxy yields per value: the column's type, or the related model.
    type Item;
    /// The field's value type (`Vec<Tag>`, `Keyword`, `String`): a loader
    /// option through the proxy chains further on it.
    type Value;
    /// The field's name.
    const FIELD: &'static str;
    /// A column, a scalar or a collection relationship.
    const KIND: ProxyAttrKind;
    /// Append this object's values of the field to `out`
    /// (`Error::NotLoaded` for a relationship that is not loaded).
    fn proxy_read<'a>(&'a self, out: &mut Vec<&'a Self::Item>) -> Result<()>;
    /// The condition "is `item`": the column equals it, or the related row
    /// has its primary key.
    fn proxy_match(item: &Self::Item) -> Node;
}

/// `table.name = value` (`IS NULL` for a null value), for a column attribute.
pub fn column_criterion(table: fn() -> &'static Table, name: &'static str, value: Value) -> Node {
    let column = Node::Column {
        source: Source::Static(table),
        name: Cow::Borrowed(name),
    };
    match value {
        Value::Null => Node::IsNull {
            operand: Box::new(column),
            negated: false,
        },
        v => column.equals(Node::Param(v)),
    }
}

/// The related row is `item`: its primary-key columns equal `item`'s key.
pub fn identity_criterion<T: Model>(item: &T) -> Node {
    let mapper = T::mapper();
    let table = mapper.table_fn;
    mapper
        .primary_key
        .iter()
        .zip(item.primary_key_values())
        .map(|(&i, value)| column_criterion(table, mapper.columns[i].name, value))
        .reduce(Node::and)
        .unwrap_or(Node::Null)
}

/// `Self` is `T`: the check that an association proxy's `attr` holds the `T`
/// of its `AssociationProxy<T>` field, with an error that says so.
#[diagnostic::on_unimplemented(
    message = "association proxy: `attr` holds `{Self}`, and the field is declared `AssociationProxy<{T}>`",
    label = "`attr` holds `{Self}`",
    note = "declare the proxy field `AssociationProxy<{Self}>`"
)]
pub trait ProxyItemIs<T> {
    /// `self` as the `T` it is.
    fn as_item(&self) -> &T;
}

impl<T> ProxyItemIs<T> for T {
    fn as_item(&self) -> &T {
        self
    }
}

/// Read an association proxy through the loaded relationship `first`: the
/// `attr` values of each member, flattened, in the relationship's order.
/// `Error::NotLoaded` names the first hop, or the second hop of a member
/// whose relationship is not loaded.
pub fn read_proxy<V, T, const A: u64>(first: &Related<V>) -> Result<Vec<&T>>
where
    V: ProxyMembers,
    V::Member: ProxyAttr<A>,
    <V::Member as ProxyAttr<A>>::Item: ProxyItemIs<T>,
{
    let mut members = Vec::new();
    first.get()?.push_members(&mut members);
    let mut out = Vec::with_capacity(members.len());
    for member in members {
        member.proxy_read(&mut out)?;
    }
    Ok(out.into_iter().map(ProxyItemIs::as_item).collect())
}

/// An association proxy of model `M` named as a constant (`User::POST_TAGS`):
/// through the relationship whose value is `V` (`Vec<Post>`), to the field of
/// `V`'s model hashed as `A`. For SQL comparisons (`any`, `has`, `contains`)
/// and loader options (`selectinload(User::POST_TAGS)`).
pub struct AssociationProxyRef<M, V, const A: u64> {
    target: &'static str,
    name: &'static str,
    _marker: PhantomData<fn() -> (M, V)>,
}

impl<M, V, const A: u64> AssociationProxyRef<M, V, A> {
    /// The proxy `name` through the relationship `target`. For the derive,
    /// which checks that `target` is a relationship of `M`.
    #[doc(hidden)]
    pub const fn new(target: &'static str, name: &'static str) -> Self {
        AssociationProxyRef {
            target,
            name,
            _marker: PhantomData,
        }
    }

    /// The relationship the proxy goes through.
    pub fn target(&self) -> &'static str {
        self.target
    }

    /// The proxy field's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<M, V, const A: u64> Clone for AssociationProxyRef<M, V, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, V, const A: u64> Copy for AssociationProxyRef<M, V, A> {}

impl<M: Model, V, const A: u64> fmt::Debug for AssociationProxyRef<M, V, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", M::mapper().model, self.name)
    }
}

impl<M, V, const A: u64> AssociationProxyRef<M, V, A>
where
    M: Model,
    V: ProxyMembers,
    V::Member: ProxyAttr<A>,
{
    /// True when the proxy yields a collection (either hop is one).
    pub fn is_collection(&self) -> bool {
        V::MANY || <V::Member as ProxyAttr<A>>::KIND == ProxyAttrKind::Collection
    }

    /// The condition on the intermediate model: the criterion itself for a
    /// column attribute, else the attribute relationship's `EXISTS`.
    fn inner(criterion: Option<Node>) -> Option<Node> {
        match <V::Member as ProxyAttr<A>>::KIND {
            ProxyAttrKind::Column => criterion,
            ProxyAttrKind::Scalar | ProxyAttrKind::Collection => Some(
                exists(
                    <V::Member as Model>::mapper(),
                    <V::Member as ProxyAttr<A>>::FIELD,
                    criterion,
                )
                .into_node(),
            ),
        }
    }

    /// `EXISTS` through the first relationship, with the inner condition.
    fn through(&self, criterion: Option<Node>) -> Expr<bool> {
        exists(M::mapper(), self.target, Self::inner(criterion))
    }

    fn refused(&self, message: String) -> Expr<bool> {
        Expr::new(Node::Invalid(Cow::Owned(format!(
            "{}.{}: {message}",
            M::mapper().model,
            self.name
        ))))
    }

    /// `EXISTS` a proxied value matching `criterion` (`()` for any at all), for
    /// a proxy of a collection: `User::POST_TAGS.any(Tag::NAME.eq("rust"))` is
    /// `EXISTS (SELECT .. FROM post WHERE post.author_id = user_account.id AND
    /// EXISTS (SELECT .. FROM tag, post_tag WHERE .. AND tag.name = ?))`. On a
    /// scalar proxy the statement fails to compile with an `ArgumentError`
    /// pointing to `has()` (as SQLAlchemy's `InvalidRequestError`).
    pub fn any(self, criterion: impl RelCriterion) -> Expr<bool> {
        if !self.is_collection() {
            return self.refused(
                "any() is for an association proxy of a collection; this one is scalar: use has()"
                    .to_owned(),
            );
        }
        self.through(criterion.into_criterion())
    }

    /// `EXISTS` the proxied value, matching `criterion` (`()` for any at all),
    /// for a scalar proxy (a many-to-one, then a column or a many-to-one). On
    /// a proxy of a collection the statement fails to compile with an
    /// `ArgumentError` pointing to `any()`.
    pub fn has(self, criterion: impl RelCriterion) -> Expr<bool> {
        if self.is_collection() {
            return self.refused(
                "has() is for a scalar association proxy; this one is a collection: use any()"
                    .to_owned(),
            );
        }
        self.through(criterion.into_criterion())
    }

    /// `EXISTS` a proxied object equal to `value` (matched by primary key),
    /// for a proxy of a collection of objects: `User::POST_TAGS.contains(&rust_tag)`.
    /// On a proxy of column values (where SQLAlchemy's `contains` is the
    /// string operator `LIKE '%..%'`) or of one object the statement fails to
    /// compile with an `ArgumentError` naming what to use instead (`eq`, or
    /// `any(Column.contains(..))`).
    pub fn contains(self, value: &<V::Member as ProxyAttr<A>>::Item) -> Expr<bool> {
        match <V::Member as ProxyAttr<A>>::KIND {
            ProxyAttrKind::Column => {
                return self.refused(format!(
                    "contains() tests membership of an object; this proxy holds column values: use eq(&value), or any({}::{}.contains(..)) for a substring",
                    <V::Member as Model>::mapper().model,
                    <V::Member as ProxyAttr<A>>::FIELD.to_uppercase()
                ));
            }
            _ if !self.is_collection() => {
                return self.refused(
                    "contains() is for an association proxy of a collection; this one holds one object: use eq(&object)"
                        .to_owned(),
                );
            }
            _ => {}
        }
        self.through(Some(<V::Member as ProxyAttr<A>>::proxy_match(value)))
    }

    /// SQLAlchemy's `proxy == value`: `EXISTS` through the first relationship
    /// where the column equals `value` (`Post::AUTHOR_NAME.eq(&name)`; on a
    /// proxy of a collection of column values: one of them equals it), or,
    /// for a proxy of one object, where the related object is `value`. On a
    /// proxy of a collection of objects the statement fails to compile with
    /// an `ArgumentError` pointing to `contains()`.
    pub fn eq(self, value: &<V::Member as ProxyAttr<A>>::Item) -> Expr<bool> {
        if <V::Member as ProxyAttr<A>>::KIND != ProxyAttrKind::Column && self.is_collection() {
            return self.refused(
                "eq() cannot compare a collection of objects to an object: use contains()"
                    .to_owned(),
            );
        }
        self.through(Some(<V::Member as ProxyAttr<A>>::proxy_match(value)))
    }
}

/// `selectinload(User::POST_TAGS)`: the first relationship, then (when `attr`
/// is a relationship) the attribute's relationship, with the same strategy.
impl<M, V, const A: u64> EagerLoadPath for AssociationProxyRef<M, V, A>
where
    M: Model,
    V: ProxyMembers,
    V::Member: ProxyAttr<A>,
{
    type Owner = M;
    type Value = <V::Member as ProxyAttr<A>>::Value;

    fn load_steps(self, strategy: Strategy) -> LoadSteps {
        let owner = M::mapper();
        let first = owner
            .relationship(self.target)
            .unwrap_or_else(|| panic!("{} has no relationship {:?}", owner.model, self.target));
        let member = <V::Member as Model>::mapper();
        let then = match <V::Member as ProxyAttr<A>>::KIND {
            ProxyAttrKind::Column => None,
            ProxyAttrKind::Scalar | ProxyAttrKind::Collection => {
                let field = <V::Member as ProxyAttr<A>>::FIELD;
                let rel = member
                    .relationship(field)
                    .unwrap_or_else(|| panic!("{} has no relationship {field:?}", member.model));
                Some((member, rel))
            }
        };
        LoadSteps::of(owner, first, then, strategy)
    }
}

/// `session.load(&mut user, User::POST_TAGS)`: load both hops of the proxy
/// now, with `selectinload` (one statement per relationship).
impl<M, V, const A: u64> LoadSpec<M> for AssociationProxyRef<M, V, A>
where
    M: Model,
    V: ProxyMembers,
    V::Member: ProxyAttr<A>,
{
    fn into_loader_option(self) -> LoaderOption {
        crate::loading::selectinload(self).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_equal_and_print_plainly() {
        let a: AssociationProxy<String> = AssociationProxy::default();
        assert_eq!(a, AssociationProxy::new());
        assert_eq!(format!("{a:?}"), "AssociationProxy");
        assert_eq!(ProxyAttrKind::relationship(true), ProxyAttrKind::Collection);
        assert_eq!(ProxyAttrKind::relationship(false), ProxyAttrKind::Scalar);
    }

    #[test]
    fn a_null_column_value_is_is_null() {
        fn t() -> &'static Table {
            static T: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
            T.get_or_init(|| {
                oxalchemy_core::MetaData::new().table("t", |t| {
                    t.column("a", oxalchemy_core::sql_type::Integer);
                })
            })
        }
        assert!(matches!(
            column_criterion(t, "a", Value::Null),
            Node::IsNull { negated: false, .. }
        ));
        assert!(matches!(
            column_criterion(t, "a", Value::from(1i64)),
            Node::Binary { .. }
        ));
    }
}
