//! oxalchemy Core: values, SQL types, schema (`MetaData`, `Table`), the
//! expression language and the SQL compiler. No I/O: the engine, pool and
//! drivers live in other crates and meet this one through [`Driver`] and
//! [`Dialect`].

pub mod column_decode;
pub mod compile_cache;
pub mod compiled;
mod compiler;
pub mod decode;
pub mod dialect;
pub mod driver;
pub mod driver_registry;
pub mod error;
pub mod expr;
mod fetch_after;
pub mod reflection;
pub mod row;
pub mod schema;
pub mod schema_bind;
pub mod sql_type;
pub mod statement;
pub mod stmt;
pub mod transaction_options;
pub mod url_mask;
pub mod value;

pub use compile_cache::CompileCache;
pub use compiled::{Compiled, CompiledExtras, DmlStatement, Executable, FetchAfterInsert};
pub use decode::{DecodeMismatch, FromValue};
pub use dialect::{
    AsDialect, CommentStyle, DeleteUsing, Dialect, DistinctFrom, LongInList, ReturningOrder,
    SentinelInsert, TrueDivision, UpdateFrom, UpsertStyle, replace_ascii_case, standard_string_op,
    standard_type_name,
};
pub use driver::{BoxFuture, Driver, DriverConnection, ExecuteManyError};
pub use driver_registry::{DriverRegistration, driver_from_url, install_driver};
pub use error::{Error, IntegrityKind, Result};
pub use expr::{
    Alias, AnyTable, AnyType, Case, Column, DatePart, Expr, ExprLike, InOperand, Node, Operand,
    Source, Window, case, exists, extract, false_, func, label_ref, literal, literal_column, not_,
    null, true_, tuple_,
};
pub use reflection::{
    Inspector, PrimaryKeyConstraint, ReflectOptions, ReflectedColumn, ReflectedTable, Reflector,
    inspect,
};
pub use row::{Columns, CursorResult, FromRow, QueryResult, Row, RowIndex};
pub use schema::{
    CheckConstraint, ColumnDef, ForeignKey, Index, MetaData, ServerDefault, Table, UniqueConstraint,
};
pub use schema_bind::{SchemaBind, SchemaConnection};
pub use sql_type::SqlType;
pub use statement::{Statement, StatementKind};
pub use stmt::{
    CompoundSelect, Correlation, CreateIndex, CreateTable, Cte, Delete, DmlTarget, DropIndex,
    DropTable, ExprList, FromList, Insert, IntoSelectStmt, IntoValues, JoinTarget, Select,
    SelectItem, SelectList, SelectStmt, Subquery, TextClause, Update, delete, except, except_all,
    excluded, insert, intersect, intersect_all, select, text, union, union_all, update,
};
pub use transaction_options::{IsolationLevel, SavepointCommand, TxOptions, savepoint_name};
pub use url_mask::redact_url;
pub use value::Value;

// `register_driver!` expands to `inventory::submit!` through this path.
#[doc(hidden)]
pub use inventory as __inventory;
