//! The closure-based table builder used by `MetaData::table`.

use super::column_def::{ColumnDef, ColumnDefault, ServerDefault};
use super::constraint::{CheckConstraint, ForeignKey, Index, UniqueConstraint};
use crate::sql_type::SqlType;
use crate::value::Value;
use std::sync::Arc;

/// Collects a table's columns and constraints inside `metadata.table(name, |t| ..)`.
#[derive(Debug, Default)]
pub struct TableBuilder {
    pub(crate) schema: Option<String>,
    pub(crate) columns: Vec<ColumnDef>,
    pub(crate) column_fks: Vec<(usize, String, Option<String>, Option<String>)>,
    pub(crate) primary_key: Option<Vec<String>>,
    pub(crate) foreign_keys: Vec<ForeignKeySpec>,
    pub(crate) uniques: Vec<UniqueConstraint>,
    pub(crate) checks: Vec<CheckConstraint>,
    pub(crate) indexes: Vec<Index>,
    pub(crate) errors: Vec<String>,
    pub(crate) comment: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct ForeignKeySpec {
    pub(crate) fk: ForeignKey,
}

impl TableBuilder {
    /// Add a column (nullable unless `.not_null()` or `.primary_key()`).
    pub fn column(&mut self, name: &str, sql_type: impl Into<SqlType>) -> ColumnBuilder<'_> {
        self.columns.push(ColumnDef::new(name, sql_type));
        let idx = self.columns.len() - 1;
        ColumnBuilder { table: self, idx }
    }

    /// Put the table in a schema (PostgreSQL schema, MySQL database, SQLite attached database).
    pub fn schema(&mut self, schema: &str) -> &mut Self {
        self.schema = Some(schema.to_owned());
        self
    }

    /// A comment on the table (`COMMENT ON TABLE` / MySQL's table `COMMENT`).
    pub fn comment(&mut self, text: &str) -> &mut Self {
        self.comment = Some(text.to_owned());
        self
    }

