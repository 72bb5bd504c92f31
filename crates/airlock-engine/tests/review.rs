//! The review queue on both databases: a review run creates exactly one
//! task with its context, claims are leases that lapse by themselves,
//! resolving is checked before anything is written and happens once, and
//! the run shows the final output and who decided.

mod review_support;

use airlock_core::{Decision, ErrorKind, ReviewAction, ReviewState, ReviewStatus, Timestamp};
use airlock_engine::{ResolveRequest, ReviewFilter, RunRequest, RunVerdict};
use airlock_testkit::run_on_each_database;
use review_support::{
    approve, fixture, lease_end, override_with, plus, reject, review_run, stored, SLA,
};
use serde_json::json;

#[test]
fn a_review_run_creates_one_task_with_the_captured_context() {
    run_on_each_database("a_review_run_creates_one_task", |db| async move {
        let f = fixture(&db, false).await;
        let (run, id) = review_run(&f.engine, "queue", "fraud on my card").await;
        assert_eq!(run.decision, Decision::Review);
        let task = stored(&f.engine, id).await;
        assert_eq!(task.run_id, run.id);
        assert_eq!(task.workflow, "queue");
        assert_eq!(task.workflow_version, run.workflow_version);
        assert_eq!(task.rule.as_deref(), Some("risky-intent"));
        assert_eq!(
            task.reason.as_deref(),
            Some("fraud always goes to a person")
        );
        assert_eq!(task.priority, 10, "the rule's priority wins");
        assert_eq!(task.created_at, run.created_at);
        assert_eq!(task.due_at, plus(run.created_at, SLA.as_secs() as i64));
        assert_eq!(task.suggestion.step.as_deref(), Some("intent"));
        assert_eq!(task.suggestion.label.as_deref(), Some("fraud"));
        assert_eq!(task.suggestion.confidence, Some(0.97));
        let alternatives = task.suggestion.alternatives.as_array().expect("an array");
        assert_eq!(alternatives.len(), 1);
        assert_eq!(alternatives[0]["label"], "other");
        assert_eq!(
            task.suggestion.output,
            Some(json!({"intent": "fraud", "reply": "We are on it."}))
        );
        assert_eq!(task.required_reviews, 1);
        assert_eq!(task.state, ReviewState::Open);
        assert!(task.claims.is_empty() && task.votes.is_empty() && task.resolution.is_none());

        // The stored run points at its task; the run view has the context.
        let (stored_run, review) = f.engine.get_run_with_review(run.id).await.expect("run");
        assert_eq!(stored_run.review_id, Some(id));
        assert_eq!(review.as_ref(), Some(&task));
        assert_eq!(stored_run.steps.len(), 2, "every step's output is kept");

        // Low confidence: the workflow's priority.
        let (_, unsure) = review_run(&f.engine, "queue", "maybe my balance").await;
        let unsure = stored(&f.engine, unsure).await;
        assert_eq!(
            (unsure.rule.as_deref(), unsure.priority),
            (Some("low-confidence"), 2)
        );

        // Runs decided by a rule get no task.
        let auto = f
            .engine
            .run(RunRequest {
                workflow: "queue".into(),
                input: json!({"message": "my balance"}),
                idempotency_key: None,
                key_id: None,
            })
            .await
            .expect("run");
        assert_eq!(auto.run.decision, Decision::Auto);
        assert_eq!(auto.run.review_id, None);

        let all = f
            .engine
            .list_reviews(&ReviewFilter::at(Timestamp::now()))
            .await
            .expect("list");
        assert_eq!(all.items.len(), 2, "one task per review run");
    });
}

#[test]
fn an_idempotent_replay_creates_no_second_task() {
    run_on_each_database(
        "an_idempotent_replay_creates_no_second_task",
        |db| async move {
            let f = fixture(&db, false).await;
            let request = RunRequest {
                workflow: "queue".into(),
                input: json!({"message": "fraud again"}),
                idempotency_key: Some("replay-1".into()),
                key_id: None,
            };
            let first = f.engine.run(request.clone()).await.expect("first");
            let again = f.engine.run(request.clone()).await.expect("again");
            assert!(again.replayed);
            assert_eq!(again.run.review_id, first.run.review_id);
            assert!(first.run.review_id.is_some());

            // Concurrent first requests with one new key: one run, one task.
            let racing = RunRequest {
                idempotency_key: Some("replay-2".into()),
                key_id: None,
                ..request
            };
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let engine = f.engine.clone();
                    let racing = racing.clone();
                    tokio::spawn(async move { engine.run(racing).await })
                })
                .collect();
            let mut review_ids = Vec::new();
            for handle in handles {
                let outcome = handle.await.expect("join").expect("run");
                review_ids.push(outcome.run.review_id.expect("review id"));
            }
            review_ids.dedup();
            assert_eq!(review_ids.len(), 1, "every answer names the same task");
            let all = f
                .engine
                .list_reviews(&ReviewFilter::at(Timestamp::now()))
                .await
                .expect("list");
            assert_eq!(all.items.len(), 2, "one task per key");
        },
    );
}

