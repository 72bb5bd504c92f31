//! API key lookups on the caller's own thread. Every request reads its key
//! from the database (a key revoked by another process, `airlock keys
//! revoke`, must fail the very next request), and a query through sqlx's
//! SQLite driver is a round trip to that connection's thread: two thread
//! wake-ups per request, about a tenth of the gateway's CPU in the
//! benchmark's profile. This reader runs the one point lookup synchronously
//! with rusqlite instead, on connections of its own: tens of microseconds,
//! and in WAL mode readers never wait for the writer.
//!
//! It never waits for a lock either (no busy timeout): if the database is
//! busy anyway (another process recovering the WAL, say), or anything else
//! goes wrong here, the lookup answers `None` and the caller takes the
//! async pool, whose errors are the ones reported. So a tokio worker is
//! never held by a lock.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use airlock_core::{ApiKeyRecord, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};

use super::keys::SELECT_BY_ID;
use crate::key_codec::KeyColumns;

/// Idle connections kept; more are opened while more lookups run at once
/// (at most one per tokio worker), and closed after.
const MAX_IDLE: usize = 4;

/// Synchronous reads of `api_keys`.
pub(crate) struct KeyReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl KeyReader {
    /// A reader of the database at `path` (connections open on first use).
    pub(crate) fn new(path: &Path) -> Self {
        KeyReader {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The key `id` (`Some(Ok(None))`: no such key), or `None` when it
    /// could not be read here at once and the caller should use the pool.
    pub(crate) fn get(&self, id: &str) -> Option<Result<Option<ApiKeyRecord>>> {
        let conn = match self.take() {
            Ok(conn) => conn,
            Err(e) => {
                tracing::debug!(error = %e, "no synchronous key reader; using the pool");
                return None;
            }
        };
        let read = read_key(&conn, id);
        match read {
            Ok(columns) => {
                self.give_back(conn);
                Some(columns.map(KeyColumns::decode).transpose())
            }
            Err(e) => {
                // Busy or broken: the connection is dropped, the pool answers.
                tracing::debug!(error = %e, key = id, "synchronous key read failed; using the pool");
                None
            }
        }
    }

    fn take(&self) -> rusqlite::Result<Connection> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(conn) => Ok(conn),
            None => open(&self.path),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }
}

/// A connection that only reads and never waits for a lock.
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::ZERO)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

fn read_key(conn: &Connection, id: &str) -> rusqlite::Result<Option<KeyColumns>> {
    conn.prepare_cached(SELECT_BY_ID)?
        .query_row([id], key_columns)
        .optional()
}

fn key_columns(row: &Row<'_>) -> rusqlite::Result<KeyColumns> {
    Ok(KeyColumns {
        id: row.get("id")?,
        name: row.get("name")?,
        role: row.get("role")?,
        workflows: row.get("workflows")?,
        secret_sha256: row.get("secret_sha256")?,
        created_at_ms: row.get("created_at_ms")?,
        created_by: row.get("created_by")?,
        expires_at_ms: row.get("expires_at_ms")?,
        revoked_at_ms: row.get("revoked_at_ms")?,
        revoked_by: row.get("revoked_by")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(dir: &Path) -> PathBuf {
        let path = dir.join("keys.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
               workflows TEXT, secret_sha256 TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
               created_by TEXT NOT NULL, expires_at_ms INTEGER, revoked_at_ms INTEGER,
               revoked_by TEXT);
             INSERT INTO api_keys VALUES ('k1', 'bench', 'app', '[\"triage\"]', 'ab', 1000,
               'cli', NULL, 2000, 'cli');",
        )
        .unwrap();
        path
    }

    #[test]
    fn reads_a_key_and_reports_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let reader = KeyReader::new(&database(dir.path()));
        let key = reader.get("k1").unwrap().unwrap().unwrap();
        assert_eq!(key.name, "bench");
        assert_eq!(key.revoked_by.as_deref(), Some("cli"));
        assert!(key.revoked_at.is_some());
        assert!(reader.get("k2").unwrap().unwrap().is_none());
        // The connection went back to the idle list and is reused.
        assert_eq!(reader.idle.lock().unwrap().len(), 1);
        assert!(reader.get("k1").unwrap().unwrap().is_some());
        assert_eq!(reader.idle.lock().unwrap().len(), 1);
    }

    #[test]
    fn sees_a_change_committed_by_another_connection_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = database(dir.path());
        let reader = KeyReader::new(&path);
        assert!(reader.get("k1").unwrap().unwrap().is_some());
        Connection::open(&path)
            .unwrap()
            .execute("DELETE FROM api_keys WHERE id = 'k1'", [])
            .unwrap();
        assert!(reader.get("k1").unwrap().unwrap().is_none());
    }

    #[test]
    fn leaves_the_lookup_to_the_pool_when_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let reader = KeyReader::new(&dir.path().join("missing.db"));
        assert!(reader.get("k1").is_none());
        let path = database(dir.path());
        Connection::open(&path)
            .unwrap()
            .execute_batch("DROP TABLE api_keys")
            .unwrap();
        assert!(KeyReader::new(&path).get("k1").is_none());
    }

    #[test]
    fn a_corrupt_row_is_an_error_not_a_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let path = database(dir.path());
        Connection::open(&path)
            .unwrap()
            .execute("UPDATE api_keys SET role = 'emperor'", [])
            .unwrap();
        assert!(KeyReader::new(&path).get("k1").unwrap().is_err());
    }
}
