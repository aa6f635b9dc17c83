//! The oxalchemy benchmark harness: the raw drivers, oxalchemy Core and ORM,
//! diesel, sqlx and sea-orm, side by side in one process on the same data.
//!
//! ```text
//! cargo run --release -- --backend sqlite|postgres|mysql [--scale F] [--quick] [--with-python] [--out DIR]
//! ```

mod contender;
mod contenders;
mod data;
mod machine;
mod ops;
mod python;
mod report;

use anyhow::{Context, Result};
use contender::{Backend, Contender};
use ops::{Op, Sizes};
use report::{Measured, Report};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Connections each contender's pool may open for the concurrency test.
pub const POOL_SIZE: usize = 10;

/// Objects of the association tree (users + posts + comments).
pub fn assoc_objects(s: &Sizes) -> usize {
    s.assoc_users * (1 + s.assoc_posts * (1 + s.assoc_comments))
}

static STAMP: AtomicU64 = AtomicU64::new(1);

/// A fresh number for each bulk update, so every update changes every row.
pub fn next_stamp() -> u64 {
    STAMP.fetch_add(1, Ordering::Relaxed)
}

/// Await spawned tasks, failing on the first error.
pub async fn join_all(handles: Vec<tokio::task::JoinHandle<Result<()>>>) -> Result<()> {
    for h in handles {
        h.await??;
    }
    Ok(())
}

struct Args {
    backend: Backend,
    quick: bool,
    scale: f64,
    with_python: bool,
    out: Option<PathBuf>,
    budget: Duration,
    url: Option<String>,
    only: Option<Vec<String>>,
    contenders: Option<Vec<String>>,
    report_only: bool,
}

