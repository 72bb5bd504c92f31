//! A missing or damaged model directory gives a clear error (right kind,
//! names the file), never a panic.

mod common;

use airlock_core::ErrorKind;
use airlock_inference::embed::{Embedder, EmbedderOptions};
use std::path::Path;

/// Copies the installed model directory (top-level files only) into a
/// temporary directory the test may damage.
fn copy_model() -> Option<tempfile::TempDir> {
    let src = common::embedding_model_dir()?;
    let tmp = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(&src).expect("model dir readable") {
        let entry = entry.expect("dir entry");
        if entry.file_type().expect("file type").is_file() {
            std::fs::copy(entry.path(), tmp.path().join(entry.file_name())).expect("copy");
        }
    }
    Some(tmp)
}

fn load_err(dir: &Path) -> airlock_core::Error {
    match Embedder::load(EmbedderOptions::new(dir)) {
        Ok(_) => panic!("loading {} should fail", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn missing_directory_is_model_missing_with_hint() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = load_err(&tmp.path().join("no-such-model"));
    assert_eq!(err.kind(), ErrorKind::ModelMissing);
    assert!(err.message().contains("no-such-model"), "{}", err.message());
    assert!(err.hint().unwrap_or("").contains("airlock models fetch"));
}

#[test]
fn truncated_weights_are_model_corrupt() {
    let Some(tmp) = copy_model() else { return };
    let path = tmp.path().join("model.safetensors");
    let len = std::fs::metadata(&path).expect("metadata").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    file.set_len(len / 2).expect("truncate");
    let err = load_err(tmp.path());
    assert_eq!(err.kind(), ErrorKind::ModelCorrupt);
    assert!(
        err.message().contains("model.safetensors"),
        "{}",
        err.message()
    );
}

#[test]
fn garbage_config_is_model_corrupt() {
    let Some(tmp) = copy_model() else { return };
    std::fs::write(tmp.path().join("config.json"), "{not json at all").expect("write");
    let err = load_err(tmp.path());
    assert_eq!(err.kind(), ErrorKind::ModelCorrupt);
    assert!(err.message().contains("config.json"), "{}", err.message());
}

#[test]
fn garbage_tokenizer_is_model_corrupt() {
    let Some(tmp) = copy_model() else { return };
    std::fs::write(tmp.path().join("tokenizer.json"), "[1, 2").expect("write");
    let err = load_err(tmp.path());
    assert_eq!(err.kind(), ErrorKind::ModelCorrupt);
    assert!(
        err.message().contains("tokenizer.json"),
        "{}",
        err.message()
    );
}

#[test]
fn deleted_files_are_model_missing() {
    for file in ["tokenizer.json", "model.safetensors", "config.json"] {
        let Some(tmp) = copy_model() else { return };
        std::fs::remove_file(tmp.path().join(file)).expect("remove");
        let err = load_err(tmp.path());
        assert_eq!(
            err.kind(),
            ErrorKind::ModelMissing,
            "{file}: {}",
            err.message()
        );
        assert!(err.message().contains(file), "{}", err.message());
        assert!(err.hint().unwrap_or("").contains("airlock models fetch"));
    }
}
