//! Shared helpers of the integration tests: providers pointed at a
//! running mock, fast resilience settings, requests.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use airlock_mock_provider::MockProvider;
use airlock_providers::{
    AnthropicConfig, AnthropicProvider, ChatMessage, ChatRequest, EmbeddingRequest, OpenAiConfig,
    OpenAiProvider, Provider, ResilienceSettings, ResilientProvider,
};

pub const KEY: &str = "sk-mock-key";

pub fn openai(mock: &MockProvider, name: &str) -> Arc<dyn Provider> {
    openai_with_timeout(mock, name, Duration::from_secs(2))
}

pub fn openai_with_timeout(
    mock: &MockProvider,
    name: &str,
    first_token_timeout: Duration,
) -> Arc<dyn Provider> {
    Arc::new(
        OpenAiProvider::new(OpenAiConfig {
            name: name.into(),
            base_url: mock.openai_base_url(),
            api_key: Some(KEY.into()),
            auth_header: None,
            query: vec![],
            connect_timeout: Duration::from_secs(1),
            first_token_timeout,
        })
        .expect("valid config"),
    )
}

pub fn anthropic(mock: &MockProvider, first_token_timeout: Duration) -> Arc<dyn Provider> {
    Arc::new(
        AnthropicProvider::new(AnthropicConfig {
            name: "anthropic".into(),
            base_url: mock.anthropic_base_url(),
            api_key: Some(KEY.into()),
            version: String::new(),
            connect_timeout: Duration::from_secs(1),
            first_token_timeout,
        })
        .expect("valid config"),
    )
}

/// Quick backoff, a breaker of 3 failures open for 300 ms, no limits.
pub fn fast() -> ResilienceSettings {
    ResilienceSettings {
        total_timeout: Duration::from_secs(5),
        max_retries: 2,
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        breaker_failures: 3,
        breaker_open_for: Duration::from_millis(300),
        ..ResilienceSettings::default()
    }
}

pub fn resilient(
    provider: Arc<dyn Provider>,
    settings: ResilienceSettings,
) -> Arc<ResilientProvider> {
    Arc::new(ResilientProvider::new(provider, settings))
}

pub fn chat(model: &str, text: &str) -> ChatRequest {
    ChatRequest {
        model: model.into(),
        messages: vec![
            ChatMessage {
                role: "system".into(),
                content: "Be brief.".into(),
            },
            ChatMessage {
                role: "user".into(),
                content: text.into(),
            },
        ],
        max_tokens: Some(64),
        ..ChatRequest::default()
    }
}

pub fn embed(model: &str, inputs: &[&str]) -> EmbeddingRequest {
    EmbeddingRequest {
        model: model.into(),
        input: inputs.iter().map(|s| (*s).to_owned()).collect(),
    }
}
