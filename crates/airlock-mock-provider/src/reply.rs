//! The deterministic content of every answer: the reply text, token counts
//! (whitespace word counts) and embedding vectors.
//!
//! A reply is `Mock reply to: <last user message>`, with whitespace folded
//! to single spaces so the streamed pieces always add up to the plain text.

use serde::Deserialize;

/// The reply's fixed opening words.
pub const REPLY_PREFIX: &str = "Mock reply to:";

/// How many numbers an embedding has.
pub const EMBEDDING_DIMENSIONS: usize = 16;

/// Whether `model` is one the mock pretends not to have (404 in both APIs).
pub(crate) fn is_missing_model(model: &str) -> bool {
    model.starts_with("missing")
}

/// Message content in either API: a string or a list of typed parts (only
/// the parts' `text` counts).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Content {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Part {
    #[serde(default)]
    text: Option<String>,
}

impl Default for Content {
    fn default() -> Self {
        Content::Text(String::new())
    }
}

impl Content {
    /// Each text piece of the content, in order.
    pub(crate) fn texts(&self) -> impl Iterator<Item = &str> {
        let (single, parts) = match self {
            Content::Text(text) => (Some(text.as_str()), &[][..]),
            Content::Parts(parts) => (None, parts.as_slice()),
        };
        single
            .into_iter()
            .chain(parts.iter().filter_map(|part| part.text.as_deref()))
    }

    /// Its token count: whitespace-separated words.
    pub(crate) fn word_count(&self) -> u64 {
        self.texts().map(word_count).sum()
    }
}

/// Whitespace-separated words in `text`.
pub(crate) fn word_count(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

/// A finished reply: its text and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub text: String,
    pub tokens: u64,
    /// True when `max_tokens` cut it short.
    pub truncated: bool,
}

impl Reply {
    /// The reply to `last_user`, cut to `max_tokens` words when smaller.
    pub(crate) fn to(last_user: &Content, max_tokens: Option<u64>) -> Self {
        let words = REPLY_PREFIX
            .split_whitespace()
            .chain(last_user.texts().flat_map(str::split_whitespace));
        let limit = max_tokens.unwrap_or(u64::MAX);
        let mut text = String::with_capacity(64);
        let mut tokens = 0u64;
        let mut truncated = false;
        for word in words {
            if tokens == limit {
                truncated = true;
                break;
            }
            if tokens > 0 {
                text.push(' ');
            }
            text.push_str(word);
            tokens += 1;
        }
        Reply {
            text,
            tokens,
            truncated,
        }
    }

    /// The streamed pieces: one per word, each after the first with its
    /// leading space, so that they concatenate to `text`.
    pub(crate) fn pieces(&self) -> impl Iterator<Item = &str> {
        let text = self.text.as_str();
        let mut start = 0;
        std::iter::from_fn(move || {
            if start >= text.len() {
                return None;
            }
            let from = start + usize::from(start > 0);
            let end = text[from..].find(' ').map_or(text.len(), |i| from + i);
            let piece = &text[start..end];
            start = end;
            Some(piece)
        })
    }
}

/// A deterministic unit-length embedding of `text`.
pub(crate) fn embedding(text: &str) -> [f32; EMBEDDING_DIMENSIONS] {
    // FNV-1a seeds a splitmix64 sequence.
    let mut state = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut vector = [0f32; EMBEDDING_DIMENSIONS];
    for value in &mut vector {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // The top 24 bits, mapped to [-1, 1).
        *value = (z >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
    }
    let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|v| *v /= norm);
    }
    vector
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Content {
        Content::Text(s.to_owned())
    }

    #[test]
    fn reply_echoes_and_pieces_concatenate() {
        let reply = Reply::to(&text("hello   there\nfriend"), None);
        assert_eq!(reply.text, "Mock reply to: hello there friend");
        assert_eq!(reply.tokens, 6);
        assert!(!reply.truncated);
        let pieces: Vec<&str> = reply.pieces().collect();
        assert_eq!(
            pieces,
            ["Mock", " reply", " to:", " hello", " there", " friend"]
        );
        assert_eq!(pieces.concat(), reply.text);
    }

    #[test]
    fn max_tokens_truncates_by_words() {
        let reply = Reply::to(&text("a b c"), Some(4));
        assert_eq!(reply.text, "Mock reply to: a");
        assert!(reply.truncated);
        let exact = Reply::to(&text("a b c"), Some(6));
        assert!(!exact.truncated);
    }

    #[test]
    fn embeddings_are_deterministic_and_normalised() {
        let a = embedding("hello");
        assert_eq!(a, embedding("hello"));
        assert_ne!(a, embedding("hello!"));
        let norm: f32 = a.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
    }
}
