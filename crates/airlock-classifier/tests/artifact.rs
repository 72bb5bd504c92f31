//! The saved classifier: round trip without change, tamper detection by the
//! content hash, and refusal of embeddings from another model.

mod common;

use airlock_classifier::{
    train_classifier, Classifier, ClassifierArtifact, EmbeddingModelInfo, TrainingDataInfo,
    TrainingOptions,
};
use airlock_core::ErrorKind;

fn trained_artifact() -> (ClassifierArtifact, common::Synthetic) {
    let centres = common::centres(3, 8, 5);
    let train = common::sample(&centres, 20, 0.4, 0.0, 6);
    let options = TrainingOptions::default();
    let trained = train_classifier(&train.embeddings, &train.labels, &options).expect("train");
    let artifact = ClassifierArtifact::new(
        trained,
        EmbeddingModelInfo {
            id: "test-model".into(),
            sha256: "ab".repeat(32),
            dimension: 8,
        },
        TrainingDataInfo {
            file: "train.csv".into(),
            sha256: "cd".repeat(32),
            examples: 60,
        },
        options,
    )
    .expect("artifact");
    (artifact, common::sample(&centres, 10, 0.6, 0.0, 7))
}

#[test]
fn round_trip_keeps_predictions_bit_for_bit() {
    let (artifact, probe) = trained_artifact();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.json");
    artifact.save(&path).expect("save");
    let loaded = ClassifierArtifact::load(&path).expect("load");
    assert_eq!(loaded, artifact);
    let before = Classifier::from_artifact(artifact).expect("classifier");
    let after = Classifier::from_artifact(loaded).expect("classifier");
    for embedding in &probe.embeddings {
        let a = before.probabilities(embedding).expect("probs");
        let b = after.probabilities(embedding).expect("probs");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(
            before.predict(embedding).expect("p"),
            after.predict(embedding).expect("p")
        );
    }
}

#[test]
fn tampered_weights_labels_or_temperature_are_rejected() {
    let (artifact, _) = trained_artifact();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.json");
    artifact.save(&path).expect("save");
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 3] = [
        ("weight", |v| {
            let w = v["weights"][0][0].as_f64().expect("number");
            v["weights"][0][0] = serde_json::json!(w + 0.001);
        }),
        ("label", |v| v["labels"][0] = serde_json::json!("renamed")),
        ("temperature", |v| {
            v["calibration"]["temperature"] = serde_json::json!(0.5)
        }),
    ];
    for (what, edit) in edits {
        let mut tampered = original.clone();
        edit(&mut tampered);
        std::fs::write(&path, serde_json::to_vec(&tampered).expect("json")).expect("write");
        let err = ClassifierArtifact::load(&path).expect_err(what);
        assert_eq!(err.kind(), ErrorKind::ModelCorrupt, "{what}");
        assert!(
            err.message().contains("content hash mismatch"),
            "{what}: {}",
            err.message()
        );
        assert!(err.message().contains("model.json"), "{}", err.message());
    }
    // Re-serialising without a change (other whitespace) still loads.
    std::fs::write(&path, serde_json::to_vec(&original).expect("json")).expect("write");
    ClassifierArtifact::load(&path).expect("unchanged content loads");
}

#[test]
fn other_format_version_and_garbage_are_model_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.json");
    std::fs::write(&path, "{\"format_version\": 99}").expect("write");
    let err = ClassifierArtifact::load(&path).expect_err("version");
    assert_eq!(err.kind(), ErrorKind::ModelCorrupt);
    assert!(
        err.message().contains("format version 99"),
        "{}",
        err.message()
    );
    std::fs::write(&path, "not json").expect("write");
    assert_eq!(
        ClassifierArtifact::load(&path).expect_err("garbage").kind(),
        ErrorKind::ModelCorrupt
    );
}

#[test]
fn embeddings_of_another_model_are_refused() {
    let (artifact, _) = trained_artifact();
    artifact
        .check_embedding_model(&"ab".repeat(32), 8, "model.json")
        .expect("same model");
    let err = artifact
        .check_embedding_model(&"ef".repeat(32), 8, "model.json")
        .expect_err("other model");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("test-model"), "{}", err.message());
}
