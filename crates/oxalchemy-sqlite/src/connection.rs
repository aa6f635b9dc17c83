//! `SqliteConnection`: the async handle of one connection thread.

use crate::connection_thread::{Job, Spawned, TX_OPEN, TX_PENDING};
use crate::sql_scan::{TxControl, tx_control};
use oxalchemy_core::{
    BoxFuture, DriverConnection, Error, ExecuteManyError, QueryResult, Result, Value,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// One open SQLite connection, running on its own thread.
///
/// Every call sends a job to the thread and awaits the answer, so the futures
/// are `Send` and never block the async runtime. Dropping a future mid-call
/// does not interrupt the statement: the thread finishes it and the
/// connection stays consistent. Dropping the connection interrupts a running
/// statement (so a discarded connection releases its locks at once) and ends
/// the thread, closing SQLite's connection (an open transaction rolls back).
///
/// Obtained from [`SqliteDriver`](crate::SqliteDriver) through
/// [`Driver::connect`](oxalchemy_core::Driver::connect).
pub struct SqliteConnection {
    jobs: mpsc::Sender<Job>,
    stopped: Arc<AtomicBool>,
    interrupt: rusqlite::InterruptHandle,
    /// The thread's transaction state, published after every job.
    tx_state: Arc<AtomicU8>,
    /// Plain BEGIN / COMMIT / ROLLBACK that only touch the thread's lazy-BEGIN
    /// bookkeeping (no SQLite transaction is open): not worth a trip to the
    /// thread on their own, they go ahead of the next job (see `defer`).
    deferred: Vec<&'static str>,
    /// The thread's state once the deferred controls have run.
    mirror: u8,
}

impl Drop for SqliteConnection {
    fn drop(&mut self) {
        // A statement still running for a caller that has gone (a dropped
        // future whose connection the pool discarded) must not keep holding
        // the database's locks until it finishes.
        self.interrupt.interrupt();
    }
}

impl std::fmt::Debug for SqliteConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteConnection")
            .field("broken", &self.is_broken())
            .finish()
    }
}

fn thread_gone() -> Error {
    Error::operational(
        "the SQLite connection's thread has stopped (the connection was closed or its thread panicked); \
         discard this connection and open a new one",
        true,
    )
}

impl SqliteConnection {
    /// Wait until the thread has opened the database.
    pub(crate) async fn start(spawned: Spawned) -> Result<SqliteConnection> {
        let Spawned {
            jobs,
            ready,
            stopped,
            tx_state,
        } = spawned;
        let interrupt = ready.await.map_err(|_| thread_gone())??;
        Ok(SqliteConnection {
            jobs,
            stopped,
            interrupt,
            tx_state,
            deferred: Vec::new(),
            mirror: 0,
        })
    }

    /// Defer a plain transaction control statement when it cannot fail and
    /// SQLite itself has no transaction open (a read-only transaction under
    /// lazy BEGIN never opens one): the pool's BEGIN and its ROLLBACK after
    /// a read then cost no trip to the thread. True when deferred.
    fn defer(&mut self, sql: &str) -> bool {
        if self.mirror & TX_OPEN != 0 {
            return false; // COMMIT / ROLLBACK of a real transaction: run it now
        }
        let begun = self.deferred.last() == Some(&"BEGIN");
        match tx_control(sql) {
            Some(TxControl::DeferredBegin) if !begun && self.mirror & TX_PENDING == 0 => {
                self.deferred.push("BEGIN");
            }
            Some(TxControl::Commit | TxControl::Rollback) if begun => {
                // Nothing ran since the BEGIN: neither reaches the thread.
                self.deferred.pop();
            }
            Some(TxControl::Commit) if self.mirror & TX_PENDING != 0 => {
                self.deferred.push("COMMIT");
                self.mirror &= !TX_PENDING;
            }
            Some(TxControl::Rollback) => {
                // With a pending lazy BEGIN this clears it; without one there
                // is nothing to roll back (as the thread would answer).
                if self.mirror & TX_PENDING != 0 {
                    self.deferred.push("ROLLBACK");
                    self.mirror &= !TX_PENDING;
                }
            }
            _ => return false,
        }
        true
    }

