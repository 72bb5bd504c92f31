//! The events of a streamed chat completion: a role chunk, one chunk per
//! word, a finish chunk, the usage chunk when asked for, then `[DONE]`.

use bytes::Bytes;
use serde::Serialize;

use super::chat::{Completion, Usage};
use crate::api_error::to_json;
use crate::deliver::data_event;

#[derive(Serialize)]
struct Chunk<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    model: &'a str,
    choices: &'a [ChunkChoice<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Usage>,
}

#[derive(Serialize)]
struct ChunkChoice<'a> {
    index: u32,
    delta: Delta<'a>,
    logprobs: Option<()>,
    finish_reason: Option<&'static str>,
}

#[derive(Default, Serialize)]
struct Delta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
}

fn choice<'a>(delta: Delta<'a>, finish_reason: Option<&'static str>) -> ChunkChoice<'a> {
    ChunkChoice {
        index: 0,
        delta,
        logprobs: None,
        finish_reason,
    }
}

/// Every event of the stream, the terminal `data: [DONE]` last.
pub(super) fn events(completion: &Completion<'_>, include_usage: bool) -> Vec<Bytes> {
    let chunk = |choices: &[ChunkChoice<'_>], usage: Option<Usage>| {
        data_event(&to_json(&Chunk {
            id: &completion.id,
            object: "chat.completion.chunk",
            created: completion.created,
            model: completion.model,
            choices,
            usage,
        }))
    };
    let mut events = Vec::with_capacity(completion.reply.tokens as usize + 5);
    let role = Delta {
        role: Some("assistant"),
        content: None,
    };
    events.push(chunk(&[choice(role, None)], None));
    for piece in completion.reply.pieces() {
        let word = Delta {
            role: None,
            content: Some(piece),
        };
        events.push(chunk(&[choice(word, None)], None));
    }
    let finish = Some(completion.finish_reason());
    events.push(chunk(&[choice(Delta::default(), finish)], None));
    if include_usage {
        events.push(chunk(&[], Some(completion.usage)));
    }
    events.push(Bytes::from_static(b"data: [DONE]\n\n"));
    events
}
