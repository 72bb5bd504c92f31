//! Shared helper for integration tests that need installed model files:
//! finds the models directory and decides whether a missing model skips the
//! test or fails it.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;

/// The models directory: `AIRLOCK_MODELS_DIR`, else
/// `<workspace root>/airlock-data/models`, if it exists.
///
/// When absent: panics if `AIRLOCK_REQUIRE_MODELS=1`, otherwise prints
/// `SKIPPED: <test>: models not installed ...` to stderr and returns `None`.
pub fn models_dir() -> Option<PathBuf> {
    model_path("")
}

/// `<models dir>/<relative>` if that file or directory exists; same skip /
/// fail rules as [`models_dir`].
pub fn model_path(relative: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("AIRLOCK_MODELS_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join("airlock-data/models"),
    };
    let path = dir.join(relative);
    if path.exists() {
        return Some(path);
    }
    // libtest names each test's thread after the test.
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_string();
    if std::env::var("AIRLOCK_REQUIRE_MODELS").as_deref() == Ok("1") {
        panic!(
            "{test}: {} not found and AIRLOCK_REQUIRE_MODELS=1 (run: airlock models fetch)",
            path.display()
        );
    }
    eprintln!("SKIPPED: {test}: models not installed (run: airlock models fetch)");
    None
}

/// Directory of the all-MiniLM-L6-v2 embedding model, or `None` (skipped).
pub fn embedding_model_dir() -> Option<PathBuf> {
    model_path("all-minilm-l6-v2/model.safetensors")
        .and_then(|file| file.parent().map(PathBuf::from))
}
