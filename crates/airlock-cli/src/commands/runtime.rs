//! What the commands that run workflows share: a tokio runtime, the
//! workflows loaded with every problem reported like `airlock check`, and
//! an [`Engine`] over the configured store and local models (or, for the
//! review commands, which run no model, none).

use super::{secrets, setup};
use airlock_config::Settings;
use airlock_core::{Error, Result};
use airlock_engine::{Classification, Engine, Generation, LocalModels, Models};
use airlock_store::{Store, StoreOptions};
use airlock_workflow::{NoWorkflows, WorkflowDefinition};
use async_trait::async_trait;
use std::path::Path;
use std::sync::Arc;

/// A multi-threaded runtime for the async commands.
pub fn tokio_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the async runtime: {e}")))
}

/// Loads the workflows under the configured directory
/// ([`load_workflows_in`]); see [`no_workflows`] for one holding none.
pub fn load_workflows(settings: &Settings) -> Result<Vec<WorkflowDefinition>> {
    let routes = settings.gateway.routes.len();
    load_workflows_in(&settings.workflows_dir, no_workflows(routes))
}

/// With model routes configured (`routes` of them), a directory holding
/// no workflow is a gateway-only server, not a problem.
pub fn no_workflows(routes: usize) -> NoWorkflows {
    if routes == 0 {
        NoWorkflows::Problem
    } else {
        NoWorkflows::Allowed
    }
}

/// Loads every workflow under `dir` (`none`: whether holding none is a
/// problem); on problems, prints each on stderr (as `airlock check` does)
/// and fails with `invalid_config`.
pub fn load_workflows_in(dir: &Path, none: NoWorkflows) -> Result<Vec<WorkflowDefinition>> {
    airlock_workflow::load_dir_with(dir, none).map_err(|problems| {
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
/// file's directory and runs the migrations), sealing payloads with the
/// configured encryption keys.
pub async fn connect_store(settings: &Settings) -> Result<Store> {
    let cipher = secrets::payload_cipher(settings)?;
    Store::connect_with(
        &settings.database.url,
        StoreOptions {
            durability: settings.database.durability,
            commit_priority: settings.database.commit_priority,
            cipher: Arc::new(cipher),
            ..StoreOptions::default()
        },
    )
    .await
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
    let gateway = gateway(settings, &models)?;
    let engine = secured(Engine::new(workflows, store, Arc::new(models))?, settings)?;
    Ok(match gateway {
        Some(gateway) => engine.with_gateway(gateway),
        None => engine,
    })
}

/// The model gateway of `[[providers]]` and `[[routes]]` (`None` without
/// routes), its `local` provider serving from `models`.
fn gateway(
    settings: &Settings,
    models: &LocalModels,
) -> Result<Option<Arc<airlock_engine::gateway::Gateway>>> {
    if settings.gateway.routes.is_empty() {
        return Ok(None);
    }
    let local: Arc<dyn airlock_providers::Provider> = Arc::new(models.provider());
    let gateway = airlock_engine::gateway::build_gateway(&settings.gateway, Some(local))?;
    Ok(Some(Arc::new(gateway)))
}

/// An engine for the review commands: the configured store and review
/// settings, `workflows` (for leases and output contracts) and no models,
/// since deciding a task runs none.
pub async fn review_engine(
    settings: &Settings,
    workflows: Vec<WorkflowDefinition>,
) -> Result<Engine> {
    let store = connect_store(settings).await?;
    secured(Engine::new(workflows, store, Arc::new(NoModels))?, settings)
}

/// `engine` with the adjudicators and the webhook endpoints review events
/// are enqueued for (a running server's dispatcher delivers them), the
/// configured policies, PII hash key and audit signing key.
fn secured(engine: Engine, settings: &Settings) -> Result<Engine> {
    engine
        .with_review_settings(settings.review.clone(), settings.webhooks.clone())
        .with_authorizer(Arc::new(secrets::authorizer(settings)?))
        .with_pii_hash_key(&secrets::pii_hash_key(settings)?)?
        .with_audit_signer(
            secrets::audit_signer(settings)?,
            settings.audit.trusted_public_keys.clone(),
        )
}

/// The models of an engine that must never run one.
struct NoModels;

#[async_trait]
impl Models for NoModels {
    async fn classify(&self, model: &str, _text: &str) -> Result<Classification> {
        Err(Error::internal(format!(
            "this command loads no models, yet classifier {model} was called"
        )))
    }

    async fn generate(&self, _prompt: &str, _max_tokens: u32) -> Result<Generation> {
        Err(Error::internal(
            "this command loads no models, yet the generator was called",
        ))
    }

    fn loaded(&self) -> Vec<String> {
        Vec::new()
    }
}
