//! Issue 12 on the engine side: `pool_timeout` bounds a checkout that opens a
//! connection, secrets never show in `Display`/`Debug`/errors, and pool
//! options never panic.

// The facade links the backends its features enable (their driver registrations).
use oxalchemy as _;
use oxalchemy_core::Error;
use oxalchemy_pool::{Engine, EngineOptions, MAX_POOL_CONNECTIONS, create_engine};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The password every URL below carries; it must never be printed.
const SECRET: &str = "Hunter2Secret";

/// Assert that neither the Display nor the Debug of `what` holds the secret.
fn assert_no_secret(what: &(impl std::fmt::Display + std::fmt::Debug)) {
    let shown = what.to_string();
    let debugged = format!("{what:?}");
    assert!(!shown.contains(SECRET), "Display leaks: {shown}");
    assert!(!debugged.contains(SECRET), "Debug leaks: {debugged}");
    assert!(!shown.contains("Hunter2"), "Display leaks part: {shown}");
    assert!(
        !debugged.contains("Hunter2"),
        "Debug leaks part: {debugged}"
    );
}

/// URLs that fail to build an engine, every one holding the secret.
fn bad_urls() -> Vec<String> {
    let s = SECRET;
    vec![
        format!("oracle://scott:{s}@h/db"),
        format!("postgresql:/scott:{s}@h/db"),
        format!("scott:{s}@localhost/db"),
        format!("sqlite://scott:{s}@host/x.db"),
        format!("sqlite:///x.db?password={s}"),
        format!("postgresql://u:{s}@[::1"),
        format!("postgresql://u:{s}@h:bad/db"),
        format!("postgresql://u:{s}@h/db?bogus=1"),
        format!("postgresql://u:{s}@h/db#frag"),
        format!("postgresql://u:Hunter2/Secret@h:x/db"),
        format!("postgresql://u:Hunter2?Secret@h:x/db"),
        format!("postgresql://u:Hunter2#Secret@h/db"),
        format!("postgresql://u:Hunter2@Secret@h:x/db"),
        format!("postgresql://u@h:x/db?password={s}"),
        format!("postgresql://u@h/db?sslmode=bogus&password={s}"),
        format!("postgresql://u@h/db?password={s}&bogus=1"),
        format!("postgresql://u:{s}@h/db?connect_timeout=1e20"),
        format!("postgresql://u:{s}@h:70000/db"),
        format!("mysql://u:{s}@[::1"),
        format!("mysql://u:{s}@h/db?bogus=1"),
        format!("mysql://u:{s}@h/db?connect_timeout=1e20"),
        format!("mysql://u:{s}@h/db?connect_timeout=nan"),
        format!("mysql://u:{s}@h:70000/db"),
        format!("mysql://u:Hunter2/Secret@h:x/db"),
        format!("mysql://u:Hunter2@Secret@h:x/db"),
        format!("mysql://u@h/db?password={s}"),
        format!("mariadb://u:{s}@h/db?stmt_cache_size=-1"),
    ]
}

#[test]
fn bad_urls_never_show_the_password() {
    for url in bad_urls() {
        let err = match create_engine(&url) {
            Err(e) => e,
            Ok(engine) => panic!("{url} should fail, built {engine}"),
        };
        assert!(matches!(err, Error::ArgumentError(_)), "{url}: {err:?}");
        assert_no_secret(&err);
        let err = Engine::builder(&url).pool_size(3).build().unwrap_err();
        assert_no_secret(&err);
    }
}

#[cfg(feature = "mysql")]
#[test]
fn an_unencoded_space_in_a_password_is_accepted_and_masked() {
    // The URL parser percent-encodes the space; the engine prints `***`.
    let engine = create_engine(format!("mysql://u:pa ss{SECRET}@h")).unwrap();
    assert_no_secret(&engine);
    assert_eq!(engine.to_string(), "Engine(mysql://u:***@h:3306)");
}

