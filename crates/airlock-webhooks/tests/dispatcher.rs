//! The dispatcher against real HTTP receivers, on SQLite and PostgreSQL:
//! signed requests that verify (and fail once tampered with), retries of a
//! failing receiver, giving up on one that is down, delivery after a
//! restart, endpoints gone from the config, redirects, timeouts, TLS for
//! https:// URLs and a graceful stop.

mod support;

use std::time::Duration;

use airlock_core::{DeliveryId, DeliveryRecord, DeliveryStatus, Durability, ErrorKind, Timestamp};
use airlock_store::{OutboxStore, Store};
use airlock_testkit::run_on_each_database;
use airlock_webhooks::{
    verify, Dispatcher, DELIVERY_HEADER, EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER,
};
use support::outbox::{endpoint, enqueue_review, fast_retries, outbox, SECRET};
use support::receiver::{closed_port, Answer, Receiver};
use support::wait_for;

/// Longest any test waits for the dispatcher (a hang guard only).
const PATIENCE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(10);

async fn connect(url: &str) -> Store {
    Store::connect(url, Durability::Fsync)
        .await
        .expect("connect and migrate")
}

/// Waits until delivery `id` is no longer pending and returns it.
async fn settled(store: &Store, id: DeliveryId) -> DeliveryRecord {
    wait_for("the delivery to settle", PATIENCE, || async {
        let d = store.get_delivery(id).await.expect("get").expect("stored");
        (d.status != DeliveryStatus::Pending).then_some(d)
    })
    .await
}

#[test]
fn a_receiver_verifies_the_signature_and_a_tampered_body_fails() {
    run_on_each_database("signature_verifies", |db| async move {
        let store = connect(&db.url).await;
        let receiver = Receiver::start(SECRET, vec![]).await;
        let endpoints = [endpoint("crm", &receiver.url)];
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, fast_retries(3))
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .spawn();
        let queued = enqueue_review(&store, &endpoints).await;
        dispatcher.waker().wake();

        let delivered = settled(&store, queued[0].id).await;
        assert_eq!(delivered.status, DeliveryStatus::Delivered);
        assert_eq!(delivered.attempts, 1);
        assert!(delivered.delivered_at.is_some());
        let attempts = store.list_attempts(queued[0].id).await.expect("attempts");
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0].status_code, Some(200));
        assert_eq!(attempts[0].error, None);

        let received = receiver.received();
        assert_eq!(received.len(), 1);
        let request = &received[0];
        assert_eq!(request.verified, Ok(()), "the receiver's verify passed");
        assert_eq!(request.header("content-type"), "application/json");
        assert_eq!(request.header(EVENT_HEADER), "review.created");
        assert_eq!(request.header(DELIVERY_HEADER), queued[0].id.to_string());
        assert_eq!(
            request.header(EVENT_ID_HEADER),
            queued[0].event_id.to_string()
        );
        let body: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON body");
        assert_eq!(body, queued[0].payload);
        assert_eq!(body["type"], "review.created");
        assert_eq!(body["workflow"], "support-triage");

        let header = request.header(SIGNATURE_HEADER);
        let sent_at: i64 = header
            .strip_prefix("t=")
            .and_then(|rest| rest.split(',').next())
            .and_then(|t| t.parse().ok())
            .expect("t= leads the header");
        let tolerance = Duration::from_secs(300);
        verify(SECRET.as_bytes(), header, &request.body, sent_at, tolerance).expect("verifies");
        let tampered =
            String::from_utf8_lossy(&request.body).replace("review.created", "review.resolved");
        let err = verify(
            SECRET.as_bytes(),
            header,
            tampered.as_bytes(),
            sent_at,
            tolerance,
        )
        .expect_err("a tampered body fails");
        assert_eq!(err.kind(), ErrorKind::Forbidden);
        let err = verify(
            b"some-other-secret-entirely",
            header,
            &request.body,
            sent_at,
            tolerance,
        )
        .expect_err("a wrong secret fails");
        assert_eq!(err.kind(), ErrorKind::Forbidden);

        dispatcher.shutdown().await;
        store.close().await;
    });
}

