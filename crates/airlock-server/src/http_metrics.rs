//! Middleware counting and timing every request by method, matched route
//! template (never the raw path, so ids do not blow up the label set) and
//! status.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::metrics_setup::{HTTP_REQUESTS_TOTAL, HTTP_REQUEST_DURATION_SECONDS};

/// The `route` label of requests no route matched.
pub const UNMATCHED_ROUTE: &str = "unmatched";

pub async fn track(request: Request, next: Next) -> Response {
    let method = method_label(request.method());
    let route = route_label(&request);
    let started = Instant::now();
    let response = next.run(request).await;
    metrics::counter!(
        HTTP_REQUESTS_TOTAL,
        "method" => method,
        "route" => route.clone(),
        "status" => response.status().as_str().to_string()
    )
    .increment(1);
    metrics::histogram!(HTTP_REQUEST_DURATION_SECONDS, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The matched route template (`/v1/runs/{id}`), or [`UNMATCHED_ROUTE`].
pub fn route_label(request: &Request) -> String {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE, MatchedPath::as_str)
        .to_string()
}

/// Standard methods by name; anything else is `other` (a label per made-up
/// method would let any client grow the metric set).
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
