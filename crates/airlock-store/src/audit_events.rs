//! The audit events the store itself writes for what it commits: one per
//! created run and per quarantined input. They carry the SHA-256 of each
//! stored payload (the JSON text before encryption), never the payload, so
//! a record still verifies after retention purged what it describes, and a
//! payload changed in the database no longer matches its record.

use airlock_core::{AuditEvent, AuditEventKind, Timestamp, SYSTEM_ACTOR};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::codec::{QuarantineColumns, RunColumns};

/// SHA-256 of stored text, hex.
pub(crate) fn text_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// How the audit log names the key that asked (or the system).
pub(crate) fn actor_of_key(key_id: Option<&str>) -> String {
    match key_id {
        Some(id) => format!("key:{id}"),
        None => SYSTEM_ACTOR.to_string(),
    }
}

/// `run.recorded` for a run about to be inserted (plaintext columns).
pub(crate) fn run_recorded(c: &RunColumns) -> AuditEvent {
    let mut payload = Map::new();
    payload.insert("input".into(), Value::String(text_hash(&c.input)));
    payload.insert("steps".into(), Value::String(text_hash(&c.steps)));
    if let Some(output) = &c.output {
        payload.insert("output".into(), Value::String(text_hash(output)));
    }
    if let Some(raw) = &c.raw_payload {
        payload.insert("raw".into(), Value::String(text_hash(raw)));
    }
    let at = Timestamp::from_unix_ms(c.created_at_ms).unwrap_or_else(|_| Timestamp::now());
    AuditEvent {
        event: AuditEventKind::RunRecorded,
        at,
        actor: actor_of_key(c.key_id.as_deref()),
        subject: format!("run:{}", c.id),
        workflow: Some(c.workflow.clone()),
        details: json!({
            "workflow_version": c.workflow_version,
            "decision": c.decision,
            "rule": c.rule,
            "status": c.status,
            "review_id": c.review_id,
            "idempotency_key": c.idempotency_key,
            "payload_sha256": payload,
        }),
    }
}

/// `input.quarantined` for a quarantine record about to be inserted.
pub(crate) fn input_quarantined(c: &QuarantineColumns) -> AuditEvent {
    let mut payload = Map::new();
    payload.insert("input".into(), Value::String(text_hash(&c.input)));
    if let Some(raw) = &c.raw_input {
        payload.insert("raw".into(), Value::String(text_hash(raw)));
    }
    let at = Timestamp::from_unix_ms(c.received_at_ms).unwrap_or_else(|_| Timestamp::now());
    AuditEvent {
        event: AuditEventKind::InputQuarantined,
        at,
        actor: SYSTEM_ACTOR.to_string(),
        subject: format!("quarantine:{}", c.id),
        workflow: Some(c.workflow.clone()),
        details: json!({
            "reason": c.reason,
            "field": c.field,
            "payload_sha256": payload,
        }),
    }
}
