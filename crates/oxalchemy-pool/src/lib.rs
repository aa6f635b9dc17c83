//! oxalchemy's Engine: a database URL turned into a dialect, a connection
//! pool (deadpool), connections with "commit as you go", transactions with
//! savepoints, and engine events (SQLAlchemy's `Engine`, `QueuePool`,
//! `Connection` and `ConnectionEvents`).
//!
//! ```
//! # async fn demo(driver: std::sync::Arc<dyn oxalchemy_core::Driver>) -> oxalchemy_core::Result<()> {
//! use oxalchemy_pool::{Engine, EngineOptions};
//! use oxalchemy_pool::event::{self, EngineEvent, ExecuteContext};
//! use oxalchemy_core::Value;
//!
//! // `create_engine(url)` picks a registered driver by URL; any driver works here
//! // (this crate's examples run with none: the facade's guide runs them on SQLite).
//! let engine = Engine::from_driver(driver, EngineOptions::default())?;
//! event::listen(&engine, EngineEvent::BeforeExecute, |ctx: &ExecuteContext| {
//!     println!("{} {:?}", ctx.statement(), ctx.params());
//! });
//!
//! // Commit as you go: BEGIN comes with the first statement.
//! let mut conn = engine.connect().await?;
//! conn.exec_driver_sql("CREATE TABLE t (x INTEGER)", vec![]).await?;
//! conn.exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(1)]).await?;
//! conn.commit().await?;
//!
//! // Begin once, with a savepoint.
//! let mut tx = engine.begin().await?;
//! tx.exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(2)]).await?;
//! let mut sp = tx.begin_nested().await?;
//! sp.exec_driver_sql("INSERT INTO t (x) VALUES (?)", vec![Value::Int(3)]).await?;
//! sp.rollback().await?;
//! tx.commit().await?;
//!
//! let xs: Vec<i64> = conn.exec_driver_sql("SELECT x FROM t ORDER BY x", vec![]).await?.scalars()?;
//! assert_eq!(xs, [1, 2]);
//! # Ok(()) }
//! ```
//!
//! The backend is picked by URL scheme among the drivers registered with
//! [`oxalchemy_core::driver_registry`] (a backend crate registers itself when
//! it is linked: the facade links those whose features are enabled); this
//! crate depends on no backend. [`Engine::from_driver`] accepts any
//! [`oxalchemy_core::Driver`].

mod builder;
mod connection;
mod echo;
mod engine;
pub mod event;
mod mask_password;
mod pool;
mod savepoint;
mod schema;
mod status;
mod transaction;

pub use builder::{EngineBuilder, EngineOptions, MAX_POOL_CONNECTIONS, create_engine};
pub use connection::Connection;
pub use echo::ECHO_TARGET;
pub use engine::Engine;
pub use event::{EngineEvent, ExecuteContext, ListenerHandle};
pub use mask_password::mask_password;
pub use savepoint::Savepoint;
pub use status::PoolStatus;
pub use transaction::Transaction;
