//! oxalchemy's MySQL and MariaDB backend: [`MysqlDialect`] (how the SQL is
//! spelled) and [`MysqlDriver`] (connections through `mysql_async`, pure Rust,
//! no OpenSSL).
//!
//! The engine normally builds the driver from a URL; used directly:
//!
//! ```no_run
//! use oxalchemy_core::{Driver, DriverConnection, Statement, Value};
//! use oxalchemy_mysql::MysqlDriver;
//!
//! # async fn demo() -> oxalchemy_core::Result<()> {
//! let driver = MysqlDriver::from_url("mysql://root@127.0.0.1:3306/test")?;
//! let mut conn = driver.connect().await?;
//! let result = conn.execute(Statement::new("SELECT ? + 1 AS n", vec![Value::Int(41)])).await?;
//! assert_eq!(result.rows[0][0], Value::Int(42));
//! // After the first connection the dialect knows the server:
//! println!("RETURNING: {}", driver.dialect().supports_returning());
//! # Ok(()) }
//! ```
//!
//! Decisions worth knowing:
//!
//! - Each connection runs `SET SESSION sql_mode = '`[`DEFAULT_SQL_MODE`]`',
//!   time_zone = '+00:00'`: strict, and backslashes stay escapes in string
//!   literals, matching [`Dialect::write_string_literal`](oxalchemy_core::Dialect::write_string_literal)
//!   (a URL `sql_mode` with `NO_BACKSLASH_ESCAPES` switches the dialect's escaping off).
//! - `Timestamp` columns are `DATETIME(6)` holding UTC (MySQL's `TIMESTAMP`
//!   ends in 2038); they read back as `Value::DateTime`, which decodes into
//!   `DateTime<Utc>`.
//! - Sessions run with `autocommit = 0` (as MySQLdb/PyMySQL under SQLAlchemy):
//!   a plain `BEGIN` sends nothing (the server starts the transaction with the
//!   first statement), and a `COMMIT`/`ROLLBACK` with nothing open sends
//!   nothing. Statements run outside a `BEGIN` are still committed one by one.
//! - UPDATE reports matched rows, as SQLAlchemy does (read from the server's
//!   info text: connections do not set `CLIENT_FOUND_ROWS`, so that an
//!   upsert-do-nothing counts only the rows it inserted, as on PostgreSQL and
//!   SQLite; other upserts count as with the flag). A `Decimal` parameter is
//!   sent as `CAST(? AS DECIMAL(65, scale))`, so expressions around it stay
//!   decimal (`COALESCE(amount, ?)` reads back as a `Decimal`, not text).
//! - On MariaDB, `JSON` is `LONGTEXT`: JSON columns read back as `Value::Text`
//!   (which decodes into `serde_json::Value`); MySQL sends `Value::Json`.

mod affected_rows;
mod bind;
mod connection;
mod decimal_params;
mod decode;
mod dialect;
mod driver;
mod error_map;
mod reflection;
mod registration;
mod reserved_words;
mod server_info;
mod sql_scan;
mod url;

pub use connection::MysqlConnection;
pub use dialect::MysqlDialect;
pub use driver::MysqlDriver;
pub use registration::REGISTRATION;
pub use server_info::{ServerFlavor, ServerInfo};
pub use url::{
    DEFAULT_SQL_MODE, DEFAULT_STMT_CACHE_SIZE, MAX_CONNECT_TIMEOUT_SECS, MysqlConnectOptions,
    SslMode,
};
