//! ORM-enabled bulk UPDATE and DELETE: `session.execute(update(User::table())
//! .filter(..).set(..))` runs the statement in the session's transaction and
//! then brings the identity map in line with it, as SQLAlchemy's
//! `synchronize_session` option says ([`SynchronizeSession`]).

use super::evaluate::{Evaluator, Unevaluatable};
use super::identity_map::IdentityKey;
use super::model_info::ModelInfo;
use super::normalize::normalize_value;
use super::session::Session;
use crate::events::OrmStatementKind;
use crate::registry::ModelRegistration;
use oxalchemy_core::{
    Column, CursorResult, DmlStatement, Error, Executable, Expr, Node, QueryResult, Result, Table,
    Value, select,
};

/// How `session.execute(..)` of an UPDATE or DELETE of a mapped table keeps
/// the objects of the identity map in line (SQLAlchemy's
/// `synchronize_session` execution option); pass it with
/// [`Session::execute_with`]. [`Session::execute`] uses `Auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SynchronizeSession {
    /// `Evaluate`, or `Fetch` when the WHERE clause or a SET value cannot be
    /// computed in Rust (SQLAlchemy 2's default, `"auto"`).
    #[default]
    Auto,
    /// Compute the WHERE clause against the objects the session holds: the
    /// matching ones get the SET values (DELETE: leave the identity map),
    /// without SQL. Supported: columns of the statement's table, literal
    /// values, `=` `<>` `<` `<=` `>` `>=`, `IS [NOT] NULL`, `[NOT] IN`,
    /// `AND` / `OR` / `NOT`, `+` `-` `*` on numbers and text concatenation;
    /// anything else is an
    /// `InvalidRequest` error before the statement runs.
    Evaluate,
    /// Find the primary keys of the affected rows in the database: with
    /// `RETURNING` where the backend has it for the statement (PostgreSQL,
    /// SQLite; MariaDB for DELETE), otherwise a SELECT of the keys in the
    /// same transaction before the statement. Objects with those keys get
    /// the SET values (expired when a value cannot be computed in Rust;
    /// DELETE: leave the identity map).
    Fetch,
    /// Do nothing: objects the session holds keep their old values (stale)
    /// until they are expired, refreshed or the transaction ends.
    False,
}

/// The statement's parts the synchronization reads.
struct Parts<'a> {
    table: &'a Table,
    where_: Option<&'a Node>,
    /// `Some` for an UPDATE.
    sets: Option<&'a [(std::borrow::Cow<'static, str>, Node)]>,
    has_returning: bool,
}

impl<'a> Parts<'a> {
    fn of(dml: DmlStatement<'a>) -> Option<Parts<'a>> {
        Some(match dml {
            DmlStatement::Update(u) => Parts {
                table: u.table(),
                where_: u.where_clause(),
                sets: Some(u.set_values()),
                has_returning: u.has_returning(),
            },
            DmlStatement::Delete(d) => Parts {
                table: d.table(),
                where_: d.where_clause(),
                sets: None,
                has_returning: d.has_returning(),
            },
            _ => return None,
        })
    }

    fn verb(&self) -> &'static str {
        if self.sets.is_some() {
            "UPDATE"
        } else {
            "DELETE"
        }
    }
}

/// The model mapped to `table`: the model whose table it is (a clone of
/// `Model::table()`), else the one model mapping a table of that name.
/// `None` for a Core table no model maps, or whose name several models
/// (of different declarative bases) map.
pub(crate) fn mapped_model(table: &Table) -> Option<ModelInfo> {
    let mappers = || {
        inventory::iter::<ModelRegistration>
            .into_iter()
            .map(|r| (r.mapper)())
    };
    if let Some(m) = mappers().find(|m| (m.table_fn)().is(table)) {
        return Some(ModelInfo::of_mapper(m));
    }
    let name = table.fullname();
    let mut named = mappers().filter(|m| (m.table_fn)().fullname() == name);
    match (named.next(), named.next()) {
        (Some(m), None) => Some(ModelInfo::of_mapper(m)),
        _ => None,
    }
}

/// An UPDATE or DELETE of a mapped table, with its model.
pub(crate) fn orm_dml<E: Executable + ?Sized>(stmt: &E) -> Option<ModelInfo> {
    let parts = Parts::of(stmt.as_dml()?)?;
    mapped_model(parts.table)
}

/// What the identity map does with the affected objects.
enum Affected {
    /// The identities the evaluated WHERE clause matched.
    Evaluated(Vec<IdentityKey>),
    /// The objects with these primary keys (in key order).
    Keys(Vec<Vec<Value>>),
}

