//! The Anthropic wire format: request bodies, whole responses, and the
//! stop reasons mapped to OpenAI's words.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::attempt::{AttemptError, FailureKind};
use crate::types::{ChatRequest, ChatResponse, Usage};

/// `max_tokens` is required by the API; this is sent when the request has none.
pub(super) const DEFAULT_MAX_TOKENS: u32 = 1024;

/// The `/v1/messages` body: system messages joined into `system`.
pub(super) fn messages_body(request: &ChatRequest, stream: bool) -> Value {
    let system: Vec<&str> = request
        .messages
        .iter()
        .filter(|m| m.role == "system")
        .map(|m| m.content.as_str())
        .collect();
    let messages: Vec<Value> = request
        .messages
        .iter()
        .filter(|m| m.role != "system")
        .map(|m| json!({"role": m.role, "content": m.content}))
        .collect();
    let mut body = json!({
        "model": request.model,
        "messages": messages,
        "max_tokens": request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
    });
    if let Some(fields) = body.as_object_mut() {
        if !system.is_empty() {
            fields.insert("system".into(), json!(system.join("\n\n")));
        }
        if let Some(temperature) = request.temperature {
            fields.insert("temperature".into(), json!(temperature));
        }
        if let Some(top_p) = request.top_p {
            fields.insert("top_p".into(), json!(top_p));
        }
        if !request.stop.is_empty() {
            fields.insert("stop_sequences".into(), json!(request.stop));
        }
        if stream {
            fields.insert("stream".into(), json!(true));
        }
    }
    body
}

/// `end_turn`/`stop_sequence` → `stop`, `max_tokens` → `length`, others kept.
pub(super) fn finish_reason(stop_reason: &str) -> String {
    match stop_reason {
        "end_turn" | "stop_sequence" => "stop".to_owned(),
        "max_tokens" => "length".to_owned(),
        other => other.to_owned(),
    }
}

pub(super) fn malformed(what: impl std::fmt::Display) -> AttemptError {
    AttemptError::new(
        FailureKind::Malformed,
        format!("unexpected response: {what}"),
    )
}

#[derive(Deserialize)]
struct MessageBody {
    model: Option<String>,
    content: Vec<ContentBlock>,
    stop_reason: Option<String>,
    usage: WireUsage,
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct WireUsage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
}

/// A whole message; its text blocks joined.
pub(super) fn parse_message(
    body: &[u8],
    requested_model: &str,
) -> Result<ChatResponse, AttemptError> {
    let parsed: MessageBody = serde_json::from_slice(body).map_err(malformed)?;
    let content: String = parsed
        .content
        .into_iter()
        .filter(|block| block.kind == "text")
        .filter_map(|block| block.text)
        .collect();
    Ok(ChatResponse {
        model: parsed.model.unwrap_or_else(|| requested_model.to_owned()),
        content,
        finish_reason: finish_reason(parsed.stop_reason.as_deref().unwrap_or("end_turn")),
        usage: Usage {
            prompt_tokens: parsed.usage.input_tokens,
            completion_tokens: parsed.usage.output_tokens,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ChatMessage;

    fn message(role: &str, content: &str) -> ChatMessage {
        ChatMessage {
            role: role.into(),
            content: content.into(),
        }
    }

    #[test]
    fn system_messages_go_to_the_top() {
        let request = ChatRequest {
            model: "claude".into(),
            messages: vec![
                message("system", "Be brief."),
                message("user", "hi"),
                message("system", "No emoji."),
            ],
            stop: vec!["END".into()],
            ..ChatRequest::default()
        };
        let body = messages_body(&request, true);
        assert_eq!(body["system"], "Be brief.\n\nNo emoji.");
        assert_eq!(body["messages"].as_array().unwrap().len(), 1);
        assert_eq!(body["messages"][0]["role"], "user");
        assert_eq!(body["max_tokens"], DEFAULT_MAX_TOKENS);
        assert_eq!(body["stop_sequences"][0], "END");
        assert_eq!(body["stream"], true);
        assert!(messages_body(&request, false).get("stream").is_none());
    }

    #[test]
    fn parses_a_message() {
        let body = br#"{"id":"msg","type":"message","role":"assistant","model":"claude-x",
            "content":[{"type":"text","text":"Hel"},{"type":"text","text":"lo"}],
            "stop_reason":"max_tokens","usage":{"input_tokens":9,"output_tokens":4}}"#;
        let response = parse_message(body, "claude").unwrap();
        assert_eq!(response.content, "Hello");
        assert_eq!(response.finish_reason, "length");
        assert_eq!(response.usage.prompt_tokens, 9);
        assert_eq!(response.usage.completion_tokens, 4);
        assert_eq!(finish_reason("end_turn"), "stop");
        assert_eq!(finish_reason("stop_sequence"), "stop");
    }

    #[test]
    fn malformed_messages() {
        for body in [&b"[]"[..], br#"{"content":[]}"#, b"<html>"] {
            assert_eq!(
                parse_message(body, "m").unwrap_err().kind,
                FailureKind::Malformed
            );
        }
    }
}
