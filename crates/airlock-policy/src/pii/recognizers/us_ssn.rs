//! US Social Security numbers: `AAA-GG-SSSS`, also with spaces or dots,
//! and nine solid digits only when "SSN" or "social security" is written
//! just before. Numbers the SSA never issues are rejected: area 000, 666
//! or 900-999, group 00, serial 0000.

use super::{compile, Recognizer};
use crate::pii::entity::EntityType;
use crate::pii::finding::Finding;
use crate::pii::text::{digits, has_context, stands_alone};
use airlock_core::Result;
use regex::Regex;

/// How far before a solid nine-digit number the context words are looked for.
const CONTEXT_BEFORE: usize = 40;

pub(crate) struct UsSsnRecognizer {
    delimited: Regex,
    solid: Regex,
    context: Regex,
}

impl UsSsnRecognizer {
    pub(crate) fn new() -> Result<Self> {
        Ok(UsSsnRecognizer {
            // No back-references in `regex`: one alternative per separator.
            delimited: compile(
                r"[0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{3} [0-9]{2} [0-9]{4}|[0-9]{3}\.[0-9]{2}\.[0-9]{4}",
            )?,
            solid: compile(r"[0-9]{9}")?,
            context: compile(
                r"(?i)\b(?:ssn|ss#|ssns|social security|social sec\.?|sozialversicherungsnummer)",
            )?,
        })
    }
}

/// Whether the nine digits could be an issued SSN.
pub(crate) fn ssn_number_valid(nine: &[u8]) -> bool {
    if nine.len() != 9 {
        return false;
    }
    let area = u32::from(nine[0]) * 100 + u32::from(nine[1]) * 10 + u32::from(nine[2]);
    let group = u32::from(nine[3]) * 10 + u32::from(nine[4]);
    let serial = nine[5..]
        .iter()
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

impl Recognizer for UsSsnRecognizer {
    fn entity(&self) -> EntityType {
        EntityType::UsSsn
    }

    fn find(&self, text: &str, out: &mut Vec<Finding>) {
        for m in self.delimited.find_iter(text) {
            if ssn_number_valid(&digits(m.as_str())) && stands_alone(text, m.start(), m.end()) {
                out.push(Finding::new(EntityType::UsSsn, m.start(), m.end()));
            }
        }
        for m in self.solid.find_iter(text) {
            if ssn_number_valid(&digits(m.as_str()))
                && stands_alone(text, m.start(), m.end())
                && has_context(text, m.start(), m.end(), &self.context, CONTEXT_BEFORE, 0)
            {
                out.push(Finding::new(EntityType::UsSsn, m.start(), m.end()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        UsSsnRecognizer::new().map(|r| r.find(text, &mut out)).ok();
        out.iter().map(|f| f.text(text)).collect()
    }

    #[test]
    fn delimited_forms() {
        assert_eq!(found("SSN 123-45-6789."), vec!["123-45-6789"]);
        assert_eq!(found("it is 123 45 6789"), vec!["123 45 6789"]);
        assert_eq!(found("it is 123.45.6789"), vec!["123.45.6789"]);
        assert!(found("123-45.6789").is_empty());
    }

    #[test]
    fn never_issued_numbers_are_rejected() {
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "999-12-3456",
            "123-00-4567",
            "123-45-0000",
        ] {
            assert!(found(bad).is_empty(), "{bad}");
        }
        assert_eq!(found("899-01-0001"), vec!["899-01-0001"]);
    }

    #[test]
    fn solid_digits_need_the_context_word() {
        assert_eq!(found("my SSN is 123456789"), vec!["123456789"]);
        assert_eq!(
            found("Social Security number: 123456789"),
            vec!["123456789"]
        );
        assert!(found("order 123456789 shipped").is_empty());
        assert!(found("my SSN is 1234567890").is_empty());
    }
}
