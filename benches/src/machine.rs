//! What the numbers were measured on: machine, toolchain, crate and server versions.

use crate::contender::Backend;

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Versions of the crates under test, from benches/Cargo.lock.
fn crate_versions() -> Vec<(String, String)> {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .unwrap_or_default();
    let wanted = [
        "rusqlite",
        "libsqlite3-sys",
        "tokio-postgres",
        "mysql_async",
        "diesel",
        "sqlx",
        "sea-orm",
        "sea-query",
        "tokio",
    ];
    let mut out = Vec::new();
    let mut name = String::new();
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = n.trim_matches('"').to_string();
        } else if let Some(v) = line.strip_prefix("version = ")
            && wanted.contains(&name.as_str())
        {
            out.push((name.clone(), v.trim_matches('"').to_string()));
        }
    }
    out.sort();
    out.insert(0, ("oxalchemy".into(), env!("CARGO_PKG_VERSION").into()));
    out
}

async fn server_version(b: Backend, url: &str) -> String {
    match b {
        Backend::Sqlite => format!(
            "SQLite {} (bundled, one build for every contender)",
            rusqlite::version()
        ),
        Backend::Postgres => match crate::contenders::raw_postgres::connect(url).await {
            Ok(c) => match c.query_one("SELECT version()", &[]).await {
                Ok(r) => r
                    .get::<_, String>(0)
                    .split(" on ")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        },
        Backend::Mysql => {
            use mysql_async::prelude::*;
            match crate::contenders::raw_mysql::pool(url, 1) {
                Ok(pool) => {
                    let v: Option<String> = match pool.get_conn().await {
                        Ok(mut c) => c.query_first("SELECT VERSION()").await.ok().flatten(),
                        Err(_) => None,
                    };
                    let _ = pool.disconnect().await;
                    format!("MySQL/MariaDB {}", v.unwrap_or_default())
                }
                Err(e) => e.to_string(),
            }
        }
    }
}

/// The lines of the report's "Measured on" list.
pub async fn describe(b: Backend, url: &str) -> Vec<String> {
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut lines = vec![
        format!(
            "machine: {nproc} cores ({}), {}",
            cpu_model(),
            std::env::consts::ARCH
        ),
        format!(
            "toolchain: {}, {} build",
            rustc_version(),
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        ),
        format!("database: {}", server_version(b, url).await),
        format!(
            "load average when the report was written (1/5/15 min): {} (other work on the machine shows up as noise)",
            std::fs::read_to_string("/proc/loadavg")
                .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
                .unwrap_or_else(|_| "unknown".into())
        ),
    ];
    let crates: Vec<String> = crate_versions()
        .into_iter()
        .map(|(n, v)| format!("{n} {v}"))
        .collect();
    lines.push(format!("crates: {}", crates.join(", ")));
    lines
}
