//! The optional `[pii]` and `[retention]` sections, and the settings of
//! `redact` and `guard` steps: checked like the rest of the file, every
//! problem reported with its position.

use std::ops::Range;
use std::time::Duration;

use toml::de::DeValue;
use toml::Spanned;

use crate::definition::{GuardAction, PiiEntity, PiiMode, PiiPolicy, RetentionPolicy};
use crate::raw::{RawPii, RawRetention};
use crate::validate::{piece, Checker};

/// A guard acts from this score on unless the step says otherwise.
pub const DEFAULT_GUARD_THRESHOLD: f64 = 0.5;

impl Checker<'_> {
    /// `[pii]` (defaults for what it leaves out).
    pub(crate) fn pii_policy(&mut self, value: Option<Spanned<DeValue<'_>>>) -> PiiPolicy {
        let raw: RawPii = self.section(value, "pii");
        let defaults = PiiPolicy::default();
        PiiPolicy {
            entities: raw
                .entities
                .and_then(|e| self.pii_entities(e, "`pii.entities`"))
                .unwrap_or(defaults.entities),
            mode: raw
                .mode
                .and_then(|m| self.pii_mode(&m, "`pii.mode`"))
                .unwrap_or(defaults.mode),
            keep_raw: raw.keep_raw.map_or(defaults.keep_raw, Spanned::into_inner),
        }
    }

    /// `[retention]`.
    pub(crate) fn retention_policy(
        &mut self,
        value: Option<Spanned<DeValue<'_>>>,
    ) -> RetentionPolicy {
        let raw: RawRetention = self.section(value, "retention");
        RetentionPolicy {
            payloads: raw.payloads.and_then(|d| self.retention(&d)),
        }
    }

    /// A list of entity words, each checked; `None` if any is unknown.
    pub(crate) fn pii_entities(
        &mut self,
        value: Spanned<Vec<Spanned<String>>>,
        what: &str,
    ) -> Option<Vec<PiiEntity>> {
        let span = value.span();
        let words = value.into_inner();
        if words.is_empty() {
            self.report(
                Some(span),
                format!("{what} is empty"),
                format!("list what to redact, from: {}", PiiEntity::NAMES.join(", ")),
            );
            return None;
        }
        let mut entities = Vec::new();
        let mut ok = true;
        for word in words {
            match PiiEntity::parse(word.get_ref()) {
                Some(entity) if !entities.contains(&entity) => entities.push(entity),
                Some(_) => {
                    self.report(
                        Some(word.span()),
                        format!("{what} lists `{}` twice", word.get_ref()),
                        "list each kind once",
                    );
                    ok = false;
                }
                None => {
                    self.report(
                        Some(word.span()),
                        format!(
                            "{what}: `{}` is not a kind of personal data",
                            word.get_ref()
                        ),
                        format!("use one of: {}", PiiEntity::NAMES.join(", ")),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(entities)
    }

    pub(crate) fn pii_mode(&mut self, value: &Spanned<String>, what: &str) -> Option<PiiMode> {
        let mode = PiiMode::parse(value.get_ref());
        if mode.is_none() {
            self.report(
                Some(value.span()),
                format!(
                    "{what} is `{}`, which is not a redaction mode",
                    value.get_ref()
                ),
                format!("use one of: {}", PiiMode::NAMES.join(", ")),
            );
        }
        mode
    }

    /// A guard's `threshold`, in (0, 1].
    pub(crate) fn guard_threshold(
        &mut self,
        value: Option<Spanned<f64>>,
        label: &str,
    ) -> Option<f64> {
        match value {
            None => Some(DEFAULT_GUARD_THRESHOLD),
            Some(t) if *t.get_ref() > 0.0 && *t.get_ref() <= 1.0 => Some(t.into_inner()),
            Some(t) => {
                self.report(
                    Some(t.span()),
                    format!("{label}: `threshold` is {}, outside (0, 1]", t.get_ref()),
                    format!("omit it for the default of {DEFAULT_GUARD_THRESHOLD}"),
                );
                None
            }
        }
    }

    pub(crate) fn guard_action(
        &mut self,
        value: Option<Spanned<String>>,
        label: &str,
    ) -> Option<GuardAction> {
        let Some(value) = value else {
            return Some(GuardAction::Block);
        };
        let action = GuardAction::parse(value.get_ref());
        if action.is_none() {
            self.report(
                Some(value.span()),
                format!("{label}: `action` is `{}`", value.get_ref()),
                format!("use one of: {}", GuardAction::NAMES.join(", ")),
            );
        }
        action
    }

    fn retention(&mut self, value: &Spanned<String>) -> Option<Duration> {
        match humantime::parse_duration(value.get_ref()) {
            Ok(d) if d >= Duration::from_secs(60) => Some(d),
            Ok(_) => {
                self.report(
                    Some(value.span()),
                    "`retention.payloads` must be at least a minute",
                    "write a duration such as \"30d\" or \"90days\"",
                );
                None
            }
            Err(e) => {
                self.report(
                    Some(value.span()),
                    format!(
                        "`retention.payloads` = {:?} is not a duration: {e}",
                        value.get_ref()
                    ),
                    "write a duration such as \"30d\" or \"90days\"",
                );
                None
            }
        }
    }

    /// Deserialises an optional section table, reporting (and defaulting)
    /// anything that is not one.
    fn section<T: serde::de::DeserializeOwned + Default>(
        &mut self,
        value: Option<Spanned<DeValue<'_>>>,
        name: &str,
    ) -> T {
        let Some(value) = value else {
            return T::default();
        };
        let span: Range<usize> = value.span();
        if !matches!(value.get_ref(), DeValue::Table(_)) {
            self.report(
                Some(span),
                format!("`{name}` must be a table"),
                format!("write it as a `[{name}]` section; see docs/workflows.md"),
            );
            return T::default();
        }
        piece::<T>(value).unwrap_or_else(|e| {
            self.report_de(&e, span, &format!("[{name}]"));
            T::default()
        })
    }
}
