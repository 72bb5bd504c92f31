//! Airlock workflow definitions: a workflow is a directory a team keeps in
//! git, holding `workflow.toml`, JSON Schemas for its input and output and
//! minijinja prompt templates. This crate parses and validates such
//! directories, reporting every [`Problem`] at once, and compiles them into
//! the [`WorkflowDefinition`] the engine runs. See `docs/workflows.md`.

pub mod definition;
pub mod expr;
mod files;
mod privacy;
mod privacy_section;
pub mod problem;
mod raw;
mod review_section;
mod validate;

pub use definition::{
    Check, DataClass, DecisionRule, Expression, FallbackOutput, GuardAction, OnError, PiiEntity,
    PiiMode, PiiPolicy, RetentionPolicy, ReviewPolicy, Risk, Schema, Step, StepKind,
    WorkflowDefinition,
};
pub use problem::Problem;
pub use validate::{load_workflow, DEFINITION_FILE};

use std::path::Path;

/// Loads every workflow under `dir`: `dir` itself when it holds a
/// `workflow.toml`, otherwise each direct subdirectory that does (in name
/// order; other entries are ignored). Returns every problem of every
/// workflow, including two workflows sharing a name, or a directory with
/// no workflows at all.
pub fn load_dir(dir: &Path) -> Result<Vec<WorkflowDefinition>, Vec<Problem>> {
    load_dir_with(dir, NoWorkflows::Problem)
}

/// What [`load_dir_with`] makes of a readable directory that holds no
/// workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoWorkflows {
    /// A problem (`no workflows found`), as [`load_dir`] reports it.
    Problem,
    /// No workflows: a server that only routes model calls.
    Allowed,
}

/// [`load_dir`], with `none` saying whether a directory holding no
/// workflow is a problem.
pub fn load_dir_with(
    dir: &Path,
    none: NoWorkflows,
) -> Result<Vec<WorkflowDefinition>, Vec<Problem>> {
    let workflow_dirs = workflow_dirs(dir, none)?;
    let mut definitions: Vec<WorkflowDefinition> = Vec::new();
    let mut problems = Vec::new();
    for workflow_dir in workflow_dirs {
        match load_workflow(&workflow_dir) {
            Ok(definition) => {
                if let Some(first) = definitions.iter().find(|d| d.name == definition.name) {
                    problems.push(
                        Problem::in_file(
                            &workflow_dir.join(DEFINITION_FILE),
                            format!(
                                "workflow name `{}` is already used by {}",
                                definition.name,
                                first.dir.join(DEFINITION_FILE).display()
                            ),
                        )
                        .with_hint("workflow names must be unique; rename one of them"),
                    );
                } else {
                    definitions.push(definition);
                }
            }
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        Ok(definitions)
    } else {
        Err(problems)
    }
}

/// The workflow directories under `dir` (see [`load_dir`]).
fn workflow_dirs(dir: &Path, none: NoWorkflows) -> Result<Vec<std::path::PathBuf>, Vec<Problem>> {
    if dir.join(DEFINITION_FILE).is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![
            Problem::in_file(dir, format!("cannot read the workflows directory: {e}")).with_hint(
                "pass a directory holding workflow directories, or one workflow directory",
            ),
        ]
    })?;
    let mut dirs: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join(DEFINITION_FILE).is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() && none == NoWorkflows::Problem {
        return Err(vec![Problem::in_file(
            dir,
            format!("no workflows found (no `*/{DEFINITION_FILE}`)"),
        )
        .with_hint(
            "create one directory per workflow, each with a workflow.toml; see docs/workflows.md",
        )]);
    }
    Ok(dirs)
}
