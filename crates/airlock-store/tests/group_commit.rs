//! Group commit on SQLite and PostgreSQL: concurrent inserts share
//! transactions, and every acknowledged run is readable afterwards.

mod common;

use airlock_core::Decision;
use airlock_store::{Inserted, RunFilter, RunStore, Store};
use common::{assert_chain_ok, bare_run, whole_chain, with_store};

#[test]
fn concurrent_inserts_are_batched_into_fewer_transactions() {
    with_store(
        "concurrent_inserts_are_batched_into_fewer_transactions",
        |store: Store| async move {
            let before = store.group_commit_stats();
            // Queue 64 inserts at once: while the first commits, the rest
            // wait in the channel and go out together.
            let mut tasks = Vec::new();
            for _ in 0..64 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let run = bare_run("load", Decision::Auto);
                    let id = run.id;
                    store.insert(run).await.expect("insert");
                    id
                }));
            }
            let mut ids = Vec::new();
            for task in tasks {
                ids.push(task.await.expect("task"));
            }
            let delta = store.group_commit_stats().since(&before);
            assert_eq!(delta.records, 64, "every insert is counted once");
            assert!(
                delta.batches < 64,
                "64 concurrent inserts took {} transactions; expected batching",
                delta.batches
            );
            assert!(delta.max_batch_size > 1, "{delta:?}");
            assert!(delta.mean_batch_size() > 1.0);

            // Acknowledged means committed: every id is readable now.
            for id in ids {
                assert!(
                    store.get(id).await.expect("get").is_some(),
                    "run {id} missing"
                );
            }
        },
    );
}

#[test]
fn a_big_batch_with_repeated_idempotency_keys_creates_each_key_once() {
    with_store(
        "a_big_batch_with_repeated_idempotency_keys_creates_each_key_once",
        |store: Store| async move {
            // 50 inserts at once over 25 keys: the first commits alone, the
            // rest share a batch larger than the writer's chunks, and each
            // key's second run meets the first inside that batch (or after).
            let mut tasks = Vec::new();
            for i in 0..50 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let mut run = bare_run("dup", Decision::Auto);
                    run.idempotency_key = Some(format!("key-{}", i % 25));
                    let id = run.id;
                    (i % 25, id, store.insert(run).await.expect("insert"))
                }));
            }
            let mut created = std::collections::HashMap::new();
            let mut existing = Vec::new();
            for task in tasks {
                match task.await.expect("task") {
                    (key, id, Inserted::Created(run)) => {
                        assert_eq!(run.id, id);
                        assert!(created.insert(key, id).is_none(), "key {key} created twice");
                    }
                    (key, id, Inserted::Existing(run)) => {
                        assert_ne!(run.id, id, "an existing run is the other one");
                        existing.push((key, run.id));
                    }
                }
            }
            assert_eq!((created.len(), existing.len()), (25, 25));
            for (key, id) in existing {
                assert_eq!(created[&key], id, "key {key} answers the run it created");
            }
            let stored = store
                .list(&RunFilter {
                    workflow: Some("dup".into()),
                    limit: Some(100),
                    ..RunFilter::default()
                })
                .await
                .expect("list");
            assert_eq!(stored.items.len(), 25, "one stored run per key");
            // One audit record per created run, linked without gaps.
            assert_eq!(whole_chain(&store).await.len(), 25);
            assert_chain_ok(&store, 25).await;
        },
    );
}

#[test]
fn sequential_inserts_commit_one_by_one() {
    with_store(
        "sequential_inserts_commit_one_by_one",
        |store: Store| async move {
            for _ in 0..5 {
                store
                    .insert(bare_run("seq", Decision::Auto))
                    .await
                    .expect("insert");
            }
            let stats = store.group_commit_stats();
            assert_eq!(
                (stats.batches, stats.records, stats.max_batch_size),
                (5, 5, 1)
            );
        },
    );
}

#[test]
fn close_commits_what_was_queued_then_refuses_writes() {
    with_store(
        "close_commits_what_was_queued_then_refuses_writes",
        |store: Store| async move {
            store
                .insert(bare_run("a", Decision::Auto))
                .await
                .expect("insert");
            store.close().await;
            let err = store
                .insert(bare_run("a", Decision::Auto))
                .await
                .expect_err("closed store");
            assert_eq!(err.kind(), airlock_core::ErrorKind::Unavailable);
            let err = store
                .list(&RunFilter::default())
                .await
                .expect_err("closed pool");
            assert_eq!(err.kind(), airlock_core::ErrorKind::Unavailable);
        },
    );
}
