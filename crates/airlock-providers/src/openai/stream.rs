//! The OpenAI streaming format: `data: {chunk}` events, a `finish_reason`
//! on the last choice chunk, a usage-only chunk (with `include_usage`),
//! then `data: [DONE]`.

use serde::Deserialize;

use super::wire::{malformed, WireUsage};
use crate::attempt::{AttemptError, FailureKind};
use crate::decode::StreamDecoder;
use crate::sse::SseEvent;
use crate::types::{ChatChunk, Usage};

#[derive(Default)]
pub(super) struct OpenAiDecoder {
    finish_reason: Option<String>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct StreamChunk {
    #[serde(default)]
    choices: Vec<StreamChoice>,
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct StreamChoice {
    #[serde(default)]
    delta: Option<Delta>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    content: Option<String>,
}

impl OpenAiDecoder {
    fn finish(&mut self) -> ChatChunk {
        ChatChunk::Finish {
            finish_reason: self
                .finish_reason
                .take()
                .unwrap_or_else(|| "stop".to_owned()),
            usage: self.usage.take(),
        }
    }
}

impl StreamDecoder for OpenAiDecoder {
    fn on_event(&mut self, event: &SseEvent) -> Result<Vec<ChatChunk>, AttemptError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            return Ok(vec![self.finish()]);
        }
        if data.is_empty() {
            return Ok(Vec::new());
        }
        let value: serde_json::Value = serde_json::from_str(data).map_err(malformed)?;
        if let Some(message) = value.pointer("/error/message").and_then(|m| m.as_str()) {
            return Err(AttemptError::new(
                FailureKind::ServerError,
                message.to_owned(),
            ));
        }
        let chunk: StreamChunk = serde_json::from_value(value).map_err(malformed)?;
        if let Some(usage) = chunk.usage {
            self.usage = Some(usage.into());
        }
        let mut out = Vec::new();
        if let Some(choice) = chunk.choices.into_iter().next() {
            if let Some(text) = choice.delta.and_then(|d| d.content) {
                if !text.is_empty() {
                    out.push(ChatChunk::Delta(text));
                }
            }
            if let Some(reason) = choice.finish_reason {
                self.finish_reason = Some(reason);
            }
        }
        Ok(out)
    }

    /// Some servers close right after the finish reason without `[DONE]`:
    /// that is a complete answer; anything earlier is broken.
    fn on_end(&mut self) -> Result<ChatChunk, AttemptError> {
        if self.finish_reason.is_some() {
            Ok(self.finish())
        } else {
            Err(AttemptError::new(
                FailureKind::StreamBroken,
                "the stream ended before its finish reason",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{data, decode_all};

    #[tokio::test]
    async fn deltas_then_one_finish_with_usage() {
        let chunks = decode_all(
            vec![
                data(r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#),
                data(r#"{"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#),
                data(r#"{"choices":[{"index":0,"delta":{"content":"lo"}}]}"#),
                data(r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#),
                data(r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#),
                data("[DONE]"),
                data(r#"{"ignored":"after done"}"#),
            ],
            OpenAiDecoder::default(),
        )
        .await;
        let chunks: Vec<ChatChunk> = chunks.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            chunks,
            vec![
                ChatChunk::Delta("Hel".into()),
                ChatChunk::Delta("lo".into()),
                ChatChunk::Finish {
                    finish_reason: "stop".into(),
                    usage: Some(Usage {
                        prompt_tokens: 3,
                        completion_tokens: 2
                    }),
                },
            ]
        );
    }

    #[tokio::test]
    async fn early_end_is_broken() {
        let chunks = decode_all(
            vec![data(r#"{"choices":[{"delta":{"content":"Hel"}}]}"#)],
            OpenAiDecoder::default(),
        )
        .await;
        assert_eq!(chunks.len(), 2);
        assert_eq!(
            chunks[1].as_ref().unwrap_err().kind,
            FailureKind::StreamBroken
        );
    }

    #[tokio::test]
    async fn end_after_finish_reason_is_complete() {
        let chunks = decode_all(
            vec![data(
                r#"{"choices":[{"delta":{},"finish_reason":"length"}]}"#,
            )],
            OpenAiDecoder::default(),
        )
        .await;
        assert!(matches!(
            chunks.as_slice(),
            [Ok(ChatChunk::Finish { finish_reason, usage: None })] if finish_reason == "length"
        ));
    }

    #[tokio::test]
    async fn bad_json_is_malformed() {
        let chunks = decode_all(vec![data("{nope")], OpenAiDecoder::default()).await;
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].as_ref().unwrap_err().kind, FailureKind::Malformed);
    }
}
