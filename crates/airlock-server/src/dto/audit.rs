//! The audit log as the API shows it.

use airlock_core::audit_verify::ChainReport;
use airlock_core::AuditRecord;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One record of the chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordView {
    pub seq: u64,
    pub id: String,
    #[schema(format = DateTime)]
    pub at: String,
    /// e.g. `run.recorded`, `review.resolved`, `key.created`, `access.denied`.
    pub event: String,
    /// `key:<id> (<name>, <role>)`, `reviewer:<name>` or `system`.
    pub actor: String,
    /// e.g. `run:<id>`, `review:<id>`, `key:<id>`, or the refused request.
    pub subject: String,
    #[schema(required = true)]
    pub workflow: Option<String>,
    /// Small facts; payloads appear only as SHA-256 hashes.
    #[schema(value_type = Object)]
    pub details: Value,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRecord> for AuditRecordView {
    fn from(r: AuditRecord) -> Self {
        AuditRecordView {
            details: r.details_json(),
            seq: r.seq,
            id: r.id,
            at: r.at.to_string(),
            event: r.event,
            actor: r.actor,
            subject: r.subject,
            workflow: r.workflow,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// One page of the chain, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditRecordView>,
    /// Pass as `after` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// The result of verifying the chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerificationView {
    /// `true` when nothing was found wrong.
    pub ok: bool,
    /// Records checked.
    pub records: u64,
    #[schema(required = true)]
    pub first: Option<u64>,
    #[schema(required = true)]
    pub last: Option<u64>,
    /// The last record's hash.
    #[schema(required = true)]
    pub head_hash: Option<String>,
    /// Signed checkpoints checked.
    pub checkpoints: u64,
    /// The first problem: `altered`, `deleted`, `reordered`, `truncated`,
    /// `rewritten` or `bad_checkpoint`.
    #[schema(required = true)]
    pub problem: Option<String>,
    /// The first record to look at.
    #[schema(required = true)]
    pub first_bad_seq: Option<u64>,
    /// What is wrong, naming the record.
    #[schema(required = true)]
    pub message: Option<String>,
}

impl From<ChainReport> for AuditVerificationView {
    fn from(r: ChainReport) -> Self {
        AuditVerificationView {
            ok: r.is_ok(),
            records: r.records,
            first: r.first,
            last: r.last,
            head_hash: r.head_hash,
            checkpoints: r.checkpoints,
            problem: r.problem.as_ref().map(|p| p.kind().to_string()),
            first_bad_seq: r.problem.as_ref().map(|p| p.first_bad_seq()),
            message: r.problem.map(|p| p.to_string()),
        }
    }
}
