//! `Compiled`: SQL text plus bound parameters, ready for a driver.

use crate::dialect::Dialect;
use crate::error::Result;
use crate::sql_type::SqlType;
use crate::statement::{Statement, StatementKind};
use crate::value::Value;
use std::sync::Arc;

/// A statement compiled for one dialect: SQL text, its parameters in order,
/// and its [`StatementKind`] (set by the compiler, or read from the text's
/// leading keyword by [`Compiled::new`]).
///
/// ```
/// use oxalchemy_core::{Compiled, StatementKind};
/// let c = Compiled::new("SELECT 1", vec![]);
/// assert_eq!(c.sql(), "SELECT 1");
/// assert!(c.params().is_empty());
/// assert_eq!(c.kind(), StatementKind::Query);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    sql: Arc<str>,
    params: Vec<Value>,
    kind: StatementKind,
    fetch_after: Option<FetchAfterInsert>,
    column_types: Vec<Option<SqlType>>,
}

/// What the engine keeps of a [`Compiled`] while its [`Statement`] is in the
/// driver: the RETURNING emulation to run after it and the result column types.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompiledExtras {
    /// See [`Compiled::fetch_after`].
    pub fetch_after: Option<FetchAfterInsert>,
    /// See [`Compiled::column_types`].
    pub column_types: Vec<Option<SqlType>>,
}

/// How to emulate `INSERT .. RETURNING` on a backend without it (MySQL): after
/// the INSERT, run `select_sql` with the key of each inserted row (see
/// [`FetchAfterInsert::row_keys`]) and put its rows in insertion order
/// ([`FetchAfterInsert::rows_in_insert_order`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FetchAfterInsert {
    /// `SELECT <returning columns>, key FROM t WHERE key IN (?, .., ?)`: one
    /// placeholder per row, the key last (it orders the rows, then is dropped).
    pub select_sql: String,
    /// How many rows the INSERT wrote.
    pub row_count: usize,
    /// For each row, the position in the INSERT's parameters of the key value
    /// it gives; `None` when the row leaves the key to AUTO_INCREMENT.
    pub key_params: Vec<Option<usize>>,
}

impl Compiled {
    /// Wrap SQL text and its parameters; the kind is read from the text's
    /// leading keyword ([`StatementKind::of_sql`]).
    pub fn new(sql: impl Into<Arc<str>>, params: Vec<Value>) -> Self {
        let sql = sql.into();
        let kind = StatementKind::of_sql(&sql);
        Compiled::with_kind(sql, params, kind)
    }

    /// Wrap SQL text and its parameters, of a kind already known.
    pub fn with_kind(sql: impl Into<Arc<str>>, params: Vec<Value>, kind: StatementKind) -> Self {
        Compiled {
            sql: sql.into(),
            params,
            kind,
            fetch_after: None,
            column_types: Vec::new(),
        }
    }

    /// What sort of statement this is.
    pub fn kind(&self) -> StatementKind {
        self.kind
    }

    /// Attach the SQL type of each result column (see [`column_types`](Self::column_types)).
    pub fn with_column_types(mut self, types: Vec<Option<SqlType>>) -> Self {
        self.column_types = types;
        self
    }

    /// The SQL type of each result column (SELECT list or RETURNING), in
    /// order, where the compiler knows it: a table column's type, a CAST's
    /// target, `Boolean` for comparisons, IN, EXISTS, IS NULL and LIKE,
    /// `BigInteger` for COUNT, SUM of integers and floor division of integers,
    /// a NUMERIC column's type for its SUM / MIN / MAX / COALESCE, `Integer`
    /// for `extract`. `None` where the type is unknown or backend-dependent (an
    /// average, a quotient). Empty for text, DDL and statements without result
    /// columns. Drivers can decode a column to this type where the wire type
    /// does not say it (SQLite expressions, booleans on MySQL).
    ///
    /// ```
    /// use oxalchemy_core::{MetaData, select, func, ExprLike, SqlType, dialect::GenericDialect, sql_type::{Integer, Numeric}};
    /// let md = MetaData::new();
    /// let t = md.table("t", |t| { t.column("id", Integer).primary_key(); t.column("amount", Numeric(10, 2)); });
    /// let c = select((func::sum(t.c("amount")), t.c("id").in_([1, 2]), func::avg(t.c("amount"))))
    ///     .compile(&GenericDialect);
    /// assert_eq!(c.column_types(), [Some(SqlType::Numeric(10, 2)), Some(SqlType::Boolean), None]);
    /// ```
    pub fn column_types(&self) -> &[Option<SqlType>] {
        &self.column_types
    }

    /// Attach a RETURNING emulation.
    pub fn with_fetch_after(mut self, fetch: FetchAfterInsert) -> Self {
        self.fetch_after = Some(fetch);
        self
    }

    /// The SQL text, with placeholders in the dialect's style.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The SQL text as a shared string (cheap to clone into caches).
    pub fn sql_arc(&self) -> &Arc<str> {
        &self.sql
    }

    /// The parameters, in placeholder order.
    pub fn params(&self) -> &[Value] {
        &self.params
    }

    /// Move the result column types out (the compile cache walks a
    /// statement's shape for its key and its types; copying the types cost a
    /// clone per execution).
    pub(crate) fn take_column_types(&mut self) -> Vec<Option<SqlType>> {
        std::mem::take(&mut self.column_types)
    }

    /// Take the parameters out.
    pub fn into_parts(self) -> (Arc<str>, Vec<Value>, Option<FetchAfterInsert>) {
        (self.sql, self.params, self.fetch_after)
    }

    /// The RETURNING emulation to run after this INSERT, if any.
    pub fn fetch_after(&self) -> Option<&FetchAfterInsert> {
        self.fetch_after.as_ref()
    }

