//! Session events (SQLAlchemy's `SessionEvents`): `event::listen_session(&engine, ..)`.
//!
//! Listeners are stored per engine (an engine extension) and fire for every
//! session over that engine. Each session takes the engine's list once, when
//! it is created; firing an event nobody listens to costs one atomic load.

use super::listener_call::call_listener;
use super::listener_list::{EventIndex, ListenerList};
use super::orm_execute::{OrmExecute, OrmRewrite, OrmStatementKind, SelectView};
use crate::loading::LoaderCriteria;
use crate::model::Model;
use crate::session::Session;
use oxalchemy_core::stmt::SelectCore;
use oxalchemy_core::{Error, Expr, ExprLike, Result};
use oxalchemy_pool::Engine;
use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, Weak};

/// The events of a session's flush and transaction, in the order
/// SQLAlchemy fires them for `session.add(..); session.commit()`:
/// `BeforeCommit`, `BeforeFlush`, `AfterBegin`, `AfterFlush`,
/// `AfterFlushPostexec`, `AfterCommit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionEvent {
    /// A flush with pending work is about to plan its statements. The
    /// listener sees the pending objects (`ctx.session().new_objects::<M>()`,
    /// `dirty_objects`, `deleted_objects`), may add, change or delete objects
    /// through [`SessionContext::add`] / [`SessionContext::delete`] (part of
    /// the same flush), and may abort the flush with `Err`.
    BeforeFlush,
    /// The flush's statements ran; the session's state is not updated yet
    /// (the pending objects are still pending).
    AfterFlush,
    /// The flush is complete: the identity map holds the written rows.
    AfterFlushPostexec,
    /// The session checked out its connection: its transaction begins.
    AfterBegin,
    /// `commit()` is about to flush and commit.
    BeforeCommit,
    /// The transaction committed.
    AfterCommit,
    /// The transaction rolled back (`rollback()`, or a failed flush or commit).
    AfterRollback,
    /// An ORM statement is about to run (`session.scalars(..)`, the SELECT
    /// of `session.get(..)` when the identity map does not hold the object,
    /// `session.load(..)`, a bulk `update(M)` / `delete(M)` through
    /// `session.execute(..)`); [`SessionContext::statement_kind`] says which.
    /// The listener may add global criteria with
    /// [`SessionContext::add_criteria`] (SQLAlchemy's `do_orm_execute` with
    /// `with_loader_criteria`; relationship loads inherit them), restrict the
    /// statement with [`SessionContext::filter`], and read or rewrite a
    /// query with [`SessionContext::select`] / [`SessionContext::rewrite_select`]
    /// (SQLAlchemy's assignment to `orm_execute_state.statement`); `Err`
    /// fails the statement before any SQL.
    DoOrmExecute,
}

impl EventIndex for SessionEvent {
    const COUNT: usize = 8;

    fn index(self) -> usize {
        match self {
            SessionEvent::BeforeFlush => 0,
            SessionEvent::AfterFlush => 1,
            SessionEvent::AfterFlushPostexec => 2,
            SessionEvent::AfterBegin => 3,
            SessionEvent::BeforeCommit => 4,
            SessionEvent::AfterCommit => 5,
            SessionEvent::AfterRollback => 6,
            SessionEvent::DoOrmExecute => 7,
        }
    }
}

/// A change a `BeforeFlush` listener asked for, applied when it returns.
pub(crate) type SessionChange = Box<dyn FnOnce(&mut Session) + Send>;

/// What a session listener sees: the event and the session (read-only),
/// and for `BeforeFlush`, [`add`](Self::add) and [`delete`](Self::delete).
#[derive(Clone, Copy)]
pub struct SessionContext<'a> {
    event: SessionEvent,
    session: &'a Session,
    changes: &'a RefCell<Vec<SessionChange>>,
    criteria: &'a RefCell<Vec<LoaderCriteria>>,
    orm: Option<&'a OrmExecute<'a>>,
}

impl fmt::Debug for SessionContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionContext")
            .field("event", &self.event)
            .finish_non_exhaustive()
    }
}

impl<'a> SessionContext<'a> {
    /// Which event fired.
    pub fn event(&self) -> SessionEvent {
        self.event
    }

