//! Review tasks on SQLite and PostgreSQL: created with their run (once per
//! idempotency key), read with claims and votes, listed oldest due first
//! with every filter and pages, and changed only by locking updates that
//! never both succeed, also across two stores on one database.

mod common;

use std::collections::HashSet;

use airlock_core::{
    Claim, Decision, DeliveryId, DeliveryRecord, DeliveryStatus, Durability, Error, ErrorKind,
    EventId, EventType, Resolution, ReviewAction, ReviewId, ReviewState, ReviewStatus, ReviewTask,
    RunRecord, Suggestion, Timestamp, Vote,
};
use airlock_store::{
    Inserted, NewReview, OutboxStore, ReviewDecider, ReviewFilter, ReviewStore, ReviewUpdate,
    RunStore, Store,
};
use common::{bare_run, full_run, with_database, with_store};

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_ms(ms).expect("test timestamps are in range")
}

/// A review run of `workflow` and its open task, due at `due_ms`.
fn run_with_task(workflow: &str, due_ms: i64, label: Option<&str>) -> (RunRecord, ReviewTask) {
    let mut run = full_run(workflow, 1_000);
    let task = ReviewTask {
        id: ReviewId::new(),
        run_id: run.id,
        workflow: workflow.to_string(),
        workflow_version: run.workflow_version.clone(),
        rule: Some("low_confidence".into()),
        reason: Some("confidence below 0.7".into()),
        priority: 3,
        created_at: at(1_000),
        due_at: at(due_ms),
        suggestion: Suggestion {
            step: Some("intent".into()),
            label: label.map(str::to_string),
            confidence: Some(0.125),
            alternatives: serde_json::json!([{"label": "card_lost", "confidence": 0.1}]),
            output: Some(serde_json::json!({"reply": "We are on it — \"soon\" ✉"})),
        },
        required_reviews: 1,
        state: ReviewState::Open,
        claims: vec![],
        votes: vec![],
        resolution: None,
        overdue_notified: false,
        version: 0,
    };
    run.review_id = Some(task.id);
    (run, task)
}

/// Creates a task due at `due_ms`, created at `created_ms`.
async fn create(
    store: &Store,
    workflow: &str,
    due_ms: i64,
    created_ms: i64,
    label: Option<&str>,
) -> ReviewTask {
    let (run, mut task) = run_with_task(workflow, due_ms, label);
    task.created_at = at(created_ms);
    let inserted = store
        .insert_run_with_review(
            run,
            NewReview {
                task: task.clone(),
                deliveries: vec![],
            },
        )
        .await
        .expect("insert run with review");
    assert!(!inserted.is_existing());
    task
}

fn delivery(event: EventType) -> DeliveryRecord {
    DeliveryRecord {
        id: DeliveryId::new(),
        event_id: EventId::new(),
        event,
        endpoint: "crm".into(),
        url: "https://hooks.example.com/airlock".into(),
        payload: serde_json::json!({"type": event.as_str()}),
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: at(1_000),
        created_at: at(1_000),
        delivered_at: None,
        last_error: None,
    }
}

fn claim(reviewer: &str, claimed_ms: i64, expires_ms: i64) -> Claim {
    Claim {
        reviewer: reviewer.into(),
        claimed_at: at(claimed_ms),
        expires_at: at(expires_ms),
    }
}

fn vote(reviewer: &str, at_ms: i64, action: ReviewAction) -> Vote {
    Vote {
        reviewer: reviewer.into(),
        action,
        output: (action == ReviewAction::Override)
            .then(|| serde_json::json!({"reply": format!("fixed by {reviewer}")})),
        label: Some("card_arrival".into()),
        reason: Some(format!("{reviewer} checked it")),
        at: at(at_ms),
        adjudication: false,
    }
}

/// A decider that applies `update` whatever the task's state.
fn apply(update: ReviewUpdate) -> ReviewDecider {
    Box::new(move |_task: &ReviewTask| Ok(update))
}

