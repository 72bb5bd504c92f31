//! [`Engine`]: runs workflows and records every run durably before
//! answering.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use airlock_core::{
    Decision, Error, EventType, QuarantineId, QuarantineRecord, Result, RunId, RunRecord,
    RunStatus, StepKind, StepRecord, Timestamp,
};
use airlock_store::{
    Inserted, NewReview, NewRun, Page, QuarantineFilter, QuarantineStore, RunFilter, RunStore,
    Store,
};
use airlock_workflow::{OnError, WorkflowDefinition};
use serde_json::{json, Value};

use crate::context::RunContext;
use crate::decide::decide;
use crate::metrics_names as m;
use crate::models::Models;
use crate::outcome::{rejected_input, RunOutcome, INPUT_CONTRACT_RULE, STEP_FAILED_RULE};
use crate::privacy::{self, WorkflowPrivacy};
use crate::review::{self, ReviewConfig};
use crate::steps::{self, contract_errors};
use airlock_policy::authz::Authorizer;
use airlock_policy::injection::InjectionHeuristics;
use airlock_policy::pii::{HashKey, RedactionSession};

/// Longest `Idempotency-Key` accepted.
pub const IDEMPOTENCY_KEY_MAX_LEN: usize = 255;

/// One request to run a workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    pub workflow: String,
    pub input: Value,
    /// Same key (per workflow) → same run, never a second one.
    pub idempotency_key: Option<String>,
    /// The API key that asks (recorded with the run); `None` in-process.
    pub key_id: Option<String>,
}

/// Whether the engine can serve runs (for `/readyz`).
#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    /// `Err` holds why the database does not answer.
    pub database: std::result::Result<(), String>,
    /// Names of the loaded models.
    pub models: Vec<String>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database.is_ok()
    }
}

/// The workflow runtime; cheap to clone, clones share everything.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) workflows: BTreeMap<String, Arc<WorkflowDefinition>>,
    pub(crate) store: Store,
    pub(crate) models: Arc<dyn Models>,
    /// Who may adjudicate, which webhooks get review events.
    pub(crate) review: ReviewConfig,
    /// Each workflow's redactors, by workflow name.
    pub(crate) privacy: Arc<BTreeMap<String, WorkflowPrivacy>>,
    pub(crate) heuristics: Arc<InjectionHeuristics>,
    /// Who may do what (Cedar policies; the shipped defaults until
    /// [`Engine::with_authorizer`]).
    pub(crate) authorizer: Arc<Authorizer>,
    /// Checkpoint signing and verification keys.
    pub(crate) audit_keys: crate::audit::AuditKeys,
    /// Model routes for the OpenAI-compatible endpoints, if configured.
    pub(crate) gateway: Option<Arc<crate::gateway::Gateway>>,
}

impl Engine {
    /// An engine serving `workflows` (names are unique, as `load_dir`
    /// guarantees), recording runs in `store` and calling `models`, with
    /// the default policies and an ephemeral PII hash key (see
    /// [`Engine::with_pii_hash_key`]).
    pub fn new(
        workflows: Vec<WorkflowDefinition>,
        store: Store,
        models: Arc<dyn Models>,
    ) -> Result<Self> {
        let hash_key = privacy::ephemeral_hash_key()?;
        let privacy = privacy::build(&workflows.iter().collect::<Vec<_>>(), &hash_key)?;
        let workflows = workflows
            .into_iter()
            .map(|w| (w.name.clone(), Arc::new(w)))
            .collect();
        let authorizer = Authorizer::new(&airlock_policy::authz::PolicySources::defaults())
            .map_err(|problems| airlock_policy::authz::problems_error(&problems))?;
        Ok(Engine {
            inner: Arc::new(Inner {
                workflows,
                store,
                models,
                review: ReviewConfig::default(),
                privacy: Arc::new(privacy.into_iter().collect()),
                heuristics: Arc::new(InjectionHeuristics::new()?),
                authorizer: Arc::new(authorizer),
                audit_keys: crate::audit::AuditKeys {
                    signer: None,
                    trusted: Vec::new(),
                },
                gateway: None,
            }),
        })
    }

