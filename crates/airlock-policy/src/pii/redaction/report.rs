//! What a session redacted, as counts per entity type and never the values,
//! for a run's step output ("3 e-mail addresses redacted").

use crate::pii::entity::EntityType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Counts of redacted values per entity type (every occurrence counts, a
/// value repeated twice counts twice). Serialises as
/// `{"counts": {"EMAIL_ADDRESS": 3}, "total": 3}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactionReport {
    pub counts: BTreeMap<EntityType, usize>,
    pub total: usize,
}

impl RedactionReport {
    pub(crate) fn from_counts(counts: &BTreeMap<EntityType, usize>) -> Self {
        RedactionReport {
            counts: counts.clone(),
            total: counts.values().sum(),
        }
    }

    /// How many values of `entity` were redacted.
    pub fn count(&self, entity: EntityType) -> usize {
        self.counts.get(&entity).copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl fmt::Display for RedactionReport {
    /// `3 EMAIL_ADDRESS, 1 PHONE_NUMBER redacted`, or `nothing redacted`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("nothing redacted");
        }
        let parts: Vec<String> = self
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(e, n)| format!("{n} {e}"))
            .collect();
        write!(f, "{} redacted", parts.join(", "))
    }
}
