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
use crate::mapper::Mapper;
use crate::model::Model;
use crate::proxy_value::{ProxyAttrKind, ProxyMembers, ProxyValue};
use crate::relationship_expr::{RelCriterion, exists};
use oxalchemy_core::Expr;
use oxalchemy_core::expr::Node;
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

/// An association proxy of model `M` named as a constant (`User::POST_TAGS`):
/// through the relationship whose value is `V` (`Vec<Post>`), to the field
/// `attr` of `V`'s model, which holds `T`s. For SQL comparisons (`any`,
/// `has`, `contains`, `eq`) and loader options (`selectinload(User::POST_TAGS)`).
pub struct AssociationProxyRef<M, V, T> {
    target: &'static str,
    name: &'static str,
    attr: &'static str,
    kind: ProxyAttrKind,
    matches: fn(&'static Mapper, &'static str, &T) -> Node,
    _marker: PhantomData<fn() -> (M, V)>,
}

impl<M, V: ProxyMembers, T> AssociationProxyRef<M, V, T> {
    /// The proxy `name` through the relationship `target`, to the field
    /// `attr`, whose type `F` is given by the derive's accessor (`&member.tags`:
    /// only its type is used). For the derive, which checks that `target` is
    /// a relationship of `M`.
    #[doc(hidden)]
    pub const fn new<F>(
        target: &'static str,
        name: &'static str,
        attr: &'static str,
        _accessor: for<'m> fn(&'m V::Member) -> &'m F,
    ) -> Self
    where
        F: ProxyValue<T>,
    {
        AssociationProxyRef {
            target,
            name,
            attr,
            kind: F::KIND,
            matches: F::matches,
            _marker: PhantomData,
        }
    }
}

impl<M, V, T> AssociationProxyRef<M, V, T> {
    /// The relationship the proxy goes through.
    pub fn target(&self) -> &'static str {
        self.target
    }

    /// The proxy field's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The field of the target's model the proxy reads.
    pub fn attr(&self) -> &'static str {
        self.attr
    }
}

impl<M, V, T> Clone for AssociationProxyRef<M, V, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, V, T> Copy for AssociationProxyRef<M, V, T> {}

impl<M: Model, V, T> fmt::Debug for AssociationProxyRef<M, V, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", M::mapper().model, self.name)
    }
}

impl<M, V, T> AssociationProxyRef<M, V, T>
where
    M: Model,
    V: ProxyMembers,
{
    /// True when the proxy yields a collection (either hop is one).
    pub fn is_collection(&self) -> bool {
        V::MANY || self.kind == ProxyAttrKind::Collection
    }

    /// The condition on the intermediate model: the criterion itself for a
    /// column attribute, else the attribute relationship's `EXISTS`.
    fn inner(&self, criterion: Option<Node>) -> Option<Node> {
        match self.kind {
            ProxyAttrKind::Column => criterion,
            ProxyAttrKind::Scalar | ProxyAttrKind::Collection => {
                Some(exists(<V::Member as Model>::mapper(), self.attr, criterion).into_node())
            }
        }
    }

    /// `EXISTS` through the first relationship, with the inner condition.
    fn through(&self, criterion: Option<Node>) -> Expr<bool> {
        exists(M::mapper(), self.target, self.inner(criterion))
    }

    /// The condition "the attribute is `item`".
    fn matching(&self, item: &T) -> Node {
        (self.matches)(<V::Member as Model>::mapper(), self.attr, item)
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
    pub fn contains(self, value: &T) -> Expr<bool> {
        match self.kind {
            ProxyAttrKind::Column => {
                return self.refused(format!(
                    "contains() tests membership of an object; this proxy holds column values: use eq(&value), or any({}::{}.contains(..)) for a substring",
                    <V::Member as Model>::mapper().model,
                    self.attr.to_uppercase()
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
        self.through(Some(self.matching(value)))
    }

    /// SQLAlchemy's `proxy == value`: `EXISTS` through the first relationship
    /// where the column equals `value` (`Post::AUTHOR_NAME.eq(&name)`; on a
    /// proxy of a collection of column values: one of them equals it), or,
    /// for a proxy of one object, where the related object is `value`. On a
    /// proxy of a collection of objects the statement fails to compile with
    /// an `ArgumentError` pointing to `contains()`.
    pub fn eq(self, value: &T) -> Expr<bool> {
        if self.kind != ProxyAttrKind::Column && self.is_collection() {
            return self.refused(
                "eq() cannot compare a collection of objects to an object: use contains()"
                    .to_owned(),
            );
        }
        self.through(Some(self.matching(value)))
    }
}

/// `selectinload(User::POST_TAGS)`: the first relationship, then (when `attr`
/// is a relationship) the attribute's relationship, with the same strategy.
/// Further steps chain on `T` (a relationship `attr`'s model).
impl<M, V, T> EagerLoadPath for AssociationProxyRef<M, V, T>
where
    M: Model,
    V: ProxyMembers,
{
    type Owner = M;
    type Value = T;

    fn load_steps(self, strategy: Strategy) -> LoadSteps {
        let owner = M::mapper();
        let first = owner
            .relationship(self.target)
            .unwrap_or_else(|| panic!("{} has no relationship {:?}", owner.model, self.target));
        let member = <V::Member as Model>::mapper();
        let then = match self.kind {
            ProxyAttrKind::Column => None,
            ProxyAttrKind::Scalar | ProxyAttrKind::Collection => {
                let field = self.attr;
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
impl<M, V, T> LoadSpec<M> for AssociationProxyRef<M, V, T>
where
    M: Model,
    V: ProxyMembers,
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
    }
}
