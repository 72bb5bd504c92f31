//! The OpenAI and Anthropic clients against the mock provider's real HTTP
//! server: answers, streams, embeddings, and every failure mapping.

mod common;

use std::time::Duration;

use airlock_mock_provider::{Fault, FaultRule, MockProvider, REPLY_PREFIX};
use airlock_providers::{ChatChunk, FailureKind, Provider};
use common::{anthropic, chat, embed, openai, openai_with_timeout, KEY};
use futures_util::StreamExt;

async fn collect(
    stream: airlock_providers::ChatStream,
) -> (
    String,
    Vec<ChatChunk>,
    Option<airlock_providers::AttemptError>,
) {
    let mut text = String::new();
    let mut chunks = Vec::new();
    let items: Vec<_> = stream.collect().await;
    for item in items {
        match item {
            Ok(ChatChunk::Delta(piece)) => text.push_str(&piece),
            Ok(chunk) => chunks.push(chunk),
            Err(err) => return (text, chunks, Some(err)),
        }
    }
    (text, chunks, None)
}

#[tokio::test]
async fn openai_chat_stream_and_embeddings() {
    let mock = MockProvider::builder().api_key(KEY).start().await;
    let provider = openai(&mock, "openai");
    let answer = provider
        .chat(&chat("gpt-test", "hello there"))
        .await
        .unwrap();
    assert!(
        answer.content.starts_with(REPLY_PREFIX),
        "{}",
        answer.content
    );
    assert_eq!(answer.finish_reason, "stop");
    assert!(answer.usage.prompt_tokens > 0 && answer.usage.completion_tokens > 0);

    let stream = provider
        .chat_stream(&chat("gpt-test", "hello there"))
        .await
        .unwrap();
    let (text, ends, err) = collect(stream).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(text, answer.content);
    assert_eq!(ends.len(), 1, "exactly one finish");
    assert!(
        matches!(&ends[0], ChatChunk::Finish { usage: Some(_), .. }),
        "{ends:?}"
    );

    let vectors = provider.embed(&embed("emb", &["a b", "c"])).await.unwrap();
    assert_eq!(vectors.vectors.len(), 2);
    assert_eq!(
        vectors.vectors[0].len(),
        airlock_mock_provider::EMBEDDING_DIMENSIONS
    );
    assert!(mock.requests().iter().all(|r| r.authorized));
}

#[tokio::test]
async fn anthropic_chat_and_stream() {
    let mock = MockProvider::builder().api_key(KEY).start().await;
    let provider = anthropic(&mock, Duration::from_secs(2));
    let answer = provider.chat(&chat("claude-test", "hi")).await.unwrap();
    assert!(
        answer.content.starts_with(REPLY_PREFIX),
        "{}",
        answer.content
    );
    assert_eq!(answer.finish_reason, "stop");
    assert!(answer.usage.prompt_tokens > 0);

    let stream = provider
        .chat_stream(&chat("claude-test", "hi"))
        .await
        .unwrap();
    let (text, ends, err) = collect(stream).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(text, answer.content);
    assert!(
        matches!(&ends[..], [ChatChunk::Finish { finish_reason, .. }] if finish_reason == "stop")
    );
    assert!(mock.requests().iter().all(|r| r.authorized));

    let err = provider.embed(&embed("claude", &["x"])).await.unwrap_err();
    assert_eq!(err.kind, FailureKind::Rejected);
}

#[tokio::test]
async fn statuses_map_to_failure_kinds() {
    let mock = MockProvider::start().await;
    let provider = openai(&mock, "openai");
    let cases = [
        (429, Some(7), FailureKind::RateLimited),
        (503, None, FailureKind::ServerError),
        (400, None, FailureKind::Rejected),
    ];
    for (status, retry_after, kind) in cases {
        mock.push_fault(FaultRule::once(Fault::Status {
            status,
            retry_after,
            body: None,
        }));
        let err = provider.chat(&chat("gpt", "x")).await.unwrap_err();
        assert_eq!(err.kind, kind);
        assert_eq!(err.status, Some(status));
        assert_eq!(err.retry_after, retry_after.map(Duration::from_secs));
        assert!(!err.message.contains(common::KEY));
    }
    let err = provider
        .chat(&chat("missing-model", "x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, FailureKind::Rejected);
    assert!(err.message.contains("missing-model"), "{}", err.message);
}

#[tokio::test]
async fn malformed_bodies_and_connect_errors() {
    let mock = MockProvider::start().await;
    let provider = openai(&mock, "openai");
    mock.push_fault(FaultRule::once(Fault::MalformedJson));
    let err = provider.chat(&chat("gpt", "x")).await.unwrap_err();
    assert_eq!(err.kind, FailureKind::Malformed);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let nowhere = airlock_providers::OpenAiProvider::new(airlock_providers::OpenAiConfig {
        name: "nowhere".into(),
        base_url: format!("http://127.0.0.1:{port}/v1"),
        api_key: None,
        auth_header: None,
        query: vec![],
        connect_timeout: Duration::from_millis(500),
        first_token_timeout: Duration::from_secs(1),
    })
    .unwrap();
    let err = nowhere.chat(&chat("gpt", "x")).await.unwrap_err();
    assert_eq!(err.kind, FailureKind::Connect);
}

#[tokio::test]
async fn a_hang_is_a_first_token_timeout() {
    let mock = MockProvider::start().await;
    let provider = openai_with_timeout(&mock, "openai", Duration::from_millis(200));
    mock.push_fault(FaultRule::once(Fault::Hang));
    let err = provider.chat(&chat("gpt", "x")).await.unwrap_err();
    assert_eq!(err.kind, FailureKind::FirstTokenTimeout);
    mock.push_fault(FaultRule::once(Fault::Hang));
    let err = provider.chat_stream(&chat("gpt", "x")).await.err().unwrap();
    assert_eq!(err.kind, FailureKind::FirstTokenTimeout);
}

#[tokio::test]
async fn a_stalled_stream_times_out_on_its_first_event() {
    let mock = MockProvider::start().await;
    let provider = openai_with_timeout(&mock, "openai", Duration::from_millis(200));
    mock.push_fault(FaultRule::once(Fault::StallStream { after_chunks: 0 }));
    let stream = provider.chat_stream(&chat("gpt", "x")).await.unwrap();
    let (_, _, err) = collect(stream).await;
    assert_eq!(err.unwrap().kind, FailureKind::FirstTokenTimeout);
}

#[tokio::test]
async fn a_cut_stream_is_broken_not_a_hang() {
    let mock = MockProvider::start().await;
    for provider in [
        openai(&mock, "openai"),
        anthropic(&mock, Duration::from_secs(2)),
    ] {
        mock.push_fault(FaultRule::once(Fault::CutStream { after_chunks: 2 }));
        let stream = provider
            .chat_stream(&chat("model", "one two three four"))
            .await
            .unwrap();
        let collected = tokio::time::timeout(Duration::from_secs(5), collect(stream))
            .await
            .expect("a cut stream ends");
        let (_, ends, err) = collected;
        assert!(
            ends.is_empty(),
            "{}: no finish on a cut stream",
            provider.name()
        );
        assert_eq!(
            err.unwrap().kind,
            FailureKind::StreamBroken,
            "{}",
            provider.name()
        );
    }
}
