//! oxalchemy Core: values, SQL types, schema (`MetaData`, `Table`), the
//! expression language and the SQL compiler. No I/O: the engine, pool and
//! drivers live in other crates and meet this one through [`Driver`] and
//! [`Dialect`].

pub mod compiled;
pub mod decode;
pub mod dialect;
pub mod driver;
pub mod error;
pub mod row;
pub mod schema_bind;
pub mod sql_type;
pub mod value;

pub use compiled::{Compiled, Executable, FetchAfterInsert};
pub use decode::{DecodeMismatch, FromValue};
pub use dialect::{Dialect, UpsertStyle, standard_type_name};
pub use driver::{BoxFuture, Driver, DriverConnection};
pub use error::{Error, IntegrityKind, Result};
pub use schema_bind::{SchemaBind, SchemaConnection};
pub use row::{Columns, CursorResult, FromRow, QueryResult, Row, RowIndex};
pub use sql_type::SqlType;
pub use value::Value;
