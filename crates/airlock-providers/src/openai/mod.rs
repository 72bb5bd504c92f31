//! The OpenAI-compatible chat completions and embeddings client (OpenAI,
//! Azure-style deployments, vLLM, Ollama, llama.cpp server).

mod stream;
mod wire;

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Client, RequestBuilder, Url};

use crate::attempt::{AttemptError, FailureKind};
use crate::decode::decode_chat_stream;
use crate::http;
use crate::provider::{ChatStream, Provider};
use crate::sse::response_events;
use crate::types::{ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse};

/// Where and how to reach one OpenAI-compatible endpoint.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// The provider's configured name (for attempts and metrics).
    pub name: String,
    /// e.g. `https://api.openai.com/v1`; requests go to
    /// `{base_url}/chat/completions` and `{base_url}/embeddings`.
    pub base_url: String,
    pub api_key: Option<String>,
    /// `None`: `Authorization: Bearer <key>`; `Some("api-key")`: Azure's
    /// `api-key: <key>`.
    pub auth_header: Option<String>,
    /// Query pairs on every request (Azure's `api-version`).
    pub query: Vec<(String, String)>,
    pub connect_timeout: Duration,
    /// Response headers, and a stream's first event, must come within this.
    pub first_token_timeout: Duration,
}

impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("auth_header", &self.auth_header)
            .field("query", &self.query)
            .field("connect_timeout", &self.connect_timeout)
            .field("first_token_timeout", &self.first_token_timeout)
            .finish()
    }
}

/// An OpenAI-compatible provider.
pub struct OpenAiProvider {
    name: String,
    client: Client,
    chat_url: Url,
    embeddings_url: Url,
    auth: Option<(HeaderName, HeaderValue)>,
    first_token_timeout: Duration,
}

impl std::fmt::Debug for OpenAiProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiProvider")
            .field("name", &self.name)
            .field("chat_url", &self.chat_url.as_str())
            .field(
                "auth",
                &self.auth.as_ref().map(|(name, _)| (name, "<redacted>")),
            )
            .finish_non_exhaustive()
    }
}

impl OpenAiProvider {
    pub fn new(config: OpenAiConfig) -> Result<Self, airlock_core::Error> {
        let name = config.name.clone();
        if name.trim().is_empty() {
            return Err(airlock_core::Error::invalid_config(
                "an OpenAI-compatible provider needs a name",
            ));
        }
        let chat_url =
            http::endpoint_url(&name, &config.base_url, "chat/completions", &config.query)?;
        let embeddings_url =
            http::endpoint_url(&name, &config.base_url, "embeddings", &config.query)?;
        let auth = match &config.api_key {
            None => None,
            Some(key) => Some(auth_header(&name, config.auth_header.as_deref(), key)?),
        };
        Ok(OpenAiProvider {
            name,
            client: http::build_client(config.connect_timeout)?,
            chat_url,
            embeddings_url,
            auth,
            first_token_timeout: config.first_token_timeout,
        })
    }

    fn post(&self, url: &Url, body: &serde_json::Value) -> RequestBuilder {
        let request = self.client.post(url.clone()).json(body);
        match &self.auth {
            Some((name, value)) => request.header(name.clone(), value.clone()),
            None => request,
        }
    }
}

fn auth_header(
    provider: &str,
    header: Option<&str>,
    key: &str,
) -> Result<(HeaderName, HeaderValue), airlock_core::Error> {
    let (name, value) = match header {
        None => (
            HeaderName::from_static("authorization"),
            format!("Bearer {key}"),
        ),
        Some(name) => {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                airlock_core::Error::invalid_config(format!(
                    "provider {provider}: auth_header {name:?} is not a header name"
                ))
            })?;
            (name, key.to_owned())
        }
    };
    let mut value = HeaderValue::from_str(&value).map_err(|_| {
        airlock_core::Error::invalid_config(format!(
            "provider {provider}: the API key holds characters a header cannot carry"
        ))
    })?;
    value.set_sensitive(true);
    Ok((name, value))
}

#[async_trait]
impl Provider for OpenAiProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, AttemptError> {
        let body = wire::chat_body(request, false);
        let response =
            http::send(self.post(&self.chat_url, &body), self.first_token_timeout).await?;
        let bytes = http::read_body(response).await?;
        wire::parse_chat(&bytes, &request.model)
    }

    async fn chat_stream(&self, request: &ChatRequest) -> Result<ChatStream, AttemptError> {
        let body = wire::chat_body(request, true);
        let response =
            http::send(self.post(&self.chat_url, &body), self.first_token_timeout).await?;
        let events = response_events(response, self.first_token_timeout);
        Ok(decode_chat_stream(events, stream::OpenAiDecoder::default()))
    }

    async fn embed(&self, request: &EmbeddingRequest) -> Result<EmbeddingResponse, AttemptError> {
        if request.input.is_empty() {
            return Err(AttemptError::new(
                FailureKind::Rejected,
                "no input to embed",
            ));
        }
        let body = wire::embedding_body(request);
        let response = http::send(
            self.post(&self.embeddings_url, &body),
            self.first_token_timeout,
        )
        .await?;
        let bytes = http::read_body(response).await?;
        wire::parse_embeddings(&bytes, &request.model, request.input.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OpenAiConfig {
        OpenAiConfig {
            name: "openai".into(),
            base_url: "https://api.openai.com/v1".into(),
            api_key: Some("sk-secret-123".into()),
            auth_header: None,
            query: vec![],
            connect_timeout: Duration::from_secs(1),
            first_token_timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let config = config();
        assert!(!format!("{config:?}").contains("sk-secret"));
        let provider = OpenAiProvider::new(config).unwrap();
        assert!(!format!("{provider:?}").contains("sk-secret"));
    }

    #[test]
    fn azure_style_header() {
        let (name, value) = auth_header("azure", Some("api-key"), "k").unwrap();
        assert_eq!(name.as_str(), "api-key");
        assert_eq!(value.to_str().unwrap(), "k");
        let (name, value) = auth_header("openai", None, "k").unwrap();
        assert_eq!(name.as_str(), "authorization");
        assert_eq!(value.to_str().unwrap(), "Bearer k");
        assert!(auth_header("x", Some("bad header"), "k").is_err());
    }

    #[test]
    fn bad_config_is_rejected() {
        let mut bad = config();
        bad.base_url = "nope".into();
        assert!(OpenAiProvider::new(bad).is_err());
        let mut bad = config();
        bad.name = " ".into();
        assert!(OpenAiProvider::new(bad).is_err());
    }
}
