//! `airlock check [DIR]`: validates every workflow under DIR and prints one
//! `ok:` line per valid workflow, or every problem, one per line; exits 78
//! (invalid configuration) when there is any problem.

use airlock_config::Settings;
use airlock_core::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Directory of workflow directories, or one workflow directory.
    /// Default: `./workflows` if it exists, else `./examples`.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: CheckArgs, _settings: &Settings) -> Result<()> {
    // The settings were already loaded and validated by the dispatcher, so
    // reaching this point means the configuration itself is valid.
    let dir = args.dir.unwrap_or_else(default_dir);
    match airlock_workflow::load_dir(&dir) {
        Ok(definitions) => {
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
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            Err(Error::invalid_config(format!(
                "{} problem{} in the workflows under {}",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                dir.display()
            ))
            .with_hint("fix every problem listed above and run `airlock check` again"))
        }
    }
}

fn default_dir() -> PathBuf {
    let workflows = Path::new("workflows");
    if workflows.is_dir() {
        workflows.to_path_buf()
    } else {
        PathBuf::from("examples")
    }
}

fn short(version: &str) -> &str {
    version.get(..12).unwrap_or(version)
}
