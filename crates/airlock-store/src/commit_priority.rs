//! Puts the SQLite group-commit thread at real-time priority when the
//! config asks for `commit_priority = "realtime"`. Every run waiting to be
//! acknowledged waits on that one thread; on a busy machine an ordinary
//! thread woken mid-commit (often a request's own worker, woken by the
//! commit before it) preempted it in about a third of commits in the
//! gateway benchmark, and every run queued behind that commit waited out
//! the preemption. `SCHED_FIFO` at the lowest real-time level lets no
//! ordinary thread preempt it; the thread sleeps between batches, and the
//! kernel's real-time throttling still leaves other threads their share
//! should it ever spin.

use airlock_core::CommitPriority;
use thread_priority::{
    set_thread_priority_and_policy, thread_native_id, RealtimeThreadSchedulePolicy, ThreadPriority,
    ThreadSchedulePolicy,
};

/// Applies `priority` to the calling thread. Falls back to normal
/// scheduling, with a warning naming why, when the process may not raise
/// it (no `CAP_SYS_NICE`, a container's limits).
pub(crate) fn apply_to_current_thread(priority: CommitPriority) {
    if priority == CommitPriority::Normal {
        return;
    }
    let fifo = ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo);
    match set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, fifo) {
        Ok(()) => tracing::info!("the group-commit thread runs at real-time priority (SCHED_FIFO)"),
        Err(err) => tracing::warn!(
            error = %err,
            "database.commit_priority = \"realtime\" could not be applied (it needs CAP_SYS_NICE); \
             the group-commit thread runs at normal priority"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thread_priority::thread_schedule_policy;

    // Realtime is checked where it matters, on the store's own committer
    // thread, in tests/commit_priority.rs (both databases).

    #[test]
    fn normal_leaves_the_thread_as_it_was() {
        std::thread::spawn(|| {
            let before = thread_schedule_policy().unwrap();
            apply_to_current_thread(CommitPriority::Normal);
            assert_eq!(thread_schedule_policy().unwrap(), before);
        })
        .join()
        .unwrap();
    }
}
