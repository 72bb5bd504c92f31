//! Group commit: one writer task owns the only write connection. Callers
//! send records over a channel and wait; the task takes everything queued
//! (up to a maximum batch size), writes it in one transaction, commits
//! (one fsync at `fsync` durability) and only then answers every waiter.
//! While one batch commits the next one queues up, so the batch size grows
//! with the load by itself, with no timer.
//!
//! If a batch fails as a whole, each of its records is retried in its own
//! transaction so one bad record fails alone and the others still commit.
//!
//! A run may carry a new review task (and its webhook deliveries): they are
//! written in the same transaction as the run, only if the run itself was
//! created (not when its idempotency key was already taken).
//!
//! Every created run and quarantined input is appended to the audit chain
//! in the same transaction, after the batch's other writes (so the chain
//! head, which serialises writers, is locked for as short a time as
//! possible); plain audit events (denials, loads) ride along the same way.
//! Payload columns are encrypted here, on the caller's task, after the
//! audit event has taken their hashes.

use std::sync::Arc;
use std::time::Instant;

use airlock_core::{
    AuditEvent, AuditRecord, CommitPriority, Error, ErrorKind, QuarantineRecord, Result, RunRecord,
};
use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use crate::audit_events;
use crate::cipher::PayloadCipher;
use crate::codec::{QuarantineColumns, RunColumns};
use crate::group_commit_stats::GroupCommitStats;
use crate::metrics_names as m;
use crate::review_codec::NewReviewColumns;
use crate::traits::Inserted;

/// One record of a batch, borrowed for the backend to write.
pub(crate) enum Write<'a> {
    Run {
        run: &'a RunColumns,
        /// Written with the run, only if the run is created.
        review: Option<&'a NewReviewColumns>,
        /// Appended to the audit chain only if the run is created.
        audit: &'a AuditEvent,
    },
    Quarantine {
        record: &'a QuarantineColumns,
        audit: &'a AuditEvent,
    },
    Audit(&'a [AuditEvent]),
}

impl Write<'_> {
    /// The audit events this write appends, given how it went.
    pub(crate) fn audit_events<'s>(&'s self, outcome: &WriteOutcome) -> &'s [AuditEvent] {
        match (self, outcome) {
            (Write::Run { audit, .. }, WriteOutcome::RunCreated) => std::slice::from_ref(*audit),
            (Write::Quarantine { audit, .. }, _) => std::slice::from_ref(*audit),
            (Write::Audit(events), _) => events,
            _ => &[],
        }
    }
}

/// What the backend did with one record of a committed batch.
pub(crate) enum WriteOutcome {
    RunCreated,
    /// The run's idempotency key was taken; this is the stored run.
    RunExisting(Box<RunRecord>),
    QuarantineStored,
    AuditAppended(Vec<AuditRecord>),
}

