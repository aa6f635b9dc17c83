//! TLS (`sslmode`, `sslrootcert`) and `connect_timeout` against the live server.
//!
//! The server must have `ssl = on` (Debian's default, with the self-signed
//! "snakeoil" certificate for `localhost`); its certificate is the root these
//! tests trust: `OXALCHEMY_TEST_POSTGRES_CA`, default
//! `/etc/ssl/certs/ssl-cert-snakeoil.pem`. The URL's host must be `127.0.0.1`
//! or `localhost`: the tests connect through both names, the certificate's
//! (`localhost`) and another one. Whether a connection is encrypted is read
//! on the server, from `pg_stat_ssl`.

use crate::support::{base_url, run, url_with};
use oxalchemy_core::{Driver, Error, Value};
use oxalchemy_postgres::PostgresDriver;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A CA that signed nothing the server presents (public certificate only).
const UNRELATED_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBojCCAUmgAwIBAgIUe+UkjQ/GUsSQsmnS2d4RXxCs54owCgYIKoZIzj0EAwIw
JjEkMCIGA1UEAwwbb3hhbGNoZW15IHVucmVsYXRlZCB0ZXN0IENBMCAXDTI2MTIw
NjE2NDkyMFoYDzIxMjYxMTEyMTY0OTIwWjAmMSQwIgYDVQQDDBtveGFsY2hlbXkg
dW5yZWxhdGVkIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARMBi4V
Z5NTbsockH04AinCD4xZ6ZGCsnyN0AiEnECjl5TTm0YOtcqtXoVoSyu9gjJIzk5C
plseZKkAcaJALu0xo1MwUTAdBgNVHQ4EFgQUBF5nQuBcLhqSrQFBxZetQvvBhN8w
HwYDVR0jBBgwFoAUBF5nQuBcLhqSrQFBxZetQvvBhN8wDwYDVR0TAQH/BAUwAwEB
/zAKBggqhkjOPQQDAgNHADBEAiA6BkIB7awwxKiKhoVbe+6IZBpLhxc7Sme/RDMY
jkfmCQIgPxXz2tOfDgCCNbZQWiQ0yCF3g+rYnAyCpXo3Ic+Ydkc=
-----END CERTIFICATE-----
";

/// The root the server's certificate verifies against.
fn server_ca() -> String {
    let path = std::env::var("OXALCHEMY_TEST_POSTGRES_CA")
        .unwrap_or_else(|_| "/etc/ssl/certs/ssl-cert-snakeoil.pem".to_owned());
    assert!(
        std::path::Path::new(&path).is_file(),
        "the PostgreSQL TLS tests need the server's CA certificate at {path} \
         (set OXALCHEMY_TEST_POSTGRES_CA to another PEM file, and ssl = on in postgresql.conf)"
    );
    path
}

/// The test URL with the host the certificate names (`localhost`) and with another (`127.0.0.1`).
fn urls() -> (String, String) {
    let base = base_url();
    if base.contains("@127.0.0.1") {
        (base.replacen("@127.0.0.1", "@localhost", 1), base)
    } else if base.contains("@localhost") {
        let other = base.replacen("@localhost", "@127.0.0.1", 1);
        (base, other)
    } else {
        panic!(
            "the TLS tests connect through localhost and 127.0.0.1; \
             OXALCHEMY_TEST_POSTGRES_URL must use one of them (user@host)"
        )
    }
}

fn unrelated_ca_file() -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("oxalchemy-unrelated-ca-{}.pem", std::process::id()));
    std::fs::write(&path, UNRELATED_CA).expect("write the unrelated CA");
    path
}

