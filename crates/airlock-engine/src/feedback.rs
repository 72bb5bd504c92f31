//! Feedback from downstream systems about a run: the true label, a score
//! or an outcome (e.g. "customer reopened the ticket"), idempotent by a key
//! the client chooses. Sending the same key with the same body again
//! returns the stored record (`replayed`); with a different body it is a
//! `conflict`.
//!
//! Labels are checked for shape only, not against the classifier's label
//! set: the [`crate::Models`] interface does not expose label sets (a
//! hosted classifier may not have a fixed one), and downstream systems may
//! well report a label the current classifier does not know yet, which is
//! exactly what retraining needs.

use airlock_core::{Error, FeedbackId, FeedbackRecord, Result, RunId, Timestamp};
use airlock_store::{FeedbackFilter, FeedbackInserted, FeedbackStore, Page};
use serde::{Deserialize, Serialize};

use crate::engine::{Engine, IDEMPOTENCY_KEY_MAX_LEN};
use crate::metrics_names as m;

/// Longest label, outcome (characters).
pub const FEEDBACK_TEXT_MAX_CHARS: usize = 200;
/// Longest comment (characters).
pub const FEEDBACK_COMMENT_MAX_CHARS: usize = 2000;

/// What a downstream system reports about one run (the body of
/// `POST /v1/runs/{id}/feedback`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The client's idempotency key, unique per run: 1..=255 printable
    /// ASCII characters without spaces.
    pub key: String,
    /// The true label, if the reporter knows it.
    #[serde(default)]
    pub label: Option<String>,
    /// A numeric judgement (e.g. a rating); must be finite.
    #[serde(default)]
    pub score: Option<f64>,
    /// What happened downstream: a snake_case word such as
    /// `ticket_reopened`, or a short free text.
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

impl FeedbackRequest {
    /// Checks every field; the error names the first field at fault.
    pub fn validate(&self) -> Result<()> {
        check_key(&self.key)?;
        if self.label.is_none() && self.score.is_none() && self.outcome.is_none() {
            return Err(Error::invalid_input(
                "feedback needs at least one of `label`, `score` or `outcome`",
            )
            .with_field("label")
            .with_hint("send e.g. {\"key\": \"...\", \"outcome\": \"ticket_reopened\"}"));
        }
        if let Some(label) = &self.label {
            check_text("label", label, FEEDBACK_TEXT_MAX_CHARS, false)?;
        }
        if let Some(score) = self.score {
            if !score.is_finite() {
                return Err(Error::invalid_input(format!(
                    "`score` must be a finite number, got {score}"
                ))
                .with_field("score"));
            }
        }
        if let Some(outcome) = &self.outcome {
            check_text("outcome", outcome, FEEDBACK_TEXT_MAX_CHARS, false)?;
        }
        if let Some(comment) = &self.comment {
            check_text("comment", comment, FEEDBACK_COMMENT_MAX_CHARS, true)?;
        }
        Ok(())
    }

    /// Whether `record` says what this request says (the idempotency test).
    fn same_as(&self, record: &FeedbackRecord) -> bool {
        self.label == record.label
            && self.score == record.score
            && self.outcome == record.outcome
            && self.comment == record.comment
    }
}

/// The key rules of an `Idempotency-Key`, for the body's `key`.
fn check_key(key: &str) -> Result<()> {
    let problem = if key.is_empty() {
        "is empty"
    } else if key.len() > IDEMPOTENCY_KEY_MAX_LEN {
        "is longer than 255 bytes"
    } else if !key.bytes().all(|b| b.is_ascii_graphic()) {
        "must be printable ASCII without spaces"
    } else {
        return Ok(());
    };
    Err(Error::invalid_input(format!("`key` {problem}"))
        .with_field("key")
        .with_hint(
            "send a unique token per piece of feedback, e.g. a UUID; resend the same key to retry",
        ))
}

/// A non-blank text of at most `max` characters; control characters only
/// where `multiline` (newlines and tabs in comments).
fn check_text(field: &str, text: &str, max: usize, multiline: bool) -> Result<()> {
    let problem = if text.trim().is_empty() {
        "is blank".to_string()
    } else if text.chars().count() > max {
        format!("is longer than {max} characters")
    } else if text
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
    {
        "contains control characters".to_string()
    } else {
        return Ok(());
    };
    Err(Error::invalid_input(format!("`{field}` {problem}")).with_field(field))
}

