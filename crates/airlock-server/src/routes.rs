//! The route table and [`router`]. The router is built from the table
//! only, and [`served_routes`] reads the same table, so the OpenAPI
//! coverage test sees every route the router serves.

use airlock_engine::Engine;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use tower::ServiceBuilder;

use crate::auth;
use crate::handlers::{
    audit, fallback, feedback, health, keys, me, metrics_text, openapi_doc, quality, quarantine,
    reviews, runs, session, usage, webhooks, workflows,
};
use crate::http_metrics;
use crate::metrics_setup::MetricsHandle;
use crate::openai;
use crate::options::ServerOptions;
use crate::session::Sessions;
use crate::state::AppState;
use crate::trace;

/// One method and path template the router serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServedRoute {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The template as axum and OpenAPI write it: `/v1/runs/{id}`.
    pub path: &'static str,
}

#[derive(Clone, Copy)]
enum Verb {
    Get,
    Post,
}

impl Verb {
    fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
        }
    }
}

struct RouteEntry {
    verb: Verb,
    path: &'static str,
    handler: MethodRouter<AppState>,
}

fn entry<H, T>(verb: Verb, path: &'static str, handler: H) -> RouteEntry
where
    H: Handler<T, AppState>,
    T: 'static,
{
    RouteEntry {
        verb,
        path,
        handler: on(verb.filter(), handler),
    }
}

/// Every route; the only place one is added.
fn table() -> Vec<RouteEntry> {
    use Verb::{Get, Post};
    vec![
        entry(Post, "/v1/workflows/{name}/runs", runs::create_run),
        entry(Get, "/v1/runs", runs::list_runs),
        entry(Get, "/v1/runs/{id}", runs::get_run),
        entry(Post, "/v1/runs/{id}/feedback", feedback::add_feedback),
        entry(Get, "/v1/runs/{id}/feedback", feedback::list_feedback),
        entry(Get, "/v1/workflows", workflows::list_workflows),
        entry(Get, "/v1/workflows/{name}", workflows::get_workflow),
        entry(
            Get,
            "/v1/workflows/{name}/quality",
            quality::workflow_quality,
        ),
        entry(
            Get,
            "/v1/workflows/{name}/timeline",
            quality::workflow_timeline,
        ),
        entry(Get, "/v1/quarantine", quarantine::list_quarantine),
        entry(Get, "/v1/reviews", reviews::list_reviews),
        entry(Get, "/v1/reviews/{id}", reviews::get_review),
        entry(Post, "/v1/reviews/{id}/claim", reviews::claim_review),
        entry(Post, "/v1/reviews/{id}/release", reviews::release_review),
        entry(Post, "/v1/reviews/{id}/resolve", reviews::resolve_review),
        entry(Get, "/v1/webhooks/deliveries", webhooks::list_deliveries),
        entry(Get, "/v1/webhooks/deliveries/{id}", webhooks::get_delivery),
        entry(Post, "/v1/keys", keys::create_key),
        entry(Get, "/v1/keys", keys::list_keys),
        entry(Post, "/v1/keys/{id}/revoke", keys::revoke_key),
        entry(Get, "/v1/me", me::me),
        entry(Post, "/v1/sessions", session::sign_in),
        entry(Get, "/v1/session", session::current),
        entry(Post, "/v1/session/sign-out", session::sign_out),
        entry(Post, "/v1/chat/completions", openai::chat::chat_completions),
        entry(Post, "/v1/embeddings", openai::embeddings::embeddings),
        entry(Get, "/v1/models", openai::models::list_models),
        entry(Get, "/v1/usage", usage::usage),
        entry(Get, "/v1/audit", audit::list_audit),
        entry(Get, "/v1/audit/verify", audit::verify_audit),
        entry(Get, "/healthz", health::healthz),
        entry(Get, "/readyz", health::readyz),
        entry(Get, "/metrics", metrics_text::metrics),
        entry(Get, "/openapi.json", openapi_doc::openapi_json),
    ]
}

/// Every method and path the router serves (besides the 404/405 fallbacks).
pub fn served_routes() -> Vec<ServedRoute> {
    table()
        .into_iter()
        .map(|e| ServedRoute {
            method: e.verb.as_str(),
            path: e.path,
        })
        .collect()
}

/// The Airlock API over `engine`, with `options`' limits, exporting metrics
/// through `metrics` (from [`crate::install_metrics`]).
pub fn router(engine: Engine, options: &ServerOptions, metrics: MetricsHandle) -> Router {
    let state = AppState {
        engine,
        metrics,
        max_body_bytes: options.max_body_bytes,
        sessions: Sessions::new(options.session),
    };
    let authenticate = axum::middleware::from_fn_with_state(state.clone(), auth::authenticate);
    let admit = axum::middleware::from_fn_with_state(
        crate::admission::InFlight::new(options.max_in_flight),
        crate::admission::admit,
    );
    let mut app = Router::new();
    for route in table() {
        app = app.route(route.path, route.handler);
    }
    // The dashboard's files (not API routes: outside the OpenAPI document).
    app = app.merge(crate::ui::routes());
    // Layers run outside-in in the reverse order of the calls: trace, then
    // metrics, then OpenAI's error shape (outside the timeout, so a 504 on
    // the OpenAI paths is reshaped too), then the timeout, then admission
    // (shedding past `max_in_flight`, before any key is read), then
    // authentication (before any body is read), then the body limit the
    // extractors read.
    app.method_not_allowed_fallback(fallback::method_not_allowed)
        .fallback(fallback::not_found)
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(authenticate)
        .layer(admit)
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(fallback::layer_error))
                .timeout(options.request_timeout),
        )
        .layer(axum::middleware::from_fn(openai::errors::reshape))
        .layer(axum::middleware::from_fn(http_metrics::track))
        .layer(trace::layer())
        .with_state(state)
}
