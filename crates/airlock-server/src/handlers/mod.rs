//! One module per resource; each handler carries its `#[utoipa::path]`
//! description, which `crate::openapi` collects.

pub mod fallback;
pub mod health;
pub mod metrics_text;
pub mod openapi_doc;
pub mod quarantine;
pub mod runs;
pub mod workflows;
