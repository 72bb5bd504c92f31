//! Loading workflow directories: the demo loads cleanly, a directory full of
//! mistakes reports every one of them at once, and the version follows the
//! content of every referenced file.

use airlock_core::Decision;
use airlock_workflow::{load_dir, load_workflow, Problem, StepKind};
use std::fs;
use std::path::{Path, PathBuf};

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/support-triage")
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).expect("write test file");
}

#[test]
fn the_demo_workflow_loads_cleanly() {
    let definition = match load_workflow(&demo_dir()) {
        Ok(d) => d,
        Err(problems) => panic!("demo has problems:\n{}", render(&problems)),
    };
    assert_eq!(definition.name, "support-triage");
    let kinds: Vec<&str> = definition.steps.iter().map(|s| s.kind.name()).collect();
    assert_eq!(
        kinds,
        ["validate", "redact", "guard", "classify", "rule", "generate", "rule", "fallback"]
    );
    assert_eq!(definition.version.len(), 64);
    let last = definition.decisions.last().expect("demo has decisions");
    assert!(last.when.is_none());
    assert_eq!(last.decision, Decision::Auto);
    assert!(definition
        .decisions
        .iter()
        .any(|d| d.decision == Decision::Block));
    assert!(definition.templates.get_template("reply.prompt.j2").is_ok());
    match &definition.step("intent").expect("intent step").kind {
        StepKind::Classify { model, .. } => assert_eq!(model, "classifiers/banking77.json"),
        other => panic!("intent is {other:?}"),
    }
    // The compiled input schema enforces the contract.
    let schema = &definition.input_schema.validator;
    assert!(schema.is_valid(&serde_json::json!({"message": "my card was stolen"})));
    assert!(!schema.is_valid(&serde_json::json!({"text": "wrong field"})));
}

#[test]
fn an_examples_directory_loads_each_workflow_below_it() {
    let examples = demo_dir().join("..");
    let definitions = load_dir(&examples).unwrap_or_else(|p| panic!("{}", render(&p)));
    assert!(definitions.iter().any(|d| d.name == "support-triage"));
}

const BROKEN: &str = r#"name = "broken"
description = "many mistakes"
owner = "team@example.com"
risk = "severe"
data_class = "internal"
runbook = "https://example.com"

[input]
schema = "missing.schema.json"

[output]
schema = "bad.schema.json"
value = "{'a': steps.first.value}"

[[steps]]
name = "first"
kind = "rule"
expr = "steps.second.value && input.x >"

[[steps]]
name = "second"
kind = "rule"
expr = "steps.third.value"

[[steps]]
name = "second"
kind = "rule"
expr = "true"

[[steps]]
name = "speak"
kind = "generate"
prompt = "bad.prompt.j2"
colour = "blue"

[[steps]]
name = "talk"
kind = "generate"
prompt = "bad.prompt.j2"

[[steps]]
name = "third"
kind = "rule"
expr = "true"

[[decision]]
name = "only"
when = "steps.first.value"
decision = "auto"
"#;

fn render(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

/// The problem whose message contains `needle`; fails naming all problems.
fn find<'a>(problems: &'a [Problem], needle: &str) -> &'a Problem {
    problems
        .iter()
        .find(|p| p.message.contains(needle))
        .unwrap_or_else(|| panic!("no problem mentions {needle:?}; got:\n{}", render(problems)))
}

#[test]
fn every_mistake_is_reported_at_once_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "workflow.toml", BROKEN);
    write(dir.path(), "bad.schema.json", "{ \"type\": \"object\", }");
    write(dir.path(), "bad.prompt.j2", "Hello {{ input.name ");
    let problems = load_workflow(dir.path()).expect_err("broken workflow must not load");
    let toml = dir.path().join("workflow.toml");
    let line_of = |needle: &str| -> u32 {
        let index = BROKEN.find(needle).expect("needle in test source");
        u32::try_from(BROKEN[..index].matches('\n').count() + 1).expect("small")
    };

    let unknown = find(&problems, "colour");
    assert_eq!(unknown.file, toml);
    assert!(unknown.line.is_some(), "unknown key has a line: {unknown}");

    let risk = find(&problems, "`risk` is `severe`");
    assert_eq!(
        (risk.file.clone(), risk.line),
        (toml.clone(), Some(line_of("\"severe\"")))
    );

    let duplicate = find(&problems, "duplicate step name `second`");
    assert_eq!(
        duplicate.line,
        Some(line_of(
            "name = \"second\"\nkind = \"rule\"\nexpr = \"true\""
        ))
    );

    let syntax = find(&problems, "CEL syntax error");
    assert_eq!(
        syntax.line,
        Some(line_of("\"steps.second.value && input.x >\""))
    );

    let later = find(&problems, "`steps.third`, which has not run yet");
    assert_eq!(later.line, Some(line_of("\"steps.third.value\"")));

    let missing = find(&problems, "missing.schema.json");
    assert_eq!(missing.file, toml);
    assert_eq!(missing.line, Some(line_of("\"missing.schema.json\"")));

    let bad_json = find(&problems, "invalid JSON");
    assert_eq!(bad_json.file, dir.path().join("bad.schema.json"));
    assert_eq!(bad_json.line, Some(1));

    let template = find(&problems, "template syntax error");
    assert_eq!(template.file, dir.path().join("bad.prompt.j2"));
    assert_eq!(template.line, Some(1));
    // The same broken template referenced twice is reported once.
    assert_eq!(
        problems
            .iter()
            .filter(|p| p.message.contains("template syntax error"))
            .count(),
        1,
        "{}",
        render(&problems)
    );

    let last = find(&problems, "last decision rule must not have `when`");
    assert_eq!(last.line, Some(line_of("\"steps.first.value\"\ndecision")));

    for problem in &problems {
        assert!(
            problem.hint.is_some(),
            "every problem has a hint: {problem}"
        );
    }
}

