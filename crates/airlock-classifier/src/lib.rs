//! Classifiers trained from labelled examples over sentence embeddings:
//! multinomial (softmax) regression with temperature-scaled, calibrated
//! confidence, saved as verifiable artifacts, and the metrics that evaluate
//! them. This crate works on embedding vectors only; composing it with an
//! embedding model is the caller's job (see `airlock classify`).

pub mod artifact;
pub mod calibration;
pub mod classifier;
pub mod dataset;
pub mod linear;
pub mod metrics;
pub mod softmax_fit;
pub mod split;
pub mod train;

pub use artifact::{
    sha256_file, Calibration, ClassifierArtifact, EmbeddingModelInfo, TrainingDataInfo,
    FORMAT_VERSION,
};
pub use classifier::{Classifier, LabelConfidence, Prediction};
pub use dataset::{check_trainable, read_examples, Columns, DataFormat, LabelledExample};
pub use metrics::{CoveragePoint, EvaluationReport, LabelScores};
pub use train::{train_classifier, TrainedClassifier, TrainingMetrics, TrainingOptions};
