//! The `[review]` section and `priority` on review rules: defaults when
//! absent, every value parsed, every mistake reported at once with its
//! line, and the version following the section.

use airlock_workflow::{load_workflow, Problem, ReviewPolicy, WorkflowDefinition};
use std::path::Path;
use std::time::Duration;

const OUTPUT_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["intent"],
  "properties": {"intent": {"type": "string"}, "note": {"type": "string"}}
}"#;

/// A small workflow (a classify step, a rule step) with `review` appended
/// as its `[review]` section and `rules` as its decision rules.
fn workflow_toml(review: &str, rules: &str) -> String {
    format!(
        r#"name = "reviewed"
description = "review section tests"
owner = "tests@example.com"
risk = "high"
data_class = "internal"
runbook = "https://example.com/runbook"

[input]
schema = "input.schema.json"

[output]
schema = "output.schema.json"
value = "{{'intent': steps.intent.label}}"

[[steps]]
name = "flag"
kind = "rule"
expr = "size(input.message) > 100"

[[steps]]
name = "intent"
kind = "classify"
model = "classifiers/x.json"
text = "input.message"

[[steps]]
name = "second"
kind = "classify"
model = "classifiers/y.json"
text = "input.message"

{rules}

{review}
"#
    )
}

const RULES: &str = r#"[[decision]]
name = "long"
when = "steps.flag.value"
decision = "review"
priority = 7

[[decision]]
name = "default"
decision = "auto"
"#;

fn load(toml: &str) -> Result<WorkflowDefinition, Vec<Problem>> {
    let dir = tempfile::tempdir().expect("tempdir");
    write_dir(dir.path(), toml);
    load_workflow(dir.path())
}

fn write_dir(dir: &Path, toml: &str) {
    let files = [
        ("workflow.toml", toml),
        ("input.schema.json", r#"{"type": "object"}"#),
        ("output.schema.json", OUTPUT_SCHEMA),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write test file");
    }
}

fn render(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

fn loaded(toml: &str) -> WorkflowDefinition {
    load(toml).unwrap_or_else(|p| panic!("does not load:\n{}", render(&p)))
}

/// The problem mentioning `needle`, which must be on the line holding `at`.
fn problem_at<'a>(problems: &'a [Problem], toml: &str, needle: &str, at: &str) -> &'a Problem {
    let problem = problems
        .iter()
        .find(|p| p.message.contains(needle))
        .unwrap_or_else(|| panic!("no problem mentions {needle:?}; got:\n{}", render(problems)));
    let index = toml.find(at).expect("`at` is in the test source");
    let line = u32::try_from(toml[..index].matches('\n').count() + 1).expect("small");
    assert_eq!(problem.line, Some(line), "{problem}");
    assert!(problem.column.is_some(), "{problem}");
    assert!(problem.hint.is_some(), "{problem}");
    problem
}

#[test]
fn without_a_review_section_the_defaults_apply() {
    let definition = loaded(&workflow_toml("", RULES));
    assert_eq!(
        definition.review,
        ReviewPolicy {
            priority: 0,
            sla: Duration::from_secs(24 * 3600),
            lease: Duration::from_secs(15 * 60),
            consensus: 1,
            label_step: Some("intent".into()),
            label_field: None,
        },
        "the first classify step is the label step"
    );
    let long = definition.decision_rule("long").expect("rule `long`");
    assert_eq!(long.priority, Some(7));
    assert_eq!(
        definition
            .decision_rule("default")
            .expect("default")
            .priority,
        None
    );
}

#[test]
fn every_key_of_the_review_section_is_read() {
    let review = r#"[review]
priority = -3
sla = "2h 30m"
lease = "90s"
consensus = 3
label_step = "second"
label_field = "intent"
"#;
    let definition = loaded(&workflow_toml(review, RULES));
    assert_eq!(
        definition.review,
        ReviewPolicy {
            priority: -3,
            sla: Duration::from_secs(9000),
            lease: Duration::from_secs(90),
            consensus: 3,
            label_step: Some("second".into()),
            label_field: Some("intent".into()),
        }
    );
}

