//! oxalchemy ORM: the runtime behind `#[derive(Model)]` (mappers, typed
//! columns, the entity constants `select(User)` uses), `Related<T>`, the
//! per-base model registry, and the `Session` (identity map, unit of work).
//!
//! Models are plain values: a `Session` hands out owned structs and keeps, per
//! identity (table + primary key), a snapshot of the row as last seen; `add`
//! diffs against it. See the guide's session chapter.

mod any_model;
mod association_proxy;
mod entity;
pub mod events;
mod field_type;
mod hybrid;
#[doc(hidden)]
pub mod hybrid_sql;
mod inheritance;
mod join_condition;
mod key_part;
mod loading;
mod mapper;
mod mapper_state;
mod model;
mod polymorphic;
mod proxy_value;
mod registry;
mod related;
mod relationship_access;
mod relationship_expr;
mod relationship_options;
mod relationship_ref;
mod resolved_relationship;
mod result_shape;
mod session;
mod validator;

pub use any_model::{AnyModel, boxed_from_values, unbox_model};
pub use association_proxy::{AssociationProxy, AssociationProxyRef};
pub use entity::{Entity, entity};
pub use field_type::FieldType;
pub use hybrid::Hybrid;
pub use inheritance::{Inheritable, Inheritance, ParentMut, ParentRef, concat_columns};
pub use join_condition::{Direction, check_back_populates, resolve};
pub use loading::{
    EagerLoadPath, IntoLoaderOptions, Load, LoadSpec, LoadSteps, LoaderCriteria, LoaderOption,
    RelTarget, SelectOptionsExt, Strategy, contains_eager, defaultload, joinedload, lazyload,
    raiseload, selectin_polymorphic, selectinload, subqueryload, with_loader_criteria,
};
pub use mapper::{ColumnMapping, Mapper, RelationshipMapping};
pub use mapper_state::MapperState;
pub use model::{Model, PrimaryKey};
pub use polymorphic::{
    Polymorphic, PolymorphicVariant, polymorphic_mapper, polymorphic_values, polymorphic_variant,
};
pub use proxy_value::{ProxyAttrKind, ProxyColumn, ProxyMembers, ProxyValue, read_proxy};
pub use registry::{ModelRegistration, configure, mappers_for, metadata_for};
pub use related::{LoadedWith, Related};
pub use relationship_access::{Models, RelatedValue, RelationshipAccess, RelationshipField};
pub use relationship_expr::{OfType, OfTypeTarget, RelCriterion, RelJoin, ScalarRelated};
pub use relationship_options::{Cascade, Lazy, OrderBy};
pub use relationship_ref::Rel;
pub use resolved_relationship::{ResolvedRelationship, SecondaryJoin};
pub use result_shape::{ResultShape, decode_model};
pub use session::{
    BulkStatement, NoAutoflush, Scalars, Session, SessionInfo, SessionOptions, SynchronizeSession,
};
pub use validator::Validator;

#[doc(hidden)]
pub use inventory;
