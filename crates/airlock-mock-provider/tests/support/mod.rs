//! Helpers shared by the mock provider's integration tests.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{json, Value};

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

pub fn chat_body(content: &str, stream: bool) -> Value {
    json!({
        "model": "mock-chat",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": content}
        ],
        "stream": stream,
    })
}

pub fn messages_body(content: &str, stream: bool) -> Value {
    json!({
        "model": "claude-mock",
        "max_tokens": 100,
        "system": "be brief",
        "messages": [{"role": "user", "content": content}],
        "stream": stream,
    })
}

/// Reads a body chunk by chunk; returns what arrived and whether it ended
/// with an error (cut connection, timeout) rather than cleanly.
pub async fn read_body(mut response: reqwest::Response) -> (String, Option<reqwest::Error>) {
    let mut text = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => text.extend_from_slice(&chunk),
            Ok(None) => return (String::from_utf8_lossy(&text).into_owned(), None),
            Err(error) => return (String::from_utf8_lossy(&text).into_owned(), Some(error)),
        }
    }
}

/// The JSON of every `data:` line of an event stream, `[DONE]` excluded.
pub fn data_events(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .map(|data| serde_json::from_str(data).expect("event JSON"))
        .collect()
}

/// The `event:` names of a stream, in order.
pub fn event_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("event: "))
        .map(str::to_owned)
        .collect()
}
