//! The run a model call is recorded as: workflow `model:<route>`, the
//! request and answer redacted of personal data, one `model_call` step per
//! attempt (which provider, how long, why it failed), the cost.

use airlock_core::{Decision, RunId, RunRecord, RunStatus, StepKind, StepRecord, Timestamp};
use airlock_policy::pii::Redactor;
use airlock_providers::{Attempt, Usage};
use serde_json::{json, Value};

use super::MODEL_WORKFLOW_PREFIX;

/// What a call came to, for its record.
pub(crate) struct CallRecord<'a> {
    pub id: RunId,
    pub route: &'a str,
    /// The request as received (`messages`/`input` and parameters).
    pub input: Value,
    /// The answer (`None` when every attempt failed).
    pub output: Option<Value>,
    pub attempts: &'a [Attempt],
    /// `provider/model` of the answering target.
    pub answered_by: Option<String>,
    pub usage: Option<Usage>,
    pub cost_micro_usd: u64,
    pub error: Option<String>,
    pub key_id: &'a str,
    pub created_at: Timestamp,
    pub latency_us: u64,
}

impl CallRecord<'_> {
    /// The run to store, its payloads redacted with `redactor` (one
    /// session, so a value has the same placeholder in request and answer).
    pub(crate) fn into_run(self, redactor: &Redactor) -> RunRecord {
        let mut session = redactor.session();
        let mut input = self.input;
        redactor.redact_in_place(&mut input, &mut session);
        let output = self.output.map(|mut output| {
            if let Some(usage) = self.usage {
                output["usage"] = json!({
                    "prompt_tokens": usage.prompt_tokens,
                    "completion_tokens": usage.completion_tokens,
                });
            }
            output["cost_micro_usd"] = json!(self.cost_micro_usd);
            redactor.redact_in_place(&mut output, &mut session);
            output
        });
        let steps = self
            .attempts
            .iter()
            .enumerate()
            .map(|(i, attempt)| StepRecord {
                name: format!("attempt-{}", i + 1),
                kind: StepKind::ModelCall,
                output: match &attempt.error {
                    None => json!({"provider": attempt.provider, "model": attempt.model}),
                    Some(e) => json!({
                        "provider": attempt.provider,
                        "model": attempt.model,
                        "failure": e.kind.as_str(),
                        "status": e.status,
                    }),
                },
                latency_us: attempt.latency_us,
                error: attempt
                    .error
                    .as_ref()
                    .map(|e| redactor.redact_text(&e.to_string(), &mut session)),
                model: Some(format!("{}/{}", attempt.provider, attempt.model)),
                skipped: false,
            })
            .collect();
        let failed = self.error.is_some();
        RunRecord {
            id: self.id,
            workflow: format!("{MODEL_WORKFLOW_PREFIX}{}", self.route),
            workflow_version: "route".to_string(),
            input,
            steps,
            output,
            decision: if failed {
                Decision::Block
            } else {
                Decision::Auto
            },
            rule: None,
            confidence: None,
            models: self.answered_by.into_iter().collect(),
            status: if failed {
                RunStatus::Failed
            } else {
                RunStatus::Completed
            },
            error: self.error.map(|e| redactor.redact_text(&e, &mut session)),
            idempotency_key: None,
            created_at: self.created_at,
            latency_us: self.latency_us,
            release_id: None,
            review_id: None,
            key_id: Some(self.key_id.to_string()),
            request_hash: None,
            purged_at: None,
            cost_micro_usd: Some(self.cost_micro_usd),
        }
    }
}
