//! The guard as the CLI runs it: the heuristics, optionally the learned
//! detector (a classifier over sentence embeddings) and optionally the
//! embedding-similarity baseline (max cosine to known attacks), scoring
//! many texts at once.

use super::labelled_data::read_labelled;
use crate::commands::classify::embedding::{embed_all, load_classifier, load_embedder};
use airlock_classifier::Classifier;
use airlock_config::Settings;
use airlock_core::{Error, Result};
use airlock_inference::embed::Embedder;
use airlock_policy::injection::{combine, InjectionHeuristics, InjectionScore, INJECTION_LABEL};
use std::path::Path;

/// The learned detector: the classifier and the index of its `injection` label.
struct LearnedDetector {
    classifier: Classifier,
    injection: usize,
}

/// Everything that scores texts.
pub struct Guard {
    heuristics: InjectionHeuristics,
    embedder: Option<Embedder>,
    learned: Option<LearnedDetector>,
    /// Embeddings of known attacks for the similarity baseline.
    attacks: Option<Vec<Vec<f32>>>,
}

/// Scores of one text.
pub struct Scored {
    pub guard: InjectionScore,
    /// Max cosine similarity to a known attack, when asked for.
    pub similarity: Option<f64>,
}

impl Guard {
    /// Loads the heuristics, the classifier at `model` (refusing one
    /// without an `injection` label) and, with `attacks`, embeds that
    /// labelled file's attacks for the similarity baseline.
    pub fn load(
        model: Option<&Path>,
        attacks: Option<&Path>,
        settings: &Settings,
    ) -> Result<Guard> {
        let heuristics = InjectionHeuristics::new()?;
        let (learned, mut embedder) = match model {
            Some(path) => {
                let (classifier, embedder) = load_classifier(path, settings)?;
                let injection = classifier
                    .labels()
                    .iter()
                    .position(|l| l == INJECTION_LABEL)
                    .ok_or_else(|| {
                        Error::invalid_input(format!(
                            "{}: the classifier has no `{INJECTION_LABEL}` label (labels: {})",
                            path.display(),
                            classifier.labels().join(", ")
                        ))
                        .with_field(path.display().to_string())
                        .with_hint(
                            "train it with: airlock classify train --data examples/support-triage/data/injection-train.csv --out classifiers/injection.json",
                        )
                    })?;
                (
                    Some(LearnedDetector {
                        classifier,
                        injection,
                    }),
                    Some(embedder),
                )
            }
            None => (None, None),
        };
        let attacks = match attacks {
            Some(path) => {
                if embedder.is_none() {
                    embedder = Some(load_embedder(settings)?);
                }
                let texts: Vec<String> = read_labelled(path, false)?
                    .into_iter()
                    .filter(|p| p.injection)
                    .map(|p| p.text)
                    .collect();
                if texts.is_empty() {
                    return Err(Error::invalid_input(format!(
                        "{}: no attacks (label injection/1) to compare with",
                        path.display()
                    ))
                    .with_field(path.display().to_string()));
                }
                match &embedder {
                    Some(e) => Some(embed_all(e, &texts)?),
                    None => None,
                }
            }
            None => None,
        };
        Ok(Guard {
            heuristics,
            embedder,
            learned,
            attacks,
        })
    }

    pub fn has_model(&self) -> bool {
        self.learned.is_some()
    }

    pub fn has_similarity(&self) -> bool {
        self.attacks.is_some()
    }

    /// Scores every text.
    pub fn score_all(&self, texts: &[String]) -> Result<Vec<Scored>> {
        let embeddings = match &self.embedder {
            Some(embedder) => Some(embed_all(embedder, texts)?),
            None => None,
        };
        let mut out = Vec::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            let embedding = embeddings.as_ref().map(|e| e[i].as_slice());
            let model_probability = match (&self.learned, embedding) {
                (Some(learned), Some(e)) => {
                    Some(learned.classifier.probabilities(e)?[learned.injection])
                }
                _ => None,
            };
            let similarity = match (&self.attacks, embedding) {
                (Some(attacks), Some(e)) => Some(max_cosine(e, attacks)),
                _ => None,
            };
            let report = self.heuristics.assess(text);
            out.push(Scored {
                guard: combine(&report, model_probability),
                similarity,
            });
        }
        Ok(out)
    }
}

/// Largest dot product of `v` with any of `others`: the cosine similarity,
/// since the embedder L2-normalises its output.
fn max_cosine(v: &[f32], others: &[Vec<f32>]) -> f64 {
    others
        .iter()
        .map(|o| {
            v.iter()
                .zip(o)
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum::<f64>()
        })
        .fold(f64::NEG_INFINITY, f64::max)
}
