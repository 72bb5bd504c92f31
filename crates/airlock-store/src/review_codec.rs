//! Converts review tasks, their claims and their votes to and from the
//! column values both backends store (JSON as text, timestamps as Unix
//! milliseconds), checking what a database cannot: that numbers fit and
//! that stored text still parses. A task's `suggested_label` and
//! `resolved_*` columns are derived here from its JSON, so they never
//! disagree with it.

use std::collections::HashMap;

use airlock_core::{
    Claim, DeliveryRecord, Error, Resolution, Result, ReviewTask, RunRecord, Timestamp, Vote,
};
use sqlx::{ColumnIndex, Decode, Row, Type};

use crate::codec::{corrupt, from_json, to_json};
use crate::review_traits::NewReview;
use crate::sql_error::map_sqlx;

/// One `review_tasks` row as plain values.
pub(crate) struct ReviewColumns {
    pub id: String,
    pub run_id: String,
    pub workflow: String,
    pub workflow_version: String,
    pub rule: Option<String>,
    pub reason: Option<String>,
    pub priority: i32,
    pub created_at_ms: i64,
    pub due_at_ms: i64,
    pub suggestion: String,
    pub suggested_label: Option<String>,
    pub required_reviews: i32,
    pub state: String,
    pub resolution: ResolutionColumns,
    pub overdue_notified: bool,
    pub version: i64,
}

/// A task's resolution: the JSON and the columns quality queries use.
#[derive(Default)]
pub(crate) struct ResolutionColumns {
    pub resolution: Option<String>,
    pub resolved_action: Option<String>,
    pub resolved_label: Option<String>,
    pub resolved_at_ms: Option<i64>,
}

/// One `review_claims` row as plain values.
pub(crate) struct ClaimColumns {
    pub review_id: String,
    pub reviewer: String,
    pub claimed_at_ms: i64,
    pub expires_at_ms: i64,
}

/// One `review_votes` row as plain values.
pub(crate) struct VoteColumns {
    pub review_id: String,
    pub reviewer: String,
    pub action: String,
    pub output: Option<String>,
    pub label: Option<String>,
    pub reason: Option<String>,
    pub at_ms: i64,
    pub adjudication: bool,
}

/// A task to create with its run, and its webhook deliveries, checked and
/// encoded on the caller's task so the group committer only writes.
pub(crate) struct NewReviewColumns {
    pub task: ReviewColumns,
    pub deliveries: Vec<DeliveryRecord>,
}

impl NewReviewColumns {
    /// Checks that `review` belongs to `run` and is new, and encodes it.
    pub(crate) fn encode(run: &RunRecord, review: NewReview) -> Result<Self> {
        let task = &review.task;
        if task.run_id != run.id {
            return Err(Error::invalid_input(format!(
                "review task {} is for run {}, not for run {}",
                task.id, task.run_id, run.id
            ))
            .with_field("run_id"));
        }
        if run.review_id != Some(task.id) {
            let named = match run.review_id {
                Some(id) => format!("review task {id}"),
                None => "no review task".to_string(),
            };
            return Err(Error::invalid_input(format!(
                "run {} names {named}, but review task {} is stored with it",
                run.id, task.id
            ))
            .with_field("review_id")
            .with_hint("set the run's review_id to the task's id"));
        }
        if !task.claims.is_empty() || !task.votes.is_empty() {
            return Err(Error::invalid_input(format!(
                "new review task {} already has claims or votes",
                task.id
            ))
            .with_field("claims")
            .with_hint("create the task without them and use update_review"));
        }
        Ok(NewReviewColumns {
            task: ReviewColumns::encode(task)?,
            deliveries: review.deliveries,
        })
    }
}

