//! The webhook outbox on SQLite and PostgreSQL: claims respect due times
//! and leases (also between two stores racing on one database), attempts
//! move deliveries on and are listed oldest first, deliveries list newest
//! first with filters and pages.

mod common;
mod seed;

use std::collections::HashSet;
use std::time::Duration;

use airlock_core::{
    DeliveryAttempt, DeliveryId, DeliveryRecord, DeliveryStatus, Durability, ErrorKind, EventId,
    EventType, Timestamp,
};
use airlock_store::{DeliveryFilter, DeliveryNext, OutboxStore, Store};
use common::{with_database, with_store, TestDatabase};
use seed::Seeder;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_ms(ms).expect("test timestamps are in range")
}

/// A pending delivery first due at `next_attempt_at_ms`.
fn delivery(next_attempt_at_ms: i64) -> DeliveryRecord {
    DeliveryRecord {
        id: DeliveryId::new(),
        event_id: EventId::new(),
        event: EventType::ReviewCreated,
        endpoint: "crm".into(),
        url: "https://hooks.example.com/airlock?team=it's".into(),
        payload: serde_json::json!({"type": "review.created", "data": {"text": "ünïcode \"q\""}}),
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: at(next_attempt_at_ms),
        created_at: at(500),
        delivered_at: None,
        last_error: None,
    }
}

fn attempt(d: &DeliveryRecord, number: u32, started_ms: i64, code: Option<u16>) -> DeliveryAttempt {
    DeliveryAttempt {
        delivery_id: d.id,
        attempt: number,
        started_at: at(started_ms),
        duration_ms: 120,
        status_code: code,
        error: match code {
            Some(200..=299) => None,
            Some(code) => Some(format!("receiver answered {code}")),
            None => Some("connection refused".into()),
        },
    }
}

/// Writes `deliveries` into the outbox as they are.
async fn seed(db: &TestDatabase, deliveries: &[DeliveryRecord]) {
    let mut seeder = Seeder::connect(db).await;
    for d in deliveries {
        seeder.delivery(d).await;
    }
    seeder.close().await;
}

fn ids(deliveries: &[DeliveryRecord]) -> Vec<DeliveryId> {
    deliveries.iter().map(|d| d.id).collect()
}

#[test]
fn outbox_claim_respects_due_times_and_leases() {
    with_database(
        "outbox_claim_respects_due_times_and_leases",
        |db| async move {
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            let first = delivery(1_000);
            let second = delivery(2_000);
            let later = delivery(5_000);
            let mut done = delivery(0);
            done.status = DeliveryStatus::Delivered;
            done.delivered_at = Some(at(700));
            let mut failed = delivery(0);
            failed.status = DeliveryStatus::Failed;
            seed(
                &db,
                &[later.clone(), second.clone(), done, failed, first.clone()],
            )
            .await;
            let lease = Duration::from_secs(10);

            let claimed = store
                .claim_due_deliveries(at(2_500), lease, 10)
                .await
                .expect("claim");
            assert_eq!(
                claimed,
                vec![first.clone(), second.clone()],
                "due ones, oldest due first, as stored"
            );

            let again = store
                .claim_due_deliveries(at(3_000), lease, 10)
                .await
                .expect("claim");
            assert_eq!(again, vec![], "leased until 12.5 s");

            let third = store
                .claim_due_deliveries(at(6_000), lease, 10)
                .await
                .expect("claim");
            assert_eq!(ids(&third), vec![later.id], "only the newly due one");

            let before_expiry = store
                .claim_due_deliveries(at(12_499), lease, 10)
                .await
                .expect("claim");
            assert_eq!(before_expiry, vec![]);
            let expired = store
                .claim_due_deliveries(at(12_500), lease, 10)
                .await
                .expect("claim");
            assert_eq!(
                ids(&expired),
                vec![first.id, second.id],
                "the lease ran out"
            );

            let limited = store
                .claim_due_deliveries(at(60_000), lease, 1)
                .await
                .expect("claim");
            assert_eq!(
                ids(&limited),
                vec![first.id],
                "the limit takes the oldest due"
            );

            let err = store
                .claim_due_deliveries(at(60_000), Duration::from_micros(10), 1)
                .await
                .expect_err("zero-length lease");
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            assert_eq!(err.field(), Some("lease"));
            assert_eq!(
                store
                    .claim_due_deliveries(at(60_000), lease, 0)
                    .await
                    .expect("claim"),
                vec![]
            );
            store.close().await;
        },
    );
}

