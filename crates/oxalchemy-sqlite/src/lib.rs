//! oxalchemy's SQLite backend: [`SqliteDialect`] (how SQLite spells SQL) and
//! [`SqliteDriver`] (connections over rusqlite with a bundled SQLite, each on
//! its own thread behind an async, `Send` API).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use oxalchemy_core::{Driver, DriverConnection, Statement, Value};
//! use oxalchemy_sqlite::SqliteDriver;
//!
//! let driver = SqliteDriver::from_url("sqlite://")?;          // in-memory
//! let mut conn = driver.connect().await?;
//! conn.execute_batch("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, active BOOLEAN)").await?;
//! let inserted = conn
//!     .execute(Statement::new("INSERT INTO users (name, active) VALUES (?, ?)", vec![Value::from("sandy"), Value::Bool(true)]))
//!     .await?;
//! assert_eq!(inserted.last_insert_id, Some(1));
//! let rows = conn.execute(Statement::new("SELECT name, active FROM users", vec![])).await?;
//! assert_eq!(rows.rows[0], vec![Value::from("sandy"), Value::Bool(true)]); // BOOLEAN maps back to a bool
//! # Ok::<(), oxalchemy_core::Error>(())
//! # }).unwrap();
//! ```
//!
//! Values are stored in SQLite's storage classes as SQLAlchemy's SQLite
//! dialect stores them (booleans as `0`/`1`, decimals as REALs, dates, times
//! and timestamps as ISO text with six fractional digits,
//! `2024-01-02 03:04:05.000000`, UUIDs hyphenated, JSON as text) and mapped
//! back through each result column's declared type; see [`SqliteDialect`] for
//! the type names DDL uses.

mod bind;
mod connection;
mod connection_thread;
mod decode;
mod dialect;
mod driver;
mod error_map;
mod open;
mod reflection;
mod registration;
mod statement;
mod url;
mod worker;

pub use connection::SqliteConnection;
pub use dialect::SqliteDialect;
pub use driver::SqliteDriver;
pub use registration::REGISTRATION;
