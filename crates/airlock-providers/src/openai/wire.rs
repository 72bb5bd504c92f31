//! The OpenAI wire format: request bodies and whole responses.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::attempt::{AttemptError, FailureKind};
use crate::types::{ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse, Usage};

/// The `/chat/completions` body.
pub(super) fn chat_body(request: &ChatRequest, stream: bool) -> Value {
    let mut body = json!({
        "model": request.model,
        "messages": request.messages,
    });
    let fields = body.as_object_mut();
    if let Some(fields) = fields {
        if let Some(max_tokens) = request.max_tokens {
            fields.insert("max_tokens".into(), json!(max_tokens));
        }
        if let Some(temperature) = request.temperature {
            fields.insert("temperature".into(), json!(temperature));
        }
        if let Some(top_p) = request.top_p {
            fields.insert("top_p".into(), json!(top_p));
        }
        if !request.stop.is_empty() {
            fields.insert("stop".into(), json!(request.stop));
        }
        if stream {
            fields.insert("stream".into(), json!(true));
            fields.insert("stream_options".into(), json!({"include_usage": true}));
        }
    }
    body
}

/// The `/embeddings` body.
pub(super) fn embedding_body(request: &EmbeddingRequest) -> Value {
    json!({ "model": request.model, "input": request.input })
}

#[derive(Deserialize)]
pub(super) struct WireUsage {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
}

impl From<WireUsage> for Usage {
    fn from(usage: WireUsage) -> Self {
        Usage {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
        }
    }
}

#[derive(Deserialize)]
struct ChatBody {
    model: Option<String>,
    choices: Vec<Choice>,
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

pub(super) fn malformed(what: impl std::fmt::Display) -> AttemptError {
    AttemptError::new(
        FailureKind::Malformed,
        format!("unexpected response: {what}"),
    )
}

/// A whole chat completion; `requested_model` when the body names none.
pub(super) fn parse_chat(body: &[u8], requested_model: &str) -> Result<ChatResponse, AttemptError> {
    let parsed: ChatBody = serde_json::from_slice(body).map_err(malformed)?;
    let choice = parsed
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| malformed("no choices"))?;
    Ok(ChatResponse {
        model: parsed.model.unwrap_or_else(|| requested_model.to_owned()),
        content: choice.message.content.unwrap_or_default(),
        finish_reason: choice.finish_reason.unwrap_or_else(|| "stop".to_owned()),
        usage: parsed.usage.map(Usage::from).unwrap_or_default(),
    })
}

#[derive(Deserialize)]
struct EmbeddingBody {
    model: Option<String>,
    data: Vec<EmbeddingItem>,
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct EmbeddingItem {
    index: usize,
    embedding: Vec<f32>,
}

/// Embeddings in input order; every index from 0 to `expected - 1` once.
pub(super) fn parse_embeddings(
    body: &[u8],
    requested_model: &str,
    expected: usize,
) -> Result<EmbeddingResponse, AttemptError> {
    let parsed: EmbeddingBody = serde_json::from_slice(body).map_err(malformed)?;
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; expected];
    for item in parsed.data {
        let slot = slots
            .get_mut(item.index)
            .ok_or_else(|| malformed(format!("embedding index {} out of range", item.index)))?;
        if slot.replace(item.embedding).is_some() {
            return Err(malformed(format!("embedding index {} twice", item.index)));
        }
    }
    let vectors = slots
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.ok_or_else(|| malformed(format!("no embedding for input {i}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EmbeddingResponse {
        model: parsed.model.unwrap_or_else(|| requested_model.to_owned()),
        vectors,
        usage: Usage {
            prompt_tokens: parsed.usage.map(|u| u.prompt_tokens).unwrap_or(0),
            completion_tokens: 0,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ChatMessage;

    #[test]
    fn chat_body_carries_options() {
        let request = ChatRequest {
            model: "gpt-4o-mini".into(),
            messages: vec![ChatMessage {
                role: "user".into(),
                content: "hi".into(),
            }],
            max_tokens: Some(10),
            temperature: Some(0.5),
            top_p: None,
            stop: vec!["\n".into()],
        };
        let body = chat_body(&request, true);
        assert_eq!(body["model"], "gpt-4o-mini");
        assert_eq!(body["messages"][0]["content"], "hi");
        assert_eq!(body["max_tokens"], 10);
        assert_eq!(body["stop"][0], "\n");
        assert!(body.get("top_p").is_none());
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert!(chat_body(&request, false).get("stream").is_none());
    }

    #[test]
    fn parses_a_completion() {
        let body = br#"{"id":"x","model":"gpt-4o-mini-2024","choices":[{"index":0,
            "message":{"role":"assistant","content":"Hello"},"finish_reason":"length"}],
            "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#;
        let response = parse_chat(body, "gpt-4o-mini").unwrap();
        assert_eq!(response.model, "gpt-4o-mini-2024");
        assert_eq!(response.content, "Hello");
        assert_eq!(response.finish_reason, "length");
        assert_eq!(response.usage.total(), 7);
    }

    #[test]
    fn malformed_completions() {
        for body in [
            &b"not json"[..],
            br#"{"choices":[]}"#,
            br#"{"choices":[{}]}"#,
        ] {
            assert_eq!(
                parse_chat(body, "m").unwrap_err().kind,
                FailureKind::Malformed
            );
        }
    }

    #[test]
    fn embeddings_ordered_by_index() {
        let body = br#"{"model":"e","data":[{"index":1,"embedding":[2.0]},
            {"index":0,"embedding":[1.0]}],"usage":{"prompt_tokens":4,"total_tokens":4}}"#;
        let response = parse_embeddings(body, "e", 2).unwrap();
        assert_eq!(response.vectors, vec![vec![1.0], vec![2.0]]);
        assert_eq!(response.usage.prompt_tokens, 4);
        assert_eq!(
            parse_embeddings(body, "e", 3).unwrap_err().kind,
            FailureKind::Malformed
        );
        assert_eq!(
            parse_embeddings(body, "e", 1).unwrap_err().kind,
            FailureKind::Malformed
        );
    }
}