    /// The same engine hashing personal data (redaction mode `hash`) under
    /// `key`, so tokens stay the same across restarts and servers.
    pub fn with_pii_hash_key(self, key: &HashKey) -> Result<Self> {
        let workflows: Vec<&WorkflowDefinition> =
            self.inner.workflows.values().map(|w| &**w).collect();
        let privacy = privacy::build(&workflows, key)?;
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.privacy = Arc::new(privacy.into_iter().collect());
        Ok(Engine {
            inner: Arc::new(inner),
        })
    }

    /// The same engine deciding access with `authorizer`.
    pub fn with_authorizer(self, authorizer: Arc<Authorizer>) -> Self {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.authorizer = authorizer;
        Engine {
            inner: Arc::new(inner),
        }
    }

    pub fn authorizer(&self) -> &Arc<Authorizer> {
        &self.inner.authorizer
    }

    /// Every workflow, by name.
    pub fn workflows(&self) -> impl Iterator<Item = &Arc<WorkflowDefinition>> {
        self.inner.workflows.values()
    }

    /// The workflow called `name`, or a `not_found` error listing the known ones.
    pub fn workflow(&self, name: &str) -> Result<&Arc<WorkflowDefinition>> {
        self.inner
            .workflows
            .get(name)
            .ok_or_else(|| unknown_workflow(name, self.inner.workflows.keys()))
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn models(&self) -> &Arc<dyn Models> {
        &self.inner.models
    }

    /// The run with `id`, or `not_found`.
    pub async fn get_run(&self, id: RunId) -> Result<RunRecord> {
        self.inner
            .store
            .get(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("no run with id {id}")).with_field("id"))
    }

    /// The unredacted payload kept for run `id` (`{"input", "steps",
    /// "output"}`), if its workflow keeps one and it was not purged.
    pub async fn get_raw_payload(&self, id: RunId) -> Result<Option<Value>> {
        self.inner.store.get_raw(id).await
    }

    pub async fn list_runs(&self, filter: &RunFilter) -> Result<Page<RunRecord>> {
        self.inner.store.list(filter).await
    }

    pub async fn list_quarantine(
        &self,
        filter: &QuarantineFilter,
    ) -> Result<Page<QuarantineRecord>> {
        self.inner.store.list_quarantine(filter).await
    }

    /// Pings the database and lists the loaded models.
    pub async fn readiness(&self) -> Readiness {
        Readiness {
            database: self.inner.store.ping().await.map_err(|e| e.to_string()),
            models: self.inner.models.loaded(),
        }
    }

