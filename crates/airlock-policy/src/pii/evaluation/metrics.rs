//! Span-level scores of a detector on labelled texts.
//!
//! Two matching rules, both type-aware (a finding only ever matches a gold
//! span of its own entity type):
//! - **exact**: a finding is a true positive if a gold span has the same
//!   type and exactly the same start and end; a gold span is recalled if
//!   such a finding exists.
//! - **overlap**: a finding is correct if it shares at least one character
//!   with a gold span of its type; a gold span is recalled if a finding of
//!   its type shares at least one character with it.
//!
//! Precision = correct findings / findings, recall = recalled gold spans /
//! gold spans (the support), F1 their harmonic mean.

use super::dataset::{LabelledSpan, LabelledText};
use crate::pii::detector::PiiDetector;
use crate::pii::entity::EntityType;
use crate::pii::finding::Finding;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Precision, recall and F1 of one matching rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Scores {
    fn from_counts(
        correct_findings: usize,
        findings: usize,
        recalled: usize,
        support: usize,
    ) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(correct_findings, findings);
        let recall = ratio(recalled, support);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            precision,
            recall,
            f1,
        }
    }
}

/// Counts and scores of one entity type.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EntityScores {
    /// Gold spans of this type.
    pub support: usize,
    /// Findings of this type.
    pub findings: usize,
    pub exact_correct: usize,
    pub overlap_correct_findings: usize,
    pub overlap_recalled: usize,
}

impl EntityScores {
    pub fn exact(&self) -> Scores {
        Scores::from_counts(
            self.exact_correct,
            self.findings,
            self.exact_correct,
            self.support,
        )
    }

    pub fn overlap(&self) -> Scores {
        Scores::from_counts(
            self.overlap_correct_findings,
            self.findings,
            self.overlap_recalled,
            self.support,
        )
    }
}

/// A finding with no exact gold counterpart, or a gold span no finding
/// matched exactly, for error analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// Index of the text in the evaluated slice.
    pub text_index: usize,
    pub kind: MismatchKind,
    pub entity: EntityType,
    pub start: usize,
    pub end: usize,
    /// Whether it matches under the overlap rule (a boundary error) or not
    /// at all.
    pub overlaps: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MismatchKind {
    FalsePositive,
    FalseNegative,
}

/// Scores per entity type of the detector, over some labelled texts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvaluationReport {
    pub texts: usize,
    pub per_entity: BTreeMap<EntityType, EntityScores>,
    pub mismatches: Vec<Mismatch>,
}

fn gold_type(span: &LabelledSpan) -> Option<EntityType> {
    EntityType::ALL
        .into_iter()
        .find(|e| e.as_str() == span.entity_type)
}

fn overlaps(a_start: usize, a_end: usize, b_start: usize, b_end: usize) -> bool {
    a_start < b_end && b_start < a_end
}

/// Runs `detector` over `texts` and scores its findings against the gold
/// spans of the types it detects.
pub fn evaluate(detector: &PiiDetector, texts: &[LabelledText]) -> EvaluationReport {
    let mut report = EvaluationReport {
        texts: texts.len(),
        ..EvaluationReport::default()
    };
    for entity in detector.entities() {
        report.per_entity.insert(entity, EntityScores::default());
    }
    for (text_index, labelled) in texts.iter().enumerate() {
        let findings = detector.detect(&labelled.text);
        let gold: Vec<Finding> = labelled
            .spans
            .iter()
            .filter_map(|s| gold_type(s).map(|e| Finding::new(e, s.start, s.end)))
            .filter(|g| detector.detects(g.entity))
            .collect();
        for f in &findings {
            let same_type = || gold.iter().filter(|g| g.entity == f.entity);
            let exact = same_type().any(|g| g.start == f.start && g.end == f.end);
            let overlapping = same_type().any(|g| overlaps(f.start, f.end, g.start, g.end));
            let scores = report.per_entity.entry(f.entity).or_default();
            scores.findings += 1;
            scores.exact_correct += usize::from(exact);
            scores.overlap_correct_findings += usize::from(overlapping);
            if !exact {
                report.mismatches.push(Mismatch {
                    text_index,
                    kind: MismatchKind::FalsePositive,
                    entity: f.entity,
                    start: f.start,
                    end: f.end,
                    overlaps: overlapping,
                });
            }
        }
        for g in &gold {
            let same_type = || findings.iter().filter(|f| f.entity == g.entity);
            let exact = same_type().any(|f| f.start == g.start && f.end == g.end);
            let overlapping = same_type().any(|f| overlaps(f.start, f.end, g.start, g.end));
            let scores = report.per_entity.entry(g.entity).or_default();
            scores.support += 1;
            scores.overlap_recalled += usize::from(overlapping);
            if !exact {
                report.mismatches.push(Mismatch {
                    text_index,
                    kind: MismatchKind::FalseNegative,
                    entity: g.entity,
                    start: g.start,
                    end: g.end,
                    overlaps: overlapping,
                });
            }
        }
    }
    report
}

