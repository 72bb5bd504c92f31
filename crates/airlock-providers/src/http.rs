//! HTTP plumbing both API clients share: building the client, sending with
//! the first-token timeout, and mapping transport errors and non-success
//! statuses to [`AttemptError`]s.

use std::time::Duration;

use reqwest::{Client, RequestBuilder, Response, StatusCode, Url};

use crate::attempt::{AttemptError, FailureKind};
use crate::retry_after::retry_after;

/// How much of an unreadable error body is quoted in a message.
const BODY_EXCERPT_CHARS: usize = 200;

/// A client with the connect timeout; no overall timeout (the resilience
/// layer owns that).
pub(crate) fn build_client(connect_timeout: Duration) -> Result<Client, airlock_core::Error> {
    Client::builder()
        .connect_timeout(connect_timeout)
        .build()
        .map_err(|err| airlock_core::Error::internal(format!("cannot build HTTP client: {err}")))
}

/// `{base_url}/{path}` with the configured query pairs.
pub(crate) fn endpoint_url(
    provider: &str,
    base_url: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<Url, airlock_core::Error> {
    let joined = format!("{}/{}", base_url.trim_end_matches('/'), path);
    let mut url = Url::parse(&joined).map_err(|err| {
        airlock_core::Error::invalid_config(format!(
            "provider {provider}: base_url {base_url:?} is not a URL: {err}"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(airlock_core::Error::invalid_config(format!(
            "provider {provider}: base_url must be http or https"
        )));
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

/// Sends the request; the response headers must come within
/// `first_token_timeout`. A non-success status becomes an error here.
pub(crate) async fn send(
    request: RequestBuilder,
    first_token_timeout: Duration,
) -> Result<Response, AttemptError> {
    let response = match tokio::time::timeout(first_token_timeout, request.send()).await {
        Err(_) => {
            return Err(AttemptError::new(
                FailureKind::FirstTokenTimeout,
                format!("no response within {} ms", first_token_timeout.as_millis()),
            ))
        }
        Ok(Err(err)) => return Err(transport_error(err)),
        Ok(Ok(response)) => response,
    };
    if response.status().is_success() {
        return Ok(response);
    }
    Err(status_error(response).await)
}

/// Reads a whole body (its time is bounded by the caller's total timeout).
pub(crate) async fn read_body(response: Response) -> Result<Vec<u8>, AttemptError> {
    response.bytes().await.map(|b| b.to_vec()).map_err(|err| {
        AttemptError::new(
            FailureKind::StreamBroken,
            format!("response body broke off: {}", describe(err)),
        )
    })
}

/// A transport failure before any response.
pub(crate) fn transport_error(err: reqwest::Error) -> AttemptError {
    let kind = if err.is_connect() {
        FailureKind::Connect
    } else if err.is_timeout() {
        FailureKind::FirstTokenTimeout
    } else {
        // Sent but no (valid) response: reset connections and the like.
        FailureKind::Connect
    };
    AttemptError::new(kind, describe(err))
}

/// The error and its causes, without the URL (which may carry a query key).
pub(crate) fn describe(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

async fn status_error(response: Response) -> AttemptError {
    let status = response.status();
    let wait = retry_after(response.headers());
    let body = response.bytes().await.unwrap_or_default();
    let message = error_message(&body);
    classify_status(status, message).with_retry_after(wait)
}

/// The kind a non-success status stands for.
pub(crate) fn classify_status(status: StatusCode, message: String) -> AttemptError {
    let kind = if status == StatusCode::TOO_MANY_REQUESTS {
        FailureKind::RateLimited
    } else if status.is_server_error() {
        FailureKind::ServerError
    } else {
        FailureKind::Rejected
    };
    AttemptError::new(kind, message).with_status(status.as_u16())
}

/// `error.message` of an OpenAI or Anthropic error body, else an excerpt.
pub(crate) fn error_message(body: &[u8]) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_owned)
    });
    match from_json {
        Some(message) => message,
        None => {
            let text = String::from_utf8_lossy(body);
            let excerpt: String = text.trim().chars().take(BODY_EXCERPT_CHARS).collect();
            if excerpt.is_empty() {
                "no error body".to_owned()
            } else {
                excerpt
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds() {
        let kind =
            |code: u16| classify_status(StatusCode::from_u16(code).unwrap(), String::new()).kind;
        assert_eq!(kind(429), FailureKind::RateLimited);
        assert_eq!(kind(500), FailureKind::ServerError);
        assert_eq!(kind(529), FailureKind::ServerError);
        assert_eq!(kind(400), FailureKind::Rejected);
        assert_eq!(kind(401), FailureKind::Rejected);
    }

    #[test]
    fn error_messages_from_either_api() {
        let openai = br#"{"error":{"message":"model not found","type":"invalid_request_error"}}"#;
        assert_eq!(error_message(openai), "model not found");
        let anthropic =
            br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(error_message(anthropic), "Overloaded");
        assert_eq!(
            error_message(b"<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert_eq!(error_message(b""), "no error body");
    }

    #[test]
    fn urls_join_and_keep_query() {
        let url = endpoint_url(
            "azure",
            "https://x.example/openai/deployments/d/",
            "chat/completions",
            &[("api-version".into(), "2024-06-01".into())],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://x.example/openai/deployments/d/chat/completions?api-version=2024-06-01"
        );
        assert!(endpoint_url("x", "not a url", "p", &[]).is_err());
        assert!(endpoint_url("x", "ftp://h", "p", &[]).is_err());
    }
}
