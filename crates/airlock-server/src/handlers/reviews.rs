//! The review queue: list it, read one task with its run's context, and
//! the reviewer operations claim, release and resolve. The reviewer is the
//! caller's API key (its name); a `reviewer` in the body, if given, must be
//! that name.

use airlock_core::{ReviewAction, ReviewId, Timestamp};
use airlock_engine::ResolveRequest;
use axum::extract::State;
use axum::Json;

use airlock_policy::authz::Action;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::body::BodyObject;
use crate::dto::{
    ClaimRequest, ErrorResponse, ResolveRequestBody, ReviewDetailView, ReviewPage, ReviewView,
};
use crate::extract::{parse_path_id, JsonBody, PathParam, QueryPairs};
use crate::query::ListReviewsParams;
use crate::state::AppState;

/// Review tasks, oldest due first, one page at a time.
#[utoipa::path(
    get,
    path = "/v1/reviews",
    tag = "reviews",
    params(ListReviewsParams),
    responses(
        (status = 200, description = "One page of the queue", body = ReviewPage),
        (status = 400, description = "An unknown, repeated or empty parameter, or a bad value (status word, duration, cursor); `field` names it", body = ErrorResponse),
    )
)]
pub async fn list_reviews(
    State(state): State<AppState>,
    caller: Caller,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<ReviewPage>, ApiError> {
    let now = Timestamp::now();
    let mut filter = ListReviewsParams::parse(pairs)?.into_filter(now)?;
    filter.workflows = authorize::scope(
        &state,
        &caller,
        Action::ReadReview,
        filter.workflow.as_deref(),
    )
    .await?;
    let page = state.engine.list_reviews(&filter).await?;
    Ok(Json(ReviewPage::new(page, now)))
}

/// One task with everything needed to decide it: the run's input and
/// every step's output, the suggestion with its confidence and
/// alternatives, the rule and reason, claims, votes and resolution.
#[utoipa::path(
    get,
    path = "/v1/reviews/{id}",
    tag = "reviews",
    params(("id" = String, Path, description = "The review id (a ULID)")),
    responses(
        (status = 200, description = "The task", body = ReviewDetailView),
        (status = 400, description = "`id` is not a ULID", body = ErrorResponse),
        (status = 404, description = "No task with this id", body = ErrorResponse),
    )
)]
pub async fn get_review(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
) -> Result<Json<ReviewDetailView>, ApiError> {
    let id: ReviewId = parse_path_id(&id, "review")?;
    let task = state.engine.get_review(id).await?;
    authorize::workflow(&state, &caller, Action::ReadReview, &task.workflow).await?;
    let run = state.engine.get_run(task.run_id).await?;
    Ok(Json(ReviewDetailView::new(task, run, Timestamp::now())))
}

/// Claims the task for the workflow's lease (a claim by the same reviewer
/// renews it). The lease lapses by itself: an abandoned task returns to
/// the queue.
#[utoipa::path(
    post,
    path = "/v1/reviews/{id}/claim",
    tag = "reviews",
    params(("id" = String, Path, description = "The review id (a ULID)")),
    request_body(content = ClaimRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The task, claimed", body = ReviewView),
        (status = 400, description = "A malformed body (`field` names the member) or id", body = ErrorResponse),
        (status = 403, description = "The task is escalated and the reviewer is not an adjudicator", body = ErrorResponse),
        (status = 404, description = "No task with this id", body = ErrorResponse),
        (status = 409, description = "Already resolved, claimed by someone else, or already voted on by this reviewer; the message says which", body = ErrorResponse),
        (status = 415, description = "The body is not sent as `application/json`", body = ErrorResponse),
    )
)]
pub async fn claim_review(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody,
) -> Result<Json<ReviewView>, ApiError> {
    let id: ReviewId = parse_path_id(&id, "review")?;
    let body = BodyObject::new(body, &["reviewer"])?;
    let workflow = may_resolve(&state, &caller, id).await?;
    let reviewer = audited(&state, &caller, &workflow, reviewer_of(&caller, &body)).await?;
    let claimed = state.engine.claim_review(id, &reviewer).await;
    let task = audited(&state, &caller, &workflow, claimed).await?;
    Ok(Json(ReviewView::new(task, Timestamp::now())))
}

