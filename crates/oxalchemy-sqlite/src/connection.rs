//! `SqliteConnection`: the async handle of one connection thread.

use crate::connection_thread::{Job, Spawned, TX_OPEN, TX_PENDING};
use crate::worker::TxJob;
use oxalchemy_core::{
    BoxFuture, DriverConnection, Error, ExecuteManyError, QueryResult, Result, Statement,
    StatementKind, TxOptions, Value,
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
    /// Plain begin / commit / rollback that only touch the thread's lazy-BEGIN
    /// bookkeeping (no SQLite transaction is open): not worth a trip to the
    /// thread on their own, they go ahead of the next job (see `defer`).
    deferred: Vec<TxJob>,
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

    /// Defer a plain begin / commit / rollback when it cannot fail and
    /// SQLite itself has no transaction open (a read-only transaction under
    /// lazy BEGIN never opens one): the pool's begin and its rollback after
    /// a read then cost no trip to the thread. True when deferred.
    fn defer(&mut self, command: &TxJob) -> bool {
        const PLAIN_BEGIN: TxJob = TxJob::Begin(TxOptions {
            isolation: None,
            read_only: false,
        });
        if self.mirror & TX_OPEN != 0 {
            return false; // commit / rollback of a real transaction: run it now
        }
        let begun = self.deferred.last() == Some(&PLAIN_BEGIN);
        match command {
            TxJob::Begin(options)
                if options.is_default() && !begun && self.mirror & TX_PENDING == 0 =>
            {
                self.deferred.push(PLAIN_BEGIN);
            }
            TxJob::Commit | TxJob::Rollback if begun => {
                // Nothing ran since the begin: neither reaches the thread.
                self.deferred.pop();
            }
            TxJob::Commit if self.mirror & TX_PENDING != 0 => {
                self.deferred.push(TxJob::Commit);
                self.mirror &= !TX_PENDING;
            }
            TxJob::Rollback => {
                // With a pending lazy BEGIN this clears it; without one there
                // is nothing to roll back (as the thread would answer).
                if self.mirror & TX_PENDING != 0 {
                    self.deferred.push(TxJob::Rollback);
                    self.mirror &= !TX_PENDING;
                }
            }
            _ => return false,
        }
        true
    }

    /// Run a transaction command: deferred when it can be, else as a job.
    async fn transaction(&mut self, command: TxJob) -> Result<()> {
        if self.defer(&command) {
            return Ok(());
        }
        self.call(|reply| Job::Transaction { command, reply }).await
    }

    /// Send a job (after the deferred controls) and await its answer.
    async fn call<T>(&mut self, make: impl FnOnce(oneshot::Sender<Result<T>>) -> Job) -> Result<T> {
        for command in self.deferred.drain(..) {
            if self.jobs.send(Job::Control { command }).is_err() {
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
    /// The statement moves to the connection's thread as it is: no copy of
    /// its SQL or parameters.
    fn execute(&mut self, stmt: Statement) -> BoxFuture<'_, Result<QueryResult>> {
        Box::pin(async move { self.call(|reply| Job::Execute { stmt, reply }).await })
    }

    /// The whole list runs as one job on the connection's thread: one hop
    /// there and back instead of one per parameter set. A thread that has
    /// stopped is reported as the failure of the first set (its connection
    /// closed, rolling back whatever the list had done).
    fn execute_many(
        &mut self,
        sql: Arc<str>,
        kind: StatementKind,
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'_, Result<Vec<QueryResult>, ExecuteManyError>> {
        Box::pin(async move {
            self.call(|reply| Job::ExecuteMany {
                sql,
                kind,
                param_sets,
                reply,
            })
            .await
            .unwrap_or_else(|gone| Err(ExecuteManyError::new(Vec::new(), gone)))
        })
    }

    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.call(|reply| Job::Batch {
                sql: sql.to_owned(),
                reply,
            })
            .await
        })
    }

    /// A plain begin under lazy BEGIN costs no trip to the thread (it goes
    /// ahead of the next job). SQLite runs every transaction SERIALIZABLE:
    /// that level begins at once (the reads form one snapshot), the others
    /// are refused; read only switches `PRAGMA query_only` on until the end.
    fn begin(&mut self, options: TxOptions) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.transaction(TxJob::Begin(options)))
    }

    fn commit(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.transaction(TxJob::Commit))
    }

    fn rollback(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.transaction(TxJob::Rollback))
    }

    fn savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.transaction(TxJob::Savepoint(name.to_owned())))
    }

    fn release_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.transaction(TxJob::ReleaseSavepoint(name.to_owned())))
    }

    fn rollback_to_savepoint<'a>(&'a mut self, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.transaction(TxJob::RollbackToSavepoint(name.to_owned())))
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.call(|reply| Job::Execute {
                stmt: Statement::with_kind("SELECT 1", Vec::new(), StatementKind::Query),
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
