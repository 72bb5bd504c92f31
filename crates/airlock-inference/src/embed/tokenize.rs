//! Turns sentences into BERT token ids with the model's own `tokenizer.json`,
//! overriding its shipped fixed padding (we pack sequences instead of
//! padding them) and truncating at the model's `max_seq_len`.

use super::loader::corrupt;
use airlock_core::{Error, Result};
use std::path::Path;
use tokenizers::{Tokenizer, TruncationParams};

/// The model's tokenizer, configured for sentence embedding.
pub struct SentenceTokenizer {
    inner: Tokenizer,
}

impl SentenceTokenizer {
    /// Reads `tokenizer.json` at `path`; sequences are cut to `max_seq_len`
    /// tokens, `[CLS]` and `[SEP]` included.
    pub fn load(path: &Path, max_seq_len: usize) -> Result<Self> {
        let mut inner = Tokenizer::from_file(path).map_err(|e| corrupt(path, e))?;
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                max_length: max_seq_len,
                ..TruncationParams::default()
            }))
            .map_err(|e| {
                corrupt(
                    path,
                    format!("cannot truncate at {max_seq_len} tokens: {e}"),
                )
            })?;
        Ok(SentenceTokenizer { inner })
    }

    /// Token ids of `text` with special tokens, at most `max_seq_len` long.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        // `encode` (not `encode_batch`) so tokenization stays on the calling
        // worker thread instead of the global rayon pool.
        let encoding = self
            .inner
            .encode(text, true)
            .map_err(|e| Error::inference(format!("cannot tokenize text: {e}")))?;
        Ok(encoding.get_ids().to_vec())
    }
}
