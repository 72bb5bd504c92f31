//! `airlock check` through the real binary: a valid workflow directory
//! prints an `ok:` line and exits 0; a broken one prints every problem with
//! file and line and exits 78 (invalid configuration).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn airlock_check(dir: &Path, cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_airlock"))
        .arg("check")
        .arg(dir)
        .current_dir(cwd)
        .env_remove("AIRLOCK_CONFIG")
        .output()
        .expect("run the airlock binary")
}

#[test]
fn the_examples_directory_checks_ok() {
    let root = workspace_root();
    let out = airlock_check(&root.join("examples"), &root);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("ok: support-triage (version "))
        .unwrap_or_else(|| panic!("no ok line for the demo in:\n{stdout}"));
    assert!(line.contains("8 steps"), "{line}");
    assert!(stdout.contains("ok: configuration"), "{stdout}");
    assert!(stdout.contains("ok: policies ("), "{stdout}");
}

#[test]
fn a_broken_workflow_reports_every_problem_and_exits_78() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflow = dir.path().join("broken");
    fs::create_dir(&workflow).expect("mkdir");
    fs::write(
        workflow.join("workflow.toml"),
        r#"name = "broken"
description = "two mistakes"
owner = "team@example.com"
risk = "low"
data_class = "secret"
runbook = "https://example.com"

[input]
schema = "in.json"

[output]
schema = "in.json"
value = "input"

[[steps]]
name = "only"
kind = "rule"
expr = "steps.later.value"

[[decision]]
name = "default"
decision = "auto"
"#,
    )
    .expect("write workflow");
    fs::write(workflow.join("in.json"), r#"{"type": "object"}"#).expect("write schema");
    let out = airlock_check(dir.path(), dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "stderr:\n{stderr}");
    let toml = workflow.join("workflow.toml");
    let prefix = format!("{}:", toml.display());
    let data_class = stderr
        .lines()
        .find(|l| l.contains("`data_class` is `secret`"))
        .unwrap_or_else(|| panic!("data_class problem missing from:\n{stderr}"));
    assert!(
        data_class.starts_with(&format!("{prefix}5:")),
        "{data_class}"
    );
    let reference = stderr
        .lines()
        .find(|l| l.contains("no step `later`"))
        .unwrap_or_else(|| panic!("reference problem missing from:\n{stderr}"));
    assert!(
        reference.starts_with(&format!("{prefix}18:")),
        "{reference}"
    );
    assert!(reference.contains("(hint: "), "{reference}");
    assert!(stderr.contains("2 problems"), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ok: configuration\nok: policies (9 policies)",
        "no workflow is ok: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn an_operator_policy_that_breaks_the_schema_is_reported_with_its_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("extra.cedar");
    fs::write(
        &policy,
        "permit(principal, action == Airlock::Action::\"fly\", resource);\n",
    )
    .expect("write policy");
    let config = dir.path().join("airlock.toml");
    fs::write(
        &config,
        format!(
            "[auth]\npolicy_files = [{:?}]\n",
            policy.display().to_string()
        ),
    )
    .expect("write config");
    let workflows = dir.path().join("workflows");
    fs::create_dir(&workflows).expect("mkdir");
    let out = Command::new(env!("CARGO_BIN_EXE_airlock"))
        .arg("--config")
        .arg(&config)
        .arg("check")
        .arg(&workflows)
        .current_dir(dir.path())
        .env_remove("AIRLOCK_CONFIG")
        .output()
        .expect("run the airlock binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "stderr:\n{stderr}");
    assert!(stderr.contains("extra.cedar"), "names the file: {stderr}");
    assert!(stderr.contains("fly"), "names the unknown action: {stderr}");
}
