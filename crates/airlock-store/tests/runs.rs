//! Run storage on SQLite and PostgreSQL: round trips, filters, cursor
//! pagination and idempotency keys.

mod common;

use std::collections::HashSet;

use airlock_core::{Decision, ErrorKind, RunId, Timestamp};
use airlock_store::{Inserted, RunFilter, RunStore, Store};
use common::{bare_run, full_run, with_store};

#[test]
fn insert_then_get_returns_every_field() {
    with_store(
        "insert_then_get_returns_every_field",
        |store: Store| async move {
            let run = full_run("support-triage", 1_714_566_896_789);
            let inserted = store.insert(run.clone()).await.expect("insert");
            assert!(!inserted.is_existing());
            assert_eq!(inserted.run(), &run);

            let stored = store.get(run.id).await.expect("get").expect("present");
            assert_eq!(stored, run);

            let bare = bare_run("other", Decision::Block);
            store.insert(bare.clone()).await.expect("insert bare");
            assert_eq!(store.get(bare.id).await.expect("get bare"), Some(bare));

            assert_eq!(store.get(RunId::new()).await.expect("get missing"), None);
        },
    );
}

#[test]
fn find_by_idempotency_key_is_scoped_to_the_workflow() {
    with_store(
        "find_by_idempotency_key_is_scoped_to_the_workflow",
        |store: Store| async move {
            let mut first = bare_run("alpha", Decision::Auto);
            first.idempotency_key = Some("abc".into());
            let mut second = bare_run("beta", Decision::Auto);
            second.idempotency_key = Some("abc".into());
            store.insert(first.clone()).await.expect("insert alpha");
            let inserted = store.insert(second.clone()).await.expect("insert beta");
            assert!(
                !inserted.is_existing(),
                "same key in another workflow is a new run"
            );

            let found = store
                .find_by_idempotency_key("alpha", "abc")
                .await
                .expect("find");
            assert_eq!(found.map(|r| r.id), Some(first.id));
            let found = store
                .find_by_idempotency_key("beta", "abc")
                .await
                .expect("find");
            assert_eq!(found.map(|r| r.id), Some(second.id));
            assert_eq!(
                store
                    .find_by_idempotency_key("alpha", "zzz")
                    .await
                    .expect("find"),
                None
            );
        },
    );
}

#[test]
fn same_key_returns_the_existing_run_and_stores_nothing_new() {
    with_store(
        "same_key_returns_the_existing_run_and_stores_nothing_new",
        |store: Store| async move {
            let mut original = bare_run("alpha", Decision::Review);
            original.idempotency_key = Some("retry-1".into());
            store.insert(original.clone()).await.expect("first insert");

            let mut retry = bare_run("alpha", Decision::Auto);
            retry.idempotency_key = Some("retry-1".into());
            match store.insert(retry.clone()).await.expect("retry insert") {
                Inserted::Existing(run) => assert_eq!(*run, original),
                Inserted::Created(_) => panic!("a retry with the same key must not create a run"),
            }
            assert_eq!(store.get(retry.id).await.expect("get"), None);
        },
    );
}

#[test]
fn concurrent_inserts_with_one_key_make_one_run() {
    with_store(
        "concurrent_inserts_with_one_key_make_one_run",
        |store: Store| async move {
            let mut tasks = Vec::new();
            for _ in 0..20 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let mut run = bare_run("alpha", Decision::Auto);
                    run.idempotency_key = Some("same".into());
                    let own_id = run.id;
                    let inserted = store.insert(run).await.expect("insert");
                    (own_id, inserted)
                }));
            }
            let mut stored_ids = HashSet::new();
            let mut created = 0;
            for task in tasks {
                let (own_id, inserted) = task.await.expect("task");
                if let Inserted::Created(run) = &inserted {
                    assert_eq!(run.id, own_id);
                    created += 1;
                }
                stored_ids.insert(inserted.run().id);
            }
            assert_eq!(created, 1, "exactly one caller creates the run");
            assert_eq!(stored_ids.len(), 1, "every caller gets the same run");
            let page = store
                .list(&RunFilter {
                    workflow: Some("alpha".into()),
                    ..RunFilter::default()
                })
                .await
                .expect("list");
            assert_eq!(page.items.len(), 1);
        },
    );
}

