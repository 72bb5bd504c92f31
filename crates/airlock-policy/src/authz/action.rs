//! The actions a request can ask to do ([`Action`]), each the id of an
//! `Airlock::Action` entity in the Cedar schema, and the kind of resource
//! each applies to ([`ResourceKind`]).

use std::fmt;
use std::str::FromStr;

use airlock_core::Error;

/// What a resource is: one workflow, or the service as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// `Airlock::Workflow::"<name>"`.
    Workflow,
    /// `Airlock::Service::"airlock"`.
    Service,
}

impl ResourceKind {
    /// `workflow` or `service`, as denial reasons name it.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Workflow => "workflow",
            ResourceKind::Service => "service",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action a principal asks to do; written as the Cedar action id
/// (`Airlock::Action::"run"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Run a workflow.
    Run,
    /// Read a workflow's definition and quality report.
    ReadWorkflow,
    /// Read a workflow's runs and their feedback (payloads redacted).
    ReadRun,
    /// Read a workflow's runs with their unredacted payloads.
    ReadRaw,
    /// Give feedback on a run.
    AddFeedback,
    /// Read a workflow's review tasks.
    ReadReview,
    /// Claim, release and resolve a workflow's review tasks.
    ResolveReview,
    /// Read a workflow's quarantined runs.
    ReadQuarantine,
    /// Create and revoke API keys.
    ManageKeys,
    /// List API key metadata.
    ReadKeys,
    /// Read and verify the audit log.
    ReadAudit,
    /// Read `/metrics`.
    ReadMetrics,
    /// Read `/openapi.json`.
    ReadApiDocs,
    /// Read the webhook delivery log.
    ReadDeliveries,
    /// Reload the authorization policies.
    ReloadPolicies,
    /// Call models through the OpenAI-compatible endpoints.
    CallModels,
    /// Read model cost per workflow and per key, and budget state.
    ReadUsage,
}

impl Action {
    /// Every action, workflow actions first, in the order of the schema.
    pub const ALL: &'static [Action] = &[
        Action::Run,
        Action::ReadWorkflow,
        Action::ReadRun,
        Action::ReadRaw,
        Action::AddFeedback,
        Action::ReadReview,
        Action::ResolveReview,
        Action::ReadQuarantine,
        Action::ManageKeys,
        Action::ReadKeys,
        Action::ReadAudit,
        Action::ReadMetrics,
        Action::ReadApiDocs,
        Action::ReadDeliveries,
        Action::ReloadPolicies,
        Action::CallModels,
        Action::ReadUsage,
    ];

    /// The action's word: its Cedar entity id and its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Run => "run",
            Action::ReadWorkflow => "read_workflow",
            Action::ReadRun => "read_run",
            Action::ReadRaw => "read_raw",
            Action::AddFeedback => "add_feedback",
            Action::ReadReview => "read_review",
            Action::ResolveReview => "resolve_review",
            Action::ReadQuarantine => "read_quarantine",
            Action::ManageKeys => "manage_keys",
            Action::ReadKeys => "read_keys",
            Action::ReadAudit => "read_audit",
            Action::ReadMetrics => "read_metrics",
            Action::ReadApiDocs => "read_api_docs",
            Action::ReadDeliveries => "read_deliveries",
            Action::ReloadPolicies => "reload_policies",
            Action::CallModels => "call_models",
            Action::ReadUsage => "read_usage",
        }
    }

    /// The kind of resource the action applies to (as the schema's
    /// `appliesTo` says).
    pub fn resource_kind(self) -> ResourceKind {
        match self {
            Action::Run
            | Action::ReadWorkflow
            | Action::ReadRun
            | Action::ReadRaw
            | Action::AddFeedback
            | Action::ReadReview
            | Action::ResolveReview
            | Action::ReadQuarantine => ResourceKind::Workflow,
            Action::ManageKeys
            | Action::ReadKeys
            | Action::ReadAudit
            | Action::ReadMetrics
            | Action::ReadApiDocs
            | Action::ReadDeliveries
            | Action::ReloadPolicies
            | Action::CallModels
            | Action::ReadUsage => ResourceKind::Service,
        }
    }

    /// The position of the action in [`Action::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Action::ALL
            .iter()
            .copied()
            .find(|action| action.as_str() == s)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
                Error::invalid_input(format!("`{s}` is not a valid action"))
                    .with_field("action")
                    .with_hint(format!("use one of: {}", allowed.join(", ")))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_back_and_index_into_all() {
        for (position, action) in Action::ALL.iter().enumerate() {
            assert_eq!(action.as_str().parse::<Action>().unwrap(), *action);
            assert_eq!(action.index(), position);
        }
        let err = "delete_everything".parse::<Action>().unwrap_err();
        assert!(err
            .to_string()
            .contains("`delete_everything` is not a valid action"));
    }

    #[test]
    fn workflow_and_service_actions_split_as_in_the_schema() {
        let service: Vec<&str> = Action::ALL
            .iter()
            .filter(|a| a.resource_kind() == ResourceKind::Service)
            .map(|a| a.as_str())
            .collect();
        assert_eq!(
            service,
            [
                "manage_keys",
                "read_keys",
                "read_audit",
                "read_metrics",
                "read_api_docs",
                "read_deliveries",
                "reload_policies",
                "call_models",
                "read_usage"
            ]
        );
    }
}
