//! What every API request goes through before its handler answers: it is
//! counted and logged, its key checked, its body parsed, and its fault
//! (and any fixed latency) applied.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::api_error::{json_response, Api};
use crate::deliver::Delivery;
use crate::faults::Fault;
use crate::state::MockState;
use crate::stats::ApiPath;

/// The parts of a request body the gate looks at.
pub(crate) trait ApiRequest {
    fn model(&self) -> Option<&str>;
    fn stream(&self) -> bool;
}

/// Parses a JSON request body, keeping serde's message on failure.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|error| format!("Invalid request body: {error}"))
}

/// Runs the gate; `Ok` carries the request and how to deliver its answer,
/// `Err` the response that replaces the answer.
pub(crate) async fn admit<T: ApiRequest>(
    state: &MockState,
    api: Api,
    path: ApiPath,
    headers: &HeaderMap,
    parsed: Result<T, String>,
) -> Result<(T, Delivery), Response> {
    let authorized = match api {
        Api::OpenAi => state.bearer_ok(headers),
        Api::Anthropic => state.x_api_key_ok(headers),
    };
    let (model, stream) = match &parsed {
        Ok(request) => (request.model(), request.stream()),
        Err(_) => (None, false),
    };
    state.stats.record(path, model, stream, authorized);
    if !authorized {
        let message = match api {
            Api::OpenAi => "Incorrect API key provided.",
            Api::Anthropic => "invalid x-api-key",
        };
        return Err(api.error(StatusCode::UNAUTHORIZED, message));
    }
    if api == Api::Anthropic && !headers.contains_key("anthropic-version") {
        return Err(api.error(
            StatusCode::BAD_REQUEST,
            "anthropic-version: header is required",
        ));
    }
    let request = parsed.map_err(|message| api.error(StatusCode::BAD_REQUEST, &message))?;
    let fault = state.faults.take(path.as_str(), request.model());
    let delivery = suffer(state, api, fault).await?;
    Ok((request, delivery))
}

/// Waits the fixed latency, then applies `fault`.
async fn suffer(state: &MockState, api: Api, fault: Option<Fault>) -> Result<Delivery, Response> {
    let extra = match &fault {
        Some(Fault::Latency { ms }) => std::time::Duration::from_millis(*ms),
        _ => std::time::Duration::ZERO,
    };
    let pause = state.latency + extra;
    if !pause.is_zero() {
        tokio::time::sleep(pause).await;
    }
    match fault {
        None | Some(Fault::Latency { .. }) => Ok(Delivery::Whole),
        Some(Fault::CutStream { after_chunks }) => Ok(Delivery::Cut(after_chunks)),
        Some(Fault::StallStream { after_chunks }) => Ok(Delivery::Stall(after_chunks)),
        Some(Fault::Hang) => {
            state.stopped().await;
            Err(api.error(StatusCode::SERVICE_UNAVAILABLE, "mock provider stopped"))
        }
        Some(Fault::MalformedJson) => Err(json_response(
            StatusCode::OK,
            br#"{"id":"mock-malformed","object":"chat.completion","choices":[{"mess"#.to_vec(),
        )),
        Some(Fault::Status {
            status,
            retry_after,
            body,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = match body {
                Some(body) => json_response(status, body.into_bytes()),
                None => api.error(status, &format!("Mock provider fault: status {status}")),
            };
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from(seconds));
            }
            Err(response)
        }
    }
}
