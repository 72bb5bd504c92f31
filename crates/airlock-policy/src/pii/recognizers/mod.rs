//! One recognizer per entity type. Each finds candidate spans with
//! regular expressions (the `regex` crate: linear time, no backtracking
//! blow-ups on hostile input) and then validates them in code: checksums,
//! number ranges, `std::net` parsing, context words.
//!
//! Recognizers may return overlapping findings; the detector resolves them.

pub(crate) mod email;
pub(crate) mod iban;
pub(crate) mod ip_address;
pub(crate) mod payment_card;
pub(crate) mod phone;
pub(crate) mod us_ssn;

use super::entity::EntityType;
use super::finding::Finding;
use airlock_core::{Error, Result};
use regex::Regex;

/// Finds one kind of personal data in a text.
pub(crate) trait Recognizer: Send + Sync {
    fn entity(&self) -> EntityType;
    /// Appends every finding in `text` to `out`.
    fn find(&self, text: &str, out: &mut Vec<Finding>);
}

/// Compiles one of the recognizers' constant patterns; a failure is a bug
/// in this crate, reported as an internal error rather than a panic.
pub(crate) fn compile(pattern: &str) -> Result<Regex> {
    Regex::new(pattern).map_err(|e| Error::internal(format!("PII pattern does not compile: {e}")))
}