impl ReviewColumns {
    /// The task's own row (its claims and votes are rows of their own).
    pub(crate) fn encode(task: &ReviewTask) -> Result<Self> {
        if let Some(confidence) = task.suggestion.confidence {
            if !confidence.is_finite() {
                return Err(Error::invalid_input(format!(
                    "review task {}: suggested confidence {confidence} is not a finite number",
                    task.id
                ))
                .with_field("suggestion.confidence"));
            }
        }
        let required_reviews = i32::try_from(task.required_reviews)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "review task {}: required_reviews {} is outside 1..={}",
                    task.id,
                    task.required_reviews,
                    i32::MAX
                ))
                .with_field("required_reviews")
            })?;
        Ok(ReviewColumns {
            id: task.id.to_string(),
            run_id: task.run_id.to_string(),
            workflow: task.workflow.clone(),
            workflow_version: task.workflow_version.clone(),
            rule: task.rule.clone(),
            reason: task.reason.clone(),
            priority: task.priority,
            created_at_ms: task.created_at.unix_ms(),
            due_at_ms: task.due_at.unix_ms(),
            suggestion: to_json(&task.suggestion, "suggestion")?,
            suggested_label: task.suggestion.label.clone(),
            required_reviews,
            state: task.state.as_str().to_string(),
            resolution: ResolutionColumns::encode(task.resolution.as_ref())?,
            overdue_notified: task.overdue_notified,
            version: task.version,
        })
    }

    /// The task with `claims` and `votes` (each already oldest first).
    pub(crate) fn decode(self, claims: Vec<Claim>, votes: Vec<Vote>) -> Result<ReviewTask> {
        let id = self.id.clone();
        let at = move |column: &'static str| {
            let id = id.clone();
            move |e: Error| corrupt("review_tasks", &id, column, e)
        };
        Ok(ReviewTask {
            id: self.id.parse().map_err(at("id"))?,
            run_id: self.run_id.parse().map_err(at("run_id"))?,
            priority: self.priority,
            created_at: Timestamp::from_unix_ms(self.created_at_ms).map_err(at("created_at"))?,
            due_at: Timestamp::from_unix_ms(self.due_at_ms).map_err(at("due_at"))?,
            suggestion: from_json(&self.suggestion).map_err(at("suggestion"))?,
            required_reviews: u32::try_from(self.required_reviews)
                .map_err(|_| Error::internal(format!("{} is negative", self.required_reviews)))
                .map_err(at("required_reviews"))?,
            state: self.state.parse().map_err(at("state"))?,
            resolution: match &self.resolution.resolution {
                Some(text) => Some(from_json(text).map_err(at("resolution"))?),
                None => None,
            },
            overdue_notified: self.overdue_notified,
            version: self.version,
            workflow: self.workflow,
            workflow_version: self.workflow_version,
            rule: self.rule,
            reason: self.reason,
            claims,
            votes,
        })
    }

    /// Reads the columns the backends' task queries select.
    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
        i32: Decode<'r, R::Database> + Type<R::Database>,
        bool: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read a review task", e);
        Ok(ReviewColumns {
            id: row.try_get("id").map_err(get)?,
            run_id: row.try_get("run_id").map_err(get)?,
            workflow: row.try_get("workflow").map_err(get)?,
            workflow_version: row.try_get("workflow_version").map_err(get)?,
            rule: row.try_get("rule").map_err(get)?,
            reason: row.try_get("reason").map_err(get)?,
            priority: row.try_get("priority").map_err(get)?,
            created_at_ms: row.try_get("created_at_ms").map_err(get)?,
            due_at_ms: row.try_get("due_at_ms").map_err(get)?,
            suggestion: row.try_get("suggestion").map_err(get)?,
            suggested_label: row.try_get("suggested_label").map_err(get)?,
            required_reviews: row.try_get("required_reviews").map_err(get)?,
            state: row.try_get("state").map_err(get)?,
            resolution: ResolutionColumns {
                resolution: row.try_get("resolution").map_err(get)?,
                resolved_action: row.try_get("resolved_action").map_err(get)?,
                resolved_label: row.try_get("resolved_label").map_err(get)?,
                resolved_at_ms: row.try_get("resolved_at_ms").map_err(get)?,
            },
            overdue_notified: row.try_get("overdue_notified").map_err(get)?,
            version: row.try_get("version").map_err(get)?,
        })
    }
}

impl ResolutionColumns {
    pub(crate) fn encode(resolution: Option<&Resolution>) -> Result<Self> {
        let Some(r) = resolution else {
            return Ok(ResolutionColumns::default());
        };
        Ok(ResolutionColumns {
            resolution: Some(to_json(r, "resolution")?),
            resolved_action: Some(r.action.as_str().to_string()),
            resolved_label: r.label.clone(),
            resolved_at_ms: Some(r.resolved_at.unix_ms()),
        })
    }
}

impl ClaimColumns {
    pub(crate) fn encode(review_id: &str, claim: &Claim) -> Self {
        ClaimColumns {
            review_id: review_id.to_string(),
            reviewer: claim.reviewer.clone(),
            claimed_at_ms: claim.claimed_at.unix_ms(),
            expires_at_ms: claim.expires_at.unix_ms(),
        }
    }

