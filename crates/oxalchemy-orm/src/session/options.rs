//! `SessionOptions`: how a session flushes and expires.

/// Settings of a [`Session`](super::Session) (SQLAlchemy's `sessionmaker`
/// arguments).
///
/// ```
/// use oxalchemy_orm::SessionOptions;
/// let opts = SessionOptions::default().expire_on_commit(false);
/// assert!(!opts.expires_on_commit());
/// assert!(opts.autoflushes());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionOptions {
    expire_on_commit: bool,
    autoflush: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            expire_on_commit: true,
            autoflush: true,
        }
    }
}

impl SessionOptions {
    /// Expire every snapshot at `commit()` (default true), so the next `get`
    /// reads the row again and sees other transactions' commits. Off, a `get`
    /// after `commit()` is served from the identity map without SQL.
    pub fn expire_on_commit(mut self, on: bool) -> Self {
        self.expire_on_commit = on;
        self
    }

    /// Flush pending changes before each query (`scalars`, `execute`, a `get`
    /// that misses the identity map, `refresh`). Default true.
    pub fn autoflush(mut self, on: bool) -> Self {
        self.autoflush = on;
        self
    }

    /// The `expire_on_commit` setting.
    pub fn expires_on_commit(&self) -> bool {
        self.expire_on_commit
    }

    /// The `autoflush` setting.
    pub fn autoflushes(&self) -> bool {
        self.autoflush
    }
}
