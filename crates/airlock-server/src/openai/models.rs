//! `GET /v1/models` (OpenAI-compatible): the configured routes, the model
//! names clients may ask for.

use airlock_policy::authz::Action;
use airlock_providers::Provider;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::state::AppState;

/// The models (routes) the caller may call.
#[utoipa::path(
    get,
    path = "/v1/models",
    tag = "models",
    responses(
        (status = 200, description = "A list object of model objects", body = serde_json::Value),
        (status = 401, description = "No valid API key", body = serde_json::Value),
        (status = 403, description = "The key may not call models", body = serde_json::Value),
    )
)]
pub async fn list_models(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    authorize::service(&state, &caller, Action::CallModels).await?;
    let data: Vec<Value> = match state.engine.gateway() {
        Ok(gateway) => gateway
            .router()
            .routes()
            .map(|route| {
                json!({
                    "id": route.name,
                    "object": "model",
                    "created": 0,
                    "owned_by": "airlock",
                    "kind": match route.kind {
                        airlock_providers::RouteKind::Chat => "chat",
                        airlock_providers::RouteKind::Embedding => "embedding",
                    },
                    "providers": route.targets.iter().map(|t| t.provider.name().to_string()).collect::<Vec<_>>(),
                })
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(Json(json!({"object": "list", "data": data})))
}
