//! Choosing a run's decision: the workflow's rules in order, the first
//! whose `when` holds wins. The loader guarantees the last rule has no
//! `when`, so a run always gets exactly one decision.

use crate::context::RunContext;
use airlock_core::Decision;
use airlock_workflow::DecisionRule;

/// The rule that decided a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub decision: Decision,
    pub rule: String,
}

/// The first rule of `rules` that holds; an error if a condition cannot be
/// evaluated (the message names the rule).
pub fn decide(rules: &[DecisionRule], ctx: &RunContext) -> Result<Decided, String> {
    for rule in rules {
        let holds = match &rule.when {
            None => true,
            Some(when) => ctx
                .eval_bool(when)
                .map_err(|e| format!("decision rule `{}`: {e}", rule.name))?,
        };
        if holds {
            return Ok(Decided {
                decision: rule.decision,
                rule: rule.name.clone(),
            });
        }
    }
    Err("no decision rule matched (the last rule must have no `when`)".into())
}