    /// The session: its pending objects (`new_objects`, `dirty_objects`,
    /// `deleted_objects`), `in_transaction()`, its engine.
    pub fn session(&self) -> &'a Session {
        self.session
    }

    /// `BeforeFlush` only: [`Session::add`] `obj`, as part of the flush that
    /// is starting (a new object is inserted by it, a changed one updated).
    /// Applied when the listener returns; other events refuse it with
    /// `InvalidRequest`.
    pub fn add<M: Model>(&self, obj: M) -> Result<()> {
        self.change("add", Box::new(move |s: &mut Session| s.add(obj)))
    }

    /// `BeforeFlush` only: [`Session::delete`] `obj`, as part of the flush
    /// that is starting. Applied when the listener returns; other events
    /// refuse it with `InvalidRequest`.
    pub fn delete<M: Model>(&self, obj: &M) -> Result<()> {
        let obj = obj.clone();
        self.change("delete", Box::new(move |s: &mut Session| s.delete(&obj)))
    }

    /// `DoOrmExecute` only: add [`with_loader_criteria::<M>(cond)`](crate::with_loader_criteria)
    /// to the query about to run (and its relationship loads). Other events
    /// refuse it with `InvalidRequest`.
    pub fn add_criteria<M: Model>(&self, cond: Expr<bool>) -> Result<()> {
        self.add_option(crate::with_loader_criteria::<M>(cond))
    }

    /// `DoOrmExecute` only: add loader criteria built elsewhere to the query
    /// about to run. Other events refuse it with `InvalidRequest`.
    pub fn add_option(&self, criteria: LoaderCriteria) -> Result<()> {
        if self.event != SessionEvent::DoOrmExecute {
            return Err(Error::invalid_request(format!(
                "SessionContext::add_criteria in a {:?} listener: only DoOrmExecute listeners \
                 add criteria to a query; use select(..).options(with_loader_criteria::<M>(..)) \
                 or session.add_loader_criteria(..)",
                self.event
            )));
        }
        self.criteria.borrow_mut().push(criteria);
        Ok(())
    }

    /// `DoOrmExecute` only: which ORM operation is about to run (`None` in
    /// other events).
    pub fn statement_kind(&self) -> Option<OrmStatementKind> {
        self.orm.map(|o| o.kind)
    }

    /// `DoOrmExecute` for a [`OrmStatementKind::Select`] only: the query
    /// about to run, as earlier listeners left it (`None` otherwise). Global
    /// criteria are added after the listeners ran, so they are not in it.
    pub fn select(&self) -> Option<SelectView<'a>> {
        self.orm?.select()
    }

    /// `DoOrmExecute` for a [`OrmStatementKind::Select`]: change the query
    /// about to run (SQLAlchemy's `orm_execute_state.statement = ..`): its
    /// WHERE, joins, ORDER BY, LIMIT / OFFSET, DISTINCT, FOR UPDATE. The
    /// result columns must stay (the rows decode into the entities the
    /// caller selected): a change to them is an `ArgumentError` and is
    /// undone. Other operations and events refuse it with `InvalidRequest`.
    ///
    /// ```
    /// use oxalchemy_orm::events::{self, SessionContext, SessionEvent};
    /// # fn demo(engine: &oxalchemy_pool::Engine) {
    /// // Cap every ORM query at 1000 rows.
    /// events::listen_session(engine, SessionEvent::DoOrmExecute, |ctx: &SessionContext| {
    ///     if ctx.select().is_some_and(|q| q.limit.is_none()) {
    ///         ctx.rewrite_select(|q| q.limit = Some(1000))?;
    ///     }
    ///     Ok(())
    /// });
    /// # }
    /// ```
    pub fn rewrite_select(&self, f: impl FnOnce(&mut SelectCore)) -> Result<()> {
        self.orm_execute("rewrite_select")?.rewrite(f)
    }

    /// `DoOrmExecute` only: AND `cond` into the WHERE of the statement about
    /// to run: the query of `session.scalars(..)` or `session.get(..)`, or a
    /// bulk UPDATE / DELETE (whose synchronization with the identity map then
    /// sees it too). Unlike [`add_criteria`](Self::add_criteria) it does not
    /// follow the model into joins and relationship loads; for
    /// `session.load(..)` it is an `InvalidRequest` (use `add_criteria`).
    pub fn filter(&self, cond: impl ExprLike) -> Result<()> {
        self.orm_execute("filter")?.filter(cond.into_node())
    }

    fn orm_execute(&self, what: &str) -> Result<&'a OrmExecute<'a>> {
        self.orm.ok_or_else(|| {
            Error::invalid_request(format!(
                "SessionContext::{what} in a {:?} listener: only DoOrmExecute listeners see the                  ORM statement about to run",
                self.event
            ))
        })
    }

    fn change(&self, what: &str, change: SessionChange) -> Result<()> {
        if self.event != SessionEvent::BeforeFlush {
            return Err(Error::invalid_request(format!(
                "SessionContext::{what} in a {:?} listener: only BeforeFlush listeners change                  the objects of the flush; call session.{what}(..) outside the listener",
                self.event
            )));
        }
        self.changes.borrow_mut().push(change);
        Ok(())
    }
}

type SessionListenerFn = dyn Fn(&SessionContext<'_>) -> Result<()> + Send + Sync;

/// The session listeners of one engine.
#[derive(Default)]
pub(crate) struct SessionListeners {
    listeners: ListenerList<SessionEvent, SessionListenerFn>,
}

impl fmt::Debug for SessionListeners {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionListeners")
            .field("listeners", &self.listeners)
            .finish()
    }
}

