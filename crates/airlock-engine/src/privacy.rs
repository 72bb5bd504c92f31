//! Personal data in runs: the redactors each workflow uses (its `[pii]`
//! policy for everything stored, and each `redact` step's own settings),
//! built once when the engine starts, and what turns an executed run into
//! the record that is stored (redacted) and the unredacted copy kept for
//! callers allowed to read raw data.
//!
//! One [`RedactionSession`] spans a whole run, so a value gets the same
//! placeholder in the `redact` step, in every stored payload and in error
//! messages, and the caller's answer can be restored from the placeholders
//! a model may have repeated.

use std::collections::HashMap;

use airlock_core::{Error, Result, RunRecord};
use airlock_policy::pii::{
    EntityType, HashKey, PiiDetector, RedactionMode, RedactionSession, Redactor,
};
use airlock_workflow::{PiiEntity, PiiMode, StepKind, WorkflowDefinition};
use serde_json::{json, Map, Value};

/// The redactors of one workflow.
pub(crate) struct WorkflowPrivacy {
    /// What stored payloads and error messages go through.
    pub storage: Redactor,
    /// Keep the unredacted payload (encrypted) for `read_raw` callers.
    pub keep_raw: bool,
    /// Each `redact` step's redactor, by step name.
    pub steps: HashMap<String, Redactor>,
}

/// Builds every workflow's redactors; `hash_key` is the server's PII hash
/// key (for `hash` mode).
pub(crate) fn build(
    workflows: &[&WorkflowDefinition],
    hash_key: &HashKey,
) -> Result<HashMap<String, WorkflowPrivacy>> {
    let mut all = HashMap::new();
    for workflow in workflows {
        let storage = redactor(&workflow.pii.entities, workflow.pii.mode, hash_key)?;
        let mut steps = HashMap::new();
        for step in &workflow.steps {
            if let StepKind::Redact { entities, mode } = &step.kind {
                let entities = entities.as_deref().unwrap_or(&workflow.pii.entities);
                let mode = mode.unwrap_or(workflow.pii.mode);
                steps.insert(step.name.clone(), redactor(entities, mode, hash_key)?);
            }
        }
        all.insert(
            workflow.name.clone(),
            WorkflowPrivacy {
                storage,
                keep_raw: workflow.pii.keep_raw,
                steps,
            },
        );
    }
    Ok(all)
}

fn redactor(entities: &[PiiEntity], mode: PiiMode, hash_key: &HashKey) -> Result<Redactor> {
    let types: Vec<EntityType> = entities.iter().map(|e| entity_type(*e)).collect();
    let detector = PiiDetector::new(&types)?;
    let mode = match mode {
        PiiMode::Mask => RedactionMode::Mask,
        PiiMode::Placeholder => RedactionMode::Placeholder,
        PiiMode::Hash => RedactionMode::KeyedHash(hash_key.clone()),
    };
    Ok(Redactor::new(detector, mode))
}

/// The detector's type for a workflow's entity word.
fn entity_type(entity: PiiEntity) -> EntityType {
    match entity {
        PiiEntity::Email => EntityType::Email,
        PiiEntity::Phone => EntityType::Phone,
        PiiEntity::PaymentCard => EntityType::PaymentCard,
        PiiEntity::Iban => EntityType::Iban,
        PiiEntity::UsSsn => EntityType::UsSsn,
        PiiEntity::IpAddress => EntityType::IpAddress,
        PiiEntity::Person => EntityType::Person,
    }
}

/// A random PII hash key, for engines built without one (tests): tokens
/// are then stable only within the process.
pub(crate) fn ephemeral_hash_key() -> Result<HashKey> {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    HashKey::new(&bytes).map_err(|e| Error::internal(format!("PII hash key: {e}")))
}

/// What an executed run becomes: the record to store (every payload and
/// message redacted) and, if the workflow keeps it, the raw payload.
pub(crate) struct StoredForms {
    pub stored: RunRecord,
    pub raw: Option<Value>,
}

impl WorkflowPrivacy {
    /// Redacts `executed` for storage with the run's `session`; the raw
    /// payload holds the input as received, the steps as executed and the
    /// output as the caller gets it.
    pub(crate) fn for_storage(
        &self,
        executed: &RunRecord,
        answer: &Option<Value>,
        session: &mut RedactionSession,
    ) -> StoredForms {
        let r = &self.storage;
        let mut stored = executed.clone();
        r.redact_in_place(&mut stored.input, session);
        for step in &mut stored.steps {
            r.redact_in_place(&mut step.output, session);
            step.error = step.error.as_deref().map(|e| r.redact_text(e, session));
        }
        if let Some(output) = &mut stored.output {
            r.redact_in_place(output, session);
        }
        stored.error = executed.error.as_deref().map(|e| r.redact_text(e, session));
        let raw = self.keep_raw.then(|| {
            json!({
                "input": executed.input,
                "steps": executed.steps,
                "output": answer,
            })
        });
        StoredForms { stored, raw }
    }

    /// Redacts a free text (a quarantine reason) with the run's session.
    pub(crate) fn redact_text(&self, text: &str, session: &mut RedactionSession) -> String {
        self.storage.redact_text(text, session)
    }
}

/// `value` with every placeholder the run's session issued replaced by
/// the original (the caller's own data back in the answer).
pub(crate) fn restore(value: &Value, session: &RedactionSession) -> Value {
    match value {
        Value::String(text) => Value::String(session.restore(text)),
        Value::Array(items) => Value::Array(items.iter().map(|v| restore(v, session)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), restore(v, session)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// A stored run shown with its raw payload (what callers allowed to read
/// raw data, and the original caller on a replay, get).
pub fn with_raw_payload(mut run: RunRecord, raw: &Value) -> RunRecord {
    if let Some(input) = raw.get("input") {
        run.input = input.clone();
    }
    if let Some(steps) = raw
        .get("steps")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
    {
        run.steps = steps;
    }
    if let Some(output) = raw.get("output") {
        run.output = (!output.is_null()).then(|| output.clone());
    }
    run
}
