//! `POST /v1/chat/completions`, answered as one `chat.completion` object
//! (streams are built in `chat_stream`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::{chat_stream, is_missing, model_not_found};
use crate::api_error::{to_json, Api};
use crate::deliver;
use crate::gate::{self, ApiRequest};
use crate::reply::{Content, Reply};
use crate::state::{unix_now, MockState};
use crate::stats::ApiPath;

#[derive(Debug, Deserialize)]
pub(super) struct ChatRequest {
    pub model: String,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub stream: Option<bool>,
    #[serde(default)]
    pub max_tokens: Option<u64>,
    #[serde(default)]
    pub max_completion_tokens: Option<u64>,
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Message {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub content: Option<Content>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct StreamOptions {
    #[serde(default)]
    pub include_usage: bool,
}

impl ApiRequest for ChatRequest {
    fn model(&self) -> Option<&str> {
        Some(&self.model)
    }

    fn stream(&self) -> bool {
        self.stream.unwrap_or(false)
    }
}

/// Token usage, as every OpenAI answer reports it.
#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

/// What both the plain and the streamed answer are made of.
pub(super) struct Completion<'a> {
    pub id: String,
    pub created: u64,
    pub model: &'a str,
    pub reply: Reply,
    pub usage: Usage,
}

impl<'a> Completion<'a> {
    fn of(state: &MockState, request: &'a ChatRequest) -> Self {
        let last_user = request
            .messages
            .iter()
            .rev()
            .find(|message| message.role == "user")
            .and_then(|message| message.content.as_ref());
        let empty = Content::default();
        let max_tokens = request.max_completion_tokens.or(request.max_tokens);
        let reply = Reply::to(last_user.unwrap_or(&empty), max_tokens);
        let prompt_tokens = request
            .messages
            .iter()
            .filter_map(|message| message.content.as_ref())
            .map(Content::word_count)
            .sum();
        Completion {
            id: format!("chatcmpl-mock{}", state.next_id()),
            created: unix_now(),
            model: &request.model,
            usage: Usage {
                prompt_tokens,
                completion_tokens: reply.tokens,
                total_tokens: prompt_tokens + reply.tokens,
            },
            reply,
        }
    }

    pub fn finish_reason(&self) -> &'static str {
        if self.reply.truncated {
            "length"
        } else {
            "stop"
        }
    }
}

#[derive(Serialize)]
struct ChatCompletion<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    choices: [Choice<'a>; 1],
    usage: Usage,
}

#[derive(Serialize)]
struct Choice<'a> {
    index: u32,
    message: AssistantMessage<'a>,
    logprobs: Option<()>,
    finish_reason: &'static str,
}

#[derive(Serialize)]
struct AssistantMessage<'a> {
    role: &'static str,
    content: &'a str,
}

pub(crate) async fn chat_completions(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = gate::parse::<ChatRequest>(&body);
    let (request, delivery) = match gate::admit(
        &state,
        Api::OpenAi,
        ApiPath::ChatCompletions,
        &headers,
        parsed,
    )
    .await
    {
        Ok(admitted) => admitted,
        Err(response) => return response,
    };
    if is_missing(&request.model) {
        return model_not_found(&request.model);
    }
    let completion = Completion::of(&state, &request);
    if request.stream() {
        let include_usage = request
            .stream_options
            .as_ref()
            .is_some_and(|options| options.include_usage);
        let events = chat_stream::events(&completion, include_usage);
        return deliver::events(&state, delivery, events);
    }
    let body = ChatCompletion {
        id: &completion.id,
        object: "chat.completion",
        created: completion.created,
        model: completion.model,
        choices: [Choice {
            index: 0,
            message: AssistantMessage {
                role: "assistant",
                content: &completion.reply.text,
            },
            logprobs: None,
            finish_reason: completion.finish_reason(),
        }],
        usage: completion.usage,
    };
    deliver::json(&state, delivery, to_json(&body))
}
