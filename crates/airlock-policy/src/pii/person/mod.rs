//! Person names, found by rules since no NER model is available to
//! Airlock: capitalised word sequences accepted on evidence and rejected
//! on counter-evidence.
//!
//! Evidence that a capitalised sequence is a name:
//! - an honorific before it (`Mr.`, `Dr`, `Frau`, ...): any capitalised
//!   words after it, a surname alone too;
//! - a cue phrase before it (`my name is`, `Dear`, `Hi`, `Regards,`,
//!   `Name:`, `calls me`, ...);
//! - its first word is a known given name (U.S. Census lists plus
//!   hand-written lists of other countries' names). Given names that are
//!   also common words, places, months or products (`Will`, `Grace`,
//!   `Paris`, `May`, `Alexa`) count only with a capitalised word after
//!   them (`Will Smith`) or with a cue.
//!
//! Counter-evidence that wins over a given name (but not over an honorific
//! or a cue): a street or organisation word in or right after it
//! (`Maclean Street`, `Morgan Labs`, `Smith Ltd`), a street word or a house
//! number before it (`Rue Victor Hugo`, `12 Victoria Road`), `the` before
//! it, more than four words (a title). Stop words and generic capitalised
//! words (`Customer`, `Monday`, `Support`) end a name.
//!
//! In text with no upper-case letter at all (chat written in lower case)
//! capitals carry no signal, so known given names that are not ambiguous
//! are taken, with a following known surname.
//!
//! Spans cover the name without the honorific and without a possessive
//! `'s`. Not found: names that are neither known nor introduced by a cue
//! (`Jouko spent a year`), surnames alone, names in all capitals.

mod cues;
mod lexicon;
mod tokens;

use super::entity::EntityType;
use super::finding::Finding;
use super::recognizers::Recognizer;
use airlock_core::Result;
use cues::{after_number, after_the, at_sentence_start, strong_cue};
use lexicon::{Lexicon, LEXICON, PARTICLES};
use tokens::{Case, Tokenizer, Word};

/// The most words (particles aside) a name may have.
const MAX_NAME_WORDS: usize = 4;

pub(crate) struct PersonRecognizer {
    tokenizer: Tokenizer,
    lexicon: &'static Lexicon,
}

impl PersonRecognizer {
    pub(crate) fn new() -> Result<Self> {
        Ok(PersonRecognizer {
            tokenizer: Tokenizer::new()?,
            lexicon: &LEXICON,
        })
    }

    fn is_stop_or_generic(&self, w: &Word) -> bool {
        self.lexicon.stop.contains(&w.lower) || self.lexicon.generic.contains(&w.lower)
    }

    fn is_given(&self, w: &Word) -> bool {
        !self.is_stop_or_generic(w)
            && (self.lexicon.given.contains(&w.lower)
                || self.lexicon.given.contains(w.lower_head()))
    }

    fn is_ambiguous(&self, w: &Word) -> bool {
        self.lexicon.ambiguous.contains(&w.lower) || self.lexicon.not_person.contains(&w.lower)
    }

    fn is_honorific(&self, w: &Word) -> bool {
        self.lexicon.honorifics.contains(&w.lower)
    }

    fn is_particle(w: &Word) -> bool {
        w.case == Case::Lower && PARTICLES.contains(&w.lower.as_str())
    }