#[test]
fn list_filters_by_workflow_decision_and_since() {
    with_store(
        "list_filters_by_workflow_decision_and_since",
        |store: Store| async move {
            let old = Timestamp::from_unix_ms(1_600_000_000_000).expect("in range");
            let mut expected_recent_review = Vec::new();
            for i in 0..12 {
                let workflow = if i % 2 == 0 { "alpha" } else { "beta" };
                let decision = if i % 3 == 0 {
                    Decision::Review
                } else {
                    Decision::Auto
                };
                let mut run = bare_run(workflow, decision);
                if i < 4 {
                    run.created_at = old;
                } else if workflow == "alpha" && decision == Decision::Review {
                    expected_recent_review.push(run.id);
                }
                store.insert(run).await.expect("insert");
            }
            let all = |filter: RunFilter| {
                let store = store.clone();
                async move { store.list(&filter).await.expect("list").items }
            };
            assert_eq!(all(RunFilter::default()).await.len(), 12);
            let alpha = all(RunFilter {
                workflow: Some("alpha".into()),
                ..Default::default()
            })
            .await;
            assert_eq!(alpha.len(), 6);
            assert!(alpha.iter().all(|r| r.workflow == "alpha"));
            let review = all(RunFilter {
                decision: Some(Decision::Review),
                ..Default::default()
            })
            .await;
            assert_eq!(review.len(), 4);
            assert!(review.iter().all(|r| r.decision == Decision::Review));
            let since = Timestamp::from_unix_ms(old.unix_ms() + 1).expect("in range");
            let recent = all(RunFilter {
                since: Some(since),
                ..Default::default()
            })
            .await;
            assert_eq!(recent.len(), 8);
            let at_old = all(RunFilter {
                since: Some(old),
                ..Default::default()
            })
            .await;
            assert_eq!(at_old.len(), 12, "since is inclusive");
            let combined = all(RunFilter {
                workflow: Some("alpha".into()),
                decision: Some(Decision::Review),
                since: Some(since),
                ..Default::default()
            })
            .await;
            let mut combined_ids: Vec<RunId> = combined.iter().map(|r| r.id).collect();
            combined_ids.sort();
            expected_recent_review.sort();
            assert_eq!(combined_ids, expected_recent_review);
        },
    );
}

#[test]
fn cursor_pages_cover_every_run_once_newest_first() {
    with_store(
        "cursor_pages_cover_every_run_once_newest_first",
        |store: Store| async move {
            let mut inserted = Vec::new();
            for _ in 0..23 {
                let run = bare_run("alpha", Decision::Auto);
                inserted.push(run.id);
                store.insert(run).await.expect("insert");
            }
            // Noise that the workflow filter must skip on every page.
            store
                .insert(bare_run("beta", Decision::Auto))
                .await
                .expect("insert beta");

            let mut seen = Vec::new();
            let mut cursor = None;
            let mut pages = 0;
            loop {
                let page = store
                    .list(&RunFilter {
                        workflow: Some("alpha".into()),
                        limit: Some(5),
                        cursor: cursor.clone(),
                        ..Default::default()
                    })
                    .await
                    .expect("list page");
                pages += 1;
                assert!(page.items.len() <= 5);
                seen.extend(page.items.iter().map(|r| r.id));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
                assert!(pages < 10, "pagination must end");
            }
            assert_eq!(pages, 5);
            let mut newest_first = inserted.clone();
            newest_first.sort();
            newest_first.reverse();
            assert_eq!(seen, newest_first, "no duplicates, no gaps, newest first");
        },
    );
}

#[test]
fn bad_cursor_and_limit_are_invalid_input() {
    with_store(
        "bad_cursor_and_limit_are_invalid_input",
        |store: Store| async move {
            let err = store
                .list(&RunFilter {
                    cursor: Some("nope".into()),
                    ..Default::default()
                })
                .await
                .expect_err("bad cursor");
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::InvalidInput, Some("cursor"))
            );
            let err = store
                .list(&RunFilter {
                    limit: Some(0),
                    ..Default::default()
                })
                .await
                .expect_err("bad limit");
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::InvalidInput, Some("limit"))
            );
        },
    );
}

#[test]
fn invalid_record_fails_alone() {
    with_store("invalid_record_fails_alone", |store: Store| async move {
        let mut bad = bare_run("alpha", Decision::Auto);
        bad.confidence = Some(f64::NAN);
        let err = store.insert(bad).await.expect_err("NaN confidence");
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::InvalidInput, Some("confidence"))
        );

        // A duplicate id fails (Conflict) without taking its batch with it.
        let good = bare_run("alpha", Decision::Auto);
        store.insert(good.clone()).await.expect("insert");
        let mut tasks = Vec::new();
        for i in 0..16 {
            let store = store.clone();
            let run = if i == 7 {
                let mut dup = bare_run("alpha", Decision::Block);
                dup.id = good.id;
                dup
            } else {
                bare_run("alpha", Decision::Auto)
            };
            tasks.push(tokio::spawn(async move { store.insert(run).await }));
        }
        let mut conflicts = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => {}
                Err(err) => {
                    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
                    conflicts += 1;
                }
            }
        }
        assert_eq!(conflicts, 1);
        let all = store
            .list(&RunFilter {
                limit: Some(100),
                ..Default::default()
            })
            .await
            .expect("list");
        assert_eq!(all.items.len(), 16);
        assert_eq!(
            store.get(good.id).await.expect("get").map(|r| r.decision),
            Some(Decision::Auto)
        );
    });
}
