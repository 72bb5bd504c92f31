//! A [`Problem`] found in a workflow definition, with the file and (where
//! known) the line and column it is at, and the source-position helper that
//! turns byte offsets in a file into 1-based line/column numbers.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One thing wrong with a workflow definition. `airlock check` prints every
/// problem of every workflow, one per line, as
/// `file:line:col: message (hint: ...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the problem is in (the workflow TOML, a schema, a template).
    pub file: PathBuf,
    /// 1-based line, when the position is known.
    pub line: Option<u32>,
    /// 1-based column (in characters), when the position is known.
    pub column: Option<u32>,
    /// What is wrong, naming the field or step.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem in `file` at no particular position.
    pub fn in_file(file: &Path, message: impl Into<String>) -> Self {
        Problem {
            file: file.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Sets the 1-based line and column.
    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the position from a position pair, if there is one.
    pub fn at_position(self, position: Option<(u32, u32)>) -> Self {
        match position {
            Some((line, column)) => self.at(line, column),
            None => self,
        }
    }

    /// Adds a hint on how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// The text of one file, able to turn byte offsets into line/column.
#[derive(Debug, Clone)]
pub struct SourceFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl SourceFile<'_> {
    /// 1-based (line, column) of the byte offset `offset`; the column counts
    /// characters, not bytes. Offsets past the end clamp to the end.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (saturating_u32(line), saturating_u32(column))
    }

    /// A problem in this file at the start of `span`.
    pub fn problem(&self, span: Option<Range<usize>>, message: impl Into<String>) -> Problem {
        Problem::in_file(self.path, message).at_position(span.map(|s| self.position(s.start)))
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let file = SourceFile {
            path: Path::new("w.toml"),
            text: "a = 1\nbé = 2\n",
        };
        assert_eq!(file.position(0), (1, 1));
        assert_eq!(file.position(6), (2, 1));
        // 'é' is two bytes; the '=' after it is the 4th character.
        assert_eq!(file.position(10), (2, 4));
    }

    #[test]
    fn renders_file_line_column_message_and_hint() {
        let p = Problem::in_file(Path::new("x/workflow.toml"), "bad")
            .at(3, 7)
            .with_hint("fix it");
        assert_eq!(p.to_string(), "x/workflow.toml:3:7: bad (hint: fix it)");
        let q = Problem::in_file(Path::new("s.json"), "gone");
        assert_eq!(q.to_string(), "s.json: gone");
    }
}
