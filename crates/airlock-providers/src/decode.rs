//! Turning parsed server-sent events into a [`ChatStream`] through an
//! API-specific [`StreamDecoder`], so each API only says what one event
//! means and how an early end is judged.

use std::collections::VecDeque;

use futures_util::StreamExt;

use crate::attempt::AttemptError;
use crate::provider::ChatStream;
use crate::sse::{SseEvent, SseEvents};
use crate::types::ChatChunk;

/// What the events of one streaming API mean.
pub(crate) trait StreamDecoder: Send + 'static {
    /// The chunks one event gives; a [`ChatChunk::Finish`] ends the stream.
    fn on_event(&mut self, event: &SseEvent) -> Result<Vec<ChatChunk>, AttemptError>;

    /// The events ran out before a `Finish`: the closing chunk, or why the
    /// stream counts as broken.
    fn on_end(&mut self) -> Result<ChatChunk, AttemptError>;
}

struct Decoding<D> {
    events: SseEvents,
    decoder: D,
    pending: VecDeque<ChatChunk>,
    finished: bool,
}

/// A chat stream of `events`: deltas, then exactly one `Finish` or one error.
pub(crate) fn decode_chat_stream<D: StreamDecoder>(events: SseEvents, decoder: D) -> ChatStream {
    let state = Decoding {
        events,
        decoder,
        pending: VecDeque::new(),
        finished: false,
    };
    Box::pin(futures_util::stream::unfold(
        state,
        |mut state| async move {
            loop {
                if let Some(chunk) = state.pending.pop_front() {
                    if matches!(chunk, ChatChunk::Finish { .. }) {
                        state.pending.clear();
                        state.finished = true;
                    }
                    return Some((Ok(chunk), state));
                }
                if state.finished {
                    return None;
                }
                match state.events.next().await {
                    Some(Ok(event)) => match state.decoder.on_event(&event) {
                        Ok(chunks) => state.pending.extend(chunks),
                        Err(err) => {
                            state.finished = true;
                            return Some((Err(err), state));
                        }
                    },
                    Some(Err(err)) => {
                        state.finished = true;
                        return Some((Err(err), state));
                    }
                    None => {
                        state.finished = true;
                        let last = state.decoder.on_end();
                        return Some((last, state));
                    }
                }
            }
        },
    ))
}

/// Test help: decode canned events with `decoder`.
#[cfg(test)]
pub(crate) async fn decode_all<D: StreamDecoder>(
    events: Vec<Result<SseEvent, AttemptError>>,
    decoder: D,
) -> Vec<Result<ChatChunk, AttemptError>> {
    let events: SseEvents = Box::pin(futures_util::stream::iter(events));
    decode_chat_stream(events, decoder).collect().await
}

/// Test help: an event with only data.
#[cfg(test)]
pub(crate) fn data(data: &str) -> Result<SseEvent, AttemptError> {
    Ok(SseEvent {
        event: String::new(),
        data: data.to_owned(),
    })
}
