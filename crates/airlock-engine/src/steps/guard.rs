//! `guard`: scores a text for prompt injection before any model sees it:
//! Airlock's heuristics, plus the workflow's injection classifier when the
//! step names one (its calibrated probability of `injection`), combined by
//! `airlock_policy::injection::combine`. At the step's threshold the run
//! stops there with the step's action (`block` or `review`).

use super::StepResult;
use crate::context::{describe, RunContext};
use crate::models::Models;
use airlock_core::Decision;
use airlock_policy::injection::{combine, InjectionHeuristics, INJECTION_LABEL};
use airlock_workflow::{Expression, GuardAction};
use serde_json::{json, Value};

/// What a flagged guard makes of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardVerdict {
    pub decision: Decision,
    pub reason: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    heuristics: &InjectionHeuristics,
    text: &Expression,
    model: Option<&str>,
    threshold: f64,
    action: GuardAction,
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
    let report = heuristics.assess(&text);
    let mut model_id = None;
    let probability = match model {
        None => None,
        Some(model) => match models.classify(model, &text).await {
            Ok(c) => {
                model_id = Some(c.model.clone());
                Some(injection_probability(&c))
            }
            Err(e) => {
                return StepResult::failed(format!("classifier {model}: {}", e.message()));
            }
        },
    };
    let score = combine(&report, probability);
    let flagged = score.score >= threshold;
    let mut result = StepResult::ok(json!({
        "score": score.score,
        "flagged": flagged,
        "heuristic_score": score.heuristic_score,
        "model_score": score.model_score,
        "matched": score.matched,
        "threshold": threshold,
        "action": action.as_str(),
    }));
    result.model = model_id;
    if flagged {
        let matched = if score.matched.is_empty() {
            String::new()
        } else {
            format!("; matched: {}", score.matched.join(", "))
        };
        result.verdict = Some(GuardVerdict {
            decision: match action {
                GuardAction::Block => Decision::Block,
                GuardAction::Review => Decision::Review,
            },
            reason: format!(
                "possible prompt injection (score {:.2} ≥ threshold {threshold:.2}{matched})",
                score.score
            ),
        });
    }
    result
}

/// The classifier's probability of `injection`: its confidence when that
/// is the top label, else that label's alternative (0 if it has none).
fn injection_probability(c: &crate::models::Classification) -> f64 {
    if c.label == INJECTION_LABEL {
        return c.confidence;
    }
    c.alternatives
        .iter()
        .find(|a| a.label == INJECTION_LABEL)
        .map_or(0.0, |a| a.confidence)
}
