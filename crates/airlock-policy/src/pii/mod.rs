//! PII detection and redaction.
