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
//! are taken, with the next word as surname unless it is a stop word
//! ("anna bizier points out" finds "anna bizier").
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
use cues::{after_number, after_the, at_sentence_start, before_house_number, strong_cue};
use lexicon::{Lexicon, LEXICON, PARTICLES};
use tokens::{Case, Tokenizer, Word};

/// The most words (particles aside) a name may have.
const MAX_NAME_WORDS: usize = 4;

/// Suffixes after a name that belong to it (lower case, no full stop).
const NAME_SUFFIXES: &[&str] = &[
    "jr", "sr", "ii", "iii", "iv", "md", "phd", "dds", "dmd", "dvm", "esq", "mba", "cpa", "rn",
];

/// Endings of compound street names in Germanic languages
/// (`Kurfürstenstraße`, `Derdelaan`, `Nørregade`).
const COMPOUND_STREET_ENDINGS: &[&str] = &[
    "straße", "strasse", "straat", "laan", "gracht", "plein", "platz", "gasse", "allee", "vej",
    "gade", "gatan", "vägen", "katu", "utca",
];

pub(crate) struct PersonRecognizer {
    tokenizer: Tokenizer,
    lexicon: &'static Lexicon,
}

impl PersonRecognizer {
    pub(crate) fn new() -> Result<Self> {
        Ok(PersonRecognizer {
            tokenizer: Tokenizer::new(),
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
        w.case == Case::Lower && PARTICLES.contains(&w.lower.as_ref())
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

    /// Whether `w` is a street or place word (`Street`, `Islands`), also as
    /// the last part of a hyphenated or compound word (`Paul-Nevermann-Platz`,
    /// `Derdelaan`).
    fn is_address_word(&self, w: &Word) -> bool {
        let lower = w.lower.trim_end_matches('.');
        self.lexicon.address_after.contains(lower)
            || lower
                .rsplit('-')
                .next()
                .is_some_and(|part| part != lower && self.lexicon.address_after.contains(part))
            || COMPOUND_STREET_ENDINGS
                .iter()
                .any(|ending| lower.len() > ending.len() + 2 && lower.ends_with(ending))
    }

    fn is_org_word(&self, w: &Word) -> bool {
        self.lexicon.org.contains(w.lower.trim_end_matches('.'))
    }

    /// Whether the name candidate `words[first..end]` sits in an address:
    /// a street word before it (`Rue`, `Via`, `San`) or right after it
    /// (`Street`, `tér`), a number before it on the same line, or a house
    /// number right after it (`Rijksweg 145`).
    fn in_address(&self, text: &str, words: &[Word], first: usize, end: usize) -> bool {
        let lex = self.lexicon;
        let (head, tail) = (&words[first], &words[end - 1]);
        if lex
            .address_before
            .contains(head.lower.trim_end_matches('.'))
            || words[first..end].iter().any(|w| self.is_address_word(w))
        {
            return true;
        }
        if let Some(previous) = first.checked_sub(1).and_then(|i| words.get(i)) {
            let gap = text.get(previous.end..head.start).unwrap_or("");
            if (gap == " " || gap == ". ") && lex.address_before.contains(&previous.lower) {
                return true;
            }
        }
        if let Some(next) = words.get(end) {
            let gap = text.get(tail.end..next.start).unwrap_or("");
            if gap == " " && !tail.possessive && self.is_address_word(next) {
                return true;
            }
        }
        after_number(text, head.start) || before_house_number(text, tail.end)
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
        // Sentence openers and greetings ("The", "Hello") are dropped; a
        // generic word dropped ("Customer", "North") makes an ambiguous
        // name after it too weak ("North American Van Lines").
        let mut after_generic = false;
        while a < b && self.is_stop_or_generic(&seq[a]) {
            after_generic |= lex.generic.contains(&seq[a].lower);
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
        // A street or organisation word anywhere after the first word
        // makes the whole sequence an address or an organisation
        // ("Marlin Alter And Associates").
        if seq[a + 1..]
            .iter()
            .any(|w| w.case != Case::Lower && (self.is_address_word(w) || self.is_org_word(w)))
        {
            return None;
        }
        if let Some(cut) = seq[a..b]
            .iter()
            .position(|w| w.case != Case::Lower && self.is_stop_or_generic(w))
        {
            b = a + cut;
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
        let (head, tail) = (&seq[a], &seq[b - 1]);
        if !tail.possessive {
            let after = text.get(tail.end..).unwrap_or("");
            if after.starts_with(" & ") {
                return None;
            }
            if let Some(next) = words.get(first + b) {
                let gap = text.get(tail.end..next.start).unwrap_or("");
                let capital = next.text.chars().next().is_some_and(char::is_uppercase);
                if gap == " " && capital && self.is_org_word(next) {
                    return None;
                }
            }
        }
        if !honorific && self.in_address(text, words, first + a, first + b) {
            return None;
        }
        let span = (head.start, self.name_end(text, words, first + b - 1));
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
        if self.is_ambiguous(head) && (!followed || after_generic) {
            return None;
        }
        Some(span)
    }

    /// The end of a name whose last word is `words[last]`, taking in a
    /// generational or professional suffix after it (`Jr.`, `III`, `PhD`,
    /// `MD`), with its full stop.
    fn name_end(&self, text: &str, words: &[Word], last: usize) -> usize {
        let tail = &words[last];
        let mut end = tail.end;
        let mut suffix = NAME_SUFFIXES.contains(&tail.lower.as_ref());
        if !tail.possessive && !suffix {
            if let Some(next) = words.get(last + 1) {
                let gap = text.get(tail.end..next.start).unwrap_or("");
                if (gap == " " || gap == ", ") && NAME_SUFFIXES.contains(&next.lower.as_ref()) {
                    end = next.end;
                    suffix = true;
                }
            }
        }
        if suffix && text.get(end..).is_some_and(|rest| rest.starts_with('.')) {
            end += 1;
        }
        end
    }

    /// Lower-case text: known, unambiguous given names, a word after a strong
    /// cue or an honorific, each with the next word as its surname when that
    /// is not a stop, generic or ambiguous word.
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
            let after_honorific = k.checked_sub(1).is_some_and(|p| {
                let gap = text.get(words[p].end..w.start).unwrap_or("");
                (gap == " " || gap == ". ") && self.is_honorific(&words[p])
            });
            let accepted = usable(w)
                && (after_honorific
                    || strong_cue(text, w.start)
                    || (self.is_given(w) && !self.is_ambiguous(w)))
                && !self.in_address(text, words, k, k + 1);
            if !accepted {
                k += 1;
                continue;
            }
            let mut last = k;
            let org_follows = words.get(k + 1).is_some_and(|next| {
                text.get(w.end..next.start) == Some(" ")
                    && self.is_org_word(next)
                    && !lex.stop.contains(&next.lower)
            });
            if org_follows {
                k += 1;
                continue;
            }
            if let Some(next) = words.get(k + 1) {
                let gap = text.get(w.end..next.start).unwrap_or("");
                // The next word is taken as the surname unless it is a
                // stop, generic or ambiguous word: leaving a surname
                // unredacted is worse than masking one word too many.
                if !w.possessive && gap == " " && usable(next) && !self.is_ambiguous(next) {
                    last = k + 1;
                }
            }
            out.push(Finding::new(
                EntityType::Person,
                w.start,
                self.name_end(text, words, last),
            ));
            k = last + 1;
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
    fn places_streets_and_firms_named_after_people_are_not_people() {
        assert!(found("flights to the Marshall Islands and São Paulo").is_empty());
        assert!(found("on Calle San Sebastián, near Saint Lucia").is_empty());
        assert!(found("H. J. Wilson & Company").is_empty());
        assert!(found("Robert Bosch And Associates").is_empty());
        assert!(found("at Paul-Nevermann-Platz or Dirk de Derdelaan").is_empty());
        assert!(found("Send it to Kurt Schumacherstraße").is_empty());
        assert!(found("deliver to Margaret 145, Ede").is_empty());
        assert!(found("North American Van Lines").is_empty());
    }

    #[test]
    fn suffixes_belong_to_the_name_and_honorifics_do_not() {
        assert_eq!(
            found("directed by Keith Bult Jr. and others"),
            vec!["Keith Bult Jr."]
        );
        assert_eq!(
            found("see Andrew Turcotte MD, today"),
            vec!["Andrew Turcotte MD"]
        );
        assert_eq!(
            found("to Mrs. Stephanie Zamida PhD"),
            vec!["Stephanie Zamida PhD"]
        );
    }

    #[test]
    fn lower_case_text_uses_the_lists() {
        assert_eq!(
            found("william had given natalia his address"),
            vec!["william", "natalia"]
        );
        assert_eq!(found("my name is zyxwa"), vec!["zyxwa"]);
        assert!(found("i will mark it as done").is_empty());
        assert_eq!(
            found("hello, this is mr. chad farmer."),
            vec!["chad farmer"]
        );
        assert!(found("46 via raffaele 74").is_empty());
        assert!(found("excuse me, sir bot, and davis ltd. too").is_empty());
    }
}
