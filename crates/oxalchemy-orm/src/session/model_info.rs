//! `ModelInfo`: a model's mapper and table without its Rust type, so the
//! session (which is not generic) can hold objects of every model.

use crate::mapper::Mapper;
use crate::model::Model;
use oxalchemy_core::{Table, Value};
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, RwLock};

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
    /// server or client-side default given no value (NULL: an `Option` field
    /// holding `None`). An explicit value, whatever it is, is written as held.
    pub(crate) fn generated_at_insert(&self, values: &[Value], pos: usize) -> bool {
        let v = values.get(pos).unwrap_or(&Value::Null);
        let facts = self.facts();
        if Some(pos) == facts.autoincrement {
            return matches!(v, Value::Null | Value::Int(0));
        }
        v.is_null() && facts.has_default.get(pos).copied().unwrap_or(false)
    }

    /// Every mapped column of the table, in mapper order (what a SELECT of
    /// whole rows lists).
    pub(crate) fn columns(&self) -> Vec<oxalchemy_core::Column> {
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
        &self.facts().pk
    }

    /// Position of the column the database generates (SQLAlchemy's autoincrement rule).
    pub(crate) fn autoincrement_position(&self) -> Option<usize> {
        self.facts().autoincrement
    }

    /// The derived facts of this model, computed once per mapper: the session
    /// asks for them for every row it registers and flushes.
    fn facts(&self) -> &'static Facts {
        static CACHE: LazyLock<RwLock<HashMap<usize, &'static Facts>>> =
            LazyLock::new(Default::default);
        thread_local! {
            // The last mapper asked about on this thread: rows come in runs of one model.
            static LAST: Cell<(usize, Option<&'static Facts>)> = const { Cell::new((0, None)) };
        }
        let key = std::ptr::from_ref(self.mapper) as usize;
        if let (k, Some(f)) = LAST.get()
            && k == key
        {
            return f;
        }
        let cached = CACHE
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .copied();
        let f = match cached {
            Some(f) => f,
            None => {
                let mut cache = CACHE.write().unwrap_or_else(|e| e.into_inner());
                // One leaked `Facts` per mapper: mappers are statics, so this is bounded.
                *cache
                    .entry(key)
                    .or_insert_with(|| Box::leak(Box::new(Facts::of(self))))
            }
        };
        LAST.set((key, Some(f)));
        f
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

/// What [`ModelInfo`] derives once from a mapper and its table.
struct Facts {
    pk: Vec<usize>,
    autoincrement: Option<usize>,
    /// Per column (mapper order): it has a server or client-side default.
    has_default: Vec<bool>,
}

impl Facts {
    fn of(info: &ModelInfo) -> Facts {
        Facts {
            pk: info.mapper.primary_key_positions(),
            autoincrement: info
                .table
                .autoincrement_column()
                .and_then(|col| info.mapper.column_position(col.name())),
            has_default: info
                .mapper
                .columns
                .iter()
                .map(|c| {
                    info.table
                        .column_def(c.name)
                        .is_some_and(|d| d.server_default().is_some() || d.default().is_some())
                })
                .collect(),
        }
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
