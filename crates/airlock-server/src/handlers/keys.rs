//! API keys: create one (the key is in the answer, once), list them,
//! revoke one (effective on the very next request). Admins only, except
//! listing (`read_keys`: auditors too).

use std::collections::BTreeSet;

use airlock_core::{Error, Role, Timestamp, WorkflowGrant};
use airlock_engine::KeySpec;
use airlock_policy::authz::Action;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::body::BodyObject;
use crate::dto::{CreateKeyBody, CreatedKeyView, ErrorResponse, KeyList, KeyView};
use crate::extract::{JsonBody, PathParam};
use crate::state::AppState;

/// Creates a key. The answer holds the whole key once; Airlock stores
/// only its SHA-256.
#[utoipa::path(
    post,
    path = "/v1/keys",
    tag = "keys",
    request_body(content = CreateKeyBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The key (shown this once) and its metadata", body = CreatedKeyView),
        (status = 400, description = "A malformed body, unknown role or workflow, or an expiry not in the future; `field` names it", body = ErrorResponse),
        (status = 401, description = "No valid API key", body = ErrorResponse),
        (status = 403, description = "Only admins manage keys", body = ErrorResponse),
    )
)]
pub async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    authorize::service(&state, &caller, Action::ManageKeys).await?;
    let body = BodyObject::new(body, &["name", "role", "workflows", "expires_at"])?;
    let spec = KeySpec {
        name: body.required_text("name")?,
        role: body.required_text("role")?.parse::<Role>()?,
        workflows: grant(body.value("workflows"))?,
        expires_at: body
            .text("expires_at")?
            .map(|t| Timestamp::parse_rfc3339(&t).map_err(|e| e.with_field("expires_at")))
            .transpose()?,
    };
    let issued = state
        .engine
        .create_key(Some(&caller.principal), spec)
        .await?;
    let view = CreatedKeyView {
        key: issued.key,
        record: KeyView::new(issued.record, Timestamp::now()),
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Every key's metadata, newest first (never a key or its hash).
#[utoipa::path(
    get,
    path = "/v1/keys",
    tag = "keys",
    responses(
        (status = 200, description = "The keys", body = KeyList),
        (status = 401, description = "No valid API key", body = ErrorResponse),
        (status = 403, description = "The key may not list keys", body = ErrorResponse),
    )
)]
pub async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<KeyList>, ApiError> {
    authorize::service(&state, &caller, Action::ReadKeys).await?;
    let now = Timestamp::now();
    let items = state
        .engine
        .list_keys()
        .await?
        .into_iter()
        .map(|k| KeyView::new(k, now))
        .collect();
    Ok(Json(KeyList { items }))
}

/// Revokes a key: the next request with it is `401`.
#[utoipa::path(
    post,
    path = "/v1/keys/{id}/revoke",
    tag = "keys",
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 200, description = "The key, revoked", body = KeyView),
        (status = 401, description = "No valid API key", body = ErrorResponse),
        (status = 403, description = "Only admins manage keys", body = ErrorResponse),
        (status = 404, description = "No key with this id", body = ErrorResponse),
        (status = 409, description = "The key was already revoked", body = ErrorResponse),
    )
)]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
) -> Result<Json<KeyView>, ApiError> {
    authorize::service(&state, &caller, Action::ManageKeys).await?;
    let key = state
        .engine
        .revoke_key(Some(&caller.principal), &id)
        .await?;
    Ok(Json(KeyView::new(key, Timestamp::now())))
}

/// `workflows`: absent or null for every workflow, else an array of names.
fn grant(value: Option<Value>) -> Result<WorkflowGrant, Error> {
    match value {
        None | Some(Value::Null) => Ok(WorkflowGrant::All),
        Some(Value::Array(items)) => {
            let mut names = BTreeSet::new();
            for item in items {
                match item {
                    Value::String(name) if !name.trim().is_empty() => {
                        names.insert(name);
                    }
                    _ => {
                        return Err(Error::invalid_input(
                            "`workflows` must list workflow names (non-empty strings)",
                        )
                        .with_field("workflows"))
                    }
                }
            }
            if names.is_empty() {
                return Err(Error::invalid_input(
                    "`workflows` is empty: leave it out for every workflow, or name some",
                )
                .with_field("workflows"));
            }
            Ok(WorkflowGrant::Only(names))
        }
        Some(_) => Err(
            Error::invalid_input("`workflows` must be an array of workflow names")
                .with_field("workflows"),
        ),
    }
}
