//! [`Redactor`]: a detector and a mode, applied to texts and JSON values.

use super::canonical::canonical;
use super::mode::RedactionMode;
use super::session::RedactionSession;
use crate::pii::detector::PiiDetector;
use crate::pii::entity::EntityType;
use crate::pii::finding::Finding;
use serde_json::Value;

/// The mask every value gets in [`RedactionMode::Mask`].
const MASK: &str = "****";
/// Hex digits of the HMAC kept in a keyed-hash token (64 bits).
const HASH_HEX_DIGITS: usize = 16;

/// Redacts personal data: detects with its [`PiiDetector`] and replaces
/// each finding as its [`RedactionMode`] says. `Send + Sync`; one per
/// workflow step, shared by all runs, with one [`RedactionSession`] per run.
#[derive(Clone, Debug)]
pub struct Redactor {
    detector: PiiDetector,
    mode: RedactionMode,
}

impl Redactor {
    pub fn new(detector: PiiDetector, mode: RedactionMode) -> Self {
        Redactor { detector, mode }
    }

    pub fn detector(&self) -> &PiiDetector {
        &self.detector
    }

    pub fn mode(&self) -> &RedactionMode {
        &self.mode
    }

    /// A fresh session for one run.
    pub fn session(&self) -> RedactionSession {
        RedactionSession::new()
    }

    /// `text` with every finding replaced; counts (and, except in mask
    /// mode, the tokens given) go to `session`.
    pub fn redact_text(&self, text: &str, session: &mut RedactionSession) -> String {
        let findings = self.detector.detect(text);
        self.apply(text, &findings, session)
    }

    /// `text` with the given findings (sorted, non-overlapping, as
    /// [`PiiDetector::detect`] returns them) replaced.
    pub fn apply(
        &self,
        text: &str,
        findings: &[Finding],
        session: &mut RedactionSession,
    ) -> String {
        if findings.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for finding in findings {
            let (Some(before), Some(value)) = (
                text.get(at..finding.start),
                text.get(finding.start..finding.end),
            ) else {
                // Not sorted or not on char boundaries: skip rather than
                // corrupt the text (never the case for detector output).
                continue;
            };
            out.push_str(before);
            out.push_str(&self.replacement(finding.entity, value, session));
            at = finding.end;
        }
        out.push_str(text.get(at..).unwrap_or(""));
        out
    }

    fn replacement(
        &self,
        entity: EntityType,
        value: &str,
        session: &mut RedactionSession,
    ) -> String {
        match &self.mode {
            RedactionMode::Mask => {
                session.count(entity);
                if entity == EntityType::PaymentCard {
                    let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
                    let last4: String = digits[digits.len().saturating_sub(4)..].iter().collect();
                    format!("{MASK}{last4}")
                } else {
                    MASK.to_string()
                }
            }
            RedactionMode::Placeholder => {
                let name = entity.as_str();
                session.token_for(entity, canonical(entity, value), value, |n| {
                    format!("<{name}_{n}>")
                })
            }
            RedactionMode::KeyedHash(key) => {
                let name = entity.as_str();
                let canonical_value = canonical(entity, value);
                let digest = key.digest(&[name.as_bytes(), canonical_value.as_bytes()]);
                let hex = hex::encode(digest);
                let short = &hex[..HASH_HEX_DIGITS];
                let token = format!("<{name}:{short}>");
                session.token_for(entity, canonical_value, value, |_| token)
            }
        }
    }

    /// A copy of `value` with every string redacted; object keys are left
    /// as they are. An integer whose digits are wholly one finding (a card
    /// number stored as a JSON number) is replaced by the redacted string.
    pub fn redact_value(&self, value: &Value, session: &mut RedactionSession) -> Value {
        let mut copy = value.clone();
        self.redact_in_place(&mut copy, session);
        copy
    }

    /// [`Self::redact_value`] on `value` itself: only what holds personal
    /// data is rewritten, so a value without any allocates nothing (the
    /// model gateway records every call's request and answer this way).
    pub fn redact_in_place(&self, value: &mut Value, session: &mut RedactionSession) {
        match value {
            Value::String(text) => {
                let findings = self.detector.detect(text);
                if !findings.is_empty() {
                    *text = self.apply(text, &findings, session);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.redact_in_place(item, session);
                }
            }
            Value::Object(members) => {
                for (_, member) in members.iter_mut() {
                    self.redact_in_place(member, session);
                }
            }
            Value::Number(n) if n.is_u64() || n.is_i64() => {
                let digits = n.to_string();
                let findings = self.detector.detect(&digits);
                if let [only] = findings.as_slice() {
                    if only.start == 0 && only.end == digits.len() {
                        *value = Value::String(self.apply(&digits, &findings, session));
                    }
                }
            }
            _ => {}
        }
    }
}