/// Gives the reviewer's claim up, so others may take the task at once.
#[utoipa::path(
    post,
    path = "/v1/reviews/{id}/release",
    tag = "reviews",
    params(("id" = String, Path, description = "The review id (a ULID)")),
    request_body(content = ClaimRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The task, released", body = ReviewView),
        (status = 400, description = "A malformed body (`field` names the member) or id", body = ErrorResponse),
        (status = 404, description = "No task with this id", body = ErrorResponse),
        (status = 409, description = "The reviewer holds no claim on the task, or it is resolved", body = ErrorResponse),
        (status = 415, description = "The body is not sent as `application/json`", body = ErrorResponse),
    )
)]
pub async fn release_review(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody,
) -> Result<Json<ReviewView>, ApiError> {
    let id: ReviewId = parse_path_id(&id, "review")?;
    let body = BodyObject::new(body, &["reviewer"])?;
    let workflow = may_resolve(&state, &caller, id).await?;
    let reviewer = audited(&state, &caller, &workflow, reviewer_of(&caller, &body)).await?;
    let task = state.engine.release_review(id, &reviewer).await?;
    Ok(Json(ReviewView::new(task, Timestamp::now())))
}

/// Decides the task: `approve` (the suggestion stands), `override` (with
/// the corrected `output`, checked against the workflow's output contract,
/// and a `reason`) or `reject` (with a `reason`). Exactly one resolution
/// per task, across server processes: a racing second reviewer gets `409`.
/// With consensus, the vote is recorded and the task resolves once enough
/// votes agree (or escalates to an adjudicator when they disagree).
#[utoipa::path(
    post,
    path = "/v1/reviews/{id}/resolve",
    tag = "reviews",
    params(("id" = String, Path, description = "The review id (a ULID)")),
    request_body(content = ResolveRequestBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The task after the vote (resolved, or still open/escalated under consensus)", body = ReviewView),
        (status = 400, description = "A malformed body, a missing reason or output, or an override output that violates the output contract; `field` names it (e.g. `output.intent`)", body = ErrorResponse),
        (status = 403, description = "The task is escalated and the reviewer is not an adjudicator", body = ErrorResponse),
        (status = 404, description = "No task with this id", body = ErrorResponse),
        (status = 409, description = "Already resolved (the message names who resolved it and when), claimed by someone else, or already voted on by this reviewer", body = ErrorResponse),
        (status = 415, description = "The body is not sent as `application/json`", body = ErrorResponse),
    )
)]
pub async fn resolve_review(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody,
) -> Result<Json<ReviewView>, ApiError> {
    let id: ReviewId = parse_path_id(&id, "review")?;
    let body = BodyObject::new(body, &["reviewer", "action", "output", "label", "reason"])?;
    // A malformed body is refused before the task is looked up.
    let action = body.required_text("action")?.parse::<ReviewAction>()?;
    let (output, label, reason) = (
        body.value("output"),
        body.text("label")?,
        body.text("reason")?,
    );
    let workflow = may_resolve(&state, &caller, id).await?;
    let request = ResolveRequest {
        reviewer: audited(&state, &caller, &workflow, reviewer_of(&caller, &body)).await?,
        action,
        output,
        label,
        reason,
    };
    let resolved = state.engine.resolve_review(id, request).await;
    let task = audited(&state, &caller, &workflow, resolved).await?;
    Ok(Json(ReviewView::new(task, Timestamp::now())))
}

/// The reviewer a request acts as: the caller's key name. A `reviewer`
/// member, if sent, must be that name (nobody acts for someone else).
fn reviewer_of(caller: &Caller, body: &BodyObject) -> airlock_core::Result<String> {
    let own = &caller.principal.name;
    match body.text("reviewer")? {
        Some(named) if &named != own => Err(airlock_core::Error::forbidden(format!(
            "{} cannot act as reviewer `{named}`",
            caller.principal.describe()
        ))
        .with_field("reviewer")
        .with_hint("leave `reviewer` out: the reviewer is the key's name")),
        _ => Ok(own.clone()),
    }
}

/// `resolve_review` on the task's workflow (claims, releases and votes);
/// returns the workflow's name.
async fn may_resolve(state: &AppState, caller: &Caller, id: ReviewId) -> Result<String, ApiError> {
    let task = state.engine.get_review(id).await?;
    authorize::workflow(state, caller, Action::ResolveReview, &task.workflow).await?;
    Ok(task.workflow)
}

/// `result`, after auditing it as an access denial if it is a `forbidden`
/// refusal decided outside the policies (acting as another reviewer, or
/// on an escalated task without being an adjudicator).
async fn audited<T>(
    state: &AppState,
    caller: &Caller,
    workflow: &str,
    result: airlock_core::Result<T>,
) -> Result<T, ApiError> {
    if let Err(e) = &result {
        if e.kind() == airlock_core::ErrorKind::Forbidden {
            state
                .engine
                .record_denial(
                    &caller.principal,
                    &caller.request,
                    Action::ResolveReview,
                    Some(workflow),
                    serde_json::json!({"reason": e.message()}),
                )
                .await;
        }
    }
    result.map_err(ApiError::from)
}
