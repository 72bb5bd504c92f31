//! The `/_mock/*` control API: faults over HTTP, stats, reset.

mod support;

use airlock_mock_provider::MockProvider;
use serde_json::{json, Value};
use support::{chat_body, client};

#[tokio::test]
async fn faults_stats_and_reset_over_http() {
    let mock = MockProvider::start().await;
    let http = client();
    let faults = format!("{}/_mock/faults", mock.url());
    let queued: Value = http
        .post(&faults)
        .json(&json!([
            {"fault": {"kind": "status", "status": 503}, "times": 2},
            {"fault": {"kind": "latency", "ms": 1}, "path": "/v1/models"}
        ]))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(queued["queued"], 2);
    let listed: Value = http
        .get(&faults)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["rules"].as_array().map(Vec::len), Some(2));

    let chat_url = format!("{}/chat/completions", mock.openai_base_url());
    let status = http
        .post(&chat_url)
        .json(&chat_body("hi", false))
        .send()
        .await
        .expect("send")
        .status();
    assert_eq!(status, 503);

    let cleared = http.delete(&faults).send().await.expect("send");
    assert_eq!(cleared.status(), 200);
    let status = http
        .post(&chat_url)
        .json(&chat_body("hi", false))
        .send()
        .await
        .expect("send")
        .status();
    assert_eq!(status, 200);

    let single = http
        .post(&faults)
        .json(&json!({"fault": {"kind": "hang"}, "path": "/v1/embeddings"}))
        .send()
        .await
        .expect("send");
    assert_eq!(single.status(), 200);
    let bad = http
        .post(&faults)
        .json(&json!({"fault": {"kind": "explode"}}))
        .send()
        .await
        .expect("send");
    assert_eq!(bad.status(), 400);

    http.get(format!("{}/models", mock.openai_base_url()))
        .send()
        .await
        .expect("send");
    let stats: Value = http
        .get(format!("{}/_mock/stats", mock.url()))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    // The queued hang only applies to /v1/embeddings: nothing hung.
    assert_eq!(stats["requests"], 3, "{stats}");
    assert_eq!(stats["by_path"]["/v1/chat/completions"], 2);
    assert_eq!(stats["by_path"]["/v1/models"], 1);

    let reset = http
        .post(format!("{}/_mock/reset", mock.url()))
        .send()
        .await
        .expect("send");
    assert_eq!(reset.status(), 200);
    assert_eq!(mock.request_count(), 0);
    assert!(mock.requests().is_empty());
    let listed: Value = http
        .get(&faults)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["rules"], json!([]));
}

#[tokio::test]
async fn default_fault_over_http() {
    let mock = MockProvider::start().await;
    let http = client();
    let default = format!("{}/_mock/faults/default", mock.url());
    let set = http
        .put(&default)
        .json(&json!({"kind": "status", "status": 500}))
        .send()
        .await
        .expect("send");
    assert_eq!(set.status(), 200);
    let chat_url = format!("{}/chat/completions", mock.openai_base_url());
    for _ in 0..2 {
        let status = http
            .post(&chat_url)
            .json(&chat_body("hi", false))
            .send()
            .await
            .expect("send")
            .status();
        assert_eq!(status, 500);
    }
    http.put(&default)
        .json(&Value::Null)
        .send()
        .await
        .expect("send");
    let status = http
        .post(&chat_url)
        .json(&chat_body("hi", false))
        .send()
        .await
        .expect("send")
        .status();
    assert_eq!(status, 200);
}
