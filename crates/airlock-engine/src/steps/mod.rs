//! One module per step kind; [`execute`] runs one step of a run.

mod classify;
mod fallback;
mod generate;
mod rule;
mod validate;

use crate::context::RunContext;
use crate::models::Models;
use airlock_workflow::{Step, StepKind, WorkflowDefinition};
use serde_json::Value;

pub use validate::{contract_errors, ContractError};

/// What running one step produced.
#[derive(Debug)]
pub struct StepResult {
    /// The step's typed output (`null` when it failed).
    pub output: Value,
    pub error: Option<String>,
    /// The model the step used, if any.
    pub model: Option<String>,
    /// A `validate` step rejected the input: later steps do not run.
    pub rejected_input: bool,
}

impl StepResult {
    fn ok(output: Value) -> Self {
        StepResult {
            output,
            error: None,
            model: None,
            rejected_input: false,
        }
    }

    pub fn failed(error: impl Into<String>) -> Self {
        StepResult {
            output: Value::Null,
            error: Some(error.into()),
            model: None,
            rejected_input: false,
        }
    }
}

/// Runs `step` of `workflow` over what the run has so far.
pub async fn execute(
    workflow: &WorkflowDefinition,
    step: &Step,
    ctx: &RunContext,
    input: &Value,
    models: &dyn Models,
) -> StepResult {
    match &step.kind {
        StepKind::Validate { checks } => validate::run(workflow, checks, ctx, input),
        StepKind::Rule { expr } => rule::run(expr, ctx),
        StepKind::Classify { model, text, .. } => classify::run(model, text, ctx, models).await,
        StepKind::Generate { prompt, max_tokens } => {
            generate::run(workflow, prompt, *max_tokens, ctx, models).await
        }
        StepKind::Fallback { output } => fallback::run(workflow, output, ctx),
    }
}
