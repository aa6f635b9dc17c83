//! Turning a [`ReflectedTable`] into an ordinary [`Table`].

use super::reflected::ReflectedTable;
use crate::error::{Error, Result};
use crate::schema::{ColumnDef, ServerDefault, Table, TableInner};
use std::collections::HashMap;
use std::sync::Arc;

impl Table {
    /// An ordinary table from what reflection read: Core statements, joins
    /// over its foreign keys and `create_all` work on it as on a table built
    /// by `metadata.table(..)`. Server defaults become
    /// [`ServerDefault::Sql`] with the database's text; every column's
    /// autoincrement is explicit (`Some(true)` only where the database said so).
    ///
    /// ```
    /// use oxalchemy_core::reflection::{PrimaryKeyConstraint, ReflectedColumn, ReflectedTable};
    /// use oxalchemy_core::{SqlType, Table};
    /// let t = Table::from_reflected(ReflectedTable {
    ///     schema: None,
    ///     name: "users".into(),
    ///     columns: vec![ReflectedColumn {
    ///         name: "id".into(), sql_type: SqlType::Integer, nullable: false,
    ///         default: None, autoincrement: true, comment: None,
    ///     }],
    ///     primary_key: PrimaryKeyConstraint { name: None, columns: vec!["id".into()] },
    ///     foreign_keys: vec![], indexes: vec![], unique_constraints: vec![],
    ///     check_constraints: vec![], comment: None,
    /// }).unwrap();
    /// assert_eq!(t.primary_key(), ["id"]);
    /// assert_eq!(t.autoincrement_column().unwrap().name(), "id");
    /// ```
    pub fn from_reflected(r: ReflectedTable) -> Result<Table> {
        let mut by_name = HashMap::with_capacity(r.columns.len());
        let mut columns = Vec::with_capacity(r.columns.len());
        for (i, c) in r.columns.into_iter().enumerate() {
            if by_name.insert(c.name.clone(), i).is_some() {
                return Err(Error::argument(format!(
                    "reflected table {:?} lists column {:?} twice",
                    r.name, c.name
                )));
            }
            let mut def = ColumnDef::new(c.name, c.sql_type);
            def.nullable = c.nullable;
            def.explicit_nullable = true;
            def.autoincrement = Some(c.autoincrement);
            def.server_default = c.default.map(ServerDefault::Sql);
            def.comment = c.comment;
            columns.push(def);
        }
        for k in &r.primary_key.columns {
            let i = *by_name.get(k).ok_or_else(|| {
                Error::argument(format!(
                    "reflected table {:?}: primary key names unknown column {k:?}",
                    r.name
                ))
            })?;
            columns[i].primary_key = true;
            columns[i].nullable = false;
        }
        Ok(Table(Arc::new(TableInner {
            name: r.name,
            schema: r.schema,
            columns,
            by_name,
            primary_key: r.primary_key.columns,
            foreign_keys: r.foreign_keys,
            uniques: r.unique_constraints,
            checks: r.check_constraints,
            indexes: r.indexes,
            comment: r.comment,
            primary_key_name: r.primary_key.name,
            reflected: true,
        })))
    }
}
