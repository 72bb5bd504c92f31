//! The Anthropic streaming format: `message_start` (input tokens),
//! `content_block_delta` (text), `message_delta` (stop reason, output
//! tokens), `message_stop`; `ping` is ignored and `error` ends the stream.

use serde_json::Value;

use super::wire::{finish_reason, malformed};
use crate::attempt::{AttemptError, FailureKind};
use crate::decode::StreamDecoder;
use crate::sse::SseEvent;
use crate::types::{ChatChunk, Usage};

#[derive(Default)]
pub(super) struct AnthropicDecoder {
    usage: Option<Usage>,
    stop_reason: Option<String>,
}

impl AnthropicDecoder {
    fn usage_mut(&mut self) -> &mut Usage {
        self.usage.get_or_insert_with(Usage::default)
    }
}

fn tokens(value: &Value, pointer: &str) -> Option<u64> {
    value.pointer(pointer).and_then(Value::as_u64)
}

/// An `error` event: rate limits stay rate limits, everything else
/// (`overloaded_error`, `api_error`, …) is the server's trouble.
fn stream_error(value: &Value) -> AttemptError {
    let kind = value
        .pointer("/error/type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let message = value
        .pointer("/error/message")
        .and_then(Value::as_str)
        .unwrap_or("error event in the stream");
    let failure = if kind == "rate_limit_error" {
        FailureKind::RateLimited
    } else {
        FailureKind::ServerError
    };
    AttemptError::new(failure, format!("{kind}: {message}"))
}

impl StreamDecoder for AnthropicDecoder {
    fn on_event(&mut self, event: &SseEvent) -> Result<Vec<ChatChunk>, AttemptError> {
        if event.data.trim().is_empty() {
            return Ok(Vec::new());
        }
        let value: Value = serde_json::from_str(&event.data).map_err(malformed)?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or(event.event.as_str());
        match kind {
            "message_start" => {
                if let Some(input) = tokens(&value, "/message/usage/input_tokens") {
                    self.usage_mut().prompt_tokens = input;
                }
                if let Some(output) = tokens(&value, "/message/usage/output_tokens") {
                    self.usage_mut().completion_tokens = output;
                }
                Ok(Vec::new())
            }
            "content_block_delta" => {
                let text = value.pointer("/delta/text").and_then(Value::as_str);
                Ok(text
                    .filter(|t| !t.is_empty())
                    .map(|t| vec![ChatChunk::Delta(t.to_owned())])
                    .unwrap_or_default())
            }
            "message_delta" => {
                if let Some(reason) = value.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    self.stop_reason = Some(finish_reason(reason));
                }
                if let Some(output) = tokens(&value, "/usage/output_tokens") {
                    self.usage_mut().completion_tokens = output;
                }
                if let Some(input) = tokens(&value, "/usage/input_tokens") {
                    self.usage_mut().prompt_tokens = input;
                }
                Ok(Vec::new())
            }
            "message_stop" => Ok(vec![ChatChunk::Finish {
                finish_reason: self.stop_reason.take().unwrap_or_else(|| "stop".to_owned()),
                usage: self.usage.take(),
            }]),
            "error" => Err(stream_error(&value)),
            // ping, content_block_start, content_block_stop, future kinds.
            _ => Ok(Vec::new()),
        }
    }

    fn on_end(&mut self) -> Result<ChatChunk, AttemptError> {
        Err(AttemptError::new(
            FailureKind::StreamBroken,
            "the stream ended before message_stop",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{data, decode_all};

    fn event(name: &str, data: &str) -> Result<SseEvent, AttemptError> {
        Ok(SseEvent {
            event: name.into(),
            data: data.into(),
        })
    }

    #[tokio::test]
    async fn a_whole_stream() {
        let chunks = decode_all(
            vec![
                event(
                    "message_start",
                    r#"{"type":"message_start","message":{"usage":{"input_tokens":7,"output_tokens":1}}}"#,
                ),
                event("content_block_start", r#"{"type":"content_block_start","index":0}"#),
                event("ping", r#"{"type":"ping"}"#),
                event(
                    "content_block_delta",
                    r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}"#,
                ),
                event(
                    "message_delta",
                    r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}"#,
                ),
                event("message_stop", r#"{"type":"message_stop"}"#),
            ],
            AnthropicDecoder::default(),
        )
        .await;
        let chunks: Vec<ChatChunk> = chunks.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            chunks,
            vec![
                ChatChunk::Delta("Hi".into()),
                ChatChunk::Finish {
                    finish_reason: "stop".into(),
                    usage: Some(Usage {
                        prompt_tokens: 7,
                        completion_tokens: 3
                    })
                }
            ]
        );
    }

    #[tokio::test]
    async fn error_events_and_early_ends() {
        let overloaded = decode_all(
            vec![data(
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            )],
            AnthropicDecoder::default(),
        )
        .await;
        assert_eq!(
            overloaded[0].as_ref().unwrap_err().kind,
            FailureKind::ServerError
        );
        let limited = decode_all(
            vec![data(
                r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
            )],
            AnthropicDecoder::default(),
        )
        .await;
        assert_eq!(
            limited[0].as_ref().unwrap_err().kind,
            FailureKind::RateLimited
        );
        let broken = decode_all(
            vec![data(
                r#"{"type":"content_block_delta","delta":{"text":"Hi"}}"#,
            )],
            AnthropicDecoder::default(),
        )
        .await;
        assert_eq!(
            broken[1].as_ref().unwrap_err().kind,
            FailureKind::StreamBroken
        );
    }
}
