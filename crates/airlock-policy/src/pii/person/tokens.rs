//! Words of a text with their byte offsets and case shape, for the person
//! recognizer. A word is a run of letters (with combining marks), allowing
//! inner apostrophes and hyphens (`O'Brien`, `Jean-Luc`); a trailing
//! possessive `'s` is split off (`Alex's` is `Alex`).

use regex::Regex;

/// How a word is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// `Anna`, `McGregor`, `O'Brien`: an upper-case letter, then at least
    /// one lower-case one.
    Capitalised,
    /// A single upper-case letter (`J` of `J. Smith`).
    Initial,
    /// Entirely lower case.
    Lower,
    /// Anything else: `NASA`, `iPhone`.
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Word<'t> {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) text: &'t str,
    pub(crate) lower: String,
    pub(crate) case: Case,
    /// Was followed by `'s` (which is not part of `text`).
    pub(crate) possessive: bool,
}

impl Word<'_> {
    pub(crate) fn is_capitalised(&self) -> bool {
        self.case == Case::Capitalised
    }

    /// The part before the first hyphen (`jean` of `jean-luc`).
    pub(crate) fn lower_head(&self) -> &str {
        self.lower.split('-').next().unwrap_or(&self.lower)
    }
}

fn case_of(word: &str) -> Case {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return Case::Other;
    };
    let rest: Vec<char> = chars.collect();
    if first.is_uppercase() {
        if rest.is_empty() {
            Case::Initial
        } else if rest.iter().any(|c| c.is_lowercase()) {
            Case::Capitalised
        } else {
            Case::Other
        }
    } else if word.chars().all(|c| !c.is_uppercase()) {
        Case::Lower
    } else {
        Case::Other
    }
}

/// Splits texts into [`Word`]s.
pub(crate) struct Tokenizer {
    word: Regex,
}

impl Tokenizer {
    pub(crate) fn new() -> airlock_core::Result<Self> {
        Ok(Tokenizer {
            word: crate::pii::recognizers::compile(r"[\p{L}\p{M}]+(?:['’\-][\p{L}\p{M}]+)*")?,
        })
    }

    pub(crate) fn words<'t>(&self, text: &'t str) -> Vec<Word<'t>> {
        self.word
            .find_iter(text)
            .map(|m| {
                let raw = m.as_str();
                let stem = raw
                    .strip_suffix("'s")
                    .or_else(|| raw.strip_suffix("’s"))
                    .filter(|s| !s.is_empty());
                let text = stem.unwrap_or(raw);
                Word {
                    start: m.start(),
                    end: m.start() + text.len(),
                    text,
                    lower: text.to_lowercase(),
                    case: case_of(text),
                    possessive: stem.is_some(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_cases_and_possessives() {
        let t = Tokenizer::new().ok();
        let text = "Alex's friend O'Brien, J. NASA Jean-Luc Ærø";
        let words = t.map(|t| t.words(text)).unwrap_or_default();
        let shown: Vec<(&str, Case, bool)> = words
            .iter()
            .map(|w| (w.text, w.case, w.possessive))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("Alex", Case::Capitalised, true),
                ("friend", Case::Lower, false),
                ("O'Brien", Case::Capitalised, false),
                ("J", Case::Initial, false),
                ("NASA", Case::Other, false),
                ("Jean-Luc", Case::Capitalised, false),
                ("Ærø", Case::Capitalised, false),
            ]
        );
        assert_eq!(words[5].lower_head(), "jean");
        assert_eq!(&text[words[6].start..words[6].end], "Ærø");
    }
}