    pub(crate) fn decode(self) -> Result<Claim> {
        let at = |column: &'static str| {
            let id = format!("{} (claim of `{}`)", self.review_id, self.reviewer);
            move |e: Error| corrupt("review_claims", &id, column, e)
        };
        Ok(Claim {
            claimed_at: Timestamp::from_unix_ms(self.claimed_at_ms).map_err(at("claimed_at"))?,
            expires_at: Timestamp::from_unix_ms(self.expires_at_ms).map_err(at("expires_at"))?,
            reviewer: self.reviewer,
        })
    }

    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read a review claim", e);
        Ok(ClaimColumns {
            review_id: row.try_get("review_id").map_err(get)?,
            reviewer: row.try_get("reviewer").map_err(get)?,
            claimed_at_ms: row.try_get("claimed_at_ms").map_err(get)?,
            expires_at_ms: row.try_get("expires_at_ms").map_err(get)?,
        })
    }
}

impl VoteColumns {
    pub(crate) fn encode(review_id: &str, vote: &Vote) -> Result<Self> {
        Ok(VoteColumns {
            review_id: review_id.to_string(),
            reviewer: vote.reviewer.clone(),
            action: vote.action.as_str().to_string(),
            output: vote
                .output
                .as_ref()
                .map(|o| to_json(o, "output"))
                .transpose()?,
            label: vote.label.clone(),
            reason: vote.reason.clone(),
            at_ms: vote.at.unix_ms(),
            adjudication: vote.adjudication,
        })
    }

    pub(crate) fn decode(self) -> Result<Vote> {
        let at = |column: &'static str| {
            let id = format!("{} (vote of `{}`)", self.review_id, self.reviewer);
            move |e: Error| corrupt("review_votes", &id, column, e)
        };
        Ok(Vote {
            action: self.action.parse().map_err(at("action"))?,
            output: match &self.output {
                Some(text) => Some(from_json(text).map_err(at("output"))?),
                None => None,
            },
            at: Timestamp::from_unix_ms(self.at_ms).map_err(at("at"))?,
            reviewer: self.reviewer,
            label: self.label,
            reason: self.reason,
            adjudication: self.adjudication,
        })
    }

    pub(crate) fn from_row<'r, R>(row: &'r R) -> Result<Self>
    where
        R: Row,
        &'r str: ColumnIndex<R>,
        String: Decode<'r, R::Database> + Type<R::Database>,
        i64: Decode<'r, R::Database> + Type<R::Database>,
        bool: Decode<'r, R::Database> + Type<R::Database>,
    {
        let get = |e: sqlx::Error| map_sqlx("read a review vote", e);
        Ok(VoteColumns {
            review_id: row.try_get("review_id").map_err(get)?,
            reviewer: row.try_get("reviewer").map_err(get)?,
            action: row.try_get("action").map_err(get)?,
            output: row.try_get("output").map_err(get)?,
            label: row.try_get("label").map_err(get)?,
            reason: row.try_get("reason").map_err(get)?,
            at_ms: row.try_get("at_ms").map_err(get)?,
            adjudication: row.try_get("adjudication").map_err(get)?,
        })
    }
}

/// Joins task rows with their claim and vote rows (each list already in
/// the order it is to be shown), keeping the tasks' order.
pub(crate) fn assemble(
    tasks: Vec<ReviewColumns>,
    claims: Vec<ClaimColumns>,
    votes: Vec<VoteColumns>,
) -> Result<Vec<ReviewTask>> {
    let mut claims_of: HashMap<String, Vec<Claim>> = HashMap::new();
    for claim in claims {
        let review_id = claim.review_id.clone();
        claims_of
            .entry(review_id)
            .or_default()
            .push(claim.decode()?);
    }
    let mut votes_of: HashMap<String, Vec<Vote>> = HashMap::new();
    for vote in votes {
        let review_id = vote.review_id.clone();
        votes_of.entry(review_id).or_default().push(vote.decode()?);
    }
    tasks
        .into_iter()
        .map(|task| {
            let claims = claims_of.remove(&task.id).unwrap_or_default();
            let votes = votes_of.remove(&task.id).unwrap_or_default();
            task.decode(claims, votes)
        })
        .collect()
}
