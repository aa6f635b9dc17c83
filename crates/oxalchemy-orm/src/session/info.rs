//! `Session::info()`: application data carried by a session (SQLAlchemy's
//! `Session.info` dictionary), keyed by type as `http::Extensions` is, so
//! listeners read it with its own type and no string key can collide.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;

/// Values an application attaches to one session, one per type: the tenant
/// a request serves, the user an audit row names. Session listeners read
/// them through `ctx.session().info()`.
///
/// ```
/// use oxalchemy_orm::SessionInfo;
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// struct TenantId(i64);
///
/// let mut info = SessionInfo::default();
/// assert_eq!(info.insert(TenantId(7)), None);
/// assert_eq!(info.get::<TenantId>(), Some(&TenantId(7)));
/// assert_eq!(info.insert(TenantId(8)), Some(TenantId(7)));
/// assert_eq!(info.remove::<TenantId>(), Some(TenantId(8)));
/// assert!(info.is_empty());
/// ```
#[derive(Default)]
pub struct SessionInfo {
    values: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl fmt::Debug for SessionInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionInfo")
            .field("values", &self.values.len())
            .finish()
    }
}

impl SessionInfo {
    /// Store `value`; the value of its type stored before, if any.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) -> Option<T> {
        self.values
            .insert(TypeId::of::<T>(), Box::new(value))
            .and_then(|old| old.downcast().ok().map(|b| *b))
    }

    /// The value of type `T`, if one is stored.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref())
    }

    /// The value of type `T`, mutably, if one is stored.
    pub fn get_mut<T: Any + Send + Sync>(&mut self) -> Option<&mut T> {
        self.values
            .get_mut(&TypeId::of::<T>())
            .and_then(|v| v.downcast_mut())
    }

    /// Take the value of type `T` out.
    pub fn remove<T: Any + Send + Sync>(&mut self) -> Option<T> {
        self.values
            .remove(&TypeId::of::<T>())
            .and_then(|old| old.downcast().ok().map(|b| *b))
    }

    /// True when a value of type `T` is stored.
    pub fn contains<T: Any + Send + Sync>(&self) -> bool {
        self.values.contains_key(&TypeId::of::<T>())
    }

    /// How many values are stored.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Remove every value.
    pub fn clear(&mut self) {
        self.values.clear();
    }
}
