//! Shared helper for integration tests that need installed model files:
//! finds the models directory and decides whether a missing model skips the
//! test or fails it.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;

/// The models directory if `relative` (a file or directory inside it) exists.
///
/// Looks in `AIRLOCK_MODELS_DIR`, else `<workspace root>/airlock-data/models`.
/// When the model is absent: panics if `AIRLOCK_REQUIRE_MODELS=1`, otherwise
/// prints a `SKIPPED:` line to stderr and returns `None`.
pub fn models_dir(test: &str, relative: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("AIRLOCK_MODELS_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join("airlock-data/models"),
    };
    if dir.join(relative).exists() {
        return Some(dir);
    }
    if std::env::var("AIRLOCK_REQUIRE_MODELS").as_deref() == Ok("1") {
        panic!(
            "{test}: model `{relative}` not found in {} and AIRLOCK_REQUIRE_MODELS=1 (run: airlock models fetch)",
            dir.display()
        );
    }
    eprintln!("SKIPPED: {test}: models not installed (run: airlock models fetch)");
    None
}

/// Directory of the all-MiniLM-L6-v2 embedding model, or `None` (skipped).
pub fn embedding_model_dir(test: &str) -> Option<PathBuf> {
    models_dir(test, "all-minilm-l6-v2/model.safetensors").map(|d| d.join("all-minilm-l6-v2"))
}
