//! Converts audit records and checkpoints to and from the column values
//! both backends store (timestamps as Unix milliseconds, `seq` as a signed
//! 64-bit integer).

use airlock_core::{AuditCheckpoint, AuditRecord, Error, Result, Timestamp};
use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::codec::{corrupt, to_i64};
use crate::sql_error::map_sqlx;

/// One `audit_log` row as plain values.
pub(crate) struct AuditColumns {
    pub seq: i64,
    pub id: String,
    pub at_ms: i64,
    pub event: String,
    pub actor: String,
    pub subject: String,
    pub workflow: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditColumns {
    pub(crate) fn encode(r: &AuditRecord) -> Result<Self> {
        Ok(AuditColumns {
            seq: to_i64(r.seq, "seq")?,
            id: r.id.clone(),
            at_ms: r.at.unix_ms(),
            event: r.event.clone(),
            actor: r.actor.clone(),
            subject: r.subject.clone(),
            workflow: r.workflow.clone(),
            details: r.details.clone(),
            prev_hash: r.prev_hash.clone(),
            hash: r.hash.clone(),
        })
    }

    pub(crate) fn decode(self) -> Result<AuditRecord> {
        let name = format!("seq {}", self.seq);
        let seq = u64::try_from(self.seq).map_err(|_| {
            corrupt(
                "audit_log",
                &name,
                "seq",
                Error::internal("negative sequence number"),
            )
        })?;
        Ok(AuditRecord {
            seq,
            at: Timestamp::from_unix_ms(self.at_ms)
                .map_err(|e| corrupt("audit_log", &name, "at", e))?,
            id: self.id,
            event: self.event,
            actor: self.actor,
            subject: self.subject,
            workflow: self.workflow,
            details: self.details,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }

    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read an audit record", e);
        Ok(AuditColumns {
            seq: row.try_get("seq").map_err(get)?,
            id: row.try_get("id").map_err(get)?,
            at_ms: row.try_get("at_ms").map_err(get)?,
            event: row.try_get("event").map_err(get)?,
            actor: row.try_get("actor").map_err(get)?,
            subject: row.try_get("subject").map_err(get)?,
            workflow: row.try_get("workflow").map_err(get)?,
            details: row.try_get("details").map_err(get)?,
            prev_hash: row.try_get("prev_hash").map_err(get)?,
            hash: row.try_get("hash").map_err(get)?,
        })
    }
}

/// One `audit_checkpoints` row as plain values.
pub(crate) struct CheckpointColumns {
    pub seq: i64,
    pub hash: String,
    pub at_ms: i64,
    pub key_id: String,
    pub signature: String,
}

impl CheckpointColumns {
    pub(crate) fn encode(c: &AuditCheckpoint) -> Result<Self> {
        Ok(CheckpointColumns {
            seq: to_i64(c.seq, "seq")?,
            hash: c.hash.clone(),
            at_ms: c.at.unix_ms(),
            key_id: c.key_id.clone(),
            signature: c.signature.clone(),
        })
    }

    pub(crate) fn decode(self) -> Result<AuditCheckpoint> {
        let name = format!("seq {}", self.seq);
        Ok(AuditCheckpoint {
            seq: u64::try_from(self.seq).map_err(|_| {
                corrupt(
                    "audit_checkpoints",
                    &name,
                    "seq",
                    Error::internal("negative"),
                )
            })?,
            at: Timestamp::from_unix_ms(self.at_ms)
                .map_err(|e| corrupt("audit_checkpoints", &name, "at", e))?,
            hash: self.hash,
            key_id: self.key_id,
            signature: self.signature,
        })
    }

    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read an audit checkpoint", e);
        Ok(CheckpointColumns {
            seq: row.try_get("seq").map_err(get)?,
            hash: row.try_get("hash").map_err(get)?,
            at_ms: row.try_get("at_ms").map_err(get)?,
            key_id: row.try_get("key_id").map_err(get)?,
            signature: row.try_get("signature").map_err(get)?,
        })
    }
}