impl Engine {
    /// Records feedback about run `run_id`. Returns the stored record and
    /// whether it was already there (same key, same body: a retry).
    /// `not_found` for an unknown run, `invalid_input` naming the field,
    /// `conflict` when the key was used with a different body.
    pub async fn add_feedback(
        &self,
        run_id: RunId,
        request: FeedbackRequest,
    ) -> Result<(FeedbackRecord, bool)> {
        request.validate()?;
        let run = self.get_run(run_id).await?;
        // Stored redacted like every payload; the same text redacts the
        // same way, so a retry still compares equal.
        let mut request = request;
        if let Some(privacy) = self.inner.privacy.get(&run.workflow) {
            let mut session = airlock_policy::pii::RedactionSession::new();
            request.comment = request
                .comment
                .map(|c| privacy.redact_text(&c, &mut session));
            request.outcome = request
                .outcome
                .map(|o| privacy.redact_text(&o, &mut session));
        }
        let record = FeedbackRecord {
            id: FeedbackId::new(),
            run_id,
            workflow: run.workflow,
            key: request.key.clone(),
            label: request.label.clone(),
            score: request.score,
            outcome: request.outcome.clone(),
            comment: request.comment.clone(),
            created_at: Timestamp::now(),
        };
        match self.store().insert_feedback(record).await? {
            FeedbackInserted::Created(record) => {
                let kinds = [
                    ("label", record.label.is_some()),
                    ("score", record.score.is_some()),
                    ("outcome", record.outcome.is_some()),
                ];
                for (kind, present) in kinds {
                    if present {
                        metrics::counter!(
                            m::FEEDBACK_TOTAL,
                            "workflow" => record.workflow.clone(),
                            "kind" => kind
                        )
                        .increment(1);
                    }
                }
                Ok((record, false))
            }
            FeedbackInserted::Existing(record) if request.same_as(&record) => Ok((record, true)),
            FeedbackInserted::Existing(record) => Err(Error::conflict(format!(
                "feedback key `{}` was already used for run {run_id} with a different body",
                record.key
            ))
            .with_field("key")
            .with_hint("use a new key for new feedback; retry only with the same body")),
        }
    }

    /// Feedback matching `filter`, newest first.
    pub async fn list_feedback(&self, filter: &FeedbackFilter) -> Result<Page<FeedbackRecord>> {
        self.store().list_feedback(filter).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use airlock_core::ErrorKind;

    fn request() -> FeedbackRequest {
        FeedbackRequest {
            key: "k-1".into(),
            label: None,
            score: None,
            outcome: Some("ticket_reopened".into()),
            comment: None,
        }
    }

    fn field_of(request: FeedbackRequest) -> String {
        let err = request.validate().expect_err("invalid");
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        err.field().unwrap_or_default().to_string()
    }

    #[test]
    fn a_valid_request_passes() {
        request().validate().expect("valid");
        FeedbackRequest {
            outcome: None,
            score: Some(-2.5),
            comment: Some("line one\nline two".into()),
            ..request()
        }
        .validate()
        .expect("valid");
    }

    #[test]
    fn the_key_follows_the_idempotency_key_rules() {
        for key in ["", "has space", "é", &"k".repeat(256)] {
            let r = FeedbackRequest {
                key: key.to_string(),
                ..request()
            };
            assert_eq!(field_of(r), "key", "{key:?}");
        }
        FeedbackRequest {
            key: "k".repeat(255),
            ..request()
        }
        .validate()
        .expect("255 bytes is the limit");
    }

    #[test]
    fn one_of_label_score_outcome_is_required() {
        let err = FeedbackRequest {
            outcome: None,
            comment: Some("only a comment".into()),
            ..request()
        }
        .validate()
        .expect_err("nothing to record");
        for name in ["`label`", "`score`", "`outcome`"] {
            assert!(err.message().contains(name), "{}", err.message());
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = [
            (
                FeedbackRequest {
                    score: Some(f64::NAN),
                    ..request()
                },
                "score",
            ),
            (
                FeedbackRequest {
                    score: Some(f64::INFINITY),
                    ..request()
                },
                "score",
            ),
            (
                FeedbackRequest {
                    label: Some("  ".into()),
                    ..request()
                },
                "label",
            ),
            (
                FeedbackRequest {
                    outcome: Some("x".repeat(201)),
                    ..request()
                },
                "outcome",
            ),
            (
                FeedbackRequest {
                    outcome: Some("two\nlines".into()),
                    ..request()
                },
                "outcome",
            ),
            (
                FeedbackRequest {
                    comment: Some("c".repeat(2001)),
                    ..request()
                },
                "comment",
            ),
        ];
        for (r, field) in bad {
            assert_eq!(field_of(r), field);
        }
        FeedbackRequest {
            outcome: Some("the customer called back twice".into()),
            ..request()
        }
        .validate()
        .expect("free text outcome up to 200 characters");
    }

    #[test]
    fn unknown_json_fields_are_refused() {
        let err = serde_json::from_value::<FeedbackRequest>(serde_json::json!({
            "key": "k", "lable": "x"
        }))
        .expect_err("typo");
        assert!(err.to_string().contains("lable"), "{err}");
    }
}
