//! `airlock embed`, `airlock generate` and `airlock models list` through the
//! real binary: output shapes, determinism, and the errors (with exit codes)
//! for a models directory that holds nothing.

mod classify_support;

use classify_support::{airlock, models_dir_or_skip, stderr, stdout};

fn parse_vector(line: &str) -> Vec<f64> {
    serde_json::from_str::<Vec<f64>>(line).expect("each line is a JSON array of numbers")
}

#[test]
fn embed_prints_one_unit_vector_per_text() {
    let Some(models) = models_dir_or_skip("embed_prints_one_unit_vector_per_text") else {
        return;
    };
    let out = airlock(&models, &["embed", "I lost my card", "Where is my refund?"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let a = parse_vector(lines[0]);
    let b = parse_vector(lines[1]);
    assert_eq!(a.len(), 384);
    assert_eq!(b.len(), 384);
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert!((norm(&a) - 1.0).abs() < 1e-4);
    let cosine: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    assert!(
        cosine < 0.9,
        "different sentences, different vectors: {cosine}"
    );
}

#[test]
fn generate_is_deterministic_and_respects_max_tokens() {
    let Some(models) = models_dir_or_skip("generate_is_deterministic_and_respects_max_tokens")
    else {
        return;
    };
    let args = ["generate", "What is 2+2?", "--max-tokens", "12"];
    let first = airlock(&models, &args);
    assert!(first.status.success(), "{}", stderr(&first));
    let second = airlock(&models, &args);
    assert!(!stdout(&first).trim().is_empty());
    assert_eq!(stdout(&first), stdout(&second), "greedy is deterministic");
}

#[test]
fn a_models_dir_without_models_gives_exit_66_and_the_fix() {
    let empty = tempfile::tempdir().expect("tempdir");
    let embed = airlock(empty.path(), &["embed", "hello"]);
    assert_eq!(embed.status.code(), Some(66), "{}", stderr(&embed));
    assert!(
        stderr(&embed).contains("airlock models fetch"),
        "{}",
        stderr(&embed)
    );

    let generate = airlock(empty.path(), &["generate", "hello"]);
    assert_eq!(generate.status.code(), Some(66), "{}", stderr(&generate));
    assert!(
        stderr(&generate).contains(".gguf"),
        "names the file: {}",
        stderr(&generate)
    );

    let list = airlock(empty.path(), &["models", "list", "--json"]);
    assert!(list.status.success(), "{}", stderr(&list));
    let report: serde_json::Value = serde_json::from_str(&stdout(&list)).expect("JSON");
    let statuses: Vec<&str> = report["models"]
        .as_array()
        .expect("models array")
        .iter()
        .map(|m| m["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["missing", "missing"]);
}

#[test]
fn models_list_names_a_truncated_file() {
    let Some(models) = models_dir_or_skip("models_list_names_a_truncated_file") else {
        return;
    };
    // A copy of the small files of the embedding model, one truncated.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("all-minilm-l6-v2");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let config = std::fs::read(models.join("all-minilm-l6-v2/config.json")).expect("config");
    std::fs::write(dir.join("config.json"), &config[..config.len() / 2]).expect("write");
    let out = airlock(tmp.path(), &["models", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("DAMAGED"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("config.json") && !l.contains("1_Pooling"))
        .expect("a line for config.json");
    assert!(line.contains("WRONG SIZE"), "{line}");
    assert!(text.contains("run `airlock models fetch`"), "{text}");
}
