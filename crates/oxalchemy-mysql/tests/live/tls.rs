//! TLS (`ssl-mode`, `ssl-ca`) and `connect_timeout` against the live server.
//!
//! The server must serve TLS with a certificate for `localhost` signed by the
//! CA in `OXALCHEMY_TEST_MYSQL_CA` (default `target/mariadb-tls/ca.pem`):
//! `scripts/mariadb-tls.sh` sets this up on the local MariaDB (and `.ci/run`
//! runs it). Without it these tests fail saying so. The URL's host must be
//! `127.0.0.1` or `localhost`: the tests connect through both names. Whether a
//! connection is encrypted is read on the server (`Ssl_cipher`).

use crate::support::base_url;
use oxalchemy_core::Statement;
use oxalchemy_core::{Driver, Error, Value};
use oxalchemy_mysql::MysqlDriver;
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

const SETUP: &str = "run scripts/mariadb-tls.sh (it switches TLS on in the local MariaDB \
                     and prints the CA path; .ci/run does this), or set OXALCHEMY_TEST_MYSQL_CA \
                     to the CA of a server that serves TLS for localhost";

/// The CA of the server's certificate.
fn server_ca() -> String {
    let path = std::env::var("OXALCHEMY_TEST_MYSQL_CA").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/mariadb-tls/ca.pem"
        )
        .to_owned()
    });
    assert!(
        std::path::Path::new(&path).is_file(),
        "the MySQL TLS tests need the server's CA at {path}: {SETUP}"
    );
    path
}

/// `base` with extra query options.
fn with(base: &str, options: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{options}")
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
             OXALCHEMY_TEST_MYSQL_URL must use one of them (user@host)"
        )
    }
}

/// Connect and read the session's TLS cipher on the server ("" = plain text).
async fn server_cipher(url: &str) -> Result<String, Error> {
    let driver = MysqlDriver::from_url(url)?;
    let mut conn = driver.connect().await?;
    let result = conn
        .execute(Statement::new("SHOW STATUS LIKE 'Ssl_cipher'", vec![]))
        .await;
    conn.close().await;
    let result = result.unwrap_or_else(|e| panic!("SHOW STATUS: {e}"));
    match result.rows.as_slice() {
        [row] => match row.as_slice() {
            [_, Value::Text(cipher)] => Ok(cipher.clone()),
            [_, Value::Bytes(cipher)] => Ok(String::from_utf8_lossy(cipher).into_owned()),
            other => panic!("unexpected Ssl_cipher row {other:?}"),
        },
        other => panic!("unexpected Ssl_cipher rows {other:?}"),
    }
}

/// Fail with the set-up instructions unless the server serves TLS.
async fn require_tls_on_server() {
    let (_, other) = urls();
    let cipher = server_cipher(&with(&other, "ssl-mode=REQUIRED"))
        .await
        .unwrap_or_else(|e| panic!("the test server does not serve TLS ({e}): {SETUP}"));
    assert!(
        !cipher.is_empty(),
        "the test server does not serve TLS: {SETUP}"
    );
}

fn operational(result: Result<String, Error>, what: &str) -> String {
    match result {
        Err(Error::OperationalError { message, .. }) => message,
        other => panic!("{what}: expected an OperationalError, got {other:?}"),
    }
}

