//! One HTTP attempt at a delivery: the signed POST and what came of it.
//!
//! The client follows no redirects (a receiver that moved must be
//! reconfigured, not silently followed with the signed body) and gives
//! each attempt the configured timeout, from connecting to reading the
//! answer. Error texts never include the URL, which may carry a token.

use std::time::{Duration, Instant};

use airlock_core::{DeliveryRecord, Error, Result, Timestamp};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, USER_AGENT};

use crate::signature::{sign, DELIVERY_HEADER, EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER};

/// How much of a failing receiver's answer is kept in the error.
const ANSWER_EXCERPT_BYTES: usize = 200;

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptOutcome {
    pub started_at: Timestamp,
    pub duration: Duration,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// Why it failed; `None` when the receiver answered 2xx.
    pub error: Option<String>,
}

impl AttemptOutcome {
    pub fn is_delivered(&self) -> bool {
        self.error.is_none()
    }
}

/// Sends signed deliveries.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    timeout: Duration,
}

impl Sender {
    /// A client with `timeout` per attempt and no redirects.
    pub fn new(timeout: Duration) -> Result<Sender> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| Error::internal(format!("cannot build the webhook HTTP client: {e}")))?;
        Ok(Sender { client, timeout })
    }

    /// POSTs `delivery`'s payload to `url`, signed with `secret` at the
    /// current time.
    pub async fn send(
        &self,
        delivery: &DeliveryRecord,
        url: &str,
        secret: &[u8],
    ) -> AttemptOutcome {
        let started_at = Timestamp::now();
        let clock = Instant::now();
        let (status_code, error) = self.post(delivery, url, secret, started_at).await;
        AttemptOutcome {
            started_at,
            duration: clock.elapsed(),
            status_code,
            error,
        }
    }

    async fn post(
        &self,
        delivery: &DeliveryRecord,
        url: &str,
        secret: &[u8],
        now: Timestamp,
    ) -> (Option<u16>, Option<String>) {
        let body = match serde_json::to_vec(&delivery.payload) {
            Ok(body) => body,
            Err(e) => return (None, Some(format!("cannot encode the payload: {e}"))),
        };
        let signature = sign(secret, now.unix_ms().div_euclid(1000), &body);
        let headers = match headers(delivery, &signature) {
            Ok(headers) => headers,
            Err(e) => return (None, Some(e)),
        };
        let request = self.client.post(url).headers(headers).body(body);
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return (None, Some(self.describe(&e))),
        };
        let status = response.status();
        if status.is_success() {
            return (Some(status.as_u16()), None);
        }
        let mut excerpt = Vec::new();
        while excerpt.len() < ANSWER_EXCERPT_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                _ => break,
            }
        }
        excerpt.truncate(ANSWER_EXCERPT_BYTES);
        let excerpt = String::from_utf8_lossy(&excerpt);
        let excerpt = excerpt.trim();
        let mut error = format!("receiver answered {status}");
        if status.is_redirection() {
            error.push_str(" (redirects are not followed: configure the final URL)");
        }
        if !excerpt.is_empty() {
            error.push_str(&format!(": {excerpt}"));
        }
        (Some(status.as_u16()), Some(error))
    }

    /// A reqwest error as one line: what failed and the innermost cause,
    /// without the URL.
    fn describe(&self, err: &reqwest::Error) -> String {
        if err.is_timeout() {
            return format!(
                "no answer within {:?} (webhook_delivery.timeout)",
                self.timeout
            );
        }
        let what = if err.is_connect() {
            "cannot connect"
        } else if err.is_builder() {
            "cannot build the request"
        } else {
            "request failed"
        };
        let mut cause: &dyn std::error::Error = err;
        while let Some(next) = cause.source() {
            cause = next;
        }
        let cause = cause.to_string();
        if cause == err.to_string() {
            // No deeper cause; reqwest's own text names the URL: drop it.
            what.to_string()
        } else {
            format!("{what}: {cause}")
        }
    }
}

fn headers(delivery: &DeliveryRecord, signature: &str) -> std::result::Result<HeaderMap, String> {
    let value = |text: &str| {
        HeaderValue::from_str(text).map_err(|_| format!("cannot send header value {text:?}"))
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("airlock-webhooks/", env!("CARGO_PKG_VERSION"))),
    );
    headers.insert(SIGNATURE_HEADER, value(signature)?);
    headers.insert(EVENT_HEADER, value(delivery.event.as_str())?);
    headers.insert(DELIVERY_HEADER, value(&delivery.id.to_string())?);
    headers.insert(EVENT_ID_HEADER, value(&delivery.event_id.to_string())?);
    Ok(headers)
}
