//! The SQLite backend: one write connection owned by the group committer,
//! a second one for locking read-modify-write transactions
//! ([`LockedWriter`]) and a small pool of read connections, on a WAL-mode
//! database file.
//!
//! Durability maps to `PRAGMA synchronous` on both write connections:
//! `FULL` for `fsync` (every commit syncs the WAL to disk: survives power
//! loss) and `NORMAL` for `process` (commits reach the WAL in the OS page
//! cache and are synced at checkpoints: they survive a crash of Airlock,
//! whose writes the kernel still holds, but the last ones may be lost on
//! power loss or an OS crash; the database stays consistent either way).

pub(crate) mod audit;
pub(crate) mod feedback;
pub(crate) mod keys;
mod locked_writer;
pub(crate) mod outbox;
pub(crate) mod quality;
mod quarantine;
mod review;
pub(crate) mod runs;
pub(crate) mod usage;

use std::path::Path;
use std::time::Duration;

use std::sync::Arc;

use airlock_core::{AuditEvent, Durability, Error, Result};
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

use crate::cipher::PayloadCipher;
use crate::group_commit::{assign_audit_records, BatchWriter, Write, WriteOutcome};
use crate::sql_error::map_sqlx;

pub(crate) use locked_writer::LockedWriter;
pub(crate) use quarantine::list as list_quarantine;
pub(crate) use review::{get as get_review, list as list_reviews, update as update_review};
pub(crate) use runs::{find_by_idempotency_key, get, list};

/// How long a connection waits for a lock (a checkpoint, another process)
/// before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating if needed) the database at `path`, migrates it and
/// returns its group-commit writer, its read pool and the dedicated
/// connection for locking read-modify-write transactions.
pub(crate) async fn connect(
    path: &Path,
    durability: Durability,
    read_pool_size: u32,
    cipher: Arc<PayloadCipher>,
) -> Result<(Box<dyn BatchWriter>, SqlitePool, LockedWriter)> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(parent, "create the database directory", e))?;
    }
    let shown = path.display().to_string();
    let base = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(BUSY_TIMEOUT);
    let synchronous = match durability {
        Durability::Fsync => SqliteSynchronous::Full,
        Durability::Process => SqliteSynchronous::Normal,
    };
    let write_options = base.clone().synchronous(synchronous);
    let mut conn = write_options
        .clone()
        .create_if_missing(true)
        .connect()
        .await
        .map_err(|e| {
            map_sqlx(&format!("open the SQLite database {shown}"), e).with_field(shown.clone())
        })?;
    crate::migrations::run(crate::migrations::SQLITE, &mut conn).await?;
    let locking = write_options
        .connect()
        .await
        .map_err(|e| map_sqlx(&format!("open a second write connection to {shown}"), e))?;
    let pool = SqlitePoolOptions::new()
        .max_connections(read_pool_size.max(1))
        .connect_with(base)
        .await
        .map_err(|e| map_sqlx(&format!("open read connections to {shown}"), e))?;
    Ok((
        Box::new(SqliteWriter { conn, cipher }),
        pool,
        LockedWriter::new(locking),
    ))
}

/// The single write connection.
struct SqliteWriter {
    conn: SqliteConnection,
    cipher: Arc<PayloadCipher>,
}

#[async_trait]
impl BatchWriter for SqliteWriter {
    async fn write_batch(&mut self, writes: &[Write<'_>]) -> Result<Vec<WriteOutcome>> {
        // IMMEDIATE: the write lock from the start, so the audit chain
        // head read inside cannot go stale (another connection or process
        // writing first would otherwise fail this transaction at its first
        // write instead of making it wait).
        let mut tx = self
            .conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| map_sqlx("begin a transaction", e))?;
        let mut outcomes = Vec::with_capacity(writes.len());
        for write in writes {
            let outcome = match write {
                Write::Run { run, review, .. } => {
                    let outcome = runs::insert(&mut tx, run, &self.cipher).await?;
                    if let (WriteOutcome::RunCreated, Some(review)) = (&outcome, review) {
                        review::insert_new(&mut tx, review).await?;
                    }
                    outcome
                }
                Write::Quarantine { record, .. } => quarantine::insert(&mut tx, record).await?,
                Write::Audit(_) => WriteOutcome::AuditAppended(Vec::new()),
            };
            outcomes.push(outcome);
        }
        // Last, so the chain head (locked by the append) is held briefly.
        let events: Vec<AuditEvent> = writes
            .iter()
            .zip(&outcomes)
            .flat_map(|(write, outcome)| write.audit_events(outcome).iter().cloned())
            .collect();
        let appended = audit::append(&mut tx, &events).await?;
        assign_audit_records(writes, &mut outcomes, appended);
        tx.commit().await.map_err(|e| map_sqlx("commit runs", e))?;
        Ok(outcomes)
    }

    async fn durability_setting(&mut self) -> Result<String> {
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| map_sqlx("read PRAGMA synchronous", e))?;
        let name = match level {
            0 => "off",
            1 => "normal",
            2 => "full",
            3 => "extra",
            _ => "unknown",
        };
        Ok(format!("synchronous={name}"))
    }

    async fn close(self: Box<Self>) {
        if let Err(err) = self.conn.close().await {
            tracing::warn!(error = %err, "closing the SQLite write connection failed");
        }
    }
}