/// Connect and ask the server whether this connection is encrypted.
async fn server_says_ssl(url: &str) -> Result<bool, Error> {
    let driver = PostgresDriver::from_url(url)?;
    let mut conn = driver.connect().await?;
    let result = run(
        conn.as_mut(),
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .await;
    conn.close().await;
    match result.rows.as_slice() {
        [row] => match row.as_slice() {
            [Value::Bool(b)] => Ok(*b),
            other => panic!("unexpected pg_stat_ssl row {other:?}"),
        },
        other => panic!("unexpected pg_stat_ssl rows {other:?}"),
    }
}

fn operational(result: Result<bool, Error>, what: &str) -> String {
    match result {
        Err(Error::OperationalError { message, .. }) => message,
        other => panic!("{what}: expected an OperationalError, got {other:?}"),
    }
}

#[tokio::test]
async fn every_sslmode_is_what_the_server_sees() {
    let ca = server_ca();
    let (good, other) = urls();
    let cases: Vec<(String, bool)> = vec![
        (url_with(&other, &[("sslmode", "disable")]), false),
        (other.clone(), true), // default: prefer
        (url_with(&other, &[("sslmode", "allow")]), true),
        (url_with(&other, &[("sslmode", "prefer")]), true),
        (url_with(&other, &[("sslmode", "require")]), true),
        (
            url_with(&other, &[("sslmode", "require"), ("sslrootcert", &ca)]),
            true,
        ),
        // verify-ca checks the chain, not the name: 127.0.0.1 is fine.
        (
            url_with(&other, &[("sslmode", "verify-ca"), ("sslrootcert", &ca)]),
            true,
        ),
        (
            url_with(&good, &[("sslmode", "verify-full"), ("sslrootcert", &ca)]),
            true,
        ),
    ];
    for (url, expected) in cases {
        let ssl = server_says_ssl(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(ssl, expected, "{url}");
    }
}

#[tokio::test]
async fn verify_full_checks_the_host_name() {
    let ca = server_ca();
    let (_, other) = urls();
    let url = url_with(&other, &[("sslmode", "verify-full"), ("sslrootcert", &ca)]);
    let message = operational(server_says_ssl(&url).await, &url);
    assert!(
        message.contains("sslmode=verify-full") && message.contains("not valid for name"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unknown_ca_is_refused() {
    let (good, other) = urls();
    let unrelated = unrelated_ca_file();
    let unrelated = unrelated.to_str().expect("a UTF-8 temp path");
    for (url, mode) in [
        (
            url_with(
                &good,
                &[("sslmode", "verify-full"), ("sslrootcert", unrelated)],
            ),
            "verify-full",
        ),
        (
            url_with(
                &other,
                &[("sslmode", "verify-ca"), ("sslrootcert", unrelated)],
            ),
            "verify-ca",
        ),
        // libpq: require with a root certificate verifies the chain.
        (
            url_with(
                &other,
                &[("sslmode", "require"), ("sslrootcert", unrelated)],
            ),
            "require",
        ),
        // No sslrootcert: the compiled-in public roots, which do not know the snakeoil certificate.
        (
            url_with(&good, &[("sslmode", "verify-full")]),
            "verify-full",
        ),
    ] {
        let message = operational(server_says_ssl(&url).await, &url);
        assert!(
            message.contains(&format!("sslmode={mode}")) && message.contains("unknown issuer"),
            "{url}: {message}"
        );
    }
}

#[tokio::test]
async fn an_unreadable_root_file_is_an_argument_error() {
    let (good, _) = urls();
    let url = url_with(
        &good,
        &[
            ("sslmode", "verify-full"),
            ("sslrootcert", "/nonexistent/ca.pem"),
        ],
    );
    match server_says_ssl(&url).await {
        Err(Error::ArgumentError(m)) => {
            assert!(m.contains("sslrootcert=/nonexistent/ca.pem"), "{m}")
        }
        other => panic!("expected an ArgumentError, got {other:?}"),
    }
}

/// A server that answers the SSLRequest with `N` (no TLS), then records the
/// first 8 bytes of the next message and closes.
async fn server_without_tls() -> (u16, tokio::task::JoinHandle<Vec<[u8; 8]>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut seen = Vec::new();
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 8];
        socket.read_exact(&mut request).await.unwrap();
        seen.push(request);
        socket.write_all(b"N").await.unwrap();
        let mut next = [0u8; 8];
        if socket.read_exact(&mut next).await.is_ok() {
            seen.push(next);
        }
        seen
    });
    (port, task)
}

const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

#[tokio::test]
async fn require_against_a_server_without_tls_is_an_operational_error() {
    let (port, server) = server_without_tls().await;
    let url = format!("postgresql://u:hunter2@127.0.0.1:{port}/db?sslmode=require");
    let message = operational(server_says_ssl(&url).await, &url);
    assert!(
        message.contains("does not offer TLS") && message.contains("sslmode=require"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    let seen = server.await.unwrap();
    assert_eq!(seen, [SSL_REQUEST], "only the SSLRequest was sent");
}

#[tokio::test]
async fn prefer_against_a_server_without_tls_goes_on_in_plain_text() {
    let (port, server) = server_without_tls().await;
    let url = format!("postgresql://u@127.0.0.1:{port}/db?sslmode=prefer");
    // The fake server closes after the startup message: the connect fails, later.
    let _ = operational(server_says_ssl(&url).await, &url);
    let seen = server.await.unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0], SSL_REQUEST);
    // The plain startup message: length, then protocol 3.0.
    assert_eq!(seen[1][4..], [0, 3, 0, 0], "{seen:?}");
}

#[tokio::test]
async fn connect_timeout_bounds_a_server_that_never_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and holds the sockets, never answering.
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    for mode in ["disable", "prefer", "require"] {
        let url =
            format!("postgresql://u:hunter2@127.0.0.1:{port}/db?sslmode={mode}&connect_timeout=1");
        let started = Instant::now();
        let message = operational(server_says_ssl(&url).await, &url);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(5),
            "{mode}: {took:?}"
        );
        assert!(
            message.contains("connect_timeout=1 exceeded")
                && message.contains(&format!("127.0.0.1:{port}")),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
    holder.abort();
}
