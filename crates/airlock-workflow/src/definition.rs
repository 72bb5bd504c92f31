//! The validated, compiled form of a workflow: what the engine runs. Every
//! expression is a parsed CEL program, every schema a compiled validator,
//! every template parsed into one minijinja environment, so nothing about
//! the definition can fail at run time for syntax reasons.

use airlock_core::Decision;

pub use crate::privacy::{GuardAction, PiiEntity, PiiMode, PiiPolicy, RetentionPolicy};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How much harm a wrong answer of this workflow can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Risk {
    Low,
    Medium,
    High,
}

/// The most sensitive data the workflow handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataClass {
    Public,
    Internal,
    Confidential,
}

impl Risk {
    pub const NAMES: &'static [&'static str] = &["low", "medium", "high"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Risk::Low),
            "medium" => Some(Risk::Medium),
            "high" => Some(Risk::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

impl DataClass {
    pub const NAMES: &'static [&'static str] = &["public", "internal", "confidential"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(DataClass::Public),
            "internal" => Some(DataClass::Internal),
            "confidential" => Some(DataClass::Confidential),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DataClass::Public => "public",
            DataClass::Internal => "internal",
            DataClass::Confidential => "confidential",
        }
    }
}

/// A parsed CEL expression together with the text it was written as.
pub struct Expression {
    pub source: String,
    pub program: cel::Program,
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

/// A JSON Schema file, parsed and compiled.
pub struct Schema {
    /// Path relative to the workflow directory, as written.
    pub path: String,
    pub json: serde_json::Value,
    pub validator: jsonschema::Validator,
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schema").field("path", &self.path).finish()
    }
}

/// What happens when a step fails at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// The run fails with the step's error (the default).
    Fail,
    /// The step's output records `ok = false` and the error, and the run
    /// goes on; later steps and decisions can react (e.g. a fallback).
    Continue,
}

impl OnError {
    pub const NAMES: &'static [&'static str] = &["fail", "continue"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fail" => Some(OnError::Fail),
            "continue" => Some(OnError::Continue),
            _ => None,
        }
    }
}

/// One extra data check of a `validate` step.
#[derive(Debug)]
pub struct Check {
    pub expr: Expression,
    pub message: String,
}

/// What a step does, with the fields its kind needs.
#[derive(Debug)]
pub enum StepKind {
    /// Checks the input against the input schema and extra checks.
    Validate { checks: Vec<Check> },
    /// Evaluates a CEL expression; output `value`.
    Rule { expr: Expression },
    /// Classifies a text with a local classifier; outputs `label`, `confidence`.
    Classify {
        /// Classifier artifact path, relative to the data directory.
        model: String,
        text: Expression,
        /// Labelled data to train the classifier from when the artifact is
        /// missing (full path, inside the workflow directory).
        training_data: Option<PathBuf>,
    },
    /// Generates text from a rendered prompt template; output `text`.
    Generate {
        /// Template name (its path relative to the workflow directory).
        prompt: String,
        max_tokens: u32,
    },
    /// A deterministic output: a fixed value or a rendered template.
    Fallback { output: FallbackOutput },
    /// Redacts personal data in the input before later steps (and any
    /// model) see it; outputs how many of each kind were found.
    Redact {
        /// `None`: the workflow's `[pii]` entities.
        entities: Option<Vec<PiiEntity>>,
        /// `None`: the workflow's `[pii]` mode.
        mode: Option<PiiMode>,
    },
    /// Scores a text for prompt injection (heuristics, plus a classifier
    /// when `model` is set); at `threshold` the run ends with `action`.
    Guard {
        text: Expression,
        /// Classifier artifact (labels `injection`/`benign`), relative to
        /// the data directory.
        model: Option<String>,
        training_data: Option<PathBuf>,
        threshold: f64,
        action: GuardAction,
    },
}

