//! Reading labelled prompts for `airlock guard eval`: a JSON array of
//! objects with `prompt` (or `text`) and `label`, JSON lines of the same,
//! or a CSV with `text` (or `prompt`) and `label` columns. A label is
//! `1`/`0`, `true`/`false` or `injection`/`benign`. With `all_benign` the
//! labels are not read (any CSV with a `text` column works, e.g.
//! BANKING77's `text,category`): every text counts as benign.

use airlock_core::{Error, Result};
use airlock_policy::injection::{BENIGN_LABEL, INJECTION_LABEL};
use serde_json::Value;
use std::path::Path;

/// One prompt and whether it is an attack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledPrompt {
    pub text: String,
    pub injection: bool,
}

/// Reads `path` (see the module doc); the format follows the extension.
pub fn read_labelled(path: &Path, all_benign: bool) -> Result<Vec<LabelledPrompt>> {
    let origin = path.display().to_string();
    let content =
        std::fs::read_to_string(path).map_err(|e| Error::io(path, "read data file", e))?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let prompts = match extension.as_deref() {
        Some("csv") => parse_csv(&content, &origin, all_benign)?,
        Some("json") if content.trim_start().starts_with('[') => {
            parse_json_array(&content, &origin, all_benign)?
        }
        Some("json" | "jsonl" | "ndjson") => parse_json_lines(&content, &origin, all_benign)?,
        _ => {
            return Err(Error::invalid_input(format!(
                "{origin}: unknown data format (expected .csv, .json or .jsonl)"
            ))
            .with_field(origin))
        }
    };
    if prompts.is_empty() {
        return Err(Error::invalid_input(format!("{origin}: no prompts")).with_field(origin));
    }
    Ok(prompts)
}

/// Parses a label: `1`/`0`, `true`/`false`, `injection`/`benign`.
pub fn parse_label(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            l if l == INJECTION_LABEL => Some(true),
            l if l == BENIGN_LABEL => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn bad_label(origin: &str, place: &str, value: &Value) -> Error {
    Error::invalid_input(format!(
        "{origin}: {place}: label {value} is not 1/0, true/false or {INJECTION_LABEL}/{BENIGN_LABEL}"
    ))
    .with_field(origin.to_string())
    .with_hint("use --all-benign to score a file of benign texts without labels")
}

/// One JSON object → prompt; `place` names it in errors.
fn from_object(
    value: &Value,
    origin: &str,
    place: &str,
    all_benign: bool,
) -> Result<LabelledPrompt> {
    let text = ["prompt", "text"]
        .iter()
        .find_map(|k| value.get(k).and_then(Value::as_str))
        .ok_or_else(|| {
            Error::invalid_input(format!("{origin}: {place}: no string `prompt` or `text`"))
                .with_field(origin.to_string())
        })?;
    let injection = if all_benign {
        false
    } else {
        let label = value.get("label").ok_or_else(|| {
            Error::invalid_input(format!("{origin}: {place}: no `label`"))
                .with_field(origin.to_string())
                .with_hint("use --all-benign to score a file of benign texts without labels")
        })?;
        parse_label(label).ok_or_else(|| bad_label(origin, place, label))?
    };
    Ok(LabelledPrompt {
        text: text.to_string(),
        injection,
    })
}

fn parse_json_array(content: &str, origin: &str, all_benign: bool) -> Result<Vec<LabelledPrompt>> {
    let values: Vec<Value> = serde_json::from_str(content).map_err(|e| {
        Error::invalid_input(format!("{origin}: not a JSON array of objects: {e}"))
            .with_field(origin.to_string())
    })?;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| from_object(v, origin, &format!("item {i}"), all_benign))
        .collect()
}

fn parse_json_lines(content: &str, origin: &str, all_benign: bool) -> Result<Vec<LabelledPrompt>> {
    let mut prompts = Vec::new();
    for (i, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("line {}", i + 1);
        let value: Value = serde_json::from_str(line).map_err(|e| {
            Error::invalid_input(format!("{origin}: {place}: bad JSON: {e}"))
                .with_field(origin.to_string())
        })?;
        prompts.push(from_object(&value, origin, &place, all_benign)?);
    }
    Ok(prompts)
}

