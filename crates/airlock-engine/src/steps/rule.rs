//! `rule`: a CEL expression over the input and earlier steps; output `value`.

use super::StepResult;
use crate::context::RunContext;
use airlock_workflow::Expression;
use serde_json::json;

pub fn run(expr: &Expression, ctx: &RunContext) -> StepResult {
    match ctx.eval(expr) {
        Ok(value) => StepResult::ok(json!({ "value": value })),
        Err(e) => StepResult::failed(e),
    }
}