/// The decider the engine's "resolve" boils down to: conflict once
/// resolved, else vote and resolve.
fn resolve_as(reviewer: String, at_ms: i64) -> ReviewDecider {
    Box::new(move |task: &ReviewTask| {
        if task.state == ReviewState::Resolved {
            return Err(Error::conflict(format!(
                "review task {} is already resolved",
                task.id
            )));
        }
        let vote = vote(&reviewer, at_ms, ReviewAction::Approve);
        Ok(ReviewUpdate {
            resolution: Some(Resolution {
                action: ReviewAction::Approve,
                output: task.suggestion.output.clone(),
                label: vote.label.clone(),
                reason: vote.reason.clone(),
                decided_by: vec![reviewer.clone()],
                resolved_at: at(at_ms),
            }),
            vote: Some(vote),
            state: Some(ReviewState::Resolved),
            ..ReviewUpdate::default()
        })
    })
}

fn ids(tasks: &[ReviewTask]) -> Vec<ReviewId> {
    tasks.iter().map(|t| t.id).collect()
}

async fn listed(store: &Store, filter: ReviewFilter) -> Vec<ReviewId> {
    let page = store.list_reviews(&filter).await.expect("list reviews");
    assert_eq!(page.next_cursor, None, "the test lists fit in one page");
    ids(&page.items)
}

#[test]
fn a_review_run_creates_its_task_once_per_idempotency_key() {
    with_store(
        "a_review_run_creates_its_task_once_per_idempotency_key",
        |store: Store| async move {
            let (run, task) = run_with_task("triage", 5_000, Some("card_arrival"));
            let key = run.idempotency_key.clone();
            let created = store
                .insert_run_with_review(
                    run.clone(),
                    NewReview {
                        task: task.clone(),
                        deliveries: vec![],
                    },
                )
                .await
                .expect("insert");
            assert_eq!(created, Inserted::Created(Box::new(run.clone())));
            assert_eq!(
                store.get_review(task.id).await.expect("get"),
                Some(task.clone()),
                "the task reads back exactly as written"
            );
            let stored_run = store.get(run.id).await.expect("get run").expect("stored");
            assert_eq!(stored_run.review_id, Some(task.id));

            // A retry with the same key builds a new run and task: neither
            // is written, the first run comes back.
            let (mut retry, retry_task) = run_with_task("triage", 6_000, Some("card_arrival"));
            retry.idempotency_key = key;
            let again = store
                .insert_run_with_review(
                    retry,
                    NewReview {
                        task: retry_task.clone(),
                        deliveries: vec![],
                    },
                )
                .await
                .expect("insert again");
            assert_eq!(again, Inserted::Existing(Box::new(run)));
            assert_eq!(store.get_review(retry_task.id).await.expect("get"), None);
            assert_eq!(
                listed(&store, ReviewFilter::at(at(0))).await,
                vec![task.id],
                "still exactly one task"
            );
        },
    );
}

#[test]
fn deliveries_are_written_with_a_created_task_only() {
    with_store(
        "deliveries_are_written_with_a_created_task_only",
        |store: Store| async move {
            let (run, task) = run_with_task("triage", 5_000, None);
            let key = run.idempotency_key.clone();
            let announce = delivery(EventType::ReviewCreated);
            store
                .insert_run_with_review(
                    run,
                    NewReview {
                        task,
                        deliveries: vec![announce.clone()],
                    },
                )
                .await
                .expect("insert");
            assert_eq!(
                store.get_delivery(announce.id).await.expect("get delivery"),
                Some(announce)
            );

            let (mut retry, retry_task) = run_with_task("triage", 5_000, None);
            retry.idempotency_key = key;
            let not_sent = delivery(EventType::ReviewCreated);
            let again = store
                .insert_run_with_review(
                    retry,
                    NewReview {
                        task: retry_task,
                        deliveries: vec![not_sent.clone()],
                    },
                )
                .await
                .expect("insert again");
            assert!(again.is_existing());
            assert_eq!(store.get_delivery(not_sent.id).await.expect("get"), None);
        },
    );
}

