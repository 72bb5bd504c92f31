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

    #[test]
    fn realtime_is_fifo_where_permitted_and_never_fails_the_caller() {
        std::thread::spawn(|| {
            apply_to_current_thread(CommitPriority::Realtime);
            let policy = thread_schedule_policy().unwrap();
            let fifo = ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo);
            // With CAP_SYS_NICE (root here and in CI) the thread is FIFO;
            // without it the call is refused, logged, and the thread goes
            // on as it was (an RLIMIT_RTPRIO may still allow it).
            if holds_cap_sys_nice() {
                assert_eq!(policy, fifo);
            }
        })
        .join()
        .unwrap();
    }

    /// Whether the process's effective capabilities include CAP_SYS_NICE
    /// (bit 23 of `CapEff` in /proc/self/status).
    fn holds_cap_sys_nice() -> bool {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                let mask = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
                u64::from_str_radix(mask.trim(), 16).ok()
            })
            .is_some_and(|mask| mask & (1 << 23) != 0)
    }
}
