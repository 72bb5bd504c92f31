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
mod checkpointer;
mod fast_batch;
pub(crate) mod feedback;
mod key_reader;
pub(crate) mod keys;
mod locked_writer;
pub(crate) mod outbox;
pub(crate) mod quality;
mod quarantine;
mod review;
pub(crate) mod runs;
pub(crate) mod usage;

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use std::sync::Arc;

use airlock_core::{Durability, Error, Result};
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, QueryBuilder, Row, Sqlite};

use crate::cipher::PayloadCipher;
use crate::codec::RunColumns;
use crate::group_commit::{
    assign_audit_records, batch_audit_events, BatchWriter, Write, WriteOutcome,
};
use crate::sql_error::map_sqlx;

pub(crate) use checkpointer::Checkpointer;
use checkpointer::RestartSignal;
pub(crate) use key_reader::KeyReader;
pub(crate) use locked_writer::LockedWriter;
pub(crate) use quarantine::list as list_quarantine;
pub(crate) use review::{get as get_review, list as list_reviews, update as update_review};
pub(crate) use runs::{find_by_idempotency_key, get, list};

/// How long a connection waits for a lock (a checkpoint, another process)
/// before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating if needed) the database at `path`, migrates it and
/// returns its group-commit writer, its read pool, the dedicated
/// connection for locking read-modify-write transactions and the WAL
/// checkpointer.
pub(crate) async fn connect(
    path: &Path,
    durability: Durability,
    read_pool_size: u32,
    cipher: Arc<PayloadCipher>,
) -> Result<Connected> {
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
    // The writer's own automatic checkpoint runs inside a commit (and
    // syncs the WAL and the database file there); the background
    // checkpointer copies the frames off the commit path and the committer
    // checkpoints between batches when asked, so the writer's is only a
    // backstop: see `checkpointer`.
    let writer_options = write_options.clone().pragma(
        "wal_autocheckpoint",
        WRITER_AUTOCHECKPOINT_PAGES.to_string(),
    );
    let mut conn = writer_options
        .clone()
        .create_if_missing(true)
        // Only this first connection can be the one that makes the file.
        .page_size(NEW_DATABASE_PAGE_SIZE)
        .connect()
        .await
        .map_err(|e| {
            map_sqlx(&format!("open the SQLite database {shown}"), e).with_field(shown.clone())
        })?;
    crate::migrations::run(crate::migrations::SQLITE, &mut conn).await?;
    let locking = writer_options
        .connect()
        .await
        .map_err(|e| map_sqlx(&format!("open a second write connection to {shown}"), e))?;
    // No ping before each acquire: a connection to a local file cannot go
    // stale the way a network connection can, and the ping was a second
    // round trip to the connection's thread on every read (a key check
    // per request).
    let pool = SqlitePoolOptions::new()
        .max_connections(read_pool_size.max(1))
        .test_before_acquire(false)
        .connect_with(base)
        .await
        .map_err(|e| map_sqlx(&format!("open read connections to {shown}"), e))?;
    let checkpointing = write_options
        .connect()
        .await
        .map_err(|e| map_sqlx(&format!("open the checkpoint connection to {shown}"), e))?;
    let restart = RestartSignal::default();
    Ok(Connected {
        writer: Box::new(SqliteWriter {
            conn,
            cipher,
            fast: fast_batch::FastBatch::new(path, durability),
            restart: restart.clone(),
        }),
        pool,
        locked: LockedWriter::new(locking),
        checkpointer: Checkpointer::start(
            checkpointing,
            restart,
            checkpointer::RESTART_AFTER_FRAMES,
        ),
        keys: KeyReader::new(path),
    })
}

/// An open SQLite database: the group committer's connection, the read
/// pool, the locking connection, the background checkpointer and the
/// synchronous key reader.
pub(crate) struct Connected {
    pub writer: Box<dyn BatchWriter>,
    pub pool: SqlitePool,
    pub locked: LockedWriter,
    pub checkpointer: Checkpointer,
    pub keys: KeyReader,
}

/// The page size of a database this creates (an existing file keeps its
/// own: SQLite fixes it when the first table is made). A WAL commit writes
/// every page it touched in full, and a gateway call's run touches about a
/// dozen (the runs table and its four indexes, the audit log and its
/// three, the chain head) for ~1.6 KB of rows: 4 KB pages (SQLite's
/// default) made that ~49 KB of WAL per run, the disk's bandwidth the
/// bottleneck at 2,000 runs/s; 1 KB pages write a quarter of it. Rows
/// longer than a page spill into overflow pages, so big payloads cost the
/// same bytes either way.
const NEW_DATABASE_PAGE_SIZE: u32 = 1024;

/// WAL pages after which the writer checkpoints itself inside a commit,
/// a backstop: the committer's own checkpoints, when the background
/// checkpointer asks (past `checkpointer::RESTART_AFTER_FRAMES`, a quarter
/// of this), keep the WAL shorter. SQLite's default of 1,000 came several
/// times a second at 2,000 requests/s, each a stall of the group commit
/// with two `fsync`s in it.
const WRITER_AUTOCHECKPOINT_PAGES: u32 = 32_768;

/// Runs (and audit records) per statement group of a batch.
const CHUNK: usize = 8;

/// The group committer's connections: rusqlite for plain batches
/// ([`fast_batch`]), sqlx for everything else.
struct SqliteWriter {
    conn: SqliteConnection,
    cipher: Arc<PayloadCipher>,
    fast: fast_batch::FastBatch,
    /// Raised when the committer should checkpoint so the WAL starts over.
    restart: RestartSignal,
}

