//! Payment card numbers (PANs): 13 to 19 digits, written solid or in
//! groups separated by one kind of separator (space or dash), that pass
//! the Luhn check and start with a known issuer prefix whose lengths fit.

use super::{compile, Recognizer};
use crate::pii::entity::EntityType;
use crate::pii::finding::Finding;
use crate::pii::text::stands_alone;
use airlock_core::Result;
use regex::Regex;

pub(crate) struct PaymentCardRecognizer {
    candidate: Regex,
}

impl PaymentCardRecognizer {
    pub(crate) fn new() -> Result<Self> {
        Ok(PaymentCardRecognizer {
            // Digit groups joined by single spaces or dashes; which groups
            // form a card is decided in code.
            candidate: compile(r"[0-9]{1,19}(?:[ -][0-9]{1,19})*")?,
        })
    }
}

/// The Luhn (mod 10) check every payment card number carries. Hand-written:
/// it is six lines, and a crate would add a dependency for no gain.
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Issuer identification number ranges (first digits) and the lengths the
/// issuer uses: Visa, Mastercard, American Express, Discover, Diners Club,
/// JCB, UnionPay, Maestro, Mir, RuPay, Verve, Troy.
const ISSUERS: &[(u32, u32, u8, &[usize])] = &[
    // (low, high, prefix digits, lengths)
    (4, 4, 1, &[13, 16, 19]),                       // Visa
    (51, 55, 2, &[16]),                             // Mastercard
    (2221, 2720, 4, &[16]),                         // Mastercard 2-series
    (34, 34, 2, &[15]),                             // American Express
    (37, 37, 2, &[15]),                             // American Express
    (6011, 6011, 4, &[16, 17, 18, 19]),             // Discover
    (644, 649, 3, &[16, 17, 18, 19]),               // Discover
    (65, 65, 2, &[16, 17, 18, 19]),                 // Discover, RuPay
    (300, 305, 3, &[14, 15, 16, 17, 18, 19]),       // Diners Club
    (3095, 3095, 4, &[14, 15, 16, 17, 18, 19]),     // Diners Club
    (36, 36, 2, &[14, 15, 16, 17, 18, 19]),         // Diners Club
    (38, 39, 2, &[14, 15, 16, 17, 18, 19]),         // Diners Club
    (3528, 3589, 4, &[16, 17, 18, 19]),             // JCB
    (62, 62, 2, &[16, 17, 18, 19]),                 // UnionPay
    (50, 50, 2, &[13, 14, 15, 16, 17, 18, 19]),     // Maestro
    (56, 58, 2, &[13, 14, 15, 16, 17, 18, 19]),     // Maestro
    (639, 639, 3, &[13, 14, 15, 16, 17, 18, 19]),   // Maestro
    (6759, 6759, 4, &[13, 14, 15, 16, 17, 18, 19]), // Maestro UK
    (67, 67, 2, &[13, 14, 15, 16, 17, 18, 19]),     // Maestro
    (2200, 2204, 4, &[16, 17, 18, 19]),             // Mir
    (60, 60, 2, &[16]),                             // RuPay
    (81, 82, 2, &[16]),                             // RuPay
    (508, 508, 3, &[16]),                           // RuPay
    (5060, 5061, 4, &[16, 18, 19]),                 // Verve
    (9792, 9792, 4, &[16]),                         // Troy
];

/// Whether `digits` start with a known issuer prefix that issues numbers
/// of this length.
pub(crate) fn known_issuer(digits: &[u8]) -> bool {
    ISSUERS.iter().any(|&(low, high, width, lengths)| {
        let width = usize::from(width);
        digits.len() >= width && lengths.contains(&digits.len()) && {
            let prefix = digits[..width]
                .iter()
                .fold(0u32, |acc, &d| acc * 10 + u32::from(d));
            (low..=high).contains(&prefix)
        }
    })
}

/// The most groups an allowed layout has (4-4-4-4-3).
const MAX_GROUPS: usize = 5;