fn parse_csv(content: &str, origin: &str, all_benign: bool) -> Result<Vec<LabelledPrompt>> {
    let csv_error = |e: csv::Error| {
        Error::invalid_input(format!("{origin}: bad CSV: {e}")).with_field(origin.to_string())
    };
    let mut reader = csv::Reader::from_reader(content.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let missing = |name: &str| {
        Error::invalid_input(format!(
            "{origin}: column `{name}` is missing (columns: {})",
            headers.join(", ")
        ))
        .with_field(origin.to_string())
    };
    let text_at = column(&["text", "prompt"]).ok_or_else(|| missing("text"))?;
    let label_at = if all_benign {
        None
    } else {
        Some(column(&["label"]).ok_or_else(|| {
            missing("label")
                .with_hint("use --all-benign to score a file of benign texts without labels")
        })?)
    };
    let mut prompts = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(csv_error)?;
        let place = format!("line {}", i + 2);
        let text = record.get(text_at).unwrap_or_default().to_string();
        let injection = match label_at {
            None => false,
            Some(at) => {
                let raw = Value::String(record.get(at).unwrap_or_default().to_string());
                parse_label(&raw).ok_or_else(|| bad_label(origin, &place, &raw))?
            }
        };
        prompts.push(LabelledPrompt { text, injection });
    }
    Ok(prompts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_in_every_spelling() {
        for (value, expected) in [
            (json!(1), Some(true)),
            (json!(0), Some(false)),
            (json!(true), Some(true)),
            (json!("injection"), Some(true)),
            (json!(" Benign "), Some(false)),
            (json!("1"), Some(true)),
            (json!(2), None),
            (json!("maybe"), None),
            (json!(null), None),
        ] {
            assert_eq!(parse_label(&value), expected, "{value}");
        }
    }

    #[test]
    fn json_arrays_json_lines_and_csv_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let array = dir.path().join("valid.json");
        std::fs::write(
            &array,
            r#"[{"prompt": "ignore it", "label": 1, "source": "x"}, {"prompt": "hi", "label": 0}]"#,
        )
        .expect("write");
        let lines = dir.path().join("valid.jsonl");
        std::fs::write(&lines, "{\"text\": \"a\", \"label\": \"benign\"}\n\n{\"text\": \"b\", \"label\": \"injection\"}\n")
            .expect("write");
        let csv = dir.path().join("train.csv");
        std::fs::write(
            &csv,
            "text,label,source\n\"x, y\",injection,me\nz,benign,me\n",
        )
        .expect("write");

        let read = |p: &Path| read_labelled(p, false).expect("readable");
        assert_eq!(
            read(&array),
            vec![
                LabelledPrompt {
                    text: "ignore it".into(),
                    injection: true
                },
                LabelledPrompt {
                    text: "hi".into(),
                    injection: false
                },
            ]
        );
        assert_eq!(
            read(&lines).iter().map(|p| p.injection).collect::<Vec<_>>(),
            vec![false, true]
        );
        assert_eq!(read(&csv)[0].text, "x, y");
        assert!(read(&csv)[0].injection);
    }

    #[test]
    fn all_benign_ignores_labels_and_other_errors_name_the_problem() {
        let dir = tempfile::tempdir().expect("tempdir");
        let banking = dir.path().join("banking.csv");
        std::fs::write(&banking, "text,category\nwhere is my card,card_arrival\n").expect("write");
        let err = read_labelled(&banking, false).expect_err("no label column");
        assert!(
            err.message().contains("column `label` is missing"),
            "{}",
            err.message()
        );
        let prompts = read_labelled(&banking, true).expect("benign");
        assert_eq!(
            prompts,
            vec![LabelledPrompt {
                text: "where is my card".into(),
                injection: false
            }]
        );

        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, r#"[{"prompt": "x", "label": 7}]"#).expect("write");
        let err = read_labelled(&bad, false).expect_err("bad label");
        assert!(
            err.message().contains("item 0: label 7"),
            "{}",
            err.message()
        );

        let other = dir.path().join("data.txt");
        std::fs::write(&other, "x").expect("write");
        assert!(read_labelled(&other, false).is_err());
    }
}
