//! Workflow definitions as the API shows them: a summary per workflow and
//! the full definition (steps, decision rules, contracts, output
//! expression), with every expression as its CEL source.

use airlock_workflow::{FallbackOutput, Step, StepKind, WorkflowDefinition};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::words::{DataClassView, DecisionView, OnErrorView, RiskView, StepKindView};

/// One workflow, without its steps.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowSummaryView {
    #[schema(example = "support-triage")]
    pub name: String,
    pub description: String,
    /// Who answers for the workflow.
    pub owner: String,
    pub risk: RiskView,
    pub data_class: DataClassView,
    /// Where an incident's handler reads what to do.
    pub runbook: String,
    /// Hex SHA-256 over the definition and every file it references.
    pub version: String,
    pub step_count: usize,
}

/// `GET /v1/workflows`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowList {
    pub items: Vec<WorkflowSummaryView>,
}

/// One extra data check of a `validate` step.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    /// CEL over `input`.
    pub expr: String,
    pub message: String,
}

/// One step of a definition. `name`, `kind`, `description`, `when` and
/// `on_error` are always present; the other members only for the kinds
/// that have them.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepDefinitionView {
    pub name: String,
    pub kind: StepKindView,
    #[schema(required = true)]
    pub description: Option<String>,
    /// CEL: the step runs only when this holds.
    #[schema(required = true)]
    pub when: Option<String>,
    pub on_error: OnErrorView,
    /// `validate`: extra checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<CheckView>>,
    /// `rule`: the CEL expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    /// `classify`: the classifier artifact, relative to the data directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `classify`: CEL yielding the text to classify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `generate`: the prompt template file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// `generate`: the token budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// `fallback`: the fixed output value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// `fallback`: the template file rendered as the output text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// `redact`: the kinds of personal data it redacts (absent: the
    /// workflow's `[pii]` entities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<String>>,
    /// `redact`: `mask`, `placeholder` or `hash` (absent: the `[pii]` mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `guard`: the score at which it acts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// `guard`: `block` or `review`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// One decision rule; the first whose `when` holds decides the run.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionRuleView {
    pub name: String,
    /// CEL; `null` only for the last rule, which always matches.
    #[schema(required = true)]
    pub when: Option<String>,
    pub decision: DecisionView,
    #[schema(required = true)]
    pub reason: Option<String>,
    /// `review` rules only: the priority of the tasks this rule creates,
    /// overriding the workflow's.
    #[schema(required = true)]
    pub priority: Option<i32>,
}

/// `[review]`: how the workflow's `review` runs are queued for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPolicyView {
    /// Higher is more urgent.
    pub priority: i32,
    /// How long after creation a task is due, e.g. `4h`.
    #[schema(example = "4h")]
    pub sla: String,
    /// How long a claim holds unless renewed, e.g. `15m`.
    #[schema(example = "15m")]
    pub lease: String,
    /// Agreeing independent reviews needed (1: no consensus).
    pub consensus: u32,
    /// The classify step whose label is the suggestion.
    #[schema(required = true)]
    pub label_step: Option<String>,
    /// The output property holding the label.
    #[schema(required = true)]
    pub label_field: Option<String>,
}

/// `GET /v1/workflows/{name}`: the whole definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowDetailView {
    #[serde(flatten)]
    pub summary: WorkflowSummaryView,
    pub steps: Vec<StepDefinitionView>,
    pub decisions: Vec<DecisionRuleView>,
    pub review: ReviewPolicyView,
    /// The input contract (JSON Schema).
    pub input_schema: Value,
    /// The output contract (JSON Schema).
    pub output_schema: Value,
    /// CEL building the output from `input` and `steps`.
    pub output_value: String,
}

impl From<&WorkflowDefinition> for WorkflowSummaryView {
    fn from(w: &WorkflowDefinition) -> Self {
        WorkflowSummaryView {
            name: w.name.clone(),
            description: w.description.clone(),
            owner: w.owner.clone(),
            risk: w.risk.into(),
            data_class: w.data_class.into(),
            runbook: w.runbook.clone(),
            version: w.version.clone(),
            step_count: w.steps.len(),
        }
    }
}

impl From<&WorkflowDefinition> for WorkflowDetailView {
    fn from(w: &WorkflowDefinition) -> Self {
        WorkflowDetailView {
            summary: w.into(),
            steps: w.steps.iter().map(StepDefinitionView::from).collect(),
            decisions: w
                .decisions
                .iter()
                .map(|d| DecisionRuleView {
                    name: d.name.clone(),
                    when: d.when.as_ref().map(|e| e.source.clone()),
                    decision: d.decision.into(),
                    reason: d.reason.clone(),
                    priority: d.priority,
                })
                .collect(),
            review: ReviewPolicyView {
                priority: w.review.priority,
                sla: humantime::format_duration(w.review.sla).to_string(),
                lease: humantime::format_duration(w.review.lease).to_string(),
                consensus: w.review.consensus,
                label_step: w.review.label_step.clone(),
                label_field: w.review.label_field.clone(),
            },
            input_schema: w.input_schema.json.clone(),
            output_schema: w.output_schema.json.clone(),
            output_value: w.output.source.clone(),
        }
    }
}

impl From<&Step> for StepDefinitionView {
    fn from(step: &Step) -> Self {
        let mut view = StepDefinitionView {
            name: step.name.clone(),
            kind: (&step.kind).into(),
            description: step.description.clone(),
            when: step.when.as_ref().map(|e| e.source.clone()),
            on_error: step.on_error.into(),
            checks: None,
            expr: None,
            model: None,
            text: None,
            prompt: None,
            max_tokens: None,
            output: None,
            template: None,
            entities: None,
            mode: None,
            threshold: None,
            action: None,
        };
        match &step.kind {
            StepKind::Validate { checks } => {
                view.checks = Some(
                    checks
                        .iter()
                        .map(|c| CheckView {
                            expr: c.expr.source.clone(),
                            message: c.message.clone(),
                        })
                        .collect(),
                )
            }
            StepKind::Rule { expr } => view.expr = Some(expr.source.clone()),
            StepKind::Classify { model, text, .. } => {
                view.model = Some(model.clone());
                view.text = Some(text.source.clone());
            }
            StepKind::Generate { prompt, max_tokens } => {
                view.prompt = Some(prompt.clone());
                view.max_tokens = Some(*max_tokens);
            }
            StepKind::Fallback {
                output: FallbackOutput::Value(value),
            } => view.output = Some(value.clone()),
            StepKind::Fallback {
                output: FallbackOutput::Template(template),
            } => view.template = Some(template.clone()),
            StepKind::Redact { entities, mode } => {
                view.entities = entities
                    .as_ref()
                    .map(|e| e.iter().map(|e| e.as_str().to_string()).collect());
                view.mode = mode.map(|m| m.as_str().to_string());
            }
            StepKind::Guard {
                text,
                model,
                threshold,
                action,
                ..
            } => {
                view.text = Some(text.source.clone());
                view.model = model.clone();
                view.threshold = Some(*threshold);
                view.action = Some(action.as_str().to_string());
            }
        }
        view
    }
}
