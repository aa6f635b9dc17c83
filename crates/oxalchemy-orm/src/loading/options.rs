//! Loader options: `selectinload(User::ADDRESSES)`, `joinedload(..)`, ..,
//! chained to any depth (`selectinload(User::POSTS).selectinload(Post::TAGS)`)
//! and attached to a query with `select(User).options(..)`.

use super::criteria::LoaderCriteria;
use crate::mapper::{Mapper, RelationshipMapping};
use crate::model::Model;
use crate::relationship_options::Lazy;
use crate::relationship_ref::Rel;
use oxalchemy_core::Select;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// How one relationship is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The relationship's own `lazy = ".."` setting (`defaultload`): a step
    /// that only leads to options on the related model.
    Default,
    /// Not loaded (`lazyload`, `lazy = "select"`): there is no implicit I/O,
    /// so the field stays not loaded until `session.load`.
    Lazy,
    /// One extra `SELECT .. WHERE key IN (..)` per level, in batches of 500 keys.
    Selectin,
    /// In the same statement, through a `LEFT OUTER JOIN`.
    Joined,
    /// One extra statement per level, keyed by the parent query as a subquery.
    Subquery,
    /// Not loaded; reading the field is `Error::NotLoaded` naming the option to use.
    Raise,
    /// From the columns of a join the query already has.
    ContainsEager,
}

impl Strategy {
    /// The strategy of a `lazy = ".."` setting (`None` for `select`: not loaded).
    pub fn from_lazy(lazy: Lazy) -> Option<Strategy> {
        match lazy {
            Lazy::Select => None,
            Lazy::Selectin => Some(Strategy::Selectin),
            Lazy::Joined => Some(Strategy::Joined),
            Lazy::Subquery => Some(Strategy::Subquery),
            Lazy::Raise => Some(Strategy::Raise),
        }
    }

    /// True when the strategy fills the field.
    pub(crate) fn loads(self) -> bool {
        matches!(
            self,
            Strategy::Selectin | Strategy::Joined | Strategy::Subquery | Strategy::ContainsEager
        )
    }

    /// True when the rows come from a join of the query itself.
    pub(crate) fn is_joined(self) -> bool {
        matches!(self, Strategy::Joined | Strategy::ContainsEager)
    }

    fn function(self) -> &'static str {
        match self {
            Strategy::Default => "defaultload",
            Strategy::Lazy => "lazyload",
            Strategy::Selectin => "selectinload",
            Strategy::Joined => "joinedload",
            Strategy::Subquery => "subqueryload",
            Strategy::Raise => "raiseload",
            Strategy::ContainsEager => "contains_eager",
        }
    }
}

/// One step of a loader path: a relationship of a model and how to load it.
#[derive(Clone, Copy)]
pub(crate) struct Step {
    pub(crate) owner: &'static Mapper,
    pub(crate) rel: &'static RelationshipMapping,
    pub(crate) strategy: Strategy,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}({}::{})",
            self.strategy.function(),
            self.owner.model,
            self.rel.field.to_uppercase()
        )
    }
}

/// The model a relationship value holds: `Address` for `Vec<Address>`,
/// `User` for `User` and `Option<User>`. Chained loader options use it to
/// check, at compile time, that each relationship belongs to the previous
/// one's target.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the value of a relationship",
    note = "a relationship holds a model, an Option of a model or a Vec of models"
)]
pub trait RelTarget: 'static {
    /// The related model.
    type Target: Model;
}

impl<T: Model> RelTarget for T {
    type Target = T;
}
impl<T: Model> RelTarget for Option<T> {
    type Target = T;
}
impl<T: Model> RelTarget for Vec<T> {
    type Target = T;
}

/// A loader option for relationships of `M`, whose last step leads to `T`
/// (`Vec<Post>` after `selectinload(User::POSTS)`). Chain further steps on the
/// target's relationships: `selectinload(User::POSTS).selectinload(Post::TAGS)`.
#[must_use = "a loader option does nothing until passed to select(..).options(..) or session.load(..)"]
pub struct Load<M, T> {
    pub(crate) steps: Vec<Step>,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Load<M, T> {
    fn clone(&self) -> Self {
        Load {
            steps: self.steps.clone(),
            _marker: PhantomData,
        }
    }
}

impl<M, T> fmt::Debug for Load<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.steps).finish()
    }
}

