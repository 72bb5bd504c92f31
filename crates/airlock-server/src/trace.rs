//! One tracing span per request (`http_request` with `method`, `route`,
//! `status`, `latency_ms`), from tower-http's `TraceLayer`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnRequest, MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

use crate::http_metrics::{method_label, UNMATCHED_ROUTE};

pub type HttpTraceLayer = TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    RequestSpan,
    DefaultOnRequest,
    ResponseEvent,
>;

pub fn layer() -> HttpTraceLayer {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_response(ResponseEvent)
}

/// Opens the request's span, with the status and latency left to fill in.
#[derive(Clone, Copy, Debug)]
pub struct RequestSpan;

impl MakeSpan<Body> for RequestSpan {
    fn make_span(&mut self, request: &Request<Body>) -> Span {
        let route = request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map_or(UNMATCHED_ROUTE, |m| m.as_str());
        tracing::info_span!(
            "http_request",
            method = method_label(request.method()),
            route,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        )
    }
}

/// Records the status and latency on the span and logs one event.
#[derive(Clone, Copy, Debug)]
pub struct ResponseEvent;

impl<B> OnResponse<B> for ResponseEvent {
    fn on_response(self, response: &Response<B>, latency: Duration, span: &Span) {
        let status = response.status().as_u16();
        let latency_ms = latency.as_secs_f64() * 1000.0;
        span.record("status", status);
        span.record("latency_ms", latency_ms);
        tracing::debug!(status, latency_ms, "answered");
    }
}
