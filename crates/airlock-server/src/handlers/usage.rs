//! `GET /v1/usage`: what model calls cost, summed per workflow or per API
//! key by the database.

use airlock_policy::authz::Action;
use airlock_store::UsageStore;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::ErrorResponse;
use crate::extract::QueryPairs;
use crate::query::UsageParams;
use crate::state::AppState;

/// Model cost per workflow or per key.
#[utoipa::path(
    get,
    path = "/v1/usage",
    tag = "models",
    params(UsageParams),
    responses(
        (status = 200, description = "`{\"group\", \"items\": [{\"name\", \"runs\", \"cost_usd\", \"cost_micro_usd\"}]}`, most expensive first", body = serde_json::Value),
        (status = 400, description = "A bad or unknown parameter", body = ErrorResponse),
        (status = 403, description = "The key may not read usage", body = ErrorResponse),
    )
)]
pub async fn usage(
    State(state): State<AppState>,
    caller: Caller,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, ApiError> {
    authorize::service(&state, &caller, Action::ReadUsage).await?;
    let params = UsageParams::parse(pairs)?;
    let rows = state
        .engine
        .store()
        .usage(params.group, params.since)
        .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "name": row.name,
                "runs": row.runs,
                "cost_micro_usd": row.cost_micro_usd,
                "cost_usd": row.cost_micro_usd as f64 / 1e6,
            })
        })
        .collect();
    let group = match params.group {
        airlock_store::UsageGroup::Workflow => "workflow",
        airlock_store::UsageGroup::Key => "key",
    };
    Ok(Json(json!({"group": group, "items": items})))
}
