//! The operations every contender runs, and the sizes they run at.

use std::fmt;

/// One measured operation. Each iteration of it is timed by the contender
/// itself (setup such as emptying a table stays outside the timed part).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `SELECT id, name, hair_color FROM bench_users LIMIT n`, into structs.
    Trivial(usize),
    /// users LEFT JOIN posts with a filter, into (user, Option<post>) pairs.
    Medium,
    /// users -> posts -> comments, each parent with its children.
    Assoc,
    /// `batch_statements` INSERT statements of n rows each, in one transaction.
    Batch(usize),
    /// `bulk` rows through the Session (peers: their bulk insert), keys given.
    BulkNoKeys,
    /// `bulk` rows, generated keys returned to the caller.
    BulkKeys,
    /// `singles` INSERTs, each committed on its own.
    Singles,
    /// `lookups` primary-key lookups (the Session: `get` misses).
    PkLookups,
    /// The same lookups served by the Session's identity map (`get` hits).
    PkHit,
    /// A `big`-row result set as tuples.
    ResultRows,
    /// The same result set as models.
    ResultModels,
    /// `bulk_update` rows changed and written back in one transaction.
    BulkUpdate,
    /// `compiles` compilations of the medium-complex SELECT, cached by shape.
    CompileCached,
    /// The same without a cache.
    CompileUncached,
    /// `tasks` concurrent tasks, each running `per_task` lookups through the pool.
    Concurrent,
}

impl Op {
    /// Every operation at the given sizes, in table order.
    pub fn all(s: &Sizes) -> Vec<Op> {
        let mut ops: Vec<Op> = s.trivial.iter().map(|&n| Op::Trivial(n)).collect();
        ops.push(Op::Medium);
        ops.push(Op::Assoc);
        ops.extend(s.batch.iter().map(|&n| Op::Batch(n)));
        ops.extend([
            Op::BulkNoKeys,
            Op::BulkKeys,
            Op::Singles,
            Op::PkLookups,
            Op::PkHit,
            Op::ResultRows,
            Op::ResultModels,
            Op::BulkUpdate,
            Op::CompileCached,
            Op::CompileUncached,
            Op::Concurrent,
        ]);
        ops
    }

    /// A stable key (the Python script reports under the same keys).
    pub fn key(&self) -> String {
        match self {
            Op::Trivial(n) => format!("trivial_{n}"),
            Op::Medium => "medium".into(),
            Op::Assoc => "assoc".into(),
            Op::Batch(n) => format!("batch_{n}"),
            Op::BulkNoKeys => "bulk_nokeys".into(),
            Op::BulkKeys => "bulk_keys".into(),
            Op::Singles => "singles".into(),
            Op::PkLookups => "pk".into(),
            Op::PkHit => "pk_hit".into(),
            Op::ResultRows => "rows".into(),
            Op::ResultModels => "models".into(),
            Op::BulkUpdate => "bulk_update".into(),
            Op::CompileCached => "compile_cached".into(),
            Op::CompileUncached => "compile_uncached".into(),
            Op::Concurrent => "concurrent".into(),
        }
    }