impl Session {
    /// Run `stmt` as [`execute`](Session::execute) does, choosing how an
    /// UPDATE or DELETE of a mapped table synchronizes the identity map
    /// (SQLAlchemy's `execution_options(synchronize_session=..)`).
    ///
    /// Fails with `ArgumentError` when `stmt` is not an UPDATE or DELETE of
    /// a mapped table (the option would have nothing to do), and with
    /// `InvalidRequest` for [`SynchronizeSession::Evaluate`] when its WHERE
    /// clause or a SET value cannot be computed in Rust (nothing is run).
    pub async fn execute_with<E: Executable>(
        &mut self,
        stmt: E,
        sync: SynchronizeSession,
    ) -> Result<CursorResult> {
        if orm_dml(&stmt).is_none() {
            return Err(Error::argument(format!(
                "execute_with(.., SynchronizeSession::{sync:?}) applies to an UPDATE or DELETE of a \
                 mapped table (update(User::table()) / delete(User::table())); use \
                 session.execute(..) for other statements"
            )));
        }
        self.autoflush().await?;
        self.execute_orm_dml(&stmt, sync).await
    }

    /// Run an UPDATE or DELETE of a mapped table (the autoflush has run)
    /// and synchronize the identity map with it. The session's global
    /// criteria for the table's model (`add_loader_criteria`, and those
    /// `DoOrmExecute` listeners add) restrict it as they restrict queries:
    /// a tenant's bulk UPDATE never touches another tenant's rows.
    pub(super) async fn execute_orm_dml<E: Executable + ?Sized>(
        &mut self,
        stmt: &E,
        sync: SynchronizeSession,
    ) -> Result<CursorResult> {
        let Some(info) = orm_dml(stmt) else {
            return Err(Error::argument("not an UPDATE or DELETE of a mapped table"));
        };
        let kind = match stmt.as_dml() {
            Some(DmlStatement::Delete(_)) => OrmStatementKind::Delete,
            _ => OrmStatementKind::Update,
        };
        let (criteria, rewrite) = self.orm_criteria(Vec::new(), kind, None)?;
        let cond = match (criteria.for_mapper(info.mapper), rewrite.filter) {
            (Some(c), Some(f)) => Some(c.and(f)),
            (c, f) => c.or(f),
        };
        let Some(cond) = cond else {
            return self.run_orm_dml(stmt, sync).await;
        };
        let cond = oxalchemy_core::Expr::<bool>::new(cond);
        match stmt.as_dml() {
            Some(DmlStatement::Update(u)) => self.run_orm_dml(&u.clone().filter(cond), sync).await,
            Some(DmlStatement::Delete(d)) => self.run_orm_dml(&d.clone().filter(cond), sync).await,
            _ => Err(Error::argument("not an UPDATE or DELETE of a mapped table")),
        }
    }

    /// [`execute_orm_dml`](Self::execute_orm_dml) with the criteria in the statement.
    async fn run_orm_dml<E: Executable + ?Sized>(
        &mut self,
        stmt: &E,
        sync: SynchronizeSession,
    ) -> Result<CursorResult> {
        let (Some(dml), Some(info)) = (stmt.as_dml(), orm_dml(stmt)) else {
            return Err(Error::argument("not an UPDATE or DELETE of a mapped table"));
        };
        let Some(parts) = Parts::of(dml) else {
            return Err(Error::argument("not an UPDATE or DELETE of a mapped table"));
        };
        // Global criteria are in the WHERE already (`execute_orm_dml`), so the
        // statement run and the evaluation in Rust see the same condition.
        self.know(info);
        let evaluator = Evaluator::new(info);
        let evaluated = match sync {
            SynchronizeSession::Auto | SynchronizeSession::Evaluate => {
                match self.evaluate_matches(info, &evaluator, &parts) {
                    Ok(keys) => Some(keys),
                    Err(_) if sync == SynchronizeSession::Auto => None,
                    Err(Unevaluatable(what)) => {
                        return Err(Error::invalid_request(format!(
                            "synchronize_session Evaluate cannot compute {what} in Rust for the \
                             bulk {} of {}; use SynchronizeSession::Fetch or SynchronizeSession::False",
                            parts.verb(),
                            info.table_name()
                        )));
                    }
                }
            }
            _ => None,
        };
        let (result, affected) = match (sync, evaluated) {
            (SynchronizeSession::False, _) => {
                let conn = self.connection().await?;
                return conn.execute(stmt).await;
            }
            (_, Some(keys)) => {
                let conn = self.connection().await?;
                (conn.execute(stmt).await?, Affected::Evaluated(keys))
            }
            // Fetch, or Auto when the statement cannot be evaluated.
            (_, None) => {
                let (result, keys) = self.run_fetching_keys(stmt, dml, &parts, info).await?;
                (result, Affected::Keys(keys))
            }
        };
        self.synchronize(info, &evaluator, &parts, affected)?;
        Ok(result)
    }