#[test]
fn a_claim_lapses_by_itself_and_the_task_can_be_claimed_again() {
    run_on_each_database("a_claim_lapses_by_itself", |db| async move {
        let f = fixture(&db, false).await;
        let (_, id) = review_run(&f.engine, "queue", "fraud").await;
        let t0 = stored(&f.engine, id).await.created_at;

        let claimed = f
            .engine
            .claim_review_at(id, "ann", t0)
            .await
            .expect("claim");
        assert_eq!(claimed.status_at(t0), ReviewStatus::Claimed);
        assert_eq!(claimed.claims[0].expires_at, lease_end(t0));

        // Someone else: 409 naming the holder and the expiry.
        let taken = f
            .engine
            .claim_review_at(id, "bob", plus(t0, 60))
            .await
            .expect_err("double claim");
        assert_eq!(taken.kind(), ErrorKind::Conflict);
        assert_eq!(
            taken.message(),
            format!("review {id} is claimed by ann until {}", lease_end(t0))
        );

        // Ann renews; the lease runs from the renewal.
        let t1 = plus(t0, 300);
        let renewed = f
            .engine
            .claim_review_at(id, "ann", t1)
            .await
            .expect("renew");
        assert_eq!(renewed.claims.len(), 1, "one claim per reviewer");
        assert_eq!(renewed.claims[0].expires_at, lease_end(t1));
        let still = f
            .engine
            .claim_review_at(id, "bob", lease_end(t0))
            .await
            .expect_err("renewed");
        assert_eq!(still.kind(), ErrorKind::Conflict);

        // The lease runs out by itself: the task is open again.
        let lapsed = lease_end(t1);
        let task = stored(&f.engine, id).await;
        assert_eq!(task.status_at(plus(lapsed, -1)), ReviewStatus::Claimed);
        assert_eq!(task.status_at(lapsed), ReviewStatus::Open);
        let open = f
            .engine
            .list_reviews(&ReviewFilter {
                status: Some(ReviewStatus::Open),
                ..ReviewFilter::at(lapsed)
            })
            .await
            .expect("list");
        assert_eq!(open.items.len(), 1);
        let bob = f
            .engine
            .claim_review_at(id, "bob", lapsed)
            .await
            .expect("re-claim");
        let live: Vec<&str> = bob
            .live_claims(lapsed)
            .map(|c| c.reviewer.as_str())
            .collect();
        assert_eq!(live, ["bob"]);

        // Ann, whose lease lapsed, cannot resolve over bob's live claim.
        let blocked = f
            .engine
            .resolve_review_at(id, approve("ann"), plus(lapsed, 1))
            .await
            .expect_err("bob holds it");
        assert_eq!(blocked.kind(), ErrorKind::Conflict);
        assert!(blocked.message().contains("claimed by bob"), "{blocked}");
    });
}

#[test]
fn sixteen_racing_claims_give_one_claim_and_a_release_frees_the_task() {
    run_on_each_database("sixteen_racing_claims", |db| async move {
        let f = fixture(&db, false).await;
        let (_, id) = review_run(&f.engine, "queue", "fraud").await;
        let now = Timestamp::now();
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let engine = f.engine.clone();
                tokio::spawn(async move { engine.claim_review_at(id, &format!("r{i}"), now).await })
            })
            .collect();
        let mut winners = Vec::new();
        for handle in handles {
            match handle.await.expect("join") {
                Ok(task) => winners.push(task.claims[0].reviewer.clone()),
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
                    assert!(e.message().contains("is claimed by r"), "{e}");
                }
            }
        }
        assert_eq!(winners.len(), 1, "exactly one claim wins");
        let winner = &winners[0];

        let not_holder = f
            .engine
            .release_review_at(id, "nobody", now)
            .await
            .expect_err("no claim");
        assert_eq!(not_holder.kind(), ErrorKind::Conflict);
        let released = f
            .engine
            .release_review_at(id, winner, now)
            .await
            .expect("release");
        assert_eq!(released.status_at(now), ReviewStatus::Open);
        f.engine
            .claim_review_at(id, "zoe", now)
            .await
            .expect("free again after the release");
    });
}

