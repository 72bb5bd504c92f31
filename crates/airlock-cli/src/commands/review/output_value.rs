//! The `--output` of `airlock review resolve`: a JSON file, `-` for
//! standard input, or the JSON itself on the command line.

use airlock_core::{Error, Result};
use serde_json::Value;
use std::io::Read;
use std::path::Path;

/// Reads the corrected output named by `arg`.
pub fn read(arg: &str) -> Result<Value> {
    let trimmed = arg.trim_start();
    let (text, origin) = if arg == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io(Path::new("-"), "read the output from stdin", e))?;
        (text, "standard input".to_string())
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed.starts_with('"') {
        (arg.to_string(), "--output".to_string())
    } else {
        let path = Path::new(arg);
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(path, "read the corrected output", e))?;
        (text, path.display().to_string())
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::invalid_input(format!("{origin} is not valid JSON: {e}"))
            .with_field("output")
            .with_hint(
                "give the corrected output as JSON, e.g. --output '{\"intent\": \"card_arrival\"}'",
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_json_and_files_are_read() {
        assert_eq!(read(r#"{"a": 1}"#).expect("inline"), json!({"a": 1}));
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("out.json");
        std::fs::write(&file, "[1, 2]").expect("write");
        assert_eq!(
            read(file.to_str().expect("utf-8")).expect("file"),
            json!([1, 2])
        );
        let err = read("{not json").expect_err("bad JSON");
        assert_eq!(err.field(), Some("output"));
        let err = read(dir.path().join("missing.json").to_str().expect("utf-8"))
            .expect_err("no such file");
        assert_eq!(err.kind(), airlock_core::ErrorKind::Io);
    }
}
