//! Model providers behind one interface.
//!
//! A [`Provider`] answers chat completions (whole or streamed) and
//! embeddings. Implementations: an OpenAI-compatible HTTP client (OpenAI,
//! Azure-style base URLs, vLLM, Ollama, llama.cpp server), an Anthropic
//! Messages API client, and — outside this crate, in the engine — Airlock's
//! local models. Resilience is layered around a provider per endpoint and
//! model (timeouts, retries with jittered backoff honouring `Retry-After`,
//! a circuit breaker, client-side request/token/concurrency limits), and a
//! [`ModelRouter`] walks an ordered fallback chain, filtered by the data
//! classes each provider may receive, recording every attempt.

mod anthropic;
mod attempt;
mod decode;
mod http;
mod openai;
mod provider;
mod resilience;
mod retry_after;
mod router;
mod sse;
mod types;

pub use anthropic::{AnthropicConfig, AnthropicProvider, DEFAULT_ANTHROPIC_VERSION};
pub use attempt::{Attempt, AttemptError, FailureKind};
pub use openai::{OpenAiConfig, OpenAiProvider};
pub use provider::{ChatStream, Provider};
pub use resilience::{BreakerState, ResilienceSettings, ResilientProvider};
pub use router::{ModelRoute, ModelRouter, Price, RouteFailure, RouteKind, Routed, Target};
pub use types::{
    ChatChunk, ChatMessage, ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse, Usage,
};
