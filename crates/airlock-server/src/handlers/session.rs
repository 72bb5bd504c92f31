//! Dashboard sign-in: `POST /v1/sessions` exchanges an API key for the
//! session cookie, `GET /v1/session` tells the signed-in page who it is,
//! what it may do and its CSRF token, `POST /v1/session/sign-out` ends
//! the session. Signing in and out is audited.

use std::collections::BTreeMap;

use airlock_core::{Error, Principal, Timestamp};
use airlock_policy::authz::{Action, ResourceKind};
use axum::extract::State;
use axum::http::header::{HOST, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api_error::ApiError;
use crate::auth::Caller;
use crate::body::BodyObject;
use crate::dto::{ErrorResponse, MeView, SessionView, SignInBody};
use crate::extract::JsonBody;
use crate::session::cookie::{clear_cookie, set_cookie};
use crate::session::{now_secs, Session};
use crate::state::AppState;

/// Signs in with an API key: answers the session and sets the
/// `airlock_session` cookie (`HttpOnly`, `SameSite=Strict`).
#[utoipa::path(
    post,
    path = "/v1/sessions",
    tag = "sessions",
    request_body(content = SignInBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Signed in; the cookie is set", body = SessionView),
        (status = 400, description = "A malformed body", body = ErrorResponse),
        (status = 401, description = "The key is unknown, wrong, revoked or expired", body = ErrorResponse),
        (status = 403, description = "The request came from another site (`Origin` is not this host)", body = ErrorResponse),
        (status = 415, description = "The body is not JSON (a cross-site form cannot sign anyone in)", body = ErrorResponse),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    check_same_origin(&headers)?;
    let body = BodyObject::new(body, &["key"])?;
    let key = body.required_text("key")?;
    let principal = state.engine.authenticate(&key).await?;
    let session = state.sessions.issue(&principal.key_id, now_secs());
    state
        .engine
        .record_session(&principal, true, "POST /v1/sessions", &session.claims.nonce)
        .await?;
    let view = session_view(&state, &principal, &session)?;
    let response = (StatusCode::CREATED, Json(view)).into_response();
    Ok(with_cookie(
        response,
        set_cookie(&session.token, &state.sessions.options),
    )?)
}

/// The caller's session: who, until when, what it may do, its CSRF token.
#[utoipa::path(
    get,
    path = "/v1/session",
    tag = "sessions",
    responses(
        (status = 200, description = "The session", body = SessionView),
        (status = 401, description = "Not signed in", body = ErrorResponse),
        (status = 404, description = "The request used a bearer key, not a session", body = ErrorResponse),
    )
)]
pub async fn current(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SessionView>, ApiError> {
    let session = session_of(&caller)?;
    Ok(Json(session_view(&state, &caller.principal, session)?))
}

/// Signs out: this session's cookie is refused from now on.
#[utoipa::path(
    post,
    path = "/v1/session/sign-out",
    tag = "sessions",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
        (status = 401, description = "Not signed in", body = ErrorResponse),
        (status = 403, description = "No or a wrong X-CSRF-Token", body = ErrorResponse),
        (status = 404, description = "The request used a bearer key, not a session", body = ErrorResponse),
    )
)]
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let session = session_of(&caller)?;
    state.sessions.sign_out(session, now_secs());
    state
        .engine
        .record_session(
            &caller.principal,
            false,
            &caller.request,
            &session.claims.nonce,
        )
        .await?;
    Ok(with_cookie(
        StatusCode::NO_CONTENT.into_response(),
        clear_cookie(&state.sessions.options),
    )?)
}

/// `response` with `Set-Cookie: cookie`.
fn with_cookie(mut response: Response, cookie: String) -> Result<Response, Error> {
    let value = HeaderValue::from_str(&cookie)
        .map_err(|_| Error::internal("the session cookie is not a header value"))?;
    response.headers_mut().insert(SET_COOKIE, value);
    Ok(response)
}

fn session_of(caller: &Caller) -> Result<&Session, Error> {
    caller.session.as_deref().ok_or_else(|| {
        Error::not_found("the request is authenticated by a bearer key, not a session")
            .with_hint("sign in with POST /v1/sessions from a browser")
    })
}

/// A browser always sends `Origin` with a POST; when it names another
/// host than the one asked, another site is trying to sign someone in.
fn check_same_origin(headers: &HeaderMap) -> Result<(), Error> {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    if origin_host.is_some() && origin_host == host {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "sign-in from origin {origin:?} to another host is refused"
        ))
        .with_field("Origin")
        .with_hint("sign in from the dashboard Airlock serves at /ui"))
    }
}

fn session_view(
    state: &AppState,
    principal: &Principal,
    session: &Session,
) -> Result<SessionView, Error> {
    let expires_at = Timestamp::from_unix_ms(session.claims.expires_at.saturating_mul(1000))?;
    let mut service_actions = Vec::new();
    let mut workflow_actions = BTreeMap::new();
    for action in Action::ALL {
        match action.resource_kind() {
            ResourceKind::Service => {
                let resource = airlock_policy::authz::Resource::Service;
                if state
                    .engine
                    .check_access(principal, *action, &resource)
                    .allowed
                {
                    service_actions.push(action.as_str().to_string());
                }
            }
            ResourceKind::Workflow => {
                workflow_actions.insert(
                    action.as_str().to_string(),
                    state.engine.allowed_workflows(principal, *action),
                );
            }
        }
    }
    Ok(SessionView {
        me: MeView::from(principal),
        expires_at: expires_at.to_string(),
        csrf_token: state.sessions.csrf_token(session),
        service_actions,
        workflow_actions,
    })
}
