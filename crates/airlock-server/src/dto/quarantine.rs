//! Quarantined inputs as the API shows them.

use airlock_core::QuarantineRecord;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// An input that failed its workflow's input contract, kept with the reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantineView {
    #[schema(example = "01J9ZQ3V6T8K2M4N5P7R9S1T3V")]
    pub id: String,
    pub workflow: String,
    /// RFC 3339, millisecond precision.
    #[schema(format = DateTime, example = "2024-05-01T12:34:56.789Z")]
    pub received_at: String,
    /// The input as received.
    pub input: Value,
    /// Every violation, `; `-separated.
    pub reason: String,
    /// JSON Pointer to the first offending field (`/message`), when known.
    #[schema(required = true)]
    pub field: Option<String>,
}

/// One page of quarantined inputs, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinePage {
    pub items: Vec<QuarantineView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

impl From<QuarantineRecord> for QuarantineView {
    fn from(record: QuarantineRecord) -> Self {
        QuarantineView {
            id: record.id.to_string(),
            workflow: record.workflow,
            received_at: record.received_at.to_string(),
            input: record.input,
            reason: record.reason,
            field: record.field,
        }
    }
}