#[test]
fn sixteen_racing_resolves_give_one_success_and_fifteen_clear_conflicts() {
    run_on_each_database("sixteen_racing_resolves", |db| async move {
        let f = fixture(&db, false).await;
        let (_, id) = review_run(&f.engine, "queue", "fraud").await;
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let engine = f.engine.clone();
                tokio::spawn(
                    async move { engine.resolve_review(id, approve(&format!("r{i}"))).await },
                )
            })
            .collect();
        let mut resolved = Vec::new();
        let mut conflicts = Vec::new();
        for handle in handles {
            match handle.await.expect("join") {
                Ok(task) => resolved.push(task),
                Err(e) => conflicts.push(e),
            }
        }
        assert_eq!(resolved.len(), 1, "one resolve wins: {conflicts:?}");
        assert_eq!(conflicts.len(), 15);
        let task = &resolved[0];
        let resolution = task.resolution.as_ref().expect("resolved");
        let winner = &resolution.decided_by[0];
        let expected = format!(
            "review {id} was already resolved by {winner} at {} (approve)",
            resolution.resolved_at
        );
        for e in &conflicts {
            assert_eq!(e.kind(), ErrorKind::Conflict);
            assert_eq!(e.message(), expected);
        }
        let stored = stored(&f.engine, id).await;
        assert_eq!(stored.votes.len(), 1, "one vote stored");
        assert_eq!(stored.state, ReviewState::Resolved);
    });
}

#[test]
fn an_override_that_breaks_the_output_contract_is_refused_naming_the_field() {
    run_on_each_database(
        "an_override_that_breaks_the_output_contract",
        |db| async move {
            let f = fixture(&db, false).await;
            let (_, id) = review_run(&f.engine, "queue", "fraud").await;
            let before = stored(&f.engine, id).await;

            let bad_type = f
                .engine
                .resolve_review(
                    id,
                    override_with("ann", json!({"intent": 42, "reply": "Hi"}), "wrong intent"),
                )
                .await
                .expect_err("contract");
            assert_eq!(bad_type.kind(), ErrorKind::InvalidInput);
            assert_eq!(bad_type.field(), Some("output.intent"));
            assert!(bad_type.message().contains("output contract"), "{bad_type}");

            let extra = f
                .engine
                .resolve_review(
                    id,
                    override_with(
                        "ann",
                        json!({"intent": "x", "reply": "Hi", "colour": "red"}),
                        "extra",
                    ),
                )
                .await
                .expect_err("additional property");
            assert_eq!(extra.field(), Some("output"));
            assert!(extra.message().contains("colour"), "{extra}");

            let empty_reply = f
                .engine
                .resolve_review(
                    id,
                    override_with("ann", json!({"intent": "x", "reply": ""}), "blank"),
                )
                .await
                .expect_err("minLength");
            assert_eq!(empty_reply.field(), Some("output.reply"));

            assert_eq!(stored(&f.engine, id).await, before, "nothing was written");
        },
    );
}

