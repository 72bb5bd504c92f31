//! The webhook outbox: every delivery with its status, and every attempt
//! made to deliver one.

use airlock_core::{DeliveryId, Error};
use airlock_store::OutboxStore;
use axum::extract::State;
use axum::Json;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::{AttemptView, DeliveryDetailView, DeliveryPage, DeliveryView, ErrorResponse};
use crate::extract::{parse_path_id, PathParam, QueryPairs};
use crate::query::ListDeliveriesParams;
use crate::state::AppState;

/// Webhook deliveries, newest first, one page at a time.
#[utoipa::path(
    get,
    path = "/v1/webhooks/deliveries",
    tag = "webhooks",
    params(ListDeliveriesParams),
    responses(
        (status = 200, description = "One page of deliveries", body = DeliveryPage),
        (status = 400, description = "An unknown, repeated or empty parameter, or a bad value; `field` names it", body = ErrorResponse),
    )
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<DeliveryPage>, ApiError> {
    authorize::service(&state, &caller, Action::ReadDeliveries).await?;
    let filter = ListDeliveriesParams::parse(pairs)?.into_filter();
    let page = state.engine.store().list_deliveries(&filter).await?;
    Ok(Json(DeliveryPage::from(page)))
}

/// One delivery with every attempt (status code, error, duration).
#[utoipa::path(
    get,
    path = "/v1/webhooks/deliveries/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The delivery id (a ULID)")),
    responses(
        (status = 200, description = "The delivery and its attempts", body = DeliveryDetailView),
        (status = 400, description = "`id` is not a ULID", body = ErrorResponse),
        (status = 404, description = "No delivery with this id", body = ErrorResponse),
    )
)]
pub async fn get_delivery(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
) -> Result<Json<DeliveryDetailView>, ApiError> {
    authorize::service(&state, &caller, Action::ReadDeliveries).await?;
    let id: DeliveryId = parse_path_id(&id, "delivery")?;
    let store = state.engine.store();
    let delivery = store.get_delivery(id).await?.ok_or_else(|| {
        Error::not_found(format!("no webhook delivery with id {id}")).with_field("id")
    })?;
    let attempts = store.list_attempts(id).await?;
    Ok(Json(DeliveryDetailView {
        delivery: DeliveryView::from(delivery),
        attempts: attempts.into_iter().map(AttemptView::from).collect(),
    }))
}
