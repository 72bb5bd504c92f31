//! A small HTTP client for the `--server URL` forms of `airlock run` and
//! `airlock runs`: JSON in, JSON out, and Airlock's error shape turned back
//! into an [`Error`] with the same code, field and hint.

use airlock_core::{Error, ErrorKind, Result};
use serde_json::Value;

/// The API key the `--server` forms send (`Authorization: Bearer …`).
pub const API_KEY_ENV: &str = "AIRLOCK_API_KEY";

/// A server's base URL, e.g. `http://127.0.0.1:8080`.
pub struct ApiClient {
    base: String,
    http: reqwest::Client,
}

impl ApiClient {
    pub fn new(base: &str) -> Result<ApiClient> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(
                Error::invalid_input(format!("--server {base:?} is not an http(s) URL"))
                    .with_field("server")
                    .with_hint("e.g. --server http://127.0.0.1:8080"),
            );
        }
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(key) = std::env::var(API_KEY_ENV).ok().filter(|k| !k.is_empty()) {
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {key}"))
                .map_err(|_| {
                    Error::invalid_config(format!("{API_KEY_ENV} is not printable ASCII"))
                })?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(ApiClient { base, http })
    }

    pub async fn get(&self, path_and_query: &str) -> Result<Value> {
        let request = self.http.get(format!("{}{path_and_query}", self.base));
        self.send(request).await
    }

    pub async fn post(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Result<Value> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value> {
        let response = request.send().await.map_err(|e| {
            Error::new(
                ErrorKind::Unavailable,
                format!("cannot reach the server at {}: {e}", self.base),
            )
            .with_hint("is `airlock serve` running there?")
        })?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && std::env::var(API_KEY_ENV).is_err()
        {
            return Err(Error::unauthenticated(format!(
                "the server at {} wants an API key and {API_KEY_ENV} is not set",
                self.base
            ))
            .with_hint(format!("export {API_KEY_ENV}=alk_…")));
        }
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| {
            Error::new(
                ErrorKind::Unavailable,
                format!("the server answered {status} with a body that is not JSON: {e}"),
            )
        })?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(error_from_body(status.as_u16(), &body))
        }
    }
}

/// Rebuilds an [`Error`] from `{"error": {"code", "message", "field", "hint"}}`.
fn error_from_body(status: u16, body: &Value) -> Error {
    let error = &body["error"];
    let text = |key: &str| error.get(key).and_then(Value::as_str).map(str::to_string);
    let code = text("code").unwrap_or_default();
    let kind = ErrorKind::from_code(&code).unwrap_or(ErrorKind::Internal);
    let message =
        text("message").unwrap_or_else(|| format!("the server answered {status}: {body}"));
    let mut err = Error::new(kind, format!("server: {message}"));
    if let Some(field) = text("field") {
        err = err.with_field(field);
    }
    if let Some(hint) = text("hint") {
        err = err.with_hint(hint);
    }
    err
}
