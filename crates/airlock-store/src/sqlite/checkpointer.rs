//! WAL checkpoints mostly off the commit path. SQLite's automatic
//! checkpoint runs inside whichever commit pushes the WAL past 1,000
//! pages, and copies all of them into the database file there (two
//! thousand reads and writes, two `fsync`s): that commit, and every run
//! queued behind it in the group commit, waited for it (a p99 of 15-20 ms
//! at 100 requests/s in the gateway benchmark). This task runs a
//! `PASSIVE` checkpoint on its own connection every
//! [`CHECKPOINT_INTERVAL`], copying what writers left while they go on
//! appending, so the automatic checkpoint finds only the last moments'
//! frames to copy.
//!
//! Only a writer can make the WAL start over from its beginning, and only
//! when a checkpoint has caught up with every commit; under steady load
//! this task never does (commits keep coming while it syncs), and a
//! `RESTART` checkpoint from here held writers back for up to hundreds of
//! milliseconds while it waited for readers. SQLite's own answer, the
//! writer checkpointing itself inside a commit, syncs everything appended
//! since this task's last round: in the gateway benchmark at 2,000
//! requests/s (a commit every half millisecond, ~40 KB of WAL each with
//! 4 KB pages) those
//! commits took 5-25 ms, and every run queued behind them waited (commit
//! waits over 5 ms: 1.2-1.6 % of runs).
//!
//! So the two take turns. Once the WAL passes [`RESTART_AFTER_FRAMES`],
//! this task checkpoints again at once until a round is short (what it
//! leaves unsynced is then only what came during that round) and raises a
//! [`RestartSignal`]. The group committer, after answering its current
//! batch, checkpoints on its own connection: a few milliseconds' frames to
//! sync and copy, so its next transaction starts the WAL over. The
//! writer's automatic checkpoint stays as a backstop, past
//! `WRITER_AUTOCHECKPOINT_PAGES`, for when the turns do not happen (a
//! reader holding an old snapshot, this task stopped). Measured the same
//! way, the committer's checkpoints took 3-5 ms and commit waits over 5 ms
//! fell to 0.06-0.4 % of runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use airlock_core::Result;
use sqlx::sqlite::SqliteConnection;
use sqlx::Connection;
use tokio::sync::{oneshot, Mutex};
use tokio::task::JoinHandle;

use crate::sql_error::map_sqlx;

/// How often the WAL is checkpointed: short, so that what the writer's
/// own checkpoint still has to copy stays small; a checkpoint with
/// nothing new to copy costs one statement. Measured in the gateway
/// benchmark (p99 at 300 requests/s): none 25 ms, 100 ms 10 ms, 250 ms
/// 12 ms, 1 s no better than none; at 1,000 requests/s all were alike.
pub(crate) const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

/// WAL frames (pages) past which the WAL is made to start over: under half
/// a second at 2,000 requests/s (a gateway run writes about a dozen
/// frames); 32 MB of WAL with 4 KB pages, 8 MB with the 1 KB pages of a
/// database created now. In the benchmark, with 4 KB pages, 64 MB did no
/// better at that rate and 256 MB worse (p99 7-80 ms against 4-6); with
/// 1 KB pages, 32,768 frames made each restart take 16-27 ms instead of
/// 8-15 and was no better overall.
pub(crate) const RESTART_AFTER_FRAMES: i64 = 8_192;

/// A catch-up round this short leaves the committer little to sync.
const SHORT_ROUND: Duration = Duration::from_millis(5);

/// Catch-up rounds at most before the committer is asked anyway (each is
/// shorter than the one before, as it syncs only what came during it).
const MAX_CATCH_UP_ROUNDS: usize = 4;

/// Raised by the checkpointer when the WAL should start over; taken by the
/// group committer, which then checkpoints on its own connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct RestartSignal(Arc<AtomicBool>);

impl RestartSignal {
    fn raise(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether a restart was asked for since the last call.
    pub(crate) fn take(&self) -> bool {
        // A plain load first: the committer asks after every batch, and
        // the answer is nearly always no.
        self.0.load(Ordering::Acquire) && self.0.swap(false, Ordering::AcqRel)
    }
}

/// What one checkpoint did, as `PRAGMA wal_checkpoint` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checkpointed {
    /// Whether a writer or reader kept it from finishing.
    pub busy: bool,
    /// Frames in the WAL.
    pub wal_frames: i64,
    /// Frames of them now in the database file.
    pub checkpointed_frames: i64,
}

impl Checkpointed {
    /// From the pragma's row: `(busy, log frames, checkpointed frames)`.
    pub(crate) fn from_row((busy, wal_frames, checkpointed_frames): (i64, i64, i64)) -> Self {
        Checkpointed {
            busy: busy != 0,
            wal_frames,
            checkpointed_frames,
        }
    }
}

/// A checkpoint that copies what no reader still needs, waiting for no one.
pub(crate) const PASSIVE_CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";

/// Runs one [`PASSIVE_CHECKPOINT`] on `conn`.
pub(crate) async fn checkpoint(conn: &mut SqliteConnection) -> Result<Checkpointed> {
    sqlx::query_as(PASSIVE_CHECKPOINT)
        .fetch_one(conn)
        .await
        .map(Checkpointed::from_row)
        .map_err(|e| map_sqlx("checkpoint the WAL", e))
}

/// The background checkpoint task; stopped by [`Checkpointer::close`].
pub(crate) struct Checkpointer {
    running: Mutex<Option<(oneshot::Sender<()>, JoinHandle<()>)>>,
}

