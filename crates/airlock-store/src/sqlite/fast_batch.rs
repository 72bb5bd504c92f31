//! The group commit's common batch — runs without a review task, and plain
//! audit events — written synchronously with rusqlite. Through sqlx each
//! statement group is a round trip to the connection's own thread, and the
//! writer with its wake-ups was a third of the gateway's CPU in the
//! benchmark's profile; here a batch is a few prepared statements run on
//! the group committer's thread (which, for SQLite, is a thread of its
//! own: see [`crate::group_commit`]).
//!
//! Only the plain case commits here. A batch with anything else in it (a
//! review task, a quarantined input), a run whose idempotency key is taken,
//! and any error at all are rolled back and left to the sqlx writer in
//! [`super`], which reads the stored run, retries records one by one and
//! reports errors as everywhere else. Both connections write one database
//! under SQLite's one write lock (`BEGIN IMMEDIATE`), and only the
//! committer's thread uses either.

use std::path::{Path, PathBuf};

use airlock_core::{Durability, Error, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::checkpointer::{self, Checkpointed};
use super::{audit, runs, BUSY_TIMEOUT, WRITER_AUTOCHECKPOINT_PAGES};
use crate::audit_codec::AuditColumns;
use crate::group_commit::{assign_audit_records, batch_audit_events, Write, WriteOutcome};

/// The rusqlite write connection (opened on first use, and again after an
/// error dropped it) and its statements.
pub(super) struct FastBatch {
    path: PathBuf,
    synchronous: &'static str,
    conn: Option<Connection>,
    insert_run: String,
    insert_audit: String,
}

impl FastBatch {
    pub(super) fn new(path: &Path, durability: Durability) -> Self {
        FastBatch {
            path: path.to_path_buf(),
            synchronous: match durability {
                Durability::Fsync => "FULL",
                Durability::Process => "NORMAL",
            },
            conn: None,
            insert_run: format!(
                "INSERT INTO runs ({}) VALUES ({}) {}",
                runs::INSERT_COLUMNS,
                placeholders(runs::INSERT_COLUMNS),
                runs::ON_KEY_CONFLICT
            ),
            insert_audit: format!(
                "INSERT INTO audit_log ({}) VALUES ({})",
                audit::COLUMNS,
                placeholders(audit::COLUMNS)
            ),
        }
    }

    /// Commits `writes` and returns their outcomes, or `None` when the
    /// batch is not plain or could not be written here (nothing of it is
    /// committed then).
    pub(super) fn write(&mut self, writes: &[Write<'_>]) -> Option<Vec<WriteOutcome>> {
        if !writes.iter().all(is_plain) {
            return None;
        }
        if self.conn.is_none() {
            match open(&self.path, self.synchronous) {
                Ok(conn) => self.conn = Some(conn),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot open the SQLite batch connection; using sqlx");
                    return None;
                }
            }
        }
        let conn = self.conn.as_ref()?;
        let written = write_plain(conn, &self.insert_run, &self.insert_audit, writes);
        match written {
            Ok(Some(outcomes)) => Some(outcomes),
            Ok(None) => {
                if conn.execute_batch("ROLLBACK").is_err() {
                    self.conn = None;
                }
                None
            }
            Err(e) => {
                tracing::debug!(error = %e, "the fast batch path failed; the batch goes through sqlx");
                // Dropping the connection rolls back whatever it had open.
                self.conn = None;
                None
            }
        }
    }

    /// A `PASSIVE` checkpoint on this connection, or `None` when it is not
    /// open.
    pub(super) fn checkpoint(&mut self) -> Option<Result<Checkpointed>> {
        let conn = self.conn.as_ref()?;
        let done = conn
            .query_row(checkpointer::PASSIVE_CHECKPOINT, [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .map(Checkpointed::from_row)
            .map_err(sql("checkpoint the WAL"));
        Some(done)
    }

    /// Closes the connection (before the sqlx ones, so the last to close
    /// is the one that checkpoints the WAL away).
    pub(super) fn close(&mut self) {
        if let Some(conn) = self.conn.take() {
            if let Err((_, e)) = conn.close() {
                tracing::warn!(error = %e, "closing the SQLite batch connection failed");
            }
        }
    }
}

/// The write connection: waits for other writers' locks like the sqlx one,
/// syncs as the durability asks, checkpoints itself rarely (see
/// `checkpointer`).
fn open(path: &Path, synchronous: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", synchronous)?;
    conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)?;
    Ok(conn)
}

/// Runs without a review task and plain audit events.
fn is_plain(write: &Write<'_>) -> bool {
    match write {
        Write::Run { review, .. } => review.is_none(),
        Write::Audit(_) => true,
        Write::Quarantine { .. } => false,
    }
}

/// The batch in one transaction: `BEGIN IMMEDIATE`, each run's idempotent
/// insert, the chain head, the audit records and the new head, `COMMIT`.
/// `Ok(None)` when a run's idempotency key was taken (the transaction is
/// left open for the caller to roll back).
fn write_plain(
    conn: &Connection,
    insert_run: &str,
    insert_audit: &str,
    writes: &[Write<'_>],
) -> Result<Option<Vec<WriteOutcome>>> {
    // Every statement, `BEGIN` and `COMMIT` too, from the connection's
    // statement cache: `execute_batch` and `query_row` prepared theirs on
    // every batch, 7 % of the committer thread in the profile.
    execute_cached(conn, "BEGIN IMMEDIATE").map_err(sql("begin the batch"))?;
    let mut outcomes = Vec::with_capacity(writes.len());
    {
        let mut insert = conn.prepare_cached(insert_run).map_err(sql("prepare"))?;
        for write in writes {
            let Write::Run { run: c, .. } = write else {
                outcomes.push(WriteOutcome::AuditAppended(Vec::new()));
                continue;
            };
            let created: Option<String> = insert
                .query_row(
                    params![
                        c.id,
                        c.workflow,
                        c.workflow_version,
                        c.input,
                        c.steps,
                        c.output,
                        c.decision,
                        c.rule,
                        c.confidence,
                        c.models,
                        c.status,
                        c.error,
                        c.idempotency_key,
                        c.created_at_ms,
                        c.latency_us,
                        c.release_id,
                        c.review_id,
                        c.key_id,
                        c.request_sha256,
                        c.purged_at_ms,
                        c.raw_payload,
                        c.cost_micro_usd,
                    ],
                    |row| row.get(0),
                )
                .optional()
                .map_err(sql("insert a run"))?;
            if created.is_none() {
                return Ok(None);
            }
            outcomes.push(WriteOutcome::RunCreated);
        }
    }
    let (seq, hash): (i64, String) = conn
        .prepare_cached(audit::SELECT_HEAD)
        .and_then(|mut head| head.query_row([], |row| Ok((row.get(0)?, row.get(1)?))))
        .map_err(sql("read the audit chain head"))?;
    let head = crate::audit_append::head_from(seq, hash)?;
    let events = batch_audit_events(writes, &outcomes);
    let appended = crate::audit_append::link_all(&events, &head)?;
    {
        let mut insert = conn.prepare_cached(insert_audit).map_err(sql("prepare"))?;
        for record in &appended {
            let c = AuditColumns::encode(record)?;
            insert
                .execute(params![
                    c.seq,
                    c.id,
                    c.at_ms,
                    c.event,
                    c.actor,
                    c.subject,
                    c.workflow,
                    c.details,
                    c.prev_hash,
                    c.hash,
                ])
                .map_err(sql("append to the audit log"))?;
        }
    }
    if let Some(last) = appended.last() {
        let seq = crate::codec::to_i64(last.seq, "seq")?;
        conn.prepare_cached(audit::UPDATE_HEAD)
            .and_then(|mut update| update.execute(params![seq, last.hash]))
            .map_err(sql("move the audit chain head"))?;
    }
    execute_cached(conn, "COMMIT").map_err(sql("commit the batch"))?;
    assign_audit_records(writes, &mut outcomes, appended);
    Ok(Some(outcomes))
}

/// Runs a statement without parameters or rows through the cache.
fn execute_cached(conn: &Connection, statement: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(statement)?.execute([])
}

/// One `?` per column of a comma-separated column list.
fn placeholders(columns: &str) -> String {
    vec!["?"; columns.split(',').count()].join(", ")
}

fn sql(action: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| Error::internal(format!("cannot {action} on SQLite: {e}"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use airlock_core::{
        AuditEvent, AuditEventKind, Decision, RunId, RunRecord, RunStatus, Timestamp,
    };
    use serde_json::json;

    use super::*;
    use crate::audit_events;
    use crate::cipher::PayloadCipher;
    use crate::codec::RunColumns;

    fn run(idempotency_key: Option<&str>) -> RunColumns {
        let record = RunRecord {
            id: RunId::new(),
            workflow: "triage".into(),
            workflow_version: "v1".into(),
            input: json!({"message": "hello"}),
            steps: vec![],
            output: Some(json!({"reply": "hi"})),
            decision: Decision::Auto,
            rule: None,
            confidence: None,
            models: vec![],
            status: RunStatus::Completed,
            error: None,
            idempotency_key: idempotency_key.map(str::to_string),
            created_at: Timestamp::now(),
            latency_us: 5,
            release_id: None,
            review_id: None,
            key_id: None,
            request_hash: None,
            purged_at: None,
            cost_micro_usd: None,
        };
        RunColumns::encode(&record).unwrap()
    }

    /// `(runs, audit records, head seq)` as another connection sees them.
    fn counts(path: &Path) -> (i64, i64, i64) {
        let conn = Connection::open(path).unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |row| row.get(0)).unwrap();
        (
            count("SELECT COUNT(*) FROM runs"),
            count("SELECT COUNT(*) FROM audit_log"),
            count("SELECT seq FROM audit_head WHERE id = 1"),
        )
    }

    fn batch<'a>(runs: &'a [(RunColumns, AuditEvent)], plain: &'a [AuditEvent]) -> Vec<Write<'a>> {
        let mut writes: Vec<Write<'a>> = runs
            .iter()
            .map(|(run, audit)| Write::Run {
                run,
                review: None,
                audit,
            })
            .collect();
        if !plain.is_empty() {
            writes.push(Write::Audit(plain));
        }
        writes
    }

    fn with_audit(run: RunColumns) -> (RunColumns, AuditEvent) {
        let audit = audit_events::run_recorded(&run);
        (run, audit)
    }

    #[tokio::test]
    async fn commits_plain_batches_and_leaves_the_rest_with_nothing_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fast.db");
        // Migrated, as the store opens it (its connections stay open).
        let _open = crate::sqlite::connect(
            &path,
            Durability::Process,
            1,
            Arc::new(PayloadCipher::plaintext()),
        )
        .await
        .unwrap();
        let start = counts(&path);
        let mut fast = FastBatch::new(&path, Durability::Process);

        let runs = [with_audit(run(Some("k1"))), with_audit(run(None))];
        let denial = [AuditEvent::new(
            AuditEventKind::AccessDenied,
            "key:k",
            "workflow:triage",
            json!({}),
        )];
        let outcomes = fast.write(&batch(&runs, &denial)).unwrap();
        assert!(matches!(outcomes[0], WriteOutcome::RunCreated));
        assert!(matches!(outcomes[1], WriteOutcome::RunCreated));
        match &outcomes[2] {
            WriteOutcome::AuditAppended(records) => assert_eq!(records.len(), 1),
            _ => panic!("the audit write has no records"),
        }
        assert_eq!(counts(&path), (start.0 + 2, start.1 + 3, start.2 + 3));

        // A taken idempotency key: declined, the new run beside it rolled back.
        let retry = [with_audit(run(None)), with_audit(run(Some("k1")))];
        assert!(fast.write(&batch(&retry, &[])).is_none());
        assert_eq!(counts(&path), (start.0 + 2, start.1 + 3, start.2 + 3));

        // A failing statement (a duplicate run id): declined, nothing kept,
        // and the next batch commits on a fresh connection.
        let mut same_id = run(None);
        same_id.id = runs[1].0.id.clone();
        let duplicate = [with_audit(same_id)];
        assert!(fast.write(&batch(&duplicate, &[])).is_none());
        assert!(fast.conn.is_none());
        let next = [with_audit(run(None))];
        assert!(fast.write(&batch(&next, &[])).is_some());
        assert_eq!(counts(&path), (start.0 + 3, start.1 + 4, start.2 + 4));
        fast.close();
    }
}
