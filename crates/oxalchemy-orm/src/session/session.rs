//! `Session`: the identity map and unit of work over one pooled connection.

use super::cascade::{Cascader, SaveNode, apply_saved};
use super::exec::{Exec, Reader};
use super::flush::{self, FlushOutcome, SavedKind, Snapshots, key_condition};
use super::flush_hooks::FlushHooks;
use super::identity_map::{Entry, IdentityKey, IdentityMap, KeyMap, KeySet};
use super::info::SessionInfo;
use super::loaded_entities::entity_spans;
use super::model_info::ModelInfo;
use super::normalize::{column_types, normalize_row, normalized_copy};
use super::options::SessionOptions;
use super::orphans;
use super::scalars::Scalars;
use super::unit_of_work::{OpKind, Ticket, UnitOfWork};
use crate::events::{MapperEvent, OrmStatementKind, SessionEvent, SessionListeners};
use crate::loading::LoaderCriteria;
use crate::model::{Model, PrimaryKey};
use crate::result_shape::ResultShape;
use oxalchemy_core::{CursorResult, Error, Executable, Expr, Result, Select, Value, select};
use oxalchemy_pool::{Connection, Engine};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// What the current transaction did, to undo in the identity map when it
/// rolls back.
#[derive(Debug, Default)]
pub(super) struct TxLog {
    /// Identities inserted in this transaction (gone again after a rollback).
    pub(super) inserted: KeySet,
    /// Identities deleted in this transaction, as they were (back after a rollback).
    pub(super) deleted: KeyMap<Entry>,
    /// Every identity a flush of this transaction deleted (inserted by it
    /// or not): `add` of one of them is an error until it is expunged.
    pub(super) gone: KeySet,
    /// Identities this transaction updated (not inserted), as they were
    /// before its first write: a rollback puts them back, so a value added
    /// again after the rollback is diffed against the row as it is again.
    pub(super) updated: KeyMap<Entry>,
}

/// SQLAlchemy's `Session` with value semantics: the unit of work and the
/// identity map over one pooled connection.
///
/// The session hands out owned model values and keeps, per identity (table +
/// primary key), a snapshot of the row as last seen in the database. `add`
/// of a value whose identity it knows is an UPDATE of the columns that differ
/// from that snapshot; `add` of a new value (an autoincrement key left at 0,
/// or a key the session does not know) is an INSERT. `flush` writes the
/// pending changes in foreign-key order inside the session's transaction,
/// which begins with the first statement and ends at `commit()` /
/// `rollback()` (dropping the session rolls back).
///
/// `Session` is `Send + 'static` and every method's future is `Send`, so a
/// session can live in a web handler across `.await`s.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use oxalchemy_orm::Session;
/// use oxalchemy_pool::{Engine, EngineOptions};
/// # use std::sync::Arc;
/// # let driver = oxalchemy_sqlite::SqliteDriver::from_url("sqlite://")?;
/// # let engine = Engine::from_driver(Arc::new(driver), EngineOptions::default())?;
/// let mut session = Session::new(&engine);
/// let rows = session.execute(oxalchemy_core::text("SELECT 1")).await?;
/// assert_eq!(rows.len(), 1);
/// session.commit().await?;
/// # Ok::<(), oxalchemy_core::Error>(())
/// # }).unwrap();
/// ```
pub struct Session {
    pub(super) engine: Engine,
    pub(super) options: SessionOptions,
    /// The connection of the current transaction (checked out on first use,
    /// returned to the pool at commit / rollback).
    pub(super) conn: Option<Connection>,
    pub(super) identity_map: IdentityMap,
    pub(super) uow: UnitOfWork,
    pub(super) tx: TxLog,
    /// Models this session has handled (to recognize them in query results).
    known: Vec<ModelInfo>,
    /// The persisted values of the last flush, per `add` ticket (for `save`).
    results: HashMap<Ticket, Vec<Value>>,
    /// The session listeners of the engine (`events::listen_session`).
    pub(crate) listeners: Arc<SessionListeners>,
    /// Criteria added to every ORM query of this session (`add_loader_criteria`).
    pub(crate) loader_criteria: Vec<LoaderCriteria>,
    /// Application data (`info()`).
    info: SessionInfo,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("engine", &self.engine.url())
            .field("options", &self.options)
            .field("in_transaction", &self.in_transaction())
            .field("identities", &self.identity_map.len())
            .field("pending", &self.uow.len())
            .finish()
    }
}

impl Session {
    /// A session over `engine` (the handle is cloned: the session has no
    /// lifetime). No connection is checked out until the first statement.
    pub fn new(engine: &Engine) -> Session {
        Session::with_options(engine, SessionOptions::default())
    }

