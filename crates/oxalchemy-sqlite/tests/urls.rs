//! URL forms: shared in-memory databases, files, bad URLs.

mod common;

use common::{TempDir, batch, scalar};
use oxalchemy_core::Statement;
use oxalchemy_core::{Driver, Error, Value};
use oxalchemy_sqlite::SqliteDriver;

#[tokio::test]
async fn memory_is_shared_by_the_connections_of_one_driver() {
    for url in ["sqlite://", "sqlite:///:memory:"] {
        let driver = SqliteDriver::from_url(url).unwrap();
        assert!(driver.is_memory());
        assert_eq!(driver.path(), None);
        let mut a = driver.connect().await.unwrap();
        let mut b = driver.connect().await.unwrap();
        batch(&mut a, "CREATE TABLE t (x INTEGER)").await;
        a.execute(Statement::new(
            "INSERT INTO t VALUES (?)",
            vec![Value::Int(1)],
        ))
        .await
        .unwrap();
        assert_eq!(
            scalar(&mut b, "SELECT count(*) FROM t", &[]).await,
            Value::Int(1)
        );
        b.execute(Statement::new(
            "INSERT INTO t VALUES (?)",
            vec![Value::Int(2)],
        ))
        .await
        .unwrap();
        assert_eq!(
            scalar(&mut a, "SELECT sum(x) FROM t", &[]).await,
            Value::Int(3)
        );
    }
}

#[tokio::test]
async fn memory_outlives_its_connections() {
    let driver = SqliteDriver::from_url("sqlite://").unwrap();
    {
        let mut a = driver.connect().await.unwrap();
        batch(
            &mut a,
            "CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (42)",
        )
        .await;
        a.close().await;
    }
    let mut b = driver.connect().await.unwrap();
    assert_eq!(
        scalar(&mut b, "SELECT x FROM kept", &[]).await,
        Value::Int(42)
    );
}

#[tokio::test]
async fn two_drivers_get_two_memory_databases() {
    let one = SqliteDriver::from_url("sqlite://").unwrap();
    let two = SqliteDriver::from_url("sqlite://").unwrap();
    let mut a = one.connect().await.unwrap();
    let mut b = two.connect().await.unwrap();
    batch(&mut a, "CREATE TABLE only_in_one (x INTEGER)").await;
    let err = b
        .execute(Statement::new("SELECT * FROM only_in_one", vec![]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no such table"), "{err}");
}

#[tokio::test]
async fn absolute_file_path() {
    let dir = TempDir::new("abs");
    let file = dir.path().join("abs.db");
    let url = format!("sqlite:///{}", file.display()); // "sqlite:////tmp/..."
    assert!(url.starts_with("sqlite:////"));
    {
        let driver = SqliteDriver::from_url(&url).unwrap();
        assert_eq!(driver.path(), Some(file.as_path()));
        assert_eq!(driver.display_url(), url);
        let mut c = driver.connect().await.unwrap();
        batch(
            &mut c,
            "CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('persisted')",
        )
        .await;
        assert_eq!(
            scalar(&mut c, "PRAGMA journal_mode", &[]).await,
            Value::Text("wal".into())
        );
        assert_eq!(
            scalar(&mut c, "PRAGMA foreign_keys", &[]).await,
            Value::Int(1)
        );
        c.close().await;
    }
    assert!(file.exists());
    // A second driver on the same file sees the data.
    let driver = SqliteDriver::from_url(&url).unwrap();
    let mut c = driver.connect().await.unwrap();
    assert_eq!(
        scalar(&mut c, "SELECT x FROM t", &[]).await,
        Value::from("persisted")
    );
}

#[tokio::test]
async fn relative_file_path() {
    let dir = TempDir::new("rel");
    // Spell the temp dir relative to the current directory: ../../tmp/...
    let cwd = std::env::current_dir().unwrap();
    let ups = "../".repeat(cwd.components().count() - 1);
    let target = dir.path().join("rel.db");
    let relative = format!("{ups}{}", target.strip_prefix("/").unwrap().display());
    let url = format!("sqlite:///{relative}");
    let driver = SqliteDriver::from_url(&url).unwrap();
    let mut c = driver.connect().await.unwrap();
    batch(&mut c, "CREATE TABLE t (x INTEGER)").await;
    c.close().await;
    assert!(target.exists(), "{url} should create {}", target.display());
}

#[tokio::test]
async fn read_only_mode() {
    let dir = TempDir::new("ro");
    let file = dir.path().join("ro.db");
    let rw = SqliteDriver::from_url(&format!("sqlite:///{}", file.display())).unwrap();
    let mut c = rw.connect().await.unwrap();
    batch(
        &mut c,
        "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)",
    )
    .await;
    c.close().await;

    let ro = SqliteDriver::from_url(&format!("sqlite:///{}?mode=ro", file.display())).unwrap();
    let mut c = ro.connect().await.unwrap();
    assert_eq!(scalar(&mut c, "SELECT x FROM t", &[]).await, Value::Int(1));
    let err = c
        .execute(Statement::new("INSERT INTO t VALUES (2)", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OperationalError { .. }), "{err}");
    assert!(err.to_string().contains("readonly"), "{err}");
}

#[tokio::test]
async fn missing_directory_fails_on_connect_with_operational_error() {
    let dir = TempDir::new("missing");
    let url = format!("sqlite:///{}/no/such/dir/x.db", dir.path().display());
    let driver = SqliteDriver::from_url(&url).unwrap(); // lazy: nothing opened yet
    let Err(err) = driver.connect().await else {
        panic!("connecting to {url} should fail");
    };
    assert!(matches!(err, Error::OperationalError { .. }), "{err}");
    assert!(err.to_string().contains("x.db"), "{err}");
}

#[test]
fn bad_urls_are_argument_errors() {
    for url in [
        "sqlite:/x",
        "sqlite://host/x",
        "sqlite:",
        "sqlite://localhost",
        "mysql://x/y",
    ] {
        let err = SqliteDriver::from_url(url).unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{url}: {err}");
        let text = err.to_string();
        assert!(text.contains("sqlite:////absolute/path.db"), "{text}");
    }
}
