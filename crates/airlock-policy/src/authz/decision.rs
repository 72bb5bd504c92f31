//! Deciding one request against a loaded policy set, and saying why in
//! words a caller understands ([`AccessDecision`]). Any evaluation error
//! denies: Cedar skips a `forbid` whose condition errors, which would let
//! a broken guard open access, so Airlock fails closed instead.

use std::collections::HashSet;

use airlock_core::Principal;
use cedar_policy::{AuthorizationError, Decision, PolicyId, Response};
use serde::Serialize;

use super::action::{Action, ResourceKind};
use super::entities::{cedar_request, listing_requests, PrincipalEntity};
use super::load::LoadedPolicies;
use super::resource::{Resource, WorkflowResource};

/// The answer to "may this principal do this action on this resource?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessDecision {
    pub allowed: bool,
    /// Why, in words: the permitting policies, the forbidding policy's
    /// `@reason`, the failing policy, or what no policy permits.
    pub reason: String,
    /// The ids of the policies that decided: the permits that allowed, the
    /// forbids that denied, or the policies whose evaluation failed; empty
    /// for a default deny.
    pub policies: Vec<String>,
    /// Evaluation errors, as ``policy `<id>`: <message>``.
    pub errors: Vec<String>,
    /// The fingerprint of the policy set that decided.
    pub fingerprint: String,
}

impl AccessDecision {
    fn deny(policies: &LoadedPolicies, reason: String) -> Self {
        AccessDecision {
            allowed: false,
            reason,
            policies: Vec::new(),
            errors: Vec::new(),
            fingerprint: policies.fingerprint().to_string(),
        }
    }
}

/// Decides `action` on `resource` for `principal`, whose entity is
/// `principal_entity` (or the error building it), and explains it.
pub(crate) fn decide(
    policies: &LoadedPolicies,
    cedar: &cedar_policy::Authorizer,
    principal: &Principal,
    principal_entity: Result<&PrincipalEntity, &String>,
    action: Action,
    resource: &Resource,
) -> AccessDecision {
    match evaluate(policies, cedar, principal_entity, action, resource) {
        Ok(response) => explain(policies, &response, principal, action, resource),
        Err(reason) => AccessDecision::deny(policies, reason),
    }
}

/// The names of those of `workflows` that `action` is allowed on, without
/// building explanations, each exactly as [`decide`] would decide it.
///
/// When it cannot change an answer, the workflows share one set of
/// entities, built once. It could change one when a policy names a
/// workflow entity literally (`Airlock::Workflow::"x".owner`): alone, a
/// request does not hold `x`, in a shared set it might; and when two
/// workflows share a name. Then each workflow is decided on its own.
pub(crate) fn allowed_in_listing(
    policies: &LoadedPolicies,
    cedar: &cedar_policy::Authorizer,
    principal_entity: Result<&PrincipalEntity, &String>,
    action: Action,
    workflows: &[WorkflowResource],
) -> Vec<String> {
    if action.resource_kind() != ResourceKind::Workflow {
        return Vec::new();
    }
    let Ok(principal_entity) = principal_entity else {
        return Vec::new();
    };
    let mut names = HashSet::with_capacity(workflows.len());
    let unique = workflows.iter().all(|w| names.insert(w.name.as_str()));
    if !unique || policies.names_workflow_entities() {
        return workflows
            .iter()
            .filter(|workflow| {
                let resource = Resource::Workflow((*workflow).clone());
                evaluate(policies, cedar, Ok(principal_entity), action, &resource)
                    .is_ok_and(|response| is_clean_allow(&response))
            })
            .map(|workflow| workflow.name.clone())
            .collect();
    }
    let Ok((entities, requests)) = listing_requests(principal_entity, action, workflows) else {
        return Vec::new();
    };
    workflows
        .iter()
        .zip(requests)
        .filter(|(_, request)| {
            is_clean_allow(&cedar.is_authorized(request, policies.cedar_set(), &entities))
        })
        .map(|(workflow, _)| workflow.name.clone())
        .collect()
}

