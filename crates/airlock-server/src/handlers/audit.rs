//! The audit log: read it page by page, and verify it (the same check as
//! `airlock audit verify`, on the server's database).

use airlock_policy::authz::Action;
use axum::extract::State;
use axum::Json;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::authorize;
use crate::dto::{AuditPage, AuditRecordView, AuditVerificationView, ErrorResponse};
use crate::extract::QueryPairs;
use crate::query::{ListAuditParams, VerifyAuditParams};
use crate::state::AppState;

/// Audit records, oldest first, one page at a time.
#[utoipa::path(
    get,
    path = "/v1/audit",
    tag = "audit",
    params(ListAuditParams),
    responses(
        (status = 200, description = "One page of the chain", body = AuditPage),
        (status = 400, description = "An unknown, repeated or empty parameter, or a bad value; `field` names it", body = ErrorResponse),
        (status = 401, description = "No valid API key", body = ErrorResponse),
        (status = 403, description = "The key may not read the audit log", body = ErrorResponse),
    )
)]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<AuditPage>, ApiError> {
    authorize::service(&state, &caller, Action::ReadAudit).await?;
    let filter = ListAuditParams::parse(pairs)?.into_filter();
    let page = state.engine.list_audit(&filter).await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(AuditRecordView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Verifies the chain and its signed checkpoints: `ok`, or the first
/// record that was altered, deleted, reordered or truncated.
#[utoipa::path(
    get,
    path = "/v1/audit/verify",
    tag = "audit",
    params(VerifyAuditParams),
    responses(
        (status = 200, description = "The verification result (also when it found a problem)", body = AuditVerificationView),
        (status = 400, description = "A bad `from`", body = ErrorResponse),
        (status = 401, description = "No valid API key", body = ErrorResponse),
        (status = 403, description = "The key may not read the audit log", body = ErrorResponse),
    )
)]
pub async fn verify_audit(
    State(state): State<AppState>,
    caller: Caller,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<AuditVerificationView>, ApiError> {
    authorize::service(&state, &caller, Action::ReadAudit).await?;
    let params = VerifyAuditParams::parse(pairs)?;
    let report = state.engine.verify_audit(params.from.unwrap_or(1)).await?;
    Ok(Json(AuditVerificationView::from(report)))
}
