//! `PoolStatus`: a snapshot of the connection pool's counters.

/// A snapshot of an engine's connection pool, from [`Engine::pool_status`](crate::Engine::pool_status).
///
/// `size` counts every open connection the pool owns (idle + checked out);
/// `overflow` is how many of them exceed `pool_size` (they are closed when
/// returned instead of kept idle).
///
/// ```
/// use oxalchemy_pool::PoolStatus;
/// let s = PoolStatus { size: 3, checked_out: 3, idle: 0, overflow: 1, pool_size: 2, max_overflow: 1 };
/// assert_eq!(s.size, s.checked_out + s.idle);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PoolStatus {
    /// Open connections owned by the pool (idle + checked out).
    pub size: usize,
    /// Connections currently handed out (held by a `Connection` or `Transaction`).
    pub checked_out: usize,
    /// Open connections waiting in the pool.
    pub idle: usize,
    /// Open connections beyond `pool_size`.
    pub overflow: usize,
    /// The configured number of connections kept open.
    pub pool_size: usize,
    /// The configured number of extra connections allowed under load.
    pub max_overflow: usize,
}
