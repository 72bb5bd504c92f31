//! The records of the human review loop: review tasks with their claims,
//! votes and resolution; feedback from downstream systems; and webhook
//! deliveries with every attempt made to deliver them.
//!
//! A run whose decision is `review` creates one [`ReviewTask`] in the same
//! transaction as the run. Reviewers claim it (a lease that lapses by
//! itself), vote, and the task is resolved when enough votes agree (one
//! vote unless the workflow asks for consensus); disagreement escalates it
//! to an adjudicator whose vote is final.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use ulid::Ulid;

use crate::{Error, Result, RunId, Timestamp};

ulid_id!(
    /// Identifies one review task.
    ReviewId,
    "review_id"
);

ulid_id!(
    /// Identifies one feedback record.
    FeedbackId,
    "feedback_id"
);

ulid_id!(
    /// Identifies one webhook delivery (one event to one endpoint).
    DeliveryId,
    "delivery_id"
);

ulid_id!(
    /// Identifies one event; its deliveries to several endpoints share it.
    EventId,
    "event_id"
);

word_enum!(
    /// Where a review task stands, as stored. Whether an open task is
    /// claimed right now depends on the clock: see [`ReviewTask::status_at`].
    ReviewState, "status", {
        /// Waiting for (more) reviews.
        Open => "open",
        /// Reviewers disagreed; only an adjudicator may resolve it.
        Escalated => "escalated",
        /// Finally decided; nothing can change it.
        Resolved => "resolved",
    }
);

word_enum!(
    /// A task's status as the API shows it at one instant.
    ReviewStatus, "status", {
        Open => "open",
        /// Open or escalated, with a lease that has not expired.
        Claimed => "claimed",
        Escalated => "escalated",
        Resolved => "resolved",
    }
);

word_enum!(
    /// What a reviewer decided.
    ReviewAction, "action", {
        /// The model's suggestion stands.
        Approve => "approve",
        /// The reviewer's corrected output replaces the suggestion.
        Override => "override",
        /// Nothing is to be done with the run.
        Reject => "reject",
    }
);

word_enum!(
    /// The events delivered to webhooks.
    EventType, "event", {
        ReviewCreated => "review.created",
        ReviewResolved => "review.resolved",
        ReviewOverdue => "review.overdue",
    }
);

word_enum!(
    /// Where a webhook delivery stands.
    DeliveryStatus, "status", {
        /// Not delivered yet; attempted again at `next_attempt_at`.
        Pending => "pending",
        /// A receiver answered 2xx.
        Delivered => "delivered",
        /// Every attempt failed; no more will be made.
        Failed => "failed",
    }
);

/// What the model proposed for a run that went to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The classify step the label came from, if the workflow has one.
    pub step: Option<String>,
    pub label: Option<String>,
    pub confidence: Option<f64>,
    /// The classifier's runner-up labels with their probabilities, as the
    /// step recorded them (`[{"label": ..., "confidence": ...}]`).
    pub alternatives: Value,
    /// The run's output, i.e. what would go out if the suggestion stands.
    pub output: Option<Value>,
}

/// A reviewer's lease on a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub reviewer: String,
    pub claimed_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Claim {
    pub fn is_live_at(&self, now: Timestamp) -> bool {
        self.expires_at > now
    }
}

/// One reviewer's decision on a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vote {
    pub reviewer: String,
    pub action: ReviewAction,
    /// The corrected output (override only).
    pub output: Option<Value>,
    /// The label the reviewer settled on, when the workflow has one.
    pub label: Option<String>,
    pub reason: Option<String>,
    pub at: Timestamp,
    /// Cast by an adjudicator on an escalated task; final.
    pub adjudication: bool,
}

/// How a task was finally decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub action: ReviewAction,
    /// What goes out: the suggestion's output (approve), the corrected one
    /// (override) or nothing (reject).
    pub output: Option<Value>,
    /// The true label as the reviewers decided it, if any.
    pub label: Option<String>,
    pub reason: Option<String>,
    /// The reviewers whose votes decided it (the adjudicator alone after an
    /// escalation).
    pub decided_by: Vec<String>,
    pub resolved_at: Timestamp,
}

