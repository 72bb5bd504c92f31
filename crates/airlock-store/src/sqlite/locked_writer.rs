//! A second SQLite write connection for read-modify-write transactions
//! that cannot go through the group committer (it only appends records):
//! `update_review` reads a task, lets the caller decide and writes the
//! change, all under SQLite's write lock.
//!
//! Writers are serialised twice: in this process by an async mutex around
//! the connection, and across processes (and against the group committer's
//! own connection) by `BEGIN IMMEDIATE`, which takes the database's write
//! lock before the first read, waiting up to the busy timeout for it. So
//! what such a transaction reads cannot change before it commits.

use airlock_core::{Error, ErrorKind, Result};
use sqlx::sqlite::SqliteConnection;
use sqlx::Connection;
use tokio::sync::{Mutex, MutexGuard};

use crate::sql_error::map_sqlx;

/// The dedicated connection; `None` once closed.
pub(crate) struct LockedWriter {
    conn: Mutex<Option<SqliteConnection>>,
}

/// Exclusive use of the dedicated connection; begin the transaction with
/// [`LockedConnection::begin_immediate`].
pub(crate) struct LockedConnection<'a> {
    guard: MutexGuard<'a, Option<SqliteConnection>>,
}

impl LockedWriter {
    pub(super) fn new(conn: SqliteConnection) -> Self {
        LockedWriter {
            conn: Mutex::new(Some(conn)),
        }
    }

    /// Waits for the connection (other tasks of this process using it).
    pub(crate) async fn lock(&self) -> Result<LockedConnection<'_>> {
        let guard = self.conn.lock().await;
        if guard.is_none() {
            return Err(closed());
        }
        Ok(LockedConnection { guard })
    }

    /// Closes the connection; later [`LockedWriter::lock`] calls fail with
    /// `unavailable`.
    pub(crate) async fn close(&self) {
        if let Some(conn) = self.conn.lock().await.take() {
            if let Err(err) = conn.close().await {
                tracing::warn!(error = %err, "closing the SQLite locking connection failed");
            }
        }
    }
}

impl LockedConnection<'_> {
    /// `BEGIN IMMEDIATE`: holds the database's write lock from the start,
    /// so nothing read in the transaction can change before it commits.
    /// Dropping the transaction without committing rolls it back.
    pub(crate) async fn begin_immediate(&mut self) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>> {
        let conn = self.guard.as_mut().ok_or_else(closed)?;
        conn.begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| map_sqlx("begin a locking transaction", e))
    }
}

fn closed() -> Error {
    Error::new(ErrorKind::Unavailable, "the run store is closed")
        .with_hint("the store was shut down; restart Airlock")
}
