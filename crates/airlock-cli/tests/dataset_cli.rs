//! `airlock dataset export` through the real binary, on both databases:
//! runs made by the engine (with a fake classifier), review tasks resolved
//! through the engine's review API and feedback recorded, then exported.
//! Approved and overridden reviews become lines with their provenance,
//! rejected and open ones do not; labelled feedback only with
//! `--include-feedback`; `--since` filters by decision time.

mod classify_support;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use airlock_core::{Durability, ErrorKind, Result, ReviewAction, RunRecord, Timestamp};
use airlock_engine::{
    Alternative, Classification, Engine, FeedbackRequest, Generation, Models, ResolveRequest,
    RunRequest,
};
use airlock_store::Store;
use airlock_testkit::run_on_each_database;
use async_trait::async_trait;
use serde_json::{json, Value};

/// Classifies by keyword with low confidence (so every run goes to
/// review) unless the text says "sure".
struct KeywordModels;

#[async_trait]
impl Models for KeywordModels {
    async fn classify(&self, model: &str, text: &str) -> Result<Classification> {
        let label = if text.contains("card") {
            "lost_card"
        } else {
            "balance"
        };
        let confidence = if text.contains("sure") { 0.99 } else { 0.5 };
        Ok(Classification {
            label: label.into(),
            confidence,
            alternatives: vec![Alternative {
                label: "other".into(),
                confidence: 1.0 - confidence,
            }],
            model: format!("{model}@fake"),
        })
    }

    async fn generate(&self, _prompt: &str, _max_tokens: u32) -> Result<Generation> {
        Err(airlock_core::Error::inference("no generator in this test"))
    }

    fn loaded(&self) -> Vec<String> {
        vec!["fake".into()]
    }
}

/// The classify step reads a text built from two input fields, so the
/// export shows the expression was evaluated again.
const WORKFLOW: &str = r#"
name = "triage"
description = "test triage"
owner = "tests@example.com"
risk = "medium"
data_class = "internal"
runbook = "https://example.com/runbook"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{'intent': steps.intent.label}"

[[steps]]
name = "intent"
kind = "classify"
model = "classifiers/fake.json"
text = "input.subject + ': ' + input.message"

[[decision]]
name = "unsure"
when = "steps.intent.confidence < 0.85"
decision = "review"

[[decision]]
name = "default"
decision = "auto"
"#;

const INPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["subject", "message"],
  "properties": {"subject": {"type": "string"}, "message": {"type": "string"}}
}"#;

const OUTPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["intent"],
  "properties": {"intent": {"type": "string"}}
}"#;

fn write_workflow(root: &Path) {
    let dir = root.join("triage");
    std::fs::create_dir_all(&dir).expect("create workflow dir");
    for (file, text) in [
        ("workflow.toml", WORKFLOW),
        ("input.schema.json", INPUT_SCHEMA),
        ("output.schema.json", OUTPUT_SCHEMA),
    ] {
        std::fs::write(dir.join(file), text).expect("write workflow file");
    }
}

async fn run(engine: &Engine, subject: &str, message: &str) -> RunRecord {
    engine
        .run(RunRequest {
            workflow: "triage".into(),
            input: json!({"subject": subject, "message": message}),
            idempotency_key: None,
            key_id: None,
        })
        .await
        .expect("run")
        .run
}

fn resolve(
    reviewer: &str,
    action: ReviewAction,
    output: Option<Value>,
    label: Option<&str>,
) -> ResolveRequest {
    ResolveRequest {
        reviewer: reviewer.into(),
        action,
        output,
        label: label.map(str::to_string),
        reason: (action != ReviewAction::Approve).then(|| "checked".to_string()),
    }
}