    /// The end (exclusive word index) of the capitalised sequence that
    /// starts at `first`: words joined by single spaces, with initials
    /// (`K.`), honorifics (`Dr.`) and lower-case particles (`van der`)
    /// inside; a possessive ends it.
    fn sequence_end(&self, text: &str, words: &[Word], first: usize) -> usize {
        let mut last = first;
        while last + 1 < words.len() && last + 1 - first < 2 * MAX_NAME_WORDS + 2 {
            let current = &words[last];
            if current.possessive {
                break;
            }
            let gap = text.get(current.end..words[last + 1].start).unwrap_or("");
            let dotted = current.case == Case::Initial || self.is_honorific(current);
            let joined = gap == " " || (dotted && (gap == ". " || gap == "."));
            if !joined {
                break;
            }
            let next = &words[last + 1];
            match next.case {
                Case::Capitalised | Case::Initial => last += 1,
                Case::Lower if Self::is_particle(next) => {
                    // Only if a capitalised word follows the particles.
                    let mut probe = last + 1;
                    while probe < words.len()
                        && Self::is_particle(&words[probe])
                        && text.get(words[probe].end..words.get(probe + 1).map_or(0, |w| w.start))
                            == Some(" ")
                    {
                        probe += 1;
                    }
                    if probe < words.len() && probe > last + 1 && words[probe].is_capitalised() {
                        last = probe;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        last + 1
    }

    /// The name in `words[first..end]`, if the evidence says there is one.
    fn judge(
        &self,
        text: &str,
        words: &[Word],
        first: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        let lex = self.lexicon;
        let seq = &words[first..end];
        let mut a = 0;
        let mut b = seq.len();
        while a < b && self.is_stop_or_generic(&seq[a]) {
            a += 1;
        }
        let mut honorific = false;
        while a < b && self.is_honorific(&seq[a]) {
            honorific = true;
            a += 1;
        }
        if a >= b {
            return None;
        }
        // "Ask Sarah", "Tell Inessa": a capitalised sentence opener before
        // a given name.
        if !honorific
            && b - a >= 2
            && at_sentence_start(text, seq[a].start)
            && !self.is_given(&seq[a])
            && !lex.surnames.contains(&seq[a].lower)
            && self.is_given(&seq[a + 1])
        {
            a += 1;
        }
        if !honorific
            && lex
                .address_before
                .contains(seq[a].lower.trim_end_matches('.'))
        {
            return None;
        }
        if a > 0 || first > 0 {
            let previous = &words[first + a - 1];
            let gap = text.get(previous.end..seq[a].start).unwrap_or("");
            if gap == " " && lex.address_before.contains(&previous.lower) {
                return None;
            }
        }
        for (k, w) in seq.iter().enumerate().take(b).skip(a) {
            if w.case == Case::Lower {
                continue;
            }
            if k > a && (lex.address_after.contains(&w.lower) || lex.org.contains(&w.lower)) {
                return None;
            }
            if self.is_stop_or_generic(w) {
                b = k;
                break;
            }
        }
        while b > a && matches!(seq[b - 1].case, Case::Lower | Case::Initial) {
            b -= 1;
        }
        if a >= b {
            return None;
        }
        let name_words = seq[a..b].iter().filter(|w| w.case != Case::Lower).count();
        if name_words > MAX_NAME_WORDS {
            return None;
        }
        // "Smith LLC", "Acme GmbH": an organisation word, capitalised,
        // right after the sequence.
        if b == seq.len() && !seq[b - 1].possessive {
            if let Some(next) = words.get(end) {
                let gap = text.get(seq[b - 1].end..next.start).unwrap_or("");
                let capital = next.text.chars().next().is_some_and(char::is_uppercase);
                let lower = next.lower.trim_end_matches('.');
                if gap == " "
                    && capital
                    && (lex.org.contains(lower) || lex.address_after.contains(lower))
                {
                    return None;
                }
            }
        }
        let head = &seq[a];
        let span = (head.start, seq[b - 1].end);
        if !honorific && after_number(text, head.start) {
            return None;
        }
        if honorific || strong_cue(text, head.start) {
            return Some(span);
        }
        if lex.not_person.contains(&head.lower) || after_the(text, head.start) {
            return None;
        }
        let known = self.is_given(head) || lex.ambiguous.contains(&head.lower);
        if !known {
            return None;
        }
        let followed = seq[a + 1..b].iter().any(Word::is_capitalised);
        if !self.is_ambiguous(head) || followed {
            Some(span)
        } else {
            None
        }
    }

    /// Lower-case text: known, unambiguous given names (and a known surname
    /// right after), and any word after a strong cue.
    fn find_in_lower_case(&self, text: &str, words: &[Word], out: &mut Vec<Finding>) {
        let lex = self.lexicon;
        let usable = |w: &Word| {
            w.case == Case::Lower
                && !self.is_stop_or_generic(w)
                && !self.is_honorific(w)
                && !Self::is_particle(w)
                && !lex.not_person.contains(&w.lower)
        };
        let mut k = 0;
        while k < words.len() {
            let w = &words[k];
            let accepted = usable(w)
                && ((self.is_given(w) && !self.is_ambiguous(w)) || strong_cue(text, w.start))
                && !after_number(text, w.start);
            if !accepted {
                k += 1;
                continue;
            }
            let mut end = w.end;
            k += 1;
            if let Some(next) = words.get(k) {
                let gap = text.get(w.end..next.start).unwrap_or("");
                if !w.possessive
                    && gap == " "
                    && usable(next)
                    && lex.surnames.contains(&next.lower)
                    && !self.is_ambiguous(next)
                    && !self.is_given(next)
                {
                    end = next.end;
                    k += 1;
                }
            }
            out.push(Finding::new(EntityType::Person, w.start, end));
        }
    }
}

impl Recognizer for PersonRecognizer {
    fn entity(&self) -> EntityType {
        EntityType::Person
    }

    fn find(&self, text: &str, out: &mut Vec<Finding>) {
        let words = self.tokenizer.words(text);
        if !text.chars().any(char::is_uppercase) {
            self.find_in_lower_case(text, &words, out);
            return;
        }
        let mut i = 0;
        while i < words.len() {
            if !words[i].is_capitalised() {
                i += 1;
                continue;
            }
            let end = self.sequence_end(text, &words, i);
            if let Some((start, stop)) = self.judge(text, &words, i, end) {
                out.push(Finding::new(EntityType::Person, start, stop));
            }
            i = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        PersonRecognizer::new().map(|r| r.find(text, &mut out)).ok();
        out.iter().map(|f| f.text(text)).collect()
    }

    #[test]
    fn known_given_names_with_surnames() {
        assert_eq!(
            found("Please ask Sarah Connor to call."),
            vec!["Sarah Connor"]
        );
        assert_eq!(found("Ask Sarah to call."), vec!["Sarah"]);
        assert_eq!(
            found("It went to Donald van der Voet today"),
            vec!["Donald van der Voet"]
        );
        assert_eq!(found("Greg K. Kerr signed"), vec!["Greg K. Kerr"]);
        assert_eq!(found("That is Alex's address"), vec!["Alex"]);
        assert_eq!(found("Søren Kierkegaard wrote"), vec!["Søren Kierkegaard"]);
    }

    #[test]
    fn honorifics_and_cues_accept_unknown_names() {
        assert_eq!(found("Hello, this is Mr. Kowalczyk."), vec!["Kowalczyk"]);
        assert_eq!(found("Dr Zyxwa Qorlen will see you"), vec!["Zyxwa Qorlen"]);
        assert_eq!(found("My name is Zyxwa Qorlen"), vec!["Zyxwa Qorlen"]);
        assert_eq!(found("Kind regards,\nZyxwa"), vec!["Zyxwa"]);
        assert_eq!(found("Name: Zyxwa Qorlen\nPhone: 1"), vec!["Zyxwa Qorlen"]);
    }

    #[test]
    fn ambiguous_names_need_a_surname_or_a_cue() {
        assert!(found("Will you send the May invoice?").is_empty());
        assert_eq!(found("Will Smith called"), vec!["Will Smith"]);
        assert_eq!(found("Thanks, Grace"), vec!["Grace"]);
        assert!(found("We opened an office in Paris and Sydney.").is_empty());
        assert!(found("Ask Alexa or Claude to summarise it").is_empty());
    }

    #[test]
    fn organisations_addresses_and_products_are_not_people() {
        assert!(found("Morgan Labs and Smith Ltd merged").is_empty());
        assert!(found("Ship to 4748 Westfall Avenue").is_empty());
        assert!(found("Walk down Maclean Street").is_empty());
        assert!(found("The office is on Rue Victor Hugo").is_empty());
        assert!(found("Pay with Apple Pay or Google Wallet in Microsoft Teams").is_empty());
        assert!(found("Dear Customer Support Team,").is_empty());
        assert!(found("Capitalized words like Wisdom and Discipline").is_empty());
    }

    #[test]
    fn lower_case_text_uses_the_lists() {
        assert_eq!(
            found("william had given natalia his address"),
            vec!["william", "natalia"]
        );
        assert_eq!(found("my name is zyxwa"), vec!["zyxwa"]);
        assert!(found("i will mark it as done").is_empty());
    }
}
