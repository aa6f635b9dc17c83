//! # oxalchemy
//!
//! SQLAlchemy's Core, Engine and ORM, rebuilt in Rust: a Core expression
//! language compiled for each backend, `MetaData`/`Table` schema objects, an
//! async `Engine` with a connection pool, and (growing) an ORM with a unit of
//! work. Pick the backend by URL and feature flag:
//!
//! | feature   | URL                                   | driver         |
//! |-----------|---------------------------------------|----------------|
//! | `sqlite` (default) | `sqlite://`, `sqlite:///file.db` | rusqlite (bundled SQLite) |
//! | `postgres` | `postgresql://user@host:5432/db`     | tokio-postgres |
//! | `mysql`   | `mysql://root@host:3306/db`, `mariadb://..` | mysql_async |
//!
//! ```no_run
//! use oxalchemy::prelude::*;
//!
//! # async fn run() -> oxalchemy::Result<()> {
//! let engine = create_engine("sqlite://")?;
//! let metadata = MetaData::new();
//! let users = metadata.table("users", |t| {
//!     t.column("id", Integer).primary_key();
//!     t.column("name", Varchar(50)).not_null();
//! });
//! metadata.create_all(&engine).await?;
//!
//! let mut conn = engine.connect().await?;
//! conn.execute(insert(&users).values([("name", "sandy")])).await?;
//! let names: Vec<String> = conn.execute(select(users.c("name"))).await?.scalars()?;
//! conn.commit().await?;
//! assert_eq!(names, ["sandy"]);
//! # Ok(()) }
//! ```

pub use oxalchemy_core as core;
pub use oxalchemy_core::{
    Alias, CheckConstraint, Column, ColumnDef, Columns, Compiled, CompoundSelect, CreateIndex,
    CreateTable, Cte, CursorResult, Delete, Dialect, DropIndex, DropTable, Error, Executable, Expr,
    ExprLike, ExprList, ForeignKey, FromRow, FromValue, Index, Insert, IntegrityKind,
    IntoSelectStmt, IntoValues, JoinTarget, MetaData, Operand, Row, RowIndex, Select, SelectItem,
    SelectList, SelectStmt, ServerDefault, SqlType, Subquery, Table, TextClause, UniqueConstraint,
    Update, Value, Window, case, delete, except, except_all, excluded, exists, func, insert,
    intersect, intersect_all, not_, select, sql_type, text, union, union_all, update,
};
pub use oxalchemy_core::{AnyTable, AnyType, IsolationLevel, TxOptions};
pub use oxalchemy_core::{
    Inspector, PrimaryKeyConstraint, ReflectOptions, ReflectedColumn, ReflectedTable, inspect,
};

/// Reflection: `MetaData::reflect`, `Table::autoload`, `inspect` and the
/// backend seam ([`Reflector`](reflection::Reflector)). See `docs/reflection.md`.
pub mod reflection {
    pub use oxalchemy_core::reflection::*;
}

/// The seam between the engine and a database driver, for backend authors:
/// implement [`Driver`](driver::Driver) and
/// [`DriverConnection`](driver::DriverConnection), then declare the URL
/// schemes the backend serves with [`register_driver!`](driver::register_driver)
/// (linking the crate registers it) or install it at run time with
/// [`install_driver`](driver::install_driver). `create_engine` and
/// `Engine::builder` route a URL to whichever backend registered its scheme;
/// the bundled backends register themselves when their feature is enabled.
/// See `docs/backends.md`, "Writing a backend".
pub mod driver {
    pub use oxalchemy_core::driver_registry::{
        DriverRegistration, driver_from_url, install_driver, registered_schemes,
    };
    pub use oxalchemy_core::register_driver;
    pub use oxalchemy_core::{BoxFuture, Driver, DriverConnection, ExecuteManyError, QueryResult};
}

/// `Result<T, oxalchemy::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use oxalchemy_pool::{
    Connection, Engine, EngineBuilder, PoolStatus, Savepoint, Transaction, create_engine,
};

mod declarative;

/// The ORM runtime: models, mappers, `Related<T>`, the per-base registry, the `Session`.
pub mod orm {
    pub use oxalchemy_orm::*;
}

