//! Shared helpers of the store's integration tests: run a test on every
//! database (via airlock-testkit) and build sample records.

#![allow(dead_code)]

use std::future::Future;

use airlock_core::{
    Decision, Durability, QuarantineId, QuarantineRecord, RunId, RunRecord, RunStatus, StepKind,
    StepRecord, Timestamp,
};
use airlock_store::Store;
#[allow(unused_imports)] // each test binary uses a different subset
pub use airlock_testkit::{TestBackend, TestDatabase};

/// Runs `test` with a freshly connected `fsync` store on SQLite and, when
/// configured, on PostgreSQL.
pub fn with_store<F, Fut>(test_name: &str, test: F)
where
    F: Fn(Store) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    airlock_testkit::run_on_each_database(test_name, move |db| async move {
        let store = Store::connect(&db.url, Durability::Fsync)
            .await
            .unwrap_or_else(|e| panic!("connect to {}: {e}", db.backend.as_str()));
        test(store.clone()).await;
        store.close().await;
    });
}

/// Runs `test` with the test database itself, for tests that connect
/// several times or with other options.
pub fn with_database<F, Fut>(test_name: &str, test: F)
where
    F: Fn(TestDatabase) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    airlock_testkit::run_on_each_database(test_name, test);
}

/// A run with every optional field set, created at `created_at_ms`.
pub fn full_run(workflow: &str, created_at_ms: i64) -> RunRecord {
    RunRecord {
        id: RunId::new(),
        workflow: workflow.to_string(),
        workflow_version: "sha256:5d41402abc4b2a76b9719d911017c592".into(),
        input: serde_json::json!({
            "message": "My card hasn't arrived — \"urgent\" ✉",
            "account": {"id": 42, "tags": ["a", "b"], "balance": -12.5},
            "empty": null
        }),
        steps: vec![
            StepRecord {
                name: "validate".into(),
                kind: StepKind::Validate,
                output: serde_json::json!({"ok": true}),
                latency_us: 12,
                error: None,
                model: None,
                skipped: false,
            },
            StepRecord {
                name: "intent".into(),
                kind: StepKind::Classify,
                output: serde_json::json!({"label": "card_arrival", "confidence": 0.93}),
                latency_us: 1830,
                error: None,
                model: Some("banking77-minilm".into()),
                skipped: false,
            },
            StepRecord {
                name: "draft".into(),
                kind: StepKind::Generate,
                output: serde_json::Value::Null,
                latency_us: 0,
                error: Some("generation timed out".into()),
                model: Some("smollm2-135m".into()),
                skipped: true,
            },
        ],
        output: Some(serde_json::json!({"reply": "We are on it.", "queue": "cards"})),
        decision: Decision::Review,
        rule: Some("low_confidence".into()),
        confidence: Some(0.125),
        models: vec!["banking77-minilm".into(), "smollm2-135m".into()],
        status: RunStatus::Failed,
        error: Some("step `draft` failed: generation timed out".into()),
        idempotency_key: Some(format!("key-{}", RunId::new())),
        created_at: Timestamp::from_unix_ms(created_at_ms).expect("test timestamps are in range"),
        latency_us: 2_000_123,
        release_id: Some("2024.05.1".into()),
        review_id: None,
        key_id: None,
        request_hash: None,
        purged_at: None,
        cost_micro_usd: None,
    }
}

/// A run with no optional fields.
pub fn bare_run(workflow: &str, decision: Decision) -> RunRecord {
    RunRecord {
        id: RunId::new(),
        workflow: workflow.to_string(),
        workflow_version: "v1".into(),
        input: serde_json::json!({"n": 1}),
        steps: Vec::new(),
        output: None,
        decision,
        rule: None,
        confidence: None,
        models: Vec::new(),
        status: RunStatus::Completed,
        error: None,
        idempotency_key: None,
        created_at: Timestamp::now(),
        latency_us: 7,
        release_id: None,
        review_id: None,
        key_id: None,
        request_hash: None,
        purged_at: None,
        cost_micro_usd: None,
    }
}

pub fn quarantined(workflow: &str, reason: &str) -> QuarantineRecord {
    QuarantineRecord {
        id: QuarantineId::new(),
        workflow: workflow.to_string(),
        received_at: Timestamp::now(),
        input: serde_json::json!({"message": 17}),
        reason: reason.to_string(),
        field: Some("message".into()),
    }
}

/// A plain audit event about `subject`, optionally of a workflow.
pub fn audit_event(
    kind: airlock_core::AuditEventKind,
    subject: &str,
    workflow: Option<&str>,
) -> airlock_core::AuditEvent {
    let event = airlock_core::AuditEvent::new(
        kind,
        airlock_core::SYSTEM_ACTOR,
        subject,
        serde_json::json!({"note": format!("about {subject}")}),
    );
    match workflow {
        Some(workflow) => event.with_workflow(workflow),
        None => event,
    }
}

/// Every stored audit record, in `seq` order.
pub async fn whole_chain(store: &Store) -> Vec<airlock_core::AuditRecord> {
    use airlock_store::AuditStore;
    store
        .audit_range(1, 100_000)
        .await
        .expect("read the audit chain")
}

/// Verifies the whole chain trusting no checkpoint key (there are none).
pub async fn verify_unsigned(store: &Store) -> airlock_core::audit_verify::ChainReport {
    let keys = airlock_store::CheckpointVerifier::from_public_keys(&[]).expect("no keys");
    airlock_store::verify_chain(store, 1, &keys)
        .await
        .expect("verify the audit chain")
}

/// Asserts the whole chain verifies and holds exactly `records` records.
pub async fn assert_chain_ok(store: &Store, records: u64) {
    let report = verify_unsigned(store).await;
    assert!(
        report.is_ok(),
        "the chain must verify: {:?}",
        report.problem
    );
    assert_eq!(report.records, records, "{report:?}");
}

/// A key ring whose active key is `id` (its bytes all `byte`), with `older`
/// keys given the same way.
pub fn key_ring(
    id: &str,
    byte: u8,
    older: &[(&str, u8)],
) -> std::sync::Arc<airlock_store::PayloadCipher> {
    use airlock_store::{PayloadCipher, PayloadKey};
    let key = |id: &str, byte: u8| PayloadKey::new(id, &[byte; 32]).expect("valid key id");
    let older = older.iter().map(|(id, byte)| key(id, *byte)).collect();
    std::sync::Arc::new(PayloadCipher::new(key(id, byte), older).expect("valid key ring"))
}

/// Connects to `db` sealing payloads with `cipher`.
pub async fn connect_with_cipher(
    db: &TestDatabase,
    cipher: std::sync::Arc<airlock_store::PayloadCipher>,
) -> Store {
    Store::connect_with(
        &db.url,
        airlock_store::StoreOptions {
            cipher,
            ..airlock_store::StoreOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("connect to {}: {e}", db.backend.as_str()))
}
