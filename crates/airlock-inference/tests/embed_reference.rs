//! Airlock's embeddings agree with Python sentence-transformers
//! (`tests/data/minilm_reference.json`, made by `bench/reference_embeddings.py`)
//! whether sentences are embedded in one batch or one at a time.

mod common;

use airlock_inference::embed::{Embedder, EmbedderOptions};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    sentences: Vec<String>,
    embeddings: Vec<Vec<f32>>,
}

fn reference() -> Reference {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/minilm_reference.json"
    );
    let text = std::fs::read_to_string(path).expect("reference file is part of the repository");
    serde_json::from_str(&text).expect("reference file is valid JSON")
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

fn load(threads: usize) -> Option<Embedder> {
    let dir = common::embedding_model_dir()?;
    let mut opts = EmbedderOptions::new(dir);
    opts.threads_per_worker = threads;
    opts.max_batch = 64;
    Some(Embedder::load(opts).expect("installed model loads"))
}

fn assert_matches_reference(got: &[Vec<f32>], reference: &Reference, how: &str) {
    assert_eq!(got.len(), reference.sentences.len());
    let min = got
        .iter()
        .zip(&reference.embeddings)
        .map(|(g, w)| cosine(g, w))
        .fold(f64::INFINITY, f64::min);
    eprintln!(
        "{how}: lowest cosine to sentence-transformers {min:.7} (1 - cos = {:.1e})",
        1.0 - min
    );
    for ((vector, want), sentence) in got
        .iter()
        .zip(&reference.embeddings)
        .zip(&reference.sentences)
    {
        assert_eq!(vector.len(), want.len());
        let cos = cosine(vector, want);
        assert!(
            cos >= 0.999,
            "{how}: cosine {cos:.6} < 0.999 for {sentence:?}"
        );
    }
}

#[test]
fn batch_and_single_match_sentence_transformers() {
    let Some(embedder) = load(1) else { return };
    let reference = reference();
    assert!(
        reference.sentences.len() >= 10,
        "reference has too few sentences"
    );

    let batch = embedder
        .embed_blocking(reference.sentences.clone())
        .expect("batch embeds");
    assert_matches_reference(&batch, &reference, "one batch");

    let single: Vec<Vec<f32>> = reference
        .sentences
        .iter()
        .map(|s| {
            embedder
                .embed_blocking(vec![s.clone()])
                .expect("single embeds")
                .remove(0)
        })
        .collect();
    assert_matches_reference(&single, &reference, "one at a time");

    for ((b, s), sentence) in batch.iter().zip(&single).zip(&reference.sentences) {
        let cos = cosine(b, s);
        assert!(
            cos >= 0.99999,
            "batch vs single differ ({cos}) for {sentence:?}"
        );
    }
}

#[test]
fn multi_threaded_worker_matches_reference() {
    let Some(embedder) = load(2) else { return };
    let reference = reference();
    let batch = embedder
        .embed_blocking(reference.sentences.clone())
        .expect("batch embeds");
    assert_matches_reference(&batch, &reference, "two compute threads");
}
