//! Opens a GGUF chat model: reads and hashes the file, builds its tokenizer,
//! re-quantizes the weights and loads candle's quantized llama, turning every
//! failure into a clear [`ErrorKind::ModelMissing`] or
//! [`ErrorKind::ModelCorrupt`] that names the file.

use super::chat_template;
use super::gguf_tokenizer::{self, GgufTokenizer};
use super::requantize::{self, RequantizeReport};
use airlock_core::{Error, ErrorKind, Result};
use candle_core::quantized::gguf_file::Content;
use candle_core::Device;
use candle_transformers::models::quantized_llama::{ModelWeights, MAX_SEQ_LEN};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// A loaded model with everything generation needs.
pub struct LoadedModel {
    pub model: ModelWeights,
    pub tokenizer: GgufTokenizer,
    /// The system message the chat template uses when none is given.
    pub default_system: Option<String>,
    /// Most tokens (prompt + reply) one request may use.
    pub context_length: usize,
    /// Hex SHA-256 of the GGUF file as it is on disk.
    pub sha256: String,
    pub requantized: RequantizeReport,
}

/// Loads the GGUF file at `path`.
pub fn load(path: &Path) -> Result<LoadedModel> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(missing(path)),
        Err(err) => return Err(Error::io(path, "read the generation model", err)),
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    // candle's GGUF reader checks sizes, but a crafted file could still trip
    // an assertion deep inside it; a panic here means the file is bad.
    let parsed = catch_unwind(AssertUnwindSafe(|| parse(path, bytes)))
        .map_err(|_| corrupt(path, "reading it crashed the GGUF reader".to_string()))??;
    Ok(LoadedModel { sha256, ..parsed })
}

fn parse(path: &Path, bytes: Vec<u8>) -> Result<LoadedModel> {
    let mut reader = Cursor::new(bytes);
    let content = Content::read(&mut reader)
        .map_err(|e| corrupt(path, format!("it is not a readable GGUF file: {e}")))?;
    let tokenizer = gguf_tokenizer::from_metadata(&content.metadata, path)?;
    let default_system = content
        .metadata
        .get("tokenizer.chat_template")
        .and_then(|v| v.to_string().ok())
        .and_then(|template| chat_template::default_system_prompt(template));
    let context_length = content
        .metadata
        .get("llama.context_length")
        .and_then(|v| v.to_u32().ok())
        .map_or(MAX_SEQ_LEN, |n| (n as usize).min(MAX_SEQ_LEN));

    let (requantized_bytes, requantized) =
        requantize::requantize_to_q8_0(&content, &mut reader, |key| key.starts_with("tokenizer."))
            .map_err(|e| corrupt(path, format!("its weights cannot be read: {e}")))?;
    drop(reader);
    tracing::debug!(
        file = %path.display(),
        converted = requantized.converted,
        kept = requantized.kept,
        "re-quantized Q4_1 weights to Q8_0"
    );
    let mut reader = Cursor::new(requantized_bytes);
    let content = Content::read(&mut reader)
        .map_err(|e| Error::internal(format!("re-reading the re-quantized model failed: {e}")))?;
    let model = ModelWeights::from_gguf(content, &mut reader, &Device::Cpu)
        .map_err(|e| corrupt(path, format!("it is not a supported llama model: {e}")))?;
    Ok(LoadedModel {
        model,
        tokenizer,
        default_system,
        context_length,
        sha256: String::new(),
        requantized,
    })
}

/// The model file at `path` does not exist.
pub(super) fn missing(path: &Path) -> Error {
    Error::new(
        ErrorKind::ModelMissing,
        format!("generation model {} is not installed", path.display()),
    )
    .with_field(path.display().to_string())
    .with_hint("run `airlock models fetch`")
}

/// The model file at `path` cannot be used, because of `why`.
pub(super) fn corrupt(path: &Path, why: String) -> Error {
    Error::new(
        ErrorKind::ModelCorrupt,
        format!("generation model {} is unusable: {why}", path.display()),
    )
    .with_field(path.display().to_string())
    .with_hint("delete it and run `airlock models fetch` again")
}
