//! One piece of personal data found in a text, and how findings that
//! overlap are resolved into a sorted, non-overlapping list.

use super::entity::EntityType;
use serde::Serialize;
use std::collections::BTreeMap;

/// Personal data of kind `entity` at `text[start..end]` (byte offsets, on
/// character boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    pub entity: EntityType,
    pub start: usize,
    pub end: usize,
}

impl Finding {
    pub fn new(entity: EntityType, start: usize, end: usize) -> Self {
        Finding { entity, start, end }
    }

    /// The found text (empty if the offsets do not belong to `text`).
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn overlaps(&self, other: &Finding) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Keeps a non-overlapping subset of `findings`, sorted by start.
///
/// When two findings overlap, the one whose entity type comes first in
/// [`EntityType::ALL`] wins (an e-mail address over the person name inside
/// it, a Luhn-valid card over a phone-shaped digit run); between the same
/// type, the longer one wins, then the earlier one. Empty findings are
/// dropped.
pub fn resolve_overlaps(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.retain(|f| !f.is_empty());
    findings.sort_by(|a, b| {
        a.entity
            .priority()
            .cmp(&b.entity.priority())
            .then(b.len().cmp(&a.len()))
            .then(a.start.cmp(&b.start))
    });
    // Kept findings by start, so each candidate is checked against its two
    // neighbours only: O(n log n) even for texts with many findings.
    let mut kept: BTreeMap<usize, Finding> = BTreeMap::new();
    for candidate in findings {
        let clashes_before = kept
            .range(..=candidate.start)
            .next_back()
            .is_some_and(|(_, k)| k.overlaps(&candidate));
        let clashes_after = kept
            .range(candidate.start..)
            .next()
            .is_some_and(|(_, k)| k.overlaps(&candidate));
        if !clashes_before && !clashes_after {
            kept.insert(candidate.start, candidate);
        }
    }
    kept.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_priority_wins_then_longer() {
        let resolved = resolve_overlaps(vec![
            Finding::new(EntityType::Person, 0, 5),
            Finding::new(EntityType::Email, 0, 20),
            Finding::new(EntityType::Phone, 30, 40),
            Finding::new(EntityType::Phone, 28, 45),
            Finding::new(EntityType::Person, 50, 50),
        ]);
        assert_eq!(
            resolved,
            vec![
                Finding::new(EntityType::Email, 0, 20),
                Finding::new(EntityType::Phone, 28, 45),
            ]
        );
    }

    #[test]
    fn adjacent_findings_both_stay_sorted() {
        let resolved = resolve_overlaps(vec![
            Finding::new(EntityType::Person, 10, 15),
            Finding::new(EntityType::Phone, 0, 10),
        ]);
        assert_eq!(resolved.len(), 2);
        assert!(resolved[0].start < resolved[1].start);
    }
}