impl EvaluationReport {
    pub fn scores(&self, entity: EntityType) -> Option<&EntityScores> {
        self.per_entity.get(&entity)
    }

    /// All types pooled (micro average).
    pub fn micro(&self) -> EntityScores {
        let mut total = EntityScores::default();
        for s in self.per_entity.values() {
            total.support += s.support;
            total.findings += s.findings;
            total.exact_correct += s.exact_correct;
            total.overlap_correct_findings += s.overlap_correct_findings;
            total.overlap_recalled += s.overlap_recalled;
        }
        total
    }

    /// A markdown table: one row per entity type and a pooled row, with
    /// support, findings, and precision/recall/F1 under both rules (`–`
    /// for a type with neither gold spans nor findings).
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str("| entity | support | found | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        let rows = self
            .per_entity
            .iter()
            .map(|(e, s)| (e.as_str().to_string(), s.clone()))
            .chain(std::iter::once(("all (micro)".to_string(), self.micro())));
        for (name, s) in rows {
            if s.support == 0 && s.findings == 0 {
                let _ = writeln!(out, "| {name} | 0 | 0 | – | – | – | – | – | – |");
                continue;
            }
            let (x, o) = (s.exact(), s.overlap());
            let _ = writeln!(
                out,
                "| {name} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                s.support, s.findings, x.precision, x.recall, x.f1, o.precision, o.recall, o.f1
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(text: &str, spans: &[(&str, usize, usize)]) -> LabelledText {
        LabelledText {
            text: text.to_string(),
            spans: spans
                .iter()
                .map(|&(t, start, end)| LabelledSpan {
                    entity_type: t.to_string(),
                    start,
                    end,
                })
                .collect(),
            template_id: None,
        }
    }

    #[test]
    fn exact_and_overlap_rules_differ_on_boundaries() {
        let Ok(detector) = PiiDetector::new(&[EntityType::Email, EntityType::Phone]) else {
            panic!("detector");
        };
        // Gold marks "mail a@example.com" (too wide), and a phone nobody finds.
        let texts = vec![labelled(
            "mail a@example.com now, fax unknown",
            &[
                ("EMAIL_ADDRESS", 0, 18),
                ("PHONE_NUMBER", 24, 27),
                ("PERSON", 0, 4),
            ],
        )];
        let report = evaluate(&detector, &texts);
        let email = report
            .scores(EntityType::Email)
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            (email.support, email.findings, email.exact_correct),
            (1, 1, 0)
        );
        assert_eq!(email.overlap().precision, 1.0);
        assert_eq!(email.overlap().recall, 1.0);
        assert_eq!(email.exact().f1, 0.0);
        let phone = report
            .scores(EntityType::Phone)
            .cloned()
            .unwrap_or_default();
        assert_eq!((phone.support, phone.findings), (1, 0));
        // PERSON is not detected by this detector, so it is not scored.
        assert!(report.scores(EntityType::Person).is_none());
        assert_eq!(report.mismatches.len(), 3);
        assert!(report
            .to_markdown()
            .contains("| EMAIL_ADDRESS | 1 | 1 | 0.000"));
    }
}
