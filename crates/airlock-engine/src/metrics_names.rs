//! Names and labels of the metrics the engine emits through the `metrics`
//! facade. They are part of the operator-facing API (dashboards and alerts
//! use them), so they live in one place.

/// Counter: finished runs, labels `workflow`, `decision`, `status`.
pub const RUNS_TOTAL: &str = "airlock_runs_total";
/// Histogram (seconds): a run's wall time, label `workflow`.
pub const RUN_DURATION_SECONDS: &str = "airlock_run_duration_seconds";
/// Histogram (seconds): one step's wall time, labels `workflow`, `step`, `kind`.
pub const STEP_DURATION_SECONDS: &str = "airlock_step_duration_seconds";
/// Counter: steps that errored, labels `workflow`, `step`, `kind`.
pub const STEP_ERRORS_TOTAL: &str = "airlock_step_errors_total";
/// Gauge: runs being executed right now, label `workflow`.
pub const RUNS_IN_FLIGHT: &str = "airlock_runs_in_flight";
/// Counter: inputs that failed the input contract, label `workflow`.
pub const QUARANTINED_TOTAL: &str = "airlock_quarantined_total";
/// Counter: requests answered from an earlier run by idempotency key, label `workflow`.
pub const IDEMPOTENT_REPLAYS_TOTAL: &str = "airlock_idempotent_replays_total";

/// Counter: feedback records created, labels `workflow`, `kind`
/// (`label`, `score`, `outcome`: one increment per kind the record carries).
pub const FEEDBACK_TOTAL: &str = "airlock_feedback_total";
/// Gauge: unresolved review tasks, label `workflow` (refreshed from the
/// database, so right across processes; see `quality_metrics`).
pub const REVIEW_BACKLOG: &str = "airlock_review_backlog";
/// Gauge (seconds): age of the oldest unresolved review task, label `workflow`.
pub const REVIEW_BACKLOG_OLDEST_SECONDS: &str = "airlock_review_backlog_oldest_seconds";
/// Gauge: review tasks resolved late or unresolved past due, label `workflow`.
pub const REVIEW_SLA_BREACHES: &str = "airlock_review_sla_breaches";
/// Gauge: `auto` runs / runs, label `workflow`.
pub const AUTOMATION_RATE: &str = "airlock_automation_rate";
/// Gauge: overridden / resolved review tasks, label `workflow`.
pub const OVERRIDE_RATE: &str = "airlock_override_rate";
/// Gauge: share of labelled reviews whose suggested label was right, label `workflow`.
pub const SUGGESTION_ACCURACY: &str = "airlock_suggestion_accuracy";

/// Counter: review tasks created, label `workflow`.
pub const REVIEWS_CREATED_TOTAL: &str = "airlock_reviews_created_total";
/// Counter: review tasks resolved, labels `workflow`, `action`.
pub const REVIEWS_RESOLVED_TOTAL: &str = "airlock_reviews_resolved_total";
/// Counter: review tasks escalated to an adjudicator, label `workflow`.
pub const REVIEWS_ESCALATED_TOTAL: &str = "airlock_reviews_escalated_total";
/// Counter: review tasks announced as overdue, label `workflow`.
pub const REVIEWS_OVERDUE_TOTAL: &str = "airlock_reviews_overdue_total";
/// Histogram (seconds): from a review task's creation to its resolution, label `workflow`.
pub const REVIEW_DURATION_SECONDS: &str = "airlock_review_duration_seconds";

/// Every histogram above, for recorders that need bucket configuration.
pub const HISTOGRAMS: &[&str] = &[
    RUN_DURATION_SECONDS,
    STEP_DURATION_SECONDS,
    REVIEW_DURATION_SECONDS,
];

/// Requests refused by authorization, by action.
pub const ACCESS_DENIED_TOTAL: &str = "airlock_access_denied_total";

/// Counter: calls through the model gateway, by route, answering provider
/// and outcome (`ok`, `failed`).
pub const MODEL_CALLS_TOTAL: &str = "airlock_model_calls_total";
/// Counter: what model calls cost, in millionths of a US dollar, by route.
pub const MODEL_COST_MICRO_USD_TOTAL: &str = "airlock_model_cost_micro_usd_total";
