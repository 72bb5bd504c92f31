//! Feedback from downstream systems about a run: record one report
//! (idempotent by the client's key) and list a run's reports.

use airlock_core::RunId;
use airlock_engine::FeedbackRequest;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::body::BodyObject;
use crate::dto::{ErrorResponse, FeedbackPage, FeedbackRequestBody, FeedbackView};
use crate::extract::{parse_path_id, JsonBody, PathParam, QueryPairs};
use crate::handlers::runs::IDEMPOTENT_REPLAYED;
use crate::query::ListFeedbackParams;
use crate::state::AppState;

/// Records what a downstream system learned about the run: the true
/// label, a score or an outcome. Idempotent by `key`: the same key with
/// the same body answers the stored record again.
#[utoipa::path(
    post,
    path = "/v1/runs/{id}/feedback",
    tag = "feedback",
    params(("id" = String, Path, description = "The run id (a ULID)")),
    request_body(content = FeedbackRequestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", body = FeedbackView,
            headers(("Location" = String, description = "The run's feedback list"))),
        (status = 200, description = "The record stored earlier under this key, unchanged (`replayed: true`)", body = FeedbackView,
            headers(("Idempotent-Replayed" = String, description = "`true`"))),
        (status = 400, description = "A malformed body or id, a bad key, or none of label/score/outcome; `field` names it", body = ErrorResponse),
        (status = 404, description = "No run with this id", body = ErrorResponse),
        (status = 409, description = "The key was used for this run with a different body", body = ErrorResponse),
        (status = 415, description = "The body is not sent as `application/json`", body = ErrorResponse),
    )
)]
pub async fn add_feedback(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let run_id: RunId = parse_path_id(&id, "run")?;
    let run = state.engine.get_run(run_id).await?;
    authorize::workflow(&state, &caller, Action::AddFeedback, &run.workflow).await?;
    let body = BodyObject::new(body, &["key", "label", "score", "outcome", "comment"])?;
    let request = FeedbackRequest {
        key: body.required_text("key")?,
        label: body.text("label")?,
        score: body.number("score")?,
        outcome: body.text("outcome")?,
        comment: body.text("comment")?,
    };
    let (record, replayed) = state.engine.add_feedback(run_id, request).await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/runs/{run_id}/feedback")) {
        headers.insert(LOCATION, location);
    }
    let status = if replayed {
        headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, headers, Json(FeedbackView::new(record, replayed))).into_response())
}

/// The run's feedback, newest first.
#[utoipa::path(
    get,
    path = "/v1/runs/{id}/feedback",
    tag = "feedback",
    params(("id" = String, Path, description = "The run id (a ULID)"), ListFeedbackParams),
    responses(
        (status = 200, description = "One page of feedback", body = FeedbackPage),
        (status = 400, description = "A bad id or parameter; `field` names it", body = ErrorResponse),
        (status = 404, description = "No run with this id", body = ErrorResponse),
    )
)]
pub async fn list_feedback(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<FeedbackPage>, ApiError> {
    let run_id: RunId = parse_path_id(&id, "run")?;
    let filter = ListFeedbackParams::parse(pairs)?.into_filter(run_id);
    // An unknown run is a 404, not an empty list.
    let run = state.engine.get_run(run_id).await?;
    authorize::workflow(&state, &caller, Action::ReadRun, &run.workflow).await?;
    let page = state.engine.list_feedback(&filter).await?;
    Ok(Json(FeedbackPage::from(page)))
}
