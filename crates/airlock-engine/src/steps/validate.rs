//! `validate`: the input contract (the workflow's JSON Schema: required
//! fields, types, ranges, enums, lengths, formats) plus the step's own CEL
//! checks. Output `valid` and `errors` (each `{field, message}`); a
//! rejected input stops the steps after this one.

use super::StepResult;
use crate::context::RunContext;
use airlock_workflow::{Check, WorkflowDefinition};
use serde::Serialize;
use serde_json::{json, Value};

/// One way the input breaks the contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractError {
    /// JSON Pointer to the offending field (`/message`); empty for the
    /// whole input.
    pub field: String,
    pub message: String,
}

/// Every JSON Schema violation of `input` against the workflow's input contract.
pub fn contract_errors(workflow: &WorkflowDefinition, input: &Value) -> Vec<ContractError> {
    workflow
        .input_schema
        .validator
        .iter_errors(input)
        .map(|e| ContractError {
            field: e.instance_path().as_str().to_string(),
            message: e.to_string(),
        })
        .collect()
}

pub fn run(
    workflow: &WorkflowDefinition,
    checks: &[Check],
    ctx: &RunContext,
    input: &Value,
) -> StepResult {
    let mut errors = contract_errors(workflow, input);
    // The checks may assume the schema holds (`input.message.trim()`), so
    // they only run on a schema-valid input.
    if errors.is_empty() {
        for check in checks {
            match ctx.eval_bool(&check.expr) {
                Ok(true) => {}
                Ok(false) => errors.push(ContractError {
                    field: String::new(),
                    message: check.message.clone(),
                }),
                Err(e) => errors.push(ContractError {
                    field: String::new(),
                    message: format!("{}: {e}", check.message),
                }),
            }
        }
    }
    let valid = errors.is_empty();
    StepResult {
        output: json!({ "valid": valid, "errors": errors }),
        error: None,
        model: None,
        rejected_input: !valid,
        replaced_input: None,
        verdict: None,
    }
}
