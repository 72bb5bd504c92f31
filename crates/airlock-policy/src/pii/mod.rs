//! PII detection and redaction.
//!
//! [`PiiDetector`] finds personal data in a text: e-mail addresses, phone
//! numbers, payment cards (Luhn-checked), IBANs (mod-97-checked), US Social
//! Security numbers, IP addresses and person names (rules and word lists,
//! no model). [`Redactor`] replaces what was found, in one of three
//! [`RedactionMode`]s, in texts and in every string of a JSON value,
//! keeping per-run state (consistent placeholders, counts per type) in a
//! [`RedactionSession`]. [`evaluation`] measures a detector against
//! labelled texts. See docs/pii.md.
//!
//! Everything here is pure: no I/O, no async; the engine calls it.

mod detector;
mod entity;
pub mod evaluation;
mod finding;
mod person;
mod recognizers;
mod redaction;
mod text;

pub use detector::PiiDetector;
pub use entity::EntityType;
pub use finding::{resolve_overlaps, Finding};
pub use redaction::{
    HashKey, RedactionMode, RedactionReport, RedactionSession, Redactor, MIN_KEY_BYTES,
};
