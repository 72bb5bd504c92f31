//! The named events of a streamed message: `message_start`,
//! `content_block_start`, `ping`, one `content_block_delta` per word,
//! `content_block_stop`, `message_delta` and the terminal `message_stop`.

use bytes::Bytes;
use serde::Serialize;

use super::messages::{Answer, Usage};
use crate::api_error::to_json;
use crate::deliver::named_event;

#[derive(Serialize)]
struct MessageStart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: StartMessage<'a>,
}

#[derive(Serialize)]
struct StartMessage<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    model: &'a str,
    content: [(); 0],
    stop_reason: Option<()>,
    stop_sequence: Option<()>,
    usage: Usage,
}

#[derive(Serialize)]
struct BlockStart {
    #[serde(rename = "type")]
    kind: &'static str,
    index: u32,
    content_block: TextBlock<'static>,
}

#[derive(Serialize)]
struct TextBlock<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

#[derive(Serialize)]
struct BlockDelta<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: u32,
    delta: TextBlock<'a>,
}

#[derive(Serialize)]
struct MessageDelta {
    #[serde(rename = "type")]
    kind: &'static str,
    delta: StopDelta,
    usage: OutputUsage,
}

#[derive(Serialize)]
struct StopDelta {
    stop_reason: &'static str,
    stop_sequence: Option<()>,
}

#[derive(Serialize)]
struct OutputUsage {
    output_tokens: u64,
}

/// Every event of the stream, the terminal `message_stop` last.
pub(super) fn events(answer: &Answer<'_>) -> Vec<Bytes> {
    let mut events = Vec::with_capacity(answer.reply.tokens as usize + 6);
    let start = MessageStart {
        kind: "message_start",
        message: StartMessage {
            id: &answer.id,
            kind: "message",
            role: "assistant",
            model: answer.model,
            content: [],
            stop_reason: None,
            stop_sequence: None,
            usage: Usage {
                input_tokens: answer.usage.input_tokens,
                output_tokens: 1,
            },
        },
    };
    events.push(named_event("message_start", &to_json(&start)));
    let block_start = BlockStart {
        kind: "content_block_start",
        index: 0,
        content_block: TextBlock {
            kind: "text",
            text: "",
        },
    };
    events.push(named_event("content_block_start", &to_json(&block_start)));
    events.push(named_event("ping", br#"{"type":"ping"}"#));
    for piece in answer.reply.pieces() {
        let delta = BlockDelta {
            kind: "content_block_delta",
            index: 0,
            delta: TextBlock {
                kind: "text_delta",
                text: piece,
            },
        };
        events.push(named_event("content_block_delta", &to_json(&delta)));
    }
    events.push(named_event(
        "content_block_stop",
        br#"{"type":"content_block_stop","index":0}"#,
    ));
    let message_delta = MessageDelta {
        kind: "message_delta",
        delta: StopDelta {
            stop_reason: answer.stop_reason(),
            stop_sequence: None,
        },
        usage: OutputUsage {
            output_tokens: answer.usage.output_tokens,
        },
    };
    events.push(named_event("message_delta", &to_json(&message_delta)));
    events.push(named_event("message_stop", br#"{"type":"message_stop"}"#));
    events
}
