//! Airlock's HTTP API over the workflow runtime ([`airlock_engine::Engine`]).
//!
//! [`router`] builds the axum application: runs (`POST /v1/workflows/{name}/runs`,
//! idempotent with `Idempotency-Key`), run history, quarantined inputs,
//! workflow definitions, the review queue (`/v1/reviews`: list, read,
//! claim, release, resolve), feedback on runs, workflow quality, webhook
//! deliveries, liveness/readiness, Prometheus metrics and the OpenAPI
//! document. [`serve`] runs it on an already bound listener until a
//! shutdown signal, then drains in-flight requests. [`install_metrics`]
//! installs the process-wide Prometheus recorder the engine's and the
//! server's metrics go to.
//!
//! Every error, including axum's own rejections and fallbacks, answers with
//! the one JSON shape `{"error": {"code", "message", "field"?, "hint"?}}`
//! (`airlock_core::Error::to_json`). See `docs/api.md`.

mod admission;
mod api_error;
pub mod auth;
mod authorize;
mod body;
mod dto;
mod extract;
mod handlers;
mod http_metrics;
mod metrics_setup;
mod openai;
mod openapi;
mod options;
mod query;
mod routes;
mod serve;
pub mod session;
mod state;
mod trace;
mod ui;

/// The API's views, for the CLI to print the same shapes.
pub use dto::{
    CreatedKeyView, DeliveryPage, FeedbackPage, KeyView, ReviewDetailView, ReviewPage, ReviewView,
    RunDetailView, RunPage, RunView, StoredRunView,
};
pub use metrics_setup::{
    install_metrics, MetricsHandle, HTTP_REQUESTS_SHED_TOTAL, HTTP_REQUESTS_TOTAL,
    HTTP_REQUEST_DURATION_SECONDS,
};
pub use openapi::openapi_json;
pub use options::ServerOptions;
pub use query::review_filter_from_query;
pub use routes::{router, served_routes, ServedRoute};
pub use serve::serve;
