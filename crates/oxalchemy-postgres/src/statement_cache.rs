//! The per-connection prepared-statement cache, keyed by SQL text and the
//! kinds of the parameters (see `param_types`: one SQL text is prepared once
//! per combination of declared parameter types).
//!
//! Each entry keeps the server-side prepared statement (with the parameter
//! types declared or inferred) and the result's column labels. The cache is
//! bounded: past its capacity the least recently used statement is dropped,
//! which closes it on the server.
//!
//! A prepared statement keeps the parameter and result types of the schema it
//! was prepared against, so DDL makes it stale (a column that became `TEXT`
//! would still be bound as `int4`). Every connection of a driver shares one
//! schema generation: a connection that runs DDL bumps it, and each cache that
//! saw an older generation drops all its statements before its next lookup (as
//! SQLAlchemy's asyncpg dialect does).

use crate::param_types::{ParamKind, matches};
use oxalchemy_core::{Columns, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::Statement;

/// How many statements a connection keeps prepared by default.
pub const DEFAULT_STATEMENT_CACHE_CAPACITY: usize = 256;

/// One prepared statement and what the driver derived from it.
#[derive(Clone)]
pub(crate) struct CachedStatement {
    /// The server-side statement.
    pub statement: Statement,
    /// The labels of its result columns (empty when it returns no rows).
    pub columns: Arc<Columns>,
}

impl CachedStatement {
    /// Wrap a freshly prepared statement.
    pub fn new(statement: Statement) -> Self {
        let names = statement
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        CachedStatement {
            statement,
            columns: Arc::new(Columns::new(names)),
        }
    }
}

/// One statement prepared for a SQL text, with the parameter kinds it was declared for.
struct Variant {
    kinds: Box<[ParamKind]>,
    cached: CachedStatement,
    last_used: u64,
}

/// A bounded map from SQL text and parameter kinds to prepared statement
/// (least recently used eviction).
pub(crate) struct StatementCache {
    /// The variants prepared for each SQL text (usually one).
    entries: HashMap<String, Vec<Variant>>,
    /// Number of variants over all entries.
    count: usize,
    capacity: usize,
    clock: u64,
    /// The schema generation shared by the driver's connections.
    schema_generation: Arc<AtomicU64>,
    /// The generation the cached statements were prepared in.
    seen_generation: u64,
}

impl StatementCache {
    /// An empty cache holding at most `capacity` statements (0 disables caching),
    /// following the schema generation shared with the driver's other connections.
    pub fn shared(capacity: usize, schema_generation: Arc<AtomicU64>) -> Self {
        let seen_generation = schema_generation.load(Ordering::SeqCst);
        StatementCache {
            entries: HashMap::new(),
            count: 0,
            capacity,
            clock: 0,
            schema_generation,
            seen_generation,
        }
    }

    /// Drop every statement when the schema changed since they were prepared;
    /// returns true when it had.
    fn sync_generation(&mut self) -> bool {
        let current = self.schema_generation.load(Ordering::SeqCst);
        if current == self.seen_generation {
            return false;
        }
        self.clear();
        self.seen_generation = current;
        true
    }

    /// This connection changed the schema: drop its statements and make every
    /// other connection of the driver drop theirs.
    pub fn schema_changed(&mut self) {
        self.clear();
        self.seen_generation = self.schema_generation.fetch_add(1, Ordering::SeqCst) + 1;
    }

    /// The statement prepared for `sql` with parameters of the kinds of
    /// `params`, if cached (marks it as recently used).
    pub fn get(&mut self, sql: &str, params: &[Value]) -> Option<CachedStatement> {
        self.sync_generation();
        self.clock += 1;
        let clock = self.clock;
        let variant = self
            .entries
            .get_mut(sql)?
            .iter_mut()
            .find(|v| matches(&v.kinds, params))?;
        variant.last_used = clock;
        Some(variant.cached.clone())
    }

    /// The statement prepared for `sql` with exactly these parameter `kinds`,
    /// if cached (marks it as recently used).
    pub fn get_exact(&mut self, sql: &str, kinds: &[ParamKind]) -> Option<CachedStatement> {
        self.sync_generation();
        self.clock += 1;
        let clock = self.clock;
        let variant = self
            .entries
            .get_mut(sql)?
            .iter_mut()
            .find(|v| *v.kinds == *kinds)?;
        variant.last_used = clock;
        Some(variant.cached.clone())
    }

    /// Remember the statement prepared for `sql` and parameter `kinds`,
    /// evicting the least recently used one when full.
    pub fn insert(&mut self, sql: &str, kinds: Box<[ParamKind]>, cached: CachedStatement) {
        // Prepared while another connection changed the schema: maybe stale, not kept.
        if self.capacity == 0 || self.sync_generation() {
            return;
        }
        let variants = self.entries.entry(sql.to_owned()).or_default();
        let before = variants.len();
        variants.retain(|v| v.kinds != kinds);
        self.count -= before - variants.len();
        if self.count >= self.capacity {
            self.evict_oldest();
        }
        self.clock += 1;
        let clock = self.clock;
        self.entries
            .entry(sql.to_owned())
            .or_default()
            .push(Variant {
                kinds,
                cached,
                last_used: clock,
            });
        self.count += 1;
    }

    /// Drop the least recently used statement.
    fn evict_oldest(&mut self) {
        let oldest = self
            .entries
            .iter()
            .flat_map(|(sql, vs)| vs.iter().map(move |v| (v.last_used, sql)))
            .min_by_key(|(used, _)| *used)
            .map(|(used, sql)| (used, sql.clone()));
        let Some((used, sql)) = oldest else {
            return;
        };
        if let Some(variants) = self.entries.get_mut(&sql) {
            variants.retain(|v| v.last_used != used);
            if variants.is_empty() {
                self.entries.remove(&sql);
            }
        }
        self.count -= 1;
    }

    /// Forget every statement prepared for `sql` (after the server invalidated one).
    pub fn remove(&mut self, sql: &str) {
        if let Some(variants) = self.entries.remove(sql) {
            self.count -= variants.len();
        }
    }

    /// Forget every statement.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.count = 0;
    }

    /// Number of cached statements.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when `sql` has a cached statement (for any parameter kinds).
    pub fn contains(&self, sql: &str) -> bool {
        self.entries.contains_key(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_change_anywhere_empties_every_cache() {
        let generation = Arc::new(AtomicU64::new(0));
        let mut a = StatementCache::shared(8, generation.clone());
        let mut b = StatementCache::shared(8, generation.clone());
        assert!(!a.sync_generation() && !b.sync_generation());
        a.schema_changed();
        assert_eq!(generation.load(Ordering::SeqCst), 1);
        // b notices on its next lookup; a, which made the change, is already in step.
        assert!(b.sync_generation());
        assert!(!b.sync_generation());
        assert!(!a.sync_generation());
    }
}