#[tokio::test]
async fn every_ssl_mode_is_what_the_server_sees() {
    require_tls_on_server().await;
    let ca = server_ca();
    let (good, other) = urls();
    let cases = [
        (with(&other, "ssl-mode=DISABLED"), false),
        (other.clone(), true), // default: PREFERRED
        (with(&other, "ssl-mode=preferred"), true),
        (with(&other, "ssl_mode=REQUIRED"), true),
        // VERIFY_CA checks the chain, not the name: 127.0.0.1 is fine.
        (
            with(&other, &format!("ssl-mode=VERIFY_CA&ssl-ca={ca}")),
            true,
        ),
        // ssl-ca alone means VERIFY_CA.
        (with(&other, &format!("ssl-ca={ca}")), true),
        (
            with(&good, &format!("ssl-mode=verify_identity&ssl-ca={ca}")),
            true,
        ),
    ];
    for (url, encrypted) in cases {
        let cipher = server_cipher(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(!cipher.is_empty(), encrypted, "{url}: cipher {cipher:?}");
    }
}

#[tokio::test]
async fn verify_identity_checks_the_host_name() {
    require_tls_on_server().await;
    let ca = server_ca();
    let (_, other) = urls();
    let url = with(&other, &format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"));
    let message = operational(server_cipher(&url).await, &url);
    assert!(
        message.contains("ssl-mode=VERIFY_IDENTITY") && message.contains("not valid for name"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unknown_ca_is_refused() {
    require_tls_on_server().await;
    let (good, other) = urls();
    let unrelated = std::env::temp_dir().join(format!(
        "oxalchemy-mysql-unrelated-ca-{}.pem",
        std::process::id()
    ));
    std::fs::write(&unrelated, UNRELATED_CA).unwrap();
    let unrelated = unrelated.to_str().unwrap();
    for (url, mode) in [
        (
            with(
                &good,
                &format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={unrelated}"),
            ),
            "VERIFY_IDENTITY",
        ),
        (
            with(&other, &format!("ssl-mode=VERIFY_CA&ssl-ca={unrelated}")),
            "VERIFY_CA",
        ),
        // A given CA is used by REQUIRED too.
        (
            with(&other, &format!("ssl-mode=REQUIRED&ssl-ca={unrelated}")),
            "REQUIRED",
        ),
        // No ssl-ca: the compiled-in public roots, which do not know the test CA.
        (with(&good, "ssl-mode=VERIFY_IDENTITY"), "VERIFY_IDENTITY"),
    ] {
        let message = operational(server_cipher(&url).await, &url);
        assert!(
            message.contains(&format!("ssl-mode={mode}")) && message.contains("unknown issuer"),
            "{url}: {message}"
        );
    }
}

/// A MySQL server greeting (protocol 10) without CLIENT_SSL.
fn greeting_without_tls() -> Vec<u8> {
    // LONG_PASSWORD | CONNECT_WITH_DB | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION
    // | MULTI_RESULTS | PLUGIN_AUTH; no SSL (0x800).
    let caps: u32 = 0x1 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x20000 | 0x80000;
    let mut p = vec![10];
    p.extend_from_slice(b"5.7.99-fake\0");
    p.extend_from_slice(&7u32.to_le_bytes());
    p.extend_from_slice(b"abcdefgh\0");
    p.extend_from_slice(&(caps as u16).to_le_bytes());
    p.push(45); // utf8mb4_general_ci
    p.extend_from_slice(&2u16.to_le_bytes()); // autocommit
    p.extend_from_slice(&((caps >> 16) as u16).to_le_bytes());
    p.push(21);
    p.extend_from_slice(&[0; 10]);
    p.extend_from_slice(b"ijklmnopqrst\0");
    p.extend_from_slice(b"mysql_native_password\0");
    let mut packet = (p.len() as u32).to_le_bytes()[..3].to_vec();
    packet.push(0);
    packet.extend_from_slice(&p);
    packet
}

/// A fake server without TLS: greets each connection, records the client's
/// first packet (its capability flags), then closes.
async fn server_without_tls(connections: usize) -> (u16, tokio::task::JoinHandle<Vec<u32>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut client_caps = Vec::new();
        for _ in 0..connections {
            // A client that does not come back (no fallback) ends the recording, not the test run.
            let Ok(accepted) =
                tokio::time::timeout(Duration::from_secs(10), listener.accept()).await
            else {
                break;
            };
            let (mut socket, _) = accepted.unwrap();
            socket.write_all(&greeting_without_tls()).await.unwrap();
            let mut header = [0u8; 8];
            if socket.read_exact(&mut header).await.is_ok() {
                client_caps.push(u32::from_le_bytes(header[4..8].try_into().unwrap()));
            }
        }
        client_caps
    });
    (port, task)
}

const CLIENT_SSL: u32 = 0x800;

#[tokio::test]
async fn required_against_a_server_without_tls_is_an_operational_error() {
    let (port, server) = server_without_tls(1).await;
    for mode in ["REQUIRED", "VERIFY_IDENTITY"] {
        let url = format!("mysql://u:hunter2@127.0.0.1:{port}/db?ssl-mode={mode}");
        if mode == "VERIFY_IDENTITY" {
            // One fake connection only: check the first mode against it, the parse of the other.
            assert!(MysqlDriver::from_url(&url).is_ok());
            continue;
        }
        let message = operational(server_cipher(&url).await, &url);
        assert!(
            message.contains("does not offer TLS") && message.contains("ssl-mode=REQUIRED"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
    // mysql_async refuses before answering the greeting: nothing was sent.
    assert_eq!(server.await.unwrap(), Vec::<u32>::new());
}

#[tokio::test]
async fn preferred_against_a_server_without_tls_goes_on_in_plain_text() {
    let (port, server) = server_without_tls(2).await;
    let url = format!("mysql://u@127.0.0.1:{port}/db?ssl-mode=PREFERRED");
    // The fake server closes after the client's answer: the connect fails, later.
    let _ = operational(server_cipher(&url).await, &url);
    let caps = server.await.unwrap();
    // The first connection learnt there is no TLS; the second answered in plain text.
    assert_eq!(caps.len(), 1, "{caps:?}");
    assert_eq!(caps[0] & CLIENT_SSL, 0, "{caps:x?}");
}

#[tokio::test]
async fn connect_timeout_bounds_a_server_that_never_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    for mode in ["DISABLED", "PREFERRED", "REQUIRED"] {
        let url =
            format!("mysql://u:hunter2@127.0.0.1:{port}/db?ssl-mode={mode}&connect_timeout=1");
        let started = Instant::now();
        let message = operational(server_cipher(&url).await, &url);
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
