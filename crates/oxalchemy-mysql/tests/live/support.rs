//! Test support: a throwaway database per test on the local MySQL/MariaDB server.
//!
//! The server URL is `mysql://root@127.0.0.1:3306/test`, overridable with
//! `OXALCHEMY_TEST_MYSQL_URL`. An unreachable server fails the test with a
//! message saying how to start it; it is never skipped.

use oxalchemy_core::Statement;
use oxalchemy_core::{Driver, DriverConnection, QueryResult, Value};
use oxalchemy_mysql::MysqlDriver;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The default test server.
pub const DEFAULT_URL: &str = "mysql://root@127.0.0.1:3306/test";

/// The server URL for tests.
pub fn base_url() -> String {
    std::env::var("OXALCHEMY_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// A driver for the server without a default database (for admin work).
pub fn admin_driver() -> MysqlDriver {
    let url = base_url();
    let options = MysqlDriver::from_url(&url)
        .unwrap_or_else(|e| panic!("OXALCHEMY_TEST_MYSQL_URL={url:?} is not a MySQL URL: {e}"))
        .options()
        .clone()
        .with_database(None);
    MysqlDriver::from_options(options)
}

/// Connect, or fail the test saying how to start the server.
pub async fn connect_or_fail(driver: &MysqlDriver) -> Box<dyn DriverConnection> {
    match driver.connect().await {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot reach the MySQL/MariaDB test server at {}: {e}\n\
             Start it with `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd` \
             or point OXALCHEMY_TEST_MYSQL_URL at a running server.",
            driver.display_url()
        ),
    }
}

/// A database that exists for one test and is dropped when this value is.
pub struct TestDb {
    /// A driver whose connections use the test database.
    pub driver: MysqlDriver,
    name: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    /// Create a fresh database; `tag` names the test in the database name.
    pub async fn new(tag: &str) -> TestDb {
        let admin = admin_driver();
        let mut conn = connect_or_fail(&admin).await;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tag: String = tag.chars().take(24).collect();
        let name = format!(
            "oxa_{tag}_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        conn.execute_batch(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        conn.close().await;
        let options = admin.options().clone().with_database(Some(&name));
        TestDb {
            driver: MysqlDriver::from_options(options),
            name,
        }
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection to the test database.
    pub async fn connect(&self) -> Box<dyn DriverConnection> {
        connect_or_fail(&self.driver).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Runs even when the test panicked; a thread of its own because the
        // test's runtime cannot be blocked on from inside itself.
        let name = std::mem::take(&mut self.name);
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async move {
                let admin = admin_driver();
                if let Ok(mut conn) = admin.connect().await {
                    let _ = conn
                        .execute_batch(&format!("DROP DATABASE IF EXISTS `{name}`"))
                        .await;
                    conn.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

/// Execute and panic with the SQL on failure.
pub async fn exec(
    conn: &mut Box<dyn DriverConnection>,
    sql: &str,
    params: &[Value],
) -> QueryResult {
    match conn.execute(Statement::new(sql, params.to_vec())).await {
        Ok(r) => r,
        Err(e) => panic!("{sql}: {e}"),
    }
}