#[test]
fn a_toml_syntax_error_has_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "workflow.toml",
        "name = \"x\"\nrisk = = \"low\"\n",
    );
    let problems = load_workflow(dir.path()).expect_err("syntax error");
    let first = &problems[0];
    assert!(first.message.contains("TOML syntax error"), "{first}");
    assert_eq!(first.line, Some(2));
    assert!(first.column.is_some());
    assert!(first.to_string().starts_with(&format!(
        "{}:2:",
        dir.path().join("workflow.toml").display()
    )));
}

fn copy_demo(to: &Path) {
    copy_tree(&demo_dir(), to);
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read demo dir") {
        let path = entry.expect("dir entry").path();
        let target = to.join(path.file_name().expect("file name"));
        if path.is_dir() {
            fs::create_dir_all(&target).expect("create dir");
            copy_tree(&path, &target);
        } else {
            fs::copy(&path, &target).expect("copy demo file");
        }
    }
}

#[test]
fn the_version_changes_when_a_template_changes_and_only_then() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_demo(dir.path());
    let version = |dir: &Path| {
        load_workflow(dir)
            .unwrap_or_else(|p| panic!("{}", render(&p)))
            .version
    };
    let first = version(dir.path());
    assert_eq!(
        first,
        version(dir.path()),
        "loading twice gives the same version"
    );
    assert_eq!(
        first,
        version(&demo_dir()),
        "the version does not depend on the directory"
    );
    let prompt = dir.path().join("reply.prompt.j2");
    let mut text = fs::read_to_string(&prompt).expect("read prompt");
    text.push_str("Sign the reply as \"Support team\".\n");
    fs::write(&prompt, text).expect("write prompt");
    assert_ne!(first, version(dir.path()));
}

#[test]
fn a_directory_without_workflows_is_a_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let problems = load_dir(dir.path()).expect_err("nothing to load");
    assert!(
        problems[0].message.contains("no workflows found"),
        "{}",
        render(&problems)
    );
}

#[test]
fn two_workflows_with_one_name_are_a_problem() {
    let root = tempfile::tempdir().expect("tempdir");
    for sub in ["a", "b"] {
        let dir = root.path().join(sub);
        fs::create_dir(&dir).expect("mkdir");
        copy_demo(&dir);
    }
    let problems = load_dir(root.path()).expect_err("duplicate names");
    find(&problems, "already used");
}

#[test]
fn training_data_must_exist_inside_the_workflow_and_only_on_classify_steps() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_demo(dir.path());
    let toml = dir.path().join("workflow.toml");
    let text = fs::read_to_string(&toml).expect("read");
    let text = text
        .replace("data/banking77-train.csv", "data/missing.csv")
        .replace(
            "kind = \"rule\"\ndescription = \"Intents",
            "kind = \"rule\"\ntraining_data = \"x.csv\"\ndescription = \"Intents",
        );
    fs::write(&toml, text).expect("write");
    let problems = load_workflow(dir.path()).expect_err("two problems");
    let all = render(&problems);
    assert!(all.contains("data/missing.csv"), "{all}");
    assert!(
        all.contains("`training_data` is not used by a `rule` step"),
        "{all}"
    );

    let ok = tempfile::tempdir().expect("tempdir");
    copy_demo(ok.path());
    let definition = load_workflow(ok.path()).unwrap_or_else(|p| panic!("{}", render(&p)));
    let intent = definition.step("intent").expect("intent step");
    match &intent.kind {
        StepKind::Classify {
            training_data: Some(path),
            ..
        } => {
            assert!(path.ends_with("data/banking77-train.csv"))
        }
        other => panic!("{other:?}"),
    }
}