    /// A session with [`SessionOptions`] (`expire_on_commit`, `autoflush`).
    pub fn with_options(engine: &Engine, options: SessionOptions) -> Session {
        Session {
            engine: engine.clone(),
            options,
            conn: None,
            identity_map: IdentityMap::default(),
            uow: UnitOfWork::default(),
            tx: TxLog::default(),
            known: Vec::new(),
            results: HashMap::new(),
            listeners: SessionListeners::of(engine),
            loader_criteria: Vec::new(),
            info: SessionInfo::default(),
        }
    }

    /// Application data carried by this session (SQLAlchemy's
    /// `Session.info`), one value per type: session listeners read it
    /// through `ctx.session().info()`, e.g. the tenant of a request.
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    /// [`info`](Self::info), to add or change values:
    /// `session.info_mut().insert(TenantId(7))`.
    pub fn info_mut(&mut self) -> &mut SessionInfo {
        &mut self.info
    }

    /// The engine this session runs on.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The session's options.
    pub fn options(&self) -> SessionOptions {
        self.options
    }

    /// True while the session's transaction is open (it began with the first
    /// statement since the last commit or rollback).
    pub fn in_transaction(&self) -> bool {
        self.conn.as_ref().is_some_and(Connection::in_transaction)
    }

    pub(super) fn know(&mut self, info: ModelInfo) {
        if !self
            .known
            .iter()
            .any(|k| std::ptr::eq(k.mapper, info.mapper))
        {
            self.known.push(info);
        }
    }

    /// Register `obj` and, through the save-update cascades of its
    /// relationships, the objects they hold.
    pub(super) fn cascade_save(&mut self, obj: &dyn crate::AnyModel) -> Result<SaveNode> {
        let mut walk = Cascader::new(&mut self.uow, &self.identity_map);
        let node = walk.save(obj);
        for info in walk.into_models() {
            self.know(info);
        }
        node
    }

    /// Register `obj` to be written at the next flush: an INSERT when it is
    /// new (an autoincrement key left at 0, or a key this session does not
    /// know), else an UPDATE of only the columns that differ from the row as
    /// the session last saw it. Adding the same identity again before the
    /// flush replaces the earlier value.
    ///
    /// Relationships cascade as in SQLAlchemy (`save-update`, the default):
    /// the objects of loaded relationships, and items pushed to collections
    /// that were not loaded, are added too, their foreign keys set from
    /// their parent's key (generated keys are copied during the flush). A
    /// member a relationship was loaded with that is no longer in it was
    /// removed: unless the same flush gives it another parent (then it is
    /// moved), it is deleted (`delete-orphan`) or detached (its foreign key
    /// set to NULL). A collection built with `Related::from` replaces the
    /// rows that point at the parent (read at the flush). See the
    /// relationships guide.
    ///
    /// An object whose row a flush of this transaction deleted cannot be
    /// added again (SQLAlchemy raises the same): the next flush fails with
    /// `InvalidRequest`. To insert a new row with its key, `expunge` it first.
    pub fn add<M: Model>(&mut self, obj: M) {
        let persisted = obj.as_persisted();
        let info = ModelInfo::of_mapper(persisted.mapper());
        let values = persisted.to_values();
        if !info.key_is_unset(&values) {
            let key = IdentityKey::of_row(info, &values);
            if self.tx.gone.contains(&key) && self.uow.find(&key).is_none() {
                self.uow.set_error(Error::invalid_request(format!(
                    "add(): {} was deleted by a flush of this transaction; adding it again \
                     would insert a new row with the old key. If that is what you mean, \
                     expunge it first (session.expunge(&obj)) and add it again; to undo the \
                     delete, roll the transaction back",
                    info.describe(&values)
                )));
                return;
            }
        }
        if let Err(e) = self.cascade_save(obj.as_persisted()) {
            self.uow.set_error(e);
        }
    }

    /// [`add`](Self::add) each object.
    pub fn add_all<M: Model, I: IntoIterator<Item = M>>(&mut self, objs: I) {
        for obj in objs {
            self.add(obj);
        }
    }

    /// Add `obj` and flush now; returns the persisted value, with the keys
    /// and server defaults the database generated (its columns overwritten
    /// through [`Model::set_values`]).
    ///
    /// The loaded objects of its relationships are saved with it (see
    /// [`add`](Self::add)) and come back persisted too (generated keys and
    /// foreign keys filled in); items pushed to a collection that was not
    /// loaded are inserted and leave the pending list.
    pub async fn save<M: Model>(&mut self, mut obj: M) -> Result<M> {
        let node = self.cascade_save(obj.as_persisted())?;
        self.flush_keeping(true).await?;
        apply_saved(obj.as_persisted_mut(), &node, &self.results)?;
        Ok(obj)
    }

