//! One module per resource; each handler carries its `#[utoipa::path]`
//! description, which `crate::openapi` collects.

pub mod audit;
pub mod fallback;
pub mod feedback;
pub mod health;
pub mod keys;
pub mod me;
pub mod metrics_text;
pub mod openapi_doc;
pub mod quality;
pub mod quarantine;
pub mod reviews;
pub mod runs;
pub mod session;
pub mod usage;
pub mod webhooks;
pub mod workflows;
