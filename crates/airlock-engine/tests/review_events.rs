//! Review events on both databases: `review.created` is enqueued with the
//! run, `review.resolved` with the resolution (carrying the final output
//! and who decided), and the overdue sweep announces each overdue task
//! exactly once, also when sweeps race.

mod review_support;

use airlock_core::{DeliveryStatus, EventType, ReviewId, Timestamp};
use airlock_engine::Engine;
use airlock_store::{DeliveryFilter, OutboxStore, Store};
use airlock_testkit::run_on_each_database;
use review_support::{endpoint, fixture, override_with, plus, review_run, stored, SLA};
use serde_json::{json, Value};

/// The payloads of `event` deliveries concerning review `id`.
async fn payloads(store: &Store, event: EventType, id: ReviewId) -> Vec<Value> {
    let page = store
        .list_deliveries(&DeliveryFilter {
            event: Some(event),
            limit: Some(500),
            ..DeliveryFilter::default()
        })
        .await
        .expect("list deliveries");
    page.items
        .into_iter()
        .inspect(|d| {
            assert_eq!(d.endpoint, endpoint().name);
            assert_eq!(d.status, DeliveryStatus::Pending);
        })
        .map(|d| d.payload)
        .filter(|p| p["data"]["review_id"] == json!(id))
        .collect()
}

#[test]
fn created_and_resolved_events_are_enqueued_with_the_change() {
    run_on_each_database("created_and_resolved_events", |db| async move {
        let f = fixture(&db, true).await;
        let (run, id) = review_run(&f.engine, "queue", "fraud").await;
        let created = payloads(&f.store, EventType::ReviewCreated, id).await;
        assert_eq!(created.len(), 1, "{created:#?}");
        let event = &created[0];
        assert_eq!(event["type"], "review.created");
        assert_eq!(event["workflow"], "queue");
        assert_eq!(event["data"]["run_id"], json!(run.id));
        assert_eq!(event["data"]["priority"], 10);
        assert_eq!(event["data"]["suggestion"]["label"], "fraud");
        assert!(payloads(&f.store, EventType::ReviewResolved, id)
            .await
            .is_empty());

        let corrected = json!({"intent": "lost_card", "reply": "We blocked it."});
        let task = f
            .engine
            .resolve_review(
                id,
                override_with("ann", corrected.clone(), "lost, not fraud"),
            )
            .await
            .expect("resolve");
        let resolution = task.resolution.expect("resolved");
        let resolved = payloads(&f.store, EventType::ReviewResolved, id).await;
        assert_eq!(resolved.len(), 1);
        assert_eq!(
            resolved[0]["data"],
            json!({
                "review_id": id,
                "run_id": run.id,
                "workflow": "queue",
                "workflow_version": run.workflow_version,
                "action": "override",
                "final_output": corrected,
                "label": "lost_card",
                "suggested_label": "fraud",
                "reason": "lost, not fraud",
                "decided_by": ["ann"],
                "resolved_at": resolution.resolved_at,
            })
        );
    });
}

#[test]
fn a_vote_that_does_not_resolve_enqueues_nothing() {
    run_on_each_database("a_vote_that_does_not_resolve", |db| async move {
        let f = fixture(&db, true).await;
        let (_, id) = review_run(&f.engine, "panel", "fraud").await;
        f.engine
            .resolve_review(id, review_support::approve("ann"))
            .await
            .expect("first of two votes");
        assert!(payloads(&f.store, EventType::ReviewResolved, id)
            .await
            .is_empty());
    });
}

#[test]
fn the_overdue_sweep_announces_each_overdue_task_once() {
    run_on_each_database("the_overdue_sweep_announces_once", |db| async move {
        let f = fixture(&db, true).await;
        let (_, late) = review_run(&f.engine, "queue", "fraud one").await;
        let (_, done) = review_run(&f.engine, "queue", "fraud two").await;
        f.engine
            .resolve_review(done, review_support::approve("ann"))
            .await
            .expect("resolved in time");
        let due = stored(&f.engine, late).await.due_at;
        assert_eq!(
            due,
            plus(
                stored(&f.engine, late).await.created_at,
                SLA.as_secs() as i64
            )
        );

        assert_eq!(
            f.engine
                .sweep_overdue_at(plus(due, -1))
                .await
                .expect("sweep"),
            0
        );
        assert!(payloads(&f.store, EventType::ReviewOverdue, late)
            .await
            .is_empty());

        assert_eq!(f.engine.sweep_overdue_at(due).await.expect("sweep"), 1);
        let task = stored(&f.engine, late).await;
        assert!(task.overdue_notified);
        let overdue = payloads(&f.store, EventType::ReviewOverdue, late).await;
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0]["data"]["due_at"], json!(due));
        assert_eq!(overdue[0]["data"]["status"], "open");

        assert_eq!(
            f.engine
                .sweep_overdue_at(plus(due, 60))
                .await
                .expect("sweep"),
            0,
            "announced once"
        );
        assert!(payloads(&f.store, EventType::ReviewOverdue, done)
            .await
            .is_empty());
        assert_eq!(
            payloads(&f.store, EventType::ReviewOverdue, late)
                .await
                .len(),
            1
        );
    });
}

#[test]
fn racing_sweeps_in_two_engines_announce_each_task_once() {
    run_on_each_database("racing_sweeps_announce_once", |db| async move {
        let f = fixture(&db, true).await;
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(
                review_run(&f.engine, "queue", &format!("fraud {i}"))
                    .await
                    .1,
            );
        }
        // A second process: its own store on the same database.
        let other = fixture(&db, true).await;
        let later = plus(Timestamp::now(), 2 * SLA.as_secs() as i64);
        let sweeps: Vec<tokio::task::JoinHandle<usize>> = [&f.engine, &other.engine]
            .into_iter()
            .cycle()
            .take(6)
            .map(|engine: &Engine| {
                let engine = engine.clone();
                tokio::spawn(async move { engine.sweep_overdue_at(later).await.expect("sweep") })
            })
            .collect();
        let mut announced = 0;
        for sweep in sweeps {
            announced += sweep.await.expect("join");
        }
        assert_eq!(announced, ids.len(), "every task announced once in all");
        for id in ids {
            assert_eq!(
                payloads(&f.store, EventType::ReviewOverdue, id).await.len(),
                1
            );
        }
    });
}

#[test]
fn the_sweeper_loop_stops_on_shutdown() {
    run_on_each_database("the_sweeper_loop_stops_on_shutdown", |db| async move {
        let f = fixture(&db, false).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let sweeper = tokio::spawn(f.engine.clone().sweep_overdue_every(
            std::time::Duration::from_millis(5),
            async move {
                let _ = stopped.await;
            },
        ));
        stop.send(()).expect("the sweeper listens");
        tokio::time::timeout(std::time::Duration::from_secs(10), sweeper)
            .await
            .expect("the sweeper stops")
            .expect("join");
    });
}
