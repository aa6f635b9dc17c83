//! Running one prepared statement: bind, step through every row, decode.

use crate::bind::BindValue;
use crate::decode::{DeclKind, decode};
use crate::error_map::{map_error, parameter_count};
use oxalchemy_core::{Columns, QueryResult, Result, Value};
use rusqlite::{Connection, Statement};
use std::collections::HashMap;
use std::sync::Arc;

/// The result-column metadata of each statement the connection ran, keyed by
/// SQL text (beside rusqlite's prepared-statement cache), so a repeated
/// statement reuses its labels (`Arc<Columns>`, with their name index) and
/// declared kinds instead of rebuilding them on every execution.
#[derive(Default)]
pub(crate) struct MetaCache {
    map: HashMap<String, Arc<CachedMeta>>,
}

/// Column metadata as first seen, with the declared types it was derived from
/// (checked on reuse: a statement re-prepared after a schema change may
/// return other columns).
pub(crate) struct CachedMeta {
    columns: Arc<Columns>,
    kinds: Vec<DeclKind>,
    decls: Vec<Option<String>>,
}

impl CachedMeta {
    fn of(stmt: &Statement<'_>) -> CachedMeta {
        let cols = stmt.columns();
        CachedMeta {
            columns: Arc::new(Columns::new(
                cols.iter().map(|c| c.name().to_owned()).collect(),
            )),
            kinds: cols.iter().map(|c| DeclKind::of(c.decl_type())).collect(),
            decls: cols
                .iter()
                .map(|c| c.decl_type().map(str::to_owned))
                .collect(),
        }
    }

    /// True when `stmt` still returns these columns (names and declared types).
    fn matches(&self, stmt: &Statement<'_>) -> bool {
        let cols = stmt.columns();
        cols.len() == self.kinds.len()
            && cols
                .iter()
                .zip(self.columns.names())
                .zip(&self.decls)
                .all(|((c, name), decl)| c.name() == name && c.decl_type() == decl.as_deref())
    }
}

impl MetaCache {
    /// The metadata of `sql` prepared as `stmt`: cached, or derived (and cached).
    fn get(&mut self, sql: &str, stmt: &Statement<'_>) -> Arc<CachedMeta> {
        if let Some(m) = self.map.get(sql)
            && m.matches(stmt)
        {
            return m.clone();
        }
        if self.map.len() >= crate::open::STATEMENT_CACHE_CAPACITY {
            self.map.clear();
        }
        let m = Arc::new(CachedMeta::of(stmt));
        self.map.insert(sql.to_owned(), m.clone());
        m
    }
}

/// Bind `params` to `stmt` (prepared from `sql` on `conn`), run it to the end
/// and collect its rows, `rows_affected` and `last_insert_id` (the new rowid
/// for an INSERT / REPLACE, `is_insert`, that changed rows).
pub(crate) fn run(
    conn: &Connection,
    stmt: &mut Statement<'_>,
    sql: &str,
    params: &[Value],
    is_insert: bool,
    cache: &mut MetaCache,
) -> Result<QueryResult> {
    let expected = stmt.parameter_count();
    if expected != params.len() {
        return Err(parameter_count(
            expected,
            params.len(),
            Some(sql.to_owned()),
        ));
    }
    for (i, value) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, BindValue(value))
            .map_err(|e| map_error(e, Some(sql)))?;
    }

    let total_before = conn.total_changes();
    let rowid_before = conn.last_insert_rowid();

    // Column metadata is read after the first step: a cached statement whose
    // table changed shape (ALTER TABLE) is re-prepared by that step.
    let mut meta: Option<Arc<CachedMeta>> = None;
    let mut rows_out = Vec::new();
    {
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(|e| map_error(e, Some(sql)))? {
            let kinds = &meta
                .get_or_insert_with(|| cache.get(sql, row.as_ref()))
                .kinds;
            let mut values = Vec::with_capacity(kinds.len());
            for (i, kind) in kinds.iter().enumerate() {
                let cell = row.get_ref(i).map_err(|e| map_error(e, Some(sql)))?;
                values.push(decode(*kind, cell));
            }
            rows_out.push(values);
        }
    }
    let columns = match meta {
        Some(m) => m.columns.clone(),
        None => cache.get(sql, stmt).columns.clone(),
    };

    // `changes()` keeps the count of the last INSERT/UPDATE/DELETE that
    // finished, even across a later SELECT or DDL: trust it only when this
    // statement moved the connection's total.
    let changed = conn.total_changes() != total_before;
    let rows_affected = if changed { conn.changes() } else { 0 };
    let rowid_after = conn.last_insert_rowid();
    let last_insert_id = if (changed && is_insert) || rowid_after != rowid_before {
        Some(rowid_after)
    } else {
        None
    };
    Ok(QueryResult {
        columns,
        rows: rows_out,
        rows_affected,
        last_insert_id,
    })
}
