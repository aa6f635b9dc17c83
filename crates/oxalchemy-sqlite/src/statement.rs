//! Running one prepared statement: bind, step through every row, decode.

use crate::bind::BindValue;
use crate::decode::{DeclKind, decode};
use crate::error_map::{map_error, parameter_count};
use crate::sql_scan::is_insert;
use oxalchemy_core::{Columns, QueryResult, Result, Value};
use rusqlite::{Connection, Statement};
use std::sync::Arc;

/// Bind `params` to `stmt` (prepared from `sql` on `conn`), run it to the end
/// and collect its rows, `rows_affected` and `last_insert_id`.
pub(crate) fn run(
    conn: &Connection,
    stmt: &mut Statement<'_>,
    sql: &str,
    params: &[Value],
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
    let mut meta: Option<ColumnMeta> = None;
    let mut rows_out = Vec::new();
    {
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(|e| map_error(e, Some(sql)))? {
            let kinds = &meta.get_or_insert_with(|| column_meta(row.as_ref())).kinds;
            let mut values = Vec::with_capacity(kinds.len());
            for (i, kind) in kinds.iter().enumerate() {
                let cell = row.get_ref(i).map_err(|e| map_error(e, Some(sql)))?;
                values.push(decode(*kind, cell));
            }
            rows_out.push(values);
        }
    }
    let names = meta.unwrap_or_else(|| column_meta(stmt)).names;

    // `changes()` keeps the count of the last INSERT/UPDATE/DELETE that
    // finished, even across a later SELECT or DDL: trust it only when this
    // statement moved the connection's total.
    let changed = conn.total_changes() != total_before;
    let rows_affected = if changed { conn.changes() } else { 0 };
    let rowid_after = conn.last_insert_rowid();
    let last_insert_id = if (changed && is_insert(sql)) || rowid_after != rowid_before {
        Some(rowid_after)
    } else {
        None
    };
    Ok(QueryResult {
        columns: Arc::new(Columns::new(names)),
        rows: rows_out,
        rows_affected,
        last_insert_id,
    })
}

/// The labels and declared kinds of a statement's result columns.
struct ColumnMeta {
    names: Vec<String>,
    kinds: Vec<DeclKind>,
}

fn column_meta(stmt: &Statement<'_>) -> ColumnMeta {
    let (names, kinds) = stmt
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), DeclKind::of(c.decl_type())))
        .unzip();
    ColumnMeta { names, kinds }
}
