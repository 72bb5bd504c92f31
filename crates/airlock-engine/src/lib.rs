//! The workflow runtime. An [`Engine`] holds the compiled workflow
//! definitions, the durable run store and the models; [`Engine::run`]
//! executes one run: the input contract, each step in order (skipping those
//! whose `when` is false), the output, the decision chosen by the
//! workflow's ordered rules, and the run record, committed before the
//! caller gets an answer. Inputs that fail the input contract are also
//! quarantined with the reason.
//!
//! Models are reached through the [`Models`] trait so the runtime does not
//! care whether a classifier or generator is local or hosted;
//! [`LocalModels`] is the in-process implementation.
//!
//! Metrics are emitted through the `metrics` facade (see [`metrics_names`]);
//! whoever embeds the engine installs a recorder (the server exports them
//! in Prometheus format).

pub mod access;
mod audit;
mod context;
mod decide;
mod engine;
mod feedback;
pub mod gateway;
mod label_text;
mod local_models;
pub mod metrics_names;
mod models;
mod outcome;
mod privacy;
mod quality;
mod quality_metrics;
mod retention;
mod review;
mod steps;
mod timeline;

pub use access::{actor_name, IssuedKey, KeySpec, KEY_NAME_MAX_CHARS};
/// The review queue's filter, as the store takes it.
pub use airlock_store::ReviewFilter;
pub use engine::{unknown_workflow, Engine, Readiness, RunRequest, IDEMPOTENCY_KEY_MAX_LEN};
pub use feedback::{FeedbackRequest, FEEDBACK_COMMENT_MAX_CHARS, FEEDBACK_TEXT_MAX_CHARS};
pub use label_text::{classify_text, label_step, suggested_label};
pub use local_models::LocalModels;
pub use models::{Alternative, Classification, Generation, Models};
pub use outcome::{RunOutcome, INPUT_CONTRACT_RULE, STEP_FAILED_RULE};
pub use privacy::with_raw_payload;
pub use quality::{
    BacklogReport, DecisionTally, FeedbackReport, LabelQuality, QualityFigures, QualityReport,
    QualityScope, ReviewTally, VersionQuality,
};
pub use quality_metrics::{
    refresh_quality_metrics, set_quality_gauges, spawn_quality_metrics, QUALITY_REFRESH_INTERVAL,
};
pub use review::{ResolveRequest, RunVerdict, REVIEWER_MAX_CHARS};
pub use timeline::{Timeline, TimelineBucket, TIMELINE_MAX_BUCKETS, TIMELINE_MAX_RUNS};