    /// The row label in the report.
    pub fn label(&self, s: &Sizes) -> String {
        match self {
            Op::Trivial(n) => format!("trivial query, {} rows", num(*n)),
            Op::Medium => format!(
                "medium complex query (LEFT JOIN + filter, {} rows)",
                num(s.medium_rows())
            ),
            Op::Assoc => format!(
                "loading associations ({} x {} x {})",
                s.assoc_users, s.assoc_posts, s.assoc_comments
            ),
            Op::Batch(n) => format!(
                "batch insert, {n} rows/statement (x{} statements)",
                s.batch_statements
            ),
            Op::BulkNoKeys => format!("bulk insert {} rows, keys not returned", num(s.bulk)),
            Op::BulkKeys => format!("bulk insert {} rows, keys returned", num(s.bulk)),
            Op::Singles => format!("{} single inserts, each committed", num(s.singles)),
            Op::PkLookups => format!("{} primary-key lookups (Session.get miss)", num(s.lookups)),
            Op::PkHit => format!("{} Session.get hits (identity map)", num(s.lookups)),
            Op::ResultRows => format!("{}-row result set as rows", num(s.big)),
            Op::ResultModels => format!("{}-row result set as models", num(s.big)),
            Op::BulkUpdate => format!("bulk update of {} rows", num(s.bulk_update)),
            Op::CompileCached => format!("{} statement compiles, cached", num(s.compiles)),
            Op::CompileUncached => format!("{} statement compiles, uncached", num(s.compiles)),
            Op::Concurrent => format!(
                "{} concurrent tasks x {} lookups through the pool",
                s.tasks, s.per_task
            ),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// `12345` as `12 345`.
pub fn num(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// Data and operation sizes.
#[derive(Clone, Debug)]
pub struct Sizes {
    /// Row counts of the trivial query.
    pub trivial: Vec<usize>,
    /// Rows in bench_users (at least the largest trivial query and `big`).
    pub users: usize,
    /// The large result set.
    pub big: usize,
    /// Users with posts; posts per user; comments per post.
    pub assoc_users: usize,
    pub assoc_posts: usize,
    pub assoc_comments: usize,
    /// The medium query reads users with `id <= medium_users`.
    pub medium_users: usize,
    /// Rows per statement of the batch inserts, and statements per iteration.
    pub batch: Vec<usize>,
    pub batch_statements: usize,
    pub bulk: usize,
    pub singles: usize,
    pub lookups: usize,
    pub bulk_update: usize,
    pub compiles: usize,
    pub tasks: usize,
    pub per_task: usize,
}

fn scaled(n: usize, scale: f64, min: usize) -> usize {
    ((n as f64 * scale).round() as usize).max(min)
}

impl Sizes {
    /// The full sizes, multiplied by `scale` (the trivial queries and the
    /// association shape stay as the issue defines them).
    ///
    /// On the servers every commit waits for a WAL/redo-log flush (a few ms on
    /// this disk), so the each-committed inserts run 1 000 times there, not 10 000.
    pub fn full(scale: f64, server: bool) -> Sizes {
        let big = scaled(100_000, scale, 1_000);
        Sizes {
            trivial: vec![1, 10, 100, 1_000, 10_000],
            users: big.max(10_000),
            big,
            assoc_users: 100,
            assoc_posts: 10,
            assoc_comments: 10,
            medium_users: 200,
            batch: vec![1, 10, 100],
            batch_statements: scaled(100, scale, 10),
            bulk: scaled(100_000, scale, 1_000),
            singles: scaled(if server { 1_000 } else { 10_000 }, scale, 100),
            lookups: scaled(10_000, scale, 100),
            bulk_update: scaled(10_000, scale, 100),
            compiles: scaled(10_000, scale, 100),
            tasks: 64,
            per_task: scaled(50, scale, 5),
        }
    }

    /// Tiny sizes for a smoke run (CI).
    pub fn quick() -> Sizes {
        Sizes {
            trivial: vec![1, 10],
            users: 200,
            big: 200,
            assoc_users: 4,
            assoc_posts: 3,
            assoc_comments: 2,
            medium_users: 20,
            batch: vec![1, 10],
            batch_statements: 2,
            bulk: 100,
            singles: 5,
            lookups: 10,
            bulk_update: 10,
            compiles: 10,
            tasks: 64,
            per_task: 1,
        }
    }

    /// Rows the medium query returns: users with even ids up to
    /// `medium_users` are black-haired; those that have posts return one row per post.
    pub fn medium_rows(&self) -> usize {
        (1..=self.medium_users.min(self.users))
            .filter(|id| id % 2 == 0)
            .map(|id| {
                if id <= self.assoc_users {
                    self.assoc_posts.max(1)
                } else {
                    1
                }
            })
            .sum()
    }

    /// The ids looked up by the primary-key operations (distinct, shuffled).
    pub fn lookup_ids(&self) -> Vec<i64> {
        let n = self.lookups.min(self.users);
        // A fixed permutation of 1..=n (multiplicative step coprime with n).
        let mut step = 7919 % n.max(1);
        while gcd(step, n) != 1 {
            step += 1;
        }
        (0..n).map(|i| ((i * step) % n + 1) as i64).collect()
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}
