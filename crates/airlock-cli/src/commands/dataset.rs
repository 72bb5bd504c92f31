//! `airlock dataset export`: the labels people gave a workflow's runs, as
//! a JSON Lines training set with provenance. One line per resolved review
//! task whose reviewers settled on a label (approved or overridden;
//! rejected tasks carry no label and are left out) and, with
//! `--include-feedback`, per feedback record that carries a label.
//!
//! Each line's `text` is what the workflow's label step classified: its
//! `text` expression evaluated again over the stored run (see
//! `airlock_engine::classify_text`), so the file trains the same kind of
//! classifier the workflow uses (`airlock classify train --data FILE`).
//! Reads the configured database directly, like `airlock runs list`.

use std::io::Write;
use std::path::{Path, PathBuf};

use airlock_config::Settings;
use airlock_core::{
    Error, FeedbackRecord, Result, ReviewAction, ReviewStatus, ReviewTask, Timestamp,
};
use airlock_engine::{classify_text, suggested_label, unknown_workflow};
use airlock_store::{FeedbackFilter, FeedbackStore, ReviewFilter, ReviewStore, RunStore, Store};
use airlock_workflow::WorkflowDefinition;
use serde::Serialize;

use super::runtime::{connect_store, load_workflows, tokio_runtime};

/// Rows read per page from the database.
const PAGE: u32 = 500;
/// A progress line on stderr every this many examples.
const PROGRESS_EVERY: u64 = 1000;

#[derive(Debug, clap::Subcommand)]
pub enum DatasetCommand {
    /// Write a workflow's reviewed (and optionally feedback-) labelled runs
    /// as JSONL: {"text", "label", "run_id", "review_id", "reviewer",
    /// "decided_at", "workflow_version", "source", "suggested_label"}.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The workflow whose runs to export.
    pub workflow: String,
    /// The JSONL file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only labels decided at or after this RFC 3339 time (review
    /// resolution or feedback time).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Also export feedback records that carry a label.
    #[arg(long)]
    pub include_feedback: bool,
}

/// One line of the export.
#[derive(Debug, Serialize)]
struct ExampleLine {
    text: String,
    label: String,
    run_id: String,
    review_id: Option<String>,
    /// The reviewers who decided, comma-separated (`null` for feedback).
    reviewer: Option<String>,
    decided_at: Timestamp,
    workflow_version: String,
    source: &'static str,
    suggested_label: Option<String>,
}

/// What the export wrote and left out, printed at the end.
#[derive(Debug, Default, Serialize)]
struct ExportSummary {
    out: String,
    examples: u64,
    from_reviews: u64,
    from_feedback: u64,
    /// Resolved tasks left out because they were rejected.
    skipped_rejected: u64,
    /// Left out because no label was settled on.
    skipped_without_label: u64,
    /// Left out because the label step's text could not be rebuilt from
    /// the stored run (e.g. the workflow no longer classifies that input).
    skipped_without_text: u64,
}

pub fn run(cmd: DatasetCommand, settings: &Settings) -> Result<()> {
    match cmd {
        DatasetCommand::Export(args) => {
            let summary = tokio_runtime()?.block_on(export(&args, settings))?;
            eprintln!(
                "exported {} examples ({} from reviews, {} from feedback) to {}",
                summary.examples,
                summary.from_reviews,
                summary.from_feedback,
                args.out.display()
            );
            super::print_json_pretty(&summary)
        }
    }
}

async fn export(args: &ExportArgs, settings: &Settings) -> Result<ExportSummary> {
    let since = args
        .since
        .as_deref()
        .map(Timestamp::parse_rfc3339)
        .transpose()
        .map_err(|e| e.with_field("since"))?;
    let workflows = load_workflows(settings)?;
    let workflow = workflows
        .iter()
        .find(|w| w.name == args.workflow)
        .ok_or_else(|| unknown_workflow(&args.workflow, workflows.iter().map(|w| &w.name)))?;
    let mut out = ExampleWriter::create(&args.out)?;
    let store = connect_store(settings).await?;
    let result = async {
        export_reviews(&store, workflow, since, &mut out).await?;
        if args.include_feedback {
            export_feedback(&store, workflow, since, &mut out).await?;
        }
        Ok::<_, Error>(())
    }
    .await;
    store.close().await;
    match result {
        Ok(()) => out.finish(),
        Err(e) => {
            out.abandon();
            Err(e)
        }
    }
}

async fn export_reviews(
    store: &Store,
    workflow: &WorkflowDefinition,
    since: Option<Timestamp>,
    out: &mut ExampleWriter,
) -> Result<()> {
    let mut filter = ReviewFilter {
        workflow: Some(workflow.name.clone()),
        status: Some(ReviewStatus::Resolved),
        limit: Some(PAGE),
        ..ReviewFilter::at(Timestamp::now())
    };
    loop {
        let page = store.list_reviews(&filter).await?;
        for task in &page.items {
            export_review(store, workflow, since, task, out).await?;
        }
        match page.next_cursor {
            Some(cursor) => filter.cursor = Some(cursor),
            None => return Ok(()),
        }
    }
}

