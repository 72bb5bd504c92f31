//! The tamper-evident audit log's records: what happened ([`AuditEvent`],
//! handed to the store with the change it records), the stored chain link
//! ([`AuditRecord`], which commits to its predecessor's hash) and signed
//! [`AuditCheckpoint`]s. [`chain_hash`] is the one definition of a record's
//! hash; `audit_verify` checks a whole chain with it.
//!
//! The hash is SHA-256 over every field, each written with its length
//! first, so no two different records encode to the same bytes (a field
//! cannot borrow bytes from its neighbour), after the predecessor's hash.
//! Payloads are never in the log, only their hashes, so a record still
//! verifies after retention purged the payload it describes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};
use ulid::Ulid;

use crate::{Error, Result, Timestamp};

ulid_id!(
    /// Identifies one audit record.
    AuditId,
    "audit_id"
);

word_enum!(
    /// What an audit record records.
    AuditEventKind,
    "event",
    {
        /// A workflow run was committed (any decision, any status).
        RunRecorded => "run.recorded",
        /// An input that broke its contract was quarantined.
        InputQuarantined => "input.quarantined",
        /// A reviewer claimed (or renewed a claim on) a review task.
        ReviewClaimed => "review.claimed",
        /// A reviewer released their claim.
        ReviewReleased => "review.released",
        /// A reviewer voted; when the vote decides, `review.resolved` follows.
        ReviewVoted => "review.voted",
        /// A review task was finally decided.
        ReviewResolved => "review.resolved",
        /// Feedback was attached to a run.
        FeedbackAdded => "feedback.added",
        /// An API key was created.
        KeyCreated => "key.created",
        /// An API key was revoked.
        KeyRevoked => "key.revoked",
        /// A key signed in to the dashboard (a session cookie was issued).
        SessionStarted => "session.started",
        /// A dashboard session was signed out.
        SessionEnded => "session.ended",
        /// A server started with a configuration.
        ConfigLoaded => "config.loaded",
        /// A server started serving a workflow version.
        WorkflowLoaded => "workflow.loaded",
        /// A policy set was loaded (at start or on reload).
        PolicyLoaded => "policy.loaded",
        /// A request was refused by authorization.
        AccessDenied => "access.denied",
        /// Retention removed stored payloads.
        PayloadsPurged => "payloads.purged",
    }
);

/// The predecessor hash of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Something to record, as the caller describes it; the store numbers it,
/// links it to the chain and stamps its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub event: AuditEventKind,
    pub at: Timestamp,
    /// Who did it: `key:<id> (<name>, <role>)`, or `system`.
    pub actor: String,
    /// What it was done to: `run:<id>`, `review:<id>`, `key:<id>`,
    /// `workflow:<name>`, `config`, `policy`, or the request for a denial.
    pub subject: String,
    pub workflow: Option<String>,
    /// Small facts (decision, rule, payload hashes, reason): never raw
    /// payloads.
    pub details: Value,
}

impl AuditEvent {
    /// An event at the current time.
    pub fn new(
        event: AuditEventKind,
        actor: impl Into<String>,
        subject: impl Into<String>,
        details: Value,
    ) -> Self {
        AuditEvent {
            event,
            at: Timestamp::now(),
            actor: actor.into(),
            subject: subject.into(),
            workflow: None,
            details,
        }
    }

    pub fn with_workflow(mut self, workflow: impl Into<String>) -> Self {
        self.workflow = Some(workflow.into());
        self
    }

    pub fn at(mut self, at: Timestamp) -> Self {
        self.at = at;
        self
    }
}

/// The actor of what Airlock does by itself.
pub const SYSTEM_ACTOR: &str = "system";

/// One link of the chain as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// 1, 2, 3, … with no gaps.
    pub seq: u64,
    /// A ULID (kept as text: verification hashes what is stored, valid
    /// or not).
    pub id: String,
    pub at: Timestamp,
    /// An [`AuditEventKind`] word (text, like `id`).
    pub event: String,
    pub actor: String,
    pub subject: String,
    pub workflow: Option<String>,
    /// The details exactly as hashed (JSON text).
    pub details: String,
    /// The hash of record `seq - 1` ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// [`chain_hash`] of this record.
    pub hash: String,
}

