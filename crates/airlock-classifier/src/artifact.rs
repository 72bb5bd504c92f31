//! The saved classifier: a versioned JSON document with the weights, the
//! calibration, where the model came from, and a `content_hash` over a
//! canonical serialisation of everything else, checked on every load.

use crate::train::{TrainedClassifier, TrainingMetrics, TrainingOptions};
use airlock_core::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Version of the artifact format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The only model kind so far.
pub const MODEL_KIND: &str = "softmax_linear";

/// How predicted probabilities are calibrated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Always `"temperature"` in format version 1.
    pub method: String,
    /// Logits are divided by this before the softmax.
    pub temperature: f64,
}

/// The embedding model the classifier's inputs must come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingModelInfo {
    /// Model name (its directory name).
    pub id: String,
    /// SHA-256 of the model weights, as the embedder reports it.
    pub sha256: String,
    pub dimension: usize,
}

/// The data the classifier was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingDataInfo {
    /// File name as given on the command line.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    pub examples: usize,
}

/// A saved classifier. See docs/classifiers.md for the format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierArtifact {
    pub format_version: u32,
    pub kind: String,
    pub labels: Vec<String>,
    /// One row per label, each `embedding_model.dimension` long.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
    pub calibration: Calibration,
    pub embedding_model: EmbeddingModelInfo,
    pub training_data: TrainingDataInfo,
    pub training_options: TrainingOptions,
    pub training_metrics: TrainingMetrics,
    /// RFC 3339 UTC time of training.
    pub created_at: String,
    /// Hex SHA-256 of the canonical JSON of every other field.
    pub content_hash: String,
}

impl ClassifierArtifact {
    /// Packs a trained classifier with its provenance and seals it with its content hash.
    pub fn new(
        trained: TrainedClassifier,
        embedding_model: EmbeddingModelInfo,
        training_data: TrainingDataInfo,
        training_options: TrainingOptions,
    ) -> Result<ClassifierArtifact> {
        let dimension = trained.model.dimension;
        let mut artifact = ClassifierArtifact {
            format_version: FORMAT_VERSION,
            kind: MODEL_KIND.to_string(),
            labels: trained.labels,
            weights: trained
                .model
                .weights
                .chunks_exact(dimension.max(1))
                .map(<[f32]>::to_vec)
                .collect(),
            bias: trained.model.bias,
            calibration: Calibration {
                method: "temperature".to_string(),
                temperature: trained.temperature,
            },
            embedding_model,
            training_data,
            training_options,
            training_metrics: trained.metrics,
            created_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            content_hash: String::new(),
        };
        artifact.content_hash = artifact.compute_content_hash()?;
        Ok(artifact)
    }

    /// SHA-256 (hex) of the canonical serialisation: the artifact as JSON
    /// without `content_hash`, object keys sorted, no whitespace.
    pub fn compute_content_hash(&self) -> Result<String> {
        let mut value = serde_json::to_value(self)
            .map_err(|e| Error::internal(format!("cannot serialise classifier: {e}")))?;
        if let Some(object) = value.as_object_mut() {
            object.remove("content_hash");
        }
        let mut canonical = String::new();
        write_canonical(&value, &mut canonical);
        Ok(hex::encode(Sha256::digest(canonical.as_bytes())))
    }

    /// Writes the artifact as pretty JSON (via a temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::internal(format!("cannot serialise classifier: {e}")))?;
        let mut tmp_name = path.as_os_str().to_owned();
        tmp_name.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp_name);
        std::fs::write(&tmp, json).map_err(|e| Error::io(&tmp, "write classifier", e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, "write classifier", e))
    }

    /// Reads, checks and verifies an artifact. Anything malformed, of
    /// another format version, or whose content hash does not match is
    /// `ModelCorrupt`, naming the file.
    pub fn load(path: &Path) -> Result<ClassifierArtifact> {
        let origin = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            let kind = if e.kind() == std::io::ErrorKind::NotFound {
                ErrorKind::NotFound
            } else {
                ErrorKind::Io
            };
            Error::new(kind, format!("cannot read classifier {origin}: {e}"))
                .with_field(origin.clone())
        })?;
        let corrupt = |what: String| {
            Error::new(
                ErrorKind::ModelCorrupt,
                format!("classifier {origin}: {what}"),
            )
            .with_field(origin.clone())
            .with_hint("retrain it with `airlock classify train`")
        };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not valid JSON: {e}")))?;
        match value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
        {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(corrupt(format!(
                "format version {v} is not supported (this build reads version {FORMAT_VERSION})"
            )))
            }
            None => {
                return Err(corrupt(
                    "no `format_version`; not an Airlock classifier".into(),
                ))
            }
        }
        let artifact: ClassifierArtifact =
            serde_json::from_value(value).map_err(|e| corrupt(format!("malformed: {e}")))?;
        artifact.check_shapes().map_err(corrupt)?;
        let expected = artifact.compute_content_hash()?;
        if expected != artifact.content_hash {
            return Err(corrupt(format!(
                "content hash mismatch (stored {}, computed {expected}): the file was modified or damaged",
                artifact.content_hash
            )));
        }
        Ok(artifact)
    }

    fn check_shapes(&self) -> std::result::Result<(), String> {
        let k = self.labels.len();
        let d = self.embedding_model.dimension;
        if self.kind != MODEL_KIND {
            return Err(format!("unknown model kind `{}`", self.kind));
        }
        if k < 2 {
            return Err(format!("{k} labels; at least 2 are needed"));
        }
        let mut sorted = self.labels.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != k {
            return Err("labels are not unique".into());
        }
        if self.weights.len() != k || self.weights.iter().any(|row| row.len() != d) {
            return Err(format!("weights must be {k} rows of {d} values"));
        }
        if self.bias.len() != k {
            return Err(format!(
                "bias must have {k} values, has {}",
                self.bias.len()
            ));
        }
        let finite = self
            .weights
            .iter()
            .flatten()
            .chain(&self.bias)
            .all(|v| v.is_finite());
        if !finite {
            return Err("weights or bias contain a non-finite number".into());
        }
        let t = self.calibration.temperature;
        if self.calibration.method != "temperature" || !(t.is_finite() && t > 0.0) {
            return Err(format!(
                "calibration must be a positive finite temperature, got {} {t}",
                self.calibration.method
            ));
        }
        Ok(())
    }

    /// Errors unless the embedder producing inputs is the one the classifier was trained with.
    pub fn check_embedding_model(
        &self,
        sha256: &str,
        dimension: usize,
        origin: &str,
    ) -> Result<()> {
        if self.embedding_model.sha256 != sha256 || self.embedding_model.dimension != dimension {
            return Err(Error::invalid_input(format!(
                "classifier {origin} was trained on embeddings of model `{}` (sha256 {}, {} dimensions), \
                 but the loaded embedding model has sha256 {sha256} ({dimension} dimensions)",
                self.embedding_model.id, self.embedding_model.sha256, self.embedding_model.dimension
            ))
            .with_field(origin.to_string())
            .with_hint("configure the embedding model it was trained with, or retrain the classifier"));
        }
        Ok(())
    }
}

/// Hex SHA-256 of a file's bytes, read in chunks.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, "open", e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| Error::io(path, "read", e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Compact JSON with object keys in sorted order, whatever map type
/// `serde_json` was built with, so the hash does not depend on key order.
fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
