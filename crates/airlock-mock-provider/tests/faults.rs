//! Every fault kind does what it says, rules honour `times` and their
//! filters, and the default fault applies when no rule matches.

mod support;

use std::time::{Duration, Instant};

use airlock_mock_provider::{Fault, FaultRule, MockProvider};
use serde_json::{json, Value};
use support::{chat_body, client, data_events, event_names, messages_body, read_body};

fn chat(mock: &MockProvider, stream: bool) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/chat/completions", mock.openai_base_url()))
        .json(&chat_body("hello there", stream))
}

fn short_client(timeout_ms: u64) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(timeout_ms))
        .build()
        .expect("client")
}

#[tokio::test]
async fn latency_delays_then_answers_normally() {
    let mock = MockProvider::start().await;
    mock.push_fault(FaultRule::once(Fault::Latency { ms: 200 }));
    let started = Instant::now();
    let response = chat(&mock, false).send().await.expect("send");
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
    let started = Instant::now();
    chat(&mock, false).send().await.expect("send");
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn fixed_latency_applies_to_every_answer() {
    let mock = MockProvider::builder()
        .latency(Duration::from_millis(100))
        .start()
        .await;
    for _ in 0..2 {
        let started = Instant::now();
        chat(&mock, false).send().await.expect("send");
        assert!(started.elapsed() >= Duration::from_millis(100));
    }
}

#[tokio::test]
async fn status_answers_in_each_api_shape_with_retry_after() {
    let mock = MockProvider::start().await;
    let fault = Fault::Status {
        status: 429,
        retry_after: Some(7),
        body: None,
    };
    mock.push_fault(FaultRule::times(fault, 2));
    let response = chat(&mock, false).send().await.expect("send");
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");

    let response = client()
        .post(format!("{}/v1/messages", mock.anthropic_base_url()))
        .header("anthropic-version", "2023-06-01")
        .json(&messages_body("hi", false))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 429);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "rate_limit_error");

    assert_eq!(chat(&mock, false).send().await.expect("send").status(), 200);
}

#[tokio::test]
async fn status_with_body_sends_it_verbatim() {
    let mock = MockProvider::start().await;
    mock.push_fault(FaultRule::once(Fault::Status {
        status: 400,
        retry_after: None,
        body: Some(r#"{"error":{"code":"context_length_exceeded"}}"#.into()),
    }));
    let response = chat(&mock, false).send().await.expect("send");
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("retry-after").is_none());
    assert_eq!(
        response.text().await.expect("text"),
        r#"{"error":{"code":"context_length_exceeded"}}"#
    );
}

