//! `redact`: replaces personal data in the run's input before later steps
//! (and any model) see it; outputs how many of each kind were found, never
//! the values.

use super::StepResult;
use crate::context::RunContext;
use airlock_policy::pii::{RedactionSession, Redactor};
use serde_json::json;

/// Redacts `ctx`'s input; the new input is in the result.
pub fn run(redactor: &Redactor, ctx: &RunContext, session: &mut RedactionSession) -> StepResult {
    let before = session.report();
    let redacted = redactor.redact_value(ctx.input(), session);
    let after = session.report();
    let mut counts = serde_json::Map::new();
    for (entity, count) in &after.counts {
        let earlier = before.counts.get(entity).copied().unwrap_or(0);
        if *count > earlier {
            counts.insert(entity.as_str().to_string(), json!(count - earlier));
        }
    }
    let total: usize = counts.values().filter_map(|v| v.as_u64()).sum::<u64>() as usize;
    let mut result = StepResult::ok(json!({ "redacted": total, "counts": counts }));
    result.replaced_input = Some(redacted);
    result
}
