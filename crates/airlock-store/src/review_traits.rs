//! The storage interfaces of the human review loop: review tasks (created
//! with their run, changed only inside a locking transaction), feedback,
//! the webhook outbox, and the counts quality is computed from.
//!
//! Every rule about *what* may change (who may claim, when votes agree,
//! what an override must satisfy) lives with the caller, in the engine: the
//! store locks the task, hands its current state to a [`ReviewDecider`] and
//! applies the [`ReviewUpdate`] it returns in the same transaction. So the
//! rules are written once for both backends, and two racing writers (tasks,
//! or processes sharing PostgreSQL) see each other's committed changes and
//! never both succeed.

use std::time::Duration;

use airlock_core::{
    Claim, Decision, DeliveryAttempt, DeliveryId, DeliveryRecord, DeliveryStatus, EventType,
    FeedbackRecord, Resolution, Result, ReviewAction, ReviewId, ReviewState, ReviewStatus,
    ReviewTask, RunId, RunRecord, Timestamp, Vote,
};
use async_trait::async_trait;

use crate::traits::{Inserted, Page};

/// A review task to create together with its run, and the webhook
/// deliveries announcing it (`review.created`), all in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    /// `task.run_id` must be the run's id and `run.review_id` the task's id.
    pub task: ReviewTask,
    pub deliveries: Vec<DeliveryRecord>,
}

/// Looks at a task as currently committed (inside the locking transaction)
/// and says how to change it, or fails (nothing is written and the error
/// is returned to the caller, e.g. a `conflict`).
pub type ReviewDecider = Box<dyn FnOnce(&ReviewTask) -> Result<ReviewUpdate> + Send>;

/// The change a [`ReviewDecider`] asks for. The store bumps `version`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewUpdate {
    /// Takes or renews this reviewer's claim (replacing their earlier one).
    pub claim: Option<Claim>,
    /// Drops this reviewer's claim.
    pub release: Option<String>,
    /// Records this vote (one per reviewer per task).
    pub vote: Option<Vote>,
    /// The new stored state; `None` keeps it.
    pub state: Option<ReviewState>,
    /// Set when the task is finally decided (state `resolved`).
    pub resolution: Option<Resolution>,
    /// Marks `review.overdue` as emitted.
    pub overdue_notified: bool,
    /// Webhook deliveries to enqueue in the same transaction.
    pub deliveries: Vec<DeliveryRecord>,
    /// What to append to the audit chain in the same transaction (who
    /// claimed, voted, resolved).
    pub audit: Vec<airlock_core::AuditEvent>,
}

/// Which tasks [`ReviewStore::list_reviews`] returns, oldest-due first.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewFilter {
    pub workflow: Option<String>,
    /// Only tasks of these workflows (what the caller may see); empty
    /// matches nothing.
    pub workflows: Option<Vec<String>>,
    /// Evaluated at `now` (a task is `claimed` while a lease is live).
    pub status: Option<ReviewStatus>,
    /// `Some(true)`: unresolved and due at or before `now`.
    pub overdue: Option<bool>,
    /// Only tasks whose `review.overdue` was (not) emitted yet.
    pub overdue_notified: Option<bool>,
    /// The suggested label.
    pub label: Option<String>,
    /// Only tasks created at or before this instant (i.e. at least this old).
    pub created_before: Option<Timestamp>,
    /// The clock the status and overdue filters use.
    pub now: Timestamp,
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ReviewFilter {
    /// Everything, at `now`.
    pub fn at(now: Timestamp) -> Self {
        ReviewFilter {
            workflow: None,
            workflows: None,
            status: None,
            overdue: None,
            overdue_notified: None,
            label: None,
            created_before: None,
            now,
            limit: None,
            cursor: None,
        }
    }
}

/// Review tasks.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Commits `run` and, unless the run's idempotency key was already
    /// used (then nothing is written, as in [`crate::RunStore::insert`]),
    /// `review.task` and `review.deliveries` in the same transaction.
    async fn insert_run_with_review(&self, run: RunRecord, review: NewReview) -> Result<Inserted>;

    /// The task with its claims and votes, or `None`.
    async fn get_review(&self, id: ReviewId) -> Result<Option<ReviewTask>>;

    /// Tasks matching `filter`, oldest due first (then by id).
    async fn list_reviews(&self, filter: &ReviewFilter) -> Result<Page<ReviewTask>>;

    /// Locks task `id`, calls `decide` with its committed state and applies
    /// the update, all in one transaction; returns the task as committed.
    /// `not_found` if there is no such task; `decide`'s error unchanged.
    async fn update_review(&self, id: ReviewId, decide: ReviewDecider) -> Result<ReviewTask>;
}

