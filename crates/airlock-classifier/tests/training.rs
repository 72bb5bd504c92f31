//! End-to-end training on synthetic embeddings: accuracy on separable data,
//! and temperature scaling measurably lowering calibration error on data
//! that makes an unregularised model over-confident.

mod common;

use airlock_classifier::{
    train_classifier, Classifier, ClassifierArtifact, EmbeddingModelInfo, TrainingDataInfo,
    TrainingOptions,
};

fn classifier(
    trained: airlock_classifier::TrainedClassifier,
    options: &TrainingOptions,
) -> Classifier {
    let dimension = trained.model.dimension;
    let artifact = ClassifierArtifact::new(
        trained,
        EmbeddingModelInfo {
            id: "synthetic".into(),
            sha256: "00".into(),
            dimension,
        },
        TrainingDataInfo {
            file: "synthetic".into(),
            sha256: "00".into(),
            examples: 0,
        },
        options.clone(),
    )
    .expect("artifact");
    Classifier::from_artifact(artifact).expect("classifier")
}

#[test]
fn separable_clusters_are_learned() {
    let centres = common::centres(6, 16, 1);
    let train = common::sample(&centres, 40, 0.25, 0.0, 2);
    let test = common::sample(&centres, 100, 0.25, 0.0, 3);
    let options = TrainingOptions::default();
    let trained = train_classifier(&train.embeddings, &train.labels, &options).expect("train");
    assert_eq!(trained.labels.len(), 6);
    assert!(
        trained.metrics.train_accuracy > 0.97,
        "{:?}",
        trained.metrics
    );
    let report = classifier(trained, &options)
        .evaluate(&test.embeddings, &test.labels)
        .expect("evaluate");
    assert!(report.accuracy > 0.97, "test accuracy {}", report.accuracy);
    assert!(report.macro_f1 > 0.97, "macro F1 {}", report.macro_f1);
}

#[test]
fn temperature_scaling_lowers_ece_of_an_over_confident_model() {
    // Overlapping clusters, 25% label noise, many dimensions for few
    // examples and almost no regularisation: the model fits the noise and
    // is far more sure than it is right on unseen data.
    let centres = common::centres(4, 48, 11);
    let train = common::sample(&centres, 100, 0.6, 0.25, 12);
    let test = common::sample(&centres, 500, 0.6, 0.25, 13);
    let options = TrainingOptions {
        l2: 1e-7,
        calibration_fraction: 0.3,
        ..TrainingOptions::default()
    };
    let trained = train_classifier(&train.embeddings, &train.labels, &options).expect("train");
    eprintln!("fitted T = {}", trained.temperature);
    assert!(
        trained.temperature > 1.5,
        "fitted T = {}",
        trained.temperature
    );
    assert!(trained.metrics.calibration_nll_after < trained.metrics.calibration_nll_before);
    let report = classifier(trained, &options)
        .evaluate(&test.embeddings, &test.labels)
        .expect("evaluate");
    assert!(
        report.ece_uncalibrated > 0.1,
        "the set-up should be over-confident: {report:?}"
    );
    assert!(
        report.ece < 0.6 * report.ece_uncalibrated,
        "calibrated ECE {} vs uncalibrated {}",
        report.ece,
        report.ece_uncalibrated
    );
    eprintln!(
        "ECE {} (uncalibrated {})",
        report.ece, report.ece_uncalibrated
    );
    assert!(report.nll < report.nll_uncalibrated);
}

#[test]
fn singleton_label_and_single_label_are_rejected() {
    let embeddings = vec![vec![0.0f32, 1.0]; 3];
    let labels = vec!["a".to_string(), "a".to_string(), "b".to_string()];
    let err = train_classifier(&embeddings, &labels, &TrainingOptions::default())
        .expect_err("b has one example");
    assert!(err.message().contains("`b`"), "{}", err.message());
    let labels = vec!["a".to_string(); 3];
    let err =
        train_classifier(&embeddings, &labels, &TrainingOptions::default()).expect_err("one label");
    assert!(
        err.message().contains("at least 2 labels"),
        "{}",
        err.message()
    );
}
