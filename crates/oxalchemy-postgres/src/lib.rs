//! oxalchemy's PostgreSQL backend: the [`PostgresDialect`] (how PostgreSQL
//! spells SQL) and the [`PostgresDriver`] (connections through tokio-postgres,
//! with TLS over rustls as libpq's `sslmode` asks), meeting the engine through `oxalchemy_core`'s object-safe
//! [`Dialect`](oxalchemy_core::Dialect) and [`Driver`](oxalchemy_core::Driver) traits.
//!
//! ```no_run
//! use oxalchemy_core::{Driver, Statement, Value};
//! use oxalchemy_postgres::PostgresDriver;
//!
//! # async fn demo() -> oxalchemy_core::Result<()> {
//! let driver = PostgresDriver::from_url("postgresql://postgres@127.0.0.1:5432/test")?;
//! let mut conn = driver.connect().await?;
//! let result = conn.execute(Statement::new("SELECT $1::int + 1 AS n", vec![Value::Int(41)])).await?;
//! assert_eq!(result.rows, vec![vec![Value::Int(42)]]);
//! # Ok(())
//! # }
//! ```
//!
//! What the driver does per connection:
//!
//! - **Prepared statements** are cached by SQL text and parameter kinds
//!   (bounded, least recently used out); an entry the server invalidated
//!   (`cached plan must not change result type`) is dropped so the next
//!   execution prepares it again.
//! - **Parameters** are declared with the type of their value, as psycopg2
//!   types the literals it writes under SQLAlchemy: an `Int` is int4 (int8 when
//!   it does not fit), a `Float` float8, a `Decimal` numeric, `Bool`, `Date`,
//!   `Time`, `DateTime` and `Timestamp` boolean, date, time, timestamp and
//!   timestamptz. So `n = $1` with 30.4 compares as a float (never rounded), and
//!   `SELECT $1`, `CASE .. THEN $1` or `$1 + $2` have the value's type. Text,
//!   bytes, UUIDs, JSON and `Null` take the type the server infers from the
//!   context (varchar, enum, uuid, jsonb, bytea..), and are converted to it:
//!   text is parsed where a number, date, UUID or JSON is expected.
//! - **Columns** are decoded by type (see the table in the `decode` module docs):
//!   integers to `Int`, numeric to `Decimal`, timestamp to `DateTime`,
//!   timestamptz to `Timestamp`, json/jsonb and arrays to `Json`, ...
//! - **Errors** are mapped by SQLSTATE: integrity violations carry their kind
//!   and constraint name, syntax errors are `ProgrammingError` with the SQL,
//!   and a lost connection (`08xxx`, `57P01` from `pg_terminate_backend`, a
//!   closed socket) is an `OperationalError` with `is_disconnect()`, after which
//!   `is_broken()` tells the pool to discard the connection.

mod bind;
mod connection;
mod decode;
mod dialect;
mod driver;
mod error_map;
mod param_types;
mod placeholders;
mod reflection;
mod registration;
mod statement_cache;
mod tls;
mod url;

pub use connection::PostgresConnection;
pub use dialect::PostgresDialect;
pub use driver::PostgresDriver;
pub use registration::REGISTRATION;
pub use statement_cache::DEFAULT_STATEMENT_CACHE_CAPACITY;