fn step<M: Model, T>(rel: Rel<M, T>, strategy: Strategy) -> Step {
    Step {
        owner: M::mapper(),
        rel: rel.mapping(),
        strategy,
    }
}

fn start<M: Model, T: RelTarget>(rel: Rel<M, T>, strategy: Strategy) -> Load<M, T> {
    Load {
        steps: vec![step(rel, strategy)],
        _marker: PhantomData,
    }
}

/// Load `rel` with one extra `SELECT .. WHERE key IN (..)` per level (in
/// batches of 500 keys), after the parents: the usual choice for collections.
/// `rel` may also be an association proxy (`User::POST_TAGS`): both of its
/// relationships load.
pub fn selectinload<P: EagerLoadPath>(rel: P) -> Load<P::Owner, P::Value> {
    Load::from_steps(rel.load_steps(Strategy::Selectin))
}

/// Load `rel` in the same statement, through a `LEFT OUTER JOIN` (rows are
/// de-duplicated into parents; a LIMITed query still counts parents): the
/// usual choice for many-to-one. `rel` may also be an association proxy:
/// both of its relationships are joined.
pub fn joinedload<P: EagerLoadPath>(rel: P) -> Load<P::Owner, P::Value> {
    Load::from_steps(rel.load_steps(Strategy::Joined))
}

/// Load `rel` with one extra statement per level whose `WHERE key IN
/// (SELECT ..)` repeats the parent query as a subquery. `rel` may also be an
/// association proxy: both of its relationships load.
pub fn subqueryload<P: EagerLoadPath>(rel: P) -> Load<P::Owner, P::Value> {
    Load::from_steps(rel.load_steps(Strategy::Subquery))
}

/// The steps of a loader path, type-erased (what [`EagerLoadPath`] builds).
#[doc(hidden)]
pub struct LoadSteps(pub(crate) Vec<Step>);

impl LoadSteps {
    /// The steps `rel` then, when given, `then` (each loaded with `strategy`).
    pub(crate) fn of(
        owner: &'static Mapper,
        rel: &'static RelationshipMapping,
        then: Option<(&'static Mapper, &'static RelationshipMapping)>,
        strategy: Strategy,
    ) -> LoadSteps {
        let mut steps = vec![Step {
            owner,
            rel,
            strategy,
        }];
        if let Some((owner, rel)) = then {
            steps.push(Step {
                owner,
                rel,
                strategy,
            });
        }
        LoadSteps(steps)
    }
}

/// What `selectinload`, `joinedload` and `subqueryload` take: a relationship
/// (`User::POSTS`) or an association proxy (`User::POST_TAGS`, whose two
/// relationships load with the same strategy). The other loader functions
/// (`raiseload`, `lazyload`, `defaultload`, `contains_eager`) take only a
/// relationship.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a relationship or an association proxy to load",
    label = "expected a relationship constant (`User::POSTS`) or an association proxy constant (`User::POST_TAGS`)"
)]
pub trait EagerLoadPath {
    /// The model the path starts from.
    type Owner;
    /// What the last step loads (`Vec<Tag>`): further steps chain on its model.
    type Value;
    /// The steps, each loaded with `strategy`.
    #[doc(hidden)]
    fn load_steps(self, strategy: Strategy) -> LoadSteps;
}

impl<M: Model, T: RelTarget> EagerLoadPath for Rel<M, T> {
    type Owner = M;
    type Value = T;
    fn load_steps(self, strategy: Strategy) -> LoadSteps {
        LoadSteps(vec![step(self, strategy)])
    }
}

impl<M, T> Load<M, T> {
    /// A loader option of these steps.
    pub(crate) fn from_steps(steps: LoadSteps) -> Load<M, T> {
        Load {
            steps: steps.0,
            _marker: PhantomData,
        }
    }
}

/// Leave `rel` not loaded, also when its `lazy` setting would load it:
/// reading it is `Error::NotLoaded`, naming the relationship and the option to use.
pub fn raiseload<M: Model, T: RelTarget>(rel: Rel<M, T>) -> Load<M, T> {
    start(rel, Strategy::Raise)
}

/// Leave `rel` not loaded (SQLAlchemy's lazy load without the implicit I/O):
/// overrides a `lazy = "selectin" | "joined" | ..` default.
pub fn lazyload<M: Model, T: RelTarget>(rel: Rel<M, T>) -> Load<M, T> {
    start(rel, Strategy::Lazy)
}

