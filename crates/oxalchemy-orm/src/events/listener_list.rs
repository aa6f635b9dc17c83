//! `ListenerList`: the registered listeners of one kind of event (a model's
//! mapper events, an engine's session events), copy-on-write so firing clones
//! an `Arc` and never holds a lock while a listener runs, with one counter per
//! event so "nobody listens" is one atomic load.

use parking_lot::RwLock;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// An event enum whose variants index the per-event counters.
pub(crate) trait EventIndex: Copy + PartialEq {
    /// How many events there are.
    const COUNT: usize;
    /// This event's position, below [`COUNT`](Self::COUNT).
    fn index(self) -> usize;
}

/// One registered listener.
pub(crate) struct Registered<E, F: ?Sized> {
    pub(crate) id: u64,
    pub(crate) event: E,
    pub(crate) f: Arc<F>,
}

impl<E: Copy, F: ?Sized> Clone for Registered<E, F> {
    fn clone(&self) -> Self {
        Registered {
            id: self.id,
            event: self.event,
            f: self.f.clone(),
        }
    }
}

/// The listeners of events `E`, each an `Arc<F>`.
pub(crate) struct ListenerList<E, F: ?Sized> {
    counts: Box<[AtomicUsize]>,
    list: RwLock<Arc<Vec<Registered<E, F>>>>,
    next_id: AtomicU64,
}

impl<E: EventIndex, F: ?Sized> Default for ListenerList<E, F> {
    fn default() -> Self {
        ListenerList {
            counts: (0..E::COUNT).map(|_| AtomicUsize::new(0)).collect(),
            list: RwLock::new(Arc::new(Vec::new())),
            next_id: AtomicU64::new(0),
        }
    }
}

impl<E, F: ?Sized> fmt::Debug for ListenerList<E, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListenerList")
            .field("listeners", &self.list.read().len())
            .finish()
    }
}

impl<E: EventIndex, F: ?Sized> ListenerList<E, F> {
    /// True when `event` has a listener (one atomic load).
    #[inline]
    pub(crate) fn has(&self, event: E) -> bool {
        self.counts[event.index()].load(Ordering::Acquire) > 0
    }

    /// Register `f` for `event`; its id for [`remove`](Self::remove).
    pub(crate) fn add(&self, event: E, f: Arc<F>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut guard = self.list.write();
        let mut list: Vec<Registered<E, F>> = guard.iter().cloned().collect();
        list.push(Registered { id, event, f });
        *guard = Arc::new(list);
        self.counts[event.index()].fetch_add(1, Ordering::Release);
        id
    }

    /// Unregister the listener `id`; false when it was not registered.
    pub(crate) fn remove(&self, id: u64) -> bool {
        let mut guard = self.list.write();
        let Some(event) = guard.iter().find(|r| r.id == id).map(|r| r.event) else {
            return false;
        };
        let list: Vec<Registered<E, F>> = guard.iter().filter(|r| r.id != id).cloned().collect();
        *guard = Arc::new(list);
        self.counts[event.index()].fetch_sub(1, Ordering::Release);
        true
    }

    /// The listeners as registered now, in registration order.
    pub(crate) fn snapshot(&self) -> Arc<Vec<Registered<E, F>>> {
        self.list.read().clone()
    }
}
