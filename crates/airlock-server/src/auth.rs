//! Authentication: every request but `/healthz`, `/readyz`, sign-in
//! (`POST /v1/sessions`) and the dashboard's static files (`/ui`) carries
//! `Authorization: Bearer <API key>`, or the dashboard's session cookie.
//! The middleware checks the key with the engine (unknown, wrong, revoked
//! and expired keys are `401`; a malformed or oversized header is `400`)
//! and hands the [`Caller`] to the handlers, which authorize what it asks
//! for. A request signed in by cookie that changes state (anything but
//! `GET`/`HEAD`) must also carry the session's `X-CSRF-Token`, or it is
//! `403` before it reaches a handler.

use std::sync::Arc;

use airlock_core::{Error, Principal};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;
use crate::session::cookie::session_cookie;
use crate::session::{now_secs, Session, CSRF_HEADER};
use crate::state::AppState;

/// Paths anyone may call: load balancers and orchestrators probe the
/// first two, a browser signs in with the third.
pub const PUBLIC_PATHS: &[&str] = &["/healthz", "/readyz", "/v1/sessions"];
/// The dashboard's static files (the page shell holds no data; what it
/// shows comes from the API, authenticated).
pub const UI_PREFIX: &str = "/ui";
/// Longest `Authorization` header read; longer ones are refused unread.
pub const MAX_AUTHORIZATION_BYTES: usize = 1024;

/// The authenticated caller of a request, and the request as the audit log
/// names it (`POST /v1/keys`).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Arc<Principal>,
    pub request: Arc<str>,
    /// The dashboard session the request came with (`None`: a bearer key).
    pub session: Option<Arc<Session>>,
}

/// Authenticates the request (see the module docs) and passes it on.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    let line: Arc<str> = format!("{} {}", request.method(), request.uri().path()).into();
    let session_token = session_cookie(request.headers())
        .filter(|_| !request.headers().contains_key(AUTHORIZATION))
        .map(str::to_string);
    let principal = match session_token {
        Some(token) => {
            let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD);
            let csrf = changes_state.then(|| {
                request
                    .headers()
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            });
            by_session(&state, &token, csrf.as_deref()).await
        }
        None => match bearer_token(request.headers()) {
            Ok(token) => state.engine.authenticate(token).await.map(|p| (p, None)),
            Err(e) => Err(e),
        },
    };
    match principal {
        Ok((principal, session)) => {
            request.extensions_mut().insert(Caller {
                principal: Arc::new(principal),
                request: line,
                session: session.map(Arc::new),
            });
            next.run(request).await
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

fn is_public(path: &str) -> bool {
    PUBLIC_PATHS.contains(&path)
        || path == UI_PREFIX
        || path
            .strip_prefix(UI_PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The caller of a request signed in by the session cookie `token`: the
/// session checked (signature, expiry, sign-out), then its key loaded (a
/// revoked key ends the session), then, for a request that changes state,
/// the CSRF token it sent (`csrf`: `Some`, possibly empty).
async fn by_session(
    state: &AppState,
    token: &str,
    csrf: Option<&str>,
) -> Result<(Principal, Option<Session>), Error> {
    let session = state.sessions.verify(token, now_secs())?;
    let principal = state
        .engine
        .authenticate_key_id(&session.claims.key_id)
        .await?;
    if let Some(offered) = csrf {
        if let Err(refusal) = state.sessions.check_csrf(&session, offered) {
            tracing::warn!(key = %principal.key_id, "refused a cookie request without its CSRF token");
            return Err(refusal);
        }
    }
    Ok((principal, Some(session)))
}

/// The bearer token of `headers`, or why there is none: `401` when it is
/// missing or not a bearer token, `400` when the header itself is broken.
/// Messages never repeat the header's value.
fn bearer_token(headers: &HeaderMap) -> Result<&str, Error> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(
            Error::unauthenticated("the request has no Authorization header").with_hint(
                "send `Authorization: Bearer <API key>` (or sign in at /ui); `airlock keys create` makes a key",
            ),
        );
    };
    if values.next().is_some() {
        return Err(
            Error::invalid_input("the request has more than one Authorization header")
                .with_field("Authorization"),
        );
    }
    if value.len() > MAX_AUTHORIZATION_BYTES {
        return Err(Error::invalid_input(format!(
            "the Authorization header is {} bytes, more than the {MAX_AUTHORIZATION_BYTES} accepted",
            value.len()
        ))
        .with_field("Authorization"));
    }
    let text = value.to_str().map_err(|_| {
        Error::invalid_input("the Authorization header is not printable ASCII")
            .with_field("Authorization")
    })?;
    let (scheme, token) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(
            Error::unauthenticated("the Authorization header is not a Bearer token")
                .with_hint("send `Authorization: Bearer <API key>`"),
        );
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::unauthenticated("the Bearer token is empty")
            .with_hint("send `Authorization: Bearer <API key>`"));
    }
    Ok(token)
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            ApiError::from(Error::internal(
                "the route reads the caller but the request was not authenticated",
            ))
        })
    }
}
