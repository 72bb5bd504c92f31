//! `commit_priority = "realtime"`: SQLite's group-commit thread is
//! scheduled `SCHED_FIFO` where the process may (root, CAP_SYS_NICE), and
//! runs commit and read back the same on both backends either way. Its
//! own test binary, so the only group-commit threads in the process are
//! this test's.

mod common;

use airlock_core::{CommitPriority, Decision, Durability};
use airlock_store::{RunStore, Store, StoreOptions};
use common::{bare_run, with_database, TestBackend, TestDatabase};

/// The scheduling policy (0 normal, 1 FIFO) of each live thread of this
/// process named like the group committer (the kernel keeps 15 bytes of
/// "airlock-group-commit").
fn group_commit_thread_policies() -> Vec<u32> {
    let mut policies = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").expect("read /proc/self/task") {
        let dir = task.expect("task entry").path();
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue; // the thread ended meanwhile
        };
        if comm.trim() != "airlock-group-c" {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
            continue;
        };
        // Fields after the parenthesised name start at field 3; `policy`
        // is field 41.
        let after_name = &stat[stat.rfind(')').expect("stat has a name") + 2..];
        let policy = after_name
            .split_whitespace()
            .nth(41 - 3)
            .expect("stat has a policy field")
            .parse()
            .expect("policy is a number");
        policies.push(policy);
    }
    policies
}

/// Whether the effective capabilities include CAP_SYS_NICE (bit 23).
fn holds_cap_sys_nice() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let mask = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
            u64::from_str_radix(mask.trim(), 16).ok()
        })
        .is_some_and(|mask| mask & (1 << 23) != 0)
}

#[test]
fn realtime_commit_priority_schedules_the_sqlite_committer_fifo_and_commits_as_before() {
    with_database(
        "realtime_commit_priority_schedules_the_sqlite_committer_fifo_and_commits_as_before",
        |db: TestDatabase| async move {
            let store = Store::connect_with(
                &db.url,
                StoreOptions {
                    durability: Durability::Process,
                    commit_priority: CommitPriority::Realtime,
                    ..StoreOptions::default()
                },
            )
            .await
            .expect("connect");
            let run = bare_run("rt", Decision::Auto);
            store.insert(run.clone()).await.expect("insert");
            assert_eq!(store.get(run.id).await.expect("get"), Some(run));
            if db.backend == TestBackend::Sqlite && cfg!(target_os = "linux") {
                let policies = group_commit_thread_policies();
                assert!(
                    !policies.is_empty(),
                    "SQLite commits on a thread of its own"
                );
                if holds_cap_sys_nice() {
                    assert!(
                        policies.iter().all(|&p| p == 1),
                        "every group-commit thread is SCHED_FIFO: {policies:?}"
                    );
                }
            }
            store.close().await;
        },
    );
}
