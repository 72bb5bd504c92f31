//! Measuring a [`crate::pii::PiiDetector`] against labelled texts: reading
//! Presidio-style datasets (character offsets converted to byte offsets)
//! and span-level precision, recall and F1 per entity type, under exact
//! and overlap matching. Pure: the caller reads the file.

mod dataset;
mod metrics;

pub use dataset::{parse_presidio_dataset, LabelledSpan, LabelledText};
pub use metrics::{evaluate, EntityScores, EvaluationReport, Mismatch, MismatchKind, Scores};