/// What `#[derive(Model)]`'s generated code needs at run time (mappers and
/// their typed options, registration, decoding helpers). Not an API: its
/// contents change with the derive.
#[doc(hidden)]
pub mod __private {
    pub use oxalchemy_core::expr::Node;
    pub use oxalchemy_core::row::decode_error;
    /// The building blocks of the SQL side of `#[hybrid]` methods.
    pub use oxalchemy_orm::hybrid_sql as hybrid;
    pub use oxalchemy_orm::inventory;
    pub use oxalchemy_orm::{
        Cascade, ColumnMapping, Inheritable, Inheritance, Lazy, Mapper, ModelRegistration, OrderBy,
        RelationshipAccess, RelationshipField, RelationshipMapping, Validator, boxed_from_values,
        concat_columns, decode_model, metadata_for, polymorphic_mapper, polymorphic_values,
        polymorphic_variant,
    };
    pub use oxalchemy_orm::{ProxyValue, read_proxy};
    pub use std::sync::OnceLock;
}
/// `#[derive(Model)]`: map a struct to a table (the derive shares its name with
/// the [`Model`] trait, in the macro namespace, as serde's derives do).
///
/// ```
/// use oxalchemy::prelude::*;
///
/// oxalchemy::declarative_base!(Base);
///
/// #[derive(Model, Debug, Clone, PartialEq, Default)]
/// #[model(base = Base, table = "user_account")]
/// pub struct User {
///     #[mapped_column(primary_key)]
///     pub id: i64,
///     #[mapped_column(length = 30)]
///     pub name: String,
///     pub fullname: Option<String>,
/// }
///
/// let stmt = select(User).filter(User::NAME.eq("sandy")).order_by(User::ID);
/// let pairs = select((User::ID, User::NAME));
/// assert_eq!(User::NAME.name(), "name");
/// assert_eq!(User::table().primary_key(), ["id"]);
/// assert!(Base::metadata().get_table("user_account").is_some());
/// ```
#[cfg(feature = "macros")]
pub use oxalchemy_macros::Model;
/// `#[derive(Polymorphic)]`: an enum over the classes of an inheritance
/// hierarchy, loaded polymorphically (see `docs/inheritance.md`).
#[cfg(feature = "macros")]
pub use oxalchemy_macros::Polymorphic;
pub use oxalchemy_orm::Hybrid;
pub use oxalchemy_orm::{AssociationProxy, AssociationProxyRef};
pub use oxalchemy_orm::{
    BulkStatement, Entity, Model, Related, Session, SessionInfo, SessionOptions,
    SynchronizeSession, entity,
};

/// Events: engine events now (`event::listen(&engine, EngineEvent::BeforeExecute, ..)`).
/// Mapper events (`event::listens_for::<User>(MapperEvent::BeforeInsert, ..)`) and
/// session events (`event::listen_session(&engine, SessionEvent::BeforeFlush, ..)`):
/// see `docs/events.md`.
pub mod event {
    pub use oxalchemy_orm::events::*;
    pub use oxalchemy_pool::event::*;
}

/// The SQLite backend (dialect and driver).
#[cfg(feature = "sqlite")]
pub use oxalchemy_sqlite as sqlite;

/// The PostgreSQL backend (dialect and driver).
#[cfg(feature = "postgres")]
pub use oxalchemy_postgres as postgres;

/// The MySQL / MariaDB backend (dialect and driver).
#[cfg(feature = "mysql")]
pub use oxalchemy_mysql as mysql;

/// Everything an application usually needs: `use oxalchemy::prelude::*;`.
///
/// The prelude never shadows a name of Rust's own prelude (`String`, `Result`,
/// `Option`, `Vec`, `Box`).
pub mod prelude {
    pub use crate::event::{self, EngineEvent, ExecuteContext};
    pub use crate::event::{MapperContext, MapperEvent, SessionContext, SessionEvent};
    pub use oxalchemy_core::sql_type::{
        BigInteger, Boolean, Date, DateTime, Double, Enum, Float, Integer, Json, LargeBinary,
        Numeric, SmallInteger, Text, Time, Timestamp, Uuid, Varchar,
    };
    pub use oxalchemy_core::{
        Column, CursorResult, DatePart, Error, Expr, ExprLike, IntegrityKind, MetaData, Row, Table,
        Value, Window, case, delete, except, except_all, excluded, exists, extract, false_, func,
        insert, inspect, intersect, intersect_all, label_ref, literal, literal_column, not_, null,
        select, text, true_, tuple_, union, union_all, update,
    };
    #[cfg(feature = "macros")]
    pub use oxalchemy_macros::Model;
    #[cfg(feature = "macros")]
    pub use oxalchemy_macros::Polymorphic;
    #[cfg(feature = "macros")]
    pub use oxalchemy_macros::{hybrid, hybrids};
    pub use oxalchemy_orm::AssociationProxy;
    pub use oxalchemy_orm::Hybrid;
    pub use oxalchemy_orm::with_loader_criteria;
    pub use oxalchemy_orm::{
        Entity, Model, Related, SelectOptionsExt, Session, SynchronizeSession, contains_eager,
        defaultload, entity, joinedload, lazyload, raiseload, selectin_polymorphic, selectinload,
        subqueryload,
    };
    pub use oxalchemy_pool::{Connection, Engine, PoolStatus, Transaction, create_engine};
    pub use std::time::Duration;
}

// The README and the guide's examples are compiled as doctests, so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/core.md")]
struct CoreGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/engine.md")]
struct EngineGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/session.md")]
struct SessionGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/reflection.md")]
struct ReflectionGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/mapping.md")]
struct MappingGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/relationships.md")]
struct RelationshipsGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/loading.md")]
struct LoadingGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/backends.md")]
struct BackendsGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/hybrids.md")]
struct HybridsGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/association_proxies.md")]
struct AssociationProxiesGuideDoctests;
#[cfg(doctest)]
#[doc = include_str!("../docs/events.md")]
struct EventsGuideDoctests;
