//! Overdue tasks: unresolved at their due time, each announced once with
//! `review.overdue`. The flag is set in the same locking transaction that
//! enqueues the event, so sweepers in several processes never announce a
//! task twice.

use airlock_core::{Error, Result, ReviewTask, Timestamp};
use airlock_store::ReviewUpdate;

/// Marks `task` as announced, unless it already was or is not overdue at
/// `now` (then a `conflict` the sweeper skips, and nothing is written).
pub(crate) fn decide_overdue(task: &ReviewTask, now: Timestamp) -> Result<ReviewUpdate> {
    if task.overdue_notified {
        return Err(Error::conflict(format!(
            "review {} was already announced as overdue",
            task.id
        )));
    }
    if !task.is_overdue_at(now) {
        return Err(Error::conflict(format!(
            "review {} is not overdue at {now}",
            task.id
        )));
    }
    Ok(ReviewUpdate {
        overdue_notified: true,
        ..ReviewUpdate::default()
    })
}