/// A run that a person must decide, with everything needed to decide it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewTask {
    pub id: ReviewId,
    pub run_id: RunId,
    pub workflow: String,
    pub workflow_version: String,
    /// The decision rule that escalated the run, and its stated reason.
    pub rule: Option<String>,
    pub reason: Option<String>,
    /// Higher is more urgent.
    pub priority: i32,
    pub created_at: Timestamp,
    /// From the workflow's review SLA.
    pub due_at: Timestamp,
    pub suggestion: Suggestion,
    /// Votes that must agree to resolve the task (1 without consensus).
    pub required_reviews: u32,
    pub state: ReviewState,
    /// Every claim ever taken, oldest first (expired ones included).
    pub claims: Vec<Claim>,
    /// Every vote cast, oldest first.
    pub votes: Vec<Vote>,
    pub resolution: Option<Resolution>,
    /// Whether `review.overdue` was already emitted.
    pub overdue_notified: bool,
    /// Bumped by every change; writers compare it to detect races.
    pub version: i64,
}

impl ReviewTask {
    /// The claims whose lease has not run out at `now`.
    pub fn live_claims(&self, now: Timestamp) -> impl Iterator<Item = &Claim> {
        self.claims.iter().filter(move |c| c.is_live_at(now))
    }

    /// The status the API shows at `now`.
    pub fn status_at(&self, now: Timestamp) -> ReviewStatus {
        match self.state {
            ReviewState::Resolved => ReviewStatus::Resolved,
            _ if self.live_claims(now).next().is_some() => ReviewStatus::Claimed,
            ReviewState::Open => ReviewStatus::Open,
            ReviewState::Escalated => ReviewStatus::Escalated,
        }
    }

    /// Unresolved past its due time.
    pub fn is_overdue_at(&self, now: Timestamp) -> bool {
        self.state != ReviewState::Resolved && self.due_at <= now
    }
}

/// What a downstream system reported about a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRecord {
    pub id: FeedbackId,
    pub run_id: RunId,
    pub workflow: String,
    /// The client's idempotency key: unique per run.
    pub key: String,
    /// The true label, if the reporter knows it.
    pub label: Option<String>,
    /// A numeric judgement (e.g. a rating).
    pub score: Option<f64>,
    /// What happened downstream, e.g. `ticket_reopened`.
    pub outcome: Option<String>,
    pub comment: Option<String>,
    pub created_at: Timestamp,
}

/// One event to deliver to one webhook endpoint, kept in the database
/// (the outbox) until delivered or given up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub id: DeliveryId,
    pub event_id: EventId,
    pub event: EventType,
    /// The endpoint's name in config.
    pub endpoint: String,
    pub url: String,
    /// The JSON body sent (signed at send time).
    pub payload: Value,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// One try at delivering a webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub delivery_id: DeliveryId,
    /// 1 for the first try.
    pub attempt: u32,
    pub started_at: Timestamp,
    pub duration_ms: u64,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// Why the attempt failed (connection error, timeout, non-2xx).
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(state: ReviewState, claims: Vec<Claim>) -> ReviewTask {
        let at = |ms| Timestamp::from_unix_ms(ms).expect("in range");
        ReviewTask {
            id: ReviewId::new(),
            run_id: RunId::new(),
            workflow: "w".into(),
            workflow_version: "v".into(),
            rule: None,
            reason: None,
            priority: 0,
            created_at: at(0),
            due_at: at(1_000),
            suggestion: Suggestion {
                step: None,
                label: None,
                confidence: None,
                alternatives: Value::Null,
                output: None,
            },
            required_reviews: 1,
            state,
            claims,
            votes: vec![],
            resolution: None,
            overdue_notified: false,
            version: 0,
        }
    }

    #[test]
    fn status_depends_on_the_lease_and_the_clock() {
        let at = |ms| Timestamp::from_unix_ms(ms).expect("in range");
        let claim = Claim {
            reviewer: "ann".into(),
            claimed_at: at(100),
            expires_at: at(500),
        };
        let t = task(ReviewState::Open, vec![claim]);
        assert_eq!(t.status_at(at(499)), ReviewStatus::Claimed);
        assert_eq!(t.status_at(at(500)), ReviewStatus::Open, "lease lapsed");
        assert!(!t.is_overdue_at(at(999)));
        assert!(t.is_overdue_at(at(1_000)));
        let done = task(ReviewState::Resolved, vec![]);
        assert!(!done.is_overdue_at(at(5_000)));
        assert_eq!(done.status_at(at(0)), ReviewStatus::Resolved);
    }

    #[test]
    fn event_words_are_dotted() {
        assert_eq!(EventType::ReviewResolved.as_str(), "review.resolved");
        assert_eq!(
            "review.overdue".parse::<EventType>().expect("valid"),
            EventType::ReviewOverdue
        );
    }
}
