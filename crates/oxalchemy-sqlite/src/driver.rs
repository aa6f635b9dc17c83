//! `SqliteDriver`: opens connections to one SQLite database named by a URL.

use crate::connection::SqliteConnection;
use crate::connection_thread::spawn;
use crate::dialect::SqliteDialect;
use crate::open::{OpenSpec, open};
use crate::url::{OpenMode, SqliteUrl, Target, parse};
use oxalchemy_core::{BoxFuture, Dialect, Driver, DriverConnection, Result};
use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A connection factory for one SQLite database.
///
/// * `sqlite://` and `sqlite:///:memory:`: a private in-memory database,
///   shared by every connection this driver opens (SQLite's `memdb` VFS), and
///   alive as long as the driver; two drivers get two databases.
/// * `sqlite:///relative/path.db` (resolved against the current directory
///   when the driver is built) and `sqlite:////absolute/path.db`: a file,
///   created when missing, switched to WAL journaling.
/// * Query parameters: `mode=ro|rw|rwc` (read only, must exist, create),
///   `timeout=<seconds>` (busy timeout, default 5).
///
/// Each connection runs on its own thread with foreign keys enforced, a busy
/// timeout (a writer waits for another's lock instead of failing at once) and a
/// 256-entry prepared-statement cache. `BEGIN` is deferred to the first
/// statement that writes (see [`SqliteDriver::lazy_begin`]).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use oxalchemy_core::{Driver, DriverConnection, Statement, Value};
/// use oxalchemy_sqlite::SqliteDriver;
/// let driver = SqliteDriver::from_url("sqlite://").unwrap();
/// let mut a = driver.connect().await.unwrap();
/// let mut b = driver.connect().await.unwrap();
/// a.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
/// a.execute(Statement::new("INSERT INTO t VALUES (?)", vec![Value::Int(7)])).await.unwrap();
/// let seen = b.execute(Statement::new("SELECT x FROM t", vec![])).await.unwrap();
/// assert_eq!(seen.rows, vec![vec![Value::Int(7)]]);
/// # });
/// ```
pub struct SqliteDriver {
    url: String,
    spec: OpenSpec,
    memory: bool,
    dialect: Arc<SqliteDialect>,
    /// Holds an in-memory database open for the driver's lifetime (a `memdb`
    /// database disappears with its last connection). Never used otherwise.
    _keeper: Option<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDriver")
            .field("url", &self.url)
            .field("database", &self.spec.path)
            .field("busy_timeout", &self.spec.busy_timeout)
            .field("lazy_begin", &self.spec.lazy_begin)
            .finish()
    }
}

/// A process-wide unique name for a new in-memory database.
fn memory_name() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    PathBuf::from(format!(
        "file:/oxalchemy-mem-{}-{n}?vfs=memdb",
        std::process::id()
    ))
}

impl SqliteDriver {
    /// Parse a `sqlite://` URL. No connection is opened for a file database
    /// (that happens on first use); an in-memory database is created at once.
    ///
    /// A URL of another form (`sqlite:/x`, `sqlite://host/x`, an unknown query
    /// parameter) is an `Error::ArgumentError` that lists the accepted forms.
    pub fn from_url(url: &str) -> Result<SqliteDriver> {
        let parsed = parse(url)?;
        Self::from_parsed(url, parsed)
    }

    fn from_parsed(url: &str, parsed: SqliteUrl) -> Result<SqliteDriver> {
        let SqliteUrl {
            target,
            mode,
            busy_timeout,
        } = parsed;
        let (path, flags, memory) = match target {
            Target::Memory => (
                memory_name(),
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                true,
            ),
            Target::File(path) => {
                let access = match mode {
                    OpenMode::Ro => OpenFlags::SQLITE_OPEN_READ_ONLY,
                    OpenMode::Rw => OpenFlags::SQLITE_OPEN_READ_WRITE,
                    OpenMode::Rwc => {
                        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
                    }
                };
                (path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX, false)
            }
        };
        let spec = OpenSpec {
            path,
            flags,
            busy_timeout,
            wal: !memory && mode != OpenMode::Ro,
            lazy_begin: true,
        };
        let keeper = if memory {
            Some(Mutex::new(open(&spec)?))
        } else {
            None
        };
        Ok(SqliteDriver {
            url: url.to_owned(),
            spec,
            memory,
            dialect: Arc::new(SqliteDialect),
            _keeper: keeper,
        })
    }

    /// Choose when a deferred `BEGIN` reaches SQLite (default `true`).
    ///
    /// `true`: as Python's sqlite3 module does under SQLAlchemy, a `BEGIN` is
    /// held back until the first statement that writes; a transaction that
    /// only reads takes no lock between statements and never blocks writers on
    /// other connections (essential for a shared in-memory database, which has
    /// no WAL), and the reads before the first write are not one snapshot.
    /// `false`: `BEGIN` is sent as given; reads in a transaction form a snapshot
    /// but hold a shared lock that a writer elsewhere must wait out.
    pub fn lazy_begin(mut self, lazy: bool) -> Self {
        self.spec.lazy_begin = lazy;
        self
    }

    /// Set how long a statement waits for another connection's lock before
    /// failing with "database is locked" (default 5 s, or `?timeout=` in the URL).
    /// Clamped to SQLite's limit, `i32::MAX` milliseconds (about 24.8 days).
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.spec.busy_timeout = timeout.min(crate::url::MAX_BUSY_TIMEOUT);
        self
    }

    /// True for an in-memory database.
    pub fn is_memory(&self) -> bool {
        self.memory
    }

    /// The database file, or `None` for an in-memory database.
    pub fn path(&self) -> Option<&Path> {
        (!self.memory).then_some(self.spec.path.as_path())
    }

    /// Open a connection, with its concrete type (the [`Driver`] trait's
    /// `connect` boxes this).
    pub async fn connect_sqlite(&self) -> Result<SqliteConnection> {
        SqliteConnection::start(spawn(self.spec.clone())?).await
    }
}

impl Driver for SqliteDriver {
    fn dialect(&self) -> Arc<dyn Dialect> {
        self.dialect.clone()
    }

    fn connect(&self) -> BoxFuture<'_, Result<Box<dyn DriverConnection>>> {
        Box::pin(async move {
            let conn = self.connect_sqlite().await?;
            Ok(Box::new(conn) as Box<dyn DriverConnection>)
        })
    }

    fn display_url(&self) -> String {
        self.url.clone()
    }
}