impl StepKind {
    pub const NAMES: &'static [&'static str] = &[
        "validate", "rule", "classify", "generate", "fallback", "redact", "guard",
    ];

    pub fn name(&self) -> &'static str {
        self.record_kind().as_str()
    }

    /// The classifier artifact the step runs (a `classify` step's model,
    /// or a `guard` step's injection classifier), with its training data.
    pub fn classifier(&self) -> Option<(&str, Option<&PathBuf>)> {
        match self {
            StepKind::Classify {
                model,
                training_data,
                ..
            } => Some((model, training_data.as_ref())),
            StepKind::Guard {
                model: Some(model),
                training_data,
                ..
            } => Some((model, training_data.as_ref())),
            _ => None,
        }
    }

    /// The kind as a run record names it.
    pub fn record_kind(&self) -> airlock_core::StepKind {
        match self {
            StepKind::Validate { .. } => airlock_core::StepKind::Validate,
            StepKind::Rule { .. } => airlock_core::StepKind::Rule,
            StepKind::Classify { .. } => airlock_core::StepKind::Classify,
            StepKind::Generate { .. } => airlock_core::StepKind::Generate,
            StepKind::Fallback { .. } => airlock_core::StepKind::Fallback,
            StepKind::Redact { .. } => airlock_core::StepKind::Redact,
            StepKind::Guard { .. } => airlock_core::StepKind::Guard,
        }
    }
}

/// The output of a `fallback` step.
#[derive(Debug)]
pub enum FallbackOutput {
    Value(serde_json::Value),
    /// Template name (its path relative to the workflow directory).
    Template(String),
}

/// One step of a workflow.
#[derive(Debug)]
pub struct Step {
    pub name: String,
    pub description: Option<String>,
    pub when: Option<Expression>,
    pub on_error: OnError,
    pub kind: StepKind,
}

/// One decision rule; the first whose `when` holds decides the run.
#[derive(Debug)]
pub struct DecisionRule {
    pub name: String,
    /// `None` only for the last rule, which always matches.
    pub when: Option<Expression>,
    /// How the run ends; chosen by these rules, never by a model.
    pub decision: Decision,
    pub reason: Option<String>,
    /// The priority of review tasks this rule creates, instead of the
    /// workflow's (`review` rules only).
    pub priority: Option<i32>,
}

/// `[review]`: how runs that end in `review` are queued for people.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewPolicy {
    /// Higher is more urgent; a decision rule's `priority` overrides it.
    pub priority: i32,
    /// How long after creation a task is due.
    pub sla: Duration,
    /// How long a reviewer's claim holds before the task returns to the queue.
    pub lease: Duration,
    /// Independent reviews that must agree to resolve a task (1: no consensus).
    pub consensus: u32,
    /// The classify step whose label is the suggestion reviewers confirm.
    pub label_step: Option<String>,
    /// The output property holding the label (read from an override's output).
    pub label_field: Option<String>,
}

impl ReviewPolicy {
    pub const DEFAULT_PRIORITY: i32 = 0;
    pub const DEFAULT_SLA: Duration = Duration::from_secs(24 * 60 * 60);
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(15 * 60);
    pub const DEFAULT_CONSENSUS: u32 = 1;
    /// Largest `consensus` accepted.
    pub const MAX_CONSENSUS: u32 = 25;
}

/// A valid workflow, compiled and ready to run.
pub struct WorkflowDefinition {
    pub name: String,
    pub description: String,
    pub owner: String,
    pub risk: Risk,
    pub data_class: DataClass,
    pub runbook: String,
    /// The workflow directory.
    pub dir: PathBuf,
    /// Hex SHA-256 over `workflow.toml` and every file it references.
    pub version: String,
    pub input_schema: Schema,
    pub output_schema: Schema,
    /// Builds the run's output from `input` and `steps`.
    pub output: Expression,
    pub steps: Vec<Step>,
    pub decisions: Vec<DecisionRule>,
    /// How review tasks are queued (defaults when there is no `[review]`).
    pub review: ReviewPolicy,
    /// What stored payloads redact (defaults when there is no `[pii]`).
    pub pii: PiiPolicy,
    /// How long payloads are kept (forever when there is no `[retention]`).
    pub retention: RetentionPolicy,
    /// Every template of the workflow, named by its relative path.
    pub templates: minijinja::Environment<'static>,
}

impl WorkflowDefinition {
    /// The step called `name`.
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// The decision rule called `name`.
    pub fn decision_rule(&self, name: &str) -> Option<&DecisionRule> {
        self.decisions.iter().find(|d| d.name == name)
    }
}

impl fmt::Debug for WorkflowDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowDefinition")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("owner", &self.owner)
            .field("risk", &self.risk)
            .field("data_class", &self.data_class)
            .field("steps", &self.steps)
            .field("decisions", &self.decisions)
            .field("review", &self.review)
            .field("pii", &self.pii)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}
