//! Test support: a uniquely named schema per test on the live server.
//!
//! Every test gets its own schema; its driver's connections use it through
//! `options=-csearch_path=<schema>` and are tagged with
//! `application_name=<schema>`. Dropping the [`TestDb`] (also when the test
//! panics) terminates those connections and drops the schema, so tests run in
//! parallel and leave nothing behind.

use oxalchemy_core::Statement;
use oxalchemy_core::{Driver, DriverConnection, QueryResult, Value};
use oxalchemy_postgres::{PostgresConnection, PostgresDriver};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The server the tests use unless `OXALCHEMY_TEST_POSTGRES_URL` says otherwise.
pub const DEFAULT_URL: &str = "postgresql://postgres@127.0.0.1:5432/test";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The base URL of the test server.
pub fn base_url() -> String {
    std::env::var("OXALCHEMY_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// `base` with extra query options appended.
pub fn url_with(base: &str, options: &[(&str, &str)]) -> String {
    let mut url = base.to_owned();
    for (i, (k, v)) in options.iter().enumerate() {
        let sep = if i == 0 && !base.contains('?') {
            '?'
        } else {
            '&'
        };
        url.push(sep);
        url.push_str(k);
        url.push('=');
        url.push_str(
            &v.replace('%', "%25")
                .replace('=', "%3D")
                .replace('&', "%26")
                .replace(' ', "%20"),
        );
    }
    url
}

/// Open a connection to the test server, or fail saying how to start it.
pub async fn admin_connection() -> PostgresConnection {
    let url = base_url();
    let driver = PostgresDriver::from_url(&url).expect("the test URL parses");
    match driver.connect_postgres().await {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot reach the PostgreSQL test server at {}: {e}\n\
             Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n\
             or point OXALCHEMY_TEST_POSTGRES_URL at another server.",
            driver.display_url()
        ),
    }
}

/// A fresh schema and a driver whose connections work inside it.
pub struct TestDb {
    /// The schema's name (lower case, no quoting needed).
    pub schema: String,
    /// Connections of this driver have `search_path` set to the schema.
    pub driver: PostgresDriver,
}

impl TestDb {
    /// Create the schema (panics with instructions when the server is unreachable).
    pub async fn new() -> TestDb {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = format!(
            "oxa_pg_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            nanos % 100_000
        );
        let mut admin = admin_connection().await;
        admin
            .execute_batch(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("create the test schema");
        Box::new(admin).close().await;
        let url = url_with(
            &base_url(),
            &[
                ("options", &format!("-csearch_path={schema}")),
                ("application_name", &schema),
            ],
        );
        let driver = PostgresDriver::from_url(&url).expect("the test URL parses");
        TestDb { schema, driver }
    }

    /// A typed connection working in the schema.
    pub async fn conn(&self) -> PostgresConnection {
        self.driver
            .connect_postgres()
            .await
            .expect("connect to the test server")
    }

    /// A connection as the engine sees it.
    pub async fn boxed(&self) -> Box<dyn DriverConnection> {
        self.driver
            .connect()
            .await
            .expect("connect to the test server")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let schema = self.schema.clone();
        // Drop may run inside the test's runtime: clean up on a thread with its own.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let mut admin = admin_connection().await;
                let _ = admin
                    .execute(Statement::new(
                        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
                         WHERE application_name = $1 AND pid <> pg_backend_pid()",
                        vec![Value::from(schema.as_str())],
                    ))
                    .await;
                admin
                    .execute_batch(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .await
                    .expect("drop the test schema");
                Box::new(admin).close().await;
            });
        });
        let result = cleanup.join();
        if result.is_err() && !std::thread::panicking() {
            panic!("cleaning up the test schema {} failed", self.schema);
        }
    }
}

/// Run one statement, panicking with the error on failure.
pub async fn run(conn: &mut dyn DriverConnection, sql: &str, params: &[Value]) -> QueryResult {
    match conn.execute(Statement::new(sql, params.to_vec())).await {
        Ok(r) => r,
        Err(e) => panic!("{sql}: {e}"),
    }
}
