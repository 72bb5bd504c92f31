//! What a request acts on: one workflow, with the attributes policies may
//! test ([`WorkflowResource`]), or the service as a whole.

use super::action::ResourceKind;

/// A workflow as authorization sees it: `Airlock::Workflow::"<name>"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkflowResource {
    /// The workflow's name (its Cedar entity id).
    pub name: String,
    /// The team or person that owns it.
    pub owner: String,
    /// `low`, `medium` or `high`, as in `workflow.toml`.
    pub risk: String,
    /// `public`, `internal` or `confidential`, as in `workflow.toml`.
    pub data_class: String,
}

impl WorkflowResource {
    /// A workflow resource from its name and attributes.
    pub fn new(
        name: impl Into<String>,
        owner: impl Into<String>,
        risk: impl Into<String>,
        data_class: impl Into<String>,
    ) -> Self {
        WorkflowResource {
            name: name.into(),
            owner: owner.into(),
            risk: risk.into(),
            data_class: data_class.into(),
        }
    }
}

/// The resource of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    /// One workflow.
    Workflow(WorkflowResource),
    /// `Airlock::Service::"airlock"`: everything not tied to one workflow.
    Service,
}

impl Resource {
    pub fn kind(&self) -> ResourceKind {
        match self {
            Resource::Workflow(_) => ResourceKind::Workflow,
            Resource::Service => ResourceKind::Service,
        }
    }

    /// How denial reasons name it: ``workflow `support-triage` `` or
    /// `the service`.
    pub fn describe(&self) -> String {
        match self {
            Resource::Workflow(workflow) => format!("workflow `{}`", workflow.name),
            Resource::Service => "the service".to_string(),
        }
    }
}

impl From<WorkflowResource> for Resource {
    fn from(workflow: WorkflowResource) -> Self {
        Resource::Workflow(workflow)
    }
}
