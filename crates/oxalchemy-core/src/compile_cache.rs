//! `CompileCache`: compiled SQL cached by statement shape.
//!
//! A statement's *shape* is what its SQL would be with the bound values left
//! out: the compiler writes it in a cheaper mode (identifiers unquoted and
//! length-prefixed, a marker for each placeholder) while collecting the
//! parameters in their final order. For one dialect the shape determines the
//! SQL text exactly, so statements of the same shape share one compiled SQL
//! string, and the drivers' prepared-statement caches (keyed by SQL text) hit.

use crate::compiled::{Compiled, Executable, FetchAfterInsert};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::statement::StatementKind;
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone)]
struct Entry {
    sql: Arc<str>,
    kind: StatementKind,
    fetch_after: Option<FetchAfterInsert>,
}

/// A bounded map from statement shape to compiled SQL, for one dialect.
///
/// ```
/// use oxalchemy_core::{CompileCache, MetaData, select, ExprLike, dialect::GenericDialect, sql_type::Integer};
/// let md = MetaData::new();
/// let t = md.table("t", |t| { t.column("x", Integer); });
/// let cache = CompileCache::new(100);
/// let a = cache.compile(&select(t.c("x")).filter(t.c("x").eq(1)), &GenericDialect).unwrap();
/// let b = cache.compile(&select(t.c("x")).filter(t.c("x").eq(2)), &GenericDialect).unwrap();
/// assert!(std::sync::Arc::ptr_eq(a.sql_arc(), b.sql_arc()));   // one SQL string, shared
/// assert_eq!(b.params()[0], oxalchemy_core::Value::Int(2));
/// assert_eq!(cache.len(), 1);
/// ```
#[derive(Debug)]
pub struct CompileCache {
    capacity: usize,
    map: RwLock<HashMap<String, Entry>>,
}

impl CompileCache {
    /// A cache holding at most `capacity` shapes (it is emptied when full).
    pub fn new(capacity: usize) -> Self {
        CompileCache {
            capacity,
            map: RwLock::new(HashMap::new()),
        }
    }

    /// Compile `stmt` for `dialect`, reusing the SQL of an earlier statement of the same shape.
    /// Only use one cache per dialect.
    pub fn compile<E: Executable + ?Sized>(
        &self,
        stmt: &E,
        dialect: &dyn Dialect,
    ) -> Result<Compiled> {
        if self.capacity == 0 || !stmt.cacheable() {
            return stmt.compile_for(dialect);
        }
        let mut shape = crate::compiler::with_shape_mode(|| stmt.compile_for(dialect))?;
        // Result types come from this statement's own walk, never from the
        // cache: they depend on column types, which the shape does not name.
        let column_types = shape.take_column_types();
        let (key, params, _) = shape.into_parts();
        if let Some(hit) = self.map.read().get(&*key) {
            let compiled = Compiled::with_kind(hit.sql.clone(), params, hit.kind)
                .with_column_types(column_types);
            return Ok(match &hit.fetch_after {
                Some(f) => compiled.with_fetch_after(f.clone()),
                None => compiled,
            });
        }
        let compiled = stmt.compile_for(dialect)?;
        let mut map = self.map.write();
        if map.len() >= self.capacity {
            map.clear();
        }
        map.insert(
            key.to_string(),
            Entry {
                sql: compiled.sql_arc().clone(),
                kind: compiled.kind(),
                fetch_after: compiled.fetch_after().cloned(),
            },
        );
        Ok(compiled)
    }

    /// Number of cached shapes.
    pub fn len(&self) -> usize {
        self.map.read().len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.map.read().is_empty()
    }

    /// Forget every cached shape.
    pub fn clear(&self) {
        self.map.write().clear();
    }
}
