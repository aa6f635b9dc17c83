//! Writing INSERT (UPDATE and DELETE are in `dml_from`, the upsert clause in `upsert`).

use super::Compiler;
use super::result_types::column_types;
use crate::compiled::{Compiled, FetchAfterInsert};
use crate::dialect::{Dialect, ReturningOrder, SentinelInsert};
use crate::error::{Error, Result};
use crate::expr::Node;
use crate::schema::Table;
use crate::stmt::{Insert, ValueList};
use std::borrow::Cow;

pub(crate) fn unknown_column(table: &Table, name: &str, what: &str) -> Error {
    Error::argument(format!(
        "{what}: table {:?} has no column {name:?}; its columns are: {}",
        table.fullname(),
        table.column_names().join(", ")
    ))
}

/// Column order for a multi-row INSERT: the first row's keys, then columns
/// with a client-side default that no row gives.
fn insert_columns(table: &Table, rows: &[ValueList]) -> Result<Vec<Cow<'static, str>>> {
    let mut cols: Vec<Cow<'static, str>> = Vec::new();
    if let Some(first) = rows.first() {
        for (k, _) in first {
            if table.column_def(k).is_none() {
                return Err(unknown_column(table, k, "insert values"));
            }
            if cols.contains(k) {
                return Err(Error::argument(format!(
                    "insert values: column {k:?} is given twice"
                )));
            }
            cols.push(k.clone());
        }
    }
    for (i, row) in rows.iter().enumerate().skip(1) {
        let same = row.len() == cols.len() && row.iter().all(|(k, _)| cols.contains(k));
        if !same {
            let keys: Vec<&str> = row.iter().map(|(k, _)| k.as_ref()).collect();
            let first: Vec<&str> = cols.iter().map(|k| k.as_ref()).collect();
            return Err(Error::argument(format!(
                "insert values_many: row {i} gives columns ({}) but row 0 gives ({}); every row must give the same columns",
                keys.join(", "),
                first.join(", ")
            )));
        }
    }
    for def in table.columns() {
        if def.default().is_some() && !cols.iter().any(|c| c == def.name()) {
            cols.push(Cow::Owned(def.name().to_owned()));
        }
    }
    Ok(cols)
}

impl<'a> Compiler<'a> {
    /// ` RETURNING ..`: columns unqualified, or qualified when the statement
    /// names other tables too (`UPDATE .. FROM u RETURNING t.id, u.x`).
    pub(crate) fn returning(&mut self, returning: &'a [Node], qualified: bool) -> Result<()> {
        self.push(" RETURNING ");
        let saved = self.unqualified;
        self.unqualified = !qualified;
        let mut r = Ok(());
        for (i, n) in returning.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            r = match n {
                Node::Label { operand, name } => self.node(operand).map(|_| {
                    self.push(" AS ");
                    self.ident(name);
                }),
                other => self.node(other),
            };
            if r.is_err() {
                break;
            }
        }
        self.unqualified = saved;
        r
    }

    /// `a = .., b = ..`; `t.a = ..` when `qualified`.
    pub(crate) fn set_list(
        &mut self,
        table: &Table,
        set: &'a ValueList,
        what: &str,
        qualified: bool,
    ) -> Result<()> {
        if set.is_empty() {
            return Err(Error::argument(format!("{what}: no columns to set")));
        }
        for (i, (k, v)) in set.iter().enumerate() {
            if table.column_def(k).is_none() {
                return Err(unknown_column(table, k, what));
            }
            if i > 0 {
                self.push(", ");
            }
            if qualified {
                self.table_name(table);
                self.push(".");
            }
            self.ident(k);
            self.push(" = ");
            self.node(v)?;
        }
        Ok(())
    }
}

