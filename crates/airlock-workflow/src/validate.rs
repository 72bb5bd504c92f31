//! Turns one workflow directory into a [`WorkflowDefinition`], or into the
//! complete list of its problems. Each check records a problem and carries
//! on, so a single `airlock check` shows everything that needs fixing.

use crate::definition::*;
use crate::expr::{self, BadReference};
use crate::files::{BadPath, WorkflowFiles};
use crate::problem::{Problem, SourceFile};
use crate::raw::{RawDecision, RawHeader, RawStep};
use airlock_core::Decision;
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

/// The definition file's name inside a workflow directory.
pub const DEFINITION_FILE: &str = "workflow.toml";

const DEFAULT_MAX_TOKENS: u32 = 256;
const MAX_MAX_TOKENS: i64 = 4096;

/// Loads and validates the workflow in `dir`.
pub fn load_workflow(dir: &Path) -> Result<WorkflowDefinition, Vec<Problem>> {
    let path = dir.join(DEFINITION_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        vec![
            Problem::in_file(&path, format!("cannot read the workflow definition: {e}"))
                .with_hint("each workflow directory needs a readable workflow.toml"),
        ]
    })?;
    let file = SourceFile {
        path: &path,
        text: &text,
    };
    let (document, syntax_errors) = DeTable::parse_recoverable(&text);
    if !syntax_errors.is_empty() {
        return Err(syntax_errors
            .iter()
            .map(|e| {
                file.problem(
                    e.span(),
                    format!("TOML syntax error: {}", e.message().trim()),
                )
                .with_hint("see https://toml.io for the syntax")
            })
            .collect());
    }
    let mut checker = Checker {
        file,
        files: WorkflowFiles::new(dir),
        problems: Vec::new(),
    };
    checker.files.record(DEFINITION_FILE, text.as_bytes());
    let definition = checker.workflow(document, dir);
    match definition {
        Some(definition) if checker.problems.is_empty() => Ok(definition),
        _ => Err(checker.problems),
    }
}

pub(crate) struct Checker<'a> {
    file: SourceFile<'a>,
    files: WorkflowFiles,
    problems: Vec<Problem>,
}

/// Deserializes one piece of the document into its raw struct.
pub(crate) fn piece<'de, T: Deserialize<'de>>(
    value: Spanned<DeValue<'de>>,
) -> Result<T, toml::de::Error> {
    T::deserialize(ValueDeserializer::from(value))
}