#[tokio::test]
async fn hang_never_answers_until_the_client_gives_up() {
    let mock = MockProvider::start().await;
    mock.push_fault(FaultRule::once(Fault::Hang));
    let started = Instant::now();
    let error = short_client(300)
        .post(format!("{}/chat/completions", mock.openai_base_url()))
        .json(&chat_body("hi", false))
        .send()
        .await
        .expect_err("a hung request times out");
    assert!(error.is_timeout(), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    // The rule was used up: the next request is answered.
    assert_eq!(chat(&mock, false).send().await.expect("send").status(), 200);
}

#[tokio::test]
async fn malformed_json_is_200_json_that_does_not_parse() {
    let mock = MockProvider::start().await;
    mock.push_fault(FaultRule::once(Fault::MalformedJson));
    let response = chat(&mock, false).send().await.expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.expect("text");
    assert!(serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn cut_stream_drops_the_connection_before_done() {
    let mock = MockProvider::start().await;
    mock.push_fault(FaultRule::once(Fault::CutStream { after_chunks: 3 }));
    let response = chat(&mock, true).send().await.expect("send");
    assert_eq!(response.status(), 200);
    let (text, error) = read_body(response).await;
    assert!(error.is_some(), "the body ends with an error");
    assert!(!text.contains("[DONE]"));
    assert_eq!(data_events(&text).len(), 3);
}

#[tokio::test]
async fn cut_anthropic_stream_never_reaches_message_stop() {
    let mock = MockProvider::start().await;
    mock.push_fault(FaultRule::once(Fault::CutStream { after_chunks: 100 }));
    let response = client()
        .post(format!("{}/v1/messages", mock.anthropic_base_url()))
        .header("anthropic-version", "2023-06-01")
        .json(&messages_body("hi", true))
        .send()
        .await
        .expect("send");
    let (text, error) = read_body(response).await;
    assert!(error.is_some());
    let names = event_names(&text);
    assert_eq!(names.last().map(String::as_str), Some("message_delta"));
}

#[tokio::test]
async fn cut_plain_answer_sends_half_a_body() {
    let mock = MockProvider::start().await;
    mock.push_fault(FaultRule::once(Fault::CutStream { after_chunks: 0 }));
    let response = chat(&mock, false).send().await.expect("send");
    assert_eq!(response.status(), 200);
    let (text, error) = read_body(response).await;
    assert!(error.is_some());
    assert!(text.starts_with("{\"id\""));
    assert!(serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn stall_stream_keeps_the_connection_open_without_sending() {
    let mock = MockProvider::start().await;
    mock.push_fault(FaultRule::once(Fault::StallStream { after_chunks: 2 }));
    let response = short_client(500)
        .post(format!("{}/chat/completions", mock.openai_base_url()))
        .json(&chat_body("hello there", true))
        .send()
        .await
        .expect("headers arrive");
    let (text, error) = read_body(response).await;
    let error = error.expect("the read times out");
    assert!(error.is_timeout(), "{error}");
    assert_eq!(data_events(&text).len(), 2);
}

#[tokio::test]
async fn path_and_model_filters_are_honoured() {
    let mock = MockProvider::start().await;
    let unavailable = Fault::Status {
        status: 503,
        retry_after: None,
        body: None,
    };
    mock.push_fault(FaultRule::times(unavailable.clone(), 5).on_path("/v1/embeddings"));
    mock.push_fault(FaultRule::once(unavailable).for_model("other-model"));
    assert_eq!(chat(&mock, false).send().await.expect("send").status(), 200);
    let embed = client()
        .post(format!("{}/embeddings", mock.openai_base_url()))
        .json(&json!({"model": "mock-embed", "input": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(embed.status(), 503);
    let mut other = chat_body("hi", false);
    other["model"] = json!("other-model");
    let url = format!("{}/chat/completions", mock.openai_base_url());
    let first = client().post(&url).json(&other).send().await.expect("send");
    assert_eq!(first.status(), 503);
    let second = client().post(&url).json(&other).send().await.expect("send");
    assert_eq!(second.status(), 200);
}

#[tokio::test]
async fn times_counts_matching_requests_then_the_default_applies() {
    let mock = MockProvider::start().await;
    let status = |status| Fault::Status {
        status,
        retry_after: None,
        body: None,
    };
    mock.push_fault(FaultRule::times(status(500), 2));
    mock.set_default_fault(Some(status(502)));
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(
            chat(&mock, false)
                .send()
                .await
                .expect("send")
                .status()
                .as_u16(),
        );
    }
    assert_eq!(seen, [500, 500, 502, 502]);
    mock.clear_faults();
    assert_eq!(chat(&mock, false).send().await.expect("send").status(), 200);
}

#[tokio::test]
async fn shutdown_releases_hung_requests() {
    let mock = MockProvider::start().await;
    mock.set_default_fault(Some(Fault::Hang));
    let request = chat(&mock, false).send();
    let pending = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(Duration::from_secs(5), mock.shutdown())
        .await
        .expect("shutdown finishes");
    let outcome = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .expect("the hung request ends");
    let status = outcome.expect("join").map(|r| r.status().as_u16());
    assert!(matches!(status, Ok(503) | Err(_)), "{status:?}");
}
