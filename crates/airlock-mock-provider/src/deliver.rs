//! Sending an answer the way the request's fault says: whole, cut off, or
//! stalled part way — for plain JSON bodies and for event streams alike.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};

use crate::api_error::json_response;
use crate::state::MockState;

/// How much of the answer reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Whole,
    /// Send this many stream events (or half a plain body), then drop the
    /// connection.
    Cut(u32),
    /// Send this many stream events (or half a plain body), then send
    /// nothing more until the client gives up.
    Stall(u32),
}

/// A JSON body, delivered as `delivery` says.
pub(crate) fn json(state: &MockState, delivery: Delivery, body: Vec<u8>) -> Response {
    let stall = match delivery {
        Delivery::Whole => return json_response(StatusCode::OK, body),
        Delivery::Cut(_) => false,
        Delivery::Stall(_) => true,
    };
    let full_length = body.len();
    let mut half = Bytes::from(body);
    half.truncate(full_length / 2);
    let mut response = partial(vec![half], state, stall);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full_length));
    response
}

/// An event stream, delivered as `delivery` says. A cut or stalled stream
/// never reaches its last (terminal) event.
pub(crate) fn events(state: &MockState, delivery: Delivery, mut events: Vec<Bytes>) -> Response {
    let mut response = match delivery {
        Delivery::Whole => Response::new(Body::from(events.concat())),
        Delivery::Cut(after) | Delivery::Stall(after) => {
            let keep = (after as usize).min(events.len().saturating_sub(1));
            events.truncate(keep);
            partial(events, state, matches!(delivery, Delivery::Stall(_)))
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A body of `chunks` that then either fails at once (the connection is
/// dropped) or, when `stall`, waits for the mock's shutdown first.
fn partial(chunks: Vec<Bytes>, state: &MockState, stall: bool) -> Response {
    let stopped = state.stopped();
    let ending = stream::once(async move {
        if stall {
            stopped.await;
        } else {
            // Let the connection flush what was sent before dropping it.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Err::<Bytes, _>(std::io::Error::other("mock provider: connection cut"))
    });
    let body = stream::iter(chunks.into_iter().map(Ok)).chain(ending);
    Response::new(Body::from_stream(body))
}

/// One server-sent event carrying only data (OpenAI style).
pub(crate) fn data_event(json: &[u8]) -> Bytes {
    let mut event = Vec::with_capacity(json.len() + 8);
    event.extend_from_slice(b"data: ");
    event.extend_from_slice(json);
    event.extend_from_slice(b"\n\n");
    event.into()
}

/// One named server-sent event (Anthropic style).
pub(crate) fn named_event(name: &str, json: &[u8]) -> Bytes {
    let mut event = Vec::with_capacity(json.len() + name.len() + 16);
    event.extend_from_slice(b"event: ");
    event.extend_from_slice(name.as_bytes());
    event.extend_from_slice(b"\ndata: ");
    event.extend_from_slice(json);
    event.extend_from_slice(b"\n\n");
    event.into()
}