    /// A composite primary key, in key order (instead of `.primary_key()` on columns).
    pub fn primary_key<I, S>(&mut self, columns: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.primary_key = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// A (possibly composite) foreign key: `t.foreign_key(["a", "b"], "other", ["x", "y"])`.
    pub fn foreign_key<I, S, J, T>(
        &mut self,
        columns: I,
        target_table: &str,
        target_columns: J,
    ) -> ForeignKeyBuilder<'_>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        let (target_schema, target_table) = match target_table.split_once('.') {
            Some((s, t)) => (Some(s.to_owned()), t.to_owned()),
            None => (None, target_table.to_owned()),
        };
        self.foreign_keys.push(ForeignKeySpec {
            fk: ForeignKey {
                name: None,
                columns: columns.into_iter().map(Into::into).collect(),
                target_schema,
                target_table,
                target_columns: target_columns.into_iter().map(Into::into).collect(),
                ondelete: None,
                onupdate: None,
            },
        });
        let idx = self.foreign_keys.len() - 1;
        ForeignKeyBuilder { table: self, idx }
    }

    /// A UNIQUE constraint over several columns.
    pub fn unique<I, S>(&mut self, columns: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.uniques.push(UniqueConstraint {
            name: None,
            columns: columns.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// A named UNIQUE constraint over several columns.
    pub fn unique_named<I, S>(&mut self, name: &str, columns: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.uniques.push(UniqueConstraint {
            name: Some(name.to_owned()),
            columns: columns.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// A CHECK constraint with trusted SQL text: `t.check("ck_positive", "amount > 0")`.
    pub fn check(&mut self, name: &str, sql: &str) -> &mut Self {
        self.checks.push(CheckConstraint {
            name: Some(name.to_owned()),
            sql: sql.to_owned(),
        });
        self
    }

    /// An index over one or more columns.
    pub fn index<I, S>(&mut self, name: &str, columns: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.indexes.push(Index {
            name: name.to_owned(),
            columns: columns.into_iter().map(Into::into).collect(),
            unique: false,
            expressions: Vec::new(),
        });
        self
    }

    /// A UNIQUE index over one or more columns.
    pub fn unique_index<I, S>(&mut self, name: &str, columns: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.indexes.push(Index {
            name: name.to_owned(),
            columns: columns.into_iter().map(Into::into).collect(),
            unique: true,
            expressions: Vec::new(),
        });
        self
    }
}

/// Options of one column, chained: `t.column("id", Integer).primary_key()`.
#[derive(Debug)]
pub struct ColumnBuilder<'a> {
    table: &'a mut TableBuilder,
    idx: usize,
}

impl ColumnBuilder<'_> {
    fn def(&mut self) -> &mut ColumnDef {
        &mut self.table.columns[self.idx]
    }

    /// Part of the primary key (implies NOT NULL).
    pub fn primary_key(mut self) -> Self {
        let d = self.def();
        d.primary_key = true;
        d.nullable = false;
        self
    }

    /// NOT NULL.
    pub fn not_null(mut self) -> Self {
        let d = self.def();
        d.nullable = false;
        d.explicit_nullable = true;
        self
    }

    /// Set nullability explicitly.
    pub fn nullable(mut self, nullable: bool) -> Self {
        let d = self.def();
        d.nullable = nullable;
        d.explicit_nullable = true;
        self
    }

    /// Force autoincrement on or off (default: automatic, as SQLAlchemy).
    pub fn autoincrement(mut self, on: bool) -> Self {
        self.def().autoincrement = Some(on);
        self
    }

    /// A UNIQUE constraint on this column.
    pub fn unique(mut self) -> Self {
        self.def().unique = true;
        self
    }

    /// An index on this column (named `ix_<table>_<column>`).
    pub fn index(mut self) -> Self {
        self.def().index = true;
        self
    }

    /// A client-side default, used when an INSERT does not give the column.
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.def().default = Some(ColumnDefault::Value(value.into()));
        self
    }

    /// A client-side default computed per row.
    pub fn default_fn(mut self, f: impl Fn() -> Value + Send + Sync + 'static) -> Self {
        self.def().default = Some(ColumnDefault::Callable(Arc::new(f)));
        self
    }

    /// A server default rendered as a string literal: `server_default("0")` -> `DEFAULT '0'`.
    pub fn server_default(mut self, literal: &str) -> Self {
        self.def().server_default = Some(ServerDefault::Literal(literal.to_owned()));
        self
    }

    /// A server default given as trusted SQL: `server_default_sql("CURRENT_TIMESTAMP")`.
    pub fn server_default_sql(mut self, sql: &str) -> Self {
        self.def().server_default = Some(ServerDefault::Sql(sql.to_owned()));
        self
    }

    /// A foreign key to `"table.column"` (or `"schema.table.column"`).
    pub fn foreign_key(self, target: &str) -> Self {
        let idx = self.idx;
        self.table
            .column_fks
            .push((idx, target.to_owned(), None, None));
        self
    }

    /// ON DELETE action of this column's foreign key (`CASCADE`, `SET NULL`, ...).
    pub fn ondelete(self, action: &str) -> Self {
        let idx = self.idx;
        match self.table.column_fks.iter_mut().rev().find(|f| f.0 == idx) {
            Some(fk) => fk.2 = Some(action.to_owned()),
            None => self.table.errors.push(format!(
                "ondelete({action:?}) on column {:?} needs a foreign_key(..) first",
                self.table.columns[idx].name
            )),
        }
        self
    }

    /// ON UPDATE action of this column's foreign key.
    pub fn onupdate(self, action: &str) -> Self {
        let idx = self.idx;
        match self.table.column_fks.iter_mut().rev().find(|f| f.0 == idx) {
            Some(fk) => fk.3 = Some(action.to_owned()),
            None => self.table.errors.push(format!(
                "onupdate({action:?}) on column {:?} needs a foreign_key(..) first",
                self.table.columns[idx].name
            )),
        }
        self
    }

    /// A comment on the column, written by `create_all` (`COMMENT ON COLUMN`
    /// on PostgreSQL, an inline `COMMENT` on MySQL; SQLite has no comments).
    pub fn comment(mut self, text: &str) -> Self {
        self.def().comment = Some(text.to_owned());
        self
    }
}

/// Options of a table-level foreign key.
#[derive(Debug)]
pub struct ForeignKeyBuilder<'a> {
    table: &'a mut TableBuilder,
    idx: usize,
}

impl ForeignKeyBuilder<'_> {
    /// ON DELETE action.
    pub fn ondelete(self, action: &str) -> Self {
        self.table.foreign_keys[self.idx].fk.ondelete = Some(action.to_owned());
        self
    }
    /// ON UPDATE action.
    pub fn onupdate(self, action: &str) -> Self {
        self.table.foreign_keys[self.idx].fk.onupdate = Some(action.to_owned());
        self
    }
    /// Name the constraint.
    pub fn name(self, name: &str) -> Self {
        self.table.foreign_keys[self.idx].fk.name = Some(name.to_owned());
        self
    }
}
