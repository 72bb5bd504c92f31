//! Feedback on SQLite and PostgreSQL: idempotent by (run, key), also under
//! concurrent inserts; listing newest first with filters and pages.

mod common;

use airlock_core::{ErrorKind, FeedbackId, FeedbackRecord, RunId, Timestamp};
use airlock_store::{FeedbackFilter, FeedbackInserted, FeedbackStore, Store};
use common::with_store;

fn feedback(run_id: RunId, workflow: &str, key: &str) -> FeedbackRecord {
    FeedbackRecord {
        id: FeedbackId::new(),
        run_id,
        workflow: workflow.to_string(),
        key: key.to_string(),
        label: Some("card_arrival".into()),
        score: Some(0.75),
        outcome: Some("ticket_reopened".into()),
        comment: Some("customer wrote back — \"still waiting\"".into()),
        created_at: Timestamp::from_unix_ms(1_700_000_000_123).expect("in range"),
    }
}

/// Every page of `filter`, concatenated.
async fn all_pages(store: &Store, filter: FeedbackFilter) -> Vec<FeedbackRecord> {
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_feedback(&FeedbackFilter {
                cursor: cursor.clone(),
                ..filter.clone()
            })
            .await
            .expect("list feedback");
        seen.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return seen,
        }
    }
}

#[test]
fn feedback_same_key_twice_returns_the_stored_record() {
    with_store(
        "feedback_same_key_twice_returns_the_stored_record",
        |store: Store| async move {
            let run = RunId::new();
            let first = feedback(run, "triage", "k1");
            let created = store
                .insert_feedback(first.clone())
                .await
                .expect("first insert");
            assert_eq!(created, FeedbackInserted::Created(first.clone()));

            let mut retry = feedback(run, "triage", "k1");
            retry.label = Some("something else".into());
            retry.score = None;
            let again = store.insert_feedback(retry).await.expect("second insert");
            assert_eq!(
                again,
                FeedbackInserted::Existing(first.clone()),
                "every field of the first record, unchanged"
            );

            let other_key = feedback(run, "triage", "k2");
            let other_run = feedback(RunId::new(), "triage", "k1");
            for record in [other_key, other_run] {
                let inserted = store.insert_feedback(record.clone()).await.expect("insert");
                assert_eq!(inserted, FeedbackInserted::Created(record));
            }
            let of_run = all_pages(
                &store,
                FeedbackFilter {
                    run_id: Some(run),
                    ..Default::default()
                },
            )
            .await;
            assert_eq!(of_run.len(), 2, "k1 once and k2");

            let mut bad = feedback(run, "triage", "k3");
            bad.score = Some(f64::NAN);
            let err = store.insert_feedback(bad).await.expect_err("NaN score");
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert_eq!(err.field(), Some("score"));
        },
    );
}

#[test]
fn feedback_concurrent_inserts_of_one_key_store_one_row() {
    with_store(
        "feedback_concurrent_inserts_of_one_key_store_one_row",
        |store: Store| async move {
            let run = RunId::new();
            let tasks: Vec<_> = (0..16)
                .map(|i| {
                    let store = store.clone();
                    let mut record = feedback(run, "triage", "same-key");
                    record.comment = Some(format!("writer {i}"));
                    tokio::spawn(async move {
                        let inserted = store.insert_feedback(record.clone()).await;
                        (record, inserted)
                    })
                })
                .collect();
            let mut created = Vec::new();
            let mut existing = Vec::new();
            for task in tasks {
                let (sent, inserted) = task.await.expect("task");
                match inserted.expect("insert") {
                    FeedbackInserted::Created(stored) => {
                        assert_eq!(stored, sent);
                        created.push(stored);
                    }
                    FeedbackInserted::Existing(stored) => existing.push(stored),
                }
            }
            assert_eq!(created.len(), 1, "exactly one writer wins");
            assert_eq!(existing.len(), 15);
            assert!(
                existing.iter().all(|e| *e == created[0]),
                "every loser gets the winner's record"
            );
            let stored = all_pages(
                &store,
                FeedbackFilter {
                    run_id: Some(run),
                    ..Default::default()
                },
            )
            .await;
            assert_eq!(stored, created);
        },
    );
}

#[test]
fn feedback_list_filters_and_pages_newest_first() {
    with_store(
        "feedback_list_filters_and_pages_newest_first",
        |store: Store| async move {
            let run_a = RunId::new();
            let mut triage = Vec::new();
            for i in 0..7 {
                let mut record = feedback(
                    if i < 3 { run_a } else { RunId::new() },
                    "triage",
                    &format!("k{i}"),
                );
                if i % 2 == 1 {
                    record.label = None;
                }
                store.insert_feedback(record.clone()).await.expect("insert");
                triage.push(record);
            }
            store
                .insert_feedback(feedback(run_a, "refunds", "k-other"))
                .await
                .expect("insert other workflow");
            triage.sort_by_key(|r| std::cmp::Reverse(r.id));

            let seen = all_pages(
                &store,
                FeedbackFilter {
                    workflow: Some("triage".into()),
                    limit: Some(3),
                    ..Default::default()
                },
            )
            .await;
            assert_eq!(
                seen, triage,
                "every field round-trips, newest first, no gaps"
            );

            let labelled = all_pages(
                &store,
                FeedbackFilter {
                    workflow: Some("triage".into()),
                    labelled: true,
                    limit: Some(2),
                    ..Default::default()
                },
            )
            .await;
            let expected: Vec<_> = triage
                .iter()
                .filter(|r| r.label.is_some())
                .cloned()
                .collect();
            assert_eq!(labelled.len(), 4);
            assert_eq!(labelled, expected);

            let of_run = all_pages(
                &store,
                FeedbackFilter {
                    workflow: Some("triage".into()),
                    run_id: Some(run_a),
                    ..Default::default()
                },
            )
            .await;
            let expected: Vec<_> = triage
                .iter()
                .filter(|r| r.run_id == run_a)
                .cloned()
                .collect();
            assert_eq!(of_run.len(), 3);
            assert_eq!(of_run, expected);

            let everything = store
                .list_feedback(&FeedbackFilter::default())
                .await
                .expect("list all");
            assert_eq!(everything.items.len(), 8);
            assert_eq!(everything.next_cursor, None);

            let err = store
                .list_feedback(&FeedbackFilter {
                    cursor: Some("not-a-cursor".into()),
                    ..Default::default()
                })
                .await
                .expect_err("bad cursor");
            assert_eq!(err.field(), Some("cursor"));
            let err = store
                .list_feedback(&FeedbackFilter {
                    limit: Some(0),
                    ..Default::default()
                })
                .await
                .expect_err("zero limit");
            assert_eq!(err.field(), Some("limit"));
        },
    );
}