impl Checkpointer {
    /// Starts checkpointing through `conn` on the current runtime, raising
    /// `restart` when the WAL holds `restart_after` frames or more.
    pub(crate) fn start(
        conn: SqliteConnection,
        restart: RestartSignal,
        restart_after: i64,
    ) -> Self {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(conn, restart, restart_after, stopped));
        Checkpointer {
            running: Mutex::new(Some((stop, task))),
        }
    }

    /// Stops the task and closes its connection (idempotent).
    pub(crate) async fn close(&self) {
        if let Some((stop, task)) = self.running.lock().await.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
    }
}

async fn run(
    mut conn: SqliteConnection,
    restart: RestartSignal,
    restart_after: i64,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut ticks = tokio::time::interval(CHECKPOINT_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            _ = ticks.tick() => {
                match checkpoint(&mut conn).await {
                    Ok(done) if done.wal_frames >= restart_after => {
                        catch_up(&mut conn).await;
                        restart.raise();
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "WAL checkpoint failed; retrying later");
                    }
                }
            }
        }
    }
    if let Err(err) = conn.close().await {
        tracing::warn!(error = %err, "closing the SQLite checkpoint connection failed");
    }
}

/// Checkpoints again until a round is [`SHORT_ROUND`] or shorter (or
/// [`MAX_CATCH_UP_ROUNDS`] passed), so what the committer's checkpoint
/// still has to sync is only what came during the last one.
async fn catch_up(conn: &mut SqliteConnection) {
    for _ in 0..MAX_CATCH_UP_ROUNDS {
        let started = Instant::now();
        if let Err(err) = checkpoint(conn).await {
            tracing::warn!(error = %err, "WAL checkpoint failed; retrying later");
            return;
        }
        if started.elapsed() <= SHORT_ROUND {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use sqlx::ConnectOptions;

    async fn open(path: &std::path::Path, autocheckpoint: &str) -> SqliteConnection {
        SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .pragma("wal_autocheckpoint", autocheckpoint.to_string())
            .connect()
            .await
            .unwrap()
    }

    /// A connection that never checkpoints by itself, with a table `t`.
    async fn writer_with_table(path: &std::path::Path) -> SqliteConnection {
        let mut writer = open(path, "0").await;
        sqlx::query("CREATE TABLE t (v TEXT)")
            .execute(&mut writer)
            .await
            .unwrap();
        writer
    }

    #[tokio::test]
    async fn a_checkpoint_moves_what_writers_left_in_the_wal_into_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let mut writer = writer_with_table(&path).await;
        for i in 0..50 {
            sqlx::query("INSERT INTO t VALUES (?)")
                .bind(format!("row {i} {}", "x".repeat(500)))
                .execute(&mut writer)
                .await
                .unwrap();
        }
        let mut other = open(&path, "1000").await;
        let done = checkpoint(&mut other).await.unwrap();
        assert!(!done.busy, "{done:?}");
        assert!(done.wal_frames > 0, "the writer left frames: {done:?}");
        assert_eq!(done.checkpointed_frames, done.wal_frames, "{done:?}");
    }

    /// Frames in the WAL as a checkpoint from `conn` reports them.
    async fn wal_frames(conn: &mut SqliteConnection) -> i64 {
        checkpoint(conn).await.unwrap().wal_frames
    }

    #[tokio::test]
    async fn past_the_threshold_the_writer_is_asked_and_its_checkpoint_lets_the_wal_start_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("restart.db");
        let mut writer = writer_with_table(&path).await;
        let insert = |i: usize| format!("INSERT INTO t VALUES ('row {i} {}')", "x".repeat(3000));
        for i in 0..40 {
            sqlx::query(&insert(i)).execute(&mut writer).await.unwrap();
        }
        let restart = RestartSignal::default();
        assert!(
            !restart.take(),
            "nothing asked before the checkpointer runs"
        );
        let checkpointer = Checkpointer::start(open(&path, "0").await, restart.clone(), 30);
        let mut asked = false;
        for _ in 0..100 {
            if restart.take() {
                asked = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(asked, "a WAL of 40+ frames passes a threshold of 30");
        assert!(!restart.take(), "taking the signal lowers it");
        checkpointer.close().await;

        let before = wal_frames(&mut writer).await;
        assert!(before >= 40, "{before}");
        sqlx::query(&insert(40)).execute(&mut writer).await.unwrap();
        let after = wal_frames(&mut writer).await;
        assert!(
            after < 5,
            "the first write after a complete checkpoint starts the WAL over: {after} frames, {before} before"
        );
    }

    #[tokio::test]
    async fn a_short_wal_asks_for_no_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short.db");
        // Kept open for the test, as a writer would be.
        let _writer = writer_with_table(&path).await;
        let restart = RestartSignal::default();
        let checkpointer = Checkpointer::start(open(&path, "0").await, restart.clone(), 1_000);
        // The first tick is immediate; give it and one more time to run.
        tokio::time::sleep(CHECKPOINT_INTERVAL + Duration::from_millis(100)).await;
        checkpointer.close().await;
        assert!(!restart.take());
    }

    #[tokio::test]
    async fn closing_stops_the_task_and_can_be_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("c.db"), "0").await;
        let checkpointer = Checkpointer::start(conn, RestartSignal::default(), 1);
        checkpointer.close().await;
        checkpointer.close().await;
        assert!(checkpointer.running.lock().await.is_none());
    }
}
