//! Turns a [`ReviewUpdate`] into the rows both backends write, checked
//! against the task as committed (read under the task's lock): the claim
//! to upsert, the claim to drop, the vote to insert (one per reviewer: a
//! second one is a `conflict`), and the task's new state, resolution and
//! overdue flag.

use airlock_core::{DeliveryRecord, Error, Result, ReviewTask};

use crate::review_codec::{ClaimColumns, ResolutionColumns, VoteColumns};
use crate::review_traits::ReviewUpdate;

/// What to write, in this order: drop `release`, upsert `claim`, insert
/// `vote`, update the task row (bumping `version`), insert `deliveries`.
pub(crate) struct TaskChange {
    pub review_id: String,
    pub release: Option<String>,
    pub claim: Option<ClaimColumns>,
    pub vote: Option<VoteColumns>,
    pub state: String,
    pub resolution: ResolutionColumns,
    pub overdue_notified: bool,
    pub deliveries: Vec<DeliveryRecord>,
    /// Appended to the audit chain in the same transaction, last.
    pub audit: Vec<airlock_core::AuditEvent>,
}

impl TaskChange {
    /// Plans `update` on `task`, the task as currently committed.
    pub(crate) fn plan(task: &ReviewTask, update: ReviewUpdate) -> Result<Self> {
        let review_id = task.id.to_string();
        if let Some(vote) = &update.vote {
            if task.votes.iter().any(|v| v.reviewer == vote.reviewer) {
                return Err(Error::conflict(format!(
                    "reviewer `{}` already voted on review task {}",
                    vote.reviewer, task.id
                ))
                .with_field("reviewer")
                .with_hint("each reviewer votes once per task"));
            }
        }
        let resolution = update.resolution.as_ref().or(task.resolution.as_ref());
        Ok(TaskChange {
            release: update.release,
            claim: update
                .claim
                .as_ref()
                .map(|claim| ClaimColumns::encode(&review_id, claim)),
            vote: update
                .vote
                .as_ref()
                .map(|vote| VoteColumns::encode(&review_id, vote))
                .transpose()?,
            state: update.state.unwrap_or(task.state).as_str().to_string(),
            resolution: ResolutionColumns::encode(resolution)?,
            // Once emitted, `review.overdue` stays emitted.
            overdue_notified: task.overdue_notified || update.overdue_notified,
            deliveries: update.deliveries,
            audit: update.audit,
            review_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::{
        ErrorKind, ReviewAction, ReviewId, ReviewState, RunId, Suggestion, Timestamp, Vote,
    };

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_ms(ms).expect("in range")
    }

    fn vote(reviewer: &str) -> Vote {
        Vote {
            reviewer: reviewer.into(),
            action: ReviewAction::Approve,
            output: None,
            label: None,
            reason: None,
            at: at(5),
            adjudication: false,
        }
    }

    fn task(votes: Vec<Vote>, overdue_notified: bool) -> ReviewTask {
        ReviewTask {
            id: ReviewId::new(),
            run_id: RunId::new(),
            workflow: "w".into(),
            workflow_version: "v".into(),
            rule: None,
            reason: None,
            priority: 0,
            created_at: at(0),
            due_at: at(10),
            suggestion: Suggestion {
                step: None,
                label: None,
                confidence: None,
                alternatives: serde_json::Value::Null,
                output: None,
            },
            required_reviews: 2,
            state: ReviewState::Open,
            claims: vec![],
            votes,
            resolution: None,
            overdue_notified,
            version: 3,
        }
    }

    #[test]
    fn a_second_vote_by_one_reviewer_is_a_conflict_naming_them() {
        let t = task(vec![vote("ann")], false);
        let update = ReviewUpdate {
            vote: Some(vote("ann")),
            ..ReviewUpdate::default()
        };
        let err = TaskChange::plan(&t, update).err().expect("duplicate vote");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(err.message().contains("`ann`"), "{}", err.message());
        let other = ReviewUpdate {
            vote: Some(vote("bob")),
            ..ReviewUpdate::default()
        };
        assert!(TaskChange::plan(&t, other).is_ok());
    }

    #[test]
    fn unchanged_fields_keep_their_values_and_overdue_never_unsets() {
        let t = task(vec![], true);
        let change = TaskChange::plan(&t, ReviewUpdate::default()).expect("plan");
        assert_eq!(change.state, "open");
        assert!(change.overdue_notified);
        assert!(change.resolution.resolution.is_none());
        let escalate = ReviewUpdate {
            state: Some(ReviewState::Escalated),
            ..ReviewUpdate::default()
        };
        assert_eq!(
            TaskChange::plan(&t, escalate).expect("plan").state,
            "escalated"
        );
    }
}
