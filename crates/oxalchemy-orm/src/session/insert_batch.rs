//! INSERTs of one model's new rows that share a column set, batched the way
//! each backend can hand generated keys back to the right objects (design
//! decision 5; SQLAlchemy 2.0's "insertmanyvalues"):
//!
//! | rows need back from the database | PostgreSQL | SQLite | MariaDB | MySQL |
//! |---|---|---|---|---|
//! | nothing (keys given, no server default) | one multi-row INSERT | same | same | same |
//! | server defaults, keys given | multi-row INSERT .. RETURNING, rows matched by key | same | same | multi-row INSERT + one SELECT by key |
//! | generated keys | sentinel-ordered INSERT .. SELECT .. ORDER BY .. RETURNING, rows sorted by key | one prepared INSERT .. RETURNING per row | multi-row INSERT .. RETURNING (insertion order) | one INSERT per row, key from LAST_INSERT_ID |
//!
//! A statement carries at most [`MAX_ROWS`] rows and [`MAX_PARAMS`] parameters.

use super::exec::Exec;
use super::identity_map::KeyPart;
use super::model_info::ModelInfo;
use super::normalize::{column_types, normalize_row_typed};
use super::unit_of_work::Ticket;
use oxalchemy_core::stmt::ValueList;
use oxalchemy_core::{
    Column, Compiled, CursorResult, Dialect, Error, Expr, Insert, Node, Result, ReturningOrder,
    Select, Value, insert, select,
};
use std::borrow::Cow;
use std::collections::HashMap;

/// Rows per multi-row INSERT (SQLAlchemy's `insertmanyvalues_page_size`).
pub(crate) const MAX_ROWS: usize = 1000;
/// Bound parameters per statement (under SQLite's 32766 and the 65535 of PostgreSQL and MySQL).
pub(crate) const MAX_PARAMS: usize = 30_000;

/// New rows of one model with the same columns to insert.
#[derive(Debug)]
pub(crate) struct InsertGroup {
    pub(crate) info: ModelInfo,
    /// Positions (mapper order) of the columns the INSERT gives.
    pub(crate) columns: Vec<usize>,
    /// Each row's ticket and full values (omitted columns hold placeholders
    /// the database's values replace).
    pub(crate) rows: Vec<(Ticket, Vec<Value>)>,
    /// The model has `BeforeInsert` listeners: the rows hold the values as
    /// registered, and the listeners, validators and column defaults run just
    /// before the statement (`flush_hooks::before_insert`), which may split
    /// the group by the columns each row then gives.
    pub(crate) before_insert: bool,
}

impl InsertGroup {
    pub(crate) fn new(
        info: ModelInfo,
        columns: Vec<usize>,
        rows: Vec<(Ticket, Vec<Value>)>,
    ) -> Self {
        InsertGroup {
            info,
            columns,
            rows,
            before_insert: false,
        }
    }

    /// Some column is left to the database: the rows must be read back.
    fn needs_fetch(&self) -> bool {
        self.columns.len() < self.info.mapper.columns.len()
    }

    /// The autoincrement key is left to the database.
    fn generates_key(&self) -> Option<usize> {
        self.info
            .autoincrement_position()
            .filter(|p| !self.columns.contains(p))
    }

    fn chunk_size(&self) -> usize {
        (MAX_PARAMS / self.columns.len().max(1)).clamp(1, MAX_ROWS)
    }
}

/// Every mapped column of the table, in mapper order (the RETURNING / SELECT list).
fn all_columns(info: ModelInfo) -> Vec<Column> {
    info.mapper
        .columns
        .iter()
        .map(|c| info.table.c(c.name))
        .collect()
}

fn value_list(info: ModelInfo, columns: &[usize], values: &[Value]) -> ValueList {
    columns
        .iter()
        .map(|&i| {
            (
                Cow::Borrowed(info.mapper.columns[i].name),
                Node::Param(values[i].clone()),
            )
        })
        .collect()
}

fn insert_stmt(info: ModelInfo, columns: &[usize], rows: &[(Ticket, Vec<Value>)]) -> Insert {
    let stmt = insert(info.table);
    if columns.is_empty() {
        // Every column left to the database: `INSERT .. DEFAULT VALUES`.
        return stmt;
    }
    stmt.values_many(rows.iter().map(|(_, v)| value_list(info, columns, v)))
}

fn returned_rows(info: ModelInfo, result: CursorResult) -> Vec<Vec<Value>> {
    let types = column_types(info.mapper);
    result
        .into_rows()
        .into_iter()
        .map(|r| normalize_row_typed(&types, r.into_values()))
        .collect()
}

fn count_mismatch(info: ModelInfo, what: &str, got: usize, expected: usize) -> Error {
    Error::invalid_request(format!(
        "{what} into table '{}' gave back {got} row(s) for {expected} new {} object(s); the rows \
         cannot be matched to the objects (is a trigger or rule changing the INSERT?)",
        info.table_name(),
        info.mapper.model
    ))
}

