//! Authorization through the engine: asks the Cedar [`Authorizer`] and,
//! on a denial, appends `access.denied` to the audit chain (durably, before
//! the caller hears `403`) and answers a `forbidden` error with the reason.

use airlock_core::{AuditEvent, AuditEventKind, Error, Principal, Result, Timestamp};
use airlock_policy::authz::{AccessDecision, Action, Resource, WorkflowResource};
use airlock_store::AuditStore;
use airlock_workflow::WorkflowDefinition;
use serde_json::json;

use crate::engine::Engine;

/// The authorization view of a workflow.
pub fn workflow_resource(workflow: &WorkflowDefinition) -> WorkflowResource {
    WorkflowResource::new(
        workflow.name.clone(),
        workflow.owner.clone(),
        workflow.risk.as_str(),
        workflow.data_class.as_str(),
    )
}

impl Engine {
    /// Whether `principal` may do `action` on `resource`, with the reason
    /// (nothing recorded: for questions such as "may this caller see raw
    /// payloads?", where no is an answer, not a refusal).
    pub fn check_access(
        &self,
        principal: &Principal,
        action: Action,
        resource: &Resource,
    ) -> AccessDecision {
        self.inner.authorizer.authorize(principal, action, resource)
    }

    /// `Ok` if `principal` may do `action` on `resource`; otherwise the
    /// denial is audited and a `forbidden` error carries the reason.
    /// `request` describes what was asked (`POST /v1/...`) for the record.
    pub async fn authorize(
        &self,
        principal: &Principal,
        action: Action,
        resource: &Resource,
        request: &str,
    ) -> Result<()> {
        let decision = self.check_access(principal, action, resource);
        if decision.allowed {
            return Ok(());
        }
        let workflow = match resource {
            Resource::Workflow(w) => Some(w.name.as_str()),
            Resource::Service => None,
        };
        self.record_denial(
            principal,
            request,
            action,
            workflow,
            json!({
                "resource": resource.describe(),
                "reason": decision.reason,
                "policies": decision.policies,
                "errors": decision.errors,
                "policy_fingerprint": decision.fingerprint,
            }),
        )
        .await;
        Err(Error::forbidden(format!(
            "{} may not {} on {}: {}",
            principal.describe(),
            action.as_str(),
            resource.describe(),
            decision.reason
        ))
        .with_hint("ask an admin for a key with the right role or workflow grant"))
    }

    /// Records a refused request in the audit log (`access.denied`) and
    /// counts it: for the policy's denials above and for the refusals
    /// decided elsewhere (acting as another reviewer, an escalated task
    /// without being an adjudicator). `details` says why; the action is
    /// added to it. A denial that cannot be recorded is still a denial: the
    /// failure is logged.
    pub async fn record_denial(
        &self,
        principal: &Principal,
        request: &str,
        action: Action,
        workflow: Option<&str>,
        mut details: serde_json::Value,
    ) {
        details["action"] = json!(action.as_str());
        let mut event = AuditEvent::new(
            AuditEventKind::AccessDenied,
            principal.describe(),
            request.to_string(),
            details,
        )
        .at(Timestamp::now());
        event.workflow = workflow.map(str::to_string);
        if let Err(e) = self.store().append_audit(vec![event]).await {
            tracing::error!(error = %e, "could not record an access denial in the audit log");
        }
        metrics::counter!(crate::metrics_names::ACCESS_DENIED_TOTAL, "action" => action.as_str())
            .increment(1);
    }

    /// [`Engine::authorize`] on the workflow called `name` (`not_found` if
    /// there is none, checked after the caller may know: a caller without
    /// access to a workflow learns nothing of it).
    pub async fn authorize_workflow(
        &self,
        principal: &Principal,
        action: Action,
        name: &str,
        request: &str,
    ) -> Result<()> {
        let resource = match self.workflow(name) {
            Ok(workflow) => Resource::Workflow(workflow_resource(workflow)),
            // An unknown name is judged as a bare workflow with no
            // attributes: a caller who could not see it gets 403, one who
            // could gets the 404 that follows.
            Err(_) => Resource::Workflow(WorkflowResource::new(name, "", "", "")),
        };
        self.authorize(principal, action, &resource, request).await
    }

    /// The names of the loaded workflows `principal` may do `action` on.
    pub fn allowed_workflows(&self, principal: &Principal, action: Action) -> Vec<String> {
        let resources: Vec<WorkflowResource> =
            self.workflows().map(|w| workflow_resource(w)).collect();
        self.inner
            .authorizer
            .allowed_workflows(principal, action, &resources)
    }
}
