//! The behaviour-test harness: every test is written once and runs on SQLite,
//! PostgreSQL and MySQL/MariaDB, each in its own database (or schema), so tests
//! run in parallel and leave nothing behind.
//!
//! - `OXALCHEMY_TEST_BACKENDS` (default `sqlite,postgres,mysql`) selects backends;
//!   CI never narrows it.
//! - `OXALCHEMY_TEST_POSTGRES_URL` (default `postgresql://postgres@127.0.0.1:5432/test`)
//! - `OXALCHEMY_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/test`)
//!
//! A selected backend whose server cannot be reached fails the test with a
//! message saying how to start it: it is never skipped silently.
#![allow(dead_code)]

use oxalchemy::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// One of the three backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// True when `OXALCHEMY_TEST_BACKENDS` selects this backend.
    pub fn selected(self) -> bool {
        let list = std::env::var("OXALCHEMY_TEST_BACKENDS")
            .unwrap_or_else(|_| "sqlite,postgres,mysql".to_owned());
        list.split(',')
            .any(|b| b.trim().eq_ignore_ascii_case(self.name()))
    }
}

fn postgres_admin_url() -> String {
    std::env::var("OXALCHEMY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned())
}

fn mysql_admin_url() -> String {
    std::env::var("OXALCHEMY_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "oxt_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 100_000
    )
}

fn start_hint(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => {
            "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, \
             or point OXALCHEMY_TEST_POSTGRES_URL at another server"
        }
        Backend::Mysql => {
            "start it with `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`, \
             or point OXALCHEMY_TEST_MYSQL_URL at another server"
        }
        Backend::Sqlite => "",
    }
}

/// Replace the path (database name) of a URL.
fn with_database(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("test URL parses");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

/// An isolated database for one test.
pub struct TestDb {
    pub backend: Backend,
    pub engine: Engine,
    url: String,
    cleanup: Option<Cleanup>,
}

/// What to remove when a test's database is dropped.
enum Cleanup {
    /// Run `sql` through the admin URL (drop the schema or database).
    Sql { admin: String, sql: String },
    /// Delete the SQLite file and its journals.
    File(std::path::PathBuf),
}

impl TestDb {
    /// An isolated database on `backend`, or `None` when the backend is not selected.
    pub async fn open(backend: Backend) -> Option<TestDb> {
        if !backend.selected() {
            eprintln!(
                "{} not selected by OXALCHEMY_TEST_BACKENDS: not run",
                backend.name()
            );
            return None;
        }
        Some(Self::create(backend).await)
    }

    async fn create(backend: Backend) -> TestDb {
        let name = unique_name();
        let (url, cleanup) = match backend {
            // A file, so every engine built from `url()` sees the same database.
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (
                    format!("sqlite:///{}", path.display()),
                    Some(Cleanup::File(path)),
                )
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                run_admin(backend, &admin, &format!("CREATE SCHEMA {name}")).await;
                let sep = if admin.contains('?') { '&' } else { '?' };
                (
                    format!("{admin}{sep}options=-csearch_path%3D{name}"),
                    Some(Cleanup::Sql {
                        admin,
                        sql: format!("DROP SCHEMA IF EXISTS {name} CASCADE"),
                    }),
                )
            }
            Backend::Mysql => {
                let admin = mysql_admin_url();
                run_admin(backend, &admin, &format!("CREATE DATABASE {name}")).await;
                (
                    with_database(&admin, &name),
                    Some(Cleanup::Sql {
                        admin,
                        sql: format!("DROP DATABASE IF EXISTS {name}"),
                    }),
                )
            }
        };
        let engine = create_engine(&url).unwrap_or_else(|e| panic!("create_engine({url}): {e}"));
        TestDb {
            backend,
            engine,
            url,
            cleanup,
        }
    }

    /// The URL of this test's database (for engines with other pool settings).
    pub fn url(&self) -> &str {
        &self.url
    }
}

async fn run_admin(backend: Backend, admin_url: &str, sql: &str) {
    let engine =
        create_engine(admin_url).unwrap_or_else(|e| panic!("create_engine({admin_url}): {e}"));
    let result = async {
        let mut conn = engine.connect().await?;
        conn.execute(text(sql)).await?;
        conn.commit().await
    }
    .await;
    if let Err(e) = result {
        panic!(
            "{} test server at {admin_url} could not run `{sql}`: {e}\n{}",
            backend.name(),
            start_hint(backend)
        );
    }
    engine.dispose().await;
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let backend = self.backend;
        let engine = self.engine.clone();
        let (admin, sql) = match self.cleanup.take() {
            None => return,
            Some(Cleanup::Sql { admin, sql }) => (admin, sql),
            Some(Cleanup::File(path)) => {
                let handle = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("cleanup runtime");
                    rt.block_on(engine.dispose());
                    for suffix in ["", "-wal", "-shm", "-journal"] {
                        let mut p = path.clone().into_os_string();
                        p.push(suffix);
                        let _ = std::fs::remove_file(p);
                    }
                });
                let _ = handle.join();
                return;
            }
        };
        // Drop runs inside the test's runtime: clean up on a thread with its own.
        let handle = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async move {
                engine.dispose().await;
                run_admin(backend, &admin, &sql).await;
            });
        });
        let _ = handle.join();
    }
}

/// The SQL of every statement an engine runs (its BeforeExecute events), for
/// tests that count statements.
#[derive(Clone, Default)]
pub struct Statements(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Statements {
    /// Start recording the statements `engine` runs.
    pub fn listen(engine: &Engine) -> Statements {
        let s = Statements::default();
        let log = s.clone();
        event::listen(
            engine,
            EngineEvent::BeforeExecute,
            move |ctx: &ExecuteContext| {
                log.0.lock().unwrap().push(ctx.statement().to_owned());
            },
        );
        s
    }

    /// The statements since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Generate one test per backend from one body:
///
/// ```ignore
/// backend_tests! {
///     async fn inserts_a_row(db) { ...; Ok(()) }
/// }
/// ```
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($db:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($db: $crate::common::TestDb) -> oxalchemy::Result<()> $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> oxalchemy::Result<()> {
                match $crate::common::TestDb::open($crate::common::Backend::Sqlite).await {
                    Some(db) => body(db).await,
                    None => Ok(()),
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> oxalchemy::Result<()> {
                match $crate::common::TestDb::open($crate::common::Backend::Postgres).await {
                    Some(db) => body(db).await,
                    None => Ok(()),
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() -> oxalchemy::Result<()> {
                match $crate::common::TestDb::open($crate::common::Backend::Mysql).await {
                    Some(db) => body(db).await,
                    None => Ok(()),
                }
            }
        }
    )*};
}
