//! `ModelInfo`: a model's mapper and table without its Rust type, so the
//! session (which is not generic) can hold objects of every model.

use crate::mapper::Mapper;
use crate::mapper_state::MapperState;
use crate::model::Model;
use oxalchemy_core::{Table, Value};
use std::fmt;

/// The static description of one model, type-erased: its mapper and the
/// mapper's configured state (one `OnceLock::get` to make).
#[derive(Clone, Copy)]
pub(crate) struct ModelInfo {
    pub(crate) mapper: &'static Mapper,
    pub(crate) table: &'static Table,
    pub(crate) state: &'static MapperState,
}

impl fmt::Debug for ModelInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mapper.model)
    }
}

impl ModelInfo {
    pub(crate) fn of<M: Model>() -> ModelInfo {
        ModelInfo::of_mapper(M::mapper())
    }

    /// The model of `mapper`.
    #[inline]
    pub(crate) fn of_mapper(mapper: &'static Mapper) -> ModelInfo {
        let state = mapper.state();
        ModelInfo {
            mapper,
            table: state.table(),
            state,
        }
    }

    /// True when column `pos` of the new row `values` gets its value at the
    /// flush: the autoincrement key left at 0 / NULL, or a column with a
    /// server or client-side default given no value (NULL: an `Option` field
    /// holding `None`). An explicit value, whatever it is, is written as held.
    pub(crate) fn generated_at_insert(&self, values: &[Value], pos: usize) -> bool {
        let v = values.get(pos).unwrap_or(&Value::Null);
        if Some(pos) == self.state.autoincrement() {
            return matches!(v, Value::Null | Value::Int(0));
        }
        v.is_null() && self.state.has_default(pos)
    }

    /// Every mapped column of the table, in mapper order (what a SELECT of
    /// whole rows lists).
    pub(crate) fn columns(&self) -> Vec<oxalchemy_core::Column> {
        if self.mapper.inheritance.is_some() {
            // Each column from the table of the class that declares it.
            return (0..self.mapper.columns.len())
                .map(|i| (self.mapper.column_owner(i).table_fn)().c(self.mapper.columns[i].name))
                .collect();
        }
        self.mapper
            .columns
            .iter()
            .map(|c| self.table.c(c.name))
            .collect()
    }

    /// True when both describe the same table.
    pub(crate) fn same_table(&self, other: &ModelInfo) -> bool {
        self.mapper.table == other.mapper.table && self.mapper.schema == other.mapper.schema
    }

    /// The table's name as written in messages (`schema.table`).
    pub(crate) fn table_name(&self) -> String {
        match self.mapper.schema {
            Some(s) => format!("{s}.{}", self.mapper.table),
            None => self.mapper.table.to_owned(),
        }
    }

    /// Positions of the primary-key columns (in mapper order).
    pub(crate) fn pk_positions(&self) -> &'static [usize] {
        self.mapper.primary_key
    }

    /// Position of the column the database generates (SQLAlchemy's autoincrement rule).
    pub(crate) fn autoincrement_position(&self) -> Option<usize> {
        self.state.autoincrement()
    }

    /// Position of the version counter column (`version_id`), by column or field name.
    pub(crate) fn version_position(&self) -> Option<usize> {
        self.state.version_position()
    }

    /// "User with id = 5" / "Link with a = 1, b = 2", for messages.
    pub(crate) fn describe(&self, values: &[Value]) -> String {
        let key: Vec<String> = self
            .pk_positions()
            .iter()
            .map(|&i| {
                format!(
                    "{} = {}",
                    self.mapper.columns[i].name,
                    values.get(i).unwrap_or(&Value::Null)
                )
            })
            .collect();
        format!("{} with {}", self.mapper.model, key.join(", "))
    }

    /// True when the primary key is not set: an autoincrement key left at 0 /
    /// NULL (the database assigns it), or a key with a NULL part.
    pub(crate) fn key_is_unset(&self, values: &[Value]) -> bool {
        let auto = self.autoincrement_position();
        self.pk_positions().iter().copied().any(|i| {
            let v = values.get(i).unwrap_or(&Value::Null);
            v.is_null() || (Some(i) == auto && matches!(v, Value::Int(0)))
        })
    }
}

impl crate::resolved_relationship::ResolvedRelationship {
    /// The target model, for the session.
    pub(crate) fn target_info(&self) -> ModelInfo {
        ModelInfo::of_mapper(self.target)
    }
}

/// True when `v` is the Rust default of its field type (`None`, 0, "", false,
/// an empty byte string, the nil UUID, ...): a `version_id` counter holding
/// it starts at 1 on INSERT.
pub(crate) fn is_rust_default(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::Decimal(d) => d.is_zero(),
        Value::Text(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::Uuid(u) => u.is_nil(),
        Value::Json(j) => j.is_null(),
        Value::Date(d) => *d == chrono::NaiveDate::default(),
        Value::Time(t) => *t == chrono::NaiveTime::default(),
        Value::DateTime(d) => *d == chrono::NaiveDateTime::default(),
        Value::Timestamp(t) => *t == chrono::DateTime::<chrono::Utc>::default(),
        _ => false,
    }
}
