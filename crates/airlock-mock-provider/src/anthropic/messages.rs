//! `POST /v1/messages`, answered as one `message` object (streams are built
//! in `stream`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::stream;
use crate::api_error::{anthropic_error, to_json, Api};
use crate::deliver;
use crate::gate::{self, ApiRequest};
use crate::reply::{is_missing_model, Content, Reply};
use crate::state::MockState;
use crate::stats::ApiPath;

#[derive(Debug, Deserialize)]
struct MessagesRequest {
    model: String,
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    system: Option<Content>,
    #[serde(default)]
    max_tokens: Option<u64>,
    #[serde(default)]
    stream: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    role: String,
    #[serde(default)]
    content: Content,
}

impl ApiRequest for MessagesRequest {
    fn model(&self) -> Option<&str> {
        Some(&self.model)
    }

    fn stream(&self) -> bool {
        self.stream.unwrap_or(false)
    }
}

/// Token usage as Anthropic reports it.
#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// What both the plain and the streamed answer are made of.
pub(super) struct Answer<'a> {
    pub id: String,
    pub model: &'a str,
    pub reply: Reply,
    pub usage: Usage,
}

impl Answer<'_> {
    pub fn stop_reason(&self) -> &'static str {
        if self.reply.truncated {
            "max_tokens"
        } else {
            "end_turn"
        }
    }
}

#[derive(Serialize)]
struct MessageBody<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    model: &'a str,
    content: [TextBlock<'a>; 1],
    stop_reason: &'static str,
    stop_sequence: Option<()>,
    usage: Usage,
}

#[derive(Serialize)]
struct TextBlock<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

pub(crate) async fn messages(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = gate::parse::<MessagesRequest>(&body);
    let (request, delivery) =
        match gate::admit(&state, Api::Anthropic, ApiPath::Messages, &headers, parsed).await {
            Ok(admitted) => admitted,
            Err(response) => return response,
        };
    if is_missing_model(&request.model) {
        let message = format!("model: {}", request.model);
        return anthropic_error(StatusCode::NOT_FOUND, "not_found_error", &message);
    }
    let empty = Content::default();
    let last_user = request
        .messages
        .iter()
        .rev()
        .find(|message| message.role == "user")
        .map_or(&empty, |message| &message.content);
    let reply = Reply::to(last_user, request.max_tokens);
    let input_tokens = request
        .messages
        .iter()
        .map(|message| message.content.word_count())
        .chain(request.system.as_ref().map(Content::word_count))
        .sum();
    let answer = Answer {
        id: format!("msg_mock{}", state.next_id()),
        model: &request.model,
        usage: Usage {
            input_tokens,
            output_tokens: reply.tokens,
        },
        reply,
    };
    if request.stream() {
        return deliver::events(&state, delivery, stream::events(&answer));
    }
    let body = MessageBody {
        id: &answer.id,
        kind: "message",
        role: "assistant",
        model: answer.model,
        content: [TextBlock {
            kind: "text",
            text: &answer.reply.text,
        }],
        stop_reason: answer.stop_reason(),
        stop_sequence: None,
        usage: answer.usage,
    };
    deliver::json(&state, delivery, to_json(&body))
}
