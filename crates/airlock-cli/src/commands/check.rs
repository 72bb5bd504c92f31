//! `airlock check [DIR]`: validates the configuration, its authorization
//! policies (against the Cedar schema) and every workflow under DIR, and
//! prints one `ok:` line per valid part, or every problem, one per line;
//! exits 78 (invalid configuration) when there is any problem.

use super::runtime::{load_workflows_in, no_workflows};
use airlock_config::{default_workflows_dir, Settings};
use airlock_core::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Directory of workflow directories, or one workflow directory.
    /// Default: `./workflows` if it exists, else `./examples`.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Checks the configuration (`settings` is its load result) and the
/// workflows, printing every problem of both before failing.
pub fn run(args: CheckArgs, settings: Result<Settings>) -> Result<()> {
    // `routes`: how many model routes the (valid) configuration has.
    let (dir, config_error, routes) = match settings {
        Ok(settings) => match policies(&settings) {
            Ok(count) => {
                println!("ok: configuration");
                println!("ok: policies ({count} policies)");
                let routes = settings.gateway.routes.len();
                (args.dir.unwrap_or(settings.workflows_dir), None, routes)
            }
            Err(e) => {
                eprintln!("{}", e.message());
                (args.dir.unwrap_or(settings.workflows_dir), Some(e), 0)
            }
        },
        Err(e) => {
            eprintln!("{}", e.message());
            (args.dir.unwrap_or_else(default_workflows_dir), Some(e), 0)
        }
    };
    let definitions = match (load_workflows_in(&dir, no_workflows(routes)), config_error) {
        (Ok(definitions), None) => definitions,
        (Ok(_), Some(config_error)) => return Err(config_error),
        (Err(workflows), None) => return Err(workflows),
        (Err(workflows), Some(_)) => {
            let both = format!("problems in the configuration and {}", workflows.message());
            return Err(Error::invalid_config(both)
                .with_hint(workflows.hint().unwrap_or_default().to_string()));
        }
    };
    if definitions.is_empty() {
        println!(
            "ok: no workflows in {} (model routes only: {routes})",
            dir.display()
        );
    }
    for definition in &definitions {
        println!(
            "ok: {} (version {}, {} steps, {} decision rules)",
            definition.name,
            short(&definition.version),
            definition.steps.len(),
            definition.decisions.len()
        );
    }
    Ok(())
}

/// Loads and validates the policy set; returns how many policies it has.
fn policies(settings: &Settings) -> Result<usize> {
    let sources = super::secrets::policy_sources(settings)?;
    airlock_policy::authz::LoadedPolicies::load(&sources)
        .map(|loaded| loaded.policies().len())
        .map_err(|problems| airlock_policy::authz::problems_error(&problems))
}

fn short(version: &str) -> &str {
    version.get(..12).unwrap_or(version)
}
