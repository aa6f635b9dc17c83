//! `Related<T>`: a relationship field, loaded or not.

use crate::any_model::AnyModel;
use crate::session::model_info::ModelInfo;
use oxalchemy_core::{Error, Result, Value};
use std::fmt;
use std::sync::Arc;

/// The identities a relationship held when the session loaded it (or when
/// `save` persisted it): the base of its collection history. A member that
/// is gone from the value when it is added again was removed (orphaned or
/// detached); a row it never held is never touched. Opaque: set by the
/// session's loaders and by `save`, carried along by `Clone`.
#[derive(Clone)]
pub struct LoadedWith {
    /// The members' primary keys, `width` values each, one after another
    /// (one allocation for the whole relationship).
    keys: Arc<[Value]>,
    width: usize,
}

impl LoadedWith {
    /// The primary keys (in key order) of `items`, loaded models with keys.
    pub(crate) fn of(items: &[&dyn AnyModel]) -> LoadedWith {
        let width = items.first().map_or(1, |m| {
            ModelInfo::of_mapper(m.mapper()).pk_positions().len().max(1)
        });
        let mut keys = Vec::with_capacity(items.len() * width);
        for m in items {
            m.push_key_values(&mut keys);
        }
        LoadedWith {
            keys: keys.into(),
            width,
        }
    }

    /// The members of both (each once).
    pub(crate) fn union(&self, other: &LoadedWith) -> LoadedWith {
        let mut keys: Vec<Value> = self.keys.to_vec();
        for k in other.keys() {
            if !self.keys().any(|mine| mine == k) {
                keys.extend_from_slice(k);
            }
        }
        LoadedWith {
            keys: keys.into(),
            width: self.width,
        }
    }

    /// Each member's primary-key values, in key order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &[Value]> {
        self.keys.chunks(self.width)
    }

    /// How many members the relationship was loaded with.
    pub fn len(&self) -> usize {
        self.keys.len() / self.width
    }

    /// True when it was loaded empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl fmt::Debug for LoadedWith {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.keys()).finish()
    }
}

/// A relationship field: not loaded (the default) or loaded.
///
/// There is no implicit I/O on access: `get()` on a relationship that was not
/// loaded is `Error::NotLoaded`, naming the relationship and the loader option
/// to use. The value is boxed so self-referential models have a finite size.
///
/// ```
/// use oxalchemy_orm::Related;
/// let mut tags: Related<Vec<String>> = Related::default();
/// assert!(!tags.is_loaded());
/// assert!(tags.get().is_err());
/// tags.push("rust".to_owned());          // works without loading: inserted on flush
/// assert_eq!(tags.pending().len(), 1);
/// let loaded = Related::from(vec!["a".to_owned()]);
/// assert_eq!(loaded.get().unwrap().len(), 1);
/// ```
pub struct Related<T> {
    value: Option<Box<T>>,
    /// Items pushed to a collection that was not loaded (a `Vec` for collections).
    pending: Option<Box<T>>,
    name: Option<&'static str>,
    /// What the session loaded it with (`None`: built by the caller).
    history: Option<LoadedWith>,
}

impl<T> Default for Related<T> {
    fn default() -> Self {
        Related {
            value: None,
            pending: None,
            name: None,
            history: None,
        }
    }
}

impl<T: Clone> Clone for Related<T> {
    fn clone(&self) -> Self {
        Related {
            value: self.value.clone(),
            pending: self.pending.clone(),
            name: self.name,
            history: self.history.clone(),
        }
    }
}

impl<T: PartialEq> PartialEq for Related<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value && self.pending == other.pending
    }
}

impl<T: fmt::Debug> fmt::Debug for Related<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => f.debug_tuple("Loaded").field(v).finish(),
            None => f.write_str("NotLoaded"),
        }
    }
}

impl<T> From<T> for Related<T> {
    fn from(value: T) -> Self {
        Related {
            value: Some(Box::new(value)),
            pending: None,
            name: None,
            history: None,
        }
    }
}

impl<T> Related<T> {
    /// A not-loaded relationship that knows its name (`"User.addresses"`) for errors.
    pub fn not_loaded(name: &'static str) -> Self {
        Related {
            value: None,
            pending: None,
            name: Some(name),
            history: None,
        }
    }

    /// True when loaded.
    pub fn is_loaded(&self) -> bool {
        self.value.is_some()
    }

    /// The loaded value, or `Error::NotLoaded`.
    pub fn get(&self) -> Result<&T> {
        self.value.as_deref().ok_or_else(|| self.not_loaded_error())
    }

    /// The loaded value, mutably, or `Error::NotLoaded`.
    pub fn get_mut(&mut self) -> Result<&mut T> {
        if self.value.is_none() {
            return Err(self.not_loaded_error());
        }
        Ok(self.value.as_deref_mut().expect("checked above"))
    }

    /// Replace the value (marks it loaded). Like SQLAlchemy's collection
    /// assignment, this keeps the history: members the relationship was
    /// loaded with that the new value lacks were removed.
    pub fn set(&mut self, value: T) {
        self.value = Some(Box::new(value));
    }

    /// What the session loaded this relationship with (its history base):
    /// `None` for a value built by the caller (`Related::from`), which the
    /// session treats as the whole new collection, as SQLAlchemy treats an
    /// assigned collection (the rows it replaces are read at the flush).
    pub fn loaded_with(&self) -> Option<&LoadedWith> {
        self.history.as_ref()
    }

    /// Record the history base (the session's loaders, `save`).
    pub(crate) fn set_loaded_with(&mut self, history: Option<LoadedWith>) {
        self.history = history;
    }

    /// Take the loaded value out, leaving the field not loaded.
    pub fn take(&mut self) -> Option<T> {
        self.value.take().map(|b| *b)
    }

    /// The relationship's name, when known.
    pub fn name(&self) -> Option<&'static str> {
        self.name
    }

    /// Set the relationship's name (used in `NotLoaded` errors).
    pub fn set_name(&mut self, name: &'static str) {
        self.name = Some(name);
    }

    fn not_loaded_error(&self) -> Error {
        Error::NotLoaded {
            relationship: self.name.unwrap_or("(unnamed relationship)").to_owned(),
        }
    }
}

impl<T> Related<Vec<T>> {
    /// Append to a collection without loading it: into the loaded `Vec`, or,
    /// when not loaded, into a pending list the unit of work inserts on flush.
    pub fn push(&mut self, item: T) {
        match &mut self.value {
            Some(v) => v.push(item),
            None => self
                .pending
                .get_or_insert_with(|| Box::new(Vec::new()))
                .push(item),
        }
    }

    /// Items pushed while the collection was not loaded.
    pub fn pending(&self) -> &[T] {
        self.pending.as_deref().map(Vec::as_slice).unwrap_or(&[])
    }

    /// Take the pending items out.
    pub fn take_pending(&mut self) -> Vec<T> {
        self.pending.take().map(|b| *b).unwrap_or_default()
    }
}

impl<T: serde::Serialize> serde::Serialize for Related<T> {
    /// A loaded value serializes as the value; a not-loaded one as `null`
    /// (add `#[serde(skip_serializing_if = "Related::is_not_loaded")]` to omit it).
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match &self.value {
            Some(v) => v.serialize(s),
            None => s.serialize_none(),
        }
    }
}

impl<T> Related<T> {
    /// True when not loaded (for `skip_serializing_if`).
    pub fn is_not_loaded(&self) -> bool {
        self.value.is_none()
    }
}
