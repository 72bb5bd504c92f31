//! The fixed words of the API (decisions, statuses, kinds...) as enums, so
//! the OpenAPI document lists the allowed values.

use serde::Serialize;
use utoipa::ToSchema;

/// How a run ended, chosen by the workflow's decision rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionView {
    Auto,
    Review,
    Fallback,
    Block,
}

impl From<airlock_core::Decision> for DecisionView {
    fn from(decision: airlock_core::Decision) -> Self {
        match decision {
            airlock_core::Decision::Auto => DecisionView::Auto,
            airlock_core::Decision::Review => DecisionView::Review,
            airlock_core::Decision::Fallback => DecisionView::Fallback,
            airlock_core::Decision::Block => DecisionView::Block,
        }
    }
}

/// `completed`, or `failed` when a step errored (the decision is then `block`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatusView {
    Completed,
    Failed,
}

impl From<airlock_core::RunStatus> for RunStatusView {
    fn from(status: airlock_core::RunStatus) -> Self {
        match status {
            airlock_core::RunStatus::Completed => RunStatusView::Completed,
            airlock_core::RunStatus::Failed => RunStatusView::Failed,
        }
    }
}

/// The kind of a workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKindView {
    Validate,
    Rule,
    Classify,
    Generate,
    Fallback,
}

impl From<airlock_core::StepKind> for StepKindView {
    fn from(kind: airlock_core::StepKind) -> Self {
        match kind {
            airlock_core::StepKind::Validate => StepKindView::Validate,
            airlock_core::StepKind::Rule => StepKindView::Rule,
            airlock_core::StepKind::Classify => StepKindView::Classify,
            airlock_core::StepKind::Generate => StepKindView::Generate,
            airlock_core::StepKind::Fallback => StepKindView::Fallback,
        }
    }
}

impl From<&airlock_workflow::StepKind> for StepKindView {
    fn from(kind: &airlock_workflow::StepKind) -> Self {
        kind.record_kind().into()
    }
}

/// What a step's error does to the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnErrorView {
    Fail,
    Continue,
}

impl From<airlock_workflow::OnError> for OnErrorView {
    fn from(on_error: airlock_workflow::OnError) -> Self {
        match on_error {
            airlock_workflow::OnError::Fail => OnErrorView::Fail,
            airlock_workflow::OnError::Continue => OnErrorView::Continue,
        }
    }
}

/// How much harm a wrong answer of the workflow can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskView {
    Low,
    Medium,
    High,
}

impl From<airlock_workflow::Risk> for RiskView {
    fn from(risk: airlock_workflow::Risk) -> Self {
        match risk {
            airlock_workflow::Risk::Low => RiskView::Low,
            airlock_workflow::Risk::Medium => RiskView::Medium,
            airlock_workflow::Risk::High => RiskView::High,
        }
    }
}

/// The most sensitive data the workflow handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataClassView {
    Public,
    Internal,
    Confidential,
}

impl From<airlock_workflow::DataClass> for DataClassView {
    fn from(class: airlock_workflow::DataClass) -> Self {
        match class {
            airlock_workflow::DataClass::Public => DataClassView::Public,
            airlock_workflow::DataClass::Internal => DataClassView::Internal,
            airlock_workflow::DataClass::Confidential => DataClassView::Confidential,
        }
    }
}
