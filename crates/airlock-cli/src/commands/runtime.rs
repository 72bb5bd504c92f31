//! What the commands that run workflows share: a tokio runtime, the
//! workflows loaded with every problem reported like `airlock check`, and
//! an [`Engine`] over the configured store and local models.

use super::setup;
use airlock_config::Settings;
use airlock_core::{Error, Result};
use airlock_engine::{Engine, LocalModels};
use airlock_store::Store;
use airlock_workflow::WorkflowDefinition;
use std::path::Path;
use std::sync::Arc;

/// A multi-threaded runtime for the async commands.
pub fn tokio_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the async runtime: {e}")))
}

/// Loads every workflow under `dir`; on problems, prints each on stderr
/// (as `airlock check` does) and fails with `invalid_config`.
pub fn load_workflows(dir: &Path) -> Result<Vec<WorkflowDefinition>> {
    airlock_workflow::load_dir(dir).map_err(|problems| {
        for problem in &problems {
            eprintln!("{problem}");
        }
        Error::invalid_config(format!(
            "{} problem{} in the workflows under {}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            dir.display()
        ))
        .with_hint("fix every problem listed above and run `airlock check` again")
    })
}

/// Connects to the configured database (the store creates a SQLite
/// file's directory and runs the migrations).
pub async fn connect_store(settings: &Settings) -> Result<Store> {
    Store::connect(&settings.database.url, settings.database.durability).await
}

/// Prepares missing models and classifiers, loads them and connects the
/// store: everything a run needs.
pub async fn build_engine(
    settings: &Settings,
    workflows: Vec<WorkflowDefinition>,
) -> Result<Engine> {
    let store = connect_store(settings).await?;
    let for_models = settings.clone();
    let (workflows, models) = tokio::task::spawn_blocking(move || {
        setup::prepare(&for_models, &workflows)?;
        let models = LocalModels::load(&for_models, &workflows)?;
        Ok::<_, Error>((workflows, models))
    })
    .await
    .map_err(|e| Error::internal(format!("model loading panicked: {e}")))??;
    Ok(Engine::new(workflows, store, Arc::new(models)))
}