    /// Send a job (after the deferred controls) and await its answer.
    async fn call<T>(&mut self, make: impl FnOnce(oneshot::Sender<Result<T>>) -> Job) -> Result<T> {
        for sql in self.deferred.drain(..) {
            if self.jobs.send(Job::Control { sql }).is_err() {
                self.stopped.store(true, Ordering::Release);
                return Err(thread_gone());
            }
        }
        let result = self.call_now(make).await;
        self.mirror = self.tx_state.load(Ordering::Acquire);
        result
    }

    async fn call_now<T>(&self, make: impl FnOnce(oneshot::Sender<Result<T>>) -> Job) -> Result<T> {
        let (reply, mut answer) = oneshot::channel();
        if self.jobs.send(make(reply)).is_err() {
            self.stopped.store(true, Ordering::Release);
            return Err(thread_gone());
        }
        if let Some(result) = spin_for_answer(&mut answer) {
            return result;
        }
        match answer.await {
            Ok(result) => result,
            Err(_) => {
                self.stopped.store(true, Ordering::Release);
                Err(thread_gone())
            }
        }
    }
}

/// How long a caller polls for the answer before its task parks. Most
/// SQLite statements finish in microseconds: waiting on-CPU for that long
/// saves parking and waking the runtime's thread (several microseconds each),
/// and costs at most this much CPU time when the statement is slow.
const SPIN_FOR_ANSWER: Duration = Duration::from_micros(20);

/// The answer if it arrives within [`SPIN_FOR_ANSWER`]; a closed channel is
/// left to the `await` that follows (which reports the stopped thread).
fn spin_for_answer<T>(answer: &mut oneshot::Receiver<Result<T>>) -> Option<Result<T>> {
    let start = Instant::now();
    loop {
        for _ in 0..32 {
            match answer.try_recv() {
                Ok(result) => return Some(result),
                Err(oneshot::error::TryRecvError::Closed) => return None,
                Err(oneshot::error::TryRecvError::Empty) => std::hint::spin_loop(),
            }
        }
        if start.elapsed() >= SPIN_FOR_ANSWER {
            return None;
        }
    }
}

impl DriverConnection for SqliteConnection {
    fn execute<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<QueryResult>> {
        Box::pin(async move {
            self.call(|reply| Job::Execute {
                sql: sql.to_owned(),
                params: params.to_vec(),
                reply,
            })
            .await
        })
    }

    /// The whole list runs as one job on the connection's thread: one hop
    /// there and back instead of one per parameter set. A thread that has
    /// stopped is reported as the failure of the first set (its connection
    /// closed, rolling back whatever the list had done).
    fn execute_many<'a>(
        &'a mut self,
        sql: &'a str,
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'a, Result<Vec<QueryResult>, ExecuteManyError>> {
        Box::pin(async move {
            self.call(|reply| Job::ExecuteMany {
                sql: sql.to_owned(),
                param_sets,
                reply,
            })
            .await
            .unwrap_or_else(|gone| Err(ExecuteManyError::new(Vec::new(), gone)))
        })
    }

    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if self.defer(sql) {
                return Ok(());
            }
            self.call(|reply| Job::Batch {
                sql: sql.to_owned(),
                reply,
            })
            .await
        })
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.call(|reply| Job::Execute {
                sql: "SELECT 1".to_owned(),
                params: Vec::new(),
                reply,
            })
            .await
            .map(|_| ())
        })
    }

    fn is_broken(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    fn close(self: Box<Self>) -> BoxFuture<'static, ()> {
        // A statement left running by a dropped future would delay the close
        // (and hold its locks) until it finished: interrupt it. On an idle
        // connection this does nothing.
        self.interrupt.interrupt();
        Box::pin(async move {
            let (reply, done) = oneshot::channel();
            if self.jobs.send(Job::Close { reply }).is_ok() {
                let _ = done.await;
            }
        })
    }
}
