//! The OpenAI routes answer in OpenAI's shapes.

mod support;

use airlock_mock_provider::MockProvider;
use serde_json::{json, Value};
use support::{chat_body, client, data_events, read_body};

#[tokio::test]
async fn chat_completion_has_the_standard_shape() {
    let mock = MockProvider::start().await;
    let url = format!("{}/chat/completions", mock.openai_base_url());
    let response = client()
        .post(&url)
        .json(&chat_body("hello there", false))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["object"], "chat.completion");
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(body["created"].as_u64().is_some());
    assert_eq!(body["model"], "mock-chat");
    let choice = &body["choices"][0];
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["message"]["content"], "Mock reply to: hello there");
    assert_eq!(choice["finish_reason"], "stop");
    assert_eq!(
        body["usage"],
        json!({"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9})
    );
    let seen = mock.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v1/chat/completions");
    assert_eq!(seen[0].model.as_deref(), Some("mock-chat"));
    assert!(!seen[0].stream);
}

#[tokio::test]
async fn max_tokens_truncates_with_finish_reason_length() {
    let mock = MockProvider::start().await;
    let mut body = chat_body("one two three", false);
    body["max_tokens"] = json!(4);
    let url = format!("{}/chat/completions", mock.openai_base_url());
    let answer: Value = client()
        .post(&url)
        .json(&body)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        answer["choices"][0]["message"]["content"],
        "Mock reply to: one"
    );
    assert_eq!(answer["choices"][0]["finish_reason"], "length");
    assert_eq!(answer["usage"]["completion_tokens"], 4);
}

#[tokio::test]
async fn chat_stream_sends_role_words_finish_usage_and_done() {
    let mock = MockProvider::start().await;
    let mut body = chat_body("hello there", true);
    body["stream_options"] = json!({"include_usage": true});
    let url = format!("{}/chat/completions", mock.openai_base_url());
    let response = client().post(&url).json(&body).send().await.expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let (text, error) = read_body(response).await;
    assert!(error.is_none());
    assert!(text.trim_end().ends_with("data: [DONE]"));
    let events = data_events(&text);
    // role + 5 words + finish + usage
    assert_eq!(events.len(), 8);
    assert!(events
        .iter()
        .all(|e| e["object"] == "chat.completion.chunk"));
    assert_eq!(
        events[0]["choices"][0]["delta"],
        json!({"role": "assistant"})
    );
    let words: String = events[1..6]
        .iter()
        .map(|e| e["choices"][0]["delta"]["content"].as_str().expect("word"))
        .collect();
    assert_eq!(words, "Mock reply to: hello there");
    assert_eq!(events[1]["choices"][0]["delta"]["content"], "Mock");
    assert_eq!(events[2]["choices"][0]["delta"]["content"], " reply");
    assert_eq!(events[6]["choices"][0]["finish_reason"], "stop");
    assert_eq!(events[7]["choices"], json!([]));
    assert_eq!(events[7]["usage"]["total_tokens"], 9);
    assert!(mock.requests()[0].stream);
}

#[tokio::test]
async fn stream_without_usage_option_has_no_usage_chunk() {
    let mock = MockProvider::start().await;
    let url = format!("{}/chat/completions", mock.openai_base_url());
    let response = client()
        .post(&url)
        .json(&chat_body("hi", true))
        .send()
        .await
        .expect("send");
    let (text, _) = read_body(response).await;
    let events = data_events(&text);
    assert_eq!(events.len(), 1 + 4 + 1);
    assert!(events.iter().all(|e| e.get("usage").is_none()));
}

#[tokio::test]
async fn embeddings_are_deterministic_unit_vectors() {
    let mock = MockProvider::start().await;
    let url = format!("{}/embeddings", mock.openai_base_url());
    let fetch = |input: Value| {
        let url = url.clone();
        async move {
            client()
                .post(&url)
                .json(&json!({"model": "mock-embed", "input": input}))
                .send()
                .await
                .expect("send")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let many = fetch(json!(["alpha beta", "gamma"])).await;
    assert_eq!(many["object"], "list");
    assert_eq!(many["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(many["data"][1]["index"], 1);
    assert_eq!(many["data"][0]["object"], "embedding");
    assert_eq!(
        many["usage"],
        json!({"prompt_tokens": 3, "total_tokens": 3})
    );
    let vector: Vec<f64> =
        serde_json::from_value(many["data"][0]["embedding"].clone()).expect("floats");
    assert_eq!(vector.len(), 16);
    let norm: f64 = vector.iter().map(|v| v * v).sum();
    assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    let one = fetch(json!("alpha beta")).await;
    assert_eq!(one["data"][0]["embedding"], many["data"][0]["embedding"]);
    assert_ne!(many["data"][0]["embedding"], many["data"][1]["embedding"]);
}

#[tokio::test]
async fn models_are_listed() {
    let mock = MockProvider::start().await;
    let body: Value = client()
        .get(format!("{}/models", mock.openai_base_url()))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(body["object"], "list");
    let ids: Vec<&str> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(ids.contains(&"mock-chat"));
}

#[tokio::test]
async fn missing_models_are_404_model_not_found() {
    let mock = MockProvider::start().await;
    let mut body = chat_body("hi", false);
    body["model"] = json!("missing-model");
    let response = client()
        .post(format!("{}/chat/completions", mock.openai_base_url()))
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.expect("json");
    assert_eq!(
        error,
        json!({"error": {
            "message": "The model `missing-model` does not exist",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found"
        }})
    );
}

#[tokio::test]
async fn bad_json_is_400_in_openai_shape() {
    let mock = MockProvider::start().await;
    let response = client()
        .post(format!("{}/chat/completions", mock.openai_base_url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert!(error["error"]["message"].as_str().is_some());
}

#[tokio::test]
async fn the_key_is_checked_when_set() {
    let mock = MockProvider::builder().api_key("sk-mock").start().await;
    let url = format!("{}/chat/completions", mock.openai_base_url());
    let without = client()
        .post(&url)
        .json(&chat_body("hi", false))
        .send()
        .await
        .expect("send");
    assert_eq!(without.status(), 401);
    let error: Value = without.json().await.expect("json");
    assert_eq!(error["error"]["code"], "invalid_api_key");
    let wrong = client()
        .post(&url)
        .bearer_auth("sk-other")
        .json(&chat_body("hi", false))
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), 401);
    let right = client()
        .post(&url)
        .bearer_auth("sk-mock")
        .json(&chat_body("hi", false))
        .send()
        .await
        .expect("send");
    assert_eq!(right.status(), 200);
    let seen = mock.requests();
    assert_eq!(
        seen.iter().map(|r| r.authorized).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert_eq!(mock.request_count(), 3);
}
