//! The one error body, described for the OpenAPI document. The body itself
//! is produced by `airlock_core::Error::to_json` (plus `run_id` and
//! `decision` for a rejected run input); a test checks the two agree.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::words::DecisionView;

/// `{"error": {...}}`, on every non-2xx answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorResponse {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// Stable machine-readable code (see docs/api.md).
    #[schema(example = "invalid_input")]
    pub code: String,
    /// Names what is wrong.
    pub message: String,
    /// The offending field, parameter, header or JSON Pointer, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Rejected run input only: the run that recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// Rejected run input only: the run's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DecisionView>)]
    pub decision: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::Error;

    #[test]
    fn the_documented_shape_reads_every_error_json() {
        let full = Error::invalid_input("bad")
            .with_field("/message")
            .with_hint("fix it")
            .to_json();
        let read: ErrorResponse = serde_json::from_value(full).expect("documented shape");
        assert_eq!(read.error.code, "invalid_input");
        assert_eq!(read.error.field.as_deref(), Some("/message"));
        let bare: ErrorResponse =
            serde_json::from_value(Error::internal("boom").to_json()).expect("documented shape");
        assert_eq!(bare.error.hint, None);
    }
}
