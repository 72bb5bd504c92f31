//! International bank account numbers: a country code, two check digits
//! and the country's BBAN, electronic (`GB82WEST12345698765432`) or printed
//! in groups of four (`GB82 WEST 1234 5698 7654 32`), in any letter case.
//!
//! Validation is the `iban_validate` crate's: the ISO 13616 mod-97 check
//! plus the per-country length and BBAN layout from the SWIFT registry.

use super::{compile, Recognizer};
use crate::pii::entity::EntityType;
use crate::pii::finding::Finding;
use crate::pii::text::stands_alone;
use airlock_core::Result;
use iban::Iban;
use regex::Regex;

/// The shortest IBAN (Norway) and the longest (Russia) in characters.
const MIN_LEN: usize = 15;
const MAX_LEN: usize = 34;

pub(crate) struct IbanRecognizer {
    candidate: Regex,
}

impl IbanRecognizer {
    pub(crate) fn new() -> Result<Self> {
        Ok(IbanRecognizer {
            candidate: compile(r"(?i)[a-z]{2}[0-9]{2}(?: ?[a-z0-9]){11,30}")?,
        })
    }
}

/// Whether `compact` (upper case, no spaces) is a valid IBAN.
pub(crate) fn iban_valid(compact: &str) -> bool {
    compact.parse::<Iban>().is_ok()
}

/// The longest valid IBAN at the start of `candidate`, as a byte length.
///
/// A printed IBAN is followed by more words, so the candidate may run on
/// into them ("... 7654 32 is mine" takes "is" as a group); shorter prefixes
/// that end at a group boundary are tried, longest first. Spaces must fall
/// every four characters, as in the printed form.
fn longest_valid_prefix(candidate: &str) -> Option<usize> {
    let mut compact = String::with_capacity(MAX_LEN);
    // (byte end in candidate, ends at a group boundary)
    let mut ends: Vec<(usize, bool)> = Vec::with_capacity(MAX_LEN);
    let bytes = candidate.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b' ' {
            if !compact.len().is_multiple_of(4) {
                break;
            }
            continue;
        }
        compact.push(char::from(b.to_ascii_uppercase()));
        let boundary = bytes.get(i + 1).is_none_or(|&n| n == b' ');
        ends.push((i + 1, boundary));
        if compact.len() == MAX_LEN {
            break;
        }
    }
    (MIN_LEN..=ends.len()).rev().find_map(|len| {
        let (end, boundary) = ends[len - 1];
        (boundary && iban_valid(&compact[..len])).then_some(end)
    })
}

impl Recognizer for IbanRecognizer {
    fn entity(&self) -> EntityType {
        EntityType::Iban
    }

    fn find(&self, text: &str, out: &mut Vec<Finding>) {
        // A candidate may run on past its IBAN into the next one ("GB82 ...
        // 32 or FR14 ..."), so the search resumes right after each IBAN
        // found, or one character after a candidate that holds none.
        let mut at = 0;
        while let Some(m) = self.candidate.find_at(text, at) {
            let valid = longest_valid_prefix(m.as_str())
                .map(|len| m.start() + len)
                .filter(|&end| stands_alone(text, m.start(), end));
            match valid {
                Some(end) => {
                    out.push(Finding::new(EntityType::Iban, m.start(), end));
                    at = end;
                }
                // Candidates start with an ASCII letter, one byte long.
                None => at = m.start() + 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        IbanRecognizer::new().map(|r| r.find(text, &mut out)).ok();
        out.iter().map(|f| f.text(text)).collect()
    }

    #[test]
    fn mod_97_decides() {
        assert!(iban_valid("GB82WEST12345698765432"));
        // One digit changed: the check digits no longer fit.
        assert!(!iban_valid("GB82WEST12345698765433"));
        // Right checksum arithmetic needs the right length for the country.
        assert!(!iban_valid("GB82WEST1234569876543"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(iban_valid("NO9386011117947"));
    }

    #[test]
    fn electronic_printed_and_lower_case_forms() {
        assert_eq!(
            found("IBAN GB82WEST12345698765432."),
            vec!["GB82WEST12345698765432"]
        );
        assert_eq!(
            found("to GB82 WEST 1234 5698 7654 32 is mine"),
            vec!["GB82 WEST 1234 5698 7654 32"]
        );
        assert_eq!(
            found("iban de89370400440532013000"),
            vec!["de89370400440532013000"]
        );
        assert_eq!(
            found("GB82 WEST 1234 5698 7654 32 or fr1420041010050500013m02606."),
            vec!["GB82 WEST 1234 5698 7654 32", "fr1420041010050500013m02606"]
        );
        assert_eq!(
            found("DE89 3704 0044 0532 0130 00 and more"),
            vec!["DE89 3704 0044 0532 0130 00"]
        );
    }

    #[test]
    fn invalid_or_glued_candidates_are_not_ibans() {
        assert!(found("GB82WEST12345698765433").is_empty());
        assert!(found("XGB82WEST12345698765432").is_empty());
        assert!(found("GB82 WE ST12 3456 9876 5432").is_empty());
    }
}
