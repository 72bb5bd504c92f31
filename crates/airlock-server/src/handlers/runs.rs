//! Runs: start one (`POST /v1/workflows/{name}/runs`), read one, list them.

use airlock_core::{Error, RunId, Timestamp};
use airlock_engine::{RunOutcome, RunRequest};
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::{ErrorResponse, RunPage, RunView, StoredRunView};
use crate::extract::{parse_path_id, JsonBody, PathParam, QueryPairs};
use crate::query::ListRunsParams;
use crate::state::AppState;

/// Request header making a run idempotent.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Response header set to `true` when the answer is an earlier run.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Runs a workflow on the request body and answers once the run is committed.
///
/// A run whose step failed is still `200`: its `status` is `failed`, its
/// decision `block` and its rule `run-failed`. An input that fails the
/// workflow's input contract is `400 invalid_input` naming the first bad
/// field (a JSON Pointer), with `run_id` and `decision` in the error
/// object: the run was recorded and the input quarantined.
#[utoipa::path(
    post,
    path = "/v1/workflows/{name}/runs",
    tag = "runs",
    params(
        ("name" = String, Path, description = "The workflow to run"),
        ("Idempotency-Key" = Option<String>, Header,
            description = "Makes retries safe: the same key (per workflow) with the same body answers the first run (`replayed: true`) instead of running again; with a different body it is `409 conflict`. Printable ASCII, at most 255 bytes."),
    ),
    request_body(content = serde_json::Value, content_type = "application/json",
        description = "The workflow's input: any JSON value; the workflow's input schema decides what is valid"),
    responses(
        (status = 200, description = "The run, committed (also when `status` is `failed`)", body = RunView,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is an earlier run answered again for a repeated Idempotency-Key"),
                    ("Location" = String, description = "The run's URL"))),
        (status = 400, description = "Malformed JSON, a bad Idempotency-Key, or an input that fails the input contract (then with `run_id` and `decision`)", body = ErrorResponse),
        (status = 404, description = "No such workflow", body = ErrorResponse),
        (status = 409, description = "The Idempotency-Key was used with a different body", body = ErrorResponse),
        (status = 413, description = "The body is over the server's limit", body = ErrorResponse),
        (status = 415, description = "The body is not sent as `application/json`", body = ErrorResponse),
        (status = 500, description = "The run could not be recorded", body = ErrorResponse),
        (status = 504, description = "The request took longer than the server's timeout", body = ErrorResponse),
    )
)]
pub async fn create_run(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(name): PathParam,
    headers: HeaderMap,
    JsonBody(input): JsonBody,
) -> Result<Response, ApiError> {
    authorize::workflow(&state, &caller, Action::Run, &name).await?;
    let idempotency_key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => Some(value.to_str().map(str::to_string).map_err(|_| {
            Error::invalid_input("Idempotency-Key must be printable ASCII")
                .with_field("Idempotency-Key")
                .with_hint("send a unique token per logical request, e.g. a UUID")
        })?),
    };
    let request = RunRequest {
        workflow: name,
        input,
        idempotency_key,
        key_id: Some(caller.principal.key_id.clone()),
    };
    // The run executes in its own task so that a client hanging up or the
    // request timing out does not cut it short: it still completes and is
    // recorded, and a retry with the same key finds it.
    let engine = state.engine.clone();
    let outcome = tokio::spawn(async move { engine.run(request).await })
        .await
        .map_err(|e| Error::internal(format!("the run task stopped: {e}")))??;
    Ok(run_response(outcome))
}

fn run_response(outcome: RunOutcome) -> Response {
    let mut headers = HeaderMap::new();
    if outcome.replayed {
        headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/runs/{}", outcome.run.id)) {
        headers.insert(LOCATION, location);
    }
    if let Some(error) = outcome.input_error() {
        let rejected = ApiError::from(error)
            .with_extra("run_id", outcome.run.id.to_string())
            .with_extra("decision", outcome.run.decision.as_str());
        return (headers, rejected).into_response();
    }
    let body = RunView::new(outcome.run, outcome.replayed);
    (headers, Json(body)).into_response()
}

/// One stored run, with its input, its review (if it went to review), the
/// final output and who decided it. Payloads are shown redacted, as
/// stored; `?view=raw` shows the unredacted payload the workflow kept, to
/// callers allowed to read raw data (`read_raw`).
#[utoipa::path(
    get,
    path = "/v1/runs/{id}",
    tag = "runs",
    params(("id" = String, Path, description = "The run id (a ULID)"),
           ("view" = Option<String>, Query, description = "`redacted` (default) or `raw`")),
    responses(
        (status = 200, description = "The run", body = StoredRunView),
        (status = 400, description = "`id` is not a ULID, or a bad `view`", body = ErrorResponse),
        (status = 401, description = "No valid API key", body = ErrorResponse),
        (status = 403, description = "The key may not read this workflow's runs (or raw payloads)", body = ErrorResponse),
        (status = 404, description = "No run with this id, or (for `view=raw`) no raw payload kept", body = ErrorResponse),
    )
)]
pub async fn get_run(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<StoredRunView>, ApiError> {
    let id: RunId = parse_path_id(&id, "run")?;
    let raw = crate::query::parse_view(pairs)?;
    let (run, review) = state.engine.get_run_with_review(id).await?;
    authorize::workflow(&state, &caller, Action::ReadRun, &run.workflow).await?;
    let run = if raw {
        authorize::workflow(&state, &caller, Action::ReadRaw, &run.workflow).await?;
        let payload = state.engine.get_raw_payload(id).await?.ok_or_else(|| {
            Error::not_found(format!(
                "run {id} has no raw payload (its workflow does not keep one, or it was purged)"
            ))
            .with_field("view")
        })?;
        airlock_engine::with_raw_payload(run, &payload)
    } else {
        run
    };
    Ok(Json(StoredRunView::new(run, review, Timestamp::now())))
}

/// Stored runs, newest first, one page at a time.
#[utoipa::path(
    get,
    path = "/v1/runs",
    tag = "runs",
    params(ListRunsParams),
    responses(
        (status = 200, description = "One page of runs", body = RunPage),
        (status = 400, description = "An unknown, repeated or empty parameter, or a bad value; `field` names it", body = ErrorResponse),
    )
)]
pub async fn list_runs(
    State(state): State<AppState>,
    caller: Caller,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<RunPage>, ApiError> {
    let mut filter = ListRunsParams::parse(pairs)?.into_filter();
    filter.workflows =
        authorize::scope(&state, &caller, Action::ReadRun, filter.workflow.as_deref()).await?;
    let page = state.engine.list_runs(&filter).await?;
    Ok(Json(RunPage::from(page)))
}