    /// Split into the [`Statement`] a driver runs (SQL, parameters and kind,
    /// moved, not copied) and what the engine needs after it.
    pub fn into_statement(self) -> (Statement, CompiledExtras) {
        (
            Statement::with_kind(self.sql, self.params, self.kind),
            CompiledExtras {
                fetch_after: self.fetch_after,
                column_types: self.column_types,
            },
        )
    }
}

/// An UPDATE or DELETE statement, as [`Executable::as_dml`] shows it to a
/// front end (the ORM session synchronizes its identity map with it).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum DmlStatement<'a> {
    /// An UPDATE.
    Update(&'a crate::Update),
    /// A DELETE.
    Delete(&'a crate::Delete),
}

/// Anything a connection can execute: Core statements, `text(..)`, DDL.
pub trait Executable: Send + Sync {
    /// Compile for `dialect`.
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled>;

    /// How many front-end options ride on the statement (the ORM's loader
    /// options and `populate_existing()`, stored with
    /// [`Select::with_extension`](crate::Select::with_extension)). Core
    /// execution returns rows and would ignore them, so it refuses a
    /// statement that carries any.
    fn front_end_options(&self) -> usize {
        0
    }

    /// The statement as an UPDATE or DELETE, when it is one (the ORM
    /// session's bulk UPDATE / DELETE reads its table, WHERE and SET).
    fn as_dml(&self) -> Option<DmlStatement<'_>> {
        None
    }

    /// True when compiled SQL may be cached by statement shape
    /// ([`CompileCache`](crate::CompileCache)): Core statements are; text
    /// and already-compiled SQL gain nothing from it.
    fn cacheable(&self) -> bool {
        false
    }

    /// The statement as several statements of at most `max_params`
    /// parameters each, run in order in the same transaction, when it has
    /// more (its compiled form has `params`): a Core INSERT of many rows is
    /// split by rows. `None` when the statement cannot be split.
    fn split_for(
        &self,
        dialect: &dyn Dialect,
        max_params: usize,
        params: usize,
    ) -> Result<Option<Vec<Compiled>>> {
        let _ = (dialect, max_params, params);
        Ok(None)
    }
}

impl Executable for Compiled {
    fn compile_for(&self, _dialect: &dyn Dialect) -> Result<Compiled> {
        Ok(self.clone())
    }
}

impl<E: Executable + ?Sized> Executable for &E {
    fn compile_for(&self, dialect: &dyn Dialect) -> Result<Compiled> {
        (**self).compile_for(dialect)
    }
    fn cacheable(&self) -> bool {
        (**self).cacheable()
    }
    fn as_dml(&self) -> Option<DmlStatement<'_>> {
        (**self).as_dml()
    }
    fn split_for(
        &self,
        dialect: &dyn Dialect,
        max_params: usize,
        params: usize,
    ) -> Result<Option<Vec<Compiled>>> {
        (**self).split_for(dialect, max_params, params)
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::GenericDialect;
    use crate::sql_type::Integer;
    use crate::{
        CompileCache, Compiled, CreateTable, DropIndex, DropTable, Executable, ExprLike, MetaData,
        StatementKind, delete, insert, select, text, union, update,
    };

    /// The compiler sets the kind from the statement it compiles; text is
    /// classified once, where it is built; the compile cache keeps the kind.
    #[test]
    fn the_compiler_decides_the_statement_kind() {
        let md = MetaData::new();
        let t = md.table("t", |t| {
            t.column("id", Integer).primary_key();
            t.column("x", Integer);
        });
        let d = &GenericDialect;
        let kind = |c: crate::Result<Compiled>| c.unwrap().kind();
        assert_eq!(kind(select(t.c("x")).compile_for(d)), StatementKind::Query);
        assert_eq!(
            kind(union(select(t.c("x")), select(t.c("id"))).compile_for(d)),
            StatementKind::Query
        );
        assert_eq!(
            kind(insert(&t).values([("x", 1)]).compile_for(d)),
            StatementKind::Insert
        );
        assert_eq!(
            kind(update(&t).values([("x", 2)]).compile_for(d)),
            StatementKind::Dml
        );
        assert_eq!(
            kind(delete(&t).filter(t.c("x").eq(1)).compile_for(d)),
            StatementKind::Dml
        );
        assert_eq!(
            kind(CreateTable::new(&t).compile_for(d)),
            StatementKind::Ddl
        );
        assert_eq!(kind(DropTable::new(&t).compile_for(d)), StatementKind::Ddl);
        assert_eq!(
            kind(DropIndex::new(&t, "ix_t_x").compile_for(d)),
            StatementKind::Ddl
        );
        assert_eq!(
            kind(text("pragma foreign_keys = off").compile_for(d)),
            StatementKind::Session
        );
        assert_eq!(
            kind(text("SAVEPOINT s").compile_for(d)),
            StatementKind::TransactionControl
        );
        assert_eq!(
            Compiled::new("  DELETE FROM t", vec![]).kind(),
            StatementKind::Dml
        );

        let cache = CompileCache::new(10);
        for x in 0..2 {
            let c = cache.compile(&update(&t).values([("x", x)]), d).unwrap();
            assert_eq!(c.kind(), StatementKind::Dml);
        }
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn into_statement_moves_sql_params_and_kind() {
        let c = Compiled::new("INSERT INTO t VALUES (?)", vec![crate::Value::Int(1)]);
        let sql = c.sql_arc().clone();
        let (stmt, extras) = c.into_statement();
        assert!(std::sync::Arc::ptr_eq(stmt.sql_arc(), &sql));
        assert_eq!(stmt.params(), [crate::Value::Int(1)]);
        assert_eq!(stmt.kind(), StatementKind::Insert);
        assert!(extras.fetch_after.is_none());
    }
}
