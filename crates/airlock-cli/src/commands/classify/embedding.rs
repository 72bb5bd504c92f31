//! Loading the configured embedding model and embedding many texts in
//! batches, with progress on stderr.

use airlock_classifier::{Classifier, ClassifierArtifact};
use airlock_config::Settings;
use airlock_core::Result;
use airlock_inference::embed::{Embedder, EmbedderOptions};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

/// Texts handed to the embedder per call; progress is reported after each.
const CHUNK: usize = 256;

/// Loads the embedding model named by the settings.
pub fn load_embedder(settings: &Settings) -> Result<Embedder> {
    Embedder::load(EmbedderOptions {
        model_dir: settings.models.embedding.clone(),
        workers: settings.inference.embed_workers,
        threads_per_worker: settings.inference.embed_threads,
        max_batch: settings.inference.embed_max_batch,
    })
}

/// Loads the classifier artifact at `path` and the configured embedder,
/// refusing an artifact trained over a different embedding model.
pub fn load_classifier(path: &Path, settings: &Settings) -> Result<(Classifier, Embedder)> {
    let artifact = ClassifierArtifact::load(path)?;
    let embedder = load_embedder(settings)?;
    artifact.check_embedding_model(
        embedder.model_sha256(),
        embedder.dimension(),
        &path.display().to_string(),
    )?;
    Ok((Classifier::from_artifact(artifact)?, embedder))
}

/// Model name recorded in artifacts: the model directory's name.
pub fn model_id(settings: &Settings) -> String {
    settings
        .models
        .embedding
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| settings.models.embedding.display().to_string())
}

/// Embeds `texts` in chunks, printing progress to stderr when there are
/// more than one chunk's worth (on one updating line on a terminal).
pub fn embed_all(embedder: &Embedder, texts: &[String]) -> Result<Vec<Vec<f32>>> {
    let total = texts.len();
    let show = total > CHUNK;
    let terminal = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut out = Vec::with_capacity(total);
    for chunk in texts.chunks(CHUNK) {
        out.extend(embedder.embed_blocking(chunk.to_vec())?);
        if show {
            let done = out.len();
            let line = format!(
                "embedding: {done}/{total} texts ({:.0}%, {:.0} s)",
                100.0 * done as f64 / total as f64,
                started.elapsed().as_secs_f64()
            );
            if terminal {
                eprint!("\r{line}");
            } else {
                eprintln!("{line}");
            }
        }
    }
    if show && terminal {
        eprintln!();
    }
    Ok(out)
}
