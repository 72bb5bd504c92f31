//! `airlock classify train|predict|eval` end to end: training on a small
//! BANKING77 sample (CSV and JSONL), predicting, evaluating, and the errors
//! for malformed data, tampered artifacts and a different embedding model.

mod classify_support;

use airlock_classifier::{
    train_classifier, ClassifierArtifact, EmbeddingModelInfo, TrainingDataInfo, TrainingOptions,
};
use classify_support::{airlock, models_dir_or_skip, stderr, stdout};
use std::path::Path;

#[test]
fn train_predict_and_eval_on_a_banking77_sample() {
    let Some(models) = models_dir_or_skip("train_predict_and_eval_on_a_banking77_sample") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (train, eval) = classify_support::split_examples();
    let train_csv = dir.path().join("train.csv");
    let eval_csv = dir.path().join("eval.csv");
    classify_support::write_csv(&train_csv, &train);
    classify_support::write_csv(&eval_csv, &eval);
    let model = dir.path().join("intents.json");
    let path = |p: &Path| p.display().to_string();

    let out = airlock(
        &models,
        &[
            "classify",
            "train",
            "--data",
            &path(&train_csv),
            "--out",
            &path(&model),
            "--label-column",
            "category",
            "--calibration-fraction",
            "0.34",
            "--seed",
            "3",
        ],
    );
    assert!(out.status.success(), "train failed: {}", stderr(&out));
    let artifact: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&model).expect("artifact written")).expect("json");
    assert_eq!(artifact["format_version"], 1);
    assert_eq!(artifact["labels"].as_array().map(Vec::len), Some(10));
    assert_eq!(artifact["embedding_model"]["dimension"], 384);
    assert_eq!(artifact["training_data"]["examples"], 60);

    let out = airlock(
        &models,
        &[
            "classify",
            "predict",
            "--model",
            &path(&model),
            "I still have not received my new card",
            "please close my account",
        ],
    );
    assert!(out.status.success(), "predict failed: {}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["text"], "I still have not received my new card");
    assert_eq!(lines[0]["label"], "card_arrival");
    assert_eq!(lines[1]["label"], "terminate_account");
    for line in &lines {
        let confidence = line["confidence"].as_f64().expect("confidence");
        let alternatives = line["alternatives"].as_array().expect("alternatives");
        assert_eq!(alternatives.len(), 3);
        let mut previous = confidence;
        for alt in alternatives {
            let c = alt["confidence"].as_f64().expect("alternative confidence");
            assert!(c <= previous && c >= 0.0, "{line}");
            assert_ne!(alt["label"], line["label"]);
            previous = c;
        }
        assert!(confidence > 0.0 && confidence <= 1.0);
    }

    let out = airlock(
        &models,
        &[
            "classify",
            "eval",
            "--model",
            &path(&model),
            "--data",
            &path(&eval_csv),
            "--label-column",
            "category",
        ],
    );
    assert!(out.status.success(), "eval failed: {}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON report");
    assert_eq!(report["n"], 30);
    let accuracy = report["accuracy"].as_f64().expect("accuracy");
    assert!(accuracy >= 0.7, "accuracy {accuracy} on 10 easy intents");
    for key in ["macro_f1", "ece", "ece_uncalibrated", "nll"] {
        assert!(report[key].as_f64().is_some(), "missing {key}: {report}");
    }
    let coverage = report["coverage"].as_array().expect("coverage");
    let thresholds: Vec<f64> = coverage
        .iter()
        .filter_map(|c| c["threshold"].as_f64())
        .collect();
    assert_eq!(thresholds, vec![0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]);
    assert_eq!(report["per_label"].as_object().map(|m| m.len()), Some(10));
    assert!(report["per_label"]["pin_blocked"]["f1"].as_f64().is_some());
}

