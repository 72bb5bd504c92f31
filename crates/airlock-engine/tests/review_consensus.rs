//! Consensus on both databases: with `consensus = 2` two independent
//! reviews that agree resolve a task; disagreement escalates it, and only
//! an adjudicator (who has not voted on it) may then decide.

mod review_support;

use airlock_core::{ErrorKind, ReviewAction, ReviewState, ReviewStatus, Timestamp};
use airlock_engine::ResolveRequest;
use airlock_testkit::run_on_each_database;
use review_support::{approve, fixture, override_with, plus, review_run, stored};
use serde_json::json;

#[test]
fn two_agreeing_reviews_resolve_the_task() {
    run_on_each_database("two_agreeing_reviews_resolve_the_task", |db| async move {
        let f = fixture(&db, false).await;
        let (_, id) = review_run(&f.engine, "panel", "fraud").await;
        let task = stored(&f.engine, id).await;
        assert_eq!(task.required_reviews, 2);
        let now = task.created_at;

        // Two reviewers may hold claims at once; a third may not.
        f.engine.claim_review_at(id, "ann", now).await.expect("ann");
        f.engine.claim_review_at(id, "bob", now).await.expect("bob");
        let third = f
            .engine
            .claim_review_at(id, "cid", now)
            .await
            .expect_err("no free slot");
        assert_eq!(third.kind(), ErrorKind::Conflict);
        assert!(third.message().contains("claimed by ann until"), "{third}");
        assert!(third.message().contains("and bob until"), "{third}");

        let first = f
            .engine
            .resolve_review_at(id, approve("ann"), plus(now, 10))
            .await
            .expect("first vote");
        assert_eq!(first.state, ReviewState::Open, "one vote of two");
        assert!(first.resolution.is_none());
        assert_eq!(first.votes.len(), 1);

        let twice = f
            .engine
            .resolve_review_at(id, approve("ann"), plus(now, 11))
            .await
            .expect_err("one vote per reviewer");
        assert_eq!(twice.kind(), ErrorKind::Conflict);
        assert_eq!(
            twice.message(),
            format!("`ann` already voted on review {id}")
        );
        let reclaim = f
            .engine
            .claim_review_at(id, "ann", plus(now, 12))
            .await
            .expect_err("a voter cannot claim again");
        assert_eq!(reclaim.kind(), ErrorKind::Conflict);

        let second = f
            .engine
            .resolve_review_at(
                id,
                ResolveRequest {
                    reason: Some("clearly fraud".into()),
                    ..approve("bob")
                },
                plus(now, 20),
            )
            .await
            .expect("second vote");
        assert_eq!(second.state, ReviewState::Resolved);
        let resolution = second.resolution.expect("resolved");
        assert_eq!(resolution.action, ReviewAction::Approve);
        assert_eq!(resolution.decided_by, ["ann", "bob"]);
        assert_eq!(resolution.label.as_deref(), Some("fraud"));
        assert_eq!(resolution.reason.as_deref(), Some("clearly fraud"));
        assert_eq!(resolution.resolved_at, plus(now, 20));
    });
}

#[test]
fn disagreement_escalates_to_an_adjudicator_whose_vote_is_final() {
    run_on_each_database("disagreement_escalates", |db| async move {
        let f = fixture(&db, false).await;
        let (_, id) = review_run(&f.engine, "panel", "fraud").await;
        let now = stored(&f.engine, id).await.created_at;
        let corrected = json!({"intent": "lost_card", "reply": "We blocked it."});

        f.engine
            .resolve_review_at(id, approve("ann"), now)
            .await
            .expect("ann");
        let escalated = f
            .engine
            .resolve_review_at(
                id,
                override_with("bob", corrected.clone(), "it was lost"),
                plus(now, 1),
            )
            .await
            .expect("bob's vote is recorded");
        assert_eq!(escalated.state, ReviewState::Escalated);
        assert!(escalated.resolution.is_none(), "nothing resolved yet");
        assert_eq!(escalated.status_at(plus(now, 2)), ReviewStatus::Escalated);

        for action in ["claim", "resolve"] {
            let e = match action {
                "claim" => f.engine.claim_review_at(id, "cid", plus(now, 2)).await,
                _ => {
                    f.engine
                        .resolve_review_at(id, approve("cid"), plus(now, 2))
                        .await
                }
            }
            .expect_err("not an adjudicator");
            assert_eq!(e.kind(), ErrorKind::Forbidden, "{action}: {e}");
            assert_eq!(
                e.message(),
                format!("review {id} is escalated (its reviewers disagreed); only an adjudicator may claim or resolve it, and `cid` is not one")
            );
        }

        let judy = f
            .engine
            .claim_review_at(id, "judy", plus(now, 3))
            .await
            .expect("the adjudicator claims");
        assert_eq!(judy.status_at(plus(now, 3)), ReviewStatus::Claimed);
        let resolved = f
            .engine
            .resolve_review_at(
                id,
                override_with("judy", corrected.clone(), "bob is right"),
                plus(now, 4),
            )
            .await
            .expect("the adjudicator decides");
        assert_eq!(resolved.state, ReviewState::Resolved);
        let resolution = resolved.resolution.clone().expect("resolved");
        assert_eq!(resolution.decided_by, ["judy"]);
        assert_eq!(resolution.action, ReviewAction::Override);
        assert_eq!(resolution.output, Some(corrected));
        assert_eq!(resolution.label.as_deref(), Some("lost_card"));
        let adjudication = resolved.votes.last().expect("votes");
        assert!(adjudication.adjudication);
        assert_eq!(resolved.votes.len(), 3);
        assert!(resolved.claims.is_empty(), "judy's claim is dropped");

        let late = f
            .engine
            .resolve_review_at(id, approve("judy"), plus(now, 5))
            .await
            .expect_err("final");
        assert_eq!(late.kind(), ErrorKind::Conflict);
        assert!(
            late.message()
                .starts_with(&format!("review {id} was already resolved by judy at")),
            "{late}"
        );
    });
}

#[test]
fn an_adjudicator_who_voted_cannot_adjudicate_the_same_task() {
    run_on_each_database("an_adjudicator_who_voted", |db| async move {
        let f = fixture(&db, false).await;
        let (_, id) = review_run(&f.engine, "panel", "fraud").await;
        let now = Timestamp::now();
        f.engine
            .resolve_review_at(id, approve("judy"), now)
            .await
            .expect("judy votes as a reviewer");
        let task = f
            .engine
            .resolve_review_at(
                id,
                ResolveRequest {
                    reviewer: "bob".into(),
                    action: ReviewAction::Reject,
                    output: None,
                    label: None,
                    reason: Some("not actionable".into()),
                },
                now,
            )
            .await
            .expect("bob disagrees");
        assert_eq!(task.state, ReviewState::Escalated);
        let e = f
            .engine
            .resolve_review_at(id, approve("judy"), now)
            .await
            .expect_err("judy already voted");
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(
            e.hint(),
            Some("an escalated task needs an adjudicator who has not voted on it yet")
        );
    });
}
