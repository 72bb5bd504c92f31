//! `airlock generate PROMPT` (placeholder, being written).
use airlock_config::Settings;
use airlock_core::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The user's message.
    pub prompt: String,
}

pub fn run(_args: GenerateArgs, _settings: &Settings) -> Result<()> {
    Err(Error::internal("generate is not implemented yet"))
}
