//! `GET /v1/webhooks/deliveries` parameters.

use airlock_core::{DeliveryStatus, EventType, Result};
use airlock_store::DeliveryFilter;
use utoipa::IntoParams;

use super::{checked, parse_limit, parse_word};
use crate::dto::{DeliveryStatusView, EventTypeView};

/// Which deliveries to list, newest first.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListDeliveriesParams {
    /// Only deliveries in this state.
    #[param(value_type = Option<DeliveryStatusView>)]
    pub status: Option<DeliveryStatus>,
    /// Only deliveries of this event.
    #[param(value_type = Option<EventTypeView>)]
    pub event: Option<EventType>,
    /// Only deliveries to this endpoint (its name in `[[webhooks]]`).
    pub endpoint: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page, unchanged.
    pub cursor: Option<String>,
}

impl ListDeliveriesParams {
    pub const NAMES: &'static [&'static str] = &["status", "event", "endpoint", "limit", "cursor"];

    pub fn parse(pairs: Vec<(String, String)>) -> Result<Self> {
        let mut params = ListDeliveriesParams::default();
        for (name, value) in checked(pairs, Self::NAMES)? {
            match name.as_str() {
                "status" => params.status = Some(parse_word(&value)?),
                "event" => params.event = Some(parse_word(&value)?),
                "endpoint" => params.endpoint = Some(value),
                "limit" => params.limit = Some(parse_limit(&value)?),
                _ => params.cursor = Some(value),
            }
        }
        Ok(params)
    }

    pub fn into_filter(self) -> DeliveryFilter {
        DeliveryFilter {
            status: self.status,
            event: self.event,
            endpoint: self.endpoint,
            limit: self.limit,
            cursor: self.cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::pairs;

    #[test]
    fn every_parameter_lands_in_the_filter() {
        let filter = ListDeliveriesParams::parse(pairs(&[
            ("status", "failed"),
            ("event", "review.resolved"),
            ("endpoint", "crm"),
            ("limit", "3"),
            ("cursor", "c"),
        ]))
        .expect("valid")
        .into_filter();
        assert_eq!(filter.status, Some(DeliveryStatus::Failed));
        assert_eq!(filter.event, Some(EventType::ReviewResolved));
        assert_eq!(filter.endpoint.as_deref(), Some("crm"));
        assert_eq!(
            (filter.limit, filter.cursor.as_deref()),
            (Some(3), Some("c"))
        );
    }

    #[test]
    fn each_bad_value_names_its_parameter() {
        for (name, value) in [
            ("status", "sent"),
            ("event", "review.deleted"),
            ("limit", "x"),
            ("workflow", "w"),
        ] {
            let err = ListDeliveriesParams::parse(pairs(&[(name, value)])).expect_err(value);
            assert_eq!(err.field(), Some(name), "{name}={value}: {err}");
        }
    }
}