#[test]
fn a_failing_receiver_is_retried_until_it_answers() {
    run_on_each_database("retried_until_it_answers", |db| async move {
        let store = connect(&db.url).await;
        let receiver =
            Receiver::start(SECRET, vec![Answer::Status(500), Answer::Status(500)]).await;
        let endpoints = [endpoint("crm", &receiver.url)];
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, fast_retries(5))
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .spawn();
        let queued = enqueue_review(&store, &endpoints).await;

        let delivered = settled(&store, queued[0].id).await;
        assert_eq!(delivered.status, DeliveryStatus::Delivered);
        assert_eq!(delivered.attempts, 3, "delivered on attempt 3");
        let attempts = store.list_attempts(queued[0].id).await.expect("attempts");
        let numbers: Vec<u32> = attempts.iter().map(|a| a.attempt).collect();
        assert_eq!(numbers, [1, 2, 3]);
        let codes: Vec<Option<u16>> = attempts.iter().map(|a| a.status_code).collect();
        assert_eq!(codes, [Some(500), Some(500), Some(200)]);
        for failed in &attempts[..2] {
            let error = failed.error.as_deref().expect("a failed attempt says why");
            assert!(
                error.starts_with("receiver answered 500 Internal Server Error: answer 500"),
                "{error}"
            );
        }
        assert_eq!(attempts[2].error, None);
        assert!(
            attempts
                .windows(2)
                .all(|w| w[0].started_at <= w[1].started_at),
            "attempts oldest first"
        );
        let received = receiver.received();
        assert_eq!(received.len(), 3);
        assert!(
            received.iter().all(|r| r.verified.is_ok()),
            "every retry is signed"
        );

        dispatcher.shutdown().await;
        store.close().await;
    });
}

#[test]
fn a_receiver_that_is_down_is_given_up_after_max_attempts() {
    run_on_each_database("given_up_when_down", |db| async move {
        let store = connect(&db.url).await;
        let url = format!("http://{}/hooks", closed_port().await);
        let endpoints = [endpoint("crm", &url)];
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, fast_retries(3))
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .spawn();
        let queued = enqueue_review(&store, &endpoints).await;

        let failed = settled(&store, queued[0].id).await;
        assert_eq!(failed.status, DeliveryStatus::Failed);
        assert_eq!(failed.attempts, 3);
        assert_eq!(failed.delivered_at, None);
        let attempts = store.list_attempts(queued[0].id).await.expect("attempts");
        assert_eq!(attempts.len(), 3);
        for attempt in &attempts {
            assert_eq!(attempt.status_code, None);
            let error = attempt.error.as_deref().expect("the connection error");
            assert!(
                error.starts_with("cannot connect: Connection refused"),
                "{error}"
            );
            assert!(
                !error.contains("/hooks"),
                "errors leave the URL out: {error}"
            );
        }
        assert_eq!(failed.last_error, attempts[2].error);

        dispatcher.shutdown().await;
        store.close().await;
    });
}

#[test]
fn deliveries_survive_a_restart() {
    run_on_each_database("survive_a_restart", |db| async move {
        let addr = closed_port().await;
        let url = format!("http://{addr}/hooks");
        let endpoints = [endpoint("crm", &url)];

        // First life: the receiver is down; deliveries are enqueued, one
        // attempt fails, and the dispatcher and the store go away.
        let store = connect(&db.url).await;
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, fast_retries(1_000))
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .spawn();
        let first = enqueue_review(&store, &endpoints).await;
        let second = enqueue_review(&store, &endpoints).await;
        wait_for("a failed first attempt", PATIENCE, || async {
            let d = store.get_delivery(first[0].id).await.expect("get")?;
            (d.attempts >= 1).then_some(())
        })
        .await;
        dispatcher.shutdown().await;
        store.close().await;
        drop(store);

        // Second life: a new store and dispatcher on the same database, and
        // the receiver is back on the same address.
        let receiver = Receiver::start_at(addr, SECRET, vec![]).await;
        let store = connect(&db.url).await;
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, fast_retries(1_000))
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .spawn();
        for queued in [&first[0], &second[0]] {
            let delivered = settled(&store, queued.id).await;
            assert_eq!(delivered.status, DeliveryStatus::Delivered);
            let attempts = store.list_attempts(queued.id).await.expect("attempts");
            assert_eq!(attempts.len() as u32, delivered.attempts);
            let (last, earlier) = attempts.split_last().expect("attempted");
            assert_eq!(last.status_code, Some(200));
            assert!(earlier.iter().all(|a| a.status_code.is_none()));
        }
        let mut delivered_ids: Vec<String> = receiver
            .received()
            .iter()
            .map(|r| r.header(DELIVERY_HEADER).to_string())
            .collect();
        delivered_ids.sort();
        let mut expected = vec![first[0].id.to_string(), second[0].id.to_string()];
        expected.sort();
        assert_eq!(delivered_ids, expected, "each delivered once");

        dispatcher.shutdown().await;
        store.close().await;
    });
}