impl SessionListeners {
    /// The listeners of `engine`'s sessions.
    pub(crate) fn of(engine: &Engine) -> Arc<SessionListeners> {
        engine.extension::<SessionListeners>()
    }

    /// True when `event` has a listener (one atomic load).
    #[inline]
    pub(crate) fn has(&self, event: SessionEvent) -> bool {
        self.listeners.has(event)
    }

    /// Run the listeners of `event` in registration order; the first `Err`
    /// (or panic, as an `InvalidRequest` naming the event) stops them. The
    /// changes `BeforeFlush` listeners asked for, to apply in order.
    pub(crate) fn fire(
        &self,
        event: SessionEvent,
        session: &Session,
    ) -> Result<Vec<SessionChange>> {
        if !self.has(event) {
            return Ok(Vec::new());
        }
        let changes = RefCell::new(Vec::new());
        self.run(event, session, &changes, &RefCell::new(Vec::new()), None)?;
        Ok(changes.into_inner())
    }

    /// Run the `DoOrmExecute` listeners for a `kind` operation (`select`:
    /// its query, for `Select`); the criteria they added and their changes
    /// to the statement.
    pub(crate) fn fire_orm_execute(
        &self,
        session: &Session,
        kind: OrmStatementKind,
        select: Option<&SelectCore>,
    ) -> Result<(Vec<LoaderCriteria>, OrmRewrite)> {
        let event = SessionEvent::DoOrmExecute;
        if !self.has(event) {
            return Ok((Vec::new(), OrmRewrite::default()));
        }
        let criteria = RefCell::new(Vec::new());
        let orm = OrmExecute::new(kind, select);
        self.run(
            event,
            session,
            &RefCell::new(Vec::new()),
            &criteria,
            Some(&orm),
        )?;
        Ok((criteria.into_inner(), orm.into_rewrite()))
    }

    fn run(
        &self,
        event: SessionEvent,
        session: &Session,
        changes: &RefCell<Vec<SessionChange>>,
        criteria: &RefCell<Vec<LoaderCriteria>>,
        orm: Option<&OrmExecute<'_>>,
    ) -> Result<()> {
        let list = self.listeners.snapshot();
        let ctx = SessionContext {
            event,
            session,
            changes,
            criteria,
            orm,
        };
        for r in list.iter().filter(|r| r.event == event) {
            call_listener(&|| format!("the {event:?} session listener"), || {
                (r.f)(&ctx)
            })?;
        }
        Ok(())
    }

    fn add(&self, event: SessionEvent, f: Arc<SessionListenerFn>) -> u64 {
        self.listeners.add(event, f)
    }

    fn remove(&self, id: u64) -> bool {
        self.listeners.remove(id)
    }
}

/// Identifies a session listener; [`remove`](Self::remove) unregisters it.
/// Dropping the handle keeps the listener.
pub struct SessionListenerHandle {
    id: u64,
    event: SessionEvent,
    listeners: Weak<SessionListeners>,
}

impl fmt::Debug for SessionListenerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionListenerHandle")
            .field("id", &self.id)
            .field("event", &self.event)
            .finish()
    }
}

impl SessionListenerHandle {
    /// The event the listener was registered for.
    pub fn event(&self) -> SessionEvent {
        self.event
    }

    /// Unregister the listener; false when it was already removed (or its
    /// engine is gone).
    pub fn remove(self) -> bool {
        self.listeners.upgrade().is_some_and(|l| l.remove(self.id))
    }
}

/// Register `listener` for `event` on every session of `engine` (and of its
/// clones), sessions created before included.
///
/// A listener that returns `Err` (or panics) stops the operation it
/// observes: `BeforeFlush` and `AfterFlush` abort the flush (the transaction
/// rolls back, the pending work stays); `AfterFlushPostexec` fails the flush
/// after the fact (the transaction rolls back); `BeforeCommit` fails
/// `commit()` before anything is flushed; `AfterCommit` makes `commit()`
/// return the error after the commit; `AfterBegin` fails the statement that
/// checked the connection out. The error of an `AfterRollback` listener is
/// returned by `rollback()`; after a failed flush or commit it is logged and
/// the original error returned.
///
/// ```
/// use oxalchemy_orm::events::{self, SessionContext, SessionEvent};
/// # fn demo(engine: &oxalchemy_pool::Engine) {
/// let handle = events::listen_session(engine, SessionEvent::BeforeFlush, |ctx: &SessionContext| {
///     assert_eq!(ctx.event(), SessionEvent::BeforeFlush);
///     Ok(())
/// });
/// handle.remove();
/// # }
/// ```
pub fn listen_session<F>(engine: &Engine, event: SessionEvent, listener: F) -> SessionListenerHandle
where
    F: Fn(&SessionContext<'_>) -> Result<()> + Send + Sync + 'static,
{
    let listeners = SessionListeners::of(engine);
    let id = listeners.add(event, Arc::new(listener));
    SessionListenerHandle {
        id,
        event,
        listeners: Arc::downgrade(&listeners),
    }
}