/// Allowed, with no policy failing to evaluate (any error denies).
fn is_clean_allow(response: &Response) -> bool {
    response.decision() == Decision::Allow && response.diagnostics().errors().next().is_none()
}

/// Cedar's response, or why the request was denied before asking Cedar.
fn evaluate(
    policies: &LoadedPolicies,
    cedar: &cedar_policy::Authorizer,
    principal_entity: Result<&PrincipalEntity, &String>,
    action: Action,
    resource: &Resource,
) -> Result<Response, String> {
    if action.resource_kind() != resource.kind() {
        return Err(format!(
            "action `{action}` applies to a {}, not to {}",
            action.resource_kind(),
            resource.describe()
        ));
    }
    let built = principal_entity
        .map_err(String::clone)
        .and_then(|entity| cedar_request(entity, action, resource))
        .map_err(|err| format!("denied: {err}"))?;
    Ok(cedar.is_authorized(&built.request, policies.cedar_set(), &built.entities))
}

/// The decision for Cedar's `response`, with its reason in words.
fn explain(
    policies: &LoadedPolicies,
    response: &Response,
    principal: &Principal,
    action: Action,
    resource: &Resource,
) -> AccessDecision {
    let mut deciding: Vec<&PolicyId> = response.diagnostics().reason().collect();
    deciding.sort();
    let mut failed: Vec<(&PolicyId, String)> = response
        .diagnostics()
        .errors()
        .map(|error| match error {
            AuthorizationError::PolicyEvaluationError(error) => {
                (error.policy_id(), error.inner().to_string())
            }
        })
        .collect();
    failed.sort();
    let errors: Vec<String> = failed
        .iter()
        .map(|(id, message)| format!("policy `{id}`: {message}"))
        .collect();

    let (allowed, reason, deciders) = match response.decision() {
        Decision::Allow if failed.is_empty() => (
            true,
            format!("permitted by {}", list_policies(policies, &deciding)),
            deciding,
        ),
        Decision::Deny if !deciding.is_empty() => (
            false,
            format!("forbidden by {}", list_policies(policies, &deciding)),
            deciding,
        ),
        Decision::Allow | Decision::Deny if !failed.is_empty() => {
            let failures: Vec<String> = failed
                .iter()
                .map(|(id, message)| format!("policy `{id}` could not be evaluated ({message})"))
                .collect();
            (
                false,
                format!("denied because {}", failures.join("; ")),
                failed.iter().map(|(id, _)| *id).collect(),
            )
        }
        Decision::Allow | Decision::Deny => (
            false,
            default_deny_reason(principal, action, resource),
            Vec::new(),
        ),
    };
    AccessDecision {
        allowed,
        reason,
        policies: deciders.iter().map(|id| id.to_string()).collect(),
        errors,
        fingerprint: policies.fingerprint().to_string(),
    }
}

/// "no policy permits role `app` (key k_1, crm) to `resolve_review` on
/// workflow `triage`", plus the grant when it leaves the workflow out.
fn default_deny_reason(principal: &Principal, action: Action, resource: &Resource) -> String {
    let mut reason = format!(
        "no policy permits role `{}` (key {}, {}) to `{action}` on {}",
        principal.role,
        principal.key_id,
        principal.name,
        resource.describe()
    );
    if let Resource::Workflow(workflow) = resource {
        if !principal.workflows.allows(&workflow.name) {
            reason.push_str(&format!(
                "; the key is not granted workflow `{}`",
                workflow.name
            ));
        }
    }
    reason
}

/// ``policy `a` (its reason)`` or ``policies `a` (its reason), `b` ``.
fn list_policies(policies: &LoadedPolicies, ids: &[&PolicyId]) -> String {
    let described: Vec<String> = ids.iter().map(|id| policies.describe(id)).collect();
    let noun = if ids.len() == 1 { "policy" } else { "policies" };
    format!("{noun} {}", described.join(", "))
}
