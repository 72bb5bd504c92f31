//! Labelled text examples read from CSV or JSON Lines files, with the checks
//! that turn malformed training data into errors naming the line, column or
//! label at fault.

use airlock_core::{Error, ErrorKind, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// One text and the label it should get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledExample {
    pub text: String,
    pub label: String,
}

/// Which columns (CSV) or keys (JSONL) hold the text and the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub text: String,
    pub label: String,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            text: "text".to_string(),
            label: "label".to_string(),
        }
    }
}

/// File formats labelled data can come in, decided by the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    Csv,
    JsonLines,
}

impl DataFormat {
    /// `.csv` → CSV; `.jsonl`, `.ndjson` and `.json` (one object per line) → JSON Lines.
    pub fn from_path(path: &Path) -> Result<DataFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("csv") => Ok(DataFormat::Csv),
            Some("jsonl") | Some("ndjson") | Some("json") => Ok(DataFormat::JsonLines),
            _ => Err(Error::invalid_input(format!(
                "{}: cannot tell the data format from the file extension",
                path.display()
            ))
            .with_field(path.display().to_string())
            .with_hint(
                "use a .csv file (header with text and label columns) or a .jsonl file \
                 (one {\"text\": ..., \"label\": ...} object per line)",
            )),
        }
    }
}

/// Reads labelled examples from `path` (format by extension). Every row must
/// have a non-empty text and label; the file must not be empty.
pub fn read_examples(path: &Path, columns: &Columns) -> Result<Vec<LabelledExample>> {
    let format = DataFormat::from_path(path)?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read data file", e))?;
    let origin = path.display().to_string();
    parse_examples(&bytes, format, columns, &origin)
}

/// Parses labelled examples from in-memory file contents; `origin` names the
/// file in error messages.
pub fn parse_examples(
    bytes: &[u8],
    format: DataFormat,
    columns: &Columns,
    origin: &str,
) -> Result<Vec<LabelledExample>> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(
            Error::invalid_input(format!("{origin}: the data file is empty"))
                .with_field(origin.to_string())
                .with_hint("give a file with at least two labelled examples per label"),
        );
    }
    let examples = match format {
        DataFormat::Csv => parse_csv(bytes, columns, origin)?,
        DataFormat::JsonLines => parse_json_lines(bytes, columns, origin)?,
    };
    if examples.is_empty() {
        return Err(Error::invalid_input(format!(
            "{origin}: the data file has no examples, only a header"
        ))
        .with_field(origin.to_string()));
    }
    Ok(examples)
}

fn parse_csv(bytes: &[u8], columns: &Columns, origin: &str) -> Result<Vec<LabelledExample>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(origin, &e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<_>>();
    let find = |name: &str, flag: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            Error::invalid_input(format!(
                "{origin}: column `{name}` is missing; columns found: {}",
                headers
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .with_field(name.to_string())
            .with_hint(format!("name the right column with {flag}"))
        })
    };
    let text_at = find(&columns.text, "--text-column")?;
    let label_at = find(&columns.label, "--label-column")?;
    let mut examples = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(origin, &e))?;
        // Line numbers count from 1 and include the header line.
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let text = record.get(text_at).unwrap_or("");
        let label = record.get(label_at).unwrap_or("");
        examples.push(checked_example(text, label, columns, origin, line)?);
    }
    Ok(examples)
}

fn csv_error(origin: &str, err: &csv::Error) -> Error {
    Error::invalid_input(format!("{origin}: malformed CSV: {err}")).with_field(origin.to_string())
}

fn parse_json_lines(bytes: &[u8], columns: &Columns, origin: &str) -> Result<Vec<LabelledExample>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::invalid_input(format!("{origin}: the file is not UTF-8 text: {e}"))
            .with_field(origin.to_string())
    })?;
    let mut examples = Vec::new();
    for (index, raw_line) in text.lines().enumerate() {
        let line = index as u64 + 1;
        if raw_line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(raw_line).map_err(|e| {
            Error::invalid_input(format!("{origin}: bad JSON on line {line}: {e}"))
                .with_field(format!("{origin}:{line}"))
                .with_hint("each line must be one JSON object like {\"text\": \"...\", \"label\": \"...\"}")
        })?;
        let field = |key: &str| -> Result<String> {
            match value.get(key) {
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
                Some(serde_json::Value::Bool(b)) => Ok(b.to_string()),
                Some(serde_json::Value::Null) | None => Ok(String::new()),
                Some(_) => Err(Error::invalid_input(format!(
                    "{origin}: line {line}: `{key}` must be a string"
                ))
                .with_field(format!("{origin}:{line}"))),
            }
        };
        if !value.is_object() {
            return Err(Error::invalid_input(format!(
                "{origin}: line {line} is not a JSON object"
            ))
            .with_field(format!("{origin}:{line}")));
        }
        let text = field(&columns.text)?;
        let label = field(&columns.label)?;
        examples.push(checked_example(&text, &label, columns, origin, line)?);
    }
    Ok(examples)
}