/// Load `rel` as its `lazy = ".."` setting says; a step leading to options
/// on the related model: `defaultload(User::POSTS).selectinload(Post::TAGS)`.
pub fn defaultload<M: Model, T: RelTarget>(rel: Rel<M, T>) -> Load<M, T> {
    start(rel, Strategy::Default)
}

/// Fill `rel` from a join the query already has
/// (`select(User).join(User::ADDRESSES).options(contains_eager(User::ADDRESSES))`),
/// without another statement.
pub fn contains_eager<M: Model, T: RelTarget>(rel: Rel<M, T>) -> Load<M, T> {
    start(rel, Strategy::ContainsEager)
}

impl<M, T: RelTarget> Load<M, T> {
    fn then<U: RelTarget>(mut self, rel: Rel<T::Target, U>, strategy: Strategy) -> Load<M, U> {
        self.steps.push(step(rel, strategy));
        Load {
            steps: self.steps,
            _marker: PhantomData,
        }
    }

    /// Then load `rel` of the loaded models with [`selectinload`].
    pub fn selectinload<U: RelTarget>(self, rel: Rel<T::Target, U>) -> Load<M, U> {
        self.then(rel, Strategy::Selectin)
    }

    /// Then load `rel` of the loaded models with [`joinedload`].
    pub fn joinedload<U: RelTarget>(self, rel: Rel<T::Target, U>) -> Load<M, U> {
        self.then(rel, Strategy::Joined)
    }

    /// Then load `rel` of the loaded models with [`subqueryload`].
    pub fn subqueryload<U: RelTarget>(self, rel: Rel<T::Target, U>) -> Load<M, U> {
        self.then(rel, Strategy::Subquery)
    }

    /// Then leave `rel` of the loaded models not loaded ([`raiseload`]).
    pub fn raiseload<U: RelTarget>(self, rel: Rel<T::Target, U>) -> Load<M, U> {
        self.then(rel, Strategy::Raise)
    }

    /// Then leave `rel` of the loaded models not loaded ([`lazyload`]).
    pub fn lazyload<U: RelTarget>(self, rel: Rel<T::Target, U>) -> Load<M, U> {
        self.then(rel, Strategy::Lazy)
    }

    /// Then load `rel` of the loaded models as its `lazy` setting says ([`defaultload`]).
    pub fn defaultload<U: RelTarget>(self, rel: Rel<T::Target, U>) -> Load<M, U> {
        self.then(rel, Strategy::Default)
    }

    /// Then fill `rel` of the loaded models from a join of the query ([`contains_eager`]).
    pub fn contains_eager<U: RelTarget>(self, rel: Rel<T::Target, U>) -> Load<M, U> {
        self.then(rel, Strategy::ContainsEager)
    }
}

/// A loader option of any model (a [`Load`] without its types), for options
/// built at run time: `let opts: Vec<LoaderOption> = vec![selectinload(User::POSTS).into()]`.
/// Global criteria ([`with_loader_criteria`](super::with_loader_criteria))
/// are loader options too, without steps.
#[derive(Clone)]
pub struct LoaderOption {
    pub(crate) steps: Vec<Step>,
    pub(crate) criteria: Option<LoaderCriteria>,
    /// `selectin_polymorphic::<E>()`: the polymorphic enum whose joined tables
    /// are read with one statement each instead of outer joins.
    pub(crate) selectin_polymorphic: Option<&'static Mapper>,
}

impl fmt::Debug for LoaderOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.criteria, self.selectin_polymorphic) {
            (Some(c), _) => c.fmt(f),
            (None, Some(m)) => write!(f, "selectin_polymorphic({})", m.model),
            (None, None) => f.debug_list().entries(&self.steps).finish(),
        }
    }
}

impl<M, T> From<Load<M, T>> for LoaderOption {
    fn from(load: Load<M, T>) -> Self {
        LoaderOption {
            steps: load.steps,
            criteria: None,
            selectin_polymorphic: None,
        }
    }
}

impl From<LoaderCriteria> for LoaderOption {
    fn from(criteria: LoaderCriteria) -> Self {
        LoaderOption {
            steps: Vec::new(),
            criteria: Some(criteria),
            selectin_polymorphic: None,
        }
    }
}

impl IntoLoaderOptions for LoaderCriteria {
    fn into_loader_options(self) -> Vec<LoaderOption> {
        vec![self.into()]
    }
}

