//! One module per top-level command; [`run`] dispatches to them after the
//! configuration has been loaded and validated.

pub mod audit;
mod background;
pub mod check;
pub mod classify;
mod client;
pub mod dataset;
pub mod embed;
pub mod generate;
pub mod guard;
pub mod keys;
pub mod models;
pub mod review;
pub mod run;
pub mod runs;
mod runtime;
mod secrets;
pub mod serve;
mod setup;

use crate::cli::{Cli, Command};
use airlock_config::{Overrides, Settings};
use airlock_core::Result;

/// Loads settings (defaults < file < env < flags) and runs the command.
pub fn run(cli: Cli) -> Result<()> {
    let flags = Overrides {
        config_file: cli.config,
        data_dir: cli.data_dir,
        models_dir: cli.models_dir,
        database_url: cli.database_url,
        listen: cli.listen,
        workflows_dir: cli.workflows_dir,
    };
    let settings = Settings::load(&flags.over(Overrides::from_env()));
    // `check` reports configuration problems together with workflow problems.
    if let Command::Check(args) = cli.command {
        return check::run(args, settings);
    }
    let settings = settings?;
    match cli.command {
        Command::Models(cmd) => models::run(cmd, &settings),
        Command::Embed(args) => embed::run(args, &settings),
        Command::Classify(cmd) => classify::run(cmd, &settings),
        Command::Generate(args) => generate::run(args, &settings),
        Command::Serve(args) => serve::run(args, &settings),
        Command::Run(args) => run::run(args, &settings),
        Command::Runs(cmd) => runs::run(cmd, &settings),
        Command::Review(cmd) => review::run(cmd, &settings),
        Command::Dataset(cmd) => dataset::run(cmd, &settings),
        Command::Keys(cmd) => keys::run(cmd, &settings),
        Command::Audit(cmd) => audit::run(cmd, &settings),
        Command::Guard(cmd) => guard::run(cmd, &settings),
        Command::Check(_) => unreachable!("handled above"),
    }
}

/// Writes `value` to stdout as indented JSON.
pub fn print_json_pretty(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| airlock_core::Error::internal(format!("cannot encode JSON: {e}")))?;
    println!("{text}");
    Ok(())
}