/// The SQL of the chunks of one group: the first chunk of a size is built and
/// compiled through the engine's cache; later chunks of that size reuse its
/// SQL with their own values (a multi-row `VALUES` binds row by row, in the
/// group's column order), so neither the statement nor its shape is built
/// again per chunk. `template` holds (rows, compiled) of the first chunk.
fn chunk_compiled(
    exec: &Exec<'_>,
    group: &InsertGroup,
    chunk: &[(Ticket, Vec<Value>)],
    returning: bool,
    template: &mut Option<(usize, Compiled)>,
) -> Result<Compiled> {
    if let Some((rows, first)) = template.as_ref()
        && *rows == chunk.len()
    {
        let params: Vec<Value> = chunk
            .iter()
            .flat_map(|(_, v)| group.columns.iter().map(|&i| v[i].clone()))
            .collect();
        let c = Compiled::new(first.sql_arc().clone(), params);
        return Ok(match first.fetch_after() {
            Some(f) => c.with_fetch_after(f.clone()),
            None => c,
        });
    }
    let stmt = insert_stmt(group.info, &group.columns, chunk);
    let compiled = if returning {
        exec.compile(&stmt.returning(all_columns(group.info)))?
    } else {
        exec.compile(&stmt)?
    };
    if template.is_none() && compiled.params().len() == chunk.len() * group.columns.len() {
        *template = Some((chunk.len(), compiled.clone()));
    }
    Ok(compiled)
}

/// Insert the group; returns each row's persisted values, in the group's order.
pub(crate) async fn run_insert_group(
    group: InsertGroup,
    exec: &mut Exec<'_>,
    dialect: &dyn Dialect,
) -> Result<Vec<Vec<Value>>> {
    if !group.needs_fetch() {
        let mut template = None;
        for chunk in group.rows.chunks(group.chunk_size()) {
            let compiled = chunk_compiled(exec, &group, chunk, false, &mut template)?;
            exec.run_compiled(compiled).await?;
        }
        return Ok(group.rows.into_iter().map(|(_, v)| v).collect());
    }
    match group.generates_key() {
        None => insert_matching_by_key(&group, exec, dialect).await,
        Some(key_pos) => match dialect.returning_order() {
            ReturningOrder::SentinelSelect | ReturningOrder::InsertionOrder
                if dialect.supports_returning() && !group.columns.is_empty() =>
            {
                let sort = dialect.returning_order() == ReturningOrder::SentinelSelect;
                insert_ordered(&group, key_pos, sort, exec).await
            }
            _ if group.columns.len() + 1 == group.info.mapper.columns.len() => {
                insert_taking_generated_keys(&group, key_pos, exec).await
            }
            _ => insert_row_by_row(&group, exec).await,
        },
    }
}

/// Keys given, server defaults to read back: match the returned rows by key.
async fn insert_matching_by_key(
    group: &InsertGroup,
    exec: &mut Exec<'_>,
    dialect: &dyn Dialect,
) -> Result<Vec<Vec<Value>>> {
    let info = group.info;
    let pk = info.pk_positions();
    let key_of = |row: &[Value]| -> Vec<KeyPart> {
        pk.iter()
            .map(|&i| KeyPart::of(row.get(i).unwrap_or(&Value::Null)))
            .collect()
    };
    let mut found: HashMap<Vec<KeyPart>, Vec<Value>> = HashMap::with_capacity(group.rows.len());
    let mut template = None;
    for chunk in group.rows.chunks(group.chunk_size()) {
        let returning = dialect.supports_returning();
        let compiled = chunk_compiled(exec, group, chunk, returning, &mut template)?;
        let rows = if returning {
            returned_rows(info, exec.run_compiled(compiled).await?)
        } else {
            exec.run_compiled(compiled).await?;
            let keys: Vec<&[Value]> = chunk.iter().map(|(_, v)| v.as_slice()).collect();
            let sel: Select = select(all_columns(info))
                .filter(Expr::<bool>::new(super::flush::keys_condition(info, &keys)));
            returned_rows(info, exec.run(&sel).await?)
        };
        for row in rows {
            found.insert(key_of(&row), row);
        }
    }
    group
        .rows
        .iter()
        .map(|(_, v)| {
            found.remove(&key_of(v)).ok_or_else(|| {
                Error::invalid_request(format!(
                    "the INSERT of {} did not give the row back; the row cannot be read after \
                     the INSERT (is a trigger changing its key?)",
                    info.describe(v)
                ))
            })
        })
        .collect()
}

