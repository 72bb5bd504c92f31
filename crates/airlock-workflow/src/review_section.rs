//! The optional `[review]` section and the `priority` of `review` decision
//! rules: how runs sent to people are queued. Checked like the rest of the
//! file, every problem reported with its position.

use std::time::Duration;

use airlock_core::Decision;
use toml::de::DeValue;
use toml::Spanned;

use crate::definition::{ReviewPolicy, Schema, Step, StepKind};
use crate::raw::RawReview;
use crate::validate::{piece, Checker};

impl Checker<'_> {
    /// The `[review]` section (defaults for what it leaves out). `steps`
    /// are the workflow's valid steps; `output_schema` its output contract,
    /// if that loaded.
    pub(crate) fn review_policy(
        &mut self,
        value: Option<Spanned<DeValue<'_>>>,
        steps: &[Step],
        output_schema: Option<&Schema>,
    ) -> ReviewPolicy {
        let raw = match value {
            None => RawReview::default(),
            Some(value) => {
                let span = value.span();
                if !matches!(value.get_ref(), DeValue::Table(_)) {
                    self.report(
                        Some(span),
                        "`review` must be a table",
                        "write it as a `[review]` section; see docs/workflows.md",
                    );
                    RawReview::default()
                } else {
                    piece::<RawReview>(value).unwrap_or_else(|e| {
                        self.report_de(&e, span, "[review]");
                        RawReview::default()
                    })
                }
            }
        };
        let first_classify = steps
            .iter()
            .find(|s| matches!(s.kind, StepKind::Classify { .. }))
            .map(|s| s.name.clone());
        ReviewPolicy {
            priority: raw
                .priority
                .and_then(|p| self.priority(&p, "`review.priority`"))
                .unwrap_or(ReviewPolicy::DEFAULT_PRIORITY),
            sla: raw
                .sla
                .and_then(|d| self.duration(&d, "sla"))
                .unwrap_or(ReviewPolicy::DEFAULT_SLA),
            lease: raw
                .lease
                .and_then(|d| self.duration(&d, "lease"))
                .unwrap_or(ReviewPolicy::DEFAULT_LEASE),
            consensus: raw
                .consensus
                .and_then(|c| self.consensus(&c))
                .unwrap_or(ReviewPolicy::DEFAULT_CONSENSUS),
            label_step: match raw.label_step {
                Some(step) => self.label_step(step, steps),
                None => first_classify,
            },
            label_field: raw
                .label_field
                .and_then(|field| self.label_field(field, output_schema)),
        }
    }

    /// A decision rule's `priority`: an `i32`, on `review` rules only.
    pub(crate) fn rule_priority(
        &mut self,
        value: &Spanned<i64>,
        label: &str,
        decision: Option<Decision>,
    ) -> Option<i32> {
        if let Some(decision) = decision.filter(|d| *d != Decision::Review) {
            self.report(
                Some(value.span()),
                format!(
                    "{label}: `priority` applies only to rules with decision \"review\", not \"{decision}\""
                ),
                "remove `priority`, or set it on the rule that sends runs to review",
            );
            return None;
        }
        self.priority(value, &format!("{label} `priority`"))
    }

    fn priority(&mut self, value: &Spanned<i64>, what: &str) -> Option<i32> {
        let priority = i32::try_from(*value.get_ref()).ok();
        if priority.is_none() {
            self.report(
                Some(value.span()),
                format!(
                    "{what} is {}, outside {}..={}",
                    value.get_ref(),
                    i32::MIN,
                    i32::MAX
                ),
                "use a small integer; higher is more urgent",
            );
        }
        priority
    }

    fn duration(&mut self, value: &Spanned<String>, key: &str) -> Option<Duration> {
        match humantime::parse_duration(value.get_ref()) {
            Ok(duration) if !duration.is_zero() => Some(duration),
            Ok(_) => {
                self.report(
                    Some(value.span()),
                    format!("`review.{key}` must be longer than zero"),
                    "write a positive duration such as \"15m\" or \"24h\"",
                );
                None
            }
            Err(e) => {
                self.report(
                    Some(value.span()),
                    format!(
                        "`review.{key}` = {:?} is not a duration: {e}",
                        value.get_ref()
                    ),
                    "write a duration such as \"90s\", \"15m\", \"24h\" or \"2days\"",
                );
                None
            }
        }
    }

    fn consensus(&mut self, value: &Spanned<i64>) -> Option<u32> {
        let max = ReviewPolicy::MAX_CONSENSUS;
        let consensus = u32::try_from(*value.get_ref())
            .ok()
            .filter(|c| (1..=max).contains(c));
        if consensus.is_none() {
            self.report(
                Some(value.span()),
                format!(
                    "`review.consensus` is {}, outside 1..={max}",
                    value.get_ref()
                ),
                "the number of independent reviews that must agree; 1 means no consensus",
            );
        }
        consensus
    }

    fn label_step(&mut self, value: Spanned<String>, steps: &[Step]) -> Option<String> {
        let name = value.get_ref();
        match steps.iter().find(|s| &s.name == name) {
            Some(step) if matches!(step.kind, StepKind::Classify { .. }) => {
                Some(value.into_inner())
            }
            Some(step) => {
                self.report(
                    Some(value.span()),
                    format!(
                        "`review.label_step` names step `{name}`, a `{}` step; it must be a `classify` step",
                        step.kind.name()
                    ),
                    classify_steps_hint(steps),
                );
                None
            }
            None => {
                self.report(
                    Some(value.span()),
                    format!("`review.label_step` names step `{name}`, but there is no such step"),
                    classify_steps_hint(steps),
                );
                None
            }
        }
    }

    fn label_field(
        &mut self,
        value: Spanned<String>,
        output_schema: Option<&Schema>,
    ) -> Option<String> {
        // Without a loaded output schema its own problem is reported already.
        let schema = output_schema?;
        let properties = schema
            .json
            .get("properties")
            .and_then(serde_json::Value::as_object);
        if properties.is_some_and(|p| p.contains_key(value.get_ref())) {
            return Some(value.into_inner());
        }
        let known = properties
            .map(|p| p.keys().map(String::as_str).collect::<Vec<_>>().join(", "))
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| "(none)".to_string());
        self.report(
            Some(value.span()),
            format!(
                "`review.label_field` is `{}`, which is not a property of the output schema {}",
                value.get_ref(),
                schema.path
            ),
            format!("name a top-level output property; the schema declares: {known}"),
        );
        None
    }
}

fn classify_steps_hint(steps: &[Step]) -> String {
    let names: Vec<&str> = steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::Classify { .. }))
        .map(|s| s.name.as_str())
        .collect();
    if names.is_empty() {
        "the workflow has no classify step; remove `label_step`".to_string()
    } else {
        format!("classify steps: {}", names.join(", "))
    }
}
