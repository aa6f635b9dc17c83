//! `MetaData`: the collection of tables, with `create_all` / `drop_all`.

use super::constraint::{ForeignKey, Index, UniqueConstraint};
use super::table::{Table, TableInner};
use super::table_builder::TableBuilder;
use crate::error::{Error, Result};
use indexmap::IndexMap;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

/// A collection of [`Table`]s, keyed by `schema.name`.
///
/// Methods take `&self` (interior mutability), so one `MetaData` can be shared
/// as a `static` or behind an `Arc`.
///
/// ```
/// use oxalchemy_core::{MetaData, sql_type::{Integer, Text}};
/// let metadata = MetaData::new();
/// metadata.table("users", |t| { t.column("id", Integer).primary_key(); });
/// metadata.table("addresses", |t| {
///     t.column("id", Integer).primary_key();
///     t.column("user_id", Integer).not_null().foreign_key("users.id");
///     t.column("email", Text).not_null();
/// });
/// let order: Vec<String> = metadata.sorted_tables().iter().map(|t| t.name().to_owned()).collect();
/// assert_eq!(order, ["users", "addresses"]);
/// ```
#[derive(Debug, Default)]
pub struct MetaData {
    tables: RwLock<IndexMap<String, Table>>,
    /// A mapping error found when the collection was assembled (the ORM's
    /// foreign keys naming a missing model), reported by `create_all`.
    configuration_error: RwLock<Option<String>>,
}

