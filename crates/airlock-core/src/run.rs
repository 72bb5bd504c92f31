//! The durable record of a workflow run and of a quarantined input: the
//! domain types the run store persists and the HTTP API returns.
//!
//! Identifiers are ULIDs: 48 bits of milliseconds then 80 random bits,
//! written as 26 Crockford base32 characters whose string order is their
//! time order, so "newest first" and cursor pagination can both use the id.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use ulid::Ulid;

use crate::{Error, Result};

ulid_id!(
    /// Identifies one run; time-ordered, so sorting by id sorts by creation.
    RunId,
    "run_id"
);

ulid_id!(
    /// Identifies one quarantined input.
    QuarantineId,
    "quarantine_id"
);

/// A UTC instant with millisecond precision, written as RFC 3339
/// (`2024-05-01T12:34:56.789Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_ms: i64,
}

impl Timestamp {
    /// The current time, truncated to the millisecond.
    pub fn now() -> Self {
        let unix_ms = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
            // A clock before 1970 is a misconfigured host; keep the sign.
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        };
        Timestamp { unix_ms }
    }

    /// The instant `unix_ms` milliseconds after 1970-01-01T00:00:00Z.
    /// Fails for instants outside the years -9999..=9999 that RFC 3339 can
    /// write.
    pub fn from_unix_ms(unix_ms: i64) -> Result<Self> {
        Self::to_datetime(unix_ms)?;
        Ok(Timestamp { unix_ms })
    }

    pub fn unix_ms(&self) -> i64 {
        self.unix_ms
    }

    /// Parses RFC 3339; sub-millisecond digits are truncated.
    pub fn parse_rfc3339(text: &str) -> Result<Self> {
        let parsed = OffsetDateTime::parse(text, &Rfc3339).map_err(|err| {
            Error::invalid_input(format!("`{text}` is not an RFC 3339 timestamp: {err}"))
                .with_hint("write timestamps like 2024-05-01T12:34:56.789Z")
        })?;
        let unix_ms = parsed.unix_timestamp_nanos().div_euclid(1_000_000);
        let unix_ms = i64::try_from(unix_ms)
            .map_err(|_| Error::invalid_input(format!("timestamp `{text}` is out of range")))?;
        Ok(Timestamp { unix_ms })
    }

    fn to_datetime(unix_ms: i64) -> Result<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000).map_err(|err| {
            Error::invalid_input(format!(
                "{unix_ms} ms since the Unix epoch is out of range: {err}"
            ))
        })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Construction guarantees the range, so both steps succeed; fall back
        // to the raw number rather than panicking if that ever changes.
        match Self::to_datetime(self.unix_ms)
            .ok()
            .and_then(|dt| dt.format(&Rfc3339).ok())
        {
            Some(text) => f.write_str(&text),
            None => write!(f, "{}ms", self.unix_ms),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

word_enum!(
    /// How a run ended, chosen by the workflow's decision rules.
    Decision, "decision", {
        /// The output goes out without a person.
        Auto => "auto",
        /// A person must decide.
        Review => "review",
        /// A deterministic fallback output was used.
        Fallback => "fallback",
        /// The request is refused.
        Block => "block",
    }
);

word_enum!(
    /// Whether every step ran without error.
    RunStatus, "status", {
        Completed => "completed",
        /// A step errored; the run records the error.
        Failed => "failed",
    }
);

word_enum!(
    /// The kind of a workflow step.
    StepKind, "kind", {
        Validate => "validate",
        Rule => "rule",
        Classify => "classify",
        Generate => "generate",
        Fallback => "fallback",
        Redact => "redact",
        Guard => "guard",
        /// One call to a model provider (a gateway request's attempts).
        ModelCall => "model_call",
    }
);

word_enum!(
    /// How much a committed run survives, chosen in config.
    Durability, "durability", default Fsync, {
        /// The commit reaches the disk before the run is acknowledged, so it
        /// survives power loss (the default).
        Fsync => "fsync",
        /// The commit reaches the database, not necessarily the disk: it
        /// survives a crash of Airlock, not of the machine.
        Process => "process",
    }
);

word_enum!(
    /// How the SQLite group-commit thread is scheduled, chosen in config.
    /// Every waiting run depends on that one thread, so a commit preempted
    /// by another thread holds all of them back.
    CommitPriority, "commit_priority", default Normal, {
        /// Ordinary time-sharing, like every other thread (the default).
        Normal => "normal",
        /// Real-time (`SCHED_FIFO`, lowest real-time level): no ordinary
        /// thread preempts a commit. Needs `CAP_SYS_NICE` (or root) on
        /// Linux; without it the thread stays normal, with a warning.
        Realtime => "realtime",
    }
);

/// What one step of a run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step's name in the workflow (`intent`, `draft`, ...).
    pub name: String,
    pub kind: StepKind,
    /// The step's typed output (`null` when it was skipped or failed).
    pub output: serde_json::Value,
    pub latency_us: u64,
    pub error: Option<String>,
    /// The model the step ran, if any.
    pub model: Option<String>,
    /// True when the step's `when` condition was false.
    pub skipped: bool,
}