    /// Runs `request.workflow` on `request.input` and commits the run
    /// before returning. With an idempotency key already used for this
    /// workflow, nothing runs and the earlier run is returned (`replayed`);
    /// reusing a key with a different input is a `conflict`.
    pub async fn run(&self, request: RunRequest) -> Result<RunOutcome> {
        let workflow = Arc::clone(self.workflow(&request.workflow)?);
        let request_hash = airlock_core::payload_hash(&request.input);
        if let Some(key) = &request.idempotency_key {
            check_idempotency_key(key)?;
            if let Some(run) = self
                .inner
                .store
                .find_by_idempotency_key(&workflow.name, key)
                .await?
            {
                return self.replay(run, &request.input, &request_hash).await;
            }
        }
        let privacy = self
            .inner
            .privacy
            .get(&workflow.name)
            .ok_or_else(|| Error::internal(format!("no redactors for `{}`", workflow.name)))?;

        let gauge = metrics::gauge!(m::RUNS_IN_FLIGHT, "workflow" => workflow.name.clone());
        gauge.increment(1.0);
        let mut session = RedactionSession::new();
        let services = steps::StepServices {
            models: &*self.inner.models,
            privacy,
            heuristics: &self.inner.heuristics,
        };
        let executed = execute(&workflow, request.input.clone(), &services, &mut session).await;
        gauge.decrement(1.0);
        let executed = RunRecord {
            idempotency_key: request.idempotency_key,
            key_id: request.key_id,
            request_hash: Some(request_hash.clone()),
            ..executed
        };
        // The caller's answer: their own data restored where a model
        // repeated a placeholder.
        let answer = executed
            .output
            .as_ref()
            .map(|o| privacy::restore(o, &session));
        let rejected = rejected_input(&executed);
        let forms = privacy.for_storage(&executed, &answer, &mut session);
        let inserted = self
            .insert(&workflow, forms.stored, forms.raw.clone())
            .await?;
        let stored = match inserted {
            Inserted::Existing(run) => {
                return self.replay(*run, &request.input, &request_hash).await
            }
            Inserted::Created(run) => *run,
        };
        // The run is committed first so a retry with the same key finds it
        // and does not quarantine the input twice.
        if let Some(errors) = rejected {
            let first = errors.iter().find(|e| !e.field.is_empty());
            let reason = errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let record = QuarantineRecord {
                id: QuarantineId::new(),
                workflow: stored.workflow.clone(),
                received_at: stored.created_at,
                input: stored.input.clone(),
                reason: privacy.redact_text(&reason, &mut session),
                field: first.map(|e| e.field.clone()),
            };
            let raw = (privacy.keep_raw && stored.input != executed.input)
                .then(|| executed.input.clone());
            self.inner
                .store
                .insert_quarantine_with_raw(record, raw)
                .await?;
            metrics::counter!(m::QUARANTINED_TOTAL, "workflow" => stored.workflow.clone())
                .increment(1);
        }
        metrics::counter!(
            m::RUNS_TOTAL,
            "workflow" => stored.workflow.clone(),
            "decision" => stored.decision.as_str(),
            "status" => stored.status.as_str()
        )
        .increment(1);
        metrics::histogram!(m::RUN_DURATION_SECONDS, "workflow" => stored.workflow.clone())
            .record(stored.latency_us as f64 / 1e6);
        // The caller sees the run as it executed (their input, the answer
        // restored); every later read sees the stored, redacted record.
        let run = RunRecord {
            input: executed.input,
            steps: executed.steps,
            output: answer,
            ..stored
        };
        Ok(RunOutcome {
            run,
            replayed: false,
        })
    }
}

impl Engine {
    /// Commits `run`; a completed run decided `review` is committed with
    /// its review task and the `review.created` deliveries, in one
    /// transaction.
    async fn insert(
        &self,
        workflow: &WorkflowDefinition,
        mut run: RunRecord,
        raw: Option<Value>,
    ) -> Result<Inserted> {
        if run.decision != Decision::Review || run.status != RunStatus::Completed {
            return self
                .inner
                .store
                .insert_new_run(NewRun {
                    run,
                    raw,
                    review: None,
                })
                .await;
        }
        let task = review::new_task(workflow, &run);
        run.review_id = Some(task.id);
        let config = &self.inner.review;
        let deliveries = review::deliveries(
            EventType::ReviewCreated,
            &task,
            review::created_event(&task),
            &config.webhooks,
            run.created_at,
        );
        let announced = !deliveries.is_empty();
        let inserted = self
            .inner
            .store
            .insert_new_run(NewRun {
                run,
                raw,
                review: Some(NewReview { task, deliveries }),
            })
            .await?;
        if let Inserted::Created(run) = &inserted {
            metrics::counter!(m::REVIEWS_CREATED_TOTAL, "workflow" => run.workflow.clone())
                .increment(1);
            if announced {
                config.wake_dispatcher();
            }
        }
        Ok(inserted)
    }
}

/// The `not_found` error for a workflow name that is not among `known`.
pub fn unknown_workflow<'a>(name: &str, known: impl IntoIterator<Item = &'a String>) -> Error {
    let known: Vec<&str> = known.into_iter().map(String::as_str).collect();
    Error::not_found(format!("no workflow named `{name}`"))
        .with_field("workflow")
        .with_hint(format!("known workflows: {}", known.join(", ")))
}

impl Engine {
    /// An earlier run answering a retried request (shown as its caller saw
    /// it, when the raw payload was kept), unless the retry carries a
    /// different input.
    async fn replay(
        &self,
        run: RunRecord,
        input: &Value,
        request_hash: &str,
    ) -> Result<RunOutcome> {
        let same = match &run.request_hash {
            Some(stored) => stored == request_hash,
            // Runs stored before request hashes: their input was stored as sent.
            None => &run.input == input,
        };
        let mut outcome = replay(run, same)?;
        if let Some(raw) = self.inner.store.get_raw(outcome.run.id).await? {
            outcome.run = privacy::with_raw_payload(outcome.run, &raw);
        }
        Ok(outcome)
    }
}