#[test]
fn a_task_must_belong_to_its_run() {
    with_store("a_task_must_belong_to_its_run", |store: Store| async move {
        let (run, task) = run_with_task("triage", 5_000, None);
        let (other_run, _) = run_with_task("triage", 5_000, None);
        let new = |task: &ReviewTask| NewReview {
            task: task.clone(),
            deliveries: vec![],
        };
        let err = store
            .insert_run_with_review(other_run, new(&task))
            .await
            .expect_err("task of another run");
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::InvalidInput, Some("run_id"))
        );
        let mut unnamed = run.clone();
        unnamed.review_id = None;
        let err = store
            .insert_run_with_review(unnamed, new(&task))
            .await
            .expect_err("run does not name the task");
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::InvalidInput, Some("review_id"))
        );
        assert_eq!(
            store.get(run.id).await.expect("get"),
            None,
            "nothing written"
        );
        assert_eq!(store.get_review(task.id).await.expect("get"), None);
    });
}

#[test]
fn a_bad_task_fails_alone_in_a_group_commit() {
    with_store(
        "a_bad_task_fails_alone_in_a_group_commit",
        |store: Store| async move {
            let taken = create(&store, "triage", 5_000, 1_000, None).await.id;
            // Queue 24 review runs at once, one of which reuses the taken
            // task id: whichever batch it lands in fails and is retried
            // record by record, so only it fails.
            let mut tasks = Vec::new();
            for i in 0..24 {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let (mut run, mut task) = run_with_task("triage", 6_000 + i, None);
                    if i == 11 {
                        task.id = taken;
                        run.review_id = Some(taken);
                    }
                    let id = task.id;
                    let result = store
                        .insert_run_with_review(
                            run.clone(),
                            NewReview {
                                task,
                                deliveries: vec![],
                            },
                        )
                        .await;
                    (i, run.id, id, result)
                }));
            }
            for handle in tasks {
                let (i, run_id, task_id, result) = handle.await.expect("task");
                if i == 11 {
                    let err = result.expect_err("duplicate task id");
                    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
                    assert_eq!(
                        store.get(run_id).await.expect("get"),
                        None,
                        "run rolled back"
                    );
                } else {
                    assert!(!result.expect("insert").is_existing());
                    assert!(store.get_review(task_id).await.expect("get").is_some());
                }
            }
            let all = store
                .list_reviews(&ReviewFilter {
                    limit: Some(100),
                    ..ReviewFilter::at(at(0))
                })
                .await
                .expect("list");
            assert_eq!(all.items.len(), 24, "the first task and 23 of the batch");
        },
    );
}

#[test]
fn plain_runs_and_review_runs_share_a_batch() {
    with_store(
        "plain_runs_and_review_runs_share_a_batch",
        |store: Store| async move {
            let before = store.group_commit_stats();
            let mut handles = Vec::new();
            for i in 0..32 {
                let store = store.clone();
                handles.push(tokio::spawn(async move {
                    if i % 2 == 0 {
                        let run = bare_run("mixed", Decision::Auto);
                        store.insert(run).await.expect("insert").is_existing()
                    } else {
                        let (run, task) = run_with_task("mixed", 9_000, None);
                        store
                            .insert_run_with_review(
                                run,
                                NewReview {
                                    task,
                                    deliveries: vec![],
                                },
                            )
                            .await
                            .expect("insert")
                            .is_existing()
                    }
                }));
            }
            for handle in handles {
                assert!(!handle.await.expect("task"));
            }
            let delta = store.group_commit_stats().since(&before);
            assert_eq!(delta.records, 32);
            assert!(delta.batches < 32, "expected batching: {delta:?}");
            let page = store
                .list_reviews(&ReviewFilter::at(at(0)))
                .await
                .expect("list");
            assert_eq!(page.items.len(), 16);
        },
    );
}