#[test]
fn an_endpoint_gone_from_the_config_is_given_up() {
    run_on_each_database("endpoint_gone", |db| async move {
        let store = connect(&db.url).await;
        let receiver = Receiver::start(SECRET, vec![]).await;
        let queued = enqueue_review(&store, &[endpoint("old-crm", &receiver.url)]).await;
        let dispatcher = Dispatcher::new(
            outbox(&store),
            &[endpoint("crm", &receiver.url)],
            fast_retries(5),
        )
        .expect("dispatcher")
        .with_poll_interval(POLL)
        .spawn();

        let failed = settled(&store, queued[0].id).await;
        assert_eq!(failed.status, DeliveryStatus::Failed);
        let error = failed.last_error.expect("a reason");
        assert!(
            error.contains("endpoint `old-crm` is no longer in the configuration"),
            "{error}"
        );
        assert_eq!(
            store
                .list_attempts(queued[0].id)
                .await
                .expect("attempts")
                .len(),
            1
        );
        assert!(receiver.received().is_empty(), "nothing was sent");

        dispatcher.shutdown().await;
        store.close().await;
    });
}

#[test]
fn redirects_are_not_followed_and_slow_receivers_time_out() {
    run_on_each_database("redirects_and_timeouts", |db| async move {
        let store = connect(&db.url).await;
        let redirecting = Receiver::start(SECRET, vec![Answer::Redirect]).await;
        let slow = Receiver::start(SECRET, vec![Answer::Slow(Duration::from_secs(30))]).await;
        let endpoints = [
            endpoint("moved", &redirecting.url),
            endpoint("slow", &slow.url),
        ];
        let mut settings = fast_retries(1);
        settings.timeout = Duration::from_millis(300);
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, settings)
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .spawn();
        let queued = enqueue_review(&store, &endpoints).await;

        let moved = settled(&store, queued[0].id).await;
        assert_eq!(moved.status, DeliveryStatus::Failed);
        let attempts = store.list_attempts(moved.id).await.expect("attempts");
        assert_eq!(attempts[0].status_code, Some(302));
        let error = moved.last_error.expect("why");
        assert!(error.contains("redirects are not followed"), "{error}");
        assert_eq!(
            redirecting.received().len(),
            1,
            "the redirect was not followed"
        );

        let timed_out = settled(&store, queued[1].id).await;
        assert_eq!(timed_out.status, DeliveryStatus::Failed);
        let error = timed_out.last_error.expect("why");
        assert_eq!(error, "no answer within 300ms (webhook_delivery.timeout)");

        dispatcher.shutdown().await;
        store.close().await;
    });
}

#[test]
fn shutdown_lets_attempts_in_flight_finish_and_be_recorded() {
    run_on_each_database("graceful_shutdown", |db| async move {
        let store = connect(&db.url).await;
        let receiver =
            Receiver::start(SECRET, vec![Answer::Slow(Duration::from_millis(300))]).await;
        let endpoints = [endpoint("crm", &receiver.url)];
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, fast_retries(3))
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .spawn();
        let queued = enqueue_review(&store, &endpoints).await;
        wait_for("the request to arrive", PATIENCE, || async {
            (!receiver.received().is_empty()).then_some(())
        })
        .await;

        dispatcher.shutdown().await;
        let after = store
            .get_delivery(queued[0].id)
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(
            after.status,
            DeliveryStatus::Delivered,
            "finished before stopping"
        );
        assert_eq!(
            store.list_attempts(after.id).await.expect("attempts").len(),
            1
        );
        store.close().await;
    });
}

