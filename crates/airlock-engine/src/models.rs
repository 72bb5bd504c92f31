//! The model interface the runtime uses: classify a text with a named
//! classifier, generate text from a prompt. Local models implement it
//! in-process ([`crate::LocalModels`]); hosted providers will implement it
//! over HTTP. Implementations must be safe to call concurrently.

use airlock_core::Result;
use async_trait::async_trait;

/// A runner-up label.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alternative {
    pub label: String,
    pub confidence: f64,
}

/// What a classifier said about one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub label: String,
    /// Calibrated probability of `label`, in [0, 1].
    pub confidence: f64,
    /// The next most likely labels, most likely first.
    pub alternatives: Vec<Alternative>,
    /// Identifies the exact model: `<artifact path>@<content hash prefix>`.
    pub model: String,
}

/// A generated text.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub text: String,
    /// Identifies the exact model: `<name>@<sha256 prefix>`.
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// `stop`, `length` or `stop_sequence`.
    pub finish_reason: String,
}

/// Classifiers and generators, however they are served.
#[async_trait]
pub trait Models: Send + Sync {
    /// Classifies `text` with the classifier `model` (the artifact path a
    /// workflow's classify step names, relative to the data directory).
    async fn classify(&self, model: &str, text: &str) -> Result<Classification>;

    /// Generates up to `max_tokens` tokens answering `prompt`.
    async fn generate(&self, prompt: &str, max_tokens: u32) -> Result<Generation>;

    /// Names of the loaded models, for `/readyz`.
    fn loaded(&self) -> Vec<String>;
}
