//! Who may act on a task at an instant: the checks claiming and resolving
//! share. A resolved task is closed to everyone; an escalated one only to
//! adjudicators; a reviewer votes once; and live claims of others take the
//! free slots (one per missing vote; one for an escalated task).

use airlock_core::{Claim, Error, Result, ReviewState, ReviewTask, Timestamp};

/// The longest reviewer name accepted.
pub const REVIEWER_MAX_CHARS: usize = 128;

/// A reviewer name: non-empty, at most [`REVIEWER_MAX_CHARS`] characters,
/// no control characters; surrounding spaces are dropped.
pub(crate) fn reviewer_name(reviewer: &str) -> Result<String> {
    let name = reviewer.trim();
    let problem = if name.is_empty() {
        Some("is empty".to_string())
    } else if name.chars().count() > REVIEWER_MAX_CHARS {
        Some(format!("is longer than {REVIEWER_MAX_CHARS} characters"))
    } else if name.chars().any(char::is_control) {
        Some("contains control characters".to_string())
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::invalid_input(format!("reviewer {problem}"))
            .with_field("reviewer")
            .with_hint("name the person deciding, e.g. their login")),
        None => Ok(name.to_string()),
    }
}

/// Fails unless `reviewer` may claim or vote on `task` at `now`.
pub(crate) fn check_may_act(
    task: &ReviewTask,
    reviewer: &str,
    adjudicator: bool,
    now: Timestamp,
) -> Result<()> {
    if task.state == ReviewState::Resolved {
        return Err(already_resolved(task));
    }
    if task.state == ReviewState::Escalated && !adjudicator {
        return Err(Error::forbidden(format!(
            "review {} is escalated (its reviewers disagreed); only an adjudicator may claim or resolve it, and `{reviewer}` is not one",
            task.id
        ))
        .with_field("reviewer")
        .with_hint("adjudicators are listed in the server config under [review] adjudicators"));
    }
    if task.votes.iter().any(|v| v.reviewer == reviewer) {
        let hint = if task.state == ReviewState::Escalated {
            "an escalated task needs an adjudicator who has not voted on it yet"
        } else {
            "each vote must come from a different reviewer"
        };
        return Err(
            Error::conflict(format!("`{reviewer}` already voted on review {}", task.id))
                .with_field("reviewer")
                .with_hint(hint),
        );
    }
    let others: Vec<&Claim> = task
        .live_claims(now)
        .filter(|c| c.reviewer != reviewer)
        .collect();
    if others.len() >= free_slots(task) {
        let holders: Vec<String> = others
            .iter()
            .map(|c| format!("{} until {}", c.reviewer, c.expires_at))
            .collect();
        return Err(Error::conflict(format!(
            "review {} is claimed by {}",
            task.id,
            holders.join(" and ")
        ))
        .with_hint("wait until the claim is released or expires, or take another task"));
    }
    Ok(())
}

/// How many reviewers may hold a claim at once: one per vote still
/// missing; one (the adjudicator) for an escalated task.
fn free_slots(task: &ReviewTask) -> usize {
    match task.state {
        ReviewState::Escalated => 1,
        _ => (task.required_reviews as usize).saturating_sub(task.votes.len()),
    }
}

/// `conflict`: the task was finally decided already, by whom and when.
pub(crate) fn already_resolved(task: &ReviewTask) -> Error {
    let message = match &task.resolution {
        Some(r) => format!(
            "review {} was already resolved by {} at {} ({})",
            task.id,
            r.decided_by.join(", "),
            r.resolved_at,
            r.action
        ),
        None => format!("review {} was already resolved", task.id),
    };
    Error::conflict(message).with_hint("GET the review to see its resolution")
}
