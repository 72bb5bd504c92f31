//! Replacing found personal data: the modes, the per-run session that keeps
//! placeholders consistent and counts what was redacted, and the redactor
//! that applies both to texts and JSON values.

mod canonical;
mod mode;
mod redactor;
mod report;
mod session;

pub use mode::{HashKey, RedactionMode, MIN_KEY_BYTES};
pub use redactor::Redactor;
pub use report::RedactionReport;
pub use session::RedactionSession;