/// How a card number may be grouped: solid, groups of four (the last one
/// shorter), or the 4-6-5 / 4-6-4 layout of American Express and Diners.
fn grouping_allowed(groups: &[&str]) -> bool {
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    match lengths.as_slice() {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [rest @ .., last] => rest.iter().all(|&l| l == 4) && (1..=4).contains(last),
        [] => false,
    }
}

/// Whether these digit groups, taken together, are a card number.
fn is_card(groups: &[&str]) -> bool {
    let digits: Vec<u8> = groups
        .iter()
        .flat_map(|g| g.bytes().map(|b| b - b'0'))
        .collect();
    (13..=19).contains(&digits.len())
        && grouping_allowed(groups)
        && known_issuer(&digits)
        && luhn_valid(&digits)
}

impl Recognizer for PaymentCardRecognizer {
    fn entity(&self) -> EntityType {
        EntityType::PaymentCard
    }

    fn find(&self, text: &str, out: &mut Vec<Finding>) {
        for m in self.candidate.find_iter(text) {
            let run = m.as_str();
            if run.len() < 13 {
                continue;
            }
            // Groups and their byte offsets within the run; a run may hold
            // a card plus neighbouring numbers, or two kinds of separator.
            let mut groups: Vec<(usize, &str)> = Vec::new();
            let mut offset = 0;
            for piece in run.split([' ', '-']) {
                groups.push((offset, piece));
                offset += piece.len() + 1;
            }
            let mut first = 0;
            while first < groups.len() {
                let mut found = None;
                // The longest run of groups starting at `first` that is a
                // card; no allowed layout has more than five groups.
                let last_possible = (first + MAX_GROUPS - 1).min(groups.len() - 1);
                for last in (first..=last_possible).rev() {
                    let slice: Vec<&str> = groups[first..=last].iter().map(|g| g.1).collect();
                    let start = m.start() + groups[first].0;
                    let end = m.start() + groups[last].0 + groups[last].1.len();
                    let separators_agree = text
                        .get(start..end)
                        .map(|s| !(s.contains(' ') && s.contains('-')))
                        .unwrap_or(false);
                    if separators_agree && is_card(&slice) && stands_alone(text, start, end) {
                        found = Some((last, start, end));
                        break;
                    }
                }
                match found {
                    Some((last, start, end)) => {
                        out.push(Finding::new(EntityType::PaymentCard, start, end));
                        first = last + 1;
                    }
                    None => first += 1,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        PaymentCardRecognizer::new()
            .map(|r| r.find(text, &mut out))
            .ok();
        out.iter().map(|f| f.text(text)).collect()
    }

    #[test]
    fn luhn_accepts_valid_and_rejects_one_digit_off() {
        let valid = crate::pii::text::digits("4111 1111 1111 1111");
        assert!(luhn_valid(&valid));
        let invalid = crate::pii::text::digits("4111 1111 1111 1112");
        assert!(!luhn_valid(&invalid));
        assert!(luhn_valid(&crate::pii::text::digits("79927398713")));
        assert!(!luhn_valid(&[]));
    }

    #[test]
    fn grouped_and_solid_cards_are_found() {
        assert_eq!(found("card 4111111111111111."), vec!["4111111111111111"]);
        assert_eq!(
            found("card 4111 1111 1111 1111 ok"),
            vec!["4111 1111 1111 1111"]
        );
        assert_eq!(found("amex 3782-822463-10005"), vec!["3782-822463-10005"]);
        assert_eq!(
            found("mc 5555-5555-5555-4444, visa"),
            vec!["5555-5555-5555-4444"]
        );
    }

    #[test]
    fn a_card_inside_a_longer_run_is_still_found() {
        assert_eq!(
            found("4111 1111 1111 1111 2024"),
            vec!["4111 1111 1111 1111"]
        );
    }

    #[test]
    fn luhn_invalid_unknown_issuer_or_mixed_separators_are_not_cards() {
        assert!(found("4111111111111112").is_empty());
        // Luhn-valid, 16 digits, but 9 is no issuer prefix of that length.
        assert!(found("9111111111111119").is_empty());
        assert!(found("4111 1111-1111 1111").is_empty());
        // Part of a longer number.
        assert!(found("04111111111111111").is_empty());
    }
}
