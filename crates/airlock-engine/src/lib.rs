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

mod context;
mod decide;
mod engine;
mod local_models;
pub mod metrics_names;
mod models;
mod outcome;
mod review;
mod steps;

pub use engine::{unknown_workflow, Engine, Readiness, RunRequest, IDEMPOTENCY_KEY_MAX_LEN};
pub use local_models::LocalModels;
pub use models::{Alternative, Classification, Generation, Models};
pub use outcome::{RunOutcome, INPUT_CONTRACT_RULE, STEP_FAILED_RULE};
pub use review::{ResolveRequest, RunVerdict};
/// The review queue's filter, as the store takes it.
pub use airlock_store::ReviewFilter;