/// An earlier run answering a retried request, unless the retry carries a
/// different input (`same` is false).
fn replay(run: RunRecord, same: bool) -> Result<RunOutcome> {
    if !same {
        return Err(Error::conflict(format!(
            "Idempotency-Key `{}` was already used for run {} with a different input",
            run.idempotency_key.as_deref().unwrap_or_default(),
            run.id
        ))
        .with_field("Idempotency-Key")
        .with_hint("use a new key for a new request; retry only with the same body"));
    }
    metrics::counter!(m::IDEMPOTENT_REPLAYS_TOTAL, "workflow" => run.workflow.clone()).increment(1);
    Ok(RunOutcome {
        run,
        replayed: true,
    })
}

fn check_idempotency_key(key: &str) -> Result<()> {
    let problem = if key.is_empty() {
        Some("is empty")
    } else if key.len() > IDEMPOTENCY_KEY_MAX_LEN {
        Some("is longer than 255 bytes")
    } else if !key.bytes().all(|b| b.is_ascii_graphic()) {
        Some("must be printable ASCII without spaces")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::invalid_input(format!("Idempotency-Key {problem}"))
            .with_field("Idempotency-Key")
            .with_hint("send a unique token per logical request, e.g. a UUID")),
        None => Ok(()),
    }
}

