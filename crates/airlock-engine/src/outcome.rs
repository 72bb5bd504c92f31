//! What [`crate::Engine::run`] returns, and how a stored run reads back as
//! an answer: the same stored record always gives the same answer, so an
//! idempotent replay answers exactly like the first request.

use crate::steps::ContractError;
use airlock_core::{Error, RunRecord, RunStatus, StepKind};

/// The rule recorded when the input failed the input contract in a
/// workflow without a `validate` step (the engine checks it regardless).
pub const INPUT_CONTRACT_RULE: &str = "input-contract";
/// The rule recorded when a step failed with `on_error = "fail"` or a
/// condition, the output or the decision could not be evaluated: the run
/// is `failed` and its decision `block`.
pub const STEP_FAILED_RULE: &str = "run-failed";

/// A committed run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// The run as stored.
    pub run: RunRecord,
    /// True when the run was committed earlier under the same idempotency
    /// key and this request did not execute anything.
    pub replayed: bool,
}

impl RunOutcome {
    /// The input contract violations the run recorded, if its input was
    /// rejected (by a `validate` step or the engine's own contract check).
    pub fn rejected_input(&self) -> Option<Vec<ContractError>> {
        rejected_input(&self.run)
    }

    /// When the input was rejected: an `invalid_input` error naming the
    /// first offending field and every violation in the message.
    pub fn input_error(&self) -> Option<Error> {
        let errors = self.rejected_input()?;
        let message = errors
            .iter()
            .map(|e| {
                if e.field.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", e.field, e.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        let mut error = Error::invalid_input(format!(
            "the input does not satisfy the input contract of workflow `{}`: {message}",
            self.run.workflow
        ))
        .with_hint("the input was quarantined; see GET /v1/quarantine");
        if let Some(first) = errors.iter().find(|e| !e.field.is_empty()) {
            error = error.with_field(first.field.clone());
        }
        Some(error)
    }

    /// True when the run failed (a step error); its decision is `block`.
    pub fn failed(&self) -> bool {
        self.run.status == RunStatus::Failed
    }
}

/// The contract violations recorded in `run`, if its input was rejected.
pub fn rejected_input(run: &RunRecord) -> Option<Vec<ContractError>> {
    run.steps
        .iter()
        .filter(|s| s.kind == StepKind::Validate && !s.skipped)
        .find(|s| s.output.get("valid") == Some(&serde_json::Value::Bool(false)))
        .map(|s| {
            s.output
                .get("errors")
                .and_then(|e| e.as_array())
                .map(|errors| {
                    errors
                        .iter()
                        .map(|e| ContractError {
                            field: e
                                .get("field")
                                .and_then(|f| f.as_str())
                                .unwrap_or_default()
                                .to_string(),
                            message: e
                                .get("message")
                                .and_then(|m| m.as_str())
                                .unwrap_or_default()
                                .to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
}