/// The audit events a batch appends, in order, given each write's outcome.
pub(crate) fn batch_audit_events(
    writes: &[Write<'_>],
    outcomes: &[WriteOutcome],
) -> Vec<AuditEvent> {
    writes
        .iter()
        .zip(outcomes)
        .flat_map(|(write, outcome)| write.audit_events(outcome).iter().cloned())
        .collect()
}

/// Hands the records appended for a batch back to the writes that asked
/// for them (plain audit writes), in order.
pub(crate) fn assign_audit_records(
    writes: &[Write<'_>],
    outcomes: &mut [WriteOutcome],
    appended: Vec<AuditRecord>,
) {
    let mut appended = appended.into_iter();
    for (write, outcome) in writes.iter().zip(outcomes.iter_mut()) {
        let taken: Vec<AuditRecord> = appended
            .by_ref()
            .take(write.audit_events(outcome).len())
            .collect();
        if let (Write::Audit(_), WriteOutcome::AuditAppended(records)) = (write, outcome) {
            *records = taken;
        }
    }
}

/// A database connection that can write a batch in one transaction.
#[async_trait]
pub(crate) trait BatchWriter: Send + 'static {
    /// Writes every record in one transaction and commits it, returning one
    /// outcome per record in order. On `Err` nothing was committed.
    async fn write_batch(&mut self, writes: &[Write<'_>]) -> Result<Vec<WriteOutcome>>;

    /// Called after each batch is answered: upkeep that must not delay the
    /// batch's callers (SQLite checkpoints its WAL here when asked).
    async fn after_batch(&mut self) {}

    /// The connection's durability setting as the database reports it.
    async fn durability_setting(&mut self) -> Result<String>;

    /// Whether the writer blocks its thread (synchronous database calls),
    /// so the committer must run on a thread of its own rather than on a
    /// tokio worker.
    fn needs_own_thread(&self) -> bool {
        false
    }

    /// Closes the connection cleanly (SQLite checkpoints its WAL).
    async fn close(self: Box<Self>);
}

// Runs are nearly all the traffic and the channel's slots are allocated
// once, so boxing the big variant would only add an allocation per insert.
#[allow(clippy::large_enum_variant)]
enum Request {
    Run {
        run: RunRecord,
        columns: RunColumns,
        /// Boxed: plain runs carry only a null pointer.
        review: Option<Box<NewReviewColumns>>,
        audit: AuditEvent,
        reply: oneshot::Sender<Result<Inserted>>,
    },
    Quarantine {
        columns: QuarantineColumns,
        audit: AuditEvent,
        reply: oneshot::Sender<Result<()>>,
    },
    Audit {
        events: Vec<AuditEvent>,
        reply: oneshot::Sender<Result<Vec<AuditRecord>>>,
    },
    DurabilitySetting {
        reply: oneshot::Sender<Result<String>>,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
}

/// The callers' side of the writer task; cheap to clone.
#[derive(Clone)]
pub(crate) struct GroupCommitter {
    sender: mpsc::Sender<Request>,
    cipher: Arc<PayloadCipher>,
}

impl GroupCommitter {
    /// Starts the writer task on the current tokio runtime, or, for a
    /// writer that [needs its own thread](BatchWriter::needs_own_thread), on
    /// a thread of its own with a single-threaded runtime (the channels
    /// work across runtimes), scheduled at `priority`.
    pub(crate) fn spawn(
        writer: Box<dyn BatchWriter>,
        max_batch_size: usize,
        stats: Arc<GroupCommitStats>,
        cipher: Arc<PayloadCipher>,
        priority: CommitPriority,
    ) -> Result<Self> {
        let max_batch_size = max_batch_size.max(1);
        // Room for a few batches; beyond that callers wait (backpressure).
        let (sender, receiver) = mpsc::channel(max_batch_size.saturating_mul(4));
        if writer.needs_own_thread() {
            // Timers only: no I/O driver, so waiting for the next batch is
            // a futex wait rather than an epoll round.
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .map_err(|e| {
                    Error::internal(format!("cannot start the group committer's runtime: {e}"))
                })?;
            std::thread::Builder::new()
                .name("airlock-group-commit".to_string())
                .spawn(move || {
                    crate::commit_priority::apply_to_current_thread(priority);
                    runtime.block_on(run_writer(writer, receiver, max_batch_size, stats))
                })
                .map_err(|e| {
                    Error::internal(format!("cannot start the group committer's thread: {e}"))
                })?;
        } else {
            tokio::spawn(run_writer(writer, receiver, max_batch_size, stats));
        }
        Ok(GroupCommitter { sender, cipher })
    }

    /// Queues `run` (with its unredacted payload `raw`, if kept, and its
    /// new review task, if any) and waits until it is committed. The
    /// columns are encoded, hashed for the audit chain and encrypted here,
    /// on the caller's task, so the writer only writes.
    pub(crate) async fn insert_run(
        &self,
        run: RunRecord,
        raw: Option<String>,
        review: Option<NewReviewColumns>,
    ) -> Result<Inserted> {
        let mut columns = RunColumns::encode(&run)?;
        columns.raw_payload = raw;
        let audit = audit_events::run_recorded(&columns);
        let columns = columns.seal(&self.cipher)?;
        self.committed(|reply| Request::Run {
            run,
            columns,
            review: review.map(Box::new),
            audit,
            reply,
        })
        .await
    }

    /// Queues a quarantined input (with the input as received, `raw`, when
    /// redaction changed it) and waits until it is committed.
    pub(crate) async fn insert_quarantine(
        &self,
        record: QuarantineRecord,
        raw: Option<String>,
    ) -> Result<()> {
        let mut columns = QuarantineColumns::encode(&record)?;
        columns.raw_input = raw;
        let audit = audit_events::input_quarantined(&columns);
        let columns = columns.seal(&self.cipher)?;
        self.committed(|reply| Request::Quarantine {
            columns,
            audit,
            reply,
        })
        .await
    }

    /// Appends `events` to the audit chain and waits until they are committed.
    pub(crate) async fn append_audit(&self, events: Vec<AuditEvent>) -> Result<Vec<AuditRecord>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        self.committed(|reply| Request::Audit { events, reply })
            .await
    }

    pub(crate) async fn durability_setting(&self) -> Result<String> {
        let (reply, answer) = oneshot::channel();
        self.send(Request::DurabilitySetting { reply }).await?;
        answer.await.map_err(|_| writer_gone())?
    }

    /// Writes everything already queued, closes the write connection and
    /// returns; later writes fail with `Unavailable`.
    pub(crate) async fn shutdown(&self) {
        let (reply, answer) = oneshot::channel();
        if self.sender.send(Request::Shutdown { reply }).await.is_ok() {
            // An error means the task already ended, which is what we want.
            let _ = answer.await;
        }
    }

    /// Queues the record `request` makes and waits for its commit,
    /// reporting the wait in [`m::COMMIT_WAIT_SECONDS`].
    async fn committed<T>(
        &self,
        request: impl FnOnce(oneshot::Sender<Result<T>>) -> Request,
    ) -> Result<T> {
        let queued = Instant::now();
        let (reply, answer) = oneshot::channel();
        self.send(request(reply)).await?;
        let result = answer.await.map_err(|_| writer_gone())?;
        metrics::histogram!(m::COMMIT_WAIT_SECONDS).record(queued.elapsed().as_secs_f64());
        result
    }

    async fn send(&self, request: Request) -> Result<()> {
        self.sender.send(request).await.map_err(|_| {
            Error::new(ErrorKind::Unavailable, "the run store is closed")
                .with_hint("the store was shut down; restart Airlock")
        })
    }
}

fn writer_gone() -> Error {
    Error::internal(
        "the run store's writer stopped before answering; the write may or may not be committed",
    )
}

async fn run_writer(
    mut writer: Box<dyn BatchWriter>,
    mut receiver: mpsc::Receiver<Request>,
    max_batch_size: usize,
    stats: Arc<GroupCommitStats>,
) {
    let mut queued = Vec::with_capacity(max_batch_size);
    let mut shutdown_waiters = Vec::new();
    // After a shutdown request the channel is closed: `recv_many` keeps
    // returning what was already queued, then 0.
    while receiver.recv_many(&mut queued, max_batch_size).await > 0 {
        let mut records = Vec::with_capacity(queued.len());
        for request in queued.drain(..) {
            match request {
                Request::DurabilitySetting { reply } => {
                    let _ = reply.send(writer.durability_setting().await);
                }
                Request::Shutdown { reply } => {
                    receiver.close();
                    shutdown_waiters.push(reply);
                }
                record => records.push(record),
            }
        }
        if !records.is_empty() {
            commit(writer.as_mut(), records, &stats).await;
            writer.after_batch().await;
        }
    }
    writer.close().await;
    for waiter in shutdown_waiters {
        let _ = waiter.send(());
    }
}

/// Commits `records` as one batch, falling back to one transaction per
/// record if the batch fails, and answers every waiter.
async fn commit(writer: &mut dyn BatchWriter, records: Vec<Request>, stats: &GroupCommitStats) {
    let started = Instant::now();
    let outcome = {
        let writes: Vec<Write<'_>> = records.iter().filter_map(as_write).collect();
        writer.write_batch(&writes).await
    };
    match outcome {
        Ok(outcomes) if outcomes.len() == records.len() => {
            stats.record_batch(records.len(), started.elapsed());
            for (request, outcome) in records.into_iter().zip(outcomes) {
                answer(request, Ok(outcome));
            }
        }
        Ok(outcomes) => {
            let err = Error::internal(format!(
                "the database answered {} outcomes for a batch of {}",
                outcomes.len(),
                records.len()
            ));
            for request in records {
                answer(request, Err(err.clone()));
            }
        }
        Err(err) if records.len() == 1 => {
            for request in records {
                answer(request, Err(err.clone()));
            }
        }
        Err(err) => {
            tracing::warn!(
                batch = records.len(),
                error = %err,
                "group commit failed; retrying each record on its own"
            );
            for request in records {
                let started = Instant::now();
                let single = {
                    let writes: Vec<Write<'_>> = as_write(&request).into_iter().collect();
                    writer.write_batch(&writes).await
                };
                let result = single.and_then(|mut outcomes| {
                    outcomes.pop().ok_or_else(|| {
                        Error::internal("the database answered no outcome for a single record")
                    })
                });
                if result.is_ok() {
                    stats.record_batch(1, started.elapsed());
                }
                answer(request, result);
            }
        }
    }
}

/// Shared by both backends: an idempotent insert that changed no row must
/// find the run that holds its key.
pub(crate) fn existing_outcome(
    found: Result<Option<RunRecord>>,
    columns: &RunColumns,
) -> Result<WriteOutcome> {
    match found? {
        Some(run) => Ok(WriteOutcome::RunExisting(Box::new(run))),
        None => Err(airlock_core::Error::internal(format!(
            "inserting run {} changed no row, yet no run of `{}` has its idempotency key",
            columns.id, columns.workflow
        ))),
    }
}

fn as_write(request: &Request) -> Option<Write<'_>> {
    match request {
        Request::Run {
            columns,
            review,
            audit,
            ..
        } => Some(Write::Run {
            run: columns,
            review: review.as_deref(),
            audit,
        }),
        Request::Quarantine { columns, audit, .. } => Some(Write::Quarantine {
            record: columns,
            audit,
        }),
        Request::Audit { events, .. } => Some(Write::Audit(events)),
        Request::DurabilitySetting { .. } | Request::Shutdown { .. } => None,
    }
}

/// Sends one record's result to its waiter. A waiter that went away (its
/// caller was cancelled) is ignored: the record is committed regardless.
fn answer(request: Request, outcome: Result<WriteOutcome>) {
    match request {
        Request::Run { run, reply, .. } => {
            let result = outcome.and_then(|outcome| match outcome {
                WriteOutcome::RunCreated => Ok(Inserted::Created(Box::new(run))),
                WriteOutcome::RunExisting(existing) => Ok(Inserted::Existing(existing)),
                _ => Err(mismatch()),
            });
            let _ = reply.send(result);
        }
        Request::Quarantine { reply, .. } => {
            let result = outcome.and_then(|outcome| match outcome {
                WriteOutcome::QuarantineStored => Ok(()),
                _ => Err(mismatch()),
            });
            let _ = reply.send(result);
        }
        Request::Audit { reply, .. } => {
            let result = outcome.and_then(|outcome| match outcome {
                WriteOutcome::AuditAppended(records) => Ok(records),
                _ => Err(mismatch()),
            });
            let _ = reply.send(result);
        }
        Request::DurabilitySetting { .. } | Request::Shutdown { .. } => {}
    }
}

fn mismatch() -> Error {
    Error::internal("the database answered an outcome of another kind of record")
}
