//! Words of a text with their byte offsets and case shape, for the person
//! recognizer. A word is a run of letters (with combining marks), allowing
//! inner apostrophes and hyphens (`O'Brien`, `Jean-Luc`); a trailing
//! possessive `'s` is split off (`Alex's` is `Alex`).

use std::borrow::Cow;

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
    /// Lower-cased; borrowed when the word has no upper-case letter.
    pub(crate) lower: Cow<'t, str>,
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

/// Whether `c` belongs inside a word: a letter or a combining mark (the
/// accents of decomposed `é`).
fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Characters that join two runs of letters into one word.
fn is_inner_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-')
}

/// Splits texts into [`Word`]s.
///
/// Hand-written rather than a `regex` pattern: with Unicode letter classes
/// the pattern took half of the person recognizer's time, and the rule (letters,
/// joined by inner apostrophes or hyphens) is a few lines.
pub(crate) struct Tokenizer;

impl Tokenizer {
    pub(crate) fn new() -> Self {
        Tokenizer
    }

    pub(crate) fn words<'t>(&self, text: &'t str) -> Vec<Word<'t>> {
        let mut words = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !is_word_char(c) {
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(i, c)) = chars.peek() {
                if is_word_char(c) {
                    end = i + c.len_utf8();
                    chars.next();
                } else if is_inner_joiner(c) {
                    // A joiner counts only with a letter right after it.
                    let after = text[i + c.len_utf8()..].chars().next();
                    if after.is_some_and(is_word_char) {
                        chars.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            words.push(Self::word(&text[start..end], start));
        }
        words
    }

    fn word(raw: &str, start: usize) -> Word<'_> {
        let stem = raw
            .strip_suffix("'s")
            .or_else(|| raw.strip_suffix("’s"))
            .filter(|s| !s.is_empty());
        let text = stem.unwrap_or(raw);
        Word {
            start,
            end: start + text.len(),
            text,
            lower: if text.chars().any(char::is_uppercase) {
                Cow::Owned(text.to_lowercase())
            } else {
                Cow::Borrowed(text)
            },
            case: case_of(text),
            possessive: stem.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_cases_and_possessives() {
        let text = "Alex's friend O'Brien, J. NASA Jean-Luc Ærø 'quoted'- x-";
        let words = Tokenizer::new().words(text);
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
                ("quoted", Case::Lower, false),
                ("x", Case::Lower, false),
            ]
        );
        assert_eq!(words[5].lower_head(), "jean");
        assert_eq!(&text[words[6].start..words[6].end], "Ærø");
    }
}