#[test]
fn outbox_two_stores_racing_never_claim_the_same_delivery() {
    with_database(
        "outbox_two_stores_racing_never_claim_the_same_delivery",
        |db| async move {
            let one = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect one");
            let two = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect two");
            let all: Vec<_> = (0..60).map(|i| delivery(1_000 + i)).collect();
            seed(&db, &all).await;

            let dispatchers: Vec<_> = (0..8)
                .map(|i| {
                    let store = if i % 2 == 0 { one.clone() } else { two.clone() };
                    tokio::spawn(async move {
                        let mut taken = Vec::new();
                        loop {
                            let batch = store
                                .claim_due_deliveries(at(10_000), Duration::from_secs(600), 3)
                                .await
                                .expect("claim");
                            // More than all of them means some were taken twice.
                            if batch.is_empty() || taken.len() > 60 {
                                return taken;
                            }
                            taken.extend(batch.into_iter().map(|d| d.id));
                            tokio::task::yield_now().await;
                        }
                    })
                })
                .collect();
            let mut claimed = Vec::new();
            for dispatcher in dispatchers {
                claimed.extend(dispatcher.await.expect("dispatcher"));
            }
            let distinct: HashSet<_> = claimed.iter().copied().collect();
            assert_eq!(claimed.len(), distinct.len(), "no delivery claimed twice");
            assert_eq!(
                distinct,
                ids(&all).into_iter().collect::<HashSet<_>>(),
                "every delivery claimed"
            );
            one.close().await;
            two.close().await;
        },
    );
}

#[test]
fn outbox_record_attempt_retries_delivers_and_gives_up() {
    with_database(
        "outbox_record_attempt_retries_delivers_and_gives_up",
        |db| async move {
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            let flaky = delivery(1_000);
            let dead = delivery(1_001);
            seed(&db, &[flaky.clone(), dead.clone()]).await;
            let hour = Duration::from_secs(3_600);
            let claimed = store
                .claim_due_deliveries(at(1_000), hour, 10)
                .await
                .expect("claim");
            assert_eq!(ids(&claimed), vec![flaky.id]);

            // Attempt 1 fails; retry at 4 s, well inside the hour's lease.
            let a1 = attempt(&flaky, 1, 1_000, Some(503));
            store
                .record_attempt(a1.clone(), DeliveryNext::RetryAt(at(4_000)))
                .await
                .expect("record attempt 1");
            let stored = store
                .get_delivery(flaky.id)
                .await
                .expect("get")
                .expect("exists");
            assert_eq!(
                stored,
                DeliveryRecord {
                    attempts: 1,
                    next_attempt_at: at(4_000),
                    last_error: Some("receiver answered 503".into()),
                    ..flaky.clone()
                }
            );
            assert_eq!(
                store
                    .claim_due_deliveries(at(3_999), hour, 10)
                    .await
                    .expect("claim")
                    .len(),
                1,
                "only `dead` is due"
            );
            let retried = store
                .claim_due_deliveries(at(4_000), hour, 10)
                .await
                .expect("claim");
            assert_eq!(
                ids(&retried),
                vec![flaky.id],
                "the attempt released the lease"
            );

            let err = store
                .record_attempt(
                    attempt(&flaky, 3, 4_000, Some(200)),
                    DeliveryNext::Delivered,
                )
                .await
                .expect_err("attempt 3 before 2");
            assert_eq!(err.kind(), ErrorKind::Conflict);
            assert_eq!(err.field(), Some("attempt"));

            let a2 = attempt(&flaky, 2, 4_000, Some(204));
            store
                .record_attempt(a2.clone(), DeliveryNext::Delivered)
                .await
                .expect("record attempt 2");
            let stored = store
                .get_delivery(flaky.id)
                .await
                .expect("get")
                .expect("exists");
            assert_eq!(stored.status, DeliveryStatus::Delivered);
            assert_eq!(stored.attempts, 2);
            assert_eq!(
                stored.delivered_at,
                Some(at(4_120)),
                "when the receiver answered"
            );
            assert_eq!(stored.last_error, None);
            assert_eq!(stored.next_attempt_at, at(4_000));

            let err = store
                .record_attempt(
                    attempt(&flaky, 3, 5_000, Some(200)),
                    DeliveryNext::Delivered,
                )
                .await
                .expect_err("delivered already");
            assert_eq!(err.kind(), ErrorKind::Conflict);
            assert!(
                err.message().contains("already delivered"),
                "{}",
                err.message()
            );
            assert_eq!(
                store.list_attempts(flaky.id).await.expect("attempts"),
                vec![a1, a2]
            );

            let last = attempt(&dead, 1, 5_000, None);
            store
                .record_attempt(last.clone(), DeliveryNext::GiveUp)
                .await
                .expect("give up");
            let stored = store
                .get_delivery(dead.id)
                .await
                .expect("get")
                .expect("exists");
            assert_eq!(stored.status, DeliveryStatus::Failed);
            assert_eq!(stored.attempts, 1);
            assert_eq!(stored.last_error.as_deref(), Some("connection refused"));
            assert_eq!(stored.delivered_at, None);
            assert_eq!(
                store.list_attempts(dead.id).await.expect("attempts"),
                vec![last]
            );
            assert_eq!(
                store
                    .claim_due_deliveries(at(1_000_000), hour, 10)
                    .await
                    .expect("claim"),
                vec![],
                "delivered and failed deliveries are never claimed"
            );

            let unknown = delivery(0);
            let err = store
                .record_attempt(attempt(&unknown, 1, 0, Some(200)), DeliveryNext::Delivered)
                .await
                .expect_err("no such delivery");
            assert_eq!(err.kind(), ErrorKind::NotFound);
            assert_eq!(store.get_delivery(unknown.id).await.expect("get"), None);
            assert_eq!(
                store.list_attempts(unknown.id).await.expect("attempts"),
                vec![]
            );
            let err = store
                .record_attempt(attempt(&dead, 0, 0, Some(200)), DeliveryNext::Delivered)
                .await
                .expect_err("attempt 0");
            assert_eq!(err.kind(), ErrorKind::InvalidInput);
            store.close().await;
        },
    );
}

