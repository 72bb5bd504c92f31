//! `airlock classify train|predict|eval` (placeholder, being written).
use airlock_config::Settings;
use airlock_core::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum ClassifyCommand {
    /// Train a classifier.
    Train,
}

pub fn run(_cmd: ClassifyCommand, _settings: &Settings) -> Result<()> {
    Err(Error::internal("classify is not implemented yet"))
}