impl Checker<'_> {
    pub(crate) fn report(
        &mut self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let problem = self.file.problem(span, message).with_hint(hint);
        self.problems.push(problem);
    }

    pub(crate) fn report_de(
        &mut self,
        error: &toml::de::Error,
        fallback: Range<usize>,
        what: &str,
    ) {
        let message = error.message().trim().to_string();
        let hint = if message.contains("unknown field") {
            "remove the key or fix its spelling; see docs/workflows.md for the allowed keys"
        } else {
            "see docs/workflows.md for the type each key takes"
        };
        self.report(
            Some(error.span().unwrap_or(fallback)),
            format!("{what}: {message}"),
            hint,
        );
    }

    /// A required field: reports it missing (at the enclosing table) when absent.
    fn required<T>(
        &mut self,
        field: Option<Spanned<T>>,
        key: &str,
        what: &str,
        at: &Range<usize>,
    ) -> Option<Spanned<T>> {
        if field.is_none() {
            self.report(
                Some(at.clone()),
                format!("{what}: missing required key `{key}`"),
                format!("add `{key} = ...`; see docs/workflows.md"),
            );
        }
        field
    }

    fn workflow(
        &mut self,
        document: Spanned<DeTable<'_>>,
        dir: &Path,
    ) -> Option<WorkflowDefinition> {
        let whole = document.span();
        let mut header_table = DeTable::new();
        let mut steps_value = None;
        let mut decisions_value = None;
        let mut review_value = None;
        let mut pii_value = None;
        let mut retention_value = None;
        for (key, value) in document.into_inner() {
            match key.get_ref().as_ref() {
                "steps" => steps_value = Some(value),
                "decision" => decisions_value = Some(value),
                "review" => review_value = Some(value),
                "pii" => pii_value = Some(value),
                "retention" => retention_value = Some(value),
                _ => {
                    header_table.insert(key, value);
                }
            }
        }
        let header: RawHeader =
            match piece(Spanned::new(whole.clone(), DeValue::Table(header_table))) {
                Ok(header) => header,
                Err(e) => {
                    self.report_de(&e, whole.clone(), "workflow");
                    RawHeader::default()
                }
            };
        let header = self.header(header, &whole);
        let steps = self.steps(steps_value, &whole);
        let step_names: Vec<String> = steps.iter().map(|s| s.name.clone()).collect();
        let all: Vec<&str> = step_names.iter().map(String::as_str).collect();
        let output = header
            .output_value
            .as_ref()
            .and_then(|v| self.expr(v, "`output.value`", &all, &all));
        let decisions = self.decisions(decisions_value, &whole, &all);
        let review = self.review_policy(review_value, &steps, header.output_schema.as_ref());
        let pii = self.pii_policy(pii_value);
        let retention = self.retention_policy(retention_value);
        Some(WorkflowDefinition {
            name: header.name?,
            description: header.description?,
            owner: header.owner?,
            risk: header.risk?,
            data_class: header.data_class?,
            runbook: header.runbook?,
            dir: dir.to_path_buf(),
            version: self.files.version(),
            input_schema: header.input_schema?,
            output_schema: header.output_schema?,
            output: output?,
            steps,
            decisions,
            review,
            pii,
            retention,
            templates: std::mem::replace(&mut self.files.templates, minijinja::Environment::new()),
        })
    }

    fn header(&mut self, raw: RawHeader, whole: &Range<usize>) -> Header {
        let what = "workflow";
        let name = self.required(raw.name, "name", what, whole).and_then(|n| {
            if is_workflow_name(n.get_ref()) {
                Some(n.into_inner())
            } else {
                self.report(Some(n.span()), format!("workflow name `{}` is not valid", n.get_ref()),
                    "use lowercase letters, digits and `-`, starting with a letter or digit (it appears in URLs), at most 64 characters");
                None
            }
        });
        let description = self
            .required(raw.description, "description", what, whole)
            .map(Spanned::into_inner);
        let owner = self
            .required(raw.owner, "owner", what, whole)
            .and_then(|o| self.non_empty(o, "owner"));
        let runbook = self
            .required(raw.runbook, "runbook", what, whole)
            .and_then(|r| self.non_empty(r, "runbook"));
        let risk = self
            .required(raw.risk, "risk", what, whole)
            .and_then(|r| self.enumerated(&r, "risk", Risk::NAMES, Risk::parse));
        let data_class = self
            .required(raw.data_class, "data_class", what, whole)
            .and_then(|d| self.enumerated(&d, "data_class", DataClass::NAMES, DataClass::parse));
        let input_schema = self
            .required(raw.input, "input", what, whole)
            .and_then(|input| {
                let span = input.span();
                let schema =
                    self.required(input.into_inner().schema, "schema", "[input]", &span)?;
                self.schema(&schema)
            });
        let mut output_schema = None;
        let mut output_value = None;
        if let Some(output) = self.required(raw.output, "output", what, whole) {
            let span = output.span();
            let output = output.into_inner();
            if let Some(schema) = self.required(output.schema, "schema", "[output]", &span) {
                output_schema = self.schema(&schema);
            }
            output_value = self.required(output.value, "value", "[output]", &span);
        }
        Header {
            name,
            description,
            owner,
            risk,
            data_class,
            runbook,
            input_schema,
            output_schema,
            output_value,
        }
    }

    fn non_empty(&mut self, value: Spanned<String>, key: &str) -> Option<String> {
        if value.get_ref().trim().is_empty() {
            self.report(Some(value.span()), format!("`{key}` is empty"), format!("say who/where: `{key}` is shown to whoever handles a problem with this workflow"));
            None
        } else {
            Some(value.into_inner())
        }
    }

    fn enumerated<T>(
        &mut self,
        value: &Spanned<String>,
        key: &str,
        names: &[&str],
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let parsed = parse(value.get_ref());
        if parsed.is_none() {
            self.report(
                Some(value.span()),
                format!(
                    "`{key}` is `{}`, which is not one of: {}",
                    value.get_ref(),
                    names.join(", ")
                ),
                format!("use one of: {}", names.join(", ")),
            );
        }
        parsed
    }

    fn bad_path(&mut self, at: &Spanned<String>, bad: BadPath) {
        self.report(Some(at.span()), bad.message, bad.hint);
    }

    fn schema(&mut self, path: &Spanned<String>) -> Option<Schema> {
        match self.files.schema(path.get_ref()) {
            Ok(Ok(schema)) => Some(schema),
            Ok(Err(problems)) => {
                self.problems.extend(problems);
                None
            }
            Err(bad) => {
                self.bad_path(path, bad);
                None
            }
        }
    }

    fn template(&mut self, path: &Spanned<String>) -> Option<String> {
        match self.files.template(path.get_ref()) {
            Ok(Ok(())) => Some(path.get_ref().clone()),
            Ok(Err(problems)) => {
                self.problems.extend(problems);
                None
            }
            Err(bad) => {
                self.bad_path(path, bad);
                None
            }
        }
    }

    /// Compiles a CEL expression and checks what it refers to.
    fn expr(
        &mut self,
        source: &Spanned<String>,
        what: &str,
        earlier: &[&str],
        all: &[&str],
    ) -> Option<Expression> {
        let compiled = match expr::compile(source.get_ref()) {
            Ok(compiled) => compiled,
            Err(errors) => {
                for error in errors {
                    self.report(
                        Some(source.span()),
                        format!("{what}: CEL syntax error at {error}"),
                        "see https://cel.dev for the expression syntax",
                    );
                }
                return None;
            }
        };
        let bad = expr::check_references(&compiled, earlier, all);
        for reference in &bad {
            let (message, hint) = match reference {
                BadReference::UnknownVariable(v) => (
                    format!("{what}: unknown variable `{v}`"),
                    "expressions can use `input` (the run's input) and `steps.<name>` (outputs of earlier steps)".to_string(),
                ),
                BadReference::UnknownStep(s) => (
                    format!("{what}: refers to `steps.{s}`, but there is no step `{s}`"),
                    format!("steps are: {}", if all.is_empty() { "(none)".to_string() } else { all.join(", ") }),
                ),
                BadReference::LaterStep(s) => (
                    format!("{what}: refers to `steps.{s}`, which has not run yet at this point"),
                    format!("an expression can only use steps listed before it; move step `{s}` earlier or this one later"),
                ),
                BadReference::UnknownFunction(f) => (
                    format!("{what}: calls `{f}`, which is not a CEL function Airlock provides"),
                    format!("functions are: {}", expr::KNOWN_FUNCTIONS.join(", ")),
                ),
            };
            self.report(Some(source.span()), message, hint);
        }
        bad.is_empty().then_some(compiled)
    }

    /// The items of `[[key]]` tables (none when absent); `None`, after
    /// reporting it, when `key` is something other than an array.
    fn array_of_tables<'a>(
        &mut self,
        value: Option<Spanned<DeValue<'a>>>,
        key: &str,
        item: &str,
    ) -> Option<Vec<Spanned<DeValue<'a>>>> {
        let Some(v) = value else {
            return Some(Vec::new());
        };
        match v.get_ref() {
            DeValue::Array(items) => Some(items.to_vec()),
            _ => {
                self.report(
                    Some(v.span()),
                    format!("`{key}` must be an array of tables"),
                    format!("write each {item} as a `[[{key}]]` table"),
                );
                None
            }
        }
    }

    fn steps(&mut self, value: Option<Spanned<DeValue<'_>>>, whole: &Range<usize>) -> Vec<Step> {
        let Some(items) = self.array_of_tables(value, "steps", "step") else {
            return Vec::new();
        };
        if items.is_empty() {
            self.report(
                Some(whole.start..whole.start),
                "workflow has no steps",
                "add at least one `[[steps]]` table",
            );
        }
        let mut raws = Vec::new();
        for item in items {
            let span = item.span();
            match piece::<RawStep>(item) {
                Ok(raw) => raws.push((span, raw)),
                Err(e) => self.report_de(&e, span, "step"),
            }
        }
        let all_names: Vec<String> = raws
            .iter()
            .filter_map(|(_, raw)| raw.name.as_ref().map(|n| n.get_ref().clone()))
            .collect();
        let all: Vec<&str> = all_names.iter().map(String::as_str).collect();
        let mut names: Vec<String> = Vec::new();
        let mut steps = Vec::new();
        for (span, raw) in raws {
            let earlier: Vec<String> = names.clone();
            let name = raw.name.as_ref().map(|n| n.get_ref().clone());
            if let Some(n) = &raw.name {
                if names.contains(n.get_ref()) {
                    self.report(
                        Some(n.span()),
                        format!("duplicate step name `{}`", n.get_ref()),
                        "give every step its own name; later steps refer to it as `steps.<name>`",
                    );
                } else {
                    names.push(n.get_ref().clone());
                }
            }
            let earlier: Vec<&str> = earlier.iter().map(String::as_str).collect();
            if let Some(step) = self.step(raw, &span, &earlier, &all, name) {
                steps.push(step);
            }
        }
        steps
    }

    fn step(
        &mut self,
        raw: RawStep,
        span: &Range<usize>,
        earlier: &[&str],
        all: &[&str],
        name: Option<String>,
    ) -> Option<Step> {
        let label = match &name {
            Some(n) => format!("step `{n}`"),
            None => "step".to_string(),
        };
        let name_ok = match &raw.name {
            Some(n) if !is_step_name(n.get_ref()) => {
                self.report(Some(n.span()), format!("step name `{}` is not a valid identifier", n.get_ref()),
                    "use lowercase letters, digits and `_`, starting with a letter (it is used as `steps.<name>` in expressions)");
                false
            }
            Some(_) => true,
            None => {
                self.required::<String>(None, "name", &label, span);
                false
            }
        };
        let kind = self.required(raw.kind.clone(), "kind", &label, span);
        let when = raw
            .when
            .as_ref()
            .map(|w| self.expr(w, &format!("{label} `when`"), earlier, all));
        let on_error = raw
            .on_error
            .as_ref()
            .map(|o| self.enumerated(o, "on_error", OnError::NAMES, OnError::parse));
        let kind_name = kind.as_ref().map(|k| k.get_ref().as_str()).unwrap_or("");
        let used: &[&str] = match kind_name {
            "validate" => &["checks"],
            "rule" => &["expr"],
            "classify" => &["model", "text", "training_data"],
            "generate" => &["prompt", "max_tokens"],
            "fallback" => &["output", "template"],
            "redact" => &["mode", "entities"],
            "guard" => &["text", "model", "training_data", "threshold", "action"],
            _ => {
                if let Some(k) = &kind {
                    self.report(
                        Some(k.span()),
                        format!("{label}: unknown kind `{}`", k.get_ref()),
                        format!("use one of: {}", StepKind::NAMES.join(", ")),
                    );
                }
                return None;
            }
        };
        let present: [(&str, bool); 13] = [
            ("mode", raw.mode.is_some()),
            ("entities", raw.entities.is_some()),
            ("threshold", raw.threshold.is_some()),
            ("action", raw.action.is_some()),
            ("checks", raw.checks.is_some()),
            ("expr", raw.expr.is_some()),
            ("model", raw.model.is_some()),
            ("text", raw.text.is_some()),
            ("training_data", raw.training_data.is_some()),
            ("prompt", raw.prompt.is_some()),
            ("max_tokens", raw.max_tokens.is_some()),
            ("output", raw.output.is_some()),
            ("template", raw.template.is_some()),
        ];
        for (key, is_set) in present {
            if is_set && !used.contains(&key) {
                self.report(
                    Some(span.clone()),
                    format!("{label}: `{key}` is not used by a `{kind_name}` step"),
                    format!("a `{kind_name}` step takes: {}", used.join(", ")),
                );
            }
        }
        let kind = match kind_name {
            "validate" => {
                let mut checks = Vec::new();
                for (i, check) in raw.checks.into_iter().flatten().enumerate() {
                    let check_span = check.span();
                    let check = check.into_inner();
                    let what = format!("{label} check {}", i + 1);
                    let expr = self
                        .required(check.expr, "expr", &what, &check_span)
                        .and_then(|e| self.expr(&e, &what, earlier, all));
                    let message = self.required(check.message, "message", &what, &check_span);
                    if let (Some(expr), Some(message)) = (expr, message) {
                        checks.push(Check {
                            expr,
                            message: message.into_inner(),
                        });
                    }
                }
                Some(StepKind::Validate { checks })
            }
            "rule" => self
                .required(raw.expr, "expr", &label, span)
                .and_then(|e| self.expr(&e, &format!("{label} `expr`"), earlier, all))
                .map(|expr| StepKind::Rule { expr }),
            "classify" => {
                let model = self
                    .required(raw.model, "model", &label, span)
                    .and_then(|m| self.non_empty(m, "model"));
                let text = self
                    .required(raw.text, "text", &label, span)
                    .and_then(|t| self.expr(&t, &format!("{label} `text`"), earlier, all));
                let training_data = match raw.training_data {
                    None => Some(None),
                    Some(path) => match self.files.data_file(path.get_ref()) {
                        Ok(full) => Some(Some(full)),
                        Err(bad) => {
                            self.bad_path(&path, bad);
                            None
                        }
                    },
                };
                match (model, text, training_data) {
                    (Some(model), Some(text), Some(training_data)) => Some(StepKind::Classify {
                        model,
                        text,
                        training_data,
                    }),
                    _ => None,
                }
            }
            "generate" => {
                let prompt = self
                    .required(raw.prompt, "prompt", &label, span)
                    .and_then(|p| self.template(&p));
                let max_tokens = match raw.max_tokens {
                    None => Some(DEFAULT_MAX_TOKENS),
                    Some(m) if (1..=MAX_MAX_TOKENS).contains(m.get_ref()) => {
                        u32::try_from(*m.get_ref()).ok()
                    }
                    Some(m) => {
                        self.report(
                            Some(m.span()),
                            format!(
                                "{label}: `max_tokens` is {}, outside 1..={MAX_MAX_TOKENS}",
                                m.get_ref()
                            ),
                            format!("omit it for the default of {DEFAULT_MAX_TOKENS}"),
                        );
                        None
                    }
                };
                match (prompt, max_tokens) {
                    (Some(prompt), Some(max_tokens)) => {
                        Some(StepKind::Generate { prompt, max_tokens })
                    }
                    _ => None,
                }
            }
            "redact" => {
                let entities = match raw.entities {
                    None => Some(None),
                    Some(e) => self
                        .pii_entities(e, &format!("{label} `entities`"))
                        .map(Some),
                };
                let mode = match &raw.mode {
                    None => Some(None),
                    Some(m) => self.pii_mode(m, &format!("{label} `mode`")).map(Some),
                };
                match (entities, mode) {
                    (Some(entities), Some(mode)) => Some(StepKind::Redact { entities, mode }),
                    _ => None,
                }
            }
            "guard" => {
                let text = self
                    .required(raw.text, "text", &label, span)
                    .and_then(|t| self.expr(&t, &format!("{label} `text`"), earlier, all));
                let model = match raw.model {
                    None => Some(None),
                    Some(m) => self.non_empty(m, "model").map(Some),
                };
                let training_data = match raw.training_data {
                    None => Some(None),
                    Some(path) => match self.files.data_file(path.get_ref()) {
                        Ok(full) => Some(Some(full)),
                        Err(bad) => {
                            self.bad_path(&path, bad);
                            None
                        }
                    },
                };
                let threshold = self.guard_threshold(raw.threshold, &label);
                let action = self.guard_action(raw.action, &label);
                match (text, model, training_data, threshold, action) {
                    (
                        Some(text),
                        Some(model),
                        Some(training_data),
                        Some(threshold),
                        Some(action),
                    ) => Some(StepKind::Guard {
                        text,
                        model,
                        training_data,
                        threshold,
                        action,
                    }),
                    _ => None,
                }
            }
            _ => match (raw.output, raw.template) {
                (Some(value), None) => Some(StepKind::Fallback {
                    output: FallbackOutput::Value(value.into_inner()),
                }),
                (None, Some(template)) => self.template(&template).map(|t| StepKind::Fallback {
                    output: FallbackOutput::Template(t),
                }),
                _ => {
                    self.report(Some(span.clone()), format!("{label}: a `fallback` step needs exactly one of `output` and `template`"), "use `output = { ... }` for a fixed value or `template = \"file.j2\"` for rendered text");
                    None
                }
            },
        };
        let when = match when {
            Some(Some(w)) => Some(w),
            Some(None) => return None,
            None => None,
        };
        let on_error = match on_error {
            Some(Some(o)) => o,
            Some(None) => return None,
            None => OnError::Fail,
        };
        if !name_ok {
            return None;
        }
        Some(Step {
            name: name?,
            description: raw.description.map(Spanned::into_inner),
            when,
            on_error,
            kind: kind?,
        })
    }

    fn decisions(
        &mut self,
        value: Option<Spanned<DeValue<'_>>>,
        whole: &Range<usize>,
        all: &[&str],
    ) -> Vec<DecisionRule> {
        let Some(items) = self.array_of_tables(value, "decision", "rule") else {
            return Vec::new();
        };
        if items.is_empty() {
            self.report(Some(whole.start..whole.start), "workflow has no decision rules",
                "add `[[decision]]` rules; the last one, without `when`, decides every run no other rule matched");
            return Vec::new();
        }
        let count = items.len();
        let mut names: Vec<String> = Vec::new();
        let mut rules = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let span = item.span();
            let raw: RawDecision = match piece(item) {
                Ok(raw) => raw,
                Err(e) => {
                    self.report_de(&e, span, "decision");
                    continue;
                }
            };
            let label = match &raw.name {
                Some(n) => format!("decision rule `{}`", n.get_ref()),
                None => format!("decision rule {}", index + 1),
            };
            let name = self
                .required(raw.name, "name", &label, &span)
                .and_then(|n| {
                    if names.contains(n.get_ref()) {
                        self.report(
                            Some(n.span()),
                            format!("duplicate decision rule name `{}`", n.get_ref()),
                            "give every rule its own name; runs record the rule that fired by name",
                        );
                        None
                    } else if !is_workflow_name(&n.get_ref().replace('_', "-")) {
                        self.report(
                            Some(n.span()),
                            format!("decision rule name `{}` is not valid", n.get_ref()),
                            "use lowercase letters, digits, `-` and `_`",
                        );
                        None
                    } else {
                        names.push(n.get_ref().clone());
                        Some(n.into_inner())
                    }
                });
            let decision = self
                .required(raw.decision, "decision", &label, &span)
                .and_then(|d| {
                    let names: Vec<&str> = Decision::ALL.iter().map(|d| d.as_str()).collect();
                    self.enumerated(&d, "decision", &names, |s| s.parse::<Decision>().ok())
                });
            let is_last = index + 1 == count;
            let when = match (&raw.when, is_last) {
                (Some(w), true) => {
                    self.report(Some(w.span()), format!("{label}: the last decision rule must not have `when`"),
                        "end with an unconditional rule (no `when`) so every run gets a decision, e.g. `decision = \"review\"`");
                    None
                }
                (None, false) => {
                    self.report(
                        Some(span.clone()),
                        format!("{label} has no `when`, so the rules after it never fire"),
                        "add a `when` condition, or move this rule to the end",
                    );
                    None
                }
                (Some(w), false) => self
                    .expr(w, &format!("{label} `when`"), all, all)
                    .map(Some)
                    .unwrap_or(None),
                (None, true) => None,
            };
            let priority = raw
                .priority
                .and_then(|p| self.rule_priority(&p, &label, decision));
            if let (Some(name), Some(decision)) = (name, decision) {
                rules.push(DecisionRule {
                    name,
                    when,
                    decision,
                    reason: raw.reason.map(Spanned::into_inner),
                    priority,
                });
            }
        }
        rules
    }
}

struct Header {
    name: Option<String>,
    description: Option<String>,
    owner: Option<String>,
    risk: Option<Risk>,
    data_class: Option<DataClass>,
    runbook: Option<String>,
    input_schema: Option<Schema>,
    output_schema: Option<Schema>,
    output_value: Option<Spanned<String>>,
}

/// Workflow names appear in URLs: `[a-z0-9][a-z0-9-]*`, at most 64 long.
fn is_workflow_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
}

/// Step names are CEL identifiers: `[a-z][a-z0-9_]*`.
fn is_step_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