    /// Run the statement and return the primary keys of the rows it
    /// touched: by RETURNING where the backend has it, else by a SELECT
    /// of the keys first (in the same transaction).
    async fn run_fetching_keys<E: Executable + ?Sized>(
        &mut self,
        stmt: &E,
        dml: DmlStatement<'_>,
        parts: &Parts<'_>,
        info: ModelInfo,
    ) -> Result<(CursorResult, Vec<Vec<Value>>)> {
        let pk: Vec<Column> = info
            .pk_positions()
            .iter()
            .map(|&i| parts.table.c(info.mapper.columns[i].name))
            .collect();
        let dialect = self.engine.dialect();
        let returning = !parts.has_returning
            && match dml {
                DmlStatement::Update(_) => dialect.supports_update_returning(),
                _ => dialect.supports_delete_returning(),
            };
        let conn = self.connection().await?;
        if returning {
            let result = match dml {
                DmlStatement::Update(u) => conn.execute(u.clone().returning(pk)).await?,
                DmlStatement::Delete(d) => conn.execute(d.clone().returning(pk)).await?,
                _ => return Err(Error::argument("not an UPDATE or DELETE")),
            };
            let keys: Vec<Vec<Value>> = result
                .into_rows()
                .into_iter()
                .map(|r| r.into_values())
                .collect();
            let count = keys.len() as u64;
            let result = CursorResult::from(QueryResult {
                rows_affected: count,
                ..QueryResult::default()
            });
            return Ok((result, keys));
        }
        let mut query = select(pk);
        if let Some(cond) = parts.where_ {
            query = query.filter(Expr::<bool>::new(cond.clone()));
        }
        let keys = conn
            .execute(query)
            .await?
            .into_rows()
            .into_iter()
            .map(|r| r.into_values())
            .collect();
        let result = conn.execute(stmt).await?;
        Ok((result, keys))
    }

    /// Give the affected objects of the identity map the SET values
    /// (expire them when a value cannot be computed), or remove them (DELETE).
    fn synchronize(
        &mut self,
        info: ModelInfo,
        evaluator: &Evaluator,
        parts: &Parts<'_>,
        affected: Affected,
    ) -> Result<()> {
        let keys: Vec<IdentityKey> = match affected {
            Affected::Keys(keys) => keys
                .iter()
                .map(|k| IdentityKey::of_key(info, k))
                .filter(|k| self.identity_map.contains(k))
                .collect(),
            Affected::Evaluated(keys) => keys,
        };
        match parts.sets {
            None => {
                for key in keys {
                    self.tx.gone.insert(key.clone());
                    let entry = self.identity_map.remove(&key);
                    if !self.tx.inserted.remove(&key)
                        && let Some(entry) = entry
                    {
                        self.tx.deleted.insert(key, entry);
                    }
                }
            }
            Some(sets) => {
                let types = super::normalize::column_types(info.mapper);
                for key in keys {
                    let Some(entry) = self.identity_map.get(&key) else {
                        continue;
                    };
                    let mut row = entry.snapshot.clone();
                    let mut computed = true;
                    for (name, value) in sets {
                        let Some(pos) = info.mapper.columns.iter().position(|c| c.name == name)
                        else {
                            continue;
                        };
                        match evaluator.value(value, &entry.snapshot) {
                            Ok(v) => row[pos] = normalize_value(&types[pos], v),
                            Err(_) => {
                                computed = false;
                                break;
                            }
                        }
                    }
                    if !computed {
                        self.identity_map.expire(&key);
                        continue;
                    }
                    self.record_bulk_write(info, key, row);
                }
            }
        }
        Ok(())
    }

    /// A bulk UPDATE wrote `row` (the whole snapshot, in mapper order) for
    /// the held identity `key`: record it (a rollback puts the old one back).
    pub(super) fn record_bulk_write(&mut self, info: ModelInfo, key: IdentityKey, row: Vec<Value>) {
        let first_write = !self.tx.inserted.contains(&key) && !self.tx.updated.contains_key(&key);
        let new_key = IdentityKey::of_row(info, &row);
        if new_key != key {
            // The UPDATE changed the primary key: the object moves.
            if let Some(before) = self.identity_map.remove(&key)
                && first_write
            {
                self.tx.updated.insert(key, before);
            }
            self.identity_map.put(new_key, row);
            return;
        }
        let before = self.identity_map.put_written(key.clone(), row);
        if first_write && let Some(before) = before {
            self.tx.updated.insert(key, before);
        }
    }
}

impl Session {
    /// The identities of `info`'s table the WHERE clause matches, computed
    /// in Rust (each matched object's SET values too), before the statement
    /// runs; `Unevaluatable` when some part cannot be computed.
    fn evaluate_matches(
        &self,
        info: ModelInfo,
        evaluator: &Evaluator,
        parts: &Parts<'_>,
    ) -> std::result::Result<Vec<IdentityKey>, Unevaluatable> {
        check(evaluator, parts)?;
        let mut matched = Vec::new();
        for (key, entry) in self.identity_map.entries() {
            if key.table != info.mapper.table || key.schema != info.mapper.schema {
                continue;
            }
            let hit = match parts.where_ {
                Some(cond) => evaluator.matches(cond, &entry.snapshot)?,
                None => true,
            };
            if hit {
                for (_, value) in parts.sets.unwrap_or_default() {
                    evaluator.value(value, &entry.snapshot)?;
                }
                matched.push(key.clone());
            }
        }
        Ok(matched)
    }
}

/// Whether the WHERE clause and the SET values can be computed in Rust.
fn check(evaluator: &Evaluator, parts: &Parts<'_>) -> std::result::Result<(), Unevaluatable> {
    if let Some(cond) = parts.where_ {
        evaluator.check(cond)?;
    }
    for (_, value) in parts.sets.unwrap_or_default() {
        evaluator.check(value)?;
    }
    Ok(())
}
