//! The upsert clause: `ON CONFLICT (..) DO NOTHING / DO UPDATE SET .. [WHERE ..]`
//! (PostgreSQL, SQLite) or `ON DUPLICATE KEY UPDATE ..` (MySQL).

use super::Compiler;
use super::from_clause::collect_columns;
use crate::dialect::UpsertStyle;
use crate::error::{Error, Result};
use crate::expr::{Node, SourceKey};
use crate::schema::Table;
use crate::stmt::{OnConflict, OnConflictAction, ValueList};

impl<'a> Compiler<'a> {
    pub(crate) fn on_conflict(&mut self, table: &Table, oc: &'a OnConflict) -> Result<()> {
        match self.d.upsert_style() {
            UpsertStyle::OnConflict => {
                self.push(" ON CONFLICT");
                if !oc.target.is_empty() {
                    self.push(" (");
                    let saved = self.unqualified;
                    self.unqualified = true;
                    let r = self.list(&oc.target);
                    self.unqualified = saved;
                    r?;
                    self.push(")");
                }
                match &oc.action {
                    OnConflictAction::DoNothing => self.push(" DO NOTHING"),
                    OnConflictAction::DoUpdate(set) => {
                        if oc.target.is_empty() {
                            return Err(Error::argument(format!(
                                "on_conflict_do_update needs the conflict target columns on the {} dialect",
                                self.d.name()
                            )));
                        }
                        self.push(" DO UPDATE SET ");
                        self.set_list(table, set, "on_conflict_do_update", false)?;
                        if let Some(w) = &oc.where_ {
                            self.push(" WHERE ");
                            self.node(w)?;
                        }
                    }
                }
            }
            UpsertStyle::OnDuplicateKey => {
                self.push(" ON DUPLICATE KEY UPDATE ");
                match &oc.action {
                    OnConflictAction::DoNothing => {
                        // Assigning a key column to itself changes nothing. The
                        // value is qualified: after INSERT .. SELECT a bare name
                        // could also be a column of the SELECT ("ambiguous").
                        let col = table
                            .primary_key()
                            .first()
                            .map(|s| s.to_string())
                            .or_else(|| table.columns().first().map(|c| c.name().to_owned()))
                            .unwrap_or_default();
                        self.ident(&col);
                        self.push(" = ");
                        self.table_name(table);
                        self.push(".");
                        self.ident(&col);
                    }
                    OnConflictAction::DoUpdate(set) => match &oc.where_ {
                        None => self.set_list(table, set, "on_duplicate_key_update", false)?,
                        Some(w) => self.conditional_set_list(table, set, w)?,
                    },
                }
            }
        }
        Ok(())
    }

    /// MySQL has no `ON DUPLICATE KEY UPDATE .. WHERE`: each column keeps its
    /// value unless `cond` holds (`c = IF(cond, value, t.c)`). Assignments run
    /// left to right and see the columns assigned before them, so the column
    /// `cond` reads is assigned last; a `cond` reading two assigned columns
    /// cannot be written this way.
    fn conditional_set_list(
        &mut self,
        table: &Table,
        set: &'a ValueList,
        cond: &'a Node,
    ) -> Result<()> {
        let target = SourceKey::for_table(table);
        let mut columns = Vec::new();
        collect_columns(cond, &mut columns);
        let read: Vec<&str> = columns
            .iter()
            .filter(|(source, _)| source.key() == target)
            .map(|(_, name)| *name)
            .collect();
        let assigned_read: Vec<&str> = set
            .iter()
            .map(|(k, _)| k.as_ref())
            .filter(|k| read.contains(k))
            .collect();
        if assigned_read.len() > 1 {
            return Err(self.d.unsupported(
                "on_conflict_do_update_where whose condition reads more than one of the updated columns",
                Some("MySQL assigns the columns one after the other: compare one updated column, or excluded(..) values"),
            ));
        }
        let mut ordered: Vec<&'a (std::borrow::Cow<'static, str>, Node)> = set
            .iter()
            .filter(|(k, _)| !assigned_read.contains(&k.as_ref()))
            .collect();
        ordered.extend(
            set.iter()
                .filter(|(k, _)| assigned_read.contains(&k.as_ref())),
        );
        if ordered.is_empty() {
            return Err(Error::argument(
                "on_conflict_do_update_where: no columns to set",
            ));
        }
        for (i, (k, v)) in ordered.into_iter().enumerate() {
            if table.column_def(k).is_none() {
                return Err(super::dml::unknown_column(
                    table,
                    k,
                    "on_conflict_do_update_where",
                ));
            }
            if i > 0 {
                self.push(", ");
            }
            self.ident(k);
            self.push(" = IF(");
            self.node(cond)?;
            self.push(", ");
            self.node(v)?;
            self.push(", ");
            self.table_name(table);
            self.push(".");
            self.ident(k);
            self.push(")");
        }
        Ok(())
    }
}
