//! `airlock embed TEXT...` (placeholder, being written).
use airlock_config::Settings;
use airlock_core::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct EmbedArgs {
    /// Texts to embed.
    #[arg(required = true)]
    pub texts: Vec<String>,
}

pub fn run(_args: EmbedArgs, _settings: &Settings) -> Result<()> {
    Err(Error::internal("embed is not implemented yet"))
}
