//! ORM events: mapper events ([`listens_for`]) and session events
//! ([`listen_session`]), next to the engine events of `oxalchemy_pool::event`
//! (the facade re-exports all of them as `oxalchemy::event`). See
//! `docs/events.md` in the repository.

mod listener_call;
mod listener_list;
mod mapper_events;
mod orm_execute;
mod session_events;

pub(crate) use mapper_events::MapperListeners;
pub use mapper_events::{MapperContext, MapperEvent, MapperListenerHandle, listens_for};
pub(crate) use orm_execute::OrmRewrite;
pub use orm_execute::{OrmStatementKind, SelectView};
pub(crate) use session_events::SessionListeners;
pub use session_events::{SessionContext, SessionEvent, SessionListenerHandle, listen_session};
