//! The mock's whole HTTP surface: both provider APIs, the admin API, and a
//! counted 404 (OpenAI-shaped) for everything else.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::api_error::Api;
use crate::state::MockState;
use crate::stats::ApiPath;
use crate::{admin, anthropic, openai};

pub(crate) fn router(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(openai::chat_completions))
        .route("/v1/embeddings", post(openai::embeddings))
        .route("/v1/models", get(openai::list_models))
        .route("/v1/messages", post(anthropic::messages))
        .merge(admin::routes())
        .fallback(not_found)
        .with_state(state)
}

async fn not_found(State(state): State<Arc<MockState>>) -> Response {
    state.stats.record(ApiPath::Unknown, None, false, true);
    Api::OpenAi.error(StatusCode::NOT_FOUND, "Unknown path")
}