impl MetaData {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Define a table (replacing any previous definition with the same name).
    /// Panics with a clear message on a malformed definition (a bad
    /// foreign-key target, an `ondelete` without a foreign key, a primary key
    /// naming a missing column); [`try_table`](Self::try_table) returns the error instead.
    pub fn table(&self, name: &str, build: impl FnOnce(&mut TableBuilder)) -> Table {
        self.try_table(name, build)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Define a table, returning an `ArgumentError` for a malformed definition.
    pub fn try_table(&self, name: &str, build: impl FnOnce(&mut TableBuilder)) -> Result<Table> {
        let mut b = TableBuilder::default();
        build(&mut b);
        let table = finish_table(name, b)?;
        self.add_table(table.clone());
        Ok(table)
    }

    /// Add a table built elsewhere (the ORM registers its models this way).
    pub fn add_table(&self, table: Table) {
        self.tables.write().insert(table.fullname(), table);
    }

    /// Remove a table from the collection.
    pub fn remove_table(&self, fullname: &str) -> Option<Table> {
        self.tables.write().shift_remove(fullname)
    }

    /// A table by `name` or `schema.name`.
    pub fn get_table(&self, fullname: &str) -> Option<Table> {
        self.tables.read().get(fullname).cloned()
    }

    /// All tables, in definition order.
    pub fn tables(&self) -> Vec<Table> {
        self.tables.read().values().cloned().collect()
    }

    /// True when no table is defined.
    pub fn is_empty(&self) -> bool {
        self.tables.read().is_empty()
    }

    /// All tables, each after the tables its foreign keys reference (cycles and
    /// self-references are broken in definition order).
    pub fn sorted_tables(&self) -> Vec<Table> {
        super::ddl_order::sort_by_dependency(&self.tables())
    }

    /// Record a configuration error (found by a front end such as the ORM's
    /// registry); `validate_foreign_keys` and `create_all` report it.
    pub fn set_configuration_error(&self, message: impl Into<String>) {
        *self.configuration_error.write() = Some(message.into());
    }

    /// Check that every foreign key names a table and column of this collection.
    pub fn validate_foreign_keys(&self) -> Result<()> {
        if let Some(e) = self.configuration_error.read().clone() {
            return Err(Error::argument(e));
        }
        let tables = self.tables.read();
        for t in tables.values() {
            for fk in t.foreign_keys() {
                let key = match &fk.target_schema {
                    Some(s) => format!("{s}.{}", fk.target_table),
                    None => fk.target_table.clone(),
                };
                let target = tables.get(&key).ok_or_else(|| {
                    Error::argument(format!(
                        "foreign key on {}({}) references table {key:?}, which is not in this MetaData; define it first (tables: {})",
                        t.fullname(),
                        fk.columns.join(", "),
                        tables.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                })?;
                for c in &fk.target_columns {
                    if target.column_def(c).is_none() {
                        return Err(Error::argument(format!(
                            "foreign key on {}({}) references {key}.{c}, but {key} has no column {c:?}; its columns are: {}",
                            t.fullname(),
                            fk.columns.join(", "),
                            target.column_names().join(", ")
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

pub(crate) fn finish_table(name: &str, b: TableBuilder) -> Result<Table> {
    if let Some(e) = b.errors.first() {
        return Err(Error::argument(format!("table {name:?}: {e}")));
    }
    if name.is_empty() {
        return Err(Error::argument("a table needs a non-empty name"));
    }
    let mut by_name = HashMap::with_capacity(b.columns.len());
    for (i, c) in b.columns.iter().enumerate() {
        if by_name.insert(c.name.clone(), i).is_some() {
            return Err(Error::argument(format!(
                "table {name:?} declares column {:?} twice",
                c.name
            )));
        }
    }
    let mut columns = b.columns;
    let primary_key = match b.primary_key {
        Some(pk) => {
            for c in &pk {
                let i = *by_name.get(c).ok_or_else(|| {
                    Error::argument(format!(
                        "table {name:?}: primary key names unknown column {c:?}"
                    ))
                })?;
                columns[i].primary_key = true;
                columns[i].nullable = false;
            }
            pk
        }
        None => columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.clone())
            .collect(),
    };
    let mut foreign_keys: Vec<ForeignKey> = Vec::new();
    for (idx, target, ondelete, onupdate) in b.column_fks {
        let (target_schema, target_table, target_column) =
            ForeignKey::parse_target(&target).ok_or_else(|| {
                Error::argument(format!(
                    "table {name:?}, column {:?}: foreign key target {target:?} must be \"table.column\" or \"schema.table.column\"",
                    columns[idx].name
                ))
            })?;
        foreign_keys.push(ForeignKey {
            name: None,
            columns: vec![columns[idx].name.clone()],
            target_schema,
            target_table,
            target_columns: vec![target_column],
            ondelete,
            onupdate,
        });
    }
    for spec in b.foreign_keys {
        let fk = spec.fk;
        if fk.columns.is_empty() || fk.columns.len() != fk.target_columns.len() {
            return Err(Error::argument(format!(
                "table {name:?}: a foreign key needs as many columns ({}) as target columns ({})",
                fk.columns.len(),
                fk.target_columns.len()
            )));
        }
        for c in &fk.columns {
            if !by_name.contains_key(c) {
                return Err(Error::argument(format!(
                    "table {name:?}: foreign key names unknown column {c:?}"
                )));
            }
        }
        foreign_keys.push(fk);
    }
    let mut uniques: Vec<UniqueConstraint> = columns
        .iter()
        .filter(|c| c.unique)
        .map(|c| UniqueConstraint {
            name: None,
            columns: vec![c.name.clone()],
        })
        .collect();
    for u in b.uniques {
        for c in &u.columns {
            if !by_name.contains_key(c) {
                return Err(Error::argument(format!(
                    "table {name:?}: unique constraint names unknown column {c:?}"
                )));
            }
        }
        uniques.push(u);
    }
    let mut indexes: Vec<Index> = columns
        .iter()
        .filter(|c| c.index)
        .map(|c| Index {
            name: format!("ix_{name}_{}", c.name),
            columns: vec![c.name.clone()],
            unique: false,
            expressions: Vec::new(),
        })
        .collect();
    for ix in b.indexes {
        for c in &ix.columns {
            if !by_name.contains_key(c) {
                return Err(Error::argument(format!(
                    "table {name:?}: index {:?} names unknown column {c:?}",
                    ix.name
                )));
            }
        }
        indexes.push(ix);
    }
    Ok(Table(Arc::new(TableInner {
        name: name.to_owned(),
        schema: b.schema,
        columns,
        by_name,
        primary_key,
        foreign_keys,
        uniques,
        checks: b.checks,
        indexes,
        comment: b.comment,
        primary_key_name: None,
        reflected: false,
    })))
}
