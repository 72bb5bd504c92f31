//! `airlock models list`: what is installed, with sizes and hashes, and
//! whether each file matches its pin (missing, truncated or altered files
//! are named).

use super::hashing::sha256_file;
use super::manifest::{PinnedPackage, PINNED_PACKAGES};
use airlock_core::Result;
use std::path::{Path, PathBuf};

/// State of one installed file against its pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Ok,
    Missing,
    /// Size differs from the pin (typically a truncated copy).
    WrongSize,
    /// Size matches but content does not.
    WrongHash,
    /// Size matches; the hash was not computed (fast listing).
    Unverified,
}

/// One file of an installed model.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InstalledFile {
    pub path: PathBuf,
    pub status: FileStatus,
    /// Size on disk (0 when missing).
    pub size: u64,
    pub expected_size: u64,
    /// Hash on disk, when computed.
    pub sha256: Option<String>,
    pub expected_sha256: String,
}

/// Summary state of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelStatus {
    Installed,
    Missing,
    /// Some files are present but missing or wrong.
    Damaged,
}

/// A pinned model and what is on disk for it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InstalledModel {
    pub model: String,
    pub role: String,
    pub requirement: String,
    pub license: String,
    pub dir: PathBuf,
    pub status: ModelStatus,
    pub size: u64,
    pub files: Vec<InstalledFile>,
}

/// Inspects every pinned model under `models_dir`; with `verify`, hashes files.
pub fn inspect_installed(models_dir: &Path, verify: bool) -> Result<Vec<InstalledModel>> {
    PINNED_PACKAGES
        .iter()
        .map(|pkg| {
            let files = inspect_package(pkg, models_dir, verify)?;
            let good = files
                .iter()
                .filter(|f| matches!(f.status, FileStatus::Ok | FileStatus::Unverified))
                .count();
            let status = if good == files.len() {
                ModelStatus::Installed
            } else if files.iter().all(|f| f.status == FileStatus::Missing) {
                ModelStatus::Missing
            } else {
                ModelStatus::Damaged
            };
            Ok(InstalledModel {
                model: pkg.model.to_string(),
                role: pkg.role.to_string(),
                requirement: pkg.requirement(),
                license: pkg.license.to_string(),
                dir: models_dir.join(pkg.model),
                status,
                size: files.iter().map(|f| f.size).sum(),
                files,
            })
        })
        .collect()
}

/// Each pinned file of `pkg` under `models_dir`, compared with its pin.
pub fn inspect_package(
    pkg: &PinnedPackage,
    models_dir: &Path,
    verify: bool,
) -> Result<Vec<InstalledFile>> {
    let dir = models_dir.join(pkg.model);
    pkg.files
        .iter()
        .map(|file| {
            let path = dir.join(file.install_path);
            let mut entry = InstalledFile {
                path: path.clone(),
                status: FileStatus::Missing,
                size: 0,
                expected_size: file.size,
                sha256: None,
                expected_sha256: file.sha256.to_string(),
            };
            let Ok(meta) = std::fs::metadata(&path) else {
                return Ok(entry);
            };
            entry.size = meta.len();
            entry.status = if meta.len() != file.size {
                FileStatus::WrongSize
            } else if !verify {
                FileStatus::Unverified
            } else {
                let (sha, _) = sha256_file(&path)?;
                let status = if sha == file.sha256 {
                    FileStatus::Ok
                } else {
                    FileStatus::WrongHash
                };
                entry.sha256 = Some(sha);
                status
            };
            Ok(entry)
        })
        .collect()
}