    /// [`save`](Self::save) several objects with one flush (INSERTs batched).
    pub fn save_all<M: Model, I: IntoIterator<Item = M>>(
        &mut self,
        objs: I,
    ) -> impl Future<Output = Result<Vec<M>>> + Send + '_ {
        // Collected before the first await, so the future does not hold the iterator.
        let objs: Result<Vec<(SaveNode, M)>> = objs
            .into_iter()
            .map(|obj| Ok((self.cascade_save(obj.as_persisted())?, obj)))
            .collect();
        async move {
            let objs = objs?;
            self.flush_keeping(true).await?;
            objs.into_iter()
                .map(|(node, mut obj)| {
                    apply_saved(obj.as_persisted_mut(), &node, &self.results)?;
                    Ok(obj)
                })
                .collect()
        }
    }

    /// Mark the row of `obj` for deletion at the next flush (children before
    /// parents). A new object that was only added is simply dropped (it has
    /// no row), with the new objects added through its relationships; an
    /// object the session never saw is deleted by its key.
    ///
    /// Relationships cascade as configured: with `delete` in the cascade
    /// (`"all"`), the related objects are deleted first (the loaded ones at
    /// once, the others read by the flush, unless `passive_deletes` leaves
    /// them to the database's `ON DELETE CASCADE`); without it, children's
    /// foreign keys are set to NULL (an error when the column is NOT NULL);
    /// many-to-many link rows are deleted. See the relationships guide.
    pub fn delete<M: Model>(&mut self, obj: &M) {
        let mut walk = Cascader::new(&mut self.uow, &self.identity_map);
        let result = walk.delete(obj.as_persisted());
        for info in walk.into_models() {
            self.know(info);
        }
        if let Err(e) = result {
            self.uow.set_error(e);
        }
    }

    /// Write every pending change now, in the session's transaction.
    ///
    /// A flush with nothing to write sends nothing. A flush that fails rolls
    /// back what it did and keeps the pending work, so the error can be
    /// inspected, the cause fixed (`add` a corrected value, `expunge` a bad
    /// one) and the flush retried; the session stays usable. As in
    /// SQLAlchemy, the whole transaction rolls back (work flushed earlier in
    /// it is undone, and the identity map is expired, as after `rollback()`).
    pub async fn flush(&mut self) -> Result<()> {
        self.flush_keeping(false).await
    }

    /// [`flush`](Self::flush); with `keep_results`, the persisted values are
    /// kept per ticket for `save` (a plain flush has no use for them).
    async fn flush_keeping(&mut self, keep_results: bool) -> Result<()> {
        self.results.clear();
        if let Some(e) = self.uow.take_error() {
            return Err(e);
        }
        if self.uow.is_empty() {
            return Ok(());
        }
        if self.listeners.has(SessionEvent::BeforeFlush) {
            // As SQLAlchemy: an error here stops the flush before anything is
            // sent; the objects listeners add or delete join this flush.
            let listeners = self.listeners.clone();
            for change in listeners.fire(SessionEvent::BeforeFlush, self)? {
                change(self);
            }
            if let Some(e) = self.uow.take_error() {
                return Err(e);
            }
            if self.uow.is_empty() {
                return Ok(());
            }
        }
        if self.conn.is_none() && self.listeners.has(SessionEvent::AfterBegin) {
            // Begin now, so AfterBegin fires before the flush's first read.
            self.connection().await?;
        }
        let ops = orphans::start(&self.uow);
        let mut reader = Reader {
            slot: &mut self.conn,
            engine: &self.engine,
        };
        let prepared = match orphans::read(ops, &self.uow, &self.identity_map, &mut reader).await {
            Ok(p) => p,
            Err(e) => {
                self.abort_transaction().await;
                return Err(e);
            }
        };
        let engine = self.engine.clone();
        let mut hooks = FlushHooks::new(&engine);
        let planned = flush::plan_flush(
            prepared.ops.into_ops(),
            &self.uow.collections(),
            Snapshots {
                map: &self.identity_map,
                read: &prepared.read,
            },
            &prepared.links,
            &mut hooks,
        );
        let plan = match planned {
            Ok(plan) => plan,
            Err(e) => {
                if hooks.failed {
                    // A mapper listener aborted the flush.
                    self.abort_transaction().await;
                }
                return Err(e);
            }
        };
        if plan.is_empty() {
            return self.finish_flush(plan.into_unchanged(), keep_results).await;
        }
        let dialect = engine.dialect();
        let conn = self.connection().await?;
        let mut exec = Exec {
            conn,
            engine: &engine,
        };
        match flush::execute(plan, &mut exec, &*dialect).await {
            Ok(outcome) => self.finish_flush(outcome, keep_results).await,
            Err(e) => {
                // As SQLAlchemy: the transaction rolls back; the pending work stays.
                self.abort_transaction().await;
                Err(e)
            }
        }
    }

    /// After the statements of a flush ran: `AfterFlush`, the outcome
    /// applied, `AfterFlushPostexec`. A listener error rolls back.
    async fn finish_flush(&mut self, outcome: FlushOutcome, keep_results: bool) -> Result<()> {
        if let Err(e) = self.fire(SessionEvent::AfterFlush) {
            self.abort_transaction().await;
            return Err(e);
        }
        self.apply(outcome, keep_results);
        if let Err(e) = self.fire(SessionEvent::AfterFlushPostexec) {
            self.abort_transaction().await;
            return Err(e);
        }
        Ok(())
    }

    /// Run the session listeners of `event` (one atomic load when there are none).
    #[inline]
    fn fire(&self, event: SessionEvent) -> Result<()> {
        if !self.listeners.has(event) {
            return Ok(());
        }
        // Only BeforeFlush listeners change objects (`SessionContext::add`).
        self.listeners.fire(event, self).map(drop)
    }

    /// Fire `AfterRollback` after a failed flush or commit: its error is
    /// logged (the caller returns the failure's own error).
    fn fire_after_failed_rollback(&self) {
        if let Err(e) = self.fire(SessionEvent::AfterRollback) {
            tracing::warn!(target: "oxalchemy::orm", "AfterRollback listener: {e}");
        }
    }

    /// Record a successful flush: snapshots of written rows, deletions, and
    /// the persisted values for `save`; the pending work is done.
    fn apply(&mut self, outcome: FlushOutcome, keep_results: bool) {
        for saved in outcome.saved {
            let values = if keep_results {
                self.results.insert(saved.ticket, saved.values.clone());
                saved.values
            } else {
                saved.values
            };
            match saved.kind {
                SavedKind::Inserted => {
                    // A key deleted earlier in the transaction may be reused
                    // (SQLite hands out the same rowid again).
                    self.tx.gone.remove(&saved.key);
                    self.tx.inserted.insert(saved.key.clone());
                    self.identity_map.put(saved.key, values);
                }
                SavedKind::Updated => {
                    let first_write = !self.tx.inserted.contains(&saved.key)
                        && !self.tx.updated.contains_key(&saved.key);
                    let before = self.identity_map.put_written(saved.key.clone(), values);
                    if first_write && let Some(before) = before {
                        self.tx.updated.insert(saved.key, before);
                    }
                }
                // An expired snapshot stays expired: nothing was read or written.
                SavedKind::Unchanged => {}
            }
        }
        for (key, positions) in &outcome.detached {
            if !self.tx.inserted.contains(key)
                && !self.tx.updated.contains_key(key)
                && let Some(before) = self.identity_map.get(key)
            {
                self.tx.updated.insert(key.clone(), before.clone());
            }
            self.identity_map.set_null(key, positions);
        }
        for (key, written) in &outcome.detach_writes {
            if !self.tx.inserted.contains(key)
                && !self.tx.updated.contains_key(key)
                && let Some(before) = self.identity_map.get(key)
            {
                self.tx.updated.insert(key.clone(), before.clone());
            }
            self.identity_map.set_columns(key, written);
        }
        for key in outcome.deleted {
            self.tx.gone.insert(key.clone());
            let entry = self.identity_map.remove(&key);
            if !self.tx.inserted.remove(&key)
                && let Some(entry) = entry
            {
                self.tx.deleted.insert(key, entry);
            }
        }
        self.uow.clear();
    }

    /// Flush, then COMMIT. The connection goes back to the pool; with
    /// `expire_on_commit` (the default) every snapshot is expired, so the
    /// next `get` reads the database again.
    pub async fn commit(&mut self) -> Result<()> {
        self.fire(SessionEvent::BeforeCommit)?;
        self.flush().await?;
        if let Some(mut conn) = self.conn.take()
            && let Err(e) = conn.commit().await
        {
            let _ = conn.rollback().await;
            drop(conn);
            self.after_rollback();
            self.fire_after_failed_rollback();
            return Err(e);
        }
        self.tx = TxLog::default();
        if self.options.expires_on_commit() {
            self.identity_map.expire_all();
        }
        self.fire(SessionEvent::AfterCommit)
    }

    /// Roll the transaction back and discard every pending change (new
    /// objects are forgotten, as SQLAlchemy expunges pending objects). Rows
    /// inserted in the transaction leave the identity map, rows deleted in it
    /// come back, and every snapshot is expired.
    pub async fn rollback(&mut self) -> Result<()> {
        self.uow.clear();
        self.results.clear();
        let (result, began) = match self.conn.take() {
            Some(mut conn) => (conn.rollback().await, true),
            None => (Ok(()), false),
        };
        self.after_rollback();
        result?;
        if began {
            self.fire(SessionEvent::AfterRollback)?;
        }
        Ok(())
    }

    /// Roll back after a failed flush or commit, keeping the pending work.
    async fn abort_transaction(&mut self) {
        let began = self.conn.is_some();
        if let Some(mut conn) = self.conn.take() {
            // An error here means the connection is already gone (and discarded).
            let _ = conn.rollback().await;
        }
        self.after_rollback();
        if began {
            self.fire_after_failed_rollback();
        }
    }

    /// Undo the transaction's effects on the identity map.
    fn after_rollback(&mut self) {
        let log = std::mem::take(&mut self.tx);
        for key in &log.inserted {
            self.identity_map.remove(key);
        }
        for (key, entry) in log.deleted {
            self.identity_map.restore(key, entry);
        }
        // Rows this transaction updated are as they were before it again
        // (for a row also deleted, this is its state before the update).
        for (key, entry) in log.updated {
            self.identity_map.restore(key, entry);
        }
        self.identity_map.expire_all();
        let map = &self.identity_map;
        self.uow
            .after_rollback(|key| map.contains(key), &log.inserted);
    }

    /// Roll back, forget every object and pending change (SQLAlchemy's `close`).
    /// The session stays usable.
    pub async fn close(&mut self) -> Result<()> {
        let result = self.rollback().await;
        self.identity_map.clear();
        result
    }

    /// The session's connection, checked out (and its transaction begun with
    /// the first statement) on first use.
    pub(super) async fn connection(&mut self) -> Result<&mut Connection> {
        if self.conn.is_none() {
            self.conn = Some(self.engine.connect().await?);
            self.fire(SessionEvent::AfterBegin)?;
        }
        match &mut self.conn {
            Some(conn) => Ok(conn),
            None => unreachable!("the connection was just checked out"),
        }
    }

    pub(super) async fn autoflush(&mut self) -> Result<()> {
        if self.options.autoflushes() && self.uow.needs_flush() {
            // Boxed: the flush's state machine is large, and every query
            // (`get`, `scalars`) embeds this future; most autoflushes have
            // nothing to do and now cost neither the call nor the space.
            Box::pin(self.flush()).await?;
        }
        Ok(())
    }

    /// The object of identity `key` as the session knows it without SQL:
    /// `Some(Some(values))` (loaded, or changed and not yet flushed),
    /// `Some(None)` (deleted and not yet flushed), `None` (ask the database).
    fn lookup(&self, key: &IdentityKey) -> Option<Option<Vec<Value>>> {
        if let Some(op) = self.uow.find(key) {
            match op.kind {
                OpKind::Delete => return Some(None),
                OpKind::Update => return Some(Some(op.values.clone())),
                OpKind::Insert => return None,
            }
        }
        self.identity_map
            .get(key)
            .filter(|e| !e.expired)
            .map(|e| Some(e.snapshot.clone()))
    }

    /// The object of type `M` with primary key `pk` (a tuple for a composite
    /// key), or `None`. Served from the identity map without SQL when the
    /// session holds an unexpired snapshot; otherwise (after an autoflush)
    /// one SELECT, whose row becomes the snapshot.
    pub fn get<M: Model>(
        &mut self,
        pk: M::PrimaryKey,
    ) -> impl Future<Output = Result<Option<M>>> + Send + '_ {
        let key_values = pk.into_key_values();
        async move { self.get_by_key::<M>(key_values).await }
    }

    async fn get_by_key<M: Model>(&mut self, key_values: Vec<Value>) -> Result<Option<M>> {
        let info = ModelInfo::of::<M>();
        if info.mapper.inheritance.is_some() {
            info.mapper.configured()?;
        }
        self.know(info);
        let pk = info.pk_positions();
        if key_values.len() != pk.len() {
            let names: Vec<&str> = pk.iter().map(|&i| info.mapper.columns[i].name).collect();
            return Err(Error::argument(format!(
                "get::<{}>() was given {} key value(s), but its primary key has {} column(s) ({}); \
                 pass one value per key column, as a tuple for a composite key",
                info.mapper.model,
                key_values.len(),
                pk.len(),
                names.join(", ")
            )));
        }
        let key = IdentityKey::of_key(info, &key_values);
        if let Some(found) = self.lookup(&key) {
            let Some(values) = found else {
                return Ok(None);
            };
            if info.mapper.inheritance.is_none() {
                return M::from_values(values).map(Some);
            }
            if let Some(poly) = info.mapper.polymorphic() {
                // The held row is of one class: as that variant of the enum.
                let held = ModelInfo::of_mapper(poly_class(poly, &values));
                if let Some(i) = poly
                    .variants
                    .iter()
                    .position(|v| std::ptr::eq(v.mapper, held.mapper))
                    && values.len() == held.mapper.columns.len()
                {
                    return M::from_values(poly.enum_values(i, values)).map(Some);
                }
            }
            // One identity per row for the whole hierarchy: the held row
            // may be of a parent class (read it again) or another class.
            match crate::inheritance::fit_snapshot(info.mapper, values) {
                crate::inheritance::Fit::Use(v) => return M::from_values(v).map(Some),
                crate::inheritance::Fit::Other => return Ok(None),
                crate::inheritance::Fit::Query => {}
            }
        }
        self.autoflush().await?;
        if let Some(found) = self.lookup(&key) {
            return found.map(M::from_values).transpose();
        }
        // Build the row as a full value so the key condition reads it by position.
        let mut row = vec![Value::Null; info.mapper.columns.len()];
        for (&i, v) in pk.iter().zip(key_values) {
            row[i] = v;
        }
        let (criteria, rewrite) = self.orm_criteria(Vec::new(), OrmStatementKind::Get, None)?;
        let criteria = match (criteria.for_mapper(info.mapper), rewrite.filter) {
            (Some(c), Some(f)) => Some(c.and(f)),
            (c, f) => c.or(f),
        };
        match self
            .select_row(info, &row, criteria, MapperEvent::Load)
            .await?
        {
            Some(snapshot) => M::from_values(snapshot).map(Some),
            None => Ok(None),
        }
    }

    /// SELECT the row of `info` whose key is in `row`; store it as the snapshot.
    /// `event` (`Load` for `get`, `Refresh` for `refresh`) fires on the row
    /// read; `criteria` (the loader criteria of `get`) are added to the WHERE.
    async fn select_row(
        &mut self,
        info: ModelInfo,
        row: &[Value],
        criteria: Option<oxalchemy_core::expr::Node>,
        event: MapperEvent,
    ) -> Result<Option<Vec<Value>>> {
        let mut cond = key_condition(info, row);
        if let Some(c) = criteria {
            cond = cond.and(c);
        }
        let stmt: Select = if info.mapper.inheritance.is_some() {
            // The subclass's tables joined, its discriminator values required.
            let mut core = oxalchemy_core::stmt::SelectCore::default();
            crate::inheritance::push_entity(info.mapper, &mut core);
            Select::from_core(core).filter(Expr::<bool>::new(cond))
        } else {
            select(info.columns()).filter(Expr::<bool>::new(cond))
        };
        let conn = self.connection().await?;
        let result = conn.execute(stmt).await?;
        let Some(found) = result.into_rows().into_iter().next() else {
            return Ok(None);
        };
        let snapshot = normalize_row(info.mapper, found.into_values());
        let key = IdentityKey::of_row(info, &snapshot);
        match info.mapper.polymorphic() {
            // The identity map holds the row as its own class.
            Some(poly) => {
                let i = poly.variant_of(&snapshot)?;
                self.identity_map
                    .put(key, poly.variant_values(i, &snapshot));
            }
            None => self.identity_map.put(key, snapshot.clone()),
        }
        let mut loaded = snapshot;
        if info.state.listeners.has(event) {
            info.state
                .listeners
                .fire(event, info.mapper.model, &self.engine, &mut loaded)?;
        }
        Ok(Some(loaded))
    }

    /// Read the row of `obj` again and overwrite its columns (relationship
    /// fields untouched); an unflushed change of it is discarded. Fails with
    /// `InvalidRequest` when the row does not exist.
    pub async fn refresh<M: Model>(&mut self, obj: &mut M) -> Result<()> {
        let info = ModelInfo::of::<M>();
        self.know(info);
        let values = obj.to_values();
        if info.key_is_unset(&values) {
            return Err(Error::invalid_request(format!(
                "refresh(): {} has no primary key yet ({}), so it has no row to read; save it \
                 first (session.save returns it with its key)",
                info.mapper.model,
                info.describe(&values)
            )));
        }
        let key = IdentityKey::of_row(info, &values);
        self.uow.forget_update(&key);
        self.autoflush().await?;
        match self
            .select_row(info, &values, None, MapperEvent::Refresh)
            .await?
        {
            Some(snapshot) => obj.set_values(snapshot),
            None => Err(Error::invalid_request(format!(
                "refresh(): could not refresh {}: the row does not exist (it was deleted, or its \
                 INSERT was rolled back); expunge it or add it again",
                info.describe(&values)
            ))),
        }
    }

    /// Forget `obj`: its snapshot and any pending change of it. A later `add`
    /// of it is an INSERT again.
    pub fn expunge<M: Model>(&mut self, obj: &M) {
        let info = ModelInfo::of::<M>();
        let values = obj.to_values();
        self.uow.forget(info, &values);
        if !info.key_is_unset(&values) {
            let key = IdentityKey::of_row(info, &values);
            self.identity_map.remove(&key);
            self.tx.inserted.remove(&key);
            // Forgotten: a rollback no longer puts a deleted row's snapshot
            // back, and it may be added again as a new row.
            self.tx.deleted.remove(&key);
            self.tx.gone.remove(&key);
            self.tx.updated.remove(&key);
        }
    }

    /// Forget every object and pending change (the transaction stays open).
    pub fn expunge_all(&mut self) {
        self.uow.clear();
        self.identity_map.clear();
        self.tx.inserted.clear();
        self.tx.deleted.clear();
        self.tx.gone.clear();
        self.tx.updated.clear();
    }

    /// Expire every snapshot: the next `get` of each reads the database
    /// again. As in SQLAlchemy, unflushed changes of known objects are
    /// discarded (new and deleted objects stay pending).
    pub fn expire_all(&mut self) {
        self.identity_map.expire_all();
        self.uow.forget_updates();
    }

    /// Expire the snapshot of `obj` (and discard its unflushed change).
    pub fn expire<M: Model>(&mut self, obj: &M) {
        let info = ModelInfo::of::<M>();
        let values = obj.to_values();
        if info.key_is_unset(&values) {
            return;
        }
        let key = IdentityKey::of_row(info, &values);
        self.identity_map.expire(&key);
        self.uow.forget_update(&key);
    }

    /// True when the session holds a snapshot of `obj`'s identity.
    pub fn contains<M: Model>(&self, obj: &M) -> bool {
        let info = ModelInfo::of::<M>();
        let values = obj.to_values();
        !info.key_is_unset(&values)
            && self
                .identity_map
                .contains(&IdentityKey::of_row(info, &values))
    }

    fn pending_of<M: Model>(&self, kind: OpKind) -> Vec<M> {
        self.uow
            .of_kind(kind, M::mapper())
            .filter_map(|op| M::from_values(op.values.clone()).ok())
            .collect()
    }

    /// The new objects of type `M` waiting for the next flush (SQLAlchemy's `session.new`).
    pub fn new_objects<M: Model>(&self) -> Vec<M> {
        self.pending_of(OpKind::Insert)
    }

    /// The known objects of type `M` added with changes not yet flushed
    /// (SQLAlchemy's `session.dirty`).
    pub fn dirty_objects<M: Model>(&self) -> Vec<M> {
        let info = ModelInfo::of::<M>();
        let pk = info.pk_positions();
        self.uow
            .of_kind(OpKind::Update, M::mapper())
            .filter(|op| {
                let snapshot = op.key.as_ref().and_then(|k| self.identity_map.get(k));
                snapshot.is_none_or(|e| {
                    op.values
                        .iter()
                        .enumerate()
                        .any(|(i, v)| !pk.contains(&i) && e.snapshot.get(i) != Some(v))
                })
            })
            .filter_map(|op| M::from_values(op.values.clone()).ok())
            .collect()
    }

    /// The objects of type `M` marked for deletion (SQLAlchemy's `session.deleted`).
    pub fn deleted_objects<M: Model>(&self) -> Vec<M> {
        self.pending_of(OpKind::Delete)
    }

    /// Run a query whose rows decode into models, tuples or values:
    /// `session.scalars(select(User).filter(..)).all().await?`.
    pub fn scalars<R: ResultShape>(&mut self, stmt: Select<R>) -> Scalars<'_, R> {
        Scalars::new(self, stmt)
    }

    /// Run the rows of a SELECT (after an autoflush) and reconcile the whole
    /// entities it returns with the identity map (SQLAlchemy's rule: the
    /// identity map wins). A row of an identity the session holds unexpired
    /// comes back as the session's state (its pending change if one was
    /// added, else its snapshot), so the diff base of a value is the state it
    /// was handed out with; a new or expired identity takes the fresh row as
    /// its snapshot. With `populate` (the query's `populate_existing()`)
    /// every row is fresh: it overwrites the snapshot and discards an
    /// unflushed change.
    pub(crate) async fn query_rows<R>(
        &mut self,
        stmt: &Select<R>,
        populate: bool,
    ) -> Result<Vec<Vec<Value>>> {
        self.query_rows_filled(stmt, populate, None).await
    }

    /// [`query_rows`](Self::query_rows); with `selectin`, the statement is
    /// `selectin_polymorphic`'s rewrite of `selectin.columns` (the query as
    /// written, whose entities are reconciled) and the joined tables' columns
    /// of those enums are read by one statement per table before that.
    pub(crate) async fn query_rows_filled<R>(
        &mut self,
        stmt: &Select<R>,
        populate: bool,
        selectin: Option<&super::polymorphic_fill::SelectinPolymorphic>,
    ) -> Result<Vec<Vec<Value>>> {
        self.autoflush().await?;
        let spans = match selectin {
            None => entity_spans(&stmt.core().columns, &self.known),
            Some(s) => {
                // The entities as written (before the NULLs of the rewrite).
                let mut columns = stmt.core().columns.clone();
                for (slot, c) in columns.iter_mut().zip(&s.columns) {
                    *slot = c.clone();
                }
                entity_spans(&columns, &self.known)
            }
        };
        let compiled = self.engine.compile(stmt)?;
        let conn = self.connection().await?;
        let result = conn.execute_compiled(compiled).await?;
        let mut rows: Vec<Vec<Value>> = result
            .into_rows()
            .into_iter()
            .map(|r| r.into_values())
            .collect();
        if let Some(selectin) = selectin {
            self.fill_joined_tables(selectin, &mut rows).await?;
        }
        let types: Vec<_> = spans
            .iter()
            .map(|span| column_types(span.info.mapper))
            .collect();
        // Asked once per query, not per row.
        let loads: Vec<bool> = spans
            .iter()
            .map(|span| span.info.state.listeners.has(MapperEvent::Load))
            .collect();
        // Asked once per query: the spans that are polymorphic enums.
        let polys: Vec<Option<&'static crate::Polymorphic>> = spans
            .iter()
            .map(|span| span.info.mapper.polymorphic())
            .collect();
        for row in &mut rows {
            for (((span, types), &load), poly) in spans.iter().zip(&types).zip(&loads).zip(&polys) {
                let n = span.info.mapper.columns.len();
                let Some(part) = row.get_mut(span.offset..span.offset + n) else {
                    continue;
                };
                // The row goes to the caller as it is; the snapshot is its
                // one normalized copy.
                let snapshot = normalized_copy(types, part);
                if span.info.key_is_unset(&snapshot) {
                    continue; // an outer join's missing side
                }
                if let Some(poly) = poly {
                    self.reconcile_variant(poly, part, &snapshot, populate)?;
                    continue;
                }
                let key = IdentityKey::of_row(span.info, &snapshot);
                if populate {
                    self.uow.forget_update(&key);
                } else if !self.uow.is_empty()
                    && let Some(op) = self.uow.find(&key)
                    && op.kind == OpKind::Update
                    && op.values.len() == part.len()
                {
                    // An unflushed change (autoflush off) is the session's state.
                    part.clone_from_slice(&op.values);
                    continue;
                }
                if let Some(held) = self.identity_map.reconcile(key, snapshot, populate) {
                    part.clone_from_slice(held);
                } else if load {
                    // A row the session did not hold: SQLAlchemy's `load`.
                    let mut loaded = part.to_vec();
                    let info = span.info;
                    info.state.listeners.fire(
                        MapperEvent::Load,
                        info.mapper.model,
                        &self.engine,
                        &mut loaded,
                    )?;
                    part.clone_from_slice(&loaded);
                }
            }
        }
        Ok(rows)
    }

    /// [`query_rows`](Self::query_rows) for a row of a polymorphic enum: the
    /// identity map holds it as the class its discriminator names, and the
    /// session's state of that object wins as for any row.
    fn reconcile_variant(
        &mut self,
        poly: &'static crate::Polymorphic,
        part: &mut [Value],
        snapshot: &[Value],
        populate: bool,
    ) -> Result<()> {
        let i = poly.variant_of(snapshot)?;
        let variant = poly.variant_values(i, snapshot);
        let info = ModelInfo::of_mapper(poly.variants[i].mapper);
        self.know(info);
        let key = IdentityKey::of_row(info, &variant);
        let write_back = |part: &mut [Value], values: &[Value]| {
            for (&p, v) in poly.variants[i].positions.iter().zip(values) {
                part[p] = v.clone();
            }
        };
        if populate {
            self.uow.forget_update(&key);
        } else if !self.uow.is_empty()
            && let Some(op) = self.uow.find(&key)
            && op.kind == OpKind::Update
            && op.values.len() == variant.len()
        {
            write_back(part, &op.values);
            return Ok(());
        }
        if let Some(held) = self.identity_map.reconcile(key, variant, populate) {
            write_back(part, held);
        }
        Ok(())
    }

    /// Run any statement (after an autoflush) in the session's transaction
    /// and return Core-style rows: `select((User::NAME, Address::EMAIL))`,
    /// aggregates, `update(..)`, `text(..)`.
    pub async fn execute<E: Executable>(&mut self, stmt: E) -> Result<CursorResult> {
        if stmt.front_end_options() > 0 {
            return Err(Error::argument(
                "session.execute(..) returns rows, so the statement's loader options \
                 (selectinload(..), joinedload(..), ..) and populate_existing() would be ignored: \
                 use session.scalars(..), which decodes models and applies them, or build the \
                 query without .options(..)",
            ));
        }
        self.autoflush().await?;
        if super::bulk_dml::orm_dml(&stmt).is_some() {
            return self
                .execute_orm_dml(&stmt, super::bulk_dml::SynchronizeSession::Auto)
                .await;
        }
        let conn = self.connection().await?;
        let result = conn.execute(stmt).await?;
        Ok(result)
    }
}

/// The class of a held row of `poly`'s hierarchy (by its discriminator;
/// the base when it names none of the variants).
fn poly_class(poly: &crate::Polymorphic, values: &[Value]) -> &'static crate::Mapper {
    let base = poly.variants[0].mapper.base_mapper();
    let Some(pos) = base.discriminator_position() else {
        return base;
    };
    let value = values.get(pos);
    poly.variants
        .iter()
        .find(|v| v.identity.as_ref() == value)
        .map_or(base, |v| v.mapper)
}
