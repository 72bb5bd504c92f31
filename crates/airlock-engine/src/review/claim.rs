//! Claiming and releasing: a claim is a lease with an expiry, so a task
//! whose reviewer walks away returns to the queue by itself when the lease
//! runs out (nothing sweeps claims). Claiming again renews one's own lease.

use std::time::Duration;

use airlock_core::{Claim, Error, Result, ReviewState, ReviewTask, Timestamp};
use airlock_store::ReviewUpdate;

use super::access::{already_resolved, check_may_act};
use super::later;

/// Takes (or renews) `reviewer`'s claim on `task` until `now + lease`.
pub(crate) fn decide_claim(
    task: &ReviewTask,
    reviewer: &str,
    adjudicator: bool,
    now: Timestamp,
    lease: Duration,
) -> Result<ReviewUpdate> {
    check_may_act(task, reviewer, adjudicator, now)?;
    Ok(ReviewUpdate {
        claim: Some(Claim {
            reviewer: reviewer.to_string(),
            claimed_at: now,
            expires_at: later(now, lease),
        }),
        ..ReviewUpdate::default()
    })
}

/// Drops `reviewer`'s live claim on `task`.
pub(crate) fn decide_release(
    task: &ReviewTask,
    reviewer: &str,
    now: Timestamp,
) -> Result<ReviewUpdate> {
    if task.state == ReviewState::Resolved {
        return Err(already_resolved(task));
    }
    if !task.live_claims(now).any(|c| c.reviewer == reviewer) {
        return Err(
            Error::conflict(format!("`{reviewer}` holds no claim on review {}", task.id))
                .with_field("reviewer")
                .with_hint("the claim may have expired already; nothing to release"),
        );
    }
    Ok(ReviewUpdate {
        release: Some(reviewer.to_string()),
        ..ReviewUpdate::default()
    })
}