#[test]
fn trains_from_json_lines() {
    let Some(models) = models_dir_or_skip("trains_from_json_lines") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (train, _) = classify_support::split_examples();
    let data = dir.path().join("train.jsonl");
    classify_support::write_jsonl(&data, &train);
    let model = dir.path().join("m.json");
    let out = airlock(
        &models,
        &[
            "classify",
            "train",
            "--data",
            &data.display().to_string(),
            "--out",
            &model.display().to_string(),
            "--calibration-fraction",
            "0.34",
        ],
    );
    assert!(out.status.success(), "train failed: {}", stderr(&out));
    assert!(ClassifierArtifact::load(&model).is_ok());
}

#[test]
fn malformed_training_data_is_explained() {
    // The data is read and checked before the model loads, so these run without models.
    let dir = tempfile::tempdir().expect("tempdir");
    let models = dir.path().join("no-models");
    let out_path = dir.path().join("m.json").display().to_string();
    let cases: [(&str, &str, &[&str], &str); 5] = [
        (
            // Two candidate label columns: nothing is guessed.
            "a.csv",
            "text,category,channel\nhi,greet,app\n",
            &[],
            "column `label` is missing; columns found: `text`, `category`, `channel`",
        ),
        (
            "b.csv",
            "text,label\na,x\nb,x\nc,y\n",
            &[],
            "`y` has only one example",
        ),
        (
            "c.jsonl",
            "{\"text\":\"a\",\"label\":\"x\"}\n{oops\n",
            &[],
            "bad JSON on line 2",
        ),
        (
            "d.csv",
            "text,label\na,x\n,x\n",
            &[],
            "line 3: `text` is empty",
        ),
        ("e.txt", "text,label\n", &[], "cannot tell the data format"),
    ];
    for (name, content, extra, expected) in cases {
        let data = dir.path().join(name);
        std::fs::write(&data, content).expect("write");
        let mut args = vec!["classify", "train", "--out", &out_path];
        let data_arg = data.display().to_string();
        args.extend(["--data", &data_arg]);
        args.extend(extra);
        let out = airlock(&models, &args);
        assert_eq!(out.status.code(), Some(65), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
    }
}

fn synthetic_artifact(path: &Path, dimension: usize) {
    let embeddings: Vec<Vec<f32>> = (0..8)
        .map(|i| {
            (0..dimension)
                .map(|j| if j == i % 2 { 1.0 } else { 0.0 })
                .collect()
        })
        .collect();
    let labels: Vec<String> = (0..8).map(|i| format!("label_{}", i % 2)).collect();
    let options = TrainingOptions {
        calibration_fraction: 0.25,
        ..TrainingOptions::default()
    };
    let trained = train_classifier(&embeddings, &labels, &options).expect("train");
    ClassifierArtifact::new(
        trained,
        EmbeddingModelInfo {
            id: "other-model".into(),
            sha256: "0".repeat(64),
            dimension,
        },
        TrainingDataInfo {
            file: "synthetic".into(),
            sha256: "0".repeat(64),
            examples: 8,
        },
        options,
    )
    .expect("artifact")
    .save(path)
    .expect("save");
}

#[test]
fn tampered_classifier_is_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("tampered.json");
    synthetic_artifact(&model, 4);
    let text = std::fs::read_to_string(&model).expect("read");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("json");
    value["bias"][0] = serde_json::json!(42.0);
    std::fs::write(&model, value.to_string()).expect("write");
    let out = airlock(
        &dir.path().join("no-models"),
        &[
            "classify",
            "predict",
            "--model",
            &model.display().to_string(),
            "hello",
        ],
    );
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("content hash mismatch"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("tampered.json"), "{}", stderr(&out));
}

#[test]
fn classifier_of_another_embedding_model_is_refused() {
    let Some(models) = models_dir_or_skip("classifier_of_another_embedding_model_is_refused")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("other.json");
    synthetic_artifact(&model, 384);
    let out = airlock(
        &models,
        &[
            "classify",
            "predict",
            "--model",
            &model.display().to_string(),
            "hello",
        ],
    );
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("other-model"), "{}", stderr(&out));
    assert!(stderr(&out).contains("retrain"), "{}", stderr(&out));
}
