//! Authentication: every request but `/healthz` and `/readyz` carries
//! `Authorization: Bearer <API key>`. The middleware checks the key with
//! the engine (unknown, wrong, revoked and expired keys are `401`; a
//! malformed or oversized header is `400`) and hands the [`Caller`] to the
//! handlers, which authorize what it asks for.

use std::sync::Arc;

use airlock_core::{Error, Principal};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;
use crate::state::AppState;

/// Paths anyone may call (load balancers and orchestrators probe them).
pub const PUBLIC_PATHS: &[&str] = &["/healthz", "/readyz"];
/// Longest `Authorization` header read; longer ones are refused unread.
pub const MAX_AUTHORIZATION_BYTES: usize = 1024;

/// The authenticated caller of a request, and the request as the audit log
/// names it (`POST /v1/keys`).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Arc<Principal>,
    pub request: Arc<str>,
}

/// Authenticates the request (see the module docs) and passes it on.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if PUBLIC_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let line: Arc<str> = format!("{} {}", request.method(), request.uri().path()).into();
    let principal = match bearer_token(request.headers()) {
        Ok(token) => state.engine.authenticate(token).await,
        Err(e) => Err(e),
    };
    match principal {
        Ok(principal) => {
            request.extensions_mut().insert(Caller {
                principal: Arc::new(principal),
                request: line,
            });
            next.run(request).await
        }
        Err(error) => {
            let unauthenticated = error.kind() == airlock_core::ErrorKind::Unauthenticated;
            let mut response = ApiError::from(error).into_response();
            if unauthenticated {
                response.headers_mut().insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"airlock\""),
                );
            }
            response
        }
    }
}

/// The bearer token of `headers`, or why there is none: `401` when it is
/// missing or not a bearer token, `400` when the header itself is broken.
/// Messages never repeat the header's value.
fn bearer_token(headers: &HeaderMap) -> Result<&str, Error> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(
            Error::unauthenticated("the request has no Authorization header").with_hint(
                "send `Authorization: Bearer <API key>`; `airlock keys create` makes a key",
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
