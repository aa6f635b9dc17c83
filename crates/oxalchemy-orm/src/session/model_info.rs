//! `ModelInfo`: a model's mapper and table without its Rust type, so the
//! session (which is not generic) can hold objects of every model.

use crate::mapper::Mapper;
use crate::model::Model;
use oxalchemy_core::{Table, Value};
use std::fmt;

/// The static description of one model, type-erased.
#[derive(Clone, Copy)]
pub(crate) struct ModelInfo {
    pub(crate) mapper: &'static Mapper,
    pub(crate) table: &'static Table,
}

impl fmt::Debug for ModelInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mapper.model)
    }
}

impl ModelInfo {
    pub(crate) fn of<M: Model>() -> ModelInfo {
        ModelInfo {
            mapper: M::mapper(),
            table: M::table(),
        }
    }

    /// The model of `mapper`.
    pub(crate) fn of_mapper(mapper: &'static Mapper) -> ModelInfo {
        ModelInfo {
            mapper,
            table: (mapper.table_fn)(),
        }
    }

    /// True when column `pos` of the new row `values` gets its value at the
    /// flush: the autoincrement key left at 0 / NULL, or a column with a
    /// server or client-side default left at its Rust default.
    pub(crate) fn generated_at_insert(&self, values: &[Value], pos: usize) -> bool {
        let v = values.get(pos).unwrap_or(&Value::Null);
        if Some(pos) == self.autoincrement_position() {
            return matches!(v, Value::Null | Value::Int(0));
        }
        is_rust_default(v)
            && self
                .table
                .column_def(self.mapper.columns[pos].name)
                .is_some_and(|d| d.server_default().is_some() || d.default().is_some())
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
    pub(crate) fn pk_positions(&self) -> Vec<usize> {
        self.mapper.primary_key_positions()
    }

    /// Position of the column the database generates (SQLAlchemy's autoincrement rule).
    pub(crate) fn autoincrement_position(&self) -> Option<usize> {
        let col = self.table.autoincrement_column()?;
        self.mapper.column_position(col.name())
    }

    /// Position of the version counter column (`version_id`), by column or field name.
    pub(crate) fn version_position(&self) -> Option<usize> {
        let v = self.mapper.version_id?;
        self.mapper
            .column_position(v)
            .or_else(|| self.mapper.field_position(v))
    }

    /// "User with id = 5" / "Link with a = 1, b = 2", for messages.
    pub(crate) fn describe(&self, values: &[Value]) -> String {
        let key: Vec<String> = self
            .pk_positions()
            .into_iter()
            .map(|i| {
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
        self.pk_positions().into_iter().any(|i| {
            let v = values.get(i).unwrap_or(&Value::Null);
            v.is_null() || (Some(i) == auto && matches!(v, Value::Int(0)))
        })
    }
}

/// True when `v` is the Rust default of its field type (`None`, 0, "", false,
/// an empty byte string, the nil UUID, ...): an INSERT leaves such a column
/// to its default (client-side `default`, or `server_default`).
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
