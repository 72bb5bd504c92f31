//! Fallback chains against two mock providers: falling back, data-class
//! skips, no fallback on a rejected request or after streaming began.

mod common;

use std::sync::Arc;

use airlock_mock_provider::{Fault, FaultRule, MockProvider};
use airlock_providers::{
    FailureKind, ModelRoute, ModelRouter, Price, ResilienceSettings, ResilientProvider, RouteKind,
    Target,
};
use common::{chat, embed, fast, openai, resilient};
use futures_util::StreamExt;

fn target(provider: &Arc<ResilientProvider>, model: &str, classes: &[&str]) -> Target {
    Target {
        provider: Arc::clone(provider),
        model: model.into(),
        price: Price {
            input_per_million: 1.0,
            output_per_million: 2.0,
        },
        data_classes: classes.iter().map(|c| (*c).to_owned()).collect(),
    }
}

struct Fixture {
    primary: MockProvider,
    backup: MockProvider,
    router: ModelRouter,
}

async fn fixture() -> Fixture {
    let primary = MockProvider::start().await;
    let backup = MockProvider::start().await;
    let no_retries = ResilienceSettings {
        max_retries: 0,
        ..fast()
    };
    let first = resilient(openai(&primary, "primary"), no_retries.clone());
    let second = resilient(openai(&backup, "backup"), no_retries);
    let router = ModelRouter::new(vec![
        ModelRoute {
            name: "smart".into(),
            kind: RouteKind::Chat,
            targets: vec![
                target(&first, "big-model", &["public", "internal"]),
                target(&second, "other-model", &["public", "internal", "pii"]),
            ],
        },
        ModelRoute {
            name: "vectors".into(),
            kind: RouteKind::Embedding,
            targets: vec![target(&first, "emb", &["public"])],
        },
    ])
    .expect("valid routes");
    Fixture {
        primary,
        backup,
        router,
    }
}

#[tokio::test]
async fn falls_back_to_the_next_target() {
    let f = fixture().await;
    f.primary.push_fault(FaultRule::once(Fault::Status {
        status: 503,
        retry_after: None,
        body: None,
    }));
    let routed = f
        .router
        .chat("smart", "public", chat("ignored", "x"))
        .await
        .unwrap();
    assert_eq!(routed.provider, "backup");
    assert_eq!(routed.model, "other-model");
    assert_eq!(routed.attempts.len(), 2);
    assert_eq!(routed.attempts[0].model, "big-model");
    assert_eq!(f.backup.requests()[0].model.as_deref(), Some("other-model"));
    assert!(routed.price.cost_micro_usd(&routed.value.usage) > 0);
}

#[tokio::test]
async fn skips_targets_that_may_not_see_the_data_class() {
    let f = fixture().await;
    let routed = f.router.chat("smart", "pii", chat("m", "x")).await.unwrap();
    assert_eq!(routed.provider, "backup");
    let skipped = routed.attempts[0].error.as_ref().unwrap();
    assert_eq!(skipped.kind, FailureKind::NotPermitted);
    assert_eq!(
        f.primary.request_count(),
        0,
        "no call to a forbidden target"
    );

    let failure = f
        .router
        .chat("smart", "secret", chat("m", "x"))
        .await
        .unwrap_err();
    assert_eq!(failure.last.kind, FailureKind::NotPermitted);
    assert_eq!(failure.attempts.len(), 2);
    assert_eq!(
        airlock_core::Error::from(failure).kind(),
        airlock_core::ErrorKind::Forbidden
    );
}

#[tokio::test]
async fn a_rejected_request_does_not_fall_back() {
    let f = fixture().await;
    f.primary.push_fault(FaultRule::once(Fault::Status {
        status: 400,
        retry_after: None,
        body: None,
    }));
    let failure = f
        .router
        .chat("smart", "public", chat("m", "x"))
        .await
        .unwrap_err();
    assert_eq!(failure.last.kind, FailureKind::Rejected);
    assert_eq!(f.backup.request_count(), 0);
}

#[tokio::test]
async fn streams_fall_back_only_before_the_first_chunk() {
    let f = fixture().await;
    f.primary.push_fault(FaultRule::once(Fault::Status {
        status: 500,
        retry_after: None,
        body: None,
    }));
    let routed = f
        .router
        .chat_stream("smart", "public", chat("m", "a b"))
        .await
        .unwrap();
    assert_eq!(routed.provider, "backup");
    let items: Vec<_> = routed.value.collect().await;
    assert!(items.iter().all(Result::is_ok));

    f.primary
        .push_fault(FaultRule::once(Fault::CutStream { after_chunks: 2 }));
    let routed = f
        .router
        .chat_stream("smart", "public", chat("m", "one two three four"))
        .await
        .unwrap();
    assert_eq!(routed.provider, "primary");
    let items: Vec<_> = routed.value.collect().await;
    assert_eq!(
        items.last().unwrap().as_ref().unwrap_err().kind,
        FailureKind::StreamBroken
    );
    assert_eq!(
        f.backup.request_count(),
        1,
        "no fallback after chunks were sent"
    );
}

#[tokio::test]
async fn unknown_and_wrong_kind_routes_are_rejected() {
    let f = fixture().await;
    let failure = f
        .router
        .chat("nope", "public", chat("m", "x"))
        .await
        .unwrap_err();
    assert_eq!(failure.last.kind, FailureKind::Rejected);
    assert!(failure.last.message.contains("nope"));
    let failure = f
        .router
        .chat("vectors", "public", chat("m", "x"))
        .await
        .unwrap_err();
    assert_eq!(failure.last.kind, FailureKind::Rejected);
    let failure = f
        .router
        .embed("smart", "public", embed("m", &["x"]))
        .await
        .unwrap_err();
    assert_eq!(
        airlock_core::Error::from(failure).kind(),
        airlock_core::ErrorKind::InvalidInput
    );
    let routed = f
        .router
        .embed("vectors", "public", embed("m", &["x", "y"]))
        .await
        .unwrap();
    assert_eq!(routed.value.vectors.len(), 2);
    assert_eq!(f.router.routes().count(), 2);
    assert!(f.router.route("smart").is_some());
}

#[test]
fn duplicate_and_empty_routes_are_refused() {
    let empty = ModelRoute {
        name: "a".into(),
        kind: RouteKind::Chat,
        targets: vec![],
    };
    assert!(ModelRouter::new(vec![empty]).is_err());
}
