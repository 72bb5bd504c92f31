//! The model gateway: hosted and local models behind the OpenAI-shaped
//! endpoints, with budgets, cost and a durable record of every call.
//!
//! [`Gateway`] holds the [`ModelRouter`] (routes and their fallback
//! chains, each target wrapped in its resilience layers) and the budgets.
//! The engine's `chat`, `chat_stream` and `embed` ([`calls`]) reserve
//! budget, call the router, settle the budget with the real cost, and
//! commit a run of the pseudo-workflow `model:<route>` (its steps are the
//! attempts, its cost the priced usage) before answering.

mod budget;
mod build;
mod calls;
mod local;
mod record;

use std::sync::Arc;

use airlock_config::BudgetSettings;
use airlock_policy::pii::{PiiDetector, RedactionMode, Redactor};
use airlock_providers::ModelRouter;

pub use build::build_gateway;
pub use calls::{ChatAnswer, ChatCall, ChatEvent, ChatEvents, EmbedAnswer, EmbedCall};
pub use local::LocalProvider;

/// The prefix of the workflow name a direct model call is recorded under.
pub const MODEL_WORKFLOW_PREFIX: &str = "model:";

/// Routes, providers and budgets; shared by every request.
pub struct Gateway {
    pub(crate) router: ModelRouter,
    pub(crate) budgets: Vec<BudgetSettings>,
    /// Each route's default data class, by route name.
    pub(crate) data_classes: std::collections::HashMap<String, String>,
    /// What stored requests and answers go through: every detector,
    /// placeholders.
    pub(crate) redactor: Redactor,
}

impl Gateway {
    pub fn new(router: ModelRouter, budgets: Vec<BudgetSettings>) -> airlock_core::Result<Self> {
        Ok(Gateway {
            router,
            budgets,
            data_classes: Default::default(),
            redactor: Redactor::new(PiiDetector::all()?, RedactionMode::Placeholder),
        })
    }

    pub fn router(&self) -> &ModelRouter {
        &self.router
    }
}

impl crate::Engine {
    /// The same engine serving model calls through `gateway`.
    pub fn with_gateway(self, gateway: Arc<Gateway>) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.gateway = Some(gateway);
        crate::Engine {
            inner: Arc::new(inner),
        }
    }

    /// The gateway, or `not_found` when no routes are configured.
    pub fn gateway(&self) -> airlock_core::Result<&Arc<Gateway>> {
        self.inner.gateway.as_ref().ok_or_else(|| {
            airlock_core::Error::not_found("no models are configured")
                .with_hint("add [[routes]] (and [[providers]]) to the configuration")
        })
    }
}
