//! The files a workflow references besides `workflow.toml`: JSON Schemas and
//! minijinja templates. Loads and checks each one, records its bytes for the
//! version hash, and computes that hash.

use crate::definition::Schema;
use crate::problem::Problem;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Why a referenced path could not be used, for the caller to report at
/// the place in `workflow.toml` that names it.
pub struct BadPath {
    pub message: String,
    pub hint: String,
}

/// Everything read from a workflow directory so far: the contents of every
/// file (for the version) and the templates parsed into one environment.
pub struct WorkflowFiles {
    dir: PathBuf,
    contents: BTreeMap<String, Vec<u8>>,
    pub templates: minijinja::Environment<'static>,
}

impl WorkflowFiles {
    pub fn new(dir: &Path) -> Self {
        let mut templates = minijinja::Environment::new();
        // Missing variables are errors at render time, not silent blanks.
        templates.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        WorkflowFiles {
            dir: dir.to_path_buf(),
            contents: BTreeMap::new(),
            templates,
        }
    }

    /// Records the definition file itself (read by the caller).
    pub fn record(&mut self, relative: &str, bytes: &[u8]) {
        self.contents.insert(relative.to_string(), bytes.to_vec());
    }

    /// Reads the file `relative` (as written in `workflow.toml`), which must
    /// stay inside the workflow directory.
    fn read(&mut self, relative: &str, what: &str) -> Result<(PathBuf, String), BadPath> {
        let path = Path::new(relative);
        let escapes = path.is_absolute()
            || path
                .components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
        if relative.trim().is_empty() || escapes {
            return Err(BadPath {
                message: format!("{what} path `{relative}` must be relative to the workflow directory and stay inside it"),
                hint: "put the file next to workflow.toml and name it without `..` or a leading `/`".into(),
            });
        }
        let full = self.dir.join(path);
        match std::fs::read_to_string(&full) {
            Ok(text) => {
                self.contents
                    .insert(relative.to_string(), text.as_bytes().to_vec());
                Ok((full, text))
            }
            Err(e) => Err(BadPath {
                message: format!("cannot read {what} `{}`: {e}", full.display()),
                hint: format!("create `{relative}` in the workflow directory or fix the path"),
            }),
        }
    }

    /// Loads a JSON Schema file: valid JSON, valid against its meta-schema,
    /// and compilable. Problems inside the file are returned as problems of
    /// that file; a bad path is returned for the caller to place.
    pub fn schema(&mut self, relative: &str) -> Result<Result<Schema, Vec<Problem>>, BadPath> {
        let (full, text) = self.read(relative, "schema file")?;
        let json: serde_json::Value = match serde_json::from_str(&text) {
            Ok(json) => json,
            Err(e) => {
                let problem = Problem::in_file(&full, format!("invalid JSON: {e}"))
                    .with_hint("a schema file must be one JSON object (a JSON Schema)");
                let problem = match u32::try_from(e.line()).ok().filter(|l| *l > 0) {
                    Some(line) => problem.at(line, u32::try_from(e.column()).unwrap_or(1)),
                    None => problem,
                };
                return Ok(Err(vec![problem]));
            }
        };
        if let Err(e) = jsonschema::meta::validate(&json) {
            return Ok(Err(vec![Problem::in_file(
                &full,
                format!(
                    "not a valid JSON Schema: {e} (at `{}`)",
                    display_pointer(e.instance_path().as_str())
                ),
            )
            .with_hint("check the keyword against the JSON Schema specification (draft 2020-12 unless `$schema` says otherwise)")]));
        }
        // `format` is checked, not just annotated: an input contract that
        // says `"format": "email"` means it.
        match jsonschema::options()
            .should_validate_formats(true)
            .build(&json)
        {
            Ok(validator) => Ok(Ok(Schema {
                path: relative.to_string(),
                json,
                validator,
            })),
            Err(e) => Ok(Err(vec![Problem::in_file(
                &full,
                format!("cannot compile JSON Schema: {e}"),
            )
            .with_hint("references (`$ref`) must point inside the same file; remote schemas are not fetched")])),
        }
    }

    /// Checks a data file exists (inside the workflow directory) and
    /// records it in the version; returns its full path.
    pub fn data_file(&mut self, relative: &str) -> Result<PathBuf, BadPath> {
        self.read(relative, "training data file")
            .map(|(full, _)| full)
    }

    /// Loads and parses a template; its name is its relative path. Loading
    /// the same template twice is fine.
    pub fn template(&mut self, relative: &str) -> Result<Result<(), Vec<Problem>>, BadPath> {
        if self.templates.get_template(relative).is_ok() {
            return Ok(Ok(()));
        }
        let (full, text) = self.read(relative, "template")?;
        match self
            .templates
            .add_template_owned(relative.to_string(), text)
        {
            Ok(()) => Ok(Ok(())),
            Err(e) => {
                let message = match e.detail() {
                    Some(detail) => format!("template syntax error: {detail}"),
                    None => format!("template syntax error: {}", e.kind()),
                };
                let problem = Problem::in_file(&full, message)
                    .with_hint("see https://docs.rs/minijinja for the template syntax");
                let problem = match e.line().and_then(|l| u32::try_from(l).ok()) {
                    Some(line) => Problem {
                        line: Some(line),
                        ..problem
                    },
                    None => problem,
                };
                Ok(Err(vec![problem]))
            }
        }
    }

    /// Hex SHA-256 over every file read, in path order, each framed by its
    /// name and length so moving bytes between files changes the hash.
    pub fn version(&self) -> String {
        let mut hasher = Sha256::new();
        for (name, bytes) in &self.contents {
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        hex::encode(hasher.finalize())
    }
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "/"
    } else {
        pointer
    }
}
