//! The OpenAI wire format Airlock accepts and answers: chat completion and
//! embeddings requests (members the SDKs send but Airlock does not use are
//! ignored; ones that would change the answer and are not supported are
//! refused by name), and the response and chunk bodies.

use airlock_core::Error;
use airlock_providers::{ChatMessage, Usage};
use serde::Deserialize;
use serde_json::{json, Value};

/// `POST /v1/chat/completions` as sent.
#[derive(Debug, Deserialize)]
pub struct ChatBody {
    pub model: Option<String>,
    pub messages: Option<Vec<MessageBody>>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub stop: Option<StopBody>,
    #[serde(default)]
    pub stream: bool,
    pub stream_options: Option<StreamOptions>,
    pub n: Option<u32>,
    pub tools: Option<Value>,
    pub functions: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub struct StreamOptions {
    #[serde(default)]
    pub include_usage: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StopBody {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
pub struct MessageBody {
    pub role: String,
    pub content: Option<ContentBody>,
}

/// A message's content: a string, or parts of which only text is taken.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ContentBody {
    Text(String),
    Parts(Vec<PartBody>),
}

#[derive(Debug, Deserialize)]
pub struct PartBody {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<String>,
}

/// `POST /v1/embeddings` as sent.
#[derive(Debug, Deserialize)]
pub struct EmbeddingsBody {
    pub model: Option<String>,
    pub input: Option<InputBody>,
    pub encoding_format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum InputBody {
    One(String),
    Many(Vec<String>),
}

const ROLES: &[&str] = &["system", "developer", "user", "assistant"];

impl ChatBody {
    /// The route name and the messages, or the first problem found.
    pub fn messages(&self) -> Result<Vec<ChatMessage>, Error> {
        if self.n.is_some_and(|n| n != 1) {
            return Err(Error::invalid_input("only n = 1 is supported").with_field("n"));
        }
        if self.tools.is_some() || self.functions.is_some() {
            return Err(
                Error::invalid_input("tools and function calling are not supported")
                    .with_field("tools"),
            );
        }
        let Some(messages) = &self.messages else {
            return Err(Error::invalid_input("`messages` is required").with_field("messages"));
        };
        if messages.is_empty() {
            return Err(Error::invalid_input("`messages` is empty").with_field("messages"));
        }
        let mut out = Vec::with_capacity(messages.len());
        for (i, message) in messages.iter().enumerate() {
            if !ROLES.contains(&message.role.as_str()) {
                return Err(Error::invalid_input(format!(
                    "messages[{i}].role = {:?}: must be system, developer, user or assistant",
                    message.role
                ))
                .with_field(format!("messages[{i}].role")));
            }
            let content = match &message.content {
                None => String::new(),
                Some(ContentBody::Text(text)) => text.clone(),
                Some(ContentBody::Parts(parts)) => {
                    let mut text = String::new();
                    for (j, part) in parts.iter().enumerate() {
                        if part.kind != "text" {
                            return Err(Error::invalid_input(format!(
                                "messages[{i}].content[{j}] is of type {:?}: only text is supported",
                                part.kind
                            ))
                            .with_field(format!("messages[{i}].content[{j}].type")));
                        }
                        text.push_str(part.text.as_deref().unwrap_or_default());
                    }
                    text
                }
            };
            let role = if message.role == "developer" {
                "system"
            } else {
                message.role.as_str()
            };
            out.push(ChatMessage {
                role: role.to_string(),
                content,
            });
        }
        Ok(out)
    }

    pub fn stop(&self) -> Vec<String> {
        match &self.stop {
            None => Vec::new(),
            Some(StopBody::One(s)) => vec![s.clone()],
            Some(StopBody::Many(v)) => v.clone(),
        }
    }
}

/// The `model` member, required and non-empty.
pub fn model(model: &Option<String>) -> Result<String, Error> {
    match model.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => Ok(m.to_string()),
        _ => Err(
            Error::invalid_input("`model` is required: name one of GET /v1/models")
                .with_field("model"),
        ),
    }
}

pub fn usage_json(usage: &Usage) -> Value {
    json!({
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total(),
    })
}

/// One `chat.completion.chunk`.
pub fn chunk(id: &str, created: i64, model: &str, delta: Value, finish: Option<&str>) -> Value {
    json!({
        "id": id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    })
}
