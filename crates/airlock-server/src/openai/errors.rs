//! OpenAI's error shape on the OpenAI-compatible paths. Every rejection
//! there — from the handlers, authentication, authorization, body limits,
//! timeouts and fallbacks alike — is first made in Airlock's shape; the
//! middleware [`reshape`] rewrites it to `{"error": {"message", "type",
//! "param", "code"}}` with the same status, so the OpenAI SDKs raise their
//! usual exception types (`AuthenticationError` for 401, `NotFoundError`
//! for an unknown model, `RateLimitError` for 429, …).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{json, Value};

use super::is_openai_path;

/// Largest error body rewritten (Airlock's error bodies are far smaller).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Rewrites error answers on the OpenAI paths.
pub async fn reshape(request: Request, next: Next) -> Response {
    let openai = is_openai_path(request.uri().path());
    let response = next.run(request).await;
    if !openai || response.status().is_success() || is_event_stream(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ERROR_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    let airlock: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let body = openai_body(parts.status, &airlock);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body.to_string()))
}

/// Whether `response` is a stream of server-sent events.
pub(crate) fn is_event_stream(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// The OpenAI body for an Airlock error body answered with `status`.
pub fn openai_body(status: StatusCode, airlock: &Value) -> Value {
    let error = &airlock["error"];
    let code = error["code"].as_str().unwrap_or_default();
    let mut message = error["message"]
        .as_str()
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error"))
        .to_string();
    if let Some(hint) = error["hint"].as_str() {
        message = format!("{message} ({hint})");
    }
    let field = error["field"].as_str();
    let (kind, openai_code) = match (status.as_u16(), code) {
        (401, _) => ("invalid_request_error", "invalid_api_key".to_string()),
        (403, _) => ("permission_error", "permission_denied".to_string()),
        (404, _) if field == Some("model") => {
            ("invalid_request_error", "model_not_found".to_string())
        }
        (404, _) => ("invalid_request_error", "not_found".to_string()),
        (429, _) => ("insufficient_quota", "budget_exceeded".to_string()),
        (400..=499, code) => ("invalid_request_error", code.to_string()),
        (_, code) => ("server_error", code.to_string()),
    };
    json!({
        "error": {
            "message": message,
            "type": kind,
            "param": field,
            "code": if openai_code.is_empty() { Value::Null } else { Value::String(openai_code) },
        }
    })
}

/// An error event for a stream that broke after it started.
pub fn stream_error(message: &str) -> Value {
    json!({"error": {"message": message, "type": "server_error", "param": null, "code": "upstream_failed"}})
}