#[test]
fn a_task_reads_back_with_claims_and_votes_oldest_first() {
    with_store(
        "a_task_reads_back_with_claims_and_votes_oldest_first",
        |store: Store| async move {
            let task = create(&store, "triage", 5_000, 1_000, Some("card_arrival")).await;
            let steps = [
                ReviewUpdate {
                    claim: Some(claim("zoe", 100, 900)),
                    ..ReviewUpdate::default()
                },
                ReviewUpdate {
                    claim: Some(claim("amy", 200, 800)),
                    ..ReviewUpdate::default()
                },
                ReviewUpdate {
                    vote: Some(vote("zoe", 300, ReviewAction::Override)),
                    ..ReviewUpdate::default()
                },
                ReviewUpdate {
                    vote: Some(vote("amy", 400, ReviewAction::Approve)),
                    state: Some(ReviewState::Escalated),
                    ..ReviewUpdate::default()
                },
                // amy renews her claim: one row per reviewer, the latest.
                ReviewUpdate {
                    claim: Some(claim("amy", 500, 1_500)),
                    ..ReviewUpdate::default()
                },
            ];
            let mut last = None;
            for update in steps {
                last = Some(
                    store
                        .update_review(task.id, apply(update))
                        .await
                        .expect("update"),
                );
            }
            let returned = last.expect("updated");
            let stored = store.get_review(task.id).await.expect("get").expect("task");
            assert_eq!(returned, stored, "update returns the task as committed");
            assert_eq!(
                stored.claims,
                vec![claim("zoe", 100, 900), claim("amy", 500, 1_500)]
            );
            assert_eq!(
                stored.votes,
                vec![
                    vote("zoe", 300, ReviewAction::Override),
                    vote("amy", 400, ReviewAction::Approve)
                ]
            );
            assert_eq!(stored.state, ReviewState::Escalated);
            assert_eq!(stored.version, 5);
            assert_eq!(stored.suggestion, task.suggestion);

            let released = store
                .update_review(
                    task.id,
                    apply(ReviewUpdate {
                        release: Some("zoe".into()),
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect("release");
            assert_eq!(released.claims, vec![claim("amy", 500, 1_500)]);
            assert_eq!(released.version, 6);
            assert_eq!(store.get_review(ReviewId::new()).await.expect("get"), None);
        },
    );
}

#[test]
fn a_resolution_and_the_overdue_flag_are_stored() {
    with_database(
        "a_resolution_and_the_overdue_flag_are_stored",
        |db| async move {
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            let task = create(&store, "triage", 5_000, 1_000, Some("card_arrival")).await;
            let flagged = store
                .update_review(
                    task.id,
                    apply(ReviewUpdate {
                        overdue_notified: true,
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect("flag");
            assert!(flagged.overdue_notified);
            let resolved = store
                .update_review(task.id, resolve_as("ann".into(), 7_000))
                .await
                .expect("resolve");
            assert!(resolved.overdue_notified, "only ever set, never cleared");
            let resolution = resolved.resolution.clone().expect("resolution");
            assert_eq!(resolution.decided_by, vec!["ann".to_string()]);
            assert_eq!(resolution.resolved_at, at(7_000));
            assert_eq!(resolved.state, ReviewState::Resolved);
            assert_eq!(
                store.get_review(task.id).await.expect("get"),
                Some(resolved)
            );
            store.close().await;
            // The columns the quality queries read agree with the JSON.
            assert_eq!(
                columns::resolved(&db, task.id).await,
                (
                    Some("approve".to_string()),
                    Some("card_arrival".to_string()),
                    Some(7_000),
                    Some("card_arrival".to_string())
                )
            );
        },
    );
}

#[test]
fn the_queue_is_oldest_due_first_then_by_id() {
    with_store(
        "the_queue_is_oldest_due_first_then_by_id",
        |store: Store| async move {
            let late = create(&store, "triage", 9_000, 1_000, None).await;
            let tie_a = create(&store, "triage", 5_000, 1_000, None).await;
            let early = create(&store, "triage", 2_000, 1_000, None).await;
            let tie_b = create(&store, "triage", 5_000, 1_000, None).await;
            let mut ties = [tie_a.id, tie_b.id];
            ties.sort();
            assert_eq!(
                listed(&store, ReviewFilter::at(at(0))).await,
                vec![early.id, ties[0], ties[1], late.id]
            );
        },
    );
}

#[test]
fn the_queue_filters_by_workflow_label_age_and_overdue() {
    with_store(
        "the_queue_filters_by_workflow_label_age_and_overdue",
        |store: Store| async move {
            let a = create(&store, "triage", 2_000, 100, Some("card_arrival")).await;
            let b = create(&store, "triage", 3_000, 200, Some("card_lost")).await;
            let c = create(&store, "refunds", 4_000, 300, Some("card_arrival")).await;
            let d = create(&store, "triage", 5_000, 400, None).await;
            store
                .update_review(b.id, resolve_as("ann".into(), 2_500))
                .await
                .expect("resolve b");
            store
                .update_review(
                    a.id,
                    apply(ReviewUpdate {
                        overdue_notified: true,
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect("flag a");
            let now = at(3_500);
            let all = ReviewFilter::at(now);
            assert_eq!(
                listed(
                    &store,
                    ReviewFilter {
                        workflow: Some("triage".into()),
                        ..all.clone()
                    }
                )
                .await,
                vec![a.id, b.id, d.id]
            );
            assert_eq!(
                listed(
                    &store,
                    ReviewFilter {
                        label: Some("card_arrival".into()),
                        ..all.clone()
                    }
                )
                .await,
                vec![a.id, c.id]
            );
            assert_eq!(
                listed(
                    &store,
                    ReviewFilter {
                        created_before: Some(at(200)),
                        ..all.clone()
                    }
                )
                .await,
                vec![a.id, b.id],
                "created at or before"
            );
            // At 3500: a is due (2000) and open, b is due but resolved.
            assert_eq!(
                listed(
                    &store,
                    ReviewFilter {
                        overdue: Some(true),
                        ..all.clone()
                    }
                )
                .await,
                vec![a.id]
            );
            assert_eq!(
                listed(
                    &store,
                    ReviewFilter {
                        overdue: Some(false),
                        ..all.clone()
                    }
                )
                .await,
                vec![b.id, c.id, d.id]
            );
            // Due exactly now counts as overdue.
            assert_eq!(
                listed(
                    &store,
                    ReviewFilter {
                        overdue: Some(true),
                        ..ReviewFilter::at(at(4_000))
                    }
                )
                .await,
                vec![a.id, c.id]
            );
            assert_eq!(
                listed(
                    &store,
                    ReviewFilter {
                        overdue_notified: Some(true),
                        ..all.clone()
                    }
                )
                .await,
                vec![a.id]
            );
            assert_eq!(
                listed(
                    &store,
                    ReviewFilter {
                        overdue: Some(true),
                        overdue_notified: Some(false),
                        ..ReviewFilter::at(at(4_000))
                    }
                )
                .await,
                vec![c.id],
                "filters combine"
            );
        },
    );
}

#[test]
fn status_follows_the_lease_and_the_clock() {
    with_store(
        "status_follows_the_lease_and_the_clock",
        |store: Store| async move {
            let open = create(&store, "triage", 2_000, 100, None).await;
            let leased = create(&store, "triage", 3_000, 100, None).await;
            let escalated = create(&store, "triage", 4_000, 100, None).await;
            let resolved = create(&store, "triage", 5_000, 100, None).await;
            // leased: ann holds it until 1000.
            store
                .update_review(
                    leased.id,
                    apply(ReviewUpdate {
                        claim: Some(claim("ann", 500, 1_000)),
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect("claim");
            // escalated, with an adjudicator's lease until 1500.
            store
                .update_review(
                    escalated.id,
                    apply(ReviewUpdate {
                        state: Some(ReviewState::Escalated),
                        claim: Some(claim("judge", 600, 1_500)),
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect("escalate");
            // resolved while its reviewer's lease still runs.
            store
                .update_review(
                    resolved.id,
                    apply(ReviewUpdate {
                        claim: Some(claim("bob", 700, 5_000)),
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect("claim");
            store
                .update_review(resolved.id, resolve_as("bob".into(), 800))
                .await
                .expect("resolve");

            let status = |status: ReviewStatus, now_ms: i64| ReviewFilter {
                status: Some(status),
                ..ReviewFilter::at(at(now_ms))
            };
            // Just before ann's lease ends.
            assert_eq!(
                listed(&store, status(ReviewStatus::Claimed, 999)).await,
                vec![leased.id, escalated.id]
            );
            assert_eq!(
                listed(&store, status(ReviewStatus::Open, 999)).await,
                vec![open.id]
            );
            assert_eq!(
                listed(&store, status(ReviewStatus::Escalated, 999)).await,
                vec![]
            );
            // The instant it ends the task is back in the queue.
            assert_eq!(
                listed(&store, status(ReviewStatus::Claimed, 1_000)).await,
                vec![escalated.id]
            );
            assert_eq!(
                listed(&store, status(ReviewStatus::Open, 1_000)).await,
                vec![open.id, leased.id]
            );
            // And the adjudicator's lease ends at 1500.
            assert_eq!(
                listed(&store, status(ReviewStatus::Escalated, 1_500)).await,
                vec![escalated.id]
            );
            assert_eq!(
                listed(&store, status(ReviewStatus::Claimed, 1_500)).await,
                vec![]
            );
            for now in [999, 1_000, 1_500] {
                assert_eq!(
                    listed(&store, status(ReviewStatus::Resolved, now)).await,
                    vec![resolved.id],
                    "resolved whatever the leases, at {now}"
                );
            }
            // The store's filter agrees with ReviewTask::status_at.
            for now in [0, 999, 1_000, 1_499, 1_500, 6_000] {
                let page = store
                    .list_reviews(&ReviewFilter::at(at(now)))
                    .await
                    .expect("list");
                for task in page.items {
                    let shown = listed(&store, status(task.status_at(at(now)), now)).await;
                    assert!(shown.contains(&task.id), "{} at {now}", task.id);
                }
            }
        },
    );
}

#[test]
fn pages_neither_overlap_nor_skip() {
    with_store(
        "pages_neither_overlap_nor_skip",
        |store: Store| async move {
            let mut expected = Vec::new();
            // Seven tasks on four due times, so pages split inside ties.
            for due in [4_000, 1_000, 2_000, 2_000, 4_000, 2_000, 3_000] {
                let task = create(&store, "triage", due, 100, None).await;
                expected.push((due, task.id));
            }
            expected.sort();
            let expected: Vec<ReviewId> = expected.into_iter().map(|(_, id)| id).collect();

            let mut seen = Vec::new();
            let mut cursor = None;
            let mut pages = 0;
            loop {
                let page = store
                    .list_reviews(&ReviewFilter {
                        limit: Some(3),
                        cursor: cursor.clone(),
                        ..ReviewFilter::at(at(0))
                    })
                    .await
                    .expect("page");
                pages += 1;
                assert!(page.items.len() <= 3);
                seen.extend(ids(&page.items));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(pages, 3);
            assert_eq!(seen, expected);
            assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);

            for bad in ["nope", "12", "x.01J9ZQ3V6T8K2M4N5P7R9S1T3V", "12.nope"] {
                let err = store
                    .list_reviews(&ReviewFilter {
                        cursor: Some(bad.into()),
                        ..ReviewFilter::at(at(0))
                    })
                    .await
                    .expect_err(bad);
                assert_eq!(
                    (err.kind(), err.field()),
                    (ErrorKind::InvalidInput, Some("cursor")),
                    "{bad}"
                );
            }
            let err = store
                .list_reviews(&ReviewFilter {
                    limit: Some(0),
                    ..ReviewFilter::at(at(0))
                })
                .await
                .expect_err("limit 0");
            assert_eq!(err.field(), Some("limit"));
        },
    );
}

/// Sends `racers` resolve attempts at once, split over `stores`, and
/// checks that exactly one wins.
async fn race_to_resolve(stores: &[Store], task: ReviewId, racers: usize) {
    let mut handles = Vec::new();
    for i in 0..racers {
        let store = stores[i % stores.len()].clone();
        handles.push(tokio::spawn(async move {
            let reviewer = format!("reviewer-{i:02}");
            (
                reviewer.clone(),
                store
                    .update_review(task, resolve_as(reviewer, 10_000 + i as i64))
                    .await,
            )
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = 0;
    for handle in handles {
        let (reviewer, result) = handle.await.expect("task");
        match result {
            Ok(task) => winners.push((reviewer, task)),
            Err(err) => {
                assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
                assert!(err.message().contains("already resolved"), "{err}");
                conflicts += 1;
            }
        }
    }
    assert_eq!(winners.len(), 1, "exactly one resolution");
    assert_eq!(conflicts, racers - 1);
    let (winner, returned) = winners.pop().expect("one winner");
    let stored = stores[0]
        .get_review(task)
        .await
        .expect("get")
        .expect("task");
    assert_eq!(stored, returned);
    assert_eq!(stored.votes.len(), 1, "one vote stored");
    assert_eq!(stored.votes[0].reviewer, winner);
    assert_eq!(
        stored.resolution.expect("resolved").decided_by,
        vec![winner]
    );
    assert_eq!(stored.version, 1);
}

#[test]
fn racing_resolvers_in_one_process_get_one_success() {
    with_store(
        "racing_resolvers_in_one_process_get_one_success",
        |store: Store| async move {
            let task = create(&store, "triage", 5_000, 100, None).await;
            race_to_resolve(&[store], task.id, 16).await;
        },
    );
}

#[test]
fn racing_resolvers_in_two_stores_on_one_database_get_one_success() {
    with_database(
        "racing_resolvers_in_two_stores_on_one_database_get_one_success",
        |db| async move {
            let first = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect first");
            let second = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect second");
            let task = create(&first, "triage", 5_000, 100, None).await;
            // Plain runs keep both group committers writing meanwhile.
            let mut inserts = Vec::new();
            for i in 0..16 {
                let store = if i % 2 == 0 { &first } else { &second }.clone();
                inserts.push(tokio::spawn(async move {
                    store.insert(bare_run("busy", Decision::Auto)).await
                }));
            }
            race_to_resolve(&[first.clone(), second.clone()], task.id, 16).await;
            for insert in inserts {
                insert.await.expect("task").expect("plain insert");
            }
            first.close().await;
            second.close().await;
        },
    );
}

#[test]
fn a_decider_error_writes_nothing_and_comes_back_unchanged() {
    with_store(
        "a_decider_error_writes_nothing_and_comes_back_unchanged",
        |store: Store| async move {
            let task = create(&store, "triage", 5_000, 100, None).await;
            let refusal = Error::forbidden("only adjudicators may resolve an escalated task")
                .with_field("reviewer")
                .with_hint("ask an adjudicator");
            let expected = refusal.clone();
            let err = store
                .update_review(task.id, Box::new(move |_task: &ReviewTask| Err(refusal)))
                .await
                .expect_err("refused");
            assert_eq!(err.to_json(), expected.to_json());
            let stored = store.get_review(task.id).await.expect("get").expect("task");
            assert_eq!(stored, task, "version and everything else unchanged");

            // A failure after some rows were written rolls them back too:
            // the claim is written before the second, duplicate delivery.
            let twice = delivery(EventType::ReviewOverdue);
            let err = store
                .update_review(
                    task.id,
                    apply(ReviewUpdate {
                        claim: Some(claim("ann", 100, 900)),
                        overdue_notified: true,
                        deliveries: vec![twice.clone(), twice],
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect_err("duplicate delivery id");
            assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
            assert_eq!(store.get_review(task.id).await.expect("get"), Some(task));

            let err = store
                .update_review(ReviewId::new(), apply(ReviewUpdate::default()))
                .await
                .expect_err("no such task");
            assert_eq!(err.kind(), ErrorKind::NotFound);
        },
    );
}

#[test]
fn a_second_vote_by_one_reviewer_is_a_conflict() {
    with_store(
        "a_second_vote_by_one_reviewer_is_a_conflict",
        |store: Store| async move {
            let task = create(&store, "triage", 5_000, 100, None).await;
            let voted = store
                .update_review(
                    task.id,
                    apply(ReviewUpdate {
                        vote: Some(vote("ann", 200, ReviewAction::Approve)),
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect("first vote");
            let err = store
                .update_review(
                    task.id,
                    apply(ReviewUpdate {
                        vote: Some(vote("ann", 300, ReviewAction::Reject)),
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect_err("second vote");
            assert_eq!(err.kind(), ErrorKind::Conflict);
            assert!(err.message().contains("`ann`"), "{err}");
            assert_eq!(store.get_review(task.id).await.expect("get"), Some(voted));
        },
    );
}

#[test]
fn updates_announce_through_the_outbox() {
    with_store(
        "updates_announce_through_the_outbox",
        |store: Store| async move {
            let task = create(&store, "triage", 5_000, 100, None).await;
            let resolved = delivery(EventType::ReviewResolved);
            store
                .update_review(
                    task.id,
                    apply(ReviewUpdate {
                        deliveries: vec![resolved.clone()],
                        ..ReviewUpdate::default()
                    }),
                )
                .await
                .expect("update");
            assert_eq!(
                store.get_delivery(resolved.id).await.expect("get"),
                Some(resolved)
            );
        },
    );
}

/// Reads the derived columns straight from the database.
mod columns {
    use std::str::FromStr;

    use airlock_core::ReviewId;
    use sqlx::{ConnectOptions, Connection, Row};

    use crate::common::{TestBackend, TestDatabase};

    type Resolved = (Option<String>, Option<String>, Option<i64>, Option<String>);

    /// `resolved_action`, `resolved_label`, `resolved_at` in ms and
    /// `suggested_label` of task `id`.
    pub(super) async fn resolved(db: &TestDatabase, id: ReviewId) -> Resolved {
        match db.backend {
            TestBackend::Sqlite => {
                let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(&db.url)
                    .expect("url")
                    .connect()
                    .await
                    .expect("connect");
                let row = sqlx::query(
                    "SELECT resolved_action, resolved_label, resolved_at_ms, suggested_label \
                     FROM review_tasks WHERE id = ?",
                )
                .bind(id.to_string())
                .fetch_one(&mut conn)
                .await
                .expect("row");
                let out = (row.get(0), row.get(1), row.get(2), row.get(3));
                conn.close().await.expect("close");
                out
            }
            TestBackend::Postgres => {
                let mut conn = sqlx::postgres::PgConnectOptions::from_str(&db.url)
                    .expect("url")
                    .connect()
                    .await
                    .expect("connect");
                let row = sqlx::query(
                    "SELECT resolved_action, resolved_label, \
                     (EXTRACT(EPOCH FROM resolved_at) * 1000)::BIGINT, suggested_label \
                     FROM review_tasks WHERE id = $1",
                )
                .bind(id.to_string())
                .fetch_one(&mut conn)
                .await
                .expect("row");
                let out = (row.get(0), row.get(1), row.get(2), row.get(3));
                conn.close().await.expect("close");
                out
            }
        }
    }
}
