//! A [`PolicyProblem`]: one thing wrong with a policy source (a parse error,
//! a schema-validation error, a duplicate id), with the origin it came from
//! and, where Cedar gives a span, the 1-based line and column.

use std::fmt;

use airlock_core::Error;

/// One problem in the authorization policies, printed as
/// `origin:line:col: message (hint: ...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// Where the policy text came from (the file name the caller gave).
    pub origin: String,
    /// 1-based line, when the position is known.
    pub line: Option<u32>,
    /// 1-based column (in characters), when the position is known.
    pub column: Option<u32>,
    /// The id of the policy the problem is in, when it is about one policy.
    pub policy: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when Cedar or Airlock knows.
    pub hint: Option<String>,
}

impl PolicyProblem {
    /// A problem in `origin` at no particular position.
    pub fn new(origin: &str, message: impl Into<String>) -> Self {
        PolicyProblem {
            origin: origin.to_string(),
            line: None,
            column: None,
            policy: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Sets the position from the byte offset `offset` into `text`, the
    /// source the problem is in.
    pub(crate) fn at_offset(mut self, text: &str, offset: usize) -> Self {
        let (line, column) = position(text, offset);
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub(crate) fn in_policy(mut self, policy: &str) -> Self {
        self.policy = Some(policy.to_string());
        self
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)?;
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

/// All `problems` as one configuration error, one problem per line, for
/// callers that report through [`airlock_core::Error`].
pub fn problems_error(problems: &[PolicyProblem]) -> Error {
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    Error::invalid_config(format!(
        "the authorization policies have {} problem(s):\n{}",
        problems.len(),
        lines.join("\n")
    ))
    .with_hint("fix the policy files and reload; the previous policies stay in force")
}

/// 1-based (line, column) of the byte offset `offset` in `text`, the column
/// counting characters. Cedar gives byte offsets only; this is the few
/// lines of arithmetic turning them into what an editor shows.
fn position(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (saturating_u32(line), saturating_u32(column))
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "permit\n(é x";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 7), (2, 1));
        // 'é' is two bytes; the space after it is the 3rd character.
        assert_eq!(position(text, 10), (2, 3));
        assert_eq!(position(text, 999), (2, 5));
    }

    #[test]
    fn renders_origin_line_column_message_and_hint() {
        let problem = PolicyProblem::new("ops.cedar", "unexpected token")
            .at_offset("a\nbc", 3)
            .with_hint("add a `;`");
        assert_eq!(
            problem.to_string(),
            "ops.cedar:2:2: unexpected token (hint: add a `;`)"
        );
        assert_eq!(
            PolicyProblem::new("x.cedar", "empty").to_string(),
            "x.cedar: empty"
        );
    }

    #[test]
    fn problems_become_one_config_error_listing_each() {
        let err = problems_error(&[
            PolicyProblem::new("a.cedar", "one"),
            PolicyProblem::new("b.cedar", "two"),
        ]);
        assert_eq!(err.kind(), airlock_core::ErrorKind::InvalidConfig);
        assert!(err.message().contains("a.cedar: one\nb.cedar: two"));
    }
}
