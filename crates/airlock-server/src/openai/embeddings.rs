//! `POST /v1/embeddings` (OpenAI-compatible): one vector per input, in
//! order, as floats (or base64 little-endian `f32` with
//! `encoding_format: "base64"`, which the OpenAI Python SDK asks for).

use airlock_engine::gateway::EmbedCall;
use airlock_policy::authz::Action;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};

use super::chat::set_call_headers;
use super::wire::{self, EmbeddingsBody, InputBody};
use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::state::AppState;

/// Most inputs in one request.
const MAX_INPUTS: usize = 2048;

/// Embeddings (OpenAI-compatible).
#[utoipa::path(
    post,
    path = "/v1/embeddings",
    tag = "models",
    request_body(content = serde_json::Value, description = "An OpenAI embeddings request: model (an embedding route), input (a string or an array of strings), encoding_format"),
    responses(
        (status = 200, description = "One embedding per input", body = serde_json::Value),
        (status = 400, description = "Malformed request (OpenAI error shape)", body = serde_json::Value),
        (status = 401, description = "No valid API key", body = serde_json::Value),
        (status = 404, description = "Unknown model", body = serde_json::Value),
        (status = 429, description = "A budget is spent", body = serde_json::Value),
        (status = 503, description = "Every provider of the route failed", body = serde_json::Value),
    )
)]
pub async fn embeddings(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize::service(&state, &caller, Action::CallModels).await?;
    let body: EmbeddingsBody = super::parse_body(&headers, &body)?;
    let route = wire::model(&body.model)?;
    let input = match body.input {
        Some(InputBody::One(text)) => vec![text],
        Some(InputBody::Many(texts)) => texts,
        None => {
            return Err(airlock_core::Error::invalid_input("`input` is required")
                .with_field("input")
                .into())
        }
    };
    if input.is_empty() || input.len() > MAX_INPUTS {
        return Err(airlock_core::Error::invalid_input(format!(
            "`input` holds {} texts: send 1 to {MAX_INPUTS}",
            input.len()
        ))
        .with_field("input")
        .into());
    }
    let base64 = match body.encoding_format.as_deref() {
        None | Some("float") => false,
        Some("base64") => true,
        Some(other) => {
            return Err(airlock_core::Error::invalid_input(format!(
                "encoding_format = {other:?}: must be \"float\" or \"base64\""
            ))
            .with_field("encoding_format")
            .into())
        }
    };
    let call = EmbedCall {
        route,
        input,
        data_class: super::data_class(&headers)?,
    };
    let engine = state.engine.clone();
    let principal = caller.principal.clone();
    let answer = super::finish_on_drop(async move { engine.embed(&principal, call).await }).await?;
    let data: Vec<Value> = answer
        .vectors
        .iter()
        .enumerate()
        .map(|(index, vector)| {
            let embedding = if base64 {
                let bytes: Vec<u8> = vector.iter().flat_map(|f| f.to_le_bytes()).collect();
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                json!(vector)
            };
            json!({"object": "embedding", "index": index, "embedding": embedding})
        })
        .collect();
    let body = json!({
        "object": "list",
        "data": data,
        "model": answer.route,
        "usage": {
            "prompt_tokens": answer.usage.prompt_tokens,
            "total_tokens": answer.usage.prompt_tokens,
        },
    });
    let mut response = Json(body).into_response();
    set_call_headers(
        &mut response,
        &answer.run_id.to_string(),
        &answer.provider,
        Some(answer.cost_micro_usd),
    );
    Ok(response)
}
