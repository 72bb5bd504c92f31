//! Server-sent events off a response body, parsed by `eventsource-stream`,
//! with the first-token timeout on the first event and transport errors
//! turned into `StreamBroken`.

use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::Eventsource;
use futures_util::{Stream, StreamExt};

use crate::attempt::{AttemptError, FailureKind};

/// One event: its `event:` name (empty when none) and its joined `data:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    pub event: String,
    pub data: String,
}

/// Parsed events, or the error that ended them.
pub(crate) type SseEvents = Pin<Box<dyn Stream<Item = Result<SseEvent, AttemptError>> + Send>>;

/// The events of a streaming response.
pub(crate) fn response_events(
    response: reqwest::Response,
    first_token_timeout: Duration,
) -> SseEvents {
    events_from_bytes(response.bytes_stream(), first_token_timeout)
}

/// The events of any byte stream; the first must come within
/// `first_token_timeout`, else the stream yields `FirstTokenTimeout`.
pub(crate) fn events_from_bytes<S, B, E>(bytes: S, first_token_timeout: Duration) -> SseEvents
where
    S: Stream<Item = Result<B, E>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let parsed = bytes.eventsource().map(|item| {
        item.map(|event| SseEvent {
            event: event.event,
            data: event.data,
        })
        .map_err(|err| {
            AttemptError::new(
                FailureKind::StreamBroken,
                format!("event stream broke: {err}"),
            )
        })
    });
    let state = (Box::pin(parsed), true);
    Box::pin(futures_util::stream::unfold(
        state,
        move |(mut parsed, first)| async move {
            let item = if first {
                match tokio::time::timeout(first_token_timeout, parsed.next()).await {
                    Ok(item) => item,
                    Err(_) => Some(Err(AttemptError::new(
                        FailureKind::FirstTokenTimeout,
                        format!(
                            "no first event within {} ms",
                            first_token_timeout.as_millis()
                        ),
                    ))),
                }
            } else {
                parsed.next().await
            };
            item.map(|item| (item, (parsed, false)))
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(pieces: Vec<&'static str>) -> Vec<Result<SseEvent, AttemptError>> {
        let bytes = futures_util::stream::iter(
            pieces
                .into_iter()
                .map(|p| Ok::<_, std::io::Error>(p.as_bytes().to_vec())),
        );
        events_from_bytes(bytes, Duration::from_secs(5))
            .collect()
            .await
    }

    #[tokio::test]
    async fn events_split_across_chunks() {
        let events = collect(vec![
            "data: {\"a\":",
            "1}\n\nevent: message_stop\nda",
            "ta: {}\n\n: comment\n\ndata: [DONE]\n\n",
        ])
        .await;
        let events: Vec<SseEvent> = events.into_iter().map(Result::unwrap).collect();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].data, "{\"a\":1}");
        assert_eq!(events[1].event, "message_stop");
        assert_eq!(events[2].data, "[DONE]");
    }

    #[tokio::test]
    async fn transport_error_is_stream_broken() {
        let bytes = futures_util::stream::iter(vec![
            Ok(b"data: x\n\n".to_vec()),
            Err(std::io::Error::other("reset")),
        ]);
        let items: Vec<_> = events_from_bytes(bytes, Duration::from_secs(5))
            .collect()
            .await;
        assert!(items[0].is_ok());
        assert_eq!(
            items[1].as_ref().unwrap_err().kind,
            FailureKind::StreamBroken
        );
    }

    #[tokio::test(start_paused = true)]
    async fn first_event_must_come_in_time() {
        let bytes = futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>();
        let mut events = events_from_bytes(bytes, Duration::from_millis(100));
        let first = events.next().await.unwrap();
        assert_eq!(first.unwrap_err().kind, FailureKind::FirstTokenTimeout);
    }
}