/// What `select(..).options(..)` takes: one loader option (or
/// [`with_loader_criteria`](super::with_loader_criteria)), a tuple of them,
/// or a `Vec<LoaderOption>`.
pub trait IntoLoaderOptions {
    /// The options, type-erased.
    fn into_loader_options(self) -> Vec<LoaderOption>;
}

impl<M, T> IntoLoaderOptions for Load<M, T> {
    fn into_loader_options(self) -> Vec<LoaderOption> {
        vec![self.into()]
    }
}

impl IntoLoaderOptions for LoaderOption {
    fn into_loader_options(self) -> Vec<LoaderOption> {
        vec![self]
    }
}

impl IntoLoaderOptions for Vec<LoaderOption> {
    fn into_loader_options(self) -> Vec<LoaderOption> {
        self
    }
}

macro_rules! tuple_options {
    ($($name:ident),+) => {
        impl<$($name: IntoLoaderOptions),+> IntoLoaderOptions for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_loader_options(self) -> Vec<LoaderOption> {
                let ($($name,)+) = self;
                let mut out = Vec::new();
                $(out.extend($name.into_loader_options());)+
                out
            }
        }
    };
}

tuple_options!(A);
tuple_options!(A, B);
tuple_options!(A, B, C);
tuple_options!(A, B, C, D);
tuple_options!(A, B, C, D, E);
tuple_options!(A, B, C, D, E, F);
tuple_options!(A, B, C, D, E, F, G);
tuple_options!(A, B, C, D, E, F, G, H);

/// The loader options of a query, stored in the statement with
/// `Select::with_extension` and read by the session when it runs the query.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoaderOptions {
    pub(crate) options: Vec<LoaderOption>,
}

impl LoaderOptions {
    /// Every loader option attached to `stmt`.
    pub(crate) fn of<R>(stmt: &Select<R>) -> Vec<LoaderOption> {
        stmt.extensions()
            .iter()
            .filter_map(|e| e.downcast_ref::<LoaderOptions>())
            .flat_map(|o| o.options.iter().cloned())
            .collect()
    }
}

/// The `populate_existing()` marker of a query, stored with `Select::with_extension`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PopulateExisting;

impl PopulateExisting {
    /// True when `stmt` asked for `populate_existing()`.
    pub(crate) fn of<R>(stmt: &Select<R>) -> bool {
        stmt.extensions()
            .iter()
            .any(|e| e.downcast_ref::<PopulateExisting>().is_some())
    }
}

/// `select(User).options(selectinload(User::ADDRESSES))`: loader options on a
/// query (SQLAlchemy's `Select.options`), in the prelude.
pub trait SelectOptionsExt: Sized {
    /// Attach loader options: one option or a tuple of them. Options apply
    /// when the query runs through `session.scalars(..)`.
    fn options(self, options: impl IntoLoaderOptions) -> Self;

    /// SQLAlchemy's `execution_options(populate_existing=True)`: the rows this
    /// query (and its relationship loads) returns overwrite what the session
    /// holds for their identities (the snapshot, and an unflushed change),
    /// instead of the default where the identity map wins and a held
    /// identity comes back as the session's state.
    fn populate_existing(self) -> Self;
}

impl<R> SelectOptionsExt for Select<R> {
    fn options(self, options: impl IntoLoaderOptions) -> Self {
        self.with_extension(Arc::new(LoaderOptions {
            options: options.into_loader_options(),
        }))
    }

    fn populate_existing(self) -> Self {
        self.with_extension(Arc::new(PopulateExisting))
    }
}

/// SQLAlchemy's `selectin_polymorphic`: `select(AnyEmployee)` reads the base
/// table (and the single-table subclasses' columns in it) in one statement,
/// then each joined subclass table in one more statement, `WHERE key IN
/// (..)` over the rows of that table's classes, instead of the default LEFT
/// OUTER JOIN to every joined table (SQLAlchemy's `with_polymorphic("*")`).
///
/// ```ignore
/// let all: Vec<AnyEmployee> = session
///     .scalars(select(AnyEmployee).options(selectin_polymorphic::<AnyEmployee>()))
///     .all()
///     .await?;   // SELECT .. FROM employee; SELECT .. FROM engineer WHERE engineer.id IN (..)
/// ```
pub fn selectin_polymorphic<E: crate::Model>() -> LoaderOption {
    LoaderOption {
        steps: Vec::new(),
        criteria: None,
        selectin_polymorphic: Some(E::mapper()),
    }
}
