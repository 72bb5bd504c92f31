//! `fallback`: a deterministic output, a fixed value (output `value`) or a
//! rendered template (output `text`).

use super::StepResult;
use crate::context::RunContext;
use airlock_workflow::{FallbackOutput, WorkflowDefinition};
use serde_json::json;

pub fn run(workflow: &WorkflowDefinition, output: &FallbackOutput, ctx: &RunContext) -> StepResult {
    match output {
        FallbackOutput::Value(value) => StepResult::ok(json!({ "value": value })),
        FallbackOutput::Template(name) => match ctx.render(&workflow.templates, name) {
            Ok(text) => StepResult::ok(json!({ "text": text.trim() })),
            Err(e) => StepResult::failed(e),
        },
    }
}