impl SqliteWriter {
    /// A batch in two round trips to the connection's thread when it
    /// holds fewer than [`CHUNK`] runs (each statement would be one: a
    /// batch of one run took six), and one more per further [`CHUNK`] runs
    /// and per [`CHUNK`] audit records. First `BEGIN IMMEDIATE` (the write
    /// lock from the start, so the audit chain head read inside cannot go
    /// stale: another connection or process writing first makes this one
    /// wait instead of failing at its first write), the idempotent inserts
    /// of the runs beyond the whole chunks and the chain head; then each
    /// whole chunk of runs. Review tasks, quarantined inputs and runs whose
    /// idempotency key was taken take their own statements. Last the audit
    /// records of what was created, by chunks, the new head and the commit.
    ///
    /// Chunks of one size keep the query texts few: sqlx keeps a prepared
    /// statement per text, and one text per batch size held a prepared
    /// INSERT per run of every size, over a gigabyte in the benchmark.
    async fn write_batch_in_transaction(
        &mut self,
        writes: &[Write<'_>],
    ) -> Result<Vec<WriteOutcome>> {
        let runs: Vec<&RunColumns> = writes
            .iter()
            .filter_map(|write| match write {
                Write::Run { run, .. } => Some(*run),
                _ => None,
            })
            .collect();
        let (first_runs, chunked_runs) = runs.split_at(runs.len() % CHUNK);
        let mut first: QueryBuilder<Sqlite> = QueryBuilder::new("BEGIN IMMEDIATE; ");
        for run in first_runs {
            runs::push_insert(&mut first, run);
        }
        first.push(audit::SELECT_HEAD);
        let mut rows = first
            .build()
            .fetch_all(&mut self.conn)
            .await
            .map_err(|e| map_sqlx("insert runs", e))?;
        let head_row = rows
            .pop()
            .ok_or_else(|| Error::internal("the audit chain head row is missing"))?;
        let head = audit::head_from_row(&head_row)?;
        let mut created_rows = rows;
        for chunk in chunked_runs.chunks(CHUNK) {
            let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("");
            for run in chunk {
                runs::push_insert(&mut query, run);
            }
            created_rows.extend(
                query
                    .build()
                    .fetch_all(&mut self.conn)
                    .await
                    .map_err(|e| map_sqlx("insert runs", e))?,
            );
        }
        let created: HashSet<String> = created_rows
            .iter()
            .map(|row| row.try_get::<String, _>("id"))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| map_sqlx("read the ids of the inserted runs", e))?;

        let mut outcomes = Vec::with_capacity(writes.len());
        for write in writes {
            let outcome = match write {
                Write::Run { run, review, .. } => {
                    if created.contains(&run.id) {
                        if let Some(review) = review {
                            review::insert_new(&mut self.conn, review).await?;
                        }
                        WriteOutcome::RunCreated
                    } else {
                        runs::existing(&mut self.conn, run, &self.cipher).await?
                    }
                }
                Write::Quarantine { record, .. } => {
                    quarantine::insert(&mut self.conn, record).await?
                }
                Write::Audit(_) => WriteOutcome::AuditAppended(Vec::new()),
            };
            outcomes.push(outcome);
        }

        let events = batch_audit_events(writes, &outcomes);
        let appended = crate::audit_append::link_all(&events, &head)?;
        let (chunked_records, last_records) =
            appended.split_at(appended.len() - appended.len() % CHUNK);
        for chunk in chunked_records.chunks(CHUNK) {
            let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("");
            audit::push_rows(&mut query, chunk)?;
            query
                .build()
                .execute(&mut self.conn)
                .await
                .map_err(|e| map_sqlx("append to the audit log", e))?;
        }
        let mut last: QueryBuilder<Sqlite> = QueryBuilder::new("");
        audit::push_rows(&mut last, last_records)?;
        if let Some(new_head) = appended.last() {
            audit::push_head(&mut last, new_head)?;
        }
        last.push("COMMIT");
        last.build()
            .execute(&mut self.conn)
            .await
            .map_err(|e| map_sqlx("commit runs", e))?;
        assign_audit_records(writes, &mut outcomes, appended);
        Ok(outcomes)
    }
}

#[async_trait]
impl BatchWriter for SqliteWriter {
    async fn write_batch(&mut self, writes: &[Write<'_>]) -> Result<Vec<WriteOutcome>> {
        if let Some(outcomes) = self.fast.write(writes) {
            return Ok(outcomes);
        }
        let written = self.write_batch_in_transaction(writes).await;
        if written.is_err() {
            // Leave no transaction open behind a failed batch (an error
            // here only says none was open any more).
            let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
        }
        written
    }

    /// When the background checkpointer asked, checkpoints on the batch
    /// connection (the sqlx one if that is not open): it has caught up, so
    /// little is left to sync, and once every frame is in the database file
    /// the next transaction starts the WAL over.
    async fn after_batch(&mut self) {
        if !self.restart.take() {
            return;
        }
        let started = std::time::Instant::now();
        let done = match self.fast.checkpoint() {
            Some(done) => done,
            None => checkpointer::checkpoint(&mut self.conn).await,
        };
        match done {
            Ok(done) => tracing::debug!(
                wal_frames = done.wal_frames,
                checkpointed_frames = done.checkpointed_frames,
                busy = done.busy,
                micros = started.elapsed().as_micros() as u64,
                "committer checkpointed the WAL"
            ),
            Err(err) => tracing::warn!(error = %err, "the committer's WAL checkpoint failed"),
        }
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

    /// The batch connection blocks while it writes (and syncs, at `fsync`
    /// durability), which must not hold a tokio worker.
    fn needs_own_thread(&self) -> bool {
        true
    }

    async fn close(mut self: Box<Self>) {
        self.fast.close();
        if let Err(err) = self.conn.close().await {
            tracing::warn!(error = %err, "closing the SQLite write connection failed");
        }
    }
}
