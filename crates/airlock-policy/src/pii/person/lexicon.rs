//! The word lists the person recognizer consults, compiled into the binary
//! from `lexicon/*.txt` and loaded once per process into hash sets.
//!
//! Sources (see each file's header): given names and surnames from the
//! 1990 U.S. Census name files (public domain), plus lists written by hand
//! for Airlock: given names and surnames from other countries, stop words,
//! generic capitalised words, ambiguous given names, product and company
//! names, honorifics, organisation words and street words.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Lower-case words of one list.
pub(crate) struct WordSet(HashSet<String>);

impl WordSet {
    fn parse(sources: &[&str]) -> WordSet {
        WordSet(
            sources
                .iter()
                .flat_map(|s| s.lines())
                .filter(|l| !l.trim_start().starts_with('#') && !l.trim_start().starts_with('['))
                .flat_map(str::split_whitespace)
                .map(str::to_lowercase)
                .collect(),
        )
    }

    /// Whether `lower` (already lower-cased) is in the list.
    pub(crate) fn contains(&self, lower: &str) -> bool {
        self.0.contains(lower)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// The section of `source` after the line `[name]` up to the next section.
fn section<'s>(source: &'s str, name: &str) -> &'s str {
    let header = format!("[{name}]");
    let Some(at) = source.find(&header) else {
        return "";
    };
    let rest = &source[at + header.len()..];
    match rest.find("\n[") {
        Some(end) => &rest[..end],
        None => rest,
    }
}

pub(crate) struct Lexicon {
    pub(crate) given: WordSet,
    pub(crate) surnames: WordSet,
    pub(crate) ambiguous: WordSet,
    pub(crate) not_person: WordSet,
    pub(crate) stop: WordSet,
    pub(crate) generic: WordSet,
    pub(crate) honorifics: WordSet,
    pub(crate) org: WordSet,
    pub(crate) address_after: WordSet,
    pub(crate) address_before: WordSet,
}

const CENSUS_GIVEN: &str = include_str!("lexicon/census_given_names.txt");
const CENSUS_SURNAMES: &str = include_str!("lexicon/census_surnames.txt");
const WORLD_GIVEN: &str = include_str!("lexicon/world_given_names.txt");
const WORLD_SURNAMES: &str = include_str!("lexicon/world_surnames.txt");
const AMBIGUOUS: &str = include_str!("lexicon/ambiguous_given_names.txt");
const NOT_PERSON: &str = include_str!("lexicon/not_person_names.txt");
const STOP: &str = include_str!("lexicon/stop_words.txt");
const GENERIC: &str = include_str!("lexicon/generic_words.txt");
const HONORIFICS: &str = include_str!("lexicon/honorifics.txt");
const ORG: &str = include_str!("lexicon/org_words.txt");
const ADDRESS: &str = include_str!("lexicon/address_words.txt");

/// Name particles written in lower case inside a name ("van der Berg",
/// "da Silva", "bin Rashid").
pub(crate) const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "degli", "di", "da", "do", "dos", "das",
    "du", "la", "le", "ter", "ten", "te", "bin", "ibn", "binti", "al", "el", "y", "zu", "af", "av",
];

pub(crate) static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon {
    given: WordSet::parse(&[CENSUS_GIVEN, WORLD_GIVEN]),
    surnames: WordSet::parse(&[CENSUS_SURNAMES, WORLD_SURNAMES]),
    ambiguous: WordSet::parse(&[AMBIGUOUS]),
    not_person: WordSet::parse(&[NOT_PERSON]),
    stop: WordSet::parse(&[STOP]),
    generic: WordSet::parse(&[GENERIC]),
    honorifics: WordSet::parse(&[HONORIFICS]),
    org: WordSet::parse(&[ORG]),
    address_after: WordSet::parse(&[section(ADDRESS, "after")]),
    address_before: WordSet::parse(&[section(ADDRESS, "before")]),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load_with_their_sizes() {
        let l = &*LEXICON;
        assert!(l.given.len() > 4000, "{}", l.given.len());
        assert!(l.surnames.len() > 10000);
        assert!(l.given.contains("mary") && l.given.contains("søren"));
        assert!(l.surnames.contains("smith") && l.surnames.contains("kowalski"));
        assert!(l.address_after.contains("street") && !l.address_after.contains("rue"));
        assert!(l.address_before.contains("rue") && !l.address_before.contains("street"));
        assert!(l.stop.contains("the") && !l.stop.contains("#"));
        assert!(l.honorifics.contains("mr"));
    }
}
