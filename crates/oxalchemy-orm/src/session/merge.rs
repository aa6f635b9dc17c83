//! `session.merge(value)`: SQLAlchemy's `Session.merge` with value semantics.
//!
//! A value that did not come from this session (deserialized from a request,
//! read by another session, kept across a commit) is copied onto the
//! persistent state of its identity: the session loads the row when it does
//! not hold it fresh (one SELECT per model for the whole value, its loaded
//! relationships included), checks the value's `version_id` against it, and
//! registers the value as `add` does, so the flush writes the columns that
//! differ from the row. A value whose row does not exist is inserted.

use super::flush::keys_condition;
use super::identity_map::IdentityKey;
use super::model_info::ModelInfo;
use super::normalize::normalize_row;
use super::session::Session;
use super::unit_of_work::OpKind;
use crate::any_model::AnyModel;
use crate::model::Model;
use oxalchemy_core::{Column, Error, Expr, Result, Select, Value, select};

/// Keys per IN list of the SELECTs `merge` sends.
const LOAD_CHUNK: usize = 500;

/// One object of a merged value: its model and column values.
struct Member {
    info: ModelInfo,
    values: Vec<Value>,
}

/// The objects `merge` (like `add`) reaches from `obj`: itself and the loaded
/// objects of its save-update relationships, to any depth, never following a
/// relationship back to where the walk came from.
fn collect(obj: &dyn AnyModel, back: Option<&'static str>, out: &mut Vec<Member>) -> Result<()> {
    // A polymorphic enum is merged as the variant it holds.
    let obj = obj.persisted();
    let mapper = obj.mapper();
    out.push(Member {
        info: ModelInfo::of_mapper(mapper),
        values: obj.to_values(),
    });
    for rel in mapper.relationships {
        if Some(rel.field) == back
            || !rel.cascade.save_update
            || !(rel.access.is_loaded)(obj.as_any())
        {
            continue;
        }
        mapper.state().resolved(rel)?;
        for item in (rel.access.loaded)(obj.as_any()) {
            collect(item, rel.back_populates, out)?;
        }
    }
    Ok(())
}

impl Session {
    /// Copy `value` onto the session's persistent state of its identity
    /// (SQLAlchemy's `merge`) and return it.
    ///
    /// Use `merge` for a value that came from outside this session (a
    /// request body, another session, a cache); use [`add`](Self::add) for
    /// a value this session handed out. The row of each identity the session
    /// does not hold fresh is loaded first (after an autoflush; one SELECT
    /// per model for the value and its loaded relationships), so the flush
    /// UPDATEs exactly the columns that differ from the row, and a value
    /// whose row does not exist is INSERTed. With `version_id`, a value whose
    /// version is not the row's is `StaleDataError` at once: another
    /// transaction changed the row since the value was read. A relationship
    /// the value holds loaded replaces the row's (members it lacks are
    /// orphaned or detached, as for `add`).
    ///
    /// See `docs/session.md` ("add or merge") for a worked example.
    pub async fn merge<M: Model>(&mut self, value: M) -> Result<M> {
        let mut members = Vec::new();
        collect(&value, None, &mut members)?;
        for m in &members {
            self.know(m.info);
        }
        // The identities the session does not hold fresh: their rows are loaded.
        let needs_load = |s: &Session, m: &Member| {
            if m.info.key_is_unset(&m.values) {
                return false;
            }
            let key = IdentityKey::of_row(m.info, &m.values);
            s.uow.find(&key).is_none() && s.identity_map.get(&key).is_none_or(|e| e.expired)
        };
        if members.iter().any(|m| needs_load(self, m)) {
            self.autoflush().await?;
            let missing: Vec<&Member> = members.iter().filter(|m| needs_load(self, m)).collect();
            self.load_rows(&missing).await?;
        }
        for m in &members {
            self.check_version(m)?;
        }
        self.cascade_save(&value)?;
        Ok(value)
    }

    /// SELECT the rows of `members` by key (per model, in IN lists) and
    /// make them the snapshots of their identities.
    async fn load_rows(&mut self, members: &[&Member]) -> Result<()> {
        let mut models: Vec<ModelInfo> = Vec::new();
        for m in members {
            if !models.iter().any(|i| std::ptr::eq(i.mapper, m.info.mapper)) {
                models.push(m.info);
            }
        }
        for info in models {
            let rows: Vec<&[Value]> = members
                .iter()
                .filter(|m| std::ptr::eq(m.info.mapper, info.mapper))
                .map(|m| m.values.as_slice())
                .collect();
            let columns: Vec<Column> = info.columns();
            for chunk in rows.chunks(LOAD_CHUNK) {
                let cond = Expr::<bool>::new(keys_condition(info, chunk));
                let stmt: Select = if info.mapper.inheritance.is_some() {
                    // A class of a hierarchy: through its joins and criterion.
                    let mut core = oxalchemy_core::stmt::SelectCore::default();
                    crate::inheritance::push_entity(info.mapper, &mut core);
                    Select::from_core(core).filter(cond)
                } else {
                    select(columns.clone()).filter(cond)
                };
                let conn = self.connection().await?;
                let result = conn.execute(stmt).await?;
                for row in result.into_rows() {
                    let snapshot = normalize_row(info.mapper, row.into_values());
                    let key = IdentityKey::of_row(info, &snapshot);
                    self.identity_map.put(key, snapshot);
                }
            }
        }
        Ok(())
    }

    /// A merged value must hold the version of the row it replaces.
    fn check_version(&self, m: &Member) -> Result<()> {
        let Some(p) = m.info.version_position() else {
            return Ok(());
        };
        if m.info.key_is_unset(&m.values) {
            return Ok(());
        }
        let key = IdentityKey::of_row(m.info, &m.values);
        let held = match self.uow.find(&key) {
            Some(op) if op.kind != OpKind::Insert => Some(&op.values),
            Some(_) => None,
            None => self.identity_map.get(&key).map(|e| &e.snapshot),
        };
        let Some(held) = held else {
            return Ok(()); // no row: an INSERT
        };
        let (given, current) = (&m.values[p], &held[p]);
        if given == current {
            return Ok(());
        }
        Err(Error::StaleDataError {
            message: format!(
                "merge(): {} holds version {given}, but the row is at version {current}: another \
                 transaction changed it since the value was read. Read it again (session.get, \
                 after session.expire_all or session.refresh), reapply the change and merge again",
                m.info.describe(&m.values),
            ),
        })
    }
}