#[test]
fn many_deliveries_to_several_endpoints_each_arrive_once() {
    run_on_each_database("many_deliveries", |db| async move {
        let store = connect(&db.url).await;
        let a = Receiver::start(SECRET, vec![]).await;
        let b = Receiver::start(SECRET, vec![Answer::Status(503)]).await;
        let endpoints = [endpoint("a", &a.url), endpoint("b", &b.url)];
        let mut queued = Vec::new();
        for _ in 0..12 {
            queued.extend(enqueue_review(&store, &endpoints).await);
        }
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, fast_retries(3))
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .with_concurrency(4)
            .spawn();
        for d in &queued {
            assert_eq!(
                settled(&store, d.id).await.status,
                DeliveryStatus::Delivered
            );
        }
        let ids = |r: &Receiver| {
            let mut ids: Vec<String> = r
                .received()
                .iter()
                .filter(|req| req.verified.is_ok())
                .map(|req| req.header(DELIVERY_HEADER).to_string())
                .collect();
            ids.sort();
            ids
        };
        let expected = |name: &str| {
            let mut ids: Vec<String> = queued
                .iter()
                .filter(|d| d.endpoint == name)
                .map(|d| d.id.to_string())
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&a), expected("a"));
        let mut b_ids = ids(&b);
        b_ids.dedup();
        assert_eq!(b_ids, expected("b"), "b's one 503 was retried");
        assert_eq!(b.received().len(), 13);

        dispatcher.shutdown().await;
        store.close().await;
    });
}

#[test]
fn deliver_due_makes_one_pass() {
    run_on_each_database("deliver_due", |db| async move {
        let store = connect(&db.url).await;
        let receiver = Receiver::start(SECRET, vec![Answer::Status(500)]).await;
        let endpoints = [endpoint("crm", &receiver.url)];
        let queued = enqueue_review(&store, &endpoints).await;
        let mut settings = fast_retries(3);
        // Long enough that the retry is not due within this test.
        settings.retry_base = Duration::from_secs(3_600);
        settings.retry_max = Duration::from_secs(3_600);
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, settings).expect("dispatcher");

        assert_eq!(dispatcher.deliver_due().await.expect("pass"), 1);
        let d = store
            .get_delivery(queued[0].id)
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(d.attempts, 1);
        let wait_ms = d.next_attempt_at.unix_ms() - Timestamp::now().unix_ms();
        assert!(
            (2_800_000..=3_600_000).contains(&wait_ms),
            "retry in ~1 h less jitter, got {wait_ms} ms"
        );
        assert_eq!(
            dispatcher.deliver_due().await.expect("pass"),
            0,
            "nothing due"
        );
        store.close().await;
    });
}

#[test]
fn https_endpoints_are_reached_over_tls() {
    run_on_each_database("https_over_tls", |db| async move {
        let store = connect(&db.url).await;
        // A plain-HTTP receiver behind an https:// URL: the client must
        // attempt a TLS handshake (and fail it), not refuse the scheme.
        let receiver = Receiver::start(SECRET, vec![]).await;
        let url = receiver.url.replace("http://", "https://");
        let endpoints = [endpoint("tls", &url)];
        let dispatcher = Dispatcher::new(outbox(&store), &endpoints, fast_retries(1))
            .expect("dispatcher")
            .with_poll_interval(POLL)
            .spawn();
        let queued = enqueue_review(&store, &endpoints).await;
        let failed = settled(&store, queued[0].id).await;
        let error = failed.last_error.expect("why");
        assert!(
            error.starts_with("cannot connect") && error.contains("corrupt message"),
            "a failed TLS handshake, got: {error}"
        );
        assert!(
            receiver.received().is_empty(),
            "no plain HTTP request was made"
        );
        dispatcher.shutdown().await;
        store.close().await;
    });
}
