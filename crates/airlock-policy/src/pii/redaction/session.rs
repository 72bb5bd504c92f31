//! [`RedactionSession`]: the state of one run's redaction. It numbers
//! placeholders per entity type so that a value keeps its placeholder for
//! the whole run, remembers which original each placeholder stands for (so
//! a caller can restore a model's answer), and counts what was redacted.

use super::report::RedactionReport;
use crate::pii::entity::EntityType;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Per-run redaction state; create one per run with
/// [`crate::pii::Redactor::session`] and pass it to every call of that run.
///
/// It holds the original values behind placeholders and hash tokens, so it
/// is as sensitive as the unredacted data: keep it in memory for the run,
/// never store or log it (its `Debug` output shows counts only).
#[derive(Clone, Default)]
pub struct RedactionSession {
    /// type → canonical value → the replacement token given to it.
    tokens: HashMap<EntityType, HashMap<String, String>>,
    /// token → the original text first seen for it.
    originals: BTreeMap<String, String>,
    /// Distinct values per type so far (the last placeholder number).
    distinct: BTreeMap<EntityType, usize>,
    /// Redacted occurrences per type.
    counts: BTreeMap<EntityType, usize>,
}

impl fmt::Debug for RedactionSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedactionSession")
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

impl RedactionSession {
    pub fn new() -> Self {
        Self::default()
    }

    /// The token already given to this value, or `make(n)`'s, where `n` is
    /// the value's 1-based number among distinct values of its type.
    pub(crate) fn token_for(
        &mut self,
        entity: EntityType,
        canonical: String,
        original: &str,
        make: impl FnOnce(usize) -> String,
    ) -> String {
        *self.counts.entry(entity).or_insert(0) += 1;
        let of_type = self.tokens.entry(entity).or_default();
        if let Some(token) = of_type.get(&canonical) {
            return token.clone();
        }
        let number = self.distinct.entry(entity).or_insert(0);
        *number += 1;
        let token = make(*number);
        self.originals
            .entry(token.clone())
            .or_insert_with(|| original.to_string());
        of_type.insert(canonical, token.clone());
        token
    }

    /// Counts an occurrence that is replaced without a token (mask mode).
    pub(crate) fn count(&mut self, entity: EntityType) {
        *self.counts.entry(entity).or_insert(0) += 1;
    }

    /// Redacted occurrences per entity type.
    pub fn counts(&self) -> &BTreeMap<EntityType, usize> {
        &self.counts
    }

    /// Distinct values per entity type (placeholder and keyed-hash modes;
    /// empty in mask mode, which does not remember values).
    pub fn distinct_values(&self) -> &BTreeMap<EntityType, usize> {
        &self.distinct
    }

    /// The counts, without any value, for a run's step output.
    pub fn report(&self) -> RedactionReport {
        RedactionReport::from_counts(&self.counts)
    }

    /// Placeholder or hash token → the original text it replaced (the first
    /// spelling seen). Empty in mask mode.
    pub fn mapping(&self) -> &BTreeMap<String, String> {
        &self.originals
    }

    /// The original behind one token, if this session issued it.
    pub fn original(&self, token: &str) -> Option<&str> {
        self.originals.get(token).map(String::as_str)
    }

    /// `text` with every token this session issued replaced by its
    /// original (e.g. a model's answer that refers to `<PERSON_1>`).
    /// Text that merely looks like a token is left as it is.
    pub fn restore(&self, text: &str) -> String {
        if self.originals.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            out.push_str(&rest[..open]);
            let candidate = &rest[open..];
            let known = candidate.find('>').and_then(|close| {
                let token = &candidate[..=close];
                self.originals
                    .get(token)
                    .map(|original| (token.len(), original))
            });
            match known {
                Some((len, original)) => {
                    out.push_str(original);
                    rest = &candidate[len..];
                }
                None => {
                    out.push('<');
                    rest = &candidate[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}
