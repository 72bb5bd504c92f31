//! One module per step kind; [`execute`] runs one step of a run.

mod classify;
mod fallback;
mod generate;
mod guard;
mod redact;
mod rule;
mod validate;

use crate::context::RunContext;
use crate::models::Models;
use crate::privacy::WorkflowPrivacy;
use airlock_policy::injection::InjectionHeuristics;
use airlock_policy::pii::RedactionSession;
use airlock_workflow::{Step, StepKind, WorkflowDefinition};
use serde_json::Value;

pub use guard::GuardVerdict;
pub use validate::{contract_errors, ContractError};

/// What steps may call besides the run's own context.
pub struct StepServices<'a> {
    pub models: &'a dyn Models,
    pub privacy: &'a WorkflowPrivacy,
    pub heuristics: &'a InjectionHeuristics,
}

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
    /// A `redact` step's result: the input later steps see.
    pub replaced_input: Option<Value>,
    /// A flagged `guard`: the run ends here with this decision.
    pub verdict: Option<GuardVerdict>,
}

impl StepResult {
    pub(crate) fn ok(output: Value) -> Self {
        StepResult {
            output,
            error: None,
            model: None,
            rejected_input: false,
            replaced_input: None,
            verdict: None,
        }
    }

    pub fn failed(error: impl Into<String>) -> Self {
        StepResult {
            output: Value::Null,
            error: Some(error.into()),
            model: None,
            rejected_input: false,
            replaced_input: None,
            verdict: None,
        }
    }
}

/// Runs `step` of `workflow` over what the run has so far.
pub async fn execute(
    workflow: &WorkflowDefinition,
    step: &Step,
    ctx: &RunContext,
    input: &Value,
    services: &StepServices<'_>,
    session: &mut RedactionSession,
) -> StepResult {
    let models = services.models;
    match &step.kind {
        StepKind::Validate { checks } => validate::run(workflow, checks, ctx, input),
        StepKind::Rule { expr } => rule::run(expr, ctx),
        StepKind::Classify { model, text, .. } => classify::run(model, text, ctx, models).await,
        StepKind::Generate { prompt, max_tokens } => {
            generate::run(workflow, prompt, *max_tokens, ctx, models).await
        }
        StepKind::Fallback { output } => fallback::run(workflow, output, ctx),
        StepKind::Redact { .. } => match services.privacy.steps.get(&step.name) {
            Some(redactor) => redact::run(redactor, ctx, session),
            None => StepResult::failed(format!(
                "no redactor was built for step `{}` (an engine bug)",
                step.name
            )),
        },
        StepKind::Guard {
            text,
            model,
            threshold,
            action,
            ..
        } => {
            guard::run(
                services.heuristics,
                text,
                model.as_deref(),
                *threshold,
                *action,
                ctx,
                models,
            )
            .await
        }
    }
}