fn checked_example(
    text: &str,
    label: &str,
    columns: &Columns,
    origin: &str,
    line: u64,
) -> Result<LabelledExample> {
    for (value, name) in [(text, &columns.text), (label, &columns.label)] {
        if value.trim().is_empty() {
            return Err(
                Error::invalid_input(format!("{origin}: line {line}: `{name}` is empty"))
                    .with_field(format!("{origin}:{line}"))
                    .with_hint(
                        "every example needs a non-empty text and label; remove or fix the row",
                    ),
            );
        }
    }
    Ok(LabelledExample {
        text: text.to_string(),
        label: label.trim().to_string(),
    })
}

/// Checks that the examples can train and calibrate a classifier: at least
/// two labels, and at least two examples of each (one to train on, one to
/// calibrate with). Returns the sorted label set.
pub fn check_trainable(examples: &[LabelledExample], origin: &str) -> Result<Vec<String>> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for example in examples {
        *counts.entry(example.label.as_str()).or_default() += 1;
    }
    if counts.len() < 2 {
        let found = counts.keys().next().copied().unwrap_or("");
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{origin}: a classifier needs at least 2 labels, found {} (`{found}`)",
                counts.len()
            ),
        )
        .with_field(origin.to_string())
        .with_hint("add examples of at least one more label"));
    }
    let singletons = counts
        .iter()
        .filter(|(_, n)| **n < 2)
        .map(|(label, _)| format!("`{label}`"))
        .collect::<Vec<_>>();
    if !singletons.is_empty() {
        return Err(Error::invalid_input(format!(
            "{origin}: label {} has only one example; each label needs at least 2, \
             since one example cannot be both trained on and held out to calibrate confidence",
            singletons.join(", ")
        ))
        .with_field(origin.to_string())
        .with_hint("add more examples of that label or remove it"));
    }
    Ok(counts.keys().map(|l| l.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str, columns: &Columns) -> Result<Vec<LabelledExample>> {
        parse_examples(text.as_bytes(), DataFormat::Csv, columns, "data.csv")
    }

    fn jsonl(text: &str) -> Result<Vec<LabelledExample>> {
        parse_examples(
            text.as_bytes(),
            DataFormat::JsonLines,
            &Columns::default(),
            "data.jsonl",
        )
    }

    #[test]
    fn reads_csv_with_column_override() {
        let columns = Columns {
            text: "text".into(),
            label: "category".into(),
        };
        let rows = csv(
            "text,category\nhello there,greet\n\"a, b\",other\n",
            &columns,
        )
        .expect("valid csv");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].text, "a, b");
        assert_eq!(rows[1].label, "other");
    }

    #[test]
    fn missing_column_is_named_with_columns_found() {
        let err = csv("text,category\nhi,greet\n", &Columns::default()).expect_err("no label");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.message().contains("`label` is missing"),
            "{}",
            err.message()
        );
        assert!(
            err.message().contains("`text`, `category`"),
            "{}",
            err.message()
        );
        assert_eq!(err.field(), Some("label"));
    }

    #[test]
    fn empty_file_is_rejected() {
        let err = csv("  \n", &Columns::default()).expect_err("empty");
        assert!(err.message().contains("empty"), "{}", err.message());
        let err = csv("text,label\n", &Columns::default()).expect_err("header only");
        assert!(err.message().contains("no examples"), "{}", err.message());
        let err = jsonl("").expect_err("empty jsonl");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn empty_text_or_label_names_the_line() {
        let err =
            csv("text,label\nhi,greet\n,greet\n", &Columns::default()).expect_err("empty text");
        assert!(err.message().contains("line 3"), "{}", err.message());
        assert!(
            err.message().contains("`text` is empty"),
            "{}",
            err.message()
        );
        let err = jsonl("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\" \"}\n")
            .expect_err("empty label");
        assert!(err.message().contains("line 2"), "{}", err.message());
        assert!(
            err.message().contains("`label` is empty"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn bad_json_names_the_line() {
        let err =
            jsonl("{\"text\":\"a\",\"label\":\"x\"}\n\n{\"text\": oops}\n").expect_err("bad json");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(
            err.message().contains("bad JSON on line 3"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn singleton_label_is_named() {
        let rows = csv("text,label\na,x\nb,x\nc,y\n", &Columns::default()).expect("valid");
        let err = check_trainable(&rows, "data.csv").expect_err("y has one example");
        assert!(
            err.message().contains("`y` has only one example"),
            "{}",
            err.message()
        );
        assert!(
            err.message().contains("held out to calibrate"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn fewer_than_two_labels_is_rejected() {
        let rows = csv("text,label\na,x\nb,x\n", &Columns::default()).expect("valid");
        let err = check_trainable(&rows, "data.csv").expect_err("one label");
        assert!(
            err.message().contains("at least 2 labels"),
            "{}",
            err.message()
        );
        let rows = csv("text,label\na,x\nb,x\nc,y\nd,y\n", &Columns::default()).expect("valid");
        assert_eq!(
            check_trainable(&rows, "data.csv").expect("ok"),
            vec!["x", "y"]
        );
    }

    #[test]
    fn format_comes_from_the_extension() {
        assert_eq!(
            DataFormat::from_path(Path::new("a.CSV")).ok(),
            Some(DataFormat::Csv)
        );
        assert_eq!(
            DataFormat::from_path(Path::new("a.jsonl")).ok(),
            Some(DataFormat::JsonLines)
        );
        let err = DataFormat::from_path(Path::new("a.txt")).expect_err("unknown");
        assert!(err.message().contains("a.txt"), "{}", err.message());
    }
}