/// What [`FeedbackStore::insert_feedback`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedbackInserted {
    Created(FeedbackRecord),
    /// The run already has feedback with this key; this is it, unchanged.
    Existing(FeedbackRecord),
}

/// Which feedback [`FeedbackStore::list_feedback`] returns, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedbackFilter {
    pub workflow: Option<String>,
    pub run_id: Option<RunId>,
    /// Only records that carry a label.
    pub labelled: bool,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Feedback from downstream systems.
#[async_trait]
pub trait FeedbackStore: Send + Sync {
    /// Commits `record` unless the run already has feedback with the same
    /// key (also under concurrent inserts), in which case that is returned.
    async fn insert_feedback(&self, record: FeedbackRecord) -> Result<FeedbackInserted>;

    async fn list_feedback(&self, filter: &FeedbackFilter) -> Result<Page<FeedbackRecord>>;
}

/// What happens to a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryNext {
    Delivered,
    /// Try again at this instant.
    RetryAt(Timestamp),
    /// No more attempts; the delivery is `failed`.
    GiveUp,
}

/// Which deliveries [`OutboxStore::list_deliveries`] returns, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    pub event: Option<EventType>,
    pub endpoint: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The webhook outbox: deliveries waiting to be sent, and every attempt.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Takes up to `limit` pending deliveries due at `now` that no other
    /// dispatcher holds, and holds them for `lease` (so a dispatcher that
    /// dies mid-send releases them by itself). Safe across processes.
    async fn claim_due_deliveries(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>>;

    /// Records one attempt and moves the delivery on as `next` says, in one
    /// transaction; releases the dispatcher's hold. `attempt.attempt` must
    /// be the stored `attempts + 1` (else `conflict` on field `attempt`);
    /// a delivered or failed delivery takes no more attempts (`conflict`);
    /// an unknown one is `not_found`.
    async fn record_attempt(&self, attempt: DeliveryAttempt, next: DeliveryNext) -> Result<()>;

    async fn get_delivery(&self, id: DeliveryId) -> Result<Option<DeliveryRecord>>;

    async fn list_deliveries(&self, filter: &DeliveryFilter) -> Result<Page<DeliveryRecord>>;

    /// Every attempt at one delivery, oldest first (none for an unknown id).
    async fn list_attempts(&self, id: DeliveryId) -> Result<Vec<DeliveryAttempt>>;
}

/// Runs of one workflow version with one decision.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionCount {
    pub workflow_version: String,
    pub decision: Decision,
    pub runs: u64,
}

/// Review tasks of one workflow version in one state (and, once resolved,
/// with one action).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewCount {
    pub workflow_version: String,
    pub state: ReviewState,
    pub action: Option<ReviewAction>,
    pub tasks: u64,
    /// Of those, resolved after their due time or unresolved past it.
    pub sla_breached: u64,
}

/// Resolved tasks of one workflow version whose suggestion said
/// `suggested` and whose reviewers settled on `actual`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelPairCount {
    pub workflow_version: String,
    pub suggested: Option<String>,
    pub actual: String,
    pub tasks: u64,
}

/// The unresolved tasks of a workflow at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Backlog {
    pub open: u64,
    pub escalated: u64,
    /// Unresolved and past due.
    pub overdue: u64,
    pub oldest_created_at: Option<Timestamp>,
}

/// Feedback of one workflow, summarised.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeedbackSummary {
    pub records: u64,
    pub labelled: u64,
    /// Mean of the scores given, if any.
    pub mean_score: Option<f64>,
    /// How often each outcome was reported.
    pub outcomes: Vec<(String, u64)>,
}

/// The raw counts quality is computed from, for one workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityCounts {
    pub decisions: Vec<DecisionCount>,
    pub reviews: Vec<ReviewCount>,
    pub labels: Vec<LabelPairCount>,
    pub backlog: Backlog,
    pub feedback: FeedbackSummary,
}

/// Aggregates for quality reporting, computed by the database.
#[async_trait]
pub trait QualityStore: Send + Sync {
    /// Counts for `workflow` over runs created at or after `since` (all
    /// when `None`); the backlog and SLA breaches are judged at `now`.
    async fn quality_counts(
        &self,
        workflow: &str,
        since: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<QualityCounts>;
}
