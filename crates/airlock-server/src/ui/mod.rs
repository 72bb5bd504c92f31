//! The operator dashboard at `/ui`: a page shell, scripts and styles
//! embedded in the binary at build time ([`assets`]), nothing loaded from
//! elsewhere. The page holds no data: it signs in with `POST /v1/sessions`
//! and reads and acts through the same API (and the same authorization)
//! as every other client, sending the session's CSRF token with each POST.
//!
//! Any `/ui/...` path that is not an asset answers the page shell, so the
//! dashboard's own addresses (`/ui/reviews/<id>`) can be bookmarked.

mod assets;

use axum::body::Body;
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// The routes of the dashboard (public: see `crate::auth::UI_PREFIX`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui", get(shell))
        .route("/ui/", get(shell))
        .route("/ui/{*path}", get(asset))
}

/// What the browser may load and run: only what this server serves.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

async fn shell() -> Response {
    serve("index.html").unwrap_or_else(not_found)
}

async fn asset(Path(path): Path<String>) -> Response {
    if let Some(response) = serve(&path) {
        return response;
    }
    // A dashboard address (no file extension) gets the shell; a missing
    // file is a 404, so a typo in an asset name is not silently HTML.
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        not_found()
    } else {
        shell().await
    }
}

fn serve(path: &str) -> Option<Response> {
    let bytes = assets::get(path)?;
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    // The shell is always fresh; assets may be cached briefly (their names
    // do not carry a hash).
    let cache = if path == "index.html" {
        "no-store"
    } else {
        "private, max-age=300"
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    secure_headers(headers);
    Some(response)
}

fn secure_headers(headers: &mut axum::http::HeaderMap) {
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        "no such dashboard file",
    )
        .into_response()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_known_type_and_the_shell_exists() {
        assert!(assets::get("index.html").is_some());
        for path in assets::paths() {
            assert_ne!(content_type(path), "application/octet-stream", "{path}");
        }
    }
}