impl AuditRecord {
    /// Links `event` after a record with `prev_seq` and `prev_hash`.
    pub fn link(event: &AuditEvent, prev_seq: u64, prev_hash: &str) -> Result<AuditRecord> {
        let details = serde_json::to_string(&event.details)
            .map_err(|e| Error::internal(format!("audit details do not serialise: {e}")))?;
        let mut record = AuditRecord {
            seq: prev_seq + 1,
            id: AuditId::new().to_string(),
            at: event.at,
            event: event.event.as_str().to_string(),
            actor: event.actor.clone(),
            subject: event.subject.clone(),
            workflow: event.workflow.clone(),
            details,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        record.hash = chain_hash(&record);
        Ok(record)
    }

    /// The details as JSON (`null` if the stored text does not parse, which
    /// verification reports anyway as an altered record).
    pub fn details_json(&self) -> Value {
        serde_json::from_str(&self.details).unwrap_or(Value::Null)
    }

    /// `seq N (id, event at time)`: how reports name a record.
    pub fn describe(&self) -> String {
        format!(
            "record {} ({}, {} at {})",
            self.seq, self.id, self.event, self.at
        )
    }
}

/// The hash a record must carry: SHA-256 over its predecessor's hash and
/// every field but `hash`, each length-prefixed, as lowercase hex.
pub fn chain_hash(record: &AuditRecord) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(b"airlock-audit-v1");
    field(record.prev_hash.as_bytes());
    field(&record.seq.to_le_bytes());
    field(record.id.as_bytes());
    field(&record.at.unix_ms().to_le_bytes());
    field(record.event.as_bytes());
    field(record.actor.as_bytes());
    field(record.subject.as_bytes());
    match &record.workflow {
        Some(workflow) => {
            field(b"1");
            field(workflow.as_bytes());
        }
        None => field(b"0"),
    }
    field(record.details.as_bytes());
    hex::encode(hasher.finalize())
}

/// A signed statement that the chain had `hash` at `seq` at time `at`.
/// Checkpoints make truncation and wholesale rewriting detectable: an
/// attacker who can write the database cannot sign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditCheckpoint {
    pub seq: u64,
    pub hash: String,
    pub at: Timestamp,
    /// Identifies the signing key: the first 16 hex digits of the SHA-256
    /// of its public key.
    pub key_id: String,
    /// Ed25519 signature over [`AuditCheckpoint::signed_bytes`], hex.
    pub signature: String,
}

impl AuditCheckpoint {
    /// The exact bytes that are signed.
    pub fn signed_bytes(seq: u64, hash: &str, at: Timestamp) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(128);
        for field in [
            b"airlock-audit-checkpoint-v1".as_slice(),
            &seq.to_le_bytes(),
            hash.as_bytes(),
            &at.unix_ms().to_le_bytes(),
        ] {
            bytes.extend_from_slice(&(field.len() as u64).to_le_bytes());
            bytes.extend_from_slice(field);
        }
        bytes
    }
}

/// SHA-256 of a payload's canonical JSON text, hex: what the audit log
/// keeps of a payload.
pub fn payload_hash(value: &Value) -> String {
    let text = value.to_string();
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(subject: &str) -> AuditEvent {
        AuditEvent::new(
            AuditEventKind::RunRecorded,
            SYSTEM_ACTOR,
            subject,
            json!({"decision": "auto"}),
        )
        .at(Timestamp::from_unix_ms(1_700_000_000_000).unwrap())
    }

    #[test]
    fn a_record_commits_to_every_field_and_its_predecessor() {
        let first = AuditRecord::link(&event("run:a"), 0, GENESIS_HASH).unwrap();
        assert_eq!(first.seq, 1);
        assert_eq!(first.hash, chain_hash(&first));
        let second = AuditRecord::link(&event("run:b"), first.seq, &first.hash).unwrap();
        assert_eq!(second.prev_hash, first.hash);

        type Change = Box<dyn Fn(&mut AuditRecord)>;
        let changes: Vec<Change> = vec![
            Box::new(|r| r.seq += 1),
            Box::new(|r| r.actor.push('x')),
            Box::new(|r| r.subject = "run:c".into()),
            Box::new(|r| r.workflow = Some("w".into())),
            Box::new(|r| r.details = "{}".into()),
            Box::new(|r| r.prev_hash = GENESIS_HASH.into()),
            Box::new(|r| r.event = "key.created".into()),
            Box::new(|r| r.at = Timestamp::from_unix_ms(1).unwrap()),
        ];
        for change in changes {
            let mut altered = second.clone();
            change(&mut altered);
            assert_ne!(chain_hash(&altered), second.hash);
        }
    }

    #[test]
    fn fields_cannot_borrow_bytes_from_their_neighbours() {
        let mut a = AuditRecord::link(&event("ab"), 0, GENESIS_HASH).unwrap();
        a.actor = "x".into();
        a.subject = "yz".into();
        let mut b = a.clone();
        b.actor = "xy".into();
        b.subject = "z".into();
        assert_ne!(chain_hash(&a), chain_hash(&b));
    }

    #[test]
    fn payload_hashes_are_stable_hex() {
        let h = payload_hash(&json!({"a": 1}));
        assert_eq!(h.len(), 64);
        assert_eq!(h, payload_hash(&json!({"a": 1})));
        assert_ne!(h, payload_hash(&json!({"a": 2})));
    }
}
