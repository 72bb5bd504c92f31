//! The [`Provider`] trait every model source implements.

use std::pin::Pin;

use async_trait::async_trait;
use futures_util::Stream;

use crate::attempt::AttemptError;
use crate::types::{ChatChunk, ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse};

/// A streamed completion: chunks until a [`ChatChunk::Finish`], or an
/// error (a stream that ends without `Finish` is `StreamBroken`).
pub type ChatStream = Pin<Box<dyn Stream<Item = Result<ChatChunk, AttemptError>> + Send>>;

/// One model source. One call is one attempt: retries, breakers, limits
/// and fallback are layered around it, never inside it.
#[async_trait]
pub trait Provider: Send + Sync {
    /// The provider's configured name (`openai`, `local`, …).
    fn name(&self) -> &str;

    /// A whole chat completion.
    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, AttemptError>;

    /// A streamed chat completion; resolves once the response has started
    /// (headers received), so a failure to start is an `Err` here.
    async fn chat_stream(&self, request: &ChatRequest) -> Result<ChatStream, AttemptError>;

    /// Embeddings of every input.
    async fn embed(&self, request: &EmbeddingRequest) -> Result<EmbeddingResponse, AttemptError>;
}
