//! Which columns of a labelled data file hold the text and the label, so
//! several files of different layouts can be merged into one training set
//! (`--data export.jsonl --data banking77-train.csv`).
//!
//! The requested columns (`--text-column`, `--label-column`; default
//! `text` and `label`) win when a file has them. Otherwise a CSV with a
//! `text` column and exactly one other column (BANKING77's
//! `text,category`) uses that other column as the label, and a JSONL file
//! whose objects have `text` and `label` keys (what `airlock dataset
//! export` writes) uses those. Failing both, the requested columns are
//! used and reading names the missing one.

use std::path::Path;

use airlock_classifier::{read_examples, Columns, DataFormat, LabelledExample};
use airlock_core::{Error, Result};

use super::ColumnArgs;

/// The columns asked for on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnChoice {
    pub requested: Columns,
}

impl From<&ColumnArgs> for ColumnChoice {
    fn from(args: &ColumnArgs) -> Self {
        ColumnChoice {
            requested: args.columns(),
        }
    }
}

/// The columns to read `path` with (see the module doc).
pub fn columns_for(path: &Path, choice: &ColumnChoice) -> Result<Columns> {
    let requested = &choice.requested;
    let names = match DataFormat::from_path(path)? {
        DataFormat::Csv => csv_header(path)?,
        DataFormat::JsonLines => first_object_keys(path)?,
    };
    let has = |name: &str| names.iter().any(|n| n == name);
    if has(&requested.text) && has(&requested.label) {
        return Ok(requested.clone());
    }
    if has("text") && has("label") {
        return Ok(Columns::default());
    }
    let others: Vec<&String> = names.iter().filter(|n| *n != "text").collect();
    if let (true, [label]) = (has("text"), others.as_slice()) {
        return Ok(Columns {
            text: "text".into(),
            label: (*label).clone(),
        });
    }
    Ok(requested.clone())
}

/// Reads `path` with [`columns_for`]'s columns, saying on stderr when they
/// are not the requested ones.
pub fn read_data_file(path: &Path, choice: &ColumnChoice) -> Result<Vec<LabelledExample>> {
    let columns = columns_for(path, choice)?;
    if columns != choice.requested {
        eprintln!(
            "{}: reading text from `{}` and labels from `{}`",
            path.display(),
            columns.text,
            columns.label
        );
    }
    read_examples(path, &columns)
}

fn csv_header(path: &Path) -> Result<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        Error::invalid_input(format!("cannot read {}: {e}", path.display()))
            .with_field(path.display().to_string())
    })?;
    let headers = reader.headers().map_err(|e| {
        Error::invalid_input(format!(
            "{}: cannot read the CSV header: {e}",
            path.display()
        ))
        .with_field(path.display().to_string())
    })?;
    Ok(headers.iter().map(|h| h.trim().to_string()).collect())
}

/// The keys of the first non-blank line's object (none if it is not one:
/// reading the file then reports the bad line).
fn first_object_keys(path: &Path) -> Result<Vec<String>> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "open data file", e))?;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|e| Error::io(path, "read data file", e))?;
        if line.trim().is_empty() {
            continue;
        }
        return Ok(match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        });
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(text: &str, label: &str) -> Columns {
        Columns {
            text: text.into(),
            label: label.into(),
        }
    }

    fn choice(text: &str, label: &str) -> ColumnChoice {
        ColumnChoice {
            requested: columns(text, label),
        }
    }

    #[test]
    fn each_file_gets_the_columns_it_has() {
        let dir = tempfile::tempdir().expect("tempdir");
        let csv = dir.path().join("banking.csv");
        std::fs::write(&csv, "text,category\nhi,greet\n").expect("write");
        let jsonl = dir.path().join("export.jsonl");
        std::fs::write(
            &jsonl,
            "\n{\"text\": \"hi\", \"label\": \"greet\", \"run_id\": \"x\"}\n",
        )
        .expect("write");
        let custom = dir.path().join("custom.csv");
        std::fs::write(&custom, "body,intent,lang\nhi,greet,en\n").expect("write");

        let defaults = ColumnChoice::default();
        assert_eq!(
            columns_for(&csv, &defaults).unwrap(),
            columns("text", "category")
        );
        assert_eq!(columns_for(&jsonl, &defaults).unwrap(), Columns::default());
        let asked = choice("text", "category");
        assert_eq!(
            columns_for(&jsonl, &asked).unwrap(),
            Columns::default(),
            "a JSONL export keeps text/label when other columns are asked for"
        );
        let asked = choice("body", "intent");
        assert_eq!(
            columns_for(&custom, &asked).unwrap(),
            columns("body", "intent")
        );
        assert_eq!(
            columns_for(&custom, &defaults).unwrap(),
            Columns::default(),
            "nothing to detect: reading will name the missing column"
        );
        let err = read_data_file(&custom, &defaults).expect_err("no text column");
        assert!(
            err.message().contains("`text` is missing"),
            "{}",
            err.message()
        );
        let examples = read_data_file(&csv, &defaults).expect("detected");
        assert_eq!(examples[0].label, "greet");
    }
}
