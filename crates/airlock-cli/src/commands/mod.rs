//! One module per top-level command; [`run`] dispatches to them after the
//! configuration has been loaded and validated.

pub mod check;
pub mod classify;
pub mod embed;
pub mod generate;
pub mod models;

use crate::cli::{Cli, Command};
use airlock_config::{Overrides, Settings};
use airlock_core::Result;

/// Loads settings (defaults < file < env < flags) and runs the command.
pub fn run(cli: Cli) -> Result<()> {
    let flags = Overrides {
        config_file: cli.config,
        data_dir: cli.data_dir,
        models_dir: cli.models_dir,
        database_url: None,
    };
    let settings = Settings::load(&flags.over(Overrides::from_env()))?;
    match cli.command {
        Command::Models(cmd) => models::run(cmd, &settings),
        Command::Embed(args) => embed::run(args, &settings),
        Command::Classify(cmd) => classify::run(cmd, &settings),
        Command::Generate(args) => generate::run(args, &settings),
        Command::Check(args) => check::run(args, &settings),
    }
}