/// Generated keys, with RETURNING rows that follow the VALUES rows:
/// PostgreSQL's sentinel form (rows then sorted by the generated key), or
/// MariaDB's insertion order.
async fn insert_ordered(
    group: &InsertGroup,
    key_pos: usize,
    sort_by_key: bool,
    exec: &mut Exec<'_>,
) -> Result<Vec<Vec<Value>>> {
    let info = group.info;
    let mut out = Vec::with_capacity(group.rows.len());
    for chunk in group.rows.chunks(group.chunk_size()) {
        let stmt = insert_stmt(info, &group.columns, chunk)
            .returning(all_columns(info))
            .sort_by_parameter_order();
        let mut rows = returned_rows(info, exec.run(&stmt).await?);
        if rows.len() != chunk.len() {
            return Err(count_mismatch(
                info,
                "INSERT .. RETURNING",
                rows.len(),
                chunk.len(),
            ));
        }
        if sort_by_key {
            rows.sort_by_key(|r| match r.get(key_pos) {
                Some(Value::Int(i)) => *i,
                _ => i64::MAX,
            });
        }
        out.extend(rows);
    }
    Ok(out)
}

/// Each row's values of the group's columns: the parameters of its
/// one-row INSERT (one bind per column, in column order).
fn param_sets(group: &InsertGroup) -> Vec<Vec<Value>> {
    group
        .rows
        .iter()
        .map(|row| group.columns.iter().map(|&i| row.1[i].clone()).collect())
        .collect()
}

/// Only the autoincrement key is left to the database, on a backend that
/// reports the key each INSERT generated (SQLite's `last_insert_rowid()`,
/// MySQL's `LAST_INSERT_ID()`): one plain prepared INSERT per row, all rows
/// sent as one list, each row's key taken from its result. No RETURNING: on
/// SQLite a RETURNING clause buffers its rows in a temporary b-tree per
/// statement, several times the cost of the INSERT itself.
async fn insert_taking_generated_keys(
    group: &InsertGroup,
    key_pos: usize,
    exec: &mut Exec<'_>,
) -> Result<Vec<Vec<Value>>> {
    let info = group.info;
    let Some(first) = group.rows.first() else {
        return Ok(Vec::new());
    };
    let template = exec.compile(&insert_stmt(
        info,
        &group.columns,
        std::slice::from_ref(first),
    ))?;
    if template.params().len() != group.columns.len() {
        // A value compiled into the SQL itself: read the rows back instead.
        return insert_row_by_row(group, exec).await;
    }
    let results = exec.run_many(&template, param_sets(group)).await?;
    if results.len() != group.rows.len() {
        return Err(count_mismatch(
            info,
            "INSERT",
            results.len(),
            group.rows.len(),
        ));
    }
    let types = column_types(info.mapper);
    group
        .rows
        .iter()
        .zip(results)
        .map(|((_, values), result)| {
            let Some(id) = result.last_insert_id() else {
                return Err(Error::invalid_request(format!(
                    "the INSERT of {} gave no generated key: the driver reports none for \
                     table '{}' (its key must be an autoincrement integer primary key)",
                    info.describe(values),
                    info.table_name()
                )));
            };
            let mut row = values.clone();
            row[key_pos] = Value::Int(id);
            Ok(normalize_row_typed(&types, row))
        })
        .collect()
}

/// Generated keys where a multi-row RETURNING cannot be matched to rows
/// (SQLite; MySQL, where core reads the row back by LAST_INSERT_ID): one
/// statement per row, compiled once (the driver's prepared-statement cache
/// reuses it) and sent with every row's values as one list
/// (`execute_many_compiled`).
async fn insert_row_by_row(group: &InsertGroup, exec: &mut Exec<'_>) -> Result<Vec<Vec<Value>>> {
    let info = group.info;
    let Some(first) = group.rows.first() else {
        return Ok(Vec::new());
    };
    let stmt =
        insert_stmt(info, &group.columns, std::slice::from_ref(first)).returning(all_columns(info));
    let template = exec.compile(&stmt)?;
    let results = if template.params().len() == group.columns.len() {
        // One bind per column: every row runs the same SQL with its own
        // values, sent to the driver as one list (SQLite: one trip to the
        // connection's thread for the whole group).
        exec.run_many(&template, param_sets(group)).await?
    } else {
        // A value compiled into the SQL itself: each row compiles on its own.
        let mut results = Vec::with_capacity(group.rows.len());
        for row in &group.rows {
            let stmt = insert_stmt(info, &group.columns, std::slice::from_ref(row))
                .returning(all_columns(info));
            results.push(exec.run(&stmt).await?);
        }
        results
    };
    let mut out = Vec::with_capacity(results.len());
    for result in results {
        let mut rows = returned_rows(info, result);
        if rows.len() != 1 {
            return Err(count_mismatch(info, "INSERT", rows.len(), 1));
        }
        out.push(rows.remove(0));
    }
    Ok(out)
}
