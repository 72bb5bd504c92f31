//! The PostgreSQL backend: one write connection owned by the group
//! committer and a pool of read connections.
//!
//! Durability maps to `synchronous_commit`, set on the write connection's
//! session: `on` for `fsync` (COMMIT returns once the WAL is flushed to the
//! server's disk, and to synchronous standbys if the server has them) and
//! `off` for `process` (COMMIT returns once the server has the transaction;
//! the WAL is flushed within a few hundred milliseconds). With `off`, a
//! crash of Airlock loses nothing acknowledged; a crash of the PostgreSQL
//! server or its machine can lose the last acknowledged transactions, though
//! never leaves the database inconsistent. Both levels rely on the server
//! itself running with `fsync = on`, which Airlock cannot check for you.

pub(crate) mod audit;
pub(crate) mod feedback;
pub(crate) mod keys;
pub(crate) mod outbox;
mod pooled_begin;
pub(crate) mod quality;
mod quarantine;
mod review;
pub(crate) mod runs;
pub(crate) mod usage;

use std::str::FromStr;
use std::time::Duration;

use std::sync::Arc;

use airlock_core::{Durability, Error, Result};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

use crate::cipher::PayloadCipher;
use crate::connect_url::redact;
use crate::group_commit::{
    assign_audit_records, batch_audit_events, BatchWriter, Write, WriteOutcome,
};
use crate::sql_error::map_sqlx;

pub(crate) use quarantine::list as list_quarantine;
pub(crate) use review::{get as get_review, list as list_reviews, update as update_review};
pub(crate) use runs::{find_by_idempotency_key, get, list};

/// How long a read waits for a free pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to the server at `url`, migrates the schema and returns the
/// writer and the read pool.
pub(crate) async fn connect(
    url: &str,
    durability: Durability,
    read_pool_size: u32,
    cipher: Arc<PayloadCipher>,
) -> Result<(Box<dyn BatchWriter>, PgPool)> {
    let shown = redact(url);
    let base = PgConnectOptions::from_str(url)
        .map_err(|e| {
            Error::invalid_config(format!("database URL `{shown}` is not valid: {e}"))
                .with_field("database_url")
                .with_hint("write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        })?
        .application_name("airlock");
    let synchronous_commit = match durability {
        Durability::Fsync => "on",
        Durability::Process => "off",
    };
    let mut conn = base
        .clone()
        .options([("synchronous_commit", synchronous_commit)])
        .connect()
        .await
        .map_err(|e| map_sqlx(&format!("connect to {shown}"), e))?;
    crate::migrations::run(crate::migrations::POSTGRES, &mut conn).await?;
    let pool = PgPoolOptions::new()
        .max_connections(read_pool_size.max(1))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(base)
        .await
        .map_err(|e| map_sqlx(&format!("open read connections to {shown}"), e))?;
    Ok((Box::new(PgWriter { conn, cipher }), pool))
}

/// The single write connection.
struct PgWriter {
    conn: PgConnection,
    cipher: Arc<PayloadCipher>,
}

#[async_trait]
impl BatchWriter for PgWriter {
    async fn write_batch(&mut self, writes: &[Write<'_>]) -> Result<Vec<WriteOutcome>> {
        let mut tx = self
            .conn
            .begin()
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
        let events = batch_audit_events(writes, &outcomes);
        let appended = audit::append(&mut tx, &events).await?;
        assign_audit_records(writes, &mut outcomes, appended);
        tx.commit().await.map_err(|e| map_sqlx("commit runs", e))?;
        Ok(outcomes)
    }

    async fn durability_setting(&mut self) -> Result<String> {
        let value: String = sqlx::query_scalar("SHOW synchronous_commit")
            .fetch_one(&mut self.conn)
            .await
            .map_err(|e| map_sqlx("read synchronous_commit", e))?;
        Ok(format!("synchronous_commit={value}"))
    }

    async fn close(self: Box<Self>) {
        if let Err(err) = self.conn.close().await {
            tracing::warn!(error = %err, "closing the PostgreSQL write connection failed");
        }
    }
}