fn airlock(root: &Path, database_url: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_airlock"))
        .arg("--data-dir")
        .arg(root.join("data"))
        .arg("--workflows-dir")
        .arg(root.join("workflows"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("AIRLOCK_CONFIG")
        .env_remove("AIRLOCK_DATABASE_URL")
        .output()
        .expect("the airlock binary runs")
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("export written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn summary(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "airlock failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON summary on stdout")
}

#[test]
fn export_writes_reviewed_and_feedback_labels_with_provenance() {
    run_on_each_database(
        "export_writes_reviewed_and_feedback_labels_with_provenance",
        |db| async move {
            let root = tempfile::tempdir().expect("tempdir");
            write_workflow(&root.path().join("workflows"));
            let workflows =
                airlock_workflow::load_dir(&root.path().join("workflows")).expect("loads");
            let store = Store::connect(&db.url, Durability::Fsync)
                .await
                .expect("connect");
            let engine =
                Engine::new(workflows, store, Arc::new(KeywordModels)).expect("the engine builds");

            let approved = run(&engine, "Lost", "my card is gone").await;
            let overridden = run(&engine, "Where", "has my money gone").await;
            let rejected = run(&engine, "Spam", "buy now").await;
            let _open = run(&engine, "Card", "card stuck").await;
            let auto = run(&engine, "Sure", "sure about the balance").await;
            assert!(auto.review_id.is_none(), "a confident run is not reviewed");

            let resolve_at = |run: &RunRecord, request| {
                let engine = engine.clone();
                let id = run.review_id.expect("review task");
                async move { engine.resolve_review(id, request).await.expect("resolved") }
            };
            resolve_at(&approved, resolve("ann", ReviewAction::Approve, None, None)).await;
            let corrected = json!({"intent": "card_arrival"});
            resolve_at(
                &overridden,
                resolve(
                    "bob",
                    ReviewAction::Override,
                    Some(corrected),
                    Some("card_arrival"),
                ),
            )
            .await;
            resolve_at(&rejected, resolve("ann", ReviewAction::Reject, None, None)).await;
            let labelled = FeedbackRequest {
                key: "fb-1".into(),
                label: Some("refund".into()),
                score: None,
                outcome: None,
                comment: None,
            };
            engine
                .add_feedback(auto.id, labelled)
                .await
                .expect("feedback");
            let unlabelled = FeedbackRequest {
                key: "fb-2".into(),
                label: None,
                score: Some(1.0),
                outcome: None,
                comment: None,
            };
            engine
                .add_feedback(approved.id, unlabelled)
                .await
                .expect("feedback");
            engine.store().close().await;

            let out = root.path().join("export.jsonl");
            let out_arg = out.display().to_string();
            let done = summary(&airlock(
                root.path(),
                &db.url,
                &["dataset", "export", "triage", "--out", &out_arg],
            ));
            assert_eq!(done["examples"], 2, "{done}");
            assert_eq!(done["from_reviews"], 2);
            assert_eq!(done["skipped_rejected"], 1);
            let rows = lines(&out);
            assert_eq!(rows.len(), 2, "{rows:#?}");
            let row = |run: &RunRecord| {
                rows.iter()
                    .find(|r| r["run_id"] == run.id.to_string())
                    .unwrap_or_else(|| panic!("no line for run {}: {rows:#?}", run.id))
                    .clone()
            };
            let a = row(&approved);
            assert_eq!(a["text"], "Lost: my card is gone");
            assert_eq!(a["label"], "lost_card");
            assert_eq!(a["suggested_label"], "lost_card");
            assert_eq!(a["source"], "review");
            assert_eq!(a["reviewer"], "ann");
            assert_eq!(
                a["review_id"],
                approved.review_id.expect("review").to_string()
            );
            assert_eq!(a["workflow_version"], approved.workflow_version);
            Timestamp::parse_rfc3339(a["decided_at"].as_str().expect("a time")).expect("RFC 3339");
            let o = row(&overridden);
            assert_eq!(o["text"], "Where: has my money gone");
            assert_eq!(o["label"], "card_arrival");
            assert_eq!(o["suggested_label"], "balance");
            assert_eq!(o["reviewer"], "bob");

            let done = summary(&airlock(
                root.path(),
                &db.url,
                &[
                    "dataset",
                    "export",
                    "triage",
                    "--out",
                    &out_arg,
                    "--include-feedback",
                ],
            ));
            assert_eq!(done["examples"], 3, "{done}");
            assert_eq!(done["from_feedback"], 1);
            let rows = lines(&out);
            let fb = rows
                .iter()
                .find(|r| r["source"] == "feedback")
                .expect("a feedback line");
            assert_eq!(fb["run_id"], auto.id.to_string());
            assert_eq!(fb["text"], "Sure: sure about the balance");
            assert_eq!(fb["label"], "refund");
            assert_eq!(fb["suggested_label"], "balance");
            assert_eq!(fb["review_id"], Value::Null);
            assert_eq!(fb["reviewer"], Value::Null);

            let tomorrow = Timestamp::from_unix_ms(Timestamp::now().unix_ms() + 86_400_000)
                .expect("in range")
                .to_string();
            let done = summary(&airlock(
                root.path(),
                &db.url,
                &[
                    "dataset",
                    "export",
                    "triage",
                    "--out",
                    &out_arg,
                    "--include-feedback",
                    "--since",
                    &tomorrow,
                ],
            ));
            assert_eq!(done["examples"], 0, "{done}");
            assert!(lines(&out).is_empty());
        },
    );
}

#[test]
fn export_of_an_unknown_workflow_fails_and_writes_nothing() {
    run_on_each_database(
        "export_of_an_unknown_workflow_fails_and_writes_nothing",
        |db| async move {
            let root = tempfile::tempdir().expect("tempdir");
            write_workflow(&root.path().join("workflows"));
            let out = root.path().join("export.jsonl");
            let output = airlock(
                root.path(),
                &db.url,
                &[
                    "dataset",
                    "export",
                    "nope",
                    "--out",
                    &out.display().to_string(),
                ],
            );
            assert_eq!(
                output.status.code(),
                Some(i32::from(ErrorKind::NotFound.exit_code()))
            );
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains("nope") && stderr.contains("triage"),
                "{stderr}"
            );
            assert!(!out.exists());

            let output = airlock(
                root.path(),
                &db.url,
                &[
                    "dataset",
                    "export",
                    "triage",
                    "--out",
                    &out.display().to_string(),
                    "--since",
                    "yesterday",
                ],
            );
            assert_eq!(
                output.status.code(),
                Some(i32::from(ErrorKind::InvalidInput.exit_code()))
            );
            assert!(!out.exists());
        },
    );
}

/// The retraining step of the loop: an export (JSONL with provenance
/// fields) merged with an original CSV, compared with the classifier
/// trained on the original alone, on a held-out file. The comparison
/// printed by `train --compare` is what `classify compare` and `classify
/// eval` say about the same artifacts.
#[test]
fn retrains_from_an_export_plus_the_original_and_compares() {
    let Some(models) = classify_support::models_dir_or_skip(
        "retrains_from_an_export_plus_the_original_and_compares",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |p: &Path| p.display().to_string();
    let (train, holdout) = classify_support::split_examples();
    // Per label, every other training example is "original", the rest
    // come back from reviewers.
    let (original, reviewed): (Vec<_>, Vec<_>) =
        train.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let original: Vec<(&str, &str)> = original.into_iter().map(|(_, e)| *e).collect();
    let original_csv = dir.path().join("original.csv");
    classify_support::write_csv(&original_csv, &original);
    let export = dir.path().join("export.jsonl");
    let export_lines: String = reviewed
        .iter()
        .map(|(i, (text, label))| {
            json!({"text": text, "label": label, "run_id": format!("run-{i}"),
                   "source": "review", "suggested_label": null})
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&export, export_lines).expect("write export");
    let holdout_csv = dir.path().join("holdout.csv");
    classify_support::write_csv(&holdout_csv, &holdout);
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");

    let trained = classify_support::airlock(
        &models,
        &[
            "classify",
            "train",
            "--data",
            &path(&original_csv),
            "--out",
            &path(&old),
            "--calibration-fraction",
            "0.34",
        ],
    );
    assert!(
        trained.status.success(),
        "{}",
        classify_support::stderr(&trained)
    );
    let trained = classify_support::airlock(
        &models,
        &[
            "classify",
            "train",
            "--data",
            &path(&export),
            "--data",
            &path(&original_csv),
            "--out",
            &path(&new),
            "--label-column",
            "category",
            "--calibration-fraction",
            "0.34",
            "--compare",
            &path(&old),
            "--holdout",
            &path(&holdout_csv),
        ],
    );
    let stderr = classify_support::stderr(&trained);
    assert!(trained.status.success(), "{stderr}");
    let summary: Value =
        serde_json::from_str(&classify_support::stdout(&trained)).expect("JSON summary");
    assert_eq!(summary["examples"], train.len());
    let artifact: Value =
        serde_json::from_slice(&std::fs::read(&new).expect("artifact")).expect("JSON");
    let files = artifact["training_data"]["file"].as_str().expect("file");
    assert_eq!(
        files,
        format!("{} + {}", path(&export), path(&original_csv))
    );
    assert_eq!(
        artifact["training_data"]["sha256"]
            .as_str()
            .map(|s| s.split('+').count()),
        Some(2)
    );
    let comparison = &summary["comparison"];
    assert_eq!(comparison["examples"], holdout.len());
    assert_eq!(comparison["previous"]["model"], path(&old));
    assert_eq!(comparison["new"]["model"], path(&new));
    for side in ["previous", "new"] {
        for key in ["accuracy", "macro_f1", "ece", "nll"] {
            let v = comparison[side][key].as_f64().expect("a number");
            assert!(v.is_finite() && v >= 0.0, "{side}.{key} = {v}");
        }
    }
    assert!(
        stderr.contains("accuracy") && stderr.contains("previous"),
        "{stderr}"
    );

    let compared = classify_support::airlock(
        &models,
        &[
            "classify",
            "compare",
            "--previous",
            &path(&old),
            "--new",
            &path(&new),
            "--holdout",
            &path(&holdout_csv),
        ],
    );
    assert!(
        compared.status.success(),
        "{}",
        classify_support::stderr(&compared)
    );
    let again: Value =
        serde_json::from_str(&classify_support::stdout(&compared)).expect("JSON comparison");
    assert_eq!(&again, comparison);

    let eval = classify_support::airlock(
        &models,
        &[
            "classify",
            "eval",
            "--model",
            &path(&new),
            "--data",
            &path(&holdout_csv),
            "--label-column",
            "category",
        ],
    );
    assert!(eval.status.success(), "{}", classify_support::stderr(&eval));
    let report: Value =
        serde_json::from_str(&classify_support::stdout(&eval)).expect("JSON report");
    assert_eq!(report["accuracy"], comparison["new"]["accuracy"]);
    assert_eq!(report["macro_f1"], comparison["new"]["macro_f1"]);
}
