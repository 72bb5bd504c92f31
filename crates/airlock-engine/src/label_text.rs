//! What a stored run contributes to a training set: the text its label
//! step classified and the label that step suggested. The label step is
//! the classify step a review task names (its suggestion's `step`) or else
//! the workflow's first classify step.
//!
//! The text is not stored in the run; it is the step's `text` expression
//! evaluated again over the run's stored input and the recorded outputs of
//! the steps before it, with the workflow definition loaded now (so a
//! workflow whose `text` expression changed since gives today's text).

use airlock_core::{Result, RunRecord};
use airlock_workflow::{Step, StepKind, WorkflowDefinition};
use serde_json::Value;

use crate::context::RunContext;
use crate::engine::Engine;

/// The classify step called `name`; when `name` is `None`, the one the
/// workflow's `[review] label_step` names, or its first classify step.
pub fn label_step<'a>(workflow: &'a WorkflowDefinition, name: Option<&str>) -> Option<&'a Step> {
    let name = name.or(workflow.review.label_step.as_deref());
    workflow
        .steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::Classify { .. }))
        .find(|s| name.is_none_or(|n| s.name == n))
}

/// The text the label step (see [`label_step`]) classified for `run`;
/// `None` when the workflow has no such step or the expression does not
/// give a string over this run (e.g. its input was rejected).
pub fn classify_text(
    workflow: &WorkflowDefinition,
    step: Option<&str>,
    run: &RunRecord,
) -> Option<String> {
    let step = label_step(workflow, step)?;
    let StepKind::Classify { text, .. } = &step.kind else {
        return None;
    };
    let mut ctx = RunContext::new(run.input.clone());
    for earlier in run.steps.iter().take_while(|s| s.name != step.name) {
        if earlier.skipped {
            ctx.record_step(&earlier.name, false, &Value::Null, None);
        } else {
            ctx.record_step(
                &earlier.name,
                true,
                &earlier.output,
                earlier.error.as_deref(),
            );
        }
    }
    match ctx.eval(text) {
        Ok(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// The label the label step gave `run`, as recorded.
pub fn suggested_label(
    workflow: &WorkflowDefinition,
    step: Option<&str>,
    run: &RunRecord,
) -> Option<String> {
    let step = label_step(workflow, step)?;
    run.steps
        .iter()
        .find(|s| s.name == step.name && !s.skipped)
        .and_then(|s| s.output.get("label"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

impl Engine {
    /// [`classify_text`] with the label step of `workflow` (see
    /// [`label_step`]; `not_found` for an unknown workflow).
    pub fn classify_text(&self, workflow: &str, run: &RunRecord) -> Result<Option<String>> {
        Ok(classify_text(self.workflow(workflow)?, None, run))
    }
}
