//! The review queue's public operations on [`Engine`]. Each reads the
//! clock once (`Timestamp::now()`) and calls its `_at` twin, which takes
//! `now` so tests and tools control time.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use airlock_config::{ReviewSettings, WebhookSettings};
use airlock_core::{
    Error, Result, ReviewAction, ReviewId, ReviewTask, RunId, RunRecord, Timestamp,
};
use airlock_store::{Page, ReviewFilter, ReviewStore};
use serde_json::Value;
use tokio::sync::Notify;

use super::ReviewConfig;
use crate::engine::Engine;

/// A reviewer's decision on a task, as `resolve_review` takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolveRequest {
    /// Who decides (until API keys exist, whoever the caller says).
    pub reviewer: String,
    pub action: ReviewAction,
    /// The corrected output: required for `override`, refused otherwise.
    pub output: Option<Value>,
    /// The true label; by default the override output's `label_field`, or
    /// the suggestion's label for `approve`.
    pub label: Option<String>,
    /// Why: required for `override` and `reject`.
    pub reason: Option<String>,
}

impl Engine {
    /// The same engine with server-wide review settings (adjudicators) and
    /// the webhook endpoints review events are delivered to.
    pub fn with_review_settings(
        self,
        review: ReviewSettings,
        webhooks: Vec<WebhookSettings>,
    ) -> Self {
        let notify = self.inner.review.delivery_notify.clone();
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.review = ReviewConfig {
            delivery_notify: notify,
            ..ReviewConfig::new(review, webhooks)
        };
        Engine {
            inner: Arc::new(inner),
        }
    }

    /// The same engine, poking `notify` whenever it enqueued webhook
    /// deliveries (the webhook dispatcher waits on it between polls).
    pub fn with_delivery_notify(self, notify: Arc<Notify>) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.review.delivery_notify = Some(notify);
        Engine {
            inner: Arc::new(inner),
        }
    }

    /// The review task with `id`, or `not_found` naming it.
    pub async fn get_review(&self, id: ReviewId) -> Result<ReviewTask> {
        self.inner
            .store
            .get_review(id)
            .await?
            .ok_or_else(|| review_not_found(id))
    }

    /// Review tasks matching `filter`, oldest due first.
    pub async fn list_reviews(&self, filter: &ReviewFilter) -> Result<Page<ReviewTask>> {
        self.inner.store.list_reviews(filter).await
    }

    /// Claims task `id` for `reviewer` for the workflow's lease (renewing
    /// the reviewer's own claim).
    pub async fn claim_review(&self, id: ReviewId, reviewer: &str) -> Result<ReviewTask> {
        self.claim_review_at(id, reviewer, Timestamp::now()).await
    }

    /// [`Engine::claim_review`] at the instant `now`.
    pub async fn claim_review_at(
        &self,
        id: ReviewId,
        reviewer: &str,
        now: Timestamp,
    ) -> Result<ReviewTask> {
        let _ = (id, reviewer, now);
        Err(Error::internal("claim_review is not built yet"))
    }

    /// Gives up `reviewer`'s claim on task `id`.
    pub async fn release_review(&self, id: ReviewId, reviewer: &str) -> Result<ReviewTask> {
        self.release_review_at(id, reviewer, Timestamp::now()).await
    }

    /// [`Engine::release_review`] at the instant `now`.
    pub async fn release_review_at(
        &self,
        id: ReviewId,
        reviewer: &str,
        now: Timestamp,
    ) -> Result<ReviewTask> {
        let _ = (id, reviewer, now);
        Err(Error::internal("release_review is not built yet"))
    }

    /// Records `request` as a vote on task `id`; resolves the task when
    /// the vote decides it.
    pub async fn resolve_review(
        &self,
        id: ReviewId,
        request: ResolveRequest,
    ) -> Result<ReviewTask> {
        self.resolve_review_at(id, request, Timestamp::now()).await
    }

    /// [`Engine::resolve_review`] at the instant `now`.
    pub async fn resolve_review_at(
        &self,
        id: ReviewId,
        request: ResolveRequest,
        now: Timestamp,
    ) -> Result<ReviewTask> {
        let _ = (id, request, now);
        Err(Error::internal("resolve_review is not built yet"))
    }

    /// Emits `review.overdue` once for every unresolved task past its due
    /// time; returns how many were announced by this call.
    pub async fn sweep_overdue(&self) -> Result<usize> {
        self.sweep_overdue_at(Timestamp::now()).await
    }

    /// [`Engine::sweep_overdue`] at the instant `now`.
    pub async fn sweep_overdue_at(&self, now: Timestamp) -> Result<usize> {
        let _ = now;
        Err(Error::internal("sweep_overdue is not built yet"))
    }

    /// Runs [`Engine::sweep_overdue`] every `every` until `shutdown`
    /// completes (errors are logged, the loop goes on). The server spawns it.
    pub async fn sweep_overdue_every(self, every: Duration, shutdown: impl Future<Output = ()>) {
        let _ = (every, shutdown);
    }

    /// The run with `id` and its review task, if it has one.
    pub async fn get_run_with_review(&self, id: RunId) -> Result<(RunRecord, Option<ReviewTask>)> {
        let run = self.get_run(id).await?;
        let review = match run.review_id {
            Some(review_id) => self.inner.store.get_review(review_id).await?,
            None => None,
        };
        Ok((run, review))
    }
}

/// `not_found` for a review id.
pub(crate) fn review_not_found(id: ReviewId) -> Error {
    Error::not_found(format!("no review task with id {id}")).with_field("id")
}
