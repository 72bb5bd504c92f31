//! The [`Authorizer`]: the current policy set behind an [`ArcSwap`], so
//! every decision reads one consistent set without locking while a reload
//! swaps in a new one atomically, and only once it is wholly valid. Each
//! set carries its own [`DecisionCache`], swapped with it.

use std::sync::Arc;

use airlock_core::Principal;
use arc_swap::ArcSwap;

use super::action::Action;
use super::decision::{allowed_in_listing, decide, AccessDecision};
use super::decision_cache::DecisionCache;
use super::entities::PrincipalEntity;
use super::load::LoadedPolicies;
use super::problem::PolicyProblem;
use super::resource::{Resource, WorkflowResource};
use super::sources::PolicySources;

/// Decides requests against the current policy set (default-deny).
pub struct Authorizer {
    current: ArcSwap<Current>,
    cedar: cedar_policy::Authorizer,
}

/// A policy set and the decisions made with it.
struct Current {
    policies: Arc<LoadedPolicies>,
    decisions: DecisionCache,
}

impl Current {
    fn new(policies: LoadedPolicies) -> Self {
        Current {
            policies: Arc::new(policies),
            decisions: DecisionCache::default(),
        }
    }
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

impl Authorizer {
    /// Loads `sources`; every problem in every source is returned at once.
    pub fn new(sources: &PolicySources) -> Result<Self, Vec<PolicyProblem>> {
        LoadedPolicies::load(sources).map(Authorizer::from_loaded)
    }

    /// An authorizer deciding with `policies` (e.g. loaded beforehand by
    /// `airlock check` to print warnings).
    pub fn from_loaded(policies: LoadedPolicies) -> Self {
        Authorizer {
            current: ArcSwap::from_pointee(Current::new(policies)),
            cedar: cedar_policy::Authorizer::new(),
        }
    }

    /// Loads `sources` and, only if they are wholly valid, makes them the
    /// current policy set; otherwise the old set stays in force and every
    /// problem is returned. Decisions in flight finish with the set they
    /// started with.
    pub fn reload(&self, sources: &PolicySources) -> Result<(), Vec<PolicyProblem>> {
        let loaded = LoadedPolicies::load(sources)?;
        self.current.store(Arc::new(Current::new(loaded)));
        Ok(())
    }

    /// The current policy set (its policies, warnings and fingerprint).
    pub fn current(&self) -> Arc<LoadedPolicies> {
        Arc::clone(&self.current.load().policies)
    }

    /// The fingerprint of the current policy set. To record which set made
    /// a decision, use [`AccessDecision::fingerprint`] instead: a reload may
    /// happen in between.
    pub fn fingerprint(&self) -> String {
        self.current.load().policies.fingerprint().to_string()
    }

    /// Whether `principal` may do `action` on `resource`, and why.
    pub fn authorize(
        &self,
        principal: &Principal,
        action: Action,
        resource: &Resource,
    ) -> AccessDecision {
        let current = self.current.load();
        current
            .decisions
            .get_or_decide(principal, action, resource, || {
                let entity = PrincipalEntity::new(principal);
                decide(
                    &current.policies,
                    &self.cedar,
                    principal,
                    entity.as_ref(),
                    action,
                    resource,
                )
            })
    }

    /// The names of those of `workflows` that `principal` may do `action`
    /// on, in the given order (for listings such as `GET /v1/runs`). Empty
    /// for an action that does not apply to workflows.
    pub fn allowed_workflows(
        &self,
        principal: &Principal,
        action: Action,
        workflows: &[WorkflowResource],
    ) -> Vec<String> {
        let current = self.current.load();
        let entity = PrincipalEntity::new(principal);
        allowed_in_listing(
            &current.policies,
            &self.cedar,
            entity.as_ref(),
            action,
            workflows,
        )
    }
}
