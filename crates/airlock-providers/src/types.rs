//! Provider-neutral requests and answers: what every provider takes and
//! gives, whatever its wire format.

use serde::{Deserialize, Serialize};

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    pub content: String,
}

/// A chat completion request, with the model named as the provider knows it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ChatRequest {
    /// The provider's own model name (after routing).
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    /// Stop sequences.
    pub stop: Vec<String>,
}

/// Token counts of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

impl Usage {
    pub fn total(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }
}

/// A whole chat completion.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    /// The model that answered, as the provider names it.
    pub model: String,
    pub content: String,
    /// `stop`, `length`, … (Anthropic's `end_turn` is mapped to `stop`,
    /// `max_tokens` to `length`).
    pub finish_reason: String,
    pub usage: Usage,
}

/// One piece of a streamed chat completion.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatChunk {
    /// More text.
    Delta(String),
    /// The end of the answer; `usage` when the provider reported it.
    Finish {
        finish_reason: String,
        usage: Option<Usage>,
    },
}

/// An embeddings request, with the model named as the provider knows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbeddingRequest {
    pub model: String,
    pub input: Vec<String>,
}

/// One vector per input, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingResponse {
    pub model: String,
    pub vectors: Vec<Vec<f32>>,
    pub usage: Usage,
}
