//! `Rel<M, T>`: a relationship named as a constant (`User::ADDRESSES`), for
//! loader options, joins and relationship comparisons.

use crate::mapper::RelationshipMapping;
use crate::model::Model;
use crate::resolved_relationship::ResolvedRelationship;
use std::fmt;
use std::marker::PhantomData;

/// The relationship `field` of model `M`, whose value is `T` (`Vec<Address>`
/// for a collection, `User` for a many-to-one). `#[derive(Model)]` defines one
/// upper-case constant per `Related<T>` field.
pub struct Rel<M, T> {
    field: &'static str,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Rel<M, T> {
    /// The relationship named `field` (usable in `const` items). For the
    /// derive, which defines one constant per `Related<T>` field, so `field`
    /// always names a relationship of `M`; hidden because a hand-made `Rel`
    /// naming no relationship could only fail where it is used.
    #[doc(hidden)]
    pub const fn new(field: &'static str) -> Self {
        Rel {
            field,
            _marker: PhantomData,
        }
    }

    /// The Rust field name.
    pub fn field(&self) -> &'static str {
        self.field
    }
}

impl<M: Model, T> Rel<M, T> {
    /// The relationship's mapping (always found for the derive's constants:
    /// see [`Rel::new`]).
    pub fn mapping(&self) -> &'static RelationshipMapping {
        M::mapper()
            .relationship(self.field)
            .unwrap_or_else(|| panic!("{} has no relationship {:?}", M::mapper().model, self.field))
    }
}

impl<M: Model, T> Rel<M, T> {
    /// The relationship with its join condition worked out (by the
    /// configure step, once): an `ArgumentError` naming the model and field
    /// when it does not resolve.
    pub fn resolved(&self) -> oxalchemy_core::Result<&'static ResolvedRelationship> {
        M::mapper().configured()?.resolved(self.mapping())
    }
}

impl<M, T> Clone for Rel<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for Rel<M, T> {}

impl<M: Model, T> fmt::Debug for Rel<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", M::mapper().model, self.field)
    }
}