#[test]
fn override_and_reject_need_a_reason_and_approve_takes_no_output() {
    run_on_each_database("override_and_reject_need_a_reason", |db| async move {
        let f = fixture(&db, false).await;
        let (_, id) = review_run(&f.engine, "queue", "fraud").await;
        let before = stored(&f.engine, id).await;
        let output = json!({"intent": "lost_card", "reply": "We blocked it."});
        let cases: Vec<(ResolveRequest, &str, &str)> = vec![
            (
                ResolveRequest {
                    reason: Some("   ".into()),
                    ..override_with("ann", output.clone(), "x")
                },
                "reason",
                "`override` needs a `reason`",
            ),
            (
                ResolveRequest {
                    output: None,
                    ..override_with("ann", output.clone(), "x")
                },
                "output",
                "an override needs the corrected `output`",
            ),
            (
                ResolveRequest {
                    reason: None,
                    ..reject("ann", "x")
                },
                "reason",
                "`reject` needs a `reason`",
            ),
            (
                ResolveRequest {
                    output: Some(output.clone()),
                    ..approve("ann")
                },
                "output",
                "`approve` takes no `output`",
            ),
            (
                ResolveRequest {
                    label: Some("other".into()),
                    ..override_with("ann", output.clone(), "x")
                },
                "label",
                "`label` is `other` but `output.intent` is `lost_card`",
            ),
            (approve(" "), "reviewer", "reviewer is empty"),
        ];
        for (request, field, message) in cases {
            let e = f
                .engine
                .resolve_review(id, request.clone())
                .await
                .expect_err("invalid");
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{request:?}: {e}");
            assert_eq!(e.field(), Some(field), "{request:?}: {e}");
            assert_eq!(e.message(), message);
        }
        assert_eq!(stored(&f.engine, id).await, before, "nothing was written");

        let missing = f
            .engine
            .resolve_review(airlock_core::ReviewId::new(), approve("ann"))
            .await
            .expect_err("unknown");
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        assert!(
            missing.message().starts_with("no review task with id"),
            "{missing}"
        );
    });
}

#[test]
fn the_run_shows_the_final_output_and_who_decided() {
    run_on_each_database("the_run_shows_the_final_output", |db| async move {
        let f = fixture(&db, false).await;
        let (run, id) = review_run(&f.engine, "queue", "fraud").await;
        let (_, task) = f.engine.get_run_with_review(run.id).await.expect("run");
        let pending = RunVerdict::of(&run, task.as_ref(), Timestamp::now());
        assert_eq!(pending.final_output, None, "nothing goes out while pending");
        assert!(pending.decided_by.is_empty());
        assert_eq!(pending.review_status, Some(ReviewStatus::Open));

        let corrected = json!({"intent": "lost_card", "reply": "We blocked your card."});
        let task = f
            .engine
            .resolve_review(
                id,
                override_with("ann", corrected.clone(), "not fraud, lost"),
            )
            .await
            .expect("resolve");
        let resolution = task.resolution.clone().expect("resolved");
        assert_eq!(resolution.action, ReviewAction::Override);
        assert_eq!(resolution.output, Some(corrected.clone()));
        assert_eq!(
            resolution.label.as_deref(),
            Some("lost_card"),
            "from label_field"
        );
        assert_eq!(resolution.reason.as_deref(), Some("not fraud, lost"));
        assert_eq!(resolution.decided_by, ["ann"]);
        assert!(task.claims.is_empty(), "the resolver's claim is dropped");

        let (run, task) = f.engine.get_run_with_review(run.id).await.expect("run");
        let verdict = RunVerdict::of(&run, task.as_ref(), Timestamp::now());
        assert_eq!(verdict.final_output, Some(corrected));
        assert_eq!(verdict.decided_by, ["ann"]);
        assert_eq!(verdict.action, Some(ReviewAction::Override));
        assert_eq!(verdict.review_status, Some(ReviewStatus::Resolved));

        // Approve: the suggestion's output and label stand.
        let (_, approved) = review_run(&f.engine, "queue", "fraud twice").await;
        let task = f
            .engine
            .resolve_review(approved, approve("bob"))
            .await
            .expect("approve");
        let resolution = task.resolution.expect("resolved");
        assert_eq!(resolution.output, task.suggestion.output);
        assert_eq!(resolution.label.as_deref(), Some("fraud"));

        // Reject: nothing goes out.
        let (run, rejected) = review_run(&f.engine, "queue", "fraud thrice").await;
        let task = f
            .engine
            .resolve_review(rejected, reject("bob", "spam"))
            .await
            .expect("reject");
        let verdict = RunVerdict::of(&run, Some(&task), Timestamp::now());
        assert_eq!(verdict.final_output, None);
        assert_eq!(verdict.action, Some(ReviewAction::Reject));

        // A run no person decided: the rule did.
        let auto = f
            .engine
            .run(RunRequest {
                workflow: "queue".into(),
                input: json!({"message": "balance"}),
                idempotency_key: None,
                key_id: None,
            })
            .await
            .expect("auto");
        let verdict = RunVerdict::of(&auto.run, None, Timestamp::now());
        assert_eq!(verdict.decided_by, ["workflow rule default"]);
        assert_eq!(verdict.final_output, auto.run.output);
    });
}
