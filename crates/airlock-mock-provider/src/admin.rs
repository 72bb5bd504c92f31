//! The `/_mock/*` control API, for tests and benchmarks outside the process:
//! queue and clear faults, set the default fault, read counters and the
//! request log, reset everything.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::api_error::{json_response, to_json};
use crate::faults::{Fault, FaultRule};
use crate::state::MockState;

/// The admin routes, merged into the mock's router.
pub(crate) fn routes() -> Router<Arc<MockState>> {
    Router::new()
        .route(
            "/_mock/faults",
            post(push_faults).delete(clear_faults).get(list_faults),
        )
        .route("/_mock/faults/default", put(set_default_fault))
        .route("/_mock/stats", get(stats))
        .route("/_mock/requests", get(requests))
        .route("/_mock/reset", post(reset))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(FaultRule),
    Many(Vec<FaultRule>),
}

#[derive(Serialize)]
struct Queued {
    queued: usize,
}

#[derive(Serialize)]
struct FaultList {
    rules: Vec<FaultRule>,
    default: Option<Fault>,
}

#[derive(Serialize)]
struct Done {
    ok: bool,
}

fn ok() -> Response {
    json_response(StatusCode::OK, to_json(&Done { ok: true }))
}

fn bad_request(error: &serde_json::Error) -> Response {
    let body = serde_json::json!({ "error": error.to_string() });
    json_response(StatusCode::BAD_REQUEST, to_json(&body))
}

/// `POST /_mock/faults`: one rule or an array of rules, queued in order.
async fn push_faults(State(state): State<Arc<MockState>>, body: Bytes) -> Response {
    let rules = match serde_json::from_slice::<OneOrMany>(&body) {
        Ok(OneOrMany::One(rule)) => vec![rule],
        Ok(OneOrMany::Many(rules)) => rules,
        Err(error) => return bad_request(&error),
    };
    let queued = rules.len();
    for rule in rules {
        state.faults.push(rule);
    }
    json_response(StatusCode::OK, to_json(&Queued { queued }))
}

/// `DELETE /_mock/faults`: drops every rule and the default fault.
async fn clear_faults(State(state): State<Arc<MockState>>) -> Response {
    state.faults.clear();
    ok()
}

/// `GET /_mock/faults`: the rules still pending and the default fault.
async fn list_faults(State(state): State<Arc<MockState>>) -> Response {
    let (rules, default) = state.faults.snapshot();
    json_response(StatusCode::OK, to_json(&FaultList { rules, default }))
}

/// `PUT /_mock/faults/default`: a fault JSON, or `null` to remove it.
async fn set_default_fault(State(state): State<Arc<MockState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Option<Fault>>(&body) {
        Ok(fault) => {
            state.faults.set_default(fault);
            ok()
        }
        Err(error) => bad_request(&error),
    }
}

/// `GET /_mock/stats`: `{"requests": n, "by_path": {...}}`.
async fn stats(State(state): State<Arc<MockState>>) -> Response {
    json_response(StatusCode::OK, to_json(&state.stats.snapshot()))
}

/// `GET /_mock/requests`: the request log, oldest first.
async fn requests(State(state): State<Arc<MockState>>) -> Response {
    json_response(StatusCode::OK, to_json(&state.stats.requests()))
}

/// `POST /_mock/reset`: no faults, zero counters, an empty log.
async fn reset(State(state): State<Arc<MockState>>) -> Response {
    state.faults.clear();
    state.stats.reset();
    ok()
}
