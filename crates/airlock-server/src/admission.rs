//! Admission control: at most `max_in_flight` requests are handled at once;
//! the next are shed at once with `503 unavailable` and `Retry-After: 1`
//! instead of queueing without bound. Without it, a server offered more
//! than it can commit keeps accepting: every request waits longer, memory
//! grows with the waiting requests, and once waits pass the clients'
//! timeouts most requests fail (the `fsync` benchmark offered 5,000
//! requests/s on 2 cores: 49 % answered, p99 9.1 s, 1.6 GB resident without
//! a bound; 86 % answered, p99 0.6 s, 0.6 GB with the default 1,024).
//! Shedding keeps the admitted requests' latency bounded and tells the rest
//! to come back. Health, readiness and metrics are never shed, so probes and
//! monitoring still see an overloaded server.
//!
//! Hand-written over tower's `ConcurrencyLimit` + `LoadShed` because those
//! release the slot when the response head is ready, while a streamed chat
//! completion keeps working (and holds a provider call) until its last
//! event: here a streamed response carries its slot in its body.

use std::sync::Arc;
use std::time::Duration;

use airlock_core::{Error, ErrorKind};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::Semaphore;

use crate::api_error::ApiError;
use crate::metrics_setup::HTTP_REQUESTS_SHED_TOTAL;
use crate::openai::errors::is_event_stream;

/// Paths admitted whatever the load.
const NEVER_SHED: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// How long a shed client is asked to wait.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The slots of requests in flight.
#[derive(Clone)]
pub struct InFlight {
    slots: Arc<Semaphore>,
    limit: usize,
}

impl InFlight {
    /// `limit` slots (at least one).
    pub fn new(limit: usize) -> Self {
        let limit = limit.clamp(1, Semaphore::MAX_PERMITS);
        InFlight {
            slots: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }
}

/// Runs `request` in a free slot, or answers `503` if there is none.
pub async fn admit(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    if NEVER_SHED.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let Ok(slot) = Arc::clone(&in_flight.slots).try_acquire_owned() else {
        metrics::counter!(HTTP_REQUESTS_SHED_TOTAL).increment(1);
        return shed(in_flight.limit);
    };
    let response = next.run(request).await;
    if !is_event_stream(&response) {
        // The whole answer is ready: the work is done.
        return response;
    }
    // A stream works until its last event: its body holds the slot.
    response.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _held = &slot;
            chunk
        }))
    })
}

fn shed(limit: usize) -> Response {
    let error = Error::new(
        ErrorKind::Unavailable,
        format!("the server is handling its limit of {limit} requests at once"),
    )
    .with_hint("retry after the Retry-After delay; operators can raise [server] max_in_flight")
    .with_retry_after(RETRY_AFTER);
    ApiError::from(error).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn app(limit: usize, gate: Arc<tokio::sync::Notify>) -> (Router, InFlight) {
        let in_flight = InFlight::new(limit);
        let slow = move || {
            let gate = Arc::clone(&gate);
            async move {
                gate.notified().await;
                "done"
            }
        };
        let router = Router::new()
            .route("/slow", get(slow))
            .route("/healthz", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(
                in_flight.clone(),
                admit,
            ));
        (router, in_flight)
    }

    fn get_request(path: &str) -> Request {
        Request::builder().uri(path).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn past_the_limit_requests_are_shed_and_a_freed_slot_admits_again() {
        let gate = Arc::new(tokio::sync::Notify::new());
        let (router, in_flight) = app(1, Arc::clone(&gate));
        let first = tokio::spawn(router.clone().oneshot(get_request("/slow")));
        while in_flight.slots.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let shed = router.clone().oneshot(get_request("/slow")).await.unwrap();
        assert_eq!(shed.status(), 503);
        assert_eq!(shed.headers()[header::RETRY_AFTER], "1");
        let body = axum::body::to_bytes(shed.into_body(), 4096).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "unavailable");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("limit of 1 requests"),
            "{body}"
        );
        let health = router
            .clone()
            .oneshot(get_request("/healthz"))
            .await
            .unwrap();
        assert_eq!(health.status(), 200, "health is never shed");

        gate.notify_one();
        assert_eq!(first.await.unwrap().unwrap().status(), 200);
        assert_eq!(in_flight.slots.available_permits(), 1, "the slot is back");
        gate.notify_one();
        let again = router.oneshot(get_request("/slow")).await.unwrap();
        assert_eq!(again.status(), 200);
    }

    #[tokio::test]
    async fn a_streamed_answer_holds_its_slot_until_its_body_ends() {
        let in_flight = InFlight::new(1);
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<&'static str, std::io::Error>>(1);
        let rx = Arc::new(std::sync::Mutex::new(Some(rx)));
        let stream = move || {
            let rx = rx.lock().unwrap().take().expect("one stream");
            async move {
                let events = futures_util::stream::unfold(rx, |mut rx| async move {
                    rx.recv().await.map(|item| (item, rx))
                });
                (
                    [(header::CONTENT_TYPE, "text/event-stream")],
                    Body::from_stream(events),
                )
            }
        };
        let router = Router::new().route("/stream", get(stream)).layer(
            axum::middleware::from_fn_with_state(in_flight.clone(), admit),
        );
        let response = router
            .clone()
            .oneshot(get_request("/stream"))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            in_flight.slots.available_permits(),
            0,
            "the stream is running"
        );
        let shed = router
            .clone()
            .oneshot(get_request("/stream"))
            .await
            .unwrap();
        assert_eq!(shed.status(), 503);
        tx.send(Ok("data: one\n\n")).await.unwrap();
        drop(tx);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        assert_eq!(&body[..], b"data: one\n\n");
        assert_eq!(
            in_flight.slots.available_permits(),
            1,
            "the ended stream freed it"
        );
    }
}
