//! [`ApiError`]: how an `airlock_core::Error` becomes an HTTP answer. The
//! status is `kind().http_status()`, the body `Error::to_json()` (plus
//! extra members in the `error` object when a handler adds them), and the
//! error is logged at `kind().log_level()`.

use airlock_core::{Error, ErrorKind, LogLevel};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    error: Error,
    /// Extra members of the `error` object (e.g. `run_id`, `decision`).
    extra: Map<String, Value>,
}

impl ApiError {
    /// Adds a member to the `error` object of the body.
    pub fn with_extra(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError {
            error,
            extra: Map::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ApiError { error, extra } = self;
        log(&error);
        let status = status_of(error.kind());
        let retry_after = error.retry_after().map(retry_after_secs);
        let mut body = error.to_json();
        if let Some(object) = body.get_mut("error").and_then(Value::as_object_mut) {
            object.extend(extra);
        }
        let mut response = (status, Json(body)).into_response();
        // A spent budget says when its window resets, a shed request or a
        // rate-limited provider when to try again.
        if let Some(secs) = retry_after {
            if let Ok(value) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
        }
        // Every 401 says how to authenticate (RFC 9110 §11.6.1).
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"airlock\""),
            );
        }
        response
    }
}

/// `Retry-After` in whole seconds, rounded up (a wait under a second is
/// 1: `0` would invite an immediate retry).
fn retry_after_secs(wait: std::time::Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

/// The HTTP status for `kind`; a status outside the valid range would be a
/// bug in `ErrorKind::http_status`, answered as 500.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    StatusCode::from_u16(kind.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Client errors (debug level) are logged without their message: a
/// contract violation may quote the caller's data, and logs never carry
/// payloads. Server errors keep theirs (they name Airlock's own state).
fn log(error: &Error) {
    let code = error.kind().code();
    let field = error.field().unwrap_or_default();
    match error.kind().log_level() {
        LogLevel::Debug => tracing::debug!(code, field, "request refused"),
        LogLevel::Warn => tracing::warn!(code, field, "{error}"),
        LogLevel::Error => tracing::error!(code, field, "{error}"),
    }
}
