//! The report: per-backend JSON results, combined into `docs/benchmarks.md`
//! (tables of medians and ratios to the raw driver) and `docs/benchmarks.svg`
//! (grouped bars of the ratios).

use crate::contender::Backend;
use crate::ops::{Op, Sizes};
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// The samples of one operation and contender.
pub struct Measured {
    pub samples: Vec<Duration>,
    pub median: Duration,
}

impl Measured {
    pub fn new(mut samples: Vec<Duration>) -> Measured {
        samples.sort();
        let n = samples.len();
        let median = if n % 2 == 1 {
            samples[n / 2]
        } else {
            (samples[n / 2 - 1] + samples[n / 2]) / 2
        };
        Measured { samples, median }
    }
}

pub fn fmt_duration(d: Duration) -> String {
    fmt_secs(d.as_secs_f64())
}

fn fmt_secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// One backend's run.
pub struct Report {
    pub backend: Backend,
    pub sizes: Sizes,
    pub ops: Vec<Op>,
    pub columns: Vec<String>,
    pub results: BTreeMap<(String, String), Measured>,
    pub notes: Vec<String>,
    pub machine: Vec<String>,
    pub scale: f64,
    pub quick: bool,
}

#[derive(Serialize, Deserialize)]
struct RowJson {
    key: String,
    label: String,
    /// Median seconds per column.
    medians: BTreeMap<String, f64>,
    runs: BTreeMap<String, usize>,
}

#[derive(Serialize, Deserialize)]
struct BackendJson {
    backend: String,
    title: String,
    scale: f64,
    quick: bool,
    machine: Vec<String>,
    columns: Vec<String>,
    notes: Vec<String>,
    rows: Vec<RowJson>,
}

impl Report {
    pub fn json(&self) -> String {
        let rows = self
            .ops
            .iter()
            .map(|op| {
                let mut medians = BTreeMap::new();
                let mut runs = BTreeMap::new();
                for col in &self.columns {
                    if let Some(m) = self.results.get(&(op.key(), col.clone())) {
                        medians.insert(col.clone(), m.median.as_secs_f64());
                        runs.insert(col.clone(), m.samples.len());
                    }
                }
                RowJson {
                    key: op.key(),
                    label: op.label(&self.sizes),
                    medians,
                    runs,
                }
            })
            .collect();
        let j = BackendJson {
            backend: self.backend.name().into(),
            title: self.backend.title().into(),
            scale: self.scale,
            quick: self.quick,
            machine: self.machine.clone(),
            columns: self.columns.clone(),
            notes: self.notes.clone(),
            rows,
        };
        serde_json::to_string_pretty(&j).expect("serializable")
    }
}

/// The raw-driver median a row is compared with (`Session.get` hits against
/// the raw lookups that a peer without an identity map must run).
fn base(rows: &[RowJson], row: &RowJson) -> Option<f64> {
    let key = if row.key == "pk_hit" {
        "pk"
    } else {
        row.key.as_str()
    };
    rows.iter()
        .find(|r| r.key == key)?
        .medians
        .get("raw driver")
        .copied()
}

const RUST_COLUMNS: [&str; 5] = [
    "oxalchemy Core",
    "oxalchemy ORM",
    "diesel",
    "sqlx",
    "sea-orm",
];

