//! [`LocalModels`]: the in-process models. At load it opens every
//! classifier artifact the workflows name (checking each was trained over
//! the configured embedding model), the embedding model if any workflow
//! classifies, and the generative model if any workflow generates.
//! Loading is blocking (model files are read and prepared); call it before
//! serving or from `spawn_blocking`.

use std::collections::BTreeMap;
use std::path::Path;

use airlock_classifier::{Classifier, ClassifierArtifact};
use airlock_config::Settings;
use airlock_core::{Error, ErrorKind, Result};
use airlock_inference::embed::{Embedder, EmbedderOptions};
use airlock_inference::generate::{GenerateRequest, Generator, GeneratorOptions};
use airlock_workflow::{StepKind, WorkflowDefinition};
use async_trait::async_trait;

use crate::models::{Alternative, Classification, Generation, Models};

/// Characters of a content hash shown in model ids.
const HASH_PREFIX: usize = 12;

/// Local classifiers and generator; cheap handles, safe to share.
pub struct LocalModels {
    embedder: Option<Embedder>,
    classifiers: BTreeMap<String, LoadedClassifier>,
    generator: Option<(Generator, String)>,
}

struct LoadedClassifier {
    classifier: Classifier,
    id: String,
}

impl LocalModels {
    /// Loads what `workflows` need, per `settings`. Every missing or
    /// mismatched artifact is reported in one error.
    pub fn load(settings: &Settings, workflows: &[WorkflowDefinition]) -> Result<LocalModels> {
        let mut artifacts: Vec<&str> = Vec::new();
        let mut needs_generator = false;
        for step in workflows.iter().flat_map(|w| &w.steps) {
            if let Some((model, _)) = step.kind.classifier() {
                if !artifacts.contains(&model) {
                    artifacts.push(model);
                }
            }
            if let StepKind::Generate { .. } = step.kind {
                needs_generator = true;
            }
        }
        // Routes of the model gateway that name the local provider.
        let gateway = &settings.gateway;
        needs_generator |= gateway.uses_local(airlock_config::RouteKind::Chat);
        let needs_embedder =
            !artifacts.is_empty() || gateway.uses_local(airlock_config::RouteKind::Embedding);
        let embedder = if !needs_embedder {
            None
        } else {
            Some(Embedder::load(EmbedderOptions {
                model_dir: settings.models.embedding.clone(),
                workers: settings.inference.embed_workers,
                threads_per_worker: settings.inference.embed_threads,
                max_batch: settings.inference.embed_max_batch,
            })?)
        };
        let mut classifiers = BTreeMap::new();
        let mut problems = Vec::new();
        for relative in artifacts {
            let path = settings.data_dir.join(relative);
            match load_classifier(&path, relative, embedder.as_ref()) {
                Ok(loaded) => {
                    classifiers.insert(relative.to_string(), loaded);
                }
                Err(e) => problems.push(e),
            }
        }
        if let Some(first) = problems.first() {
            let kind = first.kind();
            let message = problems
                .iter()
                .map(|e| match e.hint() {
                    Some(hint) => format!("{} ({hint})", e.message()),
                    None => e.message().to_string(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            return Err(Error::new(kind, message));
        }
        let generator = if needs_generator {
            let generator = Generator::load(GeneratorOptions {
                gguf_path: settings.models.generator.clone(),
                threads: settings.inference.generate_threads,
            })?;
            let name = settings
                .models
                .generator
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "generator".into());
            let id = format!("{name}@{}", prefix(generator.model_sha256()));
            Some((generator, id))
        } else {
            None
        };
        Ok(LocalModels {
            embedder,
            classifiers,
            generator,
        })
    }
}

impl LocalModels {
    /// The loaded generator and embedder as a gateway provider (for routes
    /// naming `local`).
    pub fn provider(&self) -> crate::gateway::LocalProvider {
        let embedder = self
            .embedder
            .as_ref()
            .map(|e| (e.clone(), format!("embedding@{}", prefix(e.model_sha256()))));
        crate::gateway::LocalProvider::new(self.generator.clone(), embedder)
    }
}

fn load_classifier(
    path: &Path,
    relative: &str,
    embedder: Option<&Embedder>,
) -> Result<LoadedClassifier> {
    if !path.is_file() {
        return Err(Error::new(
            ErrorKind::ModelMissing,
            format!(
                "classifier {relative} is missing: no file at {}",
                path.display()
            ),
        )
        .with_field(relative.to_string())
        .with_hint(format!(
            "train it: airlock classify train --data TRAIN.csv --out {}",
            path.display()
        )));
    }
    let artifact = ClassifierArtifact::load(path)?;
    if let Some(embedder) = embedder {
        artifact.check_embedding_model(embedder.model_sha256(), embedder.dimension(), relative)?;
    }
    let id = format!("{relative}@{}", prefix(&artifact.content_hash));
    Ok(LoadedClassifier {
        classifier: Classifier::from_artifact(artifact)?,
        id,
    })
}

fn prefix(hash: &str) -> &str {
    &hash[..hash.len().min(HASH_PREFIX)]
}

#[async_trait]
impl Models for LocalModels {
    async fn classify(&self, model: &str, text: &str) -> Result<Classification> {
        let loaded = self.classifiers.get(model).ok_or_else(|| {
            Error::internal(format!("classifier {model} was not loaded at startup"))
        })?;
        let embedder = self
            .embedder
            .as_ref()
            .ok_or_else(|| Error::internal("the embedding model was not loaded at startup"))?;
        let embedding = embedder
            .embed(vec![text.to_string()])
            .await?
            .pop()
            .ok_or_else(|| Error::internal("the embedder returned no embedding"))?;
        let prediction = loaded.classifier.predict(&embedding)?;
        Ok(Classification {
            label: prediction.label,
            confidence: prediction.confidence,
            alternatives: prediction
                .alternatives
                .into_iter()
                .map(|a| Alternative {
                    label: a.label,
                    confidence: a.confidence,
                })
                .collect(),
            model: loaded.id.clone(),
        })
    }

    async fn generate(&self, prompt: &str, max_tokens: u32) -> Result<Generation> {
        let (generator, id) = self
            .generator
            .as_ref()
            .ok_or_else(|| Error::internal("the generative model was not loaded at startup"))?;
        let generation = generator
            .generate(GenerateRequest::new(prompt, max_tokens as usize), None)
            .await?;
        Ok(Generation {
            text: generation.text,
            model: id.clone(),
            prompt_tokens: generation.prompt_tokens as u64,
            completion_tokens: generation.completion_tokens as u64,
            finish_reason: generation.finish_reason.as_str().to_string(),
        })
    }

    fn loaded(&self) -> Vec<String> {
        let mut names: Vec<String> = self.classifiers.values().map(|c| c.id.clone()).collect();
        if let Some((_, id)) = &self.generator {
            names.push(id.clone());
        }
        names
    }
}
