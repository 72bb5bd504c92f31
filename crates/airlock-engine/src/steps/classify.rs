//! `classify`: the text a CEL expression yields, classified by a classifier
//! artifact; outputs `label`, `confidence` and `alternatives`.

use super::StepResult;
use crate::context::{describe, RunContext};
use crate::models::Models;
use airlock_workflow::Expression;
use serde_json::{json, Value};

pub async fn run(
    model: &str,
    text: &Expression,
    ctx: &RunContext,
    models: &dyn Models,
) -> StepResult {
    let text = match ctx.eval(text) {
        Ok(Value::String(text)) => text,
        Ok(other) => {
            return StepResult::failed(format!(
                "`text` must give a string, got {}",
                describe(&other)
            ))
        }
        Err(e) => return StepResult::failed(e),
    };
    match models.classify(model, &text).await {
        Ok(c) => StepResult {
            output: json!({
                "label": c.label,
                "confidence": c.confidence,
                "alternatives": c.alternatives,
            }),
            error: None,
            model: Some(c.model),
            rejected_input: false,
            replaced_input: None,
            verdict: None,
        },
        Err(e) => StepResult::failed(format!("classifier {model}: {}", e.message())),
    }
}