#[test]
fn every_mistake_in_the_review_section_is_reported_with_its_line() {
    let review = r#"[review]
priority = 3000000000
sla = "soon"
lease = "0s"
consensus = 0
label_step = "flag"
label_field = "colour"
"#;
    let rules = r#"[[decision]]
name = "long"
when = "steps.flag.value"
decision = "block"
priority = 2

[[decision]]
name = "default"
decision = "review"
priority = 3000000000
"#;
    let toml = workflow_toml(review, rules);
    let problems = load(&toml).expect_err("must not load");
    problem_at(
        &problems,
        &toml,
        "`review.priority` is 3000000000",
        "priority = 3000000000\nsla",
    );
    problem_at(
        &problems,
        &toml,
        "`review.sla` = \"soon\" is not a duration",
        "sla = \"soon\"",
    );
    problem_at(
        &problems,
        &toml,
        "`review.lease` must be longer than zero",
        "lease = \"0s\"",
    );
    problem_at(
        &problems,
        &toml,
        "`review.consensus` is 0, outside 1..=25",
        "consensus = 0",
    );
    let step = problem_at(
        &problems,
        &toml,
        "`review.label_step` names step `flag`, a `rule` step",
        "label_step = \"flag\"",
    );
    assert_eq!(step.hint.as_deref(), Some("classify steps: intent, second"));
    let field = problem_at(
        &problems,
        &toml,
        "`review.label_field` is `colour`, which is not a property of the output schema",
        "label_field = \"colour\"",
    );
    assert_eq!(
        field.hint.as_deref(),
        Some("name a top-level output property; the schema declares: intent, note")
    );
    problem_at(
        &problems,
        &toml,
        "decision rule `long`: `priority` applies only to rules with decision \"review\", not \"block\"",
        "priority = 2",
    );
    problem_at(
        &problems,
        &toml,
        "decision rule `default` `priority` is 3000000000",
        "priority = 3000000000\n\n",
    );
    assert_eq!(problems.len(), 8, "{}", render(&problems));
}

#[test]
fn an_unknown_key_or_step_in_the_review_section_is_a_problem() {
    let toml = workflow_toml("[review]\nsla = \"1h\"\nquorum = 2\n", RULES);
    let problems = load(&toml).expect_err("unknown key");
    let unknown = problems
        .iter()
        .find(|p| p.message.contains("[review]") && p.message.contains("quorum"))
        .unwrap_or_else(|| panic!("{}", render(&problems)));
    assert!(unknown.line.is_some(), "{unknown}");

    let toml = workflow_toml("[review]\nlabel_step = \"intnet\"\n", RULES);
    let problems = load(&toml).expect_err("unknown step");
    problem_at(
        &problems,
        &toml,
        "`review.label_step` names step `intnet`, but there is no such step",
        "label_step",
    );

    let toml = workflow_toml("", RULES).replacen(
        "name = \"reviewed\"",
        "name = \"reviewed\"\nreview = 5",
        1,
    );
    let problems = load(&toml).expect_err("review not a table");
    problem_at(&problems, &toml, "`review` must be a table", "review = 5");
}

#[test]
fn the_version_follows_the_review_section() {
    let one = loaded(&workflow_toml("[review]\nsla = \"1h\"\n", RULES));
    let same = loaded(&workflow_toml("[review]\nsla = \"1h\"\n", RULES));
    let other = loaded(&workflow_toml("[review]\nsla = \"2h\"\n", RULES));
    assert_eq!(one.version, same.version);
    assert_ne!(one.version, other.version);
}

#[test]
fn the_demo_queues_its_reviews_as_documented() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/support-triage");
    let definition =
        load_workflow(&demo).unwrap_or_else(|p| panic!("demo has problems:\n{}", render(&p)));
    assert_eq!(definition.review.sla, Duration::from_secs(4 * 3600));
    assert_eq!(definition.review.label_step.as_deref(), Some("intent"));
    assert_eq!(definition.review.label_field.as_deref(), Some("intent"));
    let risky = definition.decision_rule("risky-intent").expect("rule");
    assert_eq!(risky.priority, Some(10));
}
