//! The per-connection prepared-statement cache, keyed by SQL text.
//!
//! Each entry keeps the server-side prepared statement (with the parameter
//! types the server inferred) and the result's column labels. The cache is
//! bounded: past its capacity the least recently used statement is dropped,
//! which closes it on the server.

use oxalchemy_core::Columns;
use std::collections::HashMap;
use std::sync::Arc;
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

struct Entry {
    cached: CachedStatement,
    last_used: u64,
}

/// A bounded map from SQL text to prepared statement (least recently used eviction).
pub(crate) struct StatementCache {
    entries: HashMap<String, Entry>,
    capacity: usize,
    clock: u64,
}

impl StatementCache {
    /// An empty cache holding at most `capacity` statements (0 disables caching).
    pub fn new(capacity: usize) -> Self {
        StatementCache {
            entries: HashMap::new(),
            capacity,
            clock: 0,
        }
    }

    /// The statement prepared for `sql`, if cached (marks it as recently used).
    pub fn get(&mut self, sql: &str) -> Option<CachedStatement> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(sql).map(|e| {
            e.last_used = clock;
            e.cached.clone()
        })
    }

    /// Remember the statement prepared for `sql`, evicting the least recently used one when full.
    pub fn insert(&mut self, sql: &str, cached: CachedStatement) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() >= self.capacity && !self.entries.contains_key(sql) {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        self.clock += 1;
        self.entries.insert(
            sql.to_owned(),
            Entry {
                cached,
                last_used: self.clock,
            },
        );
    }

    /// Forget the statement prepared for `sql` (after the server invalidated it).
    pub fn remove(&mut self, sql: &str) {
        self.entries.remove(sql);
    }

    /// Forget every statement.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Number of cached statements.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when `sql` has a cached statement.
    pub fn contains(&self, sql: &str) -> bool {
        self.entries.contains_key(sql)
    }
}
