//! The SQL compiler: one walk over a statement produces SQL text and its
//! bound parameters for one [`Dialect`].
//!
//! Only the differences between backends are asked of the dialect; the
//! structure of every statement is written here once.

mod ddl;
mod division;
mod dml;
mod dml_from;
mod expr;
mod from_clause;
mod identical;
mod labels;
mod result_types;
mod reuse;
mod select;
mod upsert;
mod window_default;

use crate::compiled::Compiled;
use crate::dialect::Dialect;
use crate::error::Result;
use crate::expr::Node;
use crate::expr::SourceKey;
use crate::schema::Table;
use crate::sql_type::SqlType;
use crate::statement::StatementKind;
use crate::stmt::{Cte, SelectCore, SelectStmt};
use crate::value::Value;

pub(crate) use ddl::{
    comment_statements, compile_create_table, create_enum_type, drop_enum_type, named_enum_type,
};
pub(crate) use dml::compile_insert;
pub(crate) use dml_from::{compile_delete, compile_update};

thread_local! {
    /// Set while computing a statement's shape (see `crate::compile_cache`):
    /// compilation is synchronous, so a thread-local scopes it exactly.
    static SHAPE_MODE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` with every compiler on this thread in shape mode.
pub(crate) fn with_shape_mode<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            SHAPE_MODE.with(|m| m.set(self.0));
        }
    }
    let _reset = Reset(SHAPE_MODE.with(|m| m.replace(true)));
    f()
}

/// Compiler state for one statement.
pub(crate) struct Compiler<'a> {
    /// Write the statement's shape instead of its SQL: identifiers unquoted
    /// and length-prefixed, placeholders as a marker. The shape identifies the
    /// SQL exactly (for one dialect) and is cheaper to produce.
    pub(crate) shape_only: bool,
    pub(crate) d: &'a dyn Dialect,
    pub(crate) sql: String,
    pub(crate) params: Vec<Value>,
    /// FROM items of the enclosing SELECTs (every level), for correlation.
    pub(crate) outer: Vec<SourceKey<'a>>,
    /// Where the immediately enclosing SELECT's FROM items start in `outer`:
    /// automatic correlation looks at those only, as SQLAlchemy's does.
    pub(crate) outer_level: usize,
    /// CTEs to declare in the top-level WITH, dependencies first.
    pub(crate) ctes: Vec<&'a Cte>,
    /// Write columns without their table qualifier (compound ORDER BY, RETURNING).
    pub(crate) unqualified: bool,
    /// Counters for anonymous labels, one per name (`count_1`, `count_2`, `anon_1`).
    pub(crate) anon: Vec<(String, usize)>,
    /// Expressions of the current SELECT whose placeholders a later identical
    /// expression reuses, with their parameter numbers (see `reuse`).
    pub(crate) reusable: Vec<(&'a Node, Vec<usize>)>,
    /// True while writing GROUP BY, HAVING and ORDER BY on a dialect with
    /// numbered placeholders: identical expressions reuse placeholders.
    pub(crate) reuse_active: bool,
    /// Parameter numbers to write instead of new placeholders (an identical
    /// expression being written again).
    pub(crate) replay: Option<std::vec::IntoIter<usize>>,
    /// The select list names in ORDER BY / GROUP BY resolve against.
    pub(crate) label_scope: labels::LabelScope<'a>,
    /// The SQL type of each result column, where known.
    pub(crate) column_types: Vec<Option<SqlType>>,
    /// Declare CTEs in each nested SELECT that uses them rather than in a
    /// top-level WITH (DML where the backend has no `WITH .. UPDATE`, INSERT .. VALUES).
    pub(crate) nested_ctes: bool,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(d: &'a dyn Dialect) -> Self {
        Compiler {
            shape_only: SHAPE_MODE.with(std::cell::Cell::get),
            d,
            sql: String::with_capacity(128),
            params: Vec::new(),
            outer: Vec::new(),
            outer_level: 0,
            ctes: Vec::new(),
            unqualified: false,
            anon: Vec::new(),
            reusable: Vec::new(),
            reuse_active: false,
            replay: None,
            label_scope: labels::LabelScope::None,
            column_types: Vec::new(),
            nested_ctes: false,
        }
    }

    /// The compiled statement, of `kind` (the compiler knows what it compiled).
    pub(crate) fn finish(self, kind: StatementKind) -> Compiled {
        Compiled::with_kind(self.sql, self.params, kind).with_column_types(self.column_types)
    }

    /// The next anonymous label for `prefix`: `count_1`, `count_2`, `anon_1` ..
    pub(crate) fn anon_label(&mut self, prefix: &str) -> String {
        let n = match self.anon.iter_mut().find(|(p, _)| p == prefix) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.anon.push((prefix.to_owned(), 1));
                1
            }
        };
        format!("{prefix}_{n}")
    }

    pub(crate) fn push(&mut self, s: &str) {
        self.sql.push_str(s);
    }

    pub(crate) fn ident(&mut self, name: &str) {
        if self.shape_only {
            write_shape_ident(name, &mut self.sql);
        } else {
            self.d.write_identifier(name, &mut self.sql);
        }
    }

    pub(crate) fn bind(&mut self, v: Value) {
        if let Some(index) = self.replay.as_mut().and_then(Iterator::next) {
            // An identical expression again: its placeholder, no new parameter.
            if self.shape_only {
                self.sql.push('\u{2}');
                self.sql.push_str(&index.to_string());
                self.sql.push(';');
            } else {
                self.d.write_placeholder(index, &mut self.sql);
            }
            return;
        }
        if self.shape_only {
            // The value's kind is part of the shape: result types (and so the
            // cached statement's) may depend on it.
            self.sql.push('\u{0}');
            self.sql.push(value_kind_marker(&v));
            self.params.push(v);
            return;
        }
        self.params.push(v);
        self.d.write_placeholder(self.params.len(), &mut self.sql);
    }

    pub(crate) fn table_name(&mut self, t: &Table) {
        if self.shape_only {
            if let Some(schema) = t.schema() {
                write_shape_ident(schema, &mut self.sql);
                self.sql.push('.');
            }
            write_shape_ident(t.name(), &mut self.sql);
        } else {
            write_table_name(self.d, t, &mut self.sql);
        }
    }
}

/// One character per kind of value, for a placeholder in a statement's shape.
fn value_kind_marker(v: &Value) -> char {
    match v {
        Value::Null => 'n',
        Value::Bool(_) => 'b',
        Value::Int(_) => 'i',
        Value::Float(_) => 'f',
        Value::Decimal(_) => 'd',
        Value::Text(_) => 't',
        Value::Bytes(_) => 'y',
        Value::Date(_) => 'D',
        Value::Time(_) => 'T',
        Value::DateTime(_) => 'M',
        Value::Timestamp(_) => 'Z',
        Value::Uuid(_) => 'u',
        Value::Json(_) => 'j',
    }
}

/// An identifier in a statement's shape: `\u{1}<length>:<name>`, unambiguous
/// whatever the name holds (written without `fmt`: this runs for every
/// identifier of every cached compile).
pub(crate) fn write_shape_ident(name: &str, out: &mut String) {
    out.push('\u{1}');
    let mut digits = [0u8; 20];
    let mut n = name.len();
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
    out.push(':');
    out.push_str(name);
}

/// Write `schema.table` (each part quoted as needed).
pub(crate) fn write_table_name(d: &dyn Dialect, t: &Table, out: &mut String) {
    if let Some(s) = t.schema() {
        d.write_identifier(s, out);
        out.push('.');
    }
    d.write_identifier(t.name(), out);
}

/// Compile a simple SELECT.
pub(crate) fn compile_select_core(core: &SelectCore, d: &dyn Dialect) -> Result<Compiled> {
    let mut c = Compiler::new(d);
    c.collect_ctes_core(core);
    c.write_with()?;
    c.select_core(core)?;
    c.column_types = result_types::column_types(&core.columns);
    Ok(c.finish(StatementKind::Query))
}

/// Compile any SELECT statement.
pub(crate) fn compile_select_stmt(stmt: &SelectStmt, d: &dyn Dialect) -> Result<Compiled> {
    let mut c = Compiler::new(d);
    c.collect_ctes_stmt(stmt);
    c.write_with()?;
    c.select_stmt(stmt)?;
    c.column_types = result_types::column_types(result_types::stmt_columns(stmt));
    Ok(c.finish(StatementKind::Query))
}
