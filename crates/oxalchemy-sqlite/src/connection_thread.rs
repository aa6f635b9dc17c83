//! The dedicated thread behind each connection: it owns the SQLite
//! connection and runs jobs sent over a channel, one at a time.

use crate::open::{OpenSpec, open};
use crate::worker::{TxJob, Worker};
use oxalchemy_core::{
    Error, ExecuteManyError, QueryResult, Result, Statement, StatementKind, Value,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Work for a connection thread. Each job answers through its oneshot; when the
/// caller has gone (its future was dropped) the job still runs to the end and
/// the answer is discarded, so the connection's state stays consistent. When
/// the connection itself is dropped, its running statement is interrupted.
pub(crate) enum Job {
    /// Run one statement and fetch its rows.
    Execute {
        stmt: Statement,
        reply: oneshot::Sender<Result<QueryResult>>,
    },
    /// Run one statement once per parameter set, stopping at the first error
    /// (reported with the results of the sets before it). The outer `Ok`
    /// always holds: the job has no failure of its own.
    ExecuteMany {
        sql: Arc<str>,
        kind: StatementKind,
        param_sets: Vec<Vec<Value>>,
        reply: oneshot::Sender<Result<Result<Vec<QueryResult>, ExecuteManyError>>>,
    },
    /// Run SQL without parameters or results.
    Batch {
        sql: String,
        reply: oneshot::Sender<Result<()>>,
    },
    /// A transaction command.
    Transaction {
        command: TxJob,
        reply: oneshot::Sender<Result<()>>,
    },
    /// A plain begin, commit or rollback deferred by the caller (see
    /// `SqliteConnection`): it only changes the thread's lazy-BEGIN
    /// bookkeeping, so it cannot fail and needs no answer.
    Control { command: TxJob },
    /// Close the connection and end the thread.
    Close { reply: oneshot::Sender<()> },
}

/// The transaction state of a connection thread as last published: bit 0, a
/// deferred BEGIN is pending; bit 1, SQLite has a transaction open.
pub(crate) const TX_PENDING: u8 = 1;
/// See [`TX_PENDING`].
pub(crate) const TX_OPEN: u8 = 2;

/// Sets the shared `stopped` flag when the thread ends, however it ends
/// (a panic included).
struct StoppedOnDrop(Arc<AtomicBool>);

impl Drop for StoppedOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// A running connection thread.
pub(crate) struct Spawned {
    /// Where to send jobs.
    pub jobs: mpsc::Sender<Job>,
    /// Answers once the connection is open (or failed to open), with the
    /// handle that interrupts its running statement from another thread.
    pub ready: oneshot::Receiver<Result<rusqlite::InterruptHandle>>,
    /// True once the thread has ended.
    pub stopped: Arc<AtomicBool>,
    /// The thread's transaction state ([`TX_PENDING`], [`TX_OPEN`]), published after every job.
    pub tx_state: Arc<AtomicU8>,
}

/// Start a thread that opens a connection per `spec` and serves jobs until
/// told to close or until every sender is dropped.
pub(crate) fn spawn(spec: OpenSpec) -> Result<Spawned> {
    static THREAD_NUMBER: AtomicU64 = AtomicU64::new(1);
    let (jobs, job_rx) = mpsc::channel::<Job>();
    let (ready_tx, ready) = oneshot::channel();
    let stopped = Arc::new(AtomicBool::new(false));
    let tx_state = Arc::new(AtomicU8::new(0));
    let published = Arc::clone(&tx_state);
    let guard = StoppedOnDrop(Arc::clone(&stopped));
    let n = THREAD_NUMBER.fetch_add(1, Ordering::Relaxed);
    std::thread::Builder::new()
        .name(format!("oxalchemy-sqlite-{n}"))
        .spawn(move || {
            let _guard = guard;
            let worker = match open(&spec) {
                Ok(conn) => {
                    let _ = ready_tx.send(Ok(conn.get_interrupt_handle()));
                    Worker::new(conn, spec.lazy_begin)
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            serve(worker, &job_rx, &published);
        })
        .map_err(|e| {
            Error::operational(
                format!("cannot start a SQLite connection thread: {e}"),
                true,
            )
        })?;
    Ok(Spawned {
        jobs,
        ready,
        stopped,
        tx_state,
    })
}

/// How long a connection thread keeps polling for the next job before it
/// parks. A caller running statements back to back sends the next one within
/// microseconds; catching it on-CPU saves the futex wake-up of this thread,
/// which costs more than the statement itself on small queries.
const SPIN_BEFORE_PARK: Duration = Duration::from_micros(50);

/// The next job: polled for [`SPIN_BEFORE_PARK`], then waited for.
fn next_job(jobs: &mpsc::Receiver<Job>) -> Option<Job> {
    let start = Instant::now();
    loop {
        for _ in 0..64 {
            match jobs.try_recv() {
                Ok(job) => return Some(job),
                Err(mpsc::TryRecvError::Disconnected) => return None,
                Err(mpsc::TryRecvError::Empty) => std::hint::spin_loop(),
            }
        }
        if start.elapsed() >= SPIN_BEFORE_PARK {
            return jobs.recv().ok();
        }
    }
}

fn serve(mut worker: Worker, jobs: &mpsc::Receiver<Job>, tx_state: &AtomicU8) {
    // The state is published before each answer: the caller reads it as
    // soon as the answer arrives.
    let publish = |worker: &Worker| tx_state.store(worker.tx_state(), Ordering::Release);
    while let Some(job) = next_job(jobs) {
        match job {
            Job::Control { command } => {
                let outcome = worker.transaction(&command);
                debug_assert!(outcome.is_ok(), "deferred {command:?} failed: {outcome:?}");
                publish(&worker);
            }
            Job::Transaction { command, reply } => {
                let result = worker.transaction(&command);
                publish(&worker);
                let _ = reply.send(result);
            }
            Job::Execute { stmt, reply } => {
                let result = worker.execute(stmt.sql(), stmt.params(), stmt.kind());
                publish(&worker);
                let _ = reply.send(result);
            }
            Job::ExecuteMany {
                sql,
                kind,
                param_sets,
                reply,
            } => {
                let result = execute_many(&mut worker, &sql, kind, &param_sets);
                publish(&worker);
                let _ = reply.send(Ok(result));
            }
            Job::Batch { sql, reply } => {
                let result = worker.execute_batch(&sql);
                publish(&worker);
                let _ = reply.send(result);
            }
            Job::Close { reply } => {
                // Closing rolls back an open transaction.
                let _ = worker.into_connection().close();
                let _ = reply.send(());
                return;
            }
        }
    }
    // Every sender dropped: the connection closes (rolling back) as `worker` drops.
}

/// Run `sql` once per set, in order, until one fails.
fn execute_many(
    worker: &mut Worker,
    sql: &str,
    kind: StatementKind,
    param_sets: &[Vec<Value>],
) -> Result<Vec<QueryResult>, ExecuteManyError> {
    let mut out = Vec::with_capacity(param_sets.len());
    for params in param_sets {
        match worker.execute(sql, params, kind) {
            Ok(result) => out.push(result),
            Err(error) => return Err(ExecuteManyError::new(out, error)),
        }
    }
    Ok(out)
}
