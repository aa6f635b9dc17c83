//! `session.no_autoflush()`: a scope in which queries do not flush first
//! (SQLAlchemy's `with session.no_autoflush:` block).

use super::session::Session;
use std::ops::{Deref, DerefMut};

/// The session with autoflush off until this guard is dropped; derefs to the
/// [`Session`]. Dropping it restores the setting the session had.
///
/// Use it to query while building objects that cannot be flushed yet (a
/// NOT NULL column still to fill), as SQLAlchemy's `no_autoflush` block.
#[derive(Debug)]
pub struct NoAutoflush<'s> {
    session: &'s mut Session,
    restore: bool,
}

impl Deref for NoAutoflush<'_> {
    type Target = Session;
    fn deref(&self) -> &Session {
        self.session
    }
}

impl DerefMut for NoAutoflush<'_> {
    fn deref_mut(&mut self) -> &mut Session {
        self.session
    }
}

impl Drop for NoAutoflush<'_> {
    fn drop(&mut self) {
        self.session.options = self.session.options.autoflush(self.restore);
    }
}

impl Session {
    /// Turn autoflush off for a scope: queries through the returned guard
    /// (`scalars`, `execute`, `get`, `refresh`, `merge`) do not flush the
    /// pending changes first; `flush()` and `commit()` still do. The setting
    /// comes back when the guard is dropped.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use oxalchemy_orm::Session;
    /// # use oxalchemy_pool::{Engine, EngineOptions};
    /// # use std::sync::Arc;
    /// # let driver = oxalchemy_sqlite::SqliteDriver::from_url("sqlite://")?;
    /// # let engine = Engine::from_driver(Arc::new(driver), EngineOptions::default())?;
    /// let mut session = Session::new(&engine);
    /// {
    ///     let mut scope = session.no_autoflush();
    ///     assert!(!scope.options().autoflushes());
    ///     scope.execute(oxalchemy_core::text("SELECT 1")).await?;
    /// }
    /// assert!(session.options().autoflushes());
    /// # Ok::<(), oxalchemy_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn no_autoflush(&mut self) -> NoAutoflush<'_> {
        let restore = self.options.autoflushes();
        self.options = self.options.autoflush(false);
        NoAutoflush {
            session: self,
            restore,
        }
    }
}