/// True when `stmt`, written as a statement, ends with its FROM clause (the
/// place SQLite would read a following `ON CONFLICT` as a join constraint).
fn ends_with_from_clause(stmt: &crate::stmt::SelectStmt, d: &dyn Dialect) -> bool {
    use crate::stmt::SelectStmt;
    match stmt {
        SelectStmt::Simple(core) => {
            core.where_.is_none()
                && core.group_by.is_empty()
                && core.having.is_none()
                && core.order_by.is_empty()
                && core.limit.is_none()
                && core.offset.is_none()
        }
        SelectStmt::Compound(comp) => {
            if !comp.order_by.is_empty() || comp.limit.is_some() || comp.offset.is_some() {
                return false;
            }
            if d.parenthesize_compound_members() {
                return false;
            }
            match comp.selects.last() {
                // Written `SELECT * FROM (..) AS anon_n` when it needs wrapping.
                Some(last @ SelectStmt::Simple(core)) => {
                    !core.order_by.is_empty()
                        || core.limit.is_some()
                        || core.offset.is_some()
                        || ends_with_from_clause(last, d)
                }
                Some(SelectStmt::Compound(_)) => true,
                None => false,
            }
        }
    }
}

/// Compile an INSERT.
pub(crate) fn compile_insert(ins: &Insert, d: &dyn Dialect) -> Result<Compiled> {
    if ins.sort_by_parameter_order
        && ins.rows.len() > 1
        && !ins.returning.is_empty()
        && ins.from_select.is_none()
        && d.returning_order() != ReturningOrder::InsertionOrder
    {
        return match d.sentinel_insert() {
            SentinelInsert::NamedColumns | SentinelInsert::NumberedColumns => {
                let mut c = compile_sentinel_insert(ins, d)?;
                c.column_types = column_types(&ins.returning);
                Ok(c.finish(crate::statement::StatementKind::Insert))
            }
            _ => Err(d.unsupported(
                "a multi-row INSERT .. RETURNING whose rows match the VALUES rows (sort_by_parameter_order)",
                Some("insert one row per statement"),
            )),
        };
    }
    let mut c = Compiler::new(d);
    c.column_types = column_types(&ins.returning);
    let table = &ins.table;
    if let Some((_, select)) = &ins.from_select {
        c.collect_ctes_stmt(select);
    }
    c.push("INSERT INTO ");
    c.table_name(table);
    let mut row_count = 0usize;
    let mut key_params = Vec::new();
    if let Some((cols, select)) = &ins.from_select {
        if !ins.rows.is_empty() {
            return Err(Error::argument(
                "an INSERT takes either values(..) or from_select(..), not both",
            ));
        }
        c.push(" (");
        for (i, col) in cols.iter().enumerate() {
            if table.column_def(col).is_none() {
                return Err(unknown_column(table, col, "insert from_select"));
            }
            if i > 0 {
                c.push(", ");
            }
            c.ident(col);
        }
        c.push(") ");
        c.write_with()?;
        c.select_stmt(select)?;
        if ins.on_conflict.is_some()
            && d.upsert_select_needs_where()
            && ends_with_from_clause(select, d)
        {
            c.push(" WHERE true");
        }
    } else {
        // A subquery in VALUES declares the CTEs it uses itself: no backend
        // accepts `WITH .. INSERT .. VALUES` everywhere.
        c.nested_ctes = true;
        let cols = insert_columns(table, &ins.rows)?;
        if cols.is_empty() {
            c.push(" ");
            c.push(d.default_values_insert());
            row_count = ins.rows.len().max(1);
            if ins.rows.len() > 1 {
                return Err(Error::argument(
                    "values_many with empty rows: insert them one statement each",
                ));
            }
        } else {
            c.push(" (");
            for (i, col) in cols.iter().enumerate() {
                if i > 0 {
                    c.push(", ");
                }
                c.ident(col);
            }
            c.push(") VALUES ");
            // No rows but client defaults: one row of defaults.
            static DEFAULTS_ONLY: ValueList = Vec::new();
            let rows_iter: Vec<&ValueList> = if ins.rows.is_empty() {
                vec![&DEFAULTS_ONLY]
            } else {
                ins.rows.iter().collect()
            };
            row_count = rows_iter.len();
            // RETURNING emulation: where each row's key value is bound.
            let emulated_key = (!ins.returning.is_empty() && !d.supports_returning())
                .then(|| table.autoincrement_column().map(|k| k.name()))
                .flatten();
            for (ri, row) in rows_iter.into_iter().enumerate() {
                if ri > 0 {
                    c.push(", ");
                }
                c.push("(");
                let mut row_key = None;
                for (ci, col) in cols.iter().enumerate() {
                    if ci > 0 {
                        c.push(", ");
                    }
                    let given = row.iter().find(|(k, _)| k == col);
                    if emulated_key == Some(col.as_ref()) {
                        row_key = match given {
                            Some((_, Node::Param(_))) | None => Some(c.params.len()),
                            Some((_, Node::Null)) => None,
                            Some(_) => {
                                return Err(d.unsupported(
                                    "INSERT .. RETURNING with the key given as an expression",
                                    Some("give the key as a value, or leave it to AUTO_INCREMENT"),
                                ));
                            }
                        };
                    }
                    match given {
                        Some((_, v)) => c.node(v)?,
                        None => {
                            let def = table
                                .column_def(col)
                                .and_then(|d| d.default())
                                .map(|d| d.produce())
                                .unwrap_or(crate::Value::Null);
                            c.value(def);
                        }
                    }
                }
                key_params.push(row_key);
                c.push(")");
            }
        }
    }
    c.nested_ctes = true;
    if let Some(oc) = &ins.on_conflict {
        c.on_conflict(table, oc)?;
    }
    if ins.returning.is_empty() {
        return Ok(c.finish(crate::statement::StatementKind::Insert));
    }
    if d.supports_returning() {
        c.returning(&ins.returning, false)?;
        return Ok(c.finish(crate::statement::StatementKind::Insert));
    }
    // No RETURNING: emulate through LAST_INSERT_ID for an autoincrement key.
    let hint = "RETURNING is emulated only for an INSERT .. VALUES into a table with an autoincrement primary key";
    if ins.from_select.is_some() || ins.on_conflict.is_some() {
        return Err(d.unsupported("INSERT .. RETURNING", Some(hint)));
    }
    let key = table
        .autoincrement_column()
        .ok_or_else(|| d.unsupported("INSERT .. RETURNING", Some(hint)))?
        .name()
        .to_owned();
    let mut sel = Compiler::new(d);
    sel.push("SELECT ");
    sel.unqualified = true;
    for (i, n) in ins.returning.iter().enumerate() {
        if i > 0 {
            sel.push(", ");
        }
        match n {
            Node::Column { source, .. } if source.table().is_some_and(|t| t.same_as(table)) => {
                sel.node(n)?
            }
            Node::Label { operand, name } => {
                sel.node(operand)?;
                sel.push(" AS ");
                sel.ident(name);
            }
            _ => return Err(d.unsupported("INSERT .. RETURNING of expressions", Some(hint))),
        }
    }
    // The key last: the rows are put in insertion order by it (see `FetchAfterInsert`).
    sel.push(", ");
    sel.ident(&key);
    sel.push(" FROM ");
    sel.table_name(table);
    sel.push(" WHERE ");
    sel.ident(&key);
    sel.push(" IN (");
    for i in 0..row_count {
        if i > 0 {
            sel.push(", ");
        }
        d.write_placeholder(i + 1, &mut sel.sql);
    }
    sel.push(")");
    let select_sql = sel.sql;
    Ok(c.finish(crate::statement::StatementKind::Insert)
        .with_fetch_after(FetchAfterInsert {
            select_sql,
            row_count,
            key_params,
        }))
}

