//! Shared fixtures of the review tests: two workflows that send runs to
//! review (`queue`, one reviewer decides; `panel`, two must agree), an
//! engine over a test database with `judy` as adjudicator and, if asked,
//! a webhook endpoint subscribed to every event, and small helpers.

#![allow(dead_code)]

#[path = "../support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use airlock_config::{ReviewSettings, WebhookSettings};
use airlock_core::{Durability, ReviewAction, ReviewId, ReviewTask, RunRecord, Timestamp};
use airlock_engine::{Engine, ResolveRequest, RunRequest};
use airlock_store::Store;
use airlock_testkit::TestDatabase;
use serde_json::{json, Value};

pub use support::FakeModels;

/// The lease both workflows give a claim.
pub const LEASE: Duration = Duration::from_secs(10 * 60);
/// `queue`'s SLA.
pub const SLA: Duration = Duration::from_secs(3600);

const INPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["message"],
  "properties": {"message": {"type": "string", "minLength": 1}}
}"#;

const OUTPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["intent", "reply"],
  "additionalProperties": false,
  "properties": {
    "intent": {"type": ["string", "null"]},
    "reply": {"type": "string", "minLength": 1}
  }
}"#;

/// "fraud" → review by `risky-intent` (priority 10), "maybe" → review by
/// `low-confidence` (the workflow's priority), anything else → auto.
fn workflow(name: &str, review: &str) -> String {
    format!(
        r#"name = "{name}"
description = "review tests"
owner = "tests@example.com"
risk = "high"
data_class = "internal"
runbook = "https://example.com/runbook"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{{'intent': steps.intent.label, 'reply': 'We are on it.'}}"

[[steps]]
name = "intent"
kind = "classify"
model = "classifiers/fake.json"
text = "input.message"

[[steps]]
name = "risky"
kind = "rule"
expr = "steps.intent.label == 'fraud'"

[[decision]]
name = "risky-intent"
when = "steps.risky.value"
decision = "review"
reason = "fraud always goes to a person"
priority = 10

[[decision]]
name = "low-confidence"
when = "steps.intent.confidence < 0.85"
decision = "review"

[[decision]]
name = "default"
decision = "auto"

{review}
"#
    )
}

pub struct Fixture {
    pub engine: Engine,
    pub store: Store,
    _dir: tempfile::TempDir,
}

/// The endpoint every review event goes to when `with_webhook` is set.
pub fn endpoint() -> WebhookSettings {
    WebhookSettings {
        name: "audit".into(),
        url: "http://127.0.0.1:9/hooks".into(),
        secret: "a-test-secret-of-32-bytes-length".into(),
        events: vec![],
        workflows: vec![],
    }
}

pub async fn fixture(db: &TestDatabase, with_webhook: bool) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflows = [
        (
            "queue",
            "[review]\npriority = 2\nsla = \"1h\"\nlease = \"10m\"\nlabel_field = \"intent\"\n",
        ),
        (
            "panel",
            "[review]\nsla = \"2h\"\nlease = \"10m\"\nconsensus = 2\nlabel_field = \"intent\"\n",
        ),
    ];
    for (name, review) in workflows {
        let path = dir.path().join(name);
        std::fs::create_dir_all(&path).expect("workflow dir");
        for (file, text) in [
            ("workflow.toml", workflow(name, review).as_str()),
            ("input.schema.json", INPUT_SCHEMA),
            ("output.schema.json", OUTPUT_SCHEMA),
        ] {
            std::fs::write(path.join(file), text).expect("write workflow file");
        }
    }
    let definitions = airlock_workflow::load_dir(dir.path()).unwrap_or_else(|problems| {
        panic!(
            "{}",
            problems
                .iter()
                .map(|p| format!("{p}\n"))
                .collect::<String>()
        )
    });
    let store = Store::connect(&db.url, Durability::Fsync)
        .await
        .expect("connect");
    let webhooks = if with_webhook {
        vec![endpoint()]
    } else {
        vec![]
    };
    let engine = Engine::new(definitions, store.clone(), Arc::new(FakeModels::default()))
        .expect("the engine builds")
        .with_review_settings(
            ReviewSettings {
                adjudicators: vec!["judy".into()],
            },
            webhooks,
        );
    Fixture {
        engine,
        store,
        _dir: dir,
    }
}

/// Runs `message` through `workflow`; it must go to review.
pub async fn review_run(engine: &Engine, workflow: &str, message: &str) -> (RunRecord, ReviewId) {
    let outcome = engine
        .run(RunRequest {
            workflow: workflow.into(),
            input: json!({ "message": message }),
            idempotency_key: None,
            key_id: None,
        })
        .await
        .expect("run");
    let review_id = outcome
        .run
        .review_id
        .unwrap_or_else(|| panic!("{message:?} did not go to review: {:#?}", outcome.run));
    (outcome.run, review_id)
}

pub fn approve(reviewer: &str) -> ResolveRequest {
    ResolveRequest {
        reviewer: reviewer.into(),
        action: ReviewAction::Approve,
        output: None,
        label: None,
        reason: None,
    }
}

pub fn override_with(reviewer: &str, output: Value, reason: &str) -> ResolveRequest {
    ResolveRequest {
        reviewer: reviewer.into(),
        action: ReviewAction::Override,
        output: Some(output),
        label: None,
        reason: Some(reason.into()),
    }
}

pub fn reject(reviewer: &str, reason: &str) -> ResolveRequest {
    ResolveRequest {
        reviewer: reviewer.into(),
        action: ReviewAction::Reject,
        output: None,
        label: None,
        reason: Some(reason.into()),
    }
}

/// `at` plus `seconds` (negative: before).
pub fn plus(at: Timestamp, seconds: i64) -> Timestamp {
    Timestamp::from_unix_ms(at.unix_ms() + seconds * 1000).expect("in range")
}

/// `at` plus the lease.
pub fn lease_end(at: Timestamp) -> Timestamp {
    plus(at, LEASE.as_secs() as i64)
}

/// The stored task, which must exist.
pub async fn stored(engine: &Engine, id: ReviewId) -> ReviewTask {
    engine.get_review(id).await.expect("stored task")
}
