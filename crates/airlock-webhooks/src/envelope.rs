//! Turning one event into the outbox rows that announce it: one
//! [`DeliveryRecord`] per endpoint subscribed to the event and the
//! workflow, all sharing one [`EventId`] and one JSON envelope
//! `{"id", "type", "created_at", "workflow", "data"}`.

use airlock_config::WebhookSettings;
use airlock_core::{DeliveryId, DeliveryRecord, DeliveryStatus, EventId, EventType, Timestamp};
use serde_json::{json, Value};

/// Whether `endpoint` wants `event` of `workflow`. Empty lists mean every
/// event / every workflow.
pub fn is_subscribed(endpoint: &WebhookSettings, event: EventType, workflow: &str) -> bool {
    (endpoint.events.is_empty() || endpoint.events.contains(&event))
        && (endpoint.workflows.is_empty() || endpoint.workflows.iter().any(|w| w == workflow))
}

/// The body every receiver of one event gets.
pub fn envelope(
    event_id: EventId,
    event: EventType,
    workflow: &str,
    data: Value,
    now: Timestamp,
) -> Value {
    json!({
        "id": event_id,
        "type": event,
        "created_at": now,
        "workflow": workflow,
        "data": data,
    })
}

/// The pending deliveries announcing `event` of `workflow` with `data`
/// (e.g. the review task) to every subscribed endpoint, due at `now`.
/// Empty when no endpoint wants it; the caller stores them in the same
/// transaction as the change they announce.
pub fn deliveries_for(
    event: EventType,
    workflow: &str,
    data: Value,
    endpoints: &[WebhookSettings],
    now: Timestamp,
) -> Vec<DeliveryRecord> {
    let subscribed: Vec<&WebhookSettings> = endpoints
        .iter()
        .filter(|e| is_subscribed(e, event, workflow))
        .collect();
    if subscribed.is_empty() {
        return Vec::new();
    }
    let event_id = EventId::new();
    let payload = envelope(event_id, event, workflow, data, now);
    subscribed
        .into_iter()
        .map(|endpoint| DeliveryRecord {
            id: DeliveryId::new(),
            event_id,
            event,
            endpoint: endpoint.name.clone(),
            url: endpoint.url.clone(),
            payload: payload.clone(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            delivered_at: None,
            last_error: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(name: &str, events: &[EventType], workflows: &[&str]) -> WebhookSettings {
        WebhookSettings {
            name: name.into(),
            url: format!("http://127.0.0.1:9/{name}"),
            secret: "0123456789abcdef".into(),
            events: events.to_vec(),
            workflows: workflows.iter().map(|w| w.to_string()).collect(),
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_unix_ms(1_714_566_896_789).expect("in range")
    }

    #[test]
    fn one_delivery_per_subscribed_endpoint_sharing_one_event() {
        let endpoints = [
            endpoint("all", EventType::ALL, &[]),
            endpoint("resolved-only", &[EventType::ReviewResolved], &[]),
            endpoint("other-workflow", EventType::ALL, &["billing"]),
            endpoint("triage", &[EventType::ReviewResolved], &["support-triage"]),
        ];
        let data = json!({"review_id": "r1"});
        let deliveries = deliveries_for(
            EventType::ReviewResolved,
            "support-triage",
            data.clone(),
            &endpoints,
            now(),
        );
        let names: Vec<&str> = deliveries.iter().map(|d| d.endpoint.as_str()).collect();
        assert_eq!(names, ["all", "resolved-only", "triage"]);
        let event_id = deliveries[0].event_id;
        for d in &deliveries {
            assert_eq!(d.event_id, event_id);
            assert_eq!(d.event, EventType::ReviewResolved);
            assert_eq!(d.status, DeliveryStatus::Pending);
            assert_eq!(d.attempts, 0);
            assert_eq!(d.next_attempt_at, now());
            assert_eq!(d.created_at, now());
            assert_eq!(d.url, format!("http://127.0.0.1:9/{}", d.endpoint));
            assert_eq!(
                d.payload,
                json!({
                    "id": event_id.to_string(),
                    "type": "review.resolved",
                    "created_at": "2024-05-01T12:34:56.789Z",
                    "workflow": "support-triage",
                    "data": data,
                })
            );
        }
        assert_ne!(deliveries[0].id, deliveries[1].id);
    }

    #[test]
    fn unsubscribed_events_make_no_deliveries() {
        let endpoints = [endpoint("resolved-only", &[EventType::ReviewResolved], &[])];
        let created = deliveries_for(
            EventType::ReviewCreated,
            "w",
            Value::Null,
            &endpoints,
            now(),
        );
        assert!(created.is_empty());
        assert!(deliveries_for(EventType::ReviewCreated, "w", Value::Null, &[], now()).is_empty());
    }

    #[test]
    fn empty_lists_mean_everything() {
        let endpoint = endpoint("e", &[], &[]);
        for event in EventType::ALL {
            assert!(is_subscribed(&endpoint, *event, "any"));
        }
    }
}
