//! E-mail addresses: a local part, `@`, and a domain of at least two
//! labels whose last one (the TLD) is letters only. Unicode letters are
//! accepted on both sides (internationalised addresses).

use super::{compile, Recognizer};
use crate::pii::entity::EntityType;
use crate::pii::finding::Finding;
use crate::pii::text::stands_alone;
use airlock_core::Result;
use regex::Regex;

pub(crate) struct EmailRecognizer {
    candidate: Regex,
}

impl EmailRecognizer {
    pub(crate) fn new() -> Result<Self> {
        Ok(EmailRecognizer {
            candidate: compile(
                r"[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}",
            )?,
        })
    }
}

impl Recognizer for EmailRecognizer {
    fn entity(&self) -> EntityType {
        EntityType::Email
    }

    fn find(&self, text: &str, out: &mut Vec<Finding>) {
        // The pattern's Unicode classes make a full scan costly; most texts
        // have no `@` at all.
        if !text.contains('@') {
            return;
        }
        for m in self.candidate.find_iter(text) {
            // A leading apostrophe or similar is quoting, not address.
            let value = m.as_str();
            let trimmed = value.trim_start_matches(['\'', '`', '{', '|', '}', '~']);
            let start = m.start() + (value.len() - trimmed.len());
            if stands_alone(text, start, m.end()) {
                out.push(Finding::new(EntityType::Email, start, m.end()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        EmailRecognizer::new().map(|r| r.find(text, &mut out)).ok();
        out.iter().map(|f| f.text(text)).collect()
    }

    #[test]
    fn finds_addresses_and_not_the_sentence_dot() {
        assert_eq!(
            found("Mail jane.doe+x@example.co.uk."),
            vec!["jane.doe+x@example.co.uk"]
        );
        assert_eq!(found("'bob@example.com'"), vec!["bob@example.com"]);
        assert_eq!(found("josé@correo.es"), vec!["josé@correo.es"]);
        assert!(found("not an address: a@b, user@localhost").is_empty());
    }
}
