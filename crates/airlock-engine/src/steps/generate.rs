//! `generate`: a prompt template rendered from the input and earlier steps,
//! answered by the generative model; outputs `text`, `finish_reason` and
//! token counts.

use super::StepResult;
use crate::context::RunContext;
use crate::models::Models;
use airlock_workflow::WorkflowDefinition;
use serde_json::json;

pub async fn run(
    workflow: &WorkflowDefinition,
    prompt: &str,
    max_tokens: u32,
    ctx: &RunContext,
    models: &dyn Models,
) -> StepResult {
    let rendered = match ctx.render(&workflow.templates, prompt) {
        Ok(text) => text,
        Err(e) => return StepResult::failed(e),
    };
    match models.generate(&rendered, max_tokens).await {
        Ok(g) => StepResult {
            output: json!({
                "text": g.text.trim(),
                "finish_reason": g.finish_reason,
                "prompt_tokens": g.prompt_tokens,
                "completion_tokens": g.completion_tokens,
            }),
            error: None,
            model: Some(g.model),
            rejected_input: false,
            replaced_input: None,
            verdict: None,
        },
        Err(e) => StepResult::failed(format!("generation: {}", e.message())),
    }
}
