//! The review queue's public operations on [`Engine`]. Each reads the
//! clock once (`Timestamp::now()`) and calls its `_at` twin, which takes
//! `now` so tests and tools control time.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use airlock_config::{ReviewSettings, WebhookSettings};
use airlock_core::{
    Error, ErrorKind, EventType, Result, ReviewAction, ReviewId, ReviewState, ReviewTask, RunId,
    RunRecord, Timestamp,
};
use airlock_store::{Page, ReviewFilter, ReviewStore, ReviewUpdate};
use airlock_webhooks::DeliveryWaker;
use airlock_workflow::ReviewPolicy;
use serde_json::Value;

use super::access::reviewer_name;
use super::claim::{decide_claim, decide_release};
use super::overdue::decide_overdue;
use super::resolve::{check_request, decide_resolve};
use super::{events, ReviewConfig};
use crate::engine::Engine;
use crate::metrics_names as m;

/// Tasks the overdue sweep reads per page.
const SWEEP_PAGE: u32 = 200;

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
        let waker = self.inner.review.delivery_waker.clone();
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.review = ReviewConfig {
            delivery_waker: waker,
            ..ReviewConfig::new(review, webhooks)
        };
        Engine {
            inner: Arc::new(inner),
        }
    }

    /// The same engine, waking `waker` (the webhook dispatcher) whenever
    /// it committed webhook deliveries, so they go out without waiting for
    /// the dispatcher's next poll.
    pub fn with_delivery_waker(self, waker: DeliveryWaker) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.review.delivery_waker = Some(waker);
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
        let reviewer = reviewer_name(reviewer)?;
        let adjudicator = self.inner.review.is_adjudicator(&reviewer);
        // The lease is the task's workflow's, looked up on the task the
        // store has just locked (no separate read first).
        let inner = Arc::clone(&self.inner);
        self.update_review(id, move |task| {
            let lease = inner
                .workflows
                .get(&task.workflow)
                .map_or(ReviewPolicy::DEFAULT_LEASE, |w| w.review.lease);
            decide_claim(task, &reviewer, adjudicator, now, lease)
        })
        .await
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
        let reviewer = reviewer_name(reviewer)?;
        self.update_review(id, move |task| decide_release(task, &reviewer, now))
            .await
    }

    /// Records `request` as a vote on task `id`; resolves the task when
    /// the vote decides it. Two reviewers racing to resolve one task get
    /// one success and one `conflict` naming who resolved it and when.
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
        let reviewer = reviewer_name(&request.reviewer)?;
        let adjudicator = self.inner.review.is_adjudicator(&reviewer);
        let inner = Arc::clone(&self.inner);
        let task = self
            .update_review(id, move |task| {
                // The request is checked first, against the locked task's
                // workflow (an override must meet its output contract); an
                // error rolls back, so nothing is written.
                let workflow = inner.workflows.get(&task.workflow).map(|w| &**w);
                let ballot = check_request(request, workflow, &task.workflow)?;
                let mut update = decide_resolve(task, &ballot, adjudicator, now)?;
                if let Some(resolution) = &update.resolution {
                    let data = events::resolved(task, resolution);
                    update.deliveries = events::deliveries(
                        EventType::ReviewResolved,
                        task,
                        data,
                        &inner.review.webhooks,
                        now,
                    );
                }
                Ok(update)
            })
            .await?;
        self.record_vote_metrics(&task);
        Ok(task)
    }

    /// Emits `review.overdue` once for every unresolved task past its due
    /// time; returns how many were announced by this call.
    pub async fn sweep_overdue(&self) -> Result<usize> {
        self.sweep_overdue_at(Timestamp::now()).await
    }

    /// [`Engine::sweep_overdue`] at the instant `now`. Safe to run in
    /// several processes at once: each task is announced by one of them.
    pub async fn sweep_overdue_at(&self, now: Timestamp) -> Result<usize> {
        let mut filter = ReviewFilter {
            overdue: Some(true),
            overdue_notified: Some(false),
            limit: Some(SWEEP_PAGE),
            ..ReviewFilter::at(now)
        };
        let mut announced = 0;
        loop {
            let page = self.inner.store.list_reviews(&filter).await?;
            for task in &page.items {
                let webhooks = Arc::clone(&self.inner.review.webhooks);
                let result = self
                    .update_review(task.id, move |task| {
                        let mut update = decide_overdue(task, now)?;
                        let data = events::overdue(task, now);
                        update.deliveries = events::deliveries(
                            EventType::ReviewOverdue,
                            task,
                            data,
                            &webhooks,
                            now,
                        );
                        Ok(update)
                    })
                    .await;
                match result {
                    Ok(task) => {
                        announced += 1;
                        metrics::counter!(m::REVIEWS_OVERDUE_TOTAL, "workflow" => task.workflow)
                            .increment(1);
                    }
                    // Announced meanwhile (another process) or resolved.
                    Err(e) if e.kind() == ErrorKind::Conflict => {}
                    Err(e) => {
                        tracing::warn!(review = %task.id, error = %e, "could not announce an overdue review");
                    }
                }
            }
            match page.next_cursor {
                Some(cursor) => filter.cursor = Some(cursor),
                None => return Ok(announced),
            }
        }
    }

    /// Runs [`Engine::sweep_overdue`] every `every` until `shutdown`
    /// completes (errors are logged and the loop goes on); a sweep under
    /// way finishes first. The server spawns it.
    pub async fn sweep_overdue_every(
        self,
        every: Duration,
        shutdown: impl Future<Output = ()> + Send,
    ) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = ticks.tick() => {
                    match self.sweep_overdue().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(announced = n, "overdue reviews announced"),
                        Err(e) => tracing::warn!(error = %e, "overdue review sweep failed"),
                    }
                }
            }
        }
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

    /// Applies `decide` to task `id` in the store's locking transaction and
    /// wakes the webhook dispatcher if the change enqueued deliveries.
    async fn update_review(
        &self,
        id: ReviewId,
        decide: impl FnOnce(&ReviewTask) -> Result<ReviewUpdate> + Send + 'static,
    ) -> Result<ReviewTask> {
        let enqueued = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&enqueued);
        let task = self
            .inner
            .store
            .update_review(
                id,
                Box::new(move |task| {
                    let mut update = decide(task)?;
                    update.audit = super::audit::events_for(task, &update);
                    flag.store(
                        !update.deliveries.is_empty(),
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    Ok(update)
                }),
            )
            .await
            .map_err(|e| match e.kind() {
                ErrorKind::NotFound => review_not_found(id),
                _ => e,
            })?;
        if enqueued.load(std::sync::atomic::Ordering::Relaxed) {
            self.inner.review.wake_dispatcher();
        }
        Ok(task)
    }

    /// Counts a vote that resolved or escalated `task`.
    fn record_vote_metrics(&self, task: &ReviewTask) {
        match (&task.state, &task.resolution) {
            (ReviewState::Resolved, Some(resolution)) => {
                metrics::counter!(
                    m::REVIEWS_RESOLVED_TOTAL,
                    "workflow" => task.workflow.clone(),
                    "action" => resolution.action.as_str()
                )
                .increment(1);
                let waited_ms = resolution.resolved_at.unix_ms() - task.created_at.unix_ms();
                metrics::histogram!(m::REVIEW_DURATION_SECONDS, "workflow" => task.workflow.clone())
                    .record(waited_ms.max(0) as f64 / 1e3);
            }
            (ReviewState::Escalated, _) => {
                metrics::counter!(m::REVIEWS_ESCALATED_TOTAL, "workflow" => task.workflow.clone())
                    .increment(1);
            }
            _ => {}
        }
    }
}

/// `not_found` for a review id.
pub(crate) fn review_not_found(id: ReviewId) -> Error {
    Error::not_found(format!("no review task with id {id}")).with_field("id")
}