const USAGE: &str =
    "usage: oxalchemy-bench [--backend sqlite|postgres|mysql] [--scale F] [--quick] \
[--with-python] [--out DIR] [--budget-ms N] [--url URL]

  --backend      the database (default sqlite; servers: postgresql://postgres@127.0.0.1:5432/test,
                 mysql://root@127.0.0.1:3306/test, or OXALCHEMY_BENCH_POSTGRES_URL / _MYSQL_URL)
  --scale F      multiply the operation sizes (default 1.0)
  --quick        tiny sizes, one iteration: a smoke run (writes to a temp dir unless --out)
  --with-python  also run benches/sqlalchemy_bench.py (SQLAlchemy 2.x) against the same database
  --out DIR      where benchmarks-<backend>.md/.json go (default: ../docs)
  --report-only  rewrite benchmarks.md/.svg from the JSON results already in the output dir
  --budget-ms N  time per operation and contender before stopping iterations (default 1500)
  --only K1,K2   run only these operations (keys as in the JSON: trivial_1000, bulk_keys, ..), for profiling
  --contenders A,B  run only these columns ('raw driver', 'oxalchemy Core', diesel, ..), for profiling;
                 a run with --only or --contenders writes no report";

fn parse_args() -> Result<Args> {
    let mut args = Args {
        backend: Backend::Sqlite,
        quick: false,
        scale: 1.0,
        with_python: false,
        out: None,
        budget: Duration::from_millis(1500),
        url: None,
        only: None,
        contenders: None,
        report_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .with_context(|| format!("{name} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--backend" => {
                args.backend = match value("--backend")?.as_str() {
                    "sqlite" => Backend::Sqlite,
                    "postgres" | "postgresql" => Backend::Postgres,
                    "mysql" | "mariadb" => Backend::Mysql,
                    other => anyhow::bail!("unknown backend {other:?}\n{USAGE}"),
                }
            }
            "--scale" => {
                args.scale = value("--scale")?
                    .parse()
                    .context("--scale takes a number")?
            }
            "--quick" => args.quick = true,
            "--report-only" => args.report_only = true,
            "--with-python" => args.with_python = true,
            "--out" => args.out = Some(PathBuf::from(value("--out")?)),
            "--budget-ms" => args.budget = Duration::from_millis(value("--budget-ms")?.parse()?),
            "--url" => args.url = Some(value("--url")?),
            "--only" => args.only = Some(value("--only")?.split(',').map(String::from).collect()),
            "--contenders" => {
                args.contenders = Some(
                    value("--contenders")?
                        .split(',')
                        .map(String::from)
                        .collect(),
                )
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => anyhow::bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(args)
}

/// Run `op` on one contender: a warm-up, then timed iterations until the
/// budget is spent (at least 3, at most 25; one in quick mode). Returns the samples.
async fn measure(
    c: &mut dyn Contender,
    op: Op,
    s: &Sizes,
    args: &Args,
) -> Result<Option<Vec<Duration>>> {
    let (warmup, min, max) = if args.quick { (0, 1, 1) } else { (1, 3, 25) };
    for _ in 0..warmup {
        match c.run(op, s).await? {
            None => {
                c.finish().await?;
                return Ok(None);
            }
            // An iteration far over the budget (an algorithm that does not scale) is
            // measured once: its warm-up is the sample, so the run stays minutes long.
            Some(d) if d > args.budget * 4 => {
                c.finish().await?;
                return Ok(Some(vec![d]));
            }
            Some(_) => {}
        }
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < max && (samples.len() < min || started.elapsed() < args.budget) {
        match c.run(op, s).await? {
            Some(d) => samples.push(d),
            None => break,
        }
    }
    c.finish().await?;
    Ok(if samples.is_empty() {
        None
    } else {
        Some(samples)
    })
}

fn default_url(b: Backend) -> String {
    match b {
        Backend::Sqlite => String::new(),
        Backend::Postgres => std::env::var("OXALCHEMY_BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into()),
        Backend::Mysql => std::env::var("OXALCHEMY_BENCH_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into()),
    }
}

async fn contenders(b: Backend, url: &str, sqlite_path: &str) -> Result<Vec<Box<dyn Contender>>> {
    use contenders::*;
    let engine_url = match b {
        Backend::Sqlite => format!("sqlite:///{sqlite_path}"),
        _ => url.to_string(),
    };
    let engine = || {
        oxalchemy::Engine::builder(engine_url.clone())
            .pool_size(POOL_SIZE + 1)
            .max_overflow(0)
            .build()
    };
    let mut out: Vec<Box<dyn Contender>> = Vec::new();
    match b {
        Backend::Sqlite => {
            out.push(Box::new(raw_sqlite::RawSqlite::new(sqlite_path)?));
            out.push(Box::new(ox_core::OxCore::new(engine()?).await?));
            out.push(Box::new(ox_orm::OxOrm::new(engine()?)));
            out.push(Box::new(diesel_peer::DieselSqlite::new(sqlite_path)?));
            out.push(Box::new(
                sqlx_peer::SqlxSqlite::new(sqlx_peer::sqlite_pool(sqlite_path).await?).await?,
            ));
            out.push(Box::new(
                sea_peer::SeaOrm::new(
                    &format!("sqlite://{sqlite_path}?mode=rw"),
                    sea_orm::DbBackend::Sqlite,
                )
                .await?,
            ));
        }
        Backend::Postgres => {
            out.push(Box::new(raw_postgres::RawPostgres::new(url).await?));
            out.push(Box::new(ox_core::OxCore::new(engine()?).await?));
            out.push(Box::new(ox_orm::OxOrm::new(engine()?)));
            out.push(Box::new(diesel_peer::DieselPg::new(url)?));
            out.push(Box::new(
                sqlx_peer::SqlxPg::new(sqlx_peer::pg_pool(url).await?).await?,
            ));
            out.push(Box::new(
                sea_peer::SeaOrm::new(url, sea_orm::DbBackend::Postgres).await?,
            ));
        }
        Backend::Mysql => {
            out.push(Box::new(raw_mysql::RawMysql::new(url).await?));
            out.push(Box::new(ox_core::OxCore::new(engine()?).await?));
            out.push(Box::new(ox_orm::OxOrm::new(engine()?)));
            out.push(Box::new(diesel_peer::DieselMysql::new(url)?));
            out.push(Box::new(
                sqlx_peer::SqlxMysql::new(sqlx_peer::mysql_pool(url).await?).await?,
            ));
            out.push(Box::new(
                sea_peer::SeaOrm::new(url, sea_orm::DbBackend::MySql).await?,
            ));
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let sizes = if args.quick {
        Sizes::quick()
    } else {
        Sizes::full(args.scale, args.backend != Backend::Sqlite)
    };
    let b = args.backend;
    let url = args.url.clone().unwrap_or_else(|| default_url(b));
    let out_dir = match &args.out {
        Some(d) => d.clone(),
        None if args.quick => std::env::temp_dir().join("oxalchemy-bench"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs"),
    };
    std::fs::create_dir_all(&out_dir)?;
    if args.report_only {
        return report::combine(&out_dir);
    }
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let sqlite_path = dir
        .join(format!("oxalchemy_bench_{}.db", std::process::id()))
        .display()
        .to_string();

    eprintln!(
        "== {} (scale {}{}): loading data",
        b.title(),
        args.scale,
        if args.quick { ", quick" } else { "" }
    );
    match b {
        Backend::Sqlite => contenders::raw_sqlite::setup(&sqlite_path, &sizes)?,
        Backend::Postgres => contenders::raw_postgres::setup(&url, &sizes).await?,
        Backend::Mysql => contenders::raw_mysql::setup(&url, &sizes).await?,
    }
    let result = run_all(&args, &sizes, &url, &sqlite_path, &out_dir).await;
    // Clean up whatever happened.
    let cleanup = match b {
        Backend::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{sqlite_path}{suffix}"));
            }
            Ok(())
        }
        Backend::Postgres => contenders::raw_postgres::teardown(&url).await,
        Backend::Mysql => contenders::raw_mysql::teardown(&url).await,
    };
    result?;
    cleanup?;
    Ok(())
}

async fn run_all(
    args: &Args,
    sizes: &Sizes,
    url: &str,
    sqlite_path: &str,
    out_dir: &std::path::Path,
) -> Result<()> {
    let b = args.backend;
    let mut contenders = contenders(b, url, sqlite_path).await?;
    let mut ops = Op::all(sizes);
    if let Some(only) = &args.only {
        ops.retain(|op| only.contains(&op.key()));
    }
    if let Some(names) = &args.contenders {
        contenders.retain(|c| names.iter().any(|n| n == c.name()));
    }
    let partial = args.only.is_some() || args.contenders.is_some();
    let mut results: BTreeMap<(String, String), Measured> = BTreeMap::new();
    let mut notes: Vec<String> = Vec::new();
    for op in &ops {
        for c in contenders.iter_mut() {
            let started = Instant::now();
            let samples = measure(c.as_mut(), *op, sizes, args)
                .await
                .with_context(|| format!("{} failed on {}", c.name(), op.label(sizes)))?;
            if let Some(samples) = samples {
                let m = Measured::new(samples);
                eprintln!(
                    "{:<58} {:<16} {:>12} ({} runs, {:.1} s)",
                    op.label(sizes),
                    c.name(),
                    report::fmt_duration(m.median),
                    m.samples.len(),
                    started.elapsed().as_secs_f64()
                );
                results.insert((op.key(), c.name().to_string()), m);
            }
            if let Some(n) = c.note(*op)
                && !notes.iter().any(|x| x == n)
            {
                notes.push(n.to_string());
            }
        }
    }
    drop(contenders);
    if partial {
        return Ok(());
    }
    let mut columns: Vec<String> = [
        "raw driver",
        "oxalchemy Core",
        "oxalchemy ORM",
        "diesel",
        "sqlx",
        "sea-orm",
    ]
    .map(String::from)
    .to_vec();
    if args.with_python {
        match python::run(b, url, sqlite_path, sizes, args.quick) {
            Ok(py) => {
                for (col, per_op) in py {
                    for (key, secs) in per_op {
                        results.insert(
                            (key, col.clone()),
                            Measured::new(vec![Duration::from_secs_f64(secs)]),
                        );
                    }
                    columns.push(col);
                }
            }
            Err(e) => eprintln!("SQLAlchemy column skipped: {e:#}"),
        }
    }
    let report = Report {
        backend: b,
        sizes: sizes.clone(),
        ops,
        columns,
        results,
        notes,
        machine: machine::describe(b, url).await,
        scale: args.scale,
        quick: args.quick,
    };
    let json = out_dir.join(format!("benchmarks-{}.json", b.name()));
    std::fs::write(&json, report.json())?;
    eprintln!("wrote {}", json.display());
    report::combine(out_dir)?;
    Ok(())
}
