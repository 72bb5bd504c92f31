//! The resilience layers against the mock provider: retries, `Retry-After`,
//! the circuit breaker's whole cycle, total timeouts and limits.

mod common;

use std::time::{Duration, Instant};

use airlock_mock_provider::{Fault, FaultRule, MockProvider};
use airlock_providers::{BreakerState, ChatChunk, FailureKind, ResilienceSettings};
use common::{chat, fast, openai, resilient};
use futures_util::StreamExt;

fn status(status: u16, retry_after: Option<u64>) -> Fault {
    Fault::Status {
        status,
        retry_after,
        body: None,
    }
}

#[tokio::test]
async fn retries_then_succeeds_recording_every_attempt() {
    let mock = MockProvider::start().await;
    let provider = resilient(openai(&mock, "openai"), fast());
    mock.push_fault(FaultRule::times(status(503, None), 2));
    let (result, attempts) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(attempts.len(), 3);
    assert_eq!(mock.request_count(), 3);
    assert_eq!(
        attempts[0].error.as_ref().unwrap().kind,
        FailureKind::ServerError
    );
    assert!(attempts[2].error.is_none());
    assert!(attempts
        .iter()
        .all(|a| a.provider == "openai" && a.model == "gpt"));
}

#[tokio::test]
async fn a_rejected_request_is_not_retried() {
    let mock = MockProvider::start().await;
    let provider = resilient(openai(&mock, "openai"), fast());
    mock.push_fault(FaultRule::once(status(400, None)));
    let (result, attempts) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert_eq!(result.unwrap_err().kind, FailureKind::Rejected);
    assert_eq!(attempts.len(), 1);
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured_unless_longer_than_backoff_max() {
    let mock = MockProvider::start().await;
    let settings = ResilienceSettings {
        backoff_max: Duration::from_secs(2),
        ..fast()
    };
    let provider = resilient(openai(&mock, "openai"), settings);
    mock.push_fault(FaultRule::once(status(429, Some(1))));
    let start = Instant::now();
    let (result, attempts) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert!(result.is_ok());
    assert_eq!(attempts.len(), 2);
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        start.elapsed()
    );

    mock.push_fault(FaultRule::once(status(429, Some(30))));
    let start = Instant::now();
    let (result, attempts) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert_eq!(result.unwrap_err().kind, FailureKind::RateLimited);
    assert_eq!(attempts.len(), 1, "a 30 s Retry-After is not waited out");
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn breaker_opens_probes_and_closes() {
    let mock = MockProvider::start().await;
    let settings = ResilienceSettings {
        max_retries: 0,
        ..fast()
    };
    let provider = resilient(openai(&mock, "openai"), settings);
    mock.push_fault(FaultRule::times(status(500, None), 4));
    for _ in 0..3 {
        let (result, _) = provider.chat_with_attempts(&chat("gpt", "x")).await;
        assert_eq!(result.unwrap_err().kind, FailureKind::ServerError);
    }
    assert_eq!(provider.breaker_state(), BreakerState::Open);
    let (result, attempts) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert_eq!(result.unwrap_err().kind, FailureKind::CircuitOpen);
    assert_eq!(attempts.len(), 1);
    assert_eq!(mock.request_count(), 3, "an open breaker makes no call");

    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(provider.breaker_state(), BreakerState::HalfOpen);
    let (result, _) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert_eq!(
        result.unwrap_err().kind,
        FailureKind::ServerError,
        "the probe failed"
    );
    assert_eq!(provider.breaker_state(), BreakerState::Open);

    tokio::time::sleep(Duration::from_millis(350)).await;
    let (result, _) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert!(result.is_ok(), "the probe succeeded");
    assert_eq!(provider.breaker_state(), BreakerState::Closed);
    assert_eq!(mock.request_count(), 5);
}

#[tokio::test]
async fn half_open_lets_exactly_one_probe_through() {
    let mock = MockProvider::start().await;
    let settings = ResilienceSettings {
        max_retries: 0,
        breaker_failures: 1,
        ..fast()
    };
    let provider = resilient(openai(&mock, "openai"), settings);
    mock.push_fault(FaultRule::once(status(500, None)));
    let _ = provider.chat_with_attempts(&chat("gpt", "x")).await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    mock.push_fault(FaultRule::once(Fault::Latency { ms: 300 }));
    let probe = {
        let provider = provider.clone();
        tokio::spawn(async move { provider.chat_with_attempts(&chat("gpt", "x")).await.0 })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (other, _) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert_eq!(other.unwrap_err().kind, FailureKind::CircuitOpen);
    assert!(probe.await.unwrap().is_ok());
    assert_eq!(provider.breaker_state(), BreakerState::Closed);
}

#[tokio::test]
async fn total_timeout_cuts_slow_calls_and_streams() {
    let mock = MockProvider::start().await;
    let settings = ResilienceSettings {
        total_timeout: Duration::from_millis(300),
        max_retries: 0,
        ..fast()
    };
    let provider = resilient(openai(&mock, "openai"), settings);
    mock.push_fault(
        FaultRule::once(Fault::StallStream { after_chunks: 1 }).on_path("/v1/chat/completions"),
    );
    let start = Instant::now();
    let (result, _) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert_eq!(result.unwrap_err().kind, FailureKind::TotalTimeout);
    assert!(start.elapsed() < Duration::from_secs(2));

    mock.push_fault(FaultRule::once(Fault::StallStream { after_chunks: 2 }));
    let (result, attempts) = provider
        .chat_stream_with_attempts(&chat("gpt", "one two three four five"))
        .await;
    assert_eq!(attempts.len(), 1);
    let items: Vec<_> = tokio::time::timeout(Duration::from_secs(5), result.unwrap().collect())
        .await
        .expect("the total timeout ends the stream");
    let last = items.last().unwrap();
    assert_eq!(last.as_ref().unwrap_err().kind, FailureKind::TotalTimeout);
}

#[tokio::test]
async fn a_stream_is_retried_only_before_its_first_chunk() {
    let mock = MockProvider::start().await;
    let provider = resilient(openai(&mock, "openai"), fast());
    mock.push_fault(FaultRule::once(status(502, None)));
    let (result, attempts) = provider
        .chat_stream_with_attempts(&chat("gpt", "a b c"))
        .await;
    assert_eq!(attempts.len(), 2);
    let items: Vec<_> = result.unwrap().collect().await;
    assert!(matches!(items.last(), Some(Ok(ChatChunk::Finish { .. }))));

    mock.push_fault(FaultRule::once(Fault::CutStream { after_chunks: 3 }));
    let (result, attempts) = provider
        .chat_stream_with_attempts(&chat("gpt", "one two three four five six"))
        .await;
    assert_eq!(attempts.len(), 1);
    let items: Vec<_> = result.unwrap().collect().await;
    assert_eq!(
        items.last().unwrap().as_ref().unwrap_err().kind,
        FailureKind::StreamBroken
    );
    assert_eq!(
        mock.request_count(),
        3,
        "no retry once chunks were handed on"
    );
}

#[tokio::test]
async fn client_side_limits_fail_fast() {
    let mock = MockProvider::start().await;
    let settings = ResilienceSettings {
        requests_per_minute: Some(2),
        ..fast()
    };
    let provider = resilient(openai(&mock, "openai"), settings);
    for _ in 0..2 {
        assert!(provider
            .chat_with_attempts(&chat("gpt", "x"))
            .await
            .0
            .is_ok());
    }
    let (result, attempts) = provider.chat_with_attempts(&chat("gpt", "x")).await;
    assert_eq!(result.unwrap_err().kind, FailureKind::LimitReached);
    assert_eq!(attempts.len(), 1, "limits are not retried");
    assert_eq!(mock.request_count(), 2);

    let tokens = resilient(
        openai(&mock, "openai"),
        ResilienceSettings {
            tokens_per_minute: Some(100),
            ..fast()
        },
    );
    let mut big = chat("gpt", "x");
    big.max_tokens = Some(200);
    let (result, _) = tokens.chat_with_attempts(&big).await;
    assert!(
        result.is_ok(),
        "a request above the bucket waits for a full one"
    );
    let (result, _) = tokens.chat_with_attempts(&big).await;
    assert_eq!(result.unwrap_err().kind, FailureKind::LimitReached);
}
