//! Webhook deliveries (the outbox) and their attempts as the API shows them.

use airlock_core::{DeliveryAttempt, DeliveryRecord};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::words::{DeliveryStatusView, EventTypeView};

/// One event to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    #[schema(example = "01J9ZQ3V6T8K2M4N5P7R9S1T3V")]
    pub delivery_id: String,
    /// Shared by the deliveries of one event to several endpoints; sent as
    /// `Airlock-Event-Id`.
    pub event_id: String,
    pub event: EventTypeView,
    /// The endpoint's name in `[[webhooks]]`.
    pub endpoint: String,
    pub url: String,
    /// The JSON body sent (signed at send time).
    pub payload: Value,
    pub status: DeliveryStatusView,
    /// Attempts made so far.
    pub attempt_count: u32,
    /// When the next attempt is due (pending deliveries).
    #[schema(format = DateTime)]
    pub next_attempt_at: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(required = true, format = DateTime)]
    pub delivered_at: Option<String>,
    /// Why the last attempt failed.
    #[schema(required = true)]
    pub last_error: Option<String>,
}

/// One try at delivering.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first try.
    pub attempt: u32,
    #[schema(format = DateTime)]
    pub started_at: String,
    pub duration_ms: u64,
    /// The receiver's HTTP status, if it answered.
    #[schema(required = true)]
    pub status_code: Option<u16>,
    /// Why it failed (connection error, timeout, non-2xx).
    #[schema(required = true)]
    pub error: Option<String>,
}

/// `GET /v1/webhooks/deliveries/{id}`: the delivery and every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetailView {
    #[serde(flatten)]
    pub delivery: DeliveryView,
    /// Oldest first.
    pub attempts: Vec<AttemptView>,
}

/// One page of deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

impl From<DeliveryRecord> for DeliveryView {
    fn from(d: DeliveryRecord) -> Self {
        DeliveryView {
            delivery_id: d.id.to_string(),
            event_id: d.event_id.to_string(),
            event: d.event.into(),
            endpoint: d.endpoint,
            url: d.url,
            payload: d.payload,
            status: d.status.into(),
            attempt_count: d.attempts,
            next_attempt_at: d.next_attempt_at.to_string(),
            created_at: d.created_at.to_string(),
            delivered_at: d.delivered_at.map(|t| t.to_string()),
            last_error: d.last_error,
        }
    }
}

impl From<DeliveryAttempt> for AttemptView {
    fn from(a: DeliveryAttempt) -> Self {
        AttemptView {
            attempt: a.attempt,
            started_at: a.started_at.to_string(),
            duration_ms: a.duration_ms,
            status_code: a.status_code,
            error: a.error,
        }
    }
}

impl From<airlock_store::Page<DeliveryRecord>> for DeliveryPage {
    fn from(page: airlock_store::Page<DeliveryRecord>) -> Self {
        DeliveryPage {
            items: page.items.into_iter().map(DeliveryView::from).collect(),
            next_cursor: page.next_cursor,
        }
    }
}
