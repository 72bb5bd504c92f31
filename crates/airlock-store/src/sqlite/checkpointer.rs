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
//! The automatic checkpoint stays on the writer because only it can make
//! the WAL start over from its beginning: that needs a checkpoint that
//! caught up with every commit, which under steady load only the (only)
//! writer's own, right after its commit, does. Without it the WAL grew
//! without end (860 MB in a minute of the benchmark); a `RESTART`
//! checkpoint from here instead held writers back for up to hundreds of
//! milliseconds while it waited for readers. But the writer's comes only
//! past `WRITER_AUTOCHECKPOINT_PAGES` (16,384 pages, 64 MB of WAL), not
//! SQLite's 1,000, which at 2,000 requests/s the WAL passed several times
//! a second between two runs of this task.

use std::time::Duration;

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

/// Runs one `PASSIVE` checkpoint on `conn`: copies what no reader still
/// needs, waiting for no one.
pub(crate) async fn checkpoint(conn: &mut SqliteConnection) -> Result<Checkpointed> {
    let (busy, wal_frames, checkpointed_frames): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(conn)
            .await
            .map_err(|e| map_sqlx("checkpoint the WAL", e))?;
    Ok(Checkpointed {
        busy: busy != 0,
        wal_frames,
        checkpointed_frames,
    })
}

/// The background checkpoint task; stopped by [`Checkpointer::close`].
pub(crate) struct Checkpointer {
    running: Mutex<Option<(oneshot::Sender<()>, JoinHandle<()>)>>,
}

impl Checkpointer {
    /// Starts checkpointing through `conn` on the current runtime.
    pub(crate) fn start(conn: SqliteConnection) -> Self {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(conn, stopped));
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

async fn run(mut conn: SqliteConnection, mut stopped: oneshot::Receiver<()>) {
    let mut ticks = tokio::time::interval(CHECKPOINT_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            _ = ticks.tick() => {
                if let Err(err) = checkpoint(&mut conn).await {
                    tracing::warn!(error = %err, "WAL checkpoint failed; retrying later");
                }
            }
        }
    }
    if let Err(err) = conn.close().await {
        tracing::warn!(error = %err, "closing the SQLite checkpoint connection failed");
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

    #[tokio::test]
    async fn a_checkpoint_moves_what_writers_left_in_the_wal_into_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let mut writer = open(&path, "0").await;
        sqlx::query("CREATE TABLE t (v TEXT)")
            .execute(&mut writer)
            .await
            .unwrap();
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

    #[tokio::test]
    async fn closing_stops_the_task_and_can_be_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("c.db"), "0").await;
        let checkpointer = Checkpointer::start(conn);
        checkpointer.close().await;
        checkpointer.close().await;
        assert!(checkpointer.running.lock().await.is_none());
    }
}
