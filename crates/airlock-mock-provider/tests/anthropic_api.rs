//! The Anthropic Messages route answers in Anthropic's shapes.

mod support;

use airlock_mock_provider::MockProvider;
use serde_json::{json, Value};
use support::{client, data_events, event_names, messages_body, read_body};

fn post(mock: &MockProvider, body: &Value) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/v1/messages", mock.anthropic_base_url()))
        .header("anthropic-version", "2023-06-01")
        .json(body)
}

#[tokio::test]
async fn message_has_the_standard_shape() {
    let mock = MockProvider::start().await;
    let response = post(&mock, &messages_body("hello there", false))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["type"], "message");
    assert_eq!(body["role"], "assistant");
    assert_eq!(body["model"], "claude-mock");
    assert!(body["id"].as_str().is_some_and(|id| id.starts_with("msg_")));
    assert_eq!(
        body["content"],
        json!([{"type": "text", "text": "Mock reply to: hello there"}])
    );
    assert_eq!(body["stop_reason"], "end_turn");
    assert_eq!(
        body["usage"],
        json!({"input_tokens": 4, "output_tokens": 5})
    );
}

#[tokio::test]
async fn max_tokens_stops_with_max_tokens() {
    let mock = MockProvider::start().await;
    let mut request = messages_body("a b c", false);
    request["max_tokens"] = json!(2);
    let body: Value = post(&mock, &request)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(body["content"][0]["text"], "Mock reply");
    assert_eq!(body["stop_reason"], "max_tokens");
}

#[tokio::test]
async fn stream_sends_the_named_events_in_order() {
    let mock = MockProvider::start().await;
    let response = post(&mock, &messages_body("hello there", true))
        .send()
        .await
        .expect("send");
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let (text, error) = read_body(response).await;
    assert!(error.is_none());
    let names = event_names(&text);
    let mut expected = vec!["message_start", "content_block_start", "ping"];
    expected.extend(std::iter::repeat_n("content_block_delta", 5));
    expected.extend(["content_block_stop", "message_delta", "message_stop"]);
    assert_eq!(names, expected);
    let events = data_events(&text);
    assert_eq!(events[0]["message"]["usage"]["input_tokens"], 4);
    let words: String = events[3..8]
        .iter()
        .map(|e| {
            assert_eq!(e["delta"]["type"], "text_delta");
            e["delta"]["text"].as_str().expect("text").to_owned()
        })
        .collect();
    assert_eq!(words, "Mock reply to: hello there");
    assert_eq!(events[9]["delta"]["stop_reason"], "end_turn");
    assert_eq!(events[9]["usage"]["output_tokens"], 5);
}

#[tokio::test]
async fn version_header_is_required() {
    let mock = MockProvider::start().await;
    let response = client()
        .post(format!("{}/v1/messages", mock.anthropic_base_url()))
        .json(&messages_body("hi", false))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn errors_are_in_anthropic_shape() {
    let mock = MockProvider::builder().api_key("sk-ant").start().await;
    let unauthorized = post(&mock, &messages_body("hi", false))
        .send()
        .await
        .expect("send");
    assert_eq!(unauthorized.status(), 401);
    let body: Value = unauthorized.json().await.expect("json");
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "authentication_error");

    let mut missing = messages_body("hi", false);
    missing["model"] = json!("missing-claude");
    let not_found = post(&mock, &missing)
        .header("x-api-key", "sk-ant")
        .send()
        .await
        .expect("send");
    assert_eq!(not_found.status(), 404);
    let body: Value = not_found.json().await.expect("json");
    assert_eq!(body["error"]["type"], "not_found_error");

    let bad = client()
        .post(format!("{}/v1/messages", mock.anthropic_base_url()))
        .header("anthropic-version", "2023-06-01")
        .header("x-api-key", "sk-ant")
        .body("[")
        .send()
        .await
        .expect("send");
    assert_eq!(bad.status(), 400);

    let ok = post(&mock, &messages_body("hi", false))
        .header("x-api-key", "sk-ant")
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
}
