//! Loading a missing or damaged GGUF file fails with a clear error that
//! names the file, never a panic.

mod common;

use airlock_core::ErrorKind;
use airlock_inference::generate::{Generator, GeneratorOptions};
use std::path::Path;

const GGUF: &str = "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";

fn load(path: &Path) -> airlock_core::Error {
    match Generator::load(GeneratorOptions {
        gguf_path: path.to_path_buf(),
        threads: 1,
    }) {
        Ok(_) => panic!("{} loaded, expected an error", path.display()),
        Err(err) => err,
    }
}

fn assert_names_file(err: &airlock_core::Error, path: &Path) {
    let name = path.display().to_string();
    assert!(
        err.message().contains(&name),
        "message {:?} does not name {name}",
        err.message()
    );
    assert_eq!(err.field(), Some(name.as_str()));
}

#[test]
fn missing_file_is_model_missing_with_fetch_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("absent.gguf");
    let err = load(&path);
    assert_eq!(err.kind(), ErrorKind::ModelMissing);
    assert_names_file(&err, &path);
    assert!(err
        .hint()
        .unwrap_or_default()
        .contains("airlock models fetch"));
}

#[test]
fn non_gguf_and_random_files_are_model_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("notes.gguf");
    std::fs::write(&text, "this is a text file, not a model\n").expect("write");
    // Deterministic pseudo-random bytes (xorshift), 64 KiB.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..65_536)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let random = dir.path().join("random.gguf");
    std::fs::write(&random, noise).expect("write");
    let empty = dir.path().join("empty.gguf");
    std::fs::write(&empty, b"").expect("write");
    for path in [text, random, empty] {
        let err = load(&path);
        assert_eq!(
            err.kind(),
            ErrorKind::ModelCorrupt,
            "{}: {err}",
            path.display()
        );
        assert_names_file(&err, &path);
    }
}

#[test]
fn truncated_gguf_is_model_corrupt() {
    let Some(real) = common::model_path(GGUF) else {
        return;
    };
    let bytes = std::fs::read(&real).expect("read model");
    let dir = tempfile::tempdir().expect("tempdir");
    // Half the file: the metadata is intact, the weights are cut off.
    // A few bytes: even the header is cut off.
    for (name, len) in [("half.gguf", bytes.len() / 2), ("header.gguf", 10)] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes[..len]).expect("write");
        let err = load(&path);
        assert_eq!(err.kind(), ErrorKind::ModelCorrupt, "{name}: {err}");
        assert_names_file(&err, &path);
    }
}
