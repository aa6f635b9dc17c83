//! The SQLAlchemy 2.x column: runs benches/sqlalchemy_bench.py against the
//! same database and reads its medians (JSON on stdout).

use crate::contender::Backend;
use crate::ops::Sizes;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::process::Command;

/// (column, op key -> median seconds) for each SQLAlchemy column.
pub fn run(
    b: Backend,
    url: &str,
    sqlite_path: &str,
    s: &Sizes,
    quick: bool,
) -> Result<Vec<(String, BTreeMap<String, f64>)>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/sqlalchemy_bench.py");
    let py_url = match b {
        Backend::Sqlite => format!("sqlite:///{sqlite_path}"),
        Backend::Postgres => url
            .replacen("postgresql://", "postgresql+psycopg://", 1)
            .replacen("postgres://", "postgresql+psycopg://", 1),
        Backend::Mysql => url.replacen("mysql://", "mysql+pymysql://", 1).replacen(
            "mariadb://",
            "mysql+pymysql://",
            1,
        ),
    };
    let sizes = serde_json::json!({
        "trivial": s.trivial, "big": s.big, "assoc_users": s.assoc_users, "medium_users": s.medium_users,
        "batch": s.batch, "batch_statements": s.batch_statements, "bulk": s.bulk, "singles": s.singles,
        "lookups": s.lookups, "lookup_ids": s.lookup_ids(), "bulk_update": s.bulk_update, "compiles": s.compiles,
        "quick": quick,
    });
    eprintln!("== SQLAlchemy (python3 {script})");
    let out = Command::new("python3")
        .arg(script)
        .arg(&py_url)
        .arg(sizes.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running python3")?;
    anyhow::ensure!(
        out.status.success(),
        "sqlalchemy_bench.py failed ({})",
        out.status
    );
    let parsed: BTreeMap<String, BTreeMap<String, f64>> =
        serde_json::from_slice(&out.stdout).context("reading sqlalchemy_bench.py's JSON")?;
    Ok(parsed.into_iter().collect())
}
