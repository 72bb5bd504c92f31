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
    Redact,
    Guard,
    ModelCall,
}

impl From<airlock_core::StepKind> for StepKindView {
    fn from(kind: airlock_core::StepKind) -> Self {
        match kind {
            airlock_core::StepKind::Validate => StepKindView::Validate,
            airlock_core::StepKind::Rule => StepKindView::Rule,
            airlock_core::StepKind::Classify => StepKindView::Classify,
            airlock_core::StepKind::Generate => StepKindView::Generate,
            airlock_core::StepKind::Fallback => StepKindView::Fallback,
            airlock_core::StepKind::Redact => StepKindView::Redact,
            airlock_core::StepKind::Guard => StepKindView::Guard,
            airlock_core::StepKind::ModelCall => StepKindView::ModelCall,
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

/// Where a review task stands right now: `claimed` while a reviewer's
/// lease runs, `escalated` when reviewers disagreed (an adjudicator must
/// decide), `resolved` once decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatusView {
    Open,
    Claimed,
    Escalated,
    Resolved,
}

impl From<airlock_core::ReviewStatus> for ReviewStatusView {
    fn from(status: airlock_core::ReviewStatus) -> Self {
        match status {
            airlock_core::ReviewStatus::Open => ReviewStatusView::Open,
            airlock_core::ReviewStatus::Claimed => ReviewStatusView::Claimed,
            airlock_core::ReviewStatus::Escalated => ReviewStatusView::Escalated,
            airlock_core::ReviewStatus::Resolved => ReviewStatusView::Resolved,
        }
    }
}

/// What a reviewer decided: `approve` (the suggestion stands), `override`
/// (a corrected output replaces it), `reject` (nothing is done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewActionView {
    Approve,
    Override,
    Reject,
}

impl From<airlock_core::ReviewAction> for ReviewActionView {
    fn from(action: airlock_core::ReviewAction) -> Self {
        match action {
            airlock_core::ReviewAction::Approve => ReviewActionView::Approve,
            airlock_core::ReviewAction::Override => ReviewActionView::Override,
            airlock_core::ReviewAction::Reject => ReviewActionView::Reject,
        }
    }
}

/// The events delivered to webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum EventTypeView {
    #[serde(rename = "review.created")]
    Created,
    #[serde(rename = "review.resolved")]
    Resolved,
    #[serde(rename = "review.overdue")]
    Overdue,
}

impl From<airlock_core::EventType> for EventTypeView {
    fn from(event: airlock_core::EventType) -> Self {
        match event {
            airlock_core::EventType::ReviewCreated => EventTypeView::Created,
            airlock_core::EventType::ReviewResolved => EventTypeView::Resolved,
            airlock_core::EventType::ReviewOverdue => EventTypeView::Overdue,
        }
    }
}

/// `pending` (attempted again at `next_attempt_at`), `delivered` (a
/// receiver answered 2xx) or `failed` (every attempt failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatusView {
    Pending,
    Delivered,
    Failed,
}

impl From<airlock_core::DeliveryStatus> for DeliveryStatusView {
    fn from(status: airlock_core::DeliveryStatus) -> Self {
        match status {
            airlock_core::DeliveryStatus::Pending => DeliveryStatusView::Pending,
            airlock_core::DeliveryStatus::Delivered => DeliveryStatusView::Delivered,
            airlock_core::DeliveryStatus::Failed => DeliveryStatusView::Failed,
        }
    }
}