/// Executes every step of `workflow` on `input` and builds the run record
/// (not yet stored). Never fails: errors end up in the record.
async fn execute(
    workflow: &WorkflowDefinition,
    input: Value,
    services: &steps::StepServices<'_>,
    session: &mut RedactionSession,
) -> RunRecord {
    let started = Instant::now();
    let created_at = Timestamp::now();
    let mut ctx = RunContext::new(input.clone());
    let mut records: Vec<StepRecord> = Vec::with_capacity(workflow.steps.len() + 1);
    let mut failure: Option<String> = None;
    let mut rejected = false;
    // A flagged guard: the decision, the rule (the step) and why.
    let mut guarded: Option<(steps::GuardVerdict, String)> = None;

    // Workflows without a `validate` step still enforce their input contract.
    let has_validate = workflow
        .steps
        .iter()
        .any(|s| matches!(s.kind, airlock_workflow::StepKind::Validate { .. }));
    if !has_validate {
        let errors = contract_errors(workflow, &input);
        if !errors.is_empty() {
            rejected = true;
            records.push(StepRecord {
                name: INPUT_CONTRACT_RULE.to_string(),
                kind: StepKind::Validate,
                output: json!({ "valid": false, "errors": errors }),
                latency_us: 0,
                error: None,
                model: None,
                skipped: false,
            });
        }
    }

    for step in &workflow.steps {
        let kind = step.kind.record_kind();
        let not_run = |ctx: &mut RunContext, records: &mut Vec<StepRecord>| {
            ctx.record_step(&step.name, false, &Value::Null, None);
            records.push(StepRecord {
                name: step.name.clone(),
                kind,
                output: Value::Null,
                latency_us: 0,
                error: None,
                model: None,
                skipped: true,
            });
        };
        if rejected || failure.is_some() || guarded.is_some() {
            not_run(&mut ctx, &mut records);
            continue;
        }
        let step_started = Instant::now();
        let result = match step.when.as_ref().map(|w| ctx.eval_bool(w)) {
            Some(Ok(false)) => {
                not_run(&mut ctx, &mut records);
                continue;
            }
            Some(Err(e)) => steps::StepResult::failed(format!("`when`: {e}")),
            None | Some(Ok(true)) => {
                steps::execute(workflow, step, &ctx, &input, services, session).await
            }
        };
        let latency = step_started.elapsed();
        let labels = [
            ("workflow", workflow.name.clone()),
            ("step", step.name.clone()),
            ("kind", kind.as_str().to_string()),
        ];
        metrics::histogram!(m::STEP_DURATION_SECONDS, &labels).record(latency.as_secs_f64());
        if let Some(error) = &result.error {
            metrics::counter!(m::STEP_ERRORS_TOTAL, &labels).increment(1);
            // Logged redacted: an error message may quote the input.
            let shown = services.privacy.redact_text(error, session);
            tracing::warn!(workflow = %workflow.name, step = %step.name, error = %shown, "step failed");
            if step.on_error == OnError::Fail {
                failure = Some(format!("step `{}` failed: {error}", step.name));
            }
        }
        rejected |= result.rejected_input;
        if let Some(redacted) = result.replaced_input {
            ctx.replace_input(redacted);
        }
        if let Some(verdict) = result.verdict {
            guarded = Some((verdict, step.name.clone()));
        }
        ctx.record_step(&step.name, true, &result.output, result.error.as_deref());
        records.push(StepRecord {
            name: step.name.clone(),
            kind,
            output: result.output,
            latency_us: latency.as_micros() as u64,
            error: result.error,
            model: result.model,
            skipped: false,
        });
    }

    let mut decision = Decision::Block;
    let mut rule = STEP_FAILED_RULE.to_string();
    let mut output = None;
    let mut guard_reason = None;
    if failure.is_none() && rejected && !has_validate {
        rule = INPUT_CONTRACT_RULE.to_string();
    } else if let (None, Some((verdict, step))) = (&failure, guarded) {
        // The guard decides: no rule (and no later step) looks at the text.
        decision = verdict.decision;
        rule = step;
        tracing::info!(workflow = %workflow.name, step = %rule, reason = %verdict.reason, "guard stopped a run");
        guard_reason = Some(verdict.reason);
    } else if failure.is_none() {
        match decide(&workflow.decisions, &ctx) {
            Ok(decided) => {
                decision = decided.decision;
                rule = decided.rule;
            }
            Err(e) => failure = Some(e),
        }
    }
    // Blocked runs (and rejected inputs) have no output: nothing is to be
    // used; nor have guarded runs (the steps that make it did not run).
    if failure.is_none() && !rejected && decision != Decision::Block && guard_reason.is_none() {
        match build_output(workflow, &ctx) {
            Ok(value) => output = Some(value),
            Err(e) => failure = Some(e),
        }
    }
    if failure.is_some() {
        decision = Decision::Block;
        rule = STEP_FAILED_RULE.to_string();
        output = None;
    }

    let confidence = records
        .iter()
        .filter(|s| s.kind == StepKind::Classify && !s.skipped)
        .filter_map(|s| s.output.get("confidence").and_then(Value::as_f64))
        .reduce(f64::min);
    let mut models_used: Vec<String> = Vec::new();
    for model in records.iter().filter_map(|s| s.model.as_ref()) {
        if !models_used.contains(model) {
            models_used.push(model.clone());
        }
    }
    RunRecord {
        id: RunId::new(),
        workflow: workflow.name.clone(),
        workflow_version: workflow.version.clone(),
        input,
        steps: records,
        output,
        decision,
        rule: Some(rule),
        confidence,
        models: models_used,
        status: if failure.is_some() {
            RunStatus::Failed
        } else {
            RunStatus::Completed
        },
        error: failure,
        idempotency_key: None,
        created_at,
        latency_us: started.elapsed().as_micros() as u64,
        release_id: None,
        review_id: None,
        key_id: None,
        request_hash: None,
        purged_at: None,
        cost_micro_usd: None,
    }
}

/// The run's output: the workflow's `output.value`, checked against its
/// output contract.
fn build_output(
    workflow: &WorkflowDefinition,
    ctx: &RunContext,
) -> std::result::Result<Value, String> {
    let value = ctx
        .eval(&workflow.output)
        .map_err(|e| format!("output: {e}"))?;
    let violations: Vec<String> = workflow
        .output_schema
        .validator
        .iter_errors(&value)
        .map(|e| {
            let at = e.instance_path().as_str().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect();
    if violations.is_empty() {
        Ok(value)
    } else {
        Err(format!(
            "the output does not satisfy the output contract ({}): {}",
            workflow.output_schema.path,
            violations.join("; ")
        ))
    }
}