async fn export_review(
    store: &Store,
    workflow: &WorkflowDefinition,
    since: Option<Timestamp>,
    task: &ReviewTask,
    out: &mut ExampleWriter,
) -> Result<()> {
    let Some(resolution) = &task.resolution else {
        return Ok(());
    };
    if since.is_some_and(|since| resolution.resolved_at < since) {
        return Ok(());
    }
    let label = match resolution.action {
        ReviewAction::Reject => {
            out.summary.skipped_rejected += 1;
            return Ok(());
        }
        ReviewAction::Approve => resolution
            .label
            .clone()
            .or_else(|| task.suggestion.label.clone()),
        ReviewAction::Override => resolution.label.clone(),
    };
    let Some(label) = label else {
        out.summary.skipped_without_label += 1;
        return Ok(());
    };
    let Some(run) = store.get(task.run_id).await? else {
        out.summary.skipped_without_text += 1;
        return Ok(());
    };
    let Some(text) = classify_text(workflow, task.suggestion.step.as_deref(), &run) else {
        out.summary.skipped_without_text += 1;
        return Ok(());
    };
    out.summary.from_reviews += 1;
    out.write(&ExampleLine {
        text,
        label,
        run_id: task.run_id.to_string(),
        review_id: Some(task.id.to_string()),
        reviewer: Some(resolution.decided_by.join(",")),
        decided_at: resolution.resolved_at,
        workflow_version: task.workflow_version.clone(),
        source: "review",
        suggested_label: task.suggestion.label.clone(),
    })
}

async fn export_feedback(
    store: &Store,
    workflow: &WorkflowDefinition,
    since: Option<Timestamp>,
    out: &mut ExampleWriter,
) -> Result<()> {
    let mut filter = FeedbackFilter {
        workflow: Some(workflow.name.clone()),
        labelled: true,
        limit: Some(PAGE),
        ..FeedbackFilter::default()
    };
    loop {
        let page = store.list_feedback(&filter).await?;
        for record in &page.items {
            if since.is_some_and(|since| record.created_at < since) {
                continue;
            }
            export_one_feedback(store, workflow, record, out).await?;
        }
        match page.next_cursor {
            Some(cursor) => filter.cursor = Some(cursor),
            None => return Ok(()),
        }
    }
}

async fn export_one_feedback(
    store: &Store,
    workflow: &WorkflowDefinition,
    record: &FeedbackRecord,
    out: &mut ExampleWriter,
) -> Result<()> {
    let Some(label) = record.label.clone() else {
        out.summary.skipped_without_label += 1;
        return Ok(());
    };
    let run = store.get(record.run_id).await?;
    let Some((run, text)) = run.and_then(|run| {
        let text = classify_text(workflow, None, &run)?;
        Some((run, text))
    }) else {
        out.summary.skipped_without_text += 1;
        return Ok(());
    };
    out.summary.from_feedback += 1;
    out.write(&ExampleLine {
        text,
        label,
        run_id: record.run_id.to_string(),
        review_id: run.review_id.map(|id| id.to_string()),
        reviewer: None,
        decided_at: record.created_at,
        workflow_version: run.workflow_version.clone(),
        source: "feedback",
        suggested_label: suggested_label(workflow, None, &run),
    })
}

/// Writes lines to `<out>.partial` and renames it over `out` once every
/// line is written and synced, so a failed export leaves no half file.
struct ExampleWriter {
    path: PathBuf,
    partial: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    summary: ExportSummary,
}

impl ExampleWriter {
    fn create(path: &Path) -> Result<ExampleWriter> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = std::fs::File::create(&partial)
            .map_err(|e| Error::io(&partial, "create the export file", e))?;
        Ok(ExampleWriter {
            path: path.to_path_buf(),
            partial,
            file: std::io::BufWriter::new(file),
            summary: ExportSummary {
                out: path.display().to_string(),
                ..ExportSummary::default()
            },
        })
    }

    fn write(&mut self, line: &ExampleLine) -> Result<()> {
        let text = serde_json::to_string(line)
            .map_err(|e| Error::internal(format!("cannot encode an example: {e}")))?;
        writeln!(self.file, "{text}")
            .map_err(|e| Error::io(&self.partial, "write the export file", e))?;
        self.summary.examples += 1;
        if self.summary.examples.is_multiple_of(PROGRESS_EVERY) {
            eprintln!("exported {} examples...", self.summary.examples);
        }
        Ok(())
    }

    /// Removes the partial file after a failure (best effort: the error
    /// that stopped the export is the one worth reporting).
    fn abandon(self) {
        drop(self.file);
        let _ = std::fs::remove_file(&self.partial);
    }

    fn finish(self) -> Result<ExportSummary> {
        let file = self
            .file
            .into_inner()
            .map_err(|e| Error::io(&self.partial, "write the export file", e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io(&self.partial, "sync the export file", e))?;
        std::fs::rename(&self.partial, &self.path)
            .map_err(|e| Error::io(&self.path, "move the export file into place", e))?;
        Ok(self.summary)
    }
}
