//! The Anthropic Messages API client.

mod stream;
mod wire;

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use reqwest::{Client, RequestBuilder, Url};

use crate::attempt::{AttemptError, FailureKind};
use crate::decode::decode_chat_stream;
use crate::http;
use crate::provider::{ChatStream, Provider};
use crate::sse::response_events;
use crate::types::{ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse};

/// The `anthropic-version` sent when none is configured.
pub const DEFAULT_ANTHROPIC_VERSION: &str = "2023-06-01";

/// Where and how to reach the Messages API.
#[derive(Clone)]
pub struct AnthropicConfig {
    /// The provider's configured name (for attempts and metrics).
    pub name: String,
    /// e.g. `https://api.anthropic.com`; requests go to `{base_url}/v1/messages`.
    pub base_url: String,
    pub api_key: Option<String>,
    /// The `anthropic-version` header; empty means [`DEFAULT_ANTHROPIC_VERSION`].
    pub version: String,
    pub connect_timeout: Duration,
    /// Response headers, and a stream's first event, must come within this.
    pub first_token_timeout: Duration,
}

impl std::fmt::Debug for AnthropicConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicConfig")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("version", &self.version)
            .field("connect_timeout", &self.connect_timeout)
            .field("first_token_timeout", &self.first_token_timeout)
            .finish()
    }
}

/// An Anthropic provider.
pub struct AnthropicProvider {
    name: String,
    client: Client,
    messages_url: Url,
    api_key: Option<HeaderValue>,
    version: HeaderValue,
    first_token_timeout: Duration,
}

impl std::fmt::Debug for AnthropicProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicProvider")
            .field("name", &self.name)
            .field("messages_url", &self.messages_url.as_str())
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl AnthropicProvider {
    pub fn new(config: AnthropicConfig) -> Result<Self, airlock_core::Error> {
        let name = config.name.clone();
        if name.trim().is_empty() {
            return Err(airlock_core::Error::invalid_config(
                "an Anthropic provider needs a name",
            ));
        }
        let messages_url = http::endpoint_url(&name, &config.base_url, "v1/messages", &[])?;
        let api_key = match &config.api_key {
            None => None,
            Some(key) => {
                let mut value = HeaderValue::from_str(key).map_err(|_| {
                    airlock_core::Error::invalid_config(format!(
                        "provider {name}: the API key holds characters a header cannot carry"
                    ))
                })?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        let version = if config.version.trim().is_empty() {
            DEFAULT_ANTHROPIC_VERSION
        } else {
            config.version.trim()
        };
        let version = HeaderValue::from_str(version).map_err(|_| {
            airlock_core::Error::invalid_config(format!(
                "provider {name}: version {version:?} is not a header value"
            ))
        })?;
        Ok(AnthropicProvider {
            name,
            client: http::build_client(config.connect_timeout)?,
            messages_url,
            api_key,
            version,
            first_token_timeout: config.first_token_timeout,
        })
    }

    fn post(&self, body: &serde_json::Value) -> RequestBuilder {
        let request = self
            .client
            .post(self.messages_url.clone())
            .header("anthropic-version", self.version.clone())
            .json(body);
        match &self.api_key {
            Some(key) => request.header("x-api-key", key.clone()),
            None => request,
        }
    }
}

#[async_trait]
impl Provider for AnthropicProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, AttemptError> {
        let body = wire::messages_body(request, false);
        let response = http::send(self.post(&body), self.first_token_timeout).await?;
        let bytes = http::read_body(response).await?;
        wire::parse_message(&bytes, &request.model)
    }

    async fn chat_stream(&self, request: &ChatRequest) -> Result<ChatStream, AttemptError> {
        let body = wire::messages_body(request, true);
        let response = http::send(self.post(&body), self.first_token_timeout).await?;
        let events = response_events(response, self.first_token_timeout);
        Ok(decode_chat_stream(
            events,
            stream::AnthropicDecoder::default(),
        ))
    }

    async fn embed(&self, _request: &EmbeddingRequest) -> Result<EmbeddingResponse, AttemptError> {
        Err(AttemptError::new(
            FailureKind::Rejected,
            "the Anthropic Messages API has no embeddings",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let config = AnthropicConfig {
            name: "anthropic".into(),
            base_url: "https://api.anthropic.com".into(),
            api_key: Some("sk-ant-secret".into()),
            version: String::new(),
            connect_timeout: Duration::from_secs(1),
            first_token_timeout: Duration::from_secs(1),
        };
        assert!(!format!("{config:?}").contains("sk-ant-secret"));
        let provider = AnthropicProvider::new(config).unwrap();
        assert!(!format!("{provider:?}").contains("sk-ant-secret"));
        assert_eq!(provider.version, DEFAULT_ANTHROPIC_VERSION);
        assert_eq!(
            provider.messages_url.as_str(),
            "https://api.anthropic.com/v1/messages"
        );
    }
}