/// Everything one run did, as committed before the caller got an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: RunId,
    pub workflow: String,
    /// Content hash of the workflow definition the run used.
    pub workflow_version: String,
    /// The input as stored (after redaction, once redaction exists).
    pub input: serde_json::Value,
    pub steps: Vec<StepRecord>,
    pub output: Option<serde_json::Value>,
    pub decision: Decision,
    /// The decision rule that fired.
    pub rule: Option<String>,
    pub confidence: Option<f64>,
    /// Every model the run used.
    pub models: Vec<String>,
    pub status: RunStatus,
    pub error: Option<String>,
    /// The caller's `Idempotency-Key`; unique per workflow.
    pub idempotency_key: Option<String>,
    pub created_at: Timestamp,
    /// Wall time of the whole run.
    pub latency_us: u64,
    /// The release (deployment) that served the run, if known.
    pub release_id: Option<String>,
    /// The review task created for this run (decision `review` only).
    #[serde(default)]
    pub review_id: Option<crate::ReviewId>,
    /// The API key that asked for the run (`None`: in-process, e.g. the CLI).
    #[serde(default)]
    pub key_id: Option<String>,
    /// SHA-256 of the input as received (before redaction): an idempotent
    /// retry is compared by it, since the stored input may be redacted.
    #[serde(default, skip_serializing)]
    pub request_hash: Option<String>,
    /// When retention removed the run's payloads (input, steps, output).
    #[serde(default)]
    pub purged_at: Option<Timestamp>,
    /// What the run's priced model calls cost, in millionths of a US
    /// dollar (`None`: it made none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_micro_usd: Option<u64>,
}

/// An input that failed its workflow's input contract, kept with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantineRecord {
    pub id: QuarantineId,
    pub workflow: String,
    pub received_at: Timestamp,
    pub input: serde_json::Value,
    /// Why the input was rejected.
    pub reason: String,
    /// The offending field, when one is known.
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn run_id_round_trips_through_text_and_orders_by_time() {
        let earlier = RunId::from_ulid(Ulid::from_parts(1_000, 99));
        let later = RunId::from_ulid(Ulid::from_parts(2_000, 1));
        assert!(earlier.to_string() < later.to_string());
        assert!(earlier < later);
        let parsed: RunId = later.to_string().parse().expect("valid id");
        assert_eq!(parsed, later);
        assert_eq!(parsed.timestamp_ms(), 2_000);
    }

    #[test]
    fn bad_run_id_names_the_field() {
        let err = "not-a-ulid".parse::<RunId>().expect_err("must fail");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some("run_id"));
    }

    #[test]
    fn timestamp_writes_rfc3339_with_milliseconds() {
        let ts = Timestamp::from_unix_ms(1_714_566_896_789).expect("in range");
        assert_eq!(ts.to_string(), "2024-05-01T12:34:56.789Z");
        let back = Timestamp::parse_rfc3339("2024-05-01T12:34:56.789999Z").expect("parses");
        assert_eq!(back, ts, "sub-millisecond digits are truncated");
        assert!(Timestamp::from_unix_ms(i64::MAX).is_err());
    }

    #[test]
    fn decision_words_are_stable_and_errors_list_the_choices() {
        assert_eq!(Decision::Review.as_str(), "review");
        assert_eq!(
            serde_json::to_value(Decision::Fallback).expect("serialises"),
            "fallback"
        );
        let err = "maybe".parse::<Decision>().expect_err("must fail");
        assert_eq!(err.field(), Some("decision"));
        assert!(err
            .hint()
            .unwrap_or_default()
            .contains("auto, review, fallback, block"));
        assert_eq!(
            "process".parse::<Durability>().expect("valid"),
            Durability::Process
        );
        assert_eq!(Durability::default(), Durability::Fsync);
    }

    #[test]
    fn run_record_serde_round_trip_keeps_every_field() {
        let record = RunRecord {
            id: RunId::new(),
            workflow: "support-triage".into(),
            workflow_version: "sha256:abc".into(),
            input: serde_json::json!({"message": "hi"}),
            steps: vec![StepRecord {
                name: "intent".into(),
                kind: StepKind::Classify,
                output: serde_json::json!({"label": "card_arrival", "confidence": 0.9}),
                latency_us: 1234,
                error: None,
                model: Some("banking77".into()),
                skipped: false,
            }],
            output: Some(serde_json::json!({"reply": "ok"})),
            decision: Decision::Auto,
            rule: Some("default".into()),
            confidence: Some(0.9),
            models: vec!["banking77".into()],
            status: RunStatus::Completed,
            error: None,
            idempotency_key: Some("k1".into()),
            created_at: Timestamp::from_unix_ms(1_714_566_896_789).expect("in range"),
            latency_us: 5678,
            release_id: None,
            review_id: None,
            key_id: None,
            request_hash: None,
            purged_at: None,
            cost_micro_usd: None,
        };
        let json = serde_json::to_string(&record).expect("serialises");
        let back: RunRecord = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, record);
    }
}
