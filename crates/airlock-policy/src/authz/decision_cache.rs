//! Remembered decisions of one policy set. A decision depends only on the
//! principal, the action, the resource and the policies (no request
//! context), so the answer for the same question under the same set is
//! always the same; Cedar's evaluation (entities built, every policy
//! walked) was about a tenth of a model call's CPU time in the gateway
//! benchmark. The cache lives beside its policy set and is swapped with
//! it, so a reload can never serve a decision of the old set.
//!
//! Bounded by emptying it when full: the keys are the distinct
//! (key, action, resource) triples in use, few in practice, so an LRU
//! would add bookkeeping to every hit for no gain.

use std::collections::HashMap;
use std::sync::Mutex;

use airlock_core::Principal;

use super::action::Action;
use super::decision::AccessDecision;
use super::resource::Resource;

/// Most decisions remembered before the cache starts over.
const MAX_ENTRIES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Question {
    principal: Principal,
    action: Action,
    resource: Resource,
}

/// Decisions of one policy set, by question.
#[derive(Debug, Default)]
pub(crate) struct DecisionCache {
    entries: Mutex<HashMap<Question, AccessDecision>>,
}

impl DecisionCache {
    /// The decision for the question, from the cache or from `decide`
    /// (then remembered).
    pub(crate) fn get_or_decide(
        &self,
        principal: &Principal,
        action: Action,
        resource: &Resource,
        decide: impl FnOnce() -> AccessDecision,
    ) -> AccessDecision {
        let question = Question {
            principal: principal.clone(),
            action,
            resource: resource.clone(),
        };
        if let Some(found) = self.lock().get(&question) {
            return found.clone();
        }
        // Decided outside the lock: two callers may both decide the same
        // new question; both get the same answer.
        let decision = decide();
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(question, decision.clone());
        decision
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Question, AccessDecision>> {
        // A panic while holding the lock cannot leave the map half-written
        // (insert and clear are whole operations), so a poisoned lock is
        // still a good map.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::{Role, WorkflowGrant};

    fn principal(key: &str) -> Principal {
        Principal {
            key_id: key.to_string(),
            name: "app".to_string(),
            role: Role::App,
            workflows: WorkflowGrant::All,
        }
    }

    fn decision(allowed: bool) -> AccessDecision {
        AccessDecision {
            allowed,
            reason: "test".to_string(),
            policies: vec![],
            errors: vec![],
            fingerprint: "f".to_string(),
        }
    }

    #[test]
    fn the_same_question_is_decided_once() {
        let cache = DecisionCache::default();
        let mut calls = 0;
        for _ in 0..3 {
            let got = cache.get_or_decide(
                &principal("a"),
                Action::CallModels,
                &Resource::Service,
                || {
                    calls += 1;
                    decision(true)
                },
            );
            assert!(got.allowed);
        }
        assert_eq!(calls, 1);
    }

    #[test]
    fn different_principals_and_actions_are_different_questions() {
        let cache = DecisionCache::default();
        cache.get_or_decide(
            &principal("a"),
            Action::CallModels,
            &Resource::Service,
            || decision(true),
        );
        let other_key = cache.get_or_decide(
            &principal("b"),
            Action::CallModels,
            &Resource::Service,
            || decision(false),
        );
        let other_action = cache.get_or_decide(
            &principal("a"),
            Action::ReadUsage,
            &Resource::Service,
            || decision(false),
        );
        assert!(!other_key.allowed);
        assert!(!other_action.allowed);
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let cache = DecisionCache::default();
        for i in 0..MAX_ENTRIES + 10 {
            cache.get_or_decide(
                &principal(&format!("k{i}")),
                Action::CallModels,
                &Resource::Service,
                || decision(true),
            );
        }
        assert!(cache.len() <= MAX_ENTRIES);
        assert!(cache.len() >= 10);
    }
}
