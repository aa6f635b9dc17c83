//! `session.execute_many(insert(User::table()), rows)` and
//! `session.execute_many(update(User::table()), rows)`: SQLAlchemy's
//! `session.execute(insert(User), [dicts])` (bulk INSERT) and
//! `session.execute(update(User), [dicts])` (bulk UPDATE by primary key),
//! run through the driver's executemany.

use super::flush::key_condition;
use super::identity_map::IdentityKey;
use super::normalize::{column_types, normalize_value};
use super::session::Session;
use oxalchemy_core::stmt::ValueList;
use oxalchemy_core::{
    Compiled, CursorResult, Error, Expr, Insert, IntoValues, Node, Result, Update, Value, update,
};

/// The statement [`Session::execute_many`] runs once per row: a bare
/// `insert(table)` or `update(table)` (no values, WHERE or RETURNING of
/// its own for an UPDATE).
#[derive(Debug, Clone)]
pub enum BulkStatement {
    /// One INSERT per row of values.
    Insert(Insert),
    /// One `UPDATE .. SET <the other columns> WHERE <primary key>` per row.
    Update(Update),
}

impl From<Insert> for BulkStatement {
    fn from(stmt: Insert) -> Self {
        BulkStatement::Insert(stmt)
    }
}

impl From<Update> for BulkStatement {
    fn from(stmt: Update) -> Self {
        BulkStatement::Update(stmt)
    }
}

impl Session {
    /// Run `stmt` once per row of `rows` (after an autoflush, in the
    /// session's transaction), consecutive rows of the same columns in one
    /// executemany call of the driver; one result with the affected rows
    /// added up (and the rows of a RETURNING, in order).
    ///
    /// - `insert(table)`: each row is the values of one INSERT.
    /// - `update(table)` of a mapped table: each row names every
    ///   primary-key column (the WHERE) and the columns to SET; objects the
    ///   session holds with those keys get the new values, as SQLAlchemy's
    ///   bulk UPDATE by primary key does.
    ///
    /// Fails with `ArgumentError` when the INSERT already has values, the
    /// UPDATE has SET values, a WHERE or RETURNING, its table is not mapped,
    /// or a row lacks a primary-key column or has nothing to SET.
    pub async fn execute_many<V: IntoValues>(
        &mut self,
        stmt: impl Into<BulkStatement>,
        rows: impl IntoIterator<Item = V>,
    ) -> Result<CursorResult> {
        let rows: Vec<ValueList> = rows.into_iter().map(IntoValues::into_values).collect();
        let stmt = stmt.into();
        let mut writes = Vec::new();
        let statements: Vec<Compiled> = match &stmt {
            BulkStatement::Insert(insert) => {
                if insert.has_values() {
                    return Err(Error::argument(
                        "execute_many(insert(..), rows): the INSERT already has values; \
                         pass a bare insert(table) and give every row in `rows`",
                    ));
                }
                rows.into_iter()
                    .map(|row| self.engine.compile(&insert.clone().values(row)))
                    .collect::<Result<_>>()?
            }
            BulkStatement::Update(template) => {
                let (statements, w) = self.updates_by_key(template, rows)?;
                writes = w;
                statements
            }
        };
        self.autoflush().await?;
        let conn = self.connection().await?;
        let mut results = Vec::new();
        let mut start = 0;
        while start < statements.len() {
            let template = &statements[start];
            let end = statements[start..]
                .iter()
                .position(|c| c.sql() != template.sql())
                .map_or(statements.len(), |n| start + n);
            let sets = statements[start..end]
                .iter()
                .map(|c| c.params().to_vec())
                .collect();
            results.extend(conn.execute_many_compiled(template, sets).await?);
            start = end;
        }
        for (info, key, values) in writes {
            self.write_held(info, key, values);
        }
        Ok(CursorResult::merge(results))
    }

    /// One compiled UPDATE per row, and what each writes to the identity map.
    #[allow(clippy::type_complexity)]
    fn updates_by_key(
        &mut self,
        template: &Update,
        rows: Vec<ValueList>,
    ) -> Result<(
        Vec<Compiled>,
        Vec<(super::model_info::ModelInfo, IdentityKey, ValueList)>,
    )> {
        let table = template.table();
        if !template.set_values().is_empty()
            || template.where_clause().is_some()
            || template.has_returning()
        {
            return Err(Error::argument(
                "execute_many(update(..), rows) is a bulk UPDATE by primary key: pass a bare \
                 update(table) (no SET, WHERE or RETURNING); every row names the key columns \
                 and the columns to set",
            ));
        }
        let Some(info) = super::bulk_dml::mapped_model(table) else {
            return Err(Error::argument(format!(
                "execute_many(update(..), rows): no model maps the table {}, so its primary key \
                 is unknown; use a Core connection's execute_many",
                table.fullname()
            )));
        };
        self.know(info);
        let mut statements = Vec::with_capacity(rows.len());
        let mut writes = Vec::with_capacity(rows.len());
        for row in rows {
            let mut full = vec![Value::Null; info.mapper.columns.len()];
            for &i in info.pk_positions() {
                let name = info.mapper.columns[i].name;
                match row.iter().find(|(k, _)| k == name) {
                    Some((_, Node::Param(v))) => full[i] = v.clone(),
                    _ => {
                        return Err(Error::argument(format!(
                            "execute_many(update({}), rows): every row needs a value for the \
                             primary-key column {name}",
                            info.table_name()
                        )));
                    }
                }
            }
            let set: ValueList = row
                .into_iter()
                .filter(|(k, _)| {
                    !info
                        .pk_positions()
                        .iter()
                        .any(|&i| info.mapper.columns[i].name == k)
                })
                .collect();
            if set.is_empty() {
                return Err(Error::argument(format!(
                    "execute_many(update({}), rows): a row has only primary-key columns, \
                     nothing to SET",
                    info.table_name()
                )));
            }
            let stmt = update(table)
                .filter(Expr::<bool>::new(key_condition(info, &full)))
                .values(set.clone());
            statements.push(self.engine.compile(&stmt)?);
            writes.push((info, IdentityKey::of_row(info, &full), set));
        }
        Ok((statements, writes))
    }

    /// Give a held object the values a bulk UPDATE by key wrote (expired
    /// when one of them is an expression).
    fn write_held(
        &mut self,
        info: super::model_info::ModelInfo,
        key: IdentityKey,
        values: ValueList,
    ) {
        let Some(entry) = self.identity_map.get(&key) else {
            return;
        };
        let types = column_types(info.mapper);
        let mut row = entry.snapshot.clone();
        for (name, node) in values {
            let Some(pos) = info.mapper.columns.iter().position(|c| c.name == name) else {
                continue;
            };
            match node {
                Node::Param(v) => row[pos] = normalize_value(&types[pos], v),
                Node::Null => row[pos] = Value::Null,
                _ => {
                    self.identity_map.expire(&key);
                    return;
                }
            }
        }
        self.record_bulk_write(info, key, row);
    }
}