fn table(j: &BackendJson) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### {}\n", j.title);
    for m in &j.machine {
        let _ = writeln!(s, "- {m}");
    }
    if j.quick {
        let _ = writeln!(
            s,
            "- **quick mode**: tiny sizes, one iteration (a smoke run, not a measurement)"
        );
    } else if (j.scale - 1.0).abs() > f64::EPSILON {
        let _ = writeln!(s, "- sizes scaled by {}", j.scale);
    }
    let _ = writeln!(s);
    let _ = write!(s, "| operation |");
    for c in &j.columns {
        let _ = write!(s, " {c} |");
    }
    let _ = write!(s, " best Rust peer |\n|---|");
    for _ in &j.columns {
        let _ = write!(s, "---:|");
    }
    let _ = writeln!(s, "---|");
    for row in &j.rows {
        let raw = base(&j.rows, row);
        let _ = write!(s, "| {} |", row.label);
        for c in &j.columns {
            match row.medians.get(c) {
                Some(&m) => {
                    let ratio = match raw {
                        Some(r) if c != "raw driver" && r > 0.0 => format!(" ({:.2}×)", m / r),
                        _ => String::new(),
                    };
                    let _ = write!(s, " {}{ratio} |", fmt_secs(m));
                }
                None => {
                    let _ = write!(s, " — |");
                }
            }
        }
        // Ours against the fastest of diesel / sqlx / sea-orm.
        let best_peer = ["diesel", "sqlx", "sea-orm"]
            .iter()
            .filter_map(|c| row.medians.get(*c).map(|m| (*c, *m)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let ours = ["oxalchemy Core", "oxalchemy ORM"]
            .iter()
            .filter_map(|c| row.medians.get(*c).map(|m| (*c, *m)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match (best_peer, ours) {
            (Some((p, pm)), Some((_, om))) => {
                let mark = if om <= pm * 1.02 { "✓" } else { "✗" };
                let _ = writeln!(s, " {p} ({mark} ours {:.2}×) |", om / pm);
            }
            (Some((p, _)), None) => {
                let _ = writeln!(s, " {p} |");
            }
            _ => {
                let _ = writeln!(s, " — |");
            }
        }
    }
    if !j.notes.is_empty() {
        let _ = writeln!(s);
        for n in &j.notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    let _ = writeln!(s);
    s
}

fn svg(all: &[BackendJson]) -> String {
    let colors = ["#d95f02", "#e7298a", "#1b9e77", "#7570b3", "#66a61e"];
    let bar = 7.0;
    let ops: usize = all.iter().map(|j| j.rows.len()).max().unwrap_or(1);
    let group = bar * RUST_COLUMNS.len() as f64 + 9.0;
    let left = 50.0;
    let width = left + group * ops as f64 + 20.0;
    let panel_h = 300.0;
    let plot_h = 190.0;
    let height = 52.0 + panel_h * all.len() as f64;
    let (lo, hi) = (0.01f64.log10(), 1000f64.log10());
    let y = |ratio: f64, top: f64| {
        top + plot_h * (1.0 - (ratio.clamp(0.01, 1000.0).log10() - lo) / (hi - lo))
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="10">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="16" font-size="13" font-weight="bold">Time relative to the raw driver (log scale; 1 = raw driver, lower is better)</text>"#
    );
    for (i, c) in RUST_COLUMNS.iter().enumerate() {
        let x = left + i as f64 * 120.0;
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="24" width="10" height="10" fill="{}"/><text x="{}" y="33">{c}</text>"#,
            colors[i],
            x + 14.0
        );
    }
    for (p, j) in all.iter().enumerate() {
        let top = 62.0 + panel_h * p as f64;
        let _ = writeln!(
            s,
            r#"<text x="{left}" y="{}" font-size="12" font-weight="bold">{}</text>"#,
            top - 10.0,
            j.title
        );
        // Rows with a raw-driver baseline (compile times have none).
        let rows: Vec<&RowJson> = j
            .rows
            .iter()
            .filter(|r| base(&j.rows, r).is_some())
            .collect();
        for g in [0.01, 0.1, 1.0, 3.0, 10.0, 30.0, 100.0, 1000.0] {
            let gy = y(g, top);
            let (stroke, w) = if g == 1.0 {
                ("#000", 1.2)
            } else {
                ("#ddd", 0.6)
            };
            let _ = writeln!(
                s,
                r#"<line x1="{left}" x2="{:.1}" y1="{gy:.1}" y2="{gy:.1}" stroke="{stroke}" stroke-width="{w}"/><text x="{}" y="{:.1}" text-anchor="end">{g}×</text>"#,
                width - 20.0,
                left - 4.0,
                gy + 3.0
            );
        }
        for (k, row) in rows.iter().enumerate() {
            let gx = left + group * k as f64 + 4.0;
            if let Some(raw) = base(&j.rows, row) {
                for (i, c) in RUST_COLUMNS.iter().enumerate() {
                    if let Some(&m) = row.medians.get(*c) {
                        let ratio = m / raw;
                        let (y0, y1) = (y(1.0, top), y(ratio, top));
                        let (ya, yb) = if y1 < y0 { (y1, y0) } else { (y0, y1) };
                        let _ = writeln!(
                            s,
                            r#"<rect x="{:.1}" y="{ya:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} · {c}: {ratio:.2}×</title></rect>"#,
                            gx + bar * i as f64,
                            bar - 1.0,
                            (yb - ya).max(0.8),
                            colors[i],
                            row.label
                        );
                    }
                }
            }
            let lx = gx + group / 2.0 - 4.0;
            let ly = top + plot_h + 8.0;
            let _ = writeln!(
                s,
                r#"<text x="{lx:.1}" y="{ly:.1}" transform="rotate(45 {lx:.1} {ly:.1})">{}</text>"#,
                row.key
            );
        }
    }
    let _ = writeln!(s, "</svg>");
    s
}

/// The issue's targets, checked against each backend's numbers.
fn targets(all: &[BackendJson]) -> String {
    let ratio = |j: &BackendJson, key: &str, col: &str| -> Option<f64> {
        let row = j.rows.iter().find(|r| r.key == key)?;
        Some(row.medians.get(col)? / base(&j.rows, row)?)
    };
    let mark = |ok: bool| if ok { "✓" } else { "✗" };
    let mut s = String::from(
        "## Targets\n\nRatios to the raw driver in the same run (✓ met, ✗ missed).\n\n| target |",
    );
    for j in all {
        let _ = write!(s, " {} |", j.title);
    }
    s.push_str("\n|---|");
    for _ in all {
        s.push_str("---|");
    }
    s.push('\n');
    let mut line = |label: &str, cell: &dyn Fn(&BackendJson) -> String| {
        let _ = write!(s, "| {label} |");
        for j in all {
            let _ = write!(s, " {} |", cell(j));
        }
        s.push('\n');
    };
    let limit = |j: &BackendJson, sqlite: f64, server: f64| {
        if j.backend == "sqlite" {
            sqlite
        } else {
            server
        }
    };
    line(
        "Core, 1 000+ rows: ≤ 1.10 (SQLite), ≤ 1.05 (servers) — trivial 1 000 / 10 000, 100 000 rows",
        &|j| {
            let lim = limit(j, 1.10, 1.05);
            ["trivial_1000", "trivial_10000", "rows"]
                .iter()
                .filter_map(|k| ratio(j, k, "oxalchemy Core"))
                .map(|r| format!("{r:.2} {}", mark(r <= lim)))
                .collect::<Vec<_>>()
                .join(" / ")
        },
    );
    line(
        "models, 10 000 rows: ≤ 1.5 (SQLite), ≤ 1.2 (PostgreSQL) — trivial 10 000 / 100 000 as models",
        &|j| {
            let lim = match j.backend.as_str() {
                "sqlite" => Some(1.5),
                "postgres" => Some(1.2),
                _ => None,
            };
            ["trivial_10000", "models"]
                .iter()
                .filter_map(|k| ratio(j, k, "oxalchemy ORM"))
                .map(|r| match lim {
                    Some(l) => format!("{r:.2} {}", mark(r <= l)),
                    None => format!("{r:.2} (no target)"),
                })
                .collect::<Vec<_>>()
                .join(" / ")
        },
    );
    line("Session bulk insert, keys not returned: ≤ 1.5", &|j| {
        ratio(j, "bulk_nokeys", "oxalchemy ORM")
            .map_or("—".into(), |r| format!("{r:.2} {}", mark(r <= 1.5)))
    });
    line("Session bulk insert, keys returned: ≤ 2.0", &|j| {
        ratio(j, "bulk_keys", "oxalchemy ORM")
            .map_or("—".into(), |r| format!("{r:.2} {}", mark(r <= 2.0)))
    });
    line(
        "at or below the best Rust peer (faster of Core / ORM, 2 % noise)",
        &|j| {
            let mut total = 0;
            let mut behind = Vec::new();
            for row in &j.rows {
                let best = ["diesel", "sqlx", "sea-orm"]
                    .iter()
                    .filter_map(|c| row.medians.get(*c))
                    .fold(f64::INFINITY, |a, &b| a.min(b));
                let ours = ["oxalchemy Core", "oxalchemy ORM"]
                    .iter()
                    .filter_map(|c| row.medians.get(*c))
                    .fold(f64::INFINITY, |a, &b| a.min(b));
                if best.is_finite() && ours.is_finite() {
                    total += 1;
                    if ours > best * 1.02 {
                        behind.push(format!("{} {:.2}×", row.key, ours / best));
                    }
                }
            }
            format!(
                "{} of {total} {}; behind: {}",
                total - behind.len(),
                mark(behind.is_empty()),
                behind.join(", ")
            )
        },
    );
    s.push('\n');
    s
}

/// Rewrite `benchmarks.md` and `benchmarks.svg` in `out_dir` from every
/// backend's JSON there, followed by the hand-written analysis (benches/analysis.md).
pub fn combine(out_dir: &Path) -> Result<()> {
    let mut all = Vec::new();
    for b in ["sqlite", "postgres", "mysql"] {
        let p = out_dir.join(format!("benchmarks-{b}.json"));
        if let Ok(text) = std::fs::read_to_string(&p) {
            all.push(serde_json::from_str::<BackendJson>(&text)?);
        }
    }
    let mut md = String::new();
    md.push_str(
        "# Benchmarks\n\n\
         oxalchemy against the raw drivers (rusqlite, tokio-postgres, mysql_async, each with cached \
         prepared statements: the physical limit) and the Rust peers diesel, sqlx and sea-orm, all \
         in one process on the same data and one SQLite build. Generated by `benches/` \
         (`cd benches && cargo run --release -- --backend sqlite|postgres|mysql [--with-python]`); \
         do not edit the tables by hand: the text after them comes from `benches/analysis.md`.\n\n\
         Each cell is the median of several timed iterations after a warm-up, and in brackets the \
         ratio to the raw driver on the same row (for `Session.get` hits, to the raw lookups a \
         library without an identity map must run). \"best Rust peer\" names the fastest of diesel, \
         sqlx and sea-orm and how the faster of oxalchemy Core / ORM compares with it (✓: at or \
         below it, within 2 % noise). Timings are wall-clock on a shared 2-core machine: read \
         ratios, not absolute numbers, and expect a few percent of noise.\n\n\
         ![ratios to the raw driver](benchmarks.svg)\n\n",
    );
    for j in &all {
        md.push_str(&table(j));
    }
    md.push_str(&targets(&all));
    let analysis = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/analysis.md"))
        .unwrap_or_default();
    md.push_str(&analysis);
    std::fs::write(out_dir.join("benchmarks.md"), md)?;
    std::fs::write(out_dir.join("benchmarks.svg"), svg(&all))?;
    eprintln!("wrote {}", out_dir.join("benchmarks.md").display());
    Ok(())
}