#[test]
fn outbox_list_deliveries_filters_and_pages_newest_first() {
    with_database(
        "outbox_list_deliveries_filters_and_pages_newest_first",
        |db| async move {
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            let mut all = Vec::new();
            for i in 0..9 {
                let mut d = delivery(1_000);
                if i % 3 == 0 {
                    d.event = EventType::ReviewResolved;
                }
                if i % 2 == 0 {
                    d.endpoint = "audit".into();
                }
                if i == 4 {
                    d.status = DeliveryStatus::Failed;
                    d.attempts = 5;
                    d.last_error = Some("timed out".into());
                }
                all.push(d);
            }
            seed(&db, &all).await;
            all.sort_by_key(|d| std::cmp::Reverse(d.id));

            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = store
                    .list_deliveries(&DeliveryFilter {
                        limit: Some(2),
                        cursor: cursor.clone(),
                        ..Default::default()
                    })
                    .await
                    .expect("list");
                seen.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen, all, "every field round-trips, newest first, no gaps");

            let filtered = store
                .list_deliveries(&DeliveryFilter {
                    event: Some(EventType::ReviewResolved),
                    endpoint: Some("audit".into()),
                    ..Default::default()
                })
                .await
                .expect("list");
            let expected: Vec<_> = all
                .iter()
                .filter(|d| d.event == EventType::ReviewResolved && d.endpoint == "audit")
                .cloned()
                .collect();
            assert_eq!(expected.len(), 2);
            assert_eq!(filtered.items, expected);

            let failed = store
                .list_deliveries(&DeliveryFilter {
                    status: Some(DeliveryStatus::Failed),
                    ..Default::default()
                })
                .await
                .expect("list");
            assert_eq!(failed.items.len(), 1);
            assert_eq!(failed.items[0].attempts, 5);
            store.close().await;
        },
    );
}

#[test]
fn outbox_empty_store_has_nothing_to_claim() {
    with_store(
        "outbox_empty_store_has_nothing_to_claim",
        |store: Store| async move {
            let claimed = store
                .claim_due_deliveries(Timestamp::now(), Duration::from_secs(30), 10)
                .await
                .expect("claim");
            assert_eq!(claimed, vec![]);
            let page = store
                .list_deliveries(&DeliveryFilter::default())
                .await
                .expect("list");
            assert_eq!(page.items, vec![]);
            assert_eq!(page.next_cursor, None);
        },
    );
}