/// The type a VALUES placeholder is cast to in the sentinel form: the column's
/// type without a length, so a too-long text is an error of the INSERT, never
/// silently cut by the cast.
fn sentinel_cast_type(ty: &crate::SqlType) -> crate::SqlType {
    match ty {
        // CHAR(n) and a VARCHAR-backed enum truncate on an explicit cast too:
        // 'happyX' cast to VARCHAR(5) would pass the enum's CHECK as 'happy'.
        crate::SqlType::Varchar(_) | crate::SqlType::Char(_) | crate::SqlType::Enum { .. } => {
            crate::SqlType::Varchar(None)
        }
        other => other.clone(),
    }
}

/// `INSERT INTO t (a, b) SELECT p0, p1 FROM (VALUES (CAST($1 AS ..), CAST($2 AS ..), 0),
/// (.., 1)) AS imp_sen (p0, p1, sen_counter) ORDER BY sen_counter RETURNING ..`:
/// rows reach the table in VALUES order (PostgreSQL; SQLAlchemy's insertmanyvalues).
/// Placeholders are cast to the column types, as PostgreSQL would otherwise
/// type untyped parameters in VALUES as text. SQLite names VALUES columns
/// itself: `SELECT column1, column2 FROM (VALUES (?, ?, 0), ..) ORDER BY column3`.
fn compile_sentinel_insert<'a>(ins: &'a Insert, d: &'a dyn Dialect) -> Result<Compiler<'a>> {
    let numbered = d.sentinel_insert() == SentinelInsert::NumberedColumns;
    let mut c = Compiler::new(d);
    c.nested_ctes = true;
    let table = &ins.table;
    let cols = insert_columns(table, &ins.rows)?;
    if cols.is_empty() {
        return Err(Error::argument(
            "values_many with empty rows: insert them one statement each",
        ));
    }
    let value_col = |i: usize| {
        if numbered {
            format!("column{}", i + 1)
        } else {
            format!("p{i}")
        }
    };
    c.push("INSERT INTO ");
    c.table_name(table);
    c.push(" (");
    for (i, col) in cols.iter().enumerate() {
        if i > 0 {
            c.push(", ");
        }
        c.ident(col);
    }
    c.push(") SELECT ");
    for i in 0..cols.len() {
        if i > 0 {
            c.push(", ");
        }
        c.push(&value_col(i));
    }
    c.push(" FROM (VALUES ");
    // Per column, once (not per row): its definition and the type its
    // placeholders are cast to (a native enum column: its named type).
    let defs: Vec<_> = cols.iter().map(|col| table.column_def(col)).collect();
    let casts: Vec<Option<String>> = defs
        .iter()
        .map(|def| {
            def.filter(|_| !numbered).map(|def| {
                super::ddl::named_enum_type_sql(table, def, d)
                    .unwrap_or_else(|| d.cast_type_name(&sentinel_cast_type(def.sql_type())))
            })
        })
        .collect();
    for (ri, row) in ins.rows.iter().enumerate() {
        if ri > 0 {
            c.push(", ");
        }
        c.push("(");
        for (ci, col) in cols.iter().enumerate() {
            if ci > 0 {
                c.push(", ");
            }
            let def = defs[ci];
            let cast = &casts[ci];
            let given = row.iter().find(|(k, _)| k == col).map(|(_, v)| v);
            let default = || {
                def.and_then(|d| d.default())
                    .map(|d| d.produce())
                    .unwrap_or(crate::Value::Null)
            };
            let typed = matches!(given, None | Some(Node::Param(_)) | Some(Node::Null));
            if let (Some(t), true) = (cast, typed) {
                c.push("CAST(");
                match given {
                    Some(v) => c.node(v)?,
                    None => c.value(default()),
                }
                c.push(" AS ");
                c.push(t);
                c.push(")");
            } else if let Some(v) = given {
                c.node(v)?;
            } else {
                c.value(default());
            }
        }
        c.push(&format!(", {ri})"));
    }
    if numbered {
        c.push(&format!(") ORDER BY column{}", cols.len() + 1));
    } else {
        c.push(") AS imp_sen (");
        for i in 0..cols.len() {
            c.push(&format!("p{i}, "));
        }
        c.push("sen_counter) ORDER BY sen_counter");
    }
    if let Some(oc) = &ins.on_conflict {
        c.on_conflict(table, oc)?;
    }
    c.returning(&ins.returning, false)?;
    Ok(c)
}