#[test]
fn builders_and_engines_never_show_the_password() {
    for url in bad_urls() {
        let builder = Engine::builder(&url);
        let debugged = format!("{builder:?}");
        assert!(!debugged.contains("Hunter2"), "{debugged}");
        assert!(!builder.display_url().contains("Hunter2"));
    }
    let url = format!("postgresql://scott:{SECRET}@db.example/app?password={SECRET}");
    let builder = Engine::builder(&url);
    let debugged = format!("{builder:?}");
    assert!(
        debugged.contains("postgresql://scott:***@db.example/app?password=***"),
        "{debugged}"
    );
    let engine = create_engine("sqlite://").unwrap();
    assert_eq!(engine.to_string(), "Engine(sqlite://)");
    assert!(format!("{engine:?}").contains("sqlite://"));
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_engines_never_show_the_password() {
    let engine = create_engine(format!(
        "postgresql://scott:{SECRET}@db.example/app?password={SECRET}"
    ))
    .unwrap();
    assert_no_secret(&engine);
    assert_eq!(
        engine.to_string(),
        "Engine(postgresql://scott:***@db.example/app?password=***)"
    );
    assert!(format!("{:?}", engine.driver()).contains("db.example"));
    assert!(!format!("{:?}", engine.driver()).contains("Hunter2"));
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_engines_never_show_the_password() {
    let engine = create_engine(format!("mysql://scott:{SECRET}@db.example/app")).unwrap();
    assert_no_secret(&engine);
    assert!(!format!("{:?}", engine.driver()).contains("Hunter2"));
}

#[test]
fn pool_sizes_are_checked_not_panicking() {
    let build = |pool_size, max_overflow| {
        Engine::builder("sqlite://")
            .pool_size(pool_size)
            .max_overflow(max_overflow)
            .build()
    };
    for (size, overflow) in [
        (0, 0),
        (usize::MAX, 0),
        (0, usize::MAX),
        (usize::MAX, usize::MAX),
        (MAX_POOL_CONNECTIONS, 1),
    ] {
        let err = build(size, overflow).unwrap_err();
        assert!(matches!(err, Error::ArgumentError(_)), "{err:?}");
        assert!(err.to_string().contains("pool_size"), "{err}");
    }
    assert!(build(0, 3).is_ok());
    assert!(build(MAX_POOL_CONNECTIONS, 0).is_ok());
    let options = EngineOptions {
        pool_timeout: Duration::MAX,
        pool_recycle: Some(Duration::MAX),
        compiled_cache_size: usize::MAX,
        ..EngineOptions::default()
    };
    assert!(
        Engine::builder("sqlite://")
            .options_from(options)
            .build()
            .is_ok()
    );
}

#[tokio::test]
async fn extreme_pool_timeouts_do_not_panic() {
    for timeout in [Duration::ZERO, Duration::MAX] {
        let engine = Engine::builder("sqlite://")
            .pool_timeout(timeout)
            .pool_recycle(Duration::MAX)
            .build()
            .unwrap();
        // Duration::ZERO: the first checkout must open a connection and has
        // no time for it; either outcome is fine, a panic is not.
        let first = engine.connect().await;
        if timeout == Duration::MAX {
            drop(first.unwrap());
            engine.connect().await.unwrap();
        } else if let Err(e) = first {
            assert!(e.to_string().contains("pool_timeout"), "{e}");
        }
    }
}

#[test]
fn a_checkout_outside_tokio_is_an_error_not_a_panic() {
    let engine = create_engine("sqlite://").unwrap();
    let mut fut = pin!(engine.connect());
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Err(e)) => assert!(e.to_string().contains("tokio runtime"), "{e}"),
        Poll::Ready(Ok(_)) => panic!("connected without a runtime"),
        Poll::Pending => panic!("a checkout outside tokio should fail at once"),
    }
}

/// A server that accepts TCP connections and never says a word; returns its
/// port. The accepted sockets are kept open for the test's lifetime.
#[cfg(any(feature = "postgres", feature = "mysql"))]
async fn silent_server() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

/// `url` must fail every checkout within `pool_timeout` with an
/// OperationalError naming `pool_timeout`, without the password.
#[cfg(any(feature = "postgres", feature = "mysql"))]
async fn assert_checkout_bounded(url: &str) {
    let limit = Duration::from_millis(400);
    let engine = Engine::builder(url)
        .pool_size(1)
        .max_overflow(0)
        .pool_timeout(limit)
        .build()
        .unwrap();
    // Twice: the slot of a connect that timed out is given back.
    for _ in 0..2 {
        let started = Instant::now();
        let err = match engine.connect().await {
            Err(e) => e,
            Ok(_) => panic!("{url}: a silent server cannot give a connection"),
        };
        let took = started.elapsed();
        assert!(took >= limit, "{url}: failed early after {took:?}: {err}");
        assert!(
            took < limit + Duration::from_secs(2),
            "{url}: took {took:?}"
        );
        assert!(
            matches!(err, Error::OperationalError { .. }),
            "{url}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("pool_timeout"), "{text}");
        assert!(text.contains("opening a new connection"), "{text}");
        assert_no_secret(&err);
    }
    assert_eq!(engine.pool_status().size, 0);
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn pool_timeout_bounds_a_postgres_connect_to_a_silent_server() {
    let port = silent_server().await;
    assert_checkout_bounded(&format!(
        "postgresql://postgres:{SECRET}@127.0.0.1:{port}/test?sslmode=disable"
    ))
    .await;
    assert_checkout_bounded(&format!("postgresql://postgres@127.0.0.1:{port}/test")).await;
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn pool_timeout_bounds_a_mysql_connect_to_a_silent_server() {
    let port = silent_server().await;
    assert_checkout_bounded(&format!("mysql://root:{SECRET}@127.0.0.1:{port}/test")).await;
    assert_checkout_bounded(&format!("mariadb://root@127.0.0.1:{port}/test")).await;
}
