//! The workflow file as written: serde structs that mirror `workflow.toml`
//! one to one, with every value kept with its source span so problems can
//! name a line. Unknown keys are rejected here; everything else (required
//! fields, enum values, cross references) is checked by `validate` so that
//! all problems are reported together rather than the first one only.
//!
//! The document is deserialized in pieces (the header, `[review]`, each
//! step, each decision) so a mistake in one piece does not hide mistakes in the others.

use serde::Deserialize;
use toml::Spanned;

/// Top-level keys other than `steps`, `decision` and `review`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub owner: Option<Spanned<String>>,
    pub risk: Option<Spanned<String>>,
    pub data_class: Option<Spanned<String>>,
    pub runbook: Option<Spanned<String>>,
    pub input: Option<Spanned<RawInput>>,
    pub output: Option<Spanned<RawOutput>>,
}

/// `[input]`: the input contract.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInput {
    pub schema: Option<Spanned<String>>,
}

/// `[output]`: the output contract and how the output is built.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    pub schema: Option<Spanned<String>>,
    /// CEL expression building the run's output from `input` and `steps`.
    pub value: Option<Spanned<String>>,
}

/// One `[[steps]]` table. All kinds share one struct; which fields a kind
/// needs or forbids is checked in `validate`, which gives better messages
/// than a serde tagged enum would.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub name: Option<Spanned<String>>,
    pub kind: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub when: Option<Spanned<String>>,
    pub on_error: Option<Spanned<String>>,
    /// `validate`: extra data checks beyond the input schema.
    pub checks: Option<Vec<Spanned<RawCheck>>>,
    /// `rule`: the CEL expression.
    pub expr: Option<Spanned<String>>,
    /// `classify`: classifier artifact, relative to the data directory.
    pub model: Option<Spanned<String>>,
    /// `classify`: CEL expression yielding the text.
    pub text: Option<Spanned<String>>,
    /// `classify`: labelled data (`text,label` CSV or JSONL) the classifier
    /// is trained from when its artifact is missing.
    pub training_data: Option<Spanned<String>>,
    /// `generate`: prompt template file.
    pub prompt: Option<Spanned<String>>,
    /// `generate`: token budget.
    pub max_tokens: Option<Spanned<i64>>,
    /// `fallback`: fixed output value.
    pub output: Option<Spanned<serde_json::Value>>,
    /// `fallback`: template file rendering the output text.
    pub template: Option<Spanned<String>>,
    /// `redact`: `mask`, `placeholder` or `hash` (default: the `[pii]` mode).
    pub mode: Option<Spanned<String>>,
    /// `redact`: entity words (default: the `[pii]` entities).
    pub entities: Option<Spanned<Vec<Spanned<String>>>>,
    /// `guard`: the score at which the step acts, in (0, 1].
    pub threshold: Option<Spanned<f64>>,
    /// `guard`: `block` or `review`.
    pub action: Option<Spanned<String>>,
}

/// One `[[steps.checks]]` entry of a `validate` step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub expr: Option<Spanned<String>>,
    pub message: Option<Spanned<String>>,
}

/// One `[[decision]]` rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDecision {
    pub name: Option<Spanned<String>>,
    pub when: Option<Spanned<String>>,
    pub decision: Option<Spanned<String>>,
    pub reason: Option<Spanned<String>>,
    /// `review` rules only: the priority of the tasks this rule creates.
    pub priority: Option<Spanned<i64>>,
}

/// `[review]`: how runs this workflow sends to review are queued.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReview {
    pub priority: Option<Spanned<i64>>,
    /// Humantime duration, e.g. `"24h"`.
    pub sla: Option<Spanned<String>>,
    /// Humantime duration, e.g. `"15m"`.
    pub lease: Option<Spanned<String>>,
    pub consensus: Option<Spanned<i64>>,
    pub label_step: Option<Spanned<String>>,
    pub label_field: Option<Spanned<String>>,
}

/// `[pii]`: redaction of stored payloads (and the default of `redact` steps).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPii {
    pub entities: Option<Spanned<Vec<Spanned<String>>>>,
    pub mode: Option<Spanned<String>>,
    pub keep_raw: Option<Spanned<bool>>,
}

/// `[retention]`: how long payloads are kept.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetention {
    /// Humantime duration, e.g. `"90d"`.
    pub payloads: Option<Spanned<String>>,
}
