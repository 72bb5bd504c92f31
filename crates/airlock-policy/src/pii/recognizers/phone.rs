//! Telephone numbers: international (`+44 20 7946 0958`, `+1-555-123-4567`),
//! North American (`(555) 123-4567`, `555-123-4567`, `555.123.4567`,
//! optionally with `1-`/`001-` and an extension `x123`), and the grouped
//! national styles of the UK and Europe (`020 7946 0958`, `06-12345678`,
//! `01.23.45.67.89`, `(030) 1234 5678`).
//!
//! Digit counts are bounded (7 to 15, E.164's maximum, extensions aside).
//! Shapes that are just as often something else need a context word
//! ("phone", "call", "mobile", "fax", ...) nearby: a solid run of digits,
//! two groups (`9885 1152`), seven digits, or thousands-like groups
//! (`1 000 000`). Dates (`2024-05-01`, `01.05.2024`) and runs of years are
//! never phone numbers; card numbers and IBANs are longer than the bound
//! and are resolved against their own recognizers anyway.

use super::{compile, Recognizer};
use crate::pii::entity::EntityType;
use crate::pii::finding::Finding;
use crate::pii::text::{has_context, stands_alone};
use airlock_core::Result;
use regex::Regex;

const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;
/// How far around a weak-shaped number the context words are looked for.
const CONTEXT_BEFORE: usize = 40;
const CONTEXT_AFTER: usize = 20;

/// An optional extension: ` x123`, `ext. 123`, `extension 123`.
const EXTENSION: &str = r"(?:[ ]?(?i:x|ext\.?|extension)[ ]?[0-9]{1,6})?";

pub(crate) struct PhoneRecognizer {
    international: Regex,
    north_american: Regex,
    grouped: Regex,
    solid: Regex,
    extension: Regex,
    context: Regex,
}

impl PhoneRecognizer {
    pub(crate) fn new() -> Result<Self> {
        Ok(PhoneRecognizer {
            international: compile(&format!(
                r"\+[0-9]{{1,3}}(?:[ .-]?(?:\([0-9]{{1,4}}\)|[0-9]{{1,5}})){{1,6}}{EXTENSION}"
            ))?,
            north_american: compile(&format!(
                r"(?:(?:\+?1|001)[ .-]?)?(?:\([0-9]{{3}}\) ?|[0-9]{{3}}[ .-])[0-9]{{3}}[ .-][0-9]{{4}}{EXTENSION}"
            ))?,
            grouped: compile(&format!(
                r"(?:\([0-9]{{1,5}}\) ?)?[0-9]{{1,5}}(?:[ .-][0-9]{{2,8}}){{1,6}}{EXTENSION}"
            ))?,
            solid: compile(r"[0-9]{7,15}")?,
            extension: compile(r"(?i)[ ]?(?:x|ext\.?|extension)[ ]?[0-9]{1,6}$")?,
            context: compile(
                r"(?i)\b(?:phone|phones|telephone|tel|tél|call|calling|called|mobile|mob|cell|cellphone|fax|office|landline|whatsapp|sms|text me|reach me|reach us|reach you|dial|hotline|helpline|telefon|telefono|teléfono|téléphone|handy)\b",
            )?,
        })
    }
}

/// How convincing a candidate's shape is on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A phone number whatever the words around it.
    Strong,
    /// A phone number only with a context word nearby.
    Weak,
    /// Not a phone number (a date, a list of years, too few or many digits).
    Not,
}

/// The digit groups of a grouped candidate (parentheses and separators
/// removed), without its extension.
fn groups(body: &str) -> Vec<&str> {
    body.split([' ', '.', '-', '(', ')'])
        .filter(|g| !g.is_empty())
        .collect()
}

fn is_year(group: &str) -> bool {
    group.len() == 4 && (group.starts_with("19") || group.starts_with("20"))
}

fn number(group: &str) -> u32 {
    group
        .bytes()
        .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
}

/// `2024-05-01`, `01.05.2024`, `5-1-2024`: three groups that read as a date.
fn is_date(groups: &[&str]) -> bool {
    let small = |g: &&str| g.len() <= 2 && (1..=31).contains(&number(g));
    match groups {
        [y, m, d] if is_year(y) => small(m) && small(d),
        [d, m, y] if is_year(y) || y.len() == 2 => small(d) && small(m),
        _ => false,
    }
}

/// `1 000 000`, `12.500.000`: one to three digits, then groups of three.
fn is_thousands(groups: &[&str]) -> bool {
    groups.len() >= 2
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
}

/// The shape of a grouped national-style candidate (no `+`, not the
/// North American 3-3-4 layout, which is always strong).
pub(crate) fn grouped_shape(body: &str) -> Shape {
    let groups = groups(body);
    let digits: usize = groups.iter().map(|g| g.len()).sum();
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits)
        || is_date(&groups)
        || groups.iter().all(|g| is_year(g))
    {
        return Shape::Not;
    }
    let parenthesised = body.starts_with('(');
    let trunk_prefixed = body.trim_start_matches('(').starts_with('0');
    // Only spaces or dots group thousands; `(88) 684-334` is no amount.
    let amount_like = !body.contains(['(', '-']) && is_thousands(&groups);
    if amount_like {
        Shape::Weak
    } else if (parenthesised && digits >= 8)
        || (trunk_prefixed && digits >= 9)
        || (groups.len() >= 3 && digits >= 8)
    {
        Shape::Strong
    } else {
        Shape::Weak
    }
}

impl PhoneRecognizer {
    /// The candidate without its extension, for counting digits.
    fn body<'t>(&self, candidate: &'t str) -> &'t str {
        match self.extension.find(candidate) {
            Some(m) => &candidate[..m.start()],
            None => candidate,
        }
    }

    fn accept(&self, text: &str, start: usize, end: usize, shape: Shape) -> bool {
        match shape {
            Shape::Strong => stands_alone(text, start, end),
            Shape::Weak => {
                stands_alone(text, start, end)
                    && has_context(
                        text,
                        start,
                        end,
                        &self.context,
                        CONTEXT_BEFORE,
                        CONTEXT_AFTER,
                    )
            }
            Shape::Not => false,
        }
    }
}

impl Recognizer for PhoneRecognizer {
    fn entity(&self) -> EntityType {
        EntityType::Phone
    }

    fn find(&self, text: &str, out: &mut Vec<Finding>) {
        let mut push =
            |start: usize, end: usize| out.push(Finding::new(EntityType::Phone, start, end));
        for m in self.international.find_iter(text) {
            let digits = self
                .body(m.as_str())
                .bytes()
                .filter(u8::is_ascii_digit)
                .count();
            let shape = if (8..=MAX_DIGITS).contains(&digits) {
                Shape::Strong
            } else {
                Shape::Not
            };
            if self.accept(text, m.start(), m.end(), shape) {
                push(m.start(), m.end());
            }
        }
        for m in self.north_american.find_iter(text) {
            if self.accept(text, m.start(), m.end(), Shape::Strong) {
                push(m.start(), m.end());
            }
        }
        for m in self.grouped.find_iter(text) {
            let shape = grouped_shape(self.body(m.as_str()));
            if self.accept(text, m.start(), m.end(), shape) {
                push(m.start(), m.end());
            }
        }
        for m in self.solid.find_iter(text) {
            if self.accept(text, m.start(), m.end(), Shape::Weak) {
                push(m.start(), m.end());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::finding::resolve_overlaps;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        PhoneRecognizer::new().map(|r| r.find(text, &mut out)).ok();
        resolve_overlaps(out).iter().map(|f| f.text(text)).collect()
    }

    #[test]
    fn north_american_formats() {
        for number in [
            "(555) 123-4567",
            "555-123-4567",
            "555.123.4567",
            "(555)123-4567",
            "1-555-123-4567",
        ] {
            assert_eq!(found(&format!("at {number} today")), vec![number]);
        }
        assert_eq!(
            found("desk 555-123-4567x89, thanks"),
            vec!["555-123-4567x89"]
        );
        assert_eq!(
            found("or 001-555-123-4567 ext. 12"),
            vec!["001-555-123-4567 ext. 12"]
        );
    }

    #[test]
    fn international_and_european_formats() {
        assert_eq!(found("ring +44 20 7946 0958."), vec!["+44 20 7946 0958"]);
        assert_eq!(found("+33 1 23 45 67 89"), vec!["+33 1 23 45 67 89"]);
        assert_eq!(found("+49 (0)30 1234 5678"), vec!["+49 (0)30 1234 5678"]);
        assert_eq!(found("UK 020 7946 0958"), vec!["020 7946 0958"]);
        assert_eq!(found("NL 06-12345678"), vec!["06-12345678"]);
        assert_eq!(found("FR 01.23.45.67.89"), vec!["01.23.45.67.89"]);
        assert_eq!(found("DE (030) 1234 5678"), vec!["(030) 1234 5678"]);
    }

    #[test]
    fn weak_shapes_need_context() {
        assert!(found("order 1234567 shipped").is_empty());
        assert_eq!(found("call me on 5551234567"), vec!["5551234567"]);
        assert!(found("ref 9885 1152").is_empty());
        assert_eq!(found("9885 1152 (mobile)"), vec!["9885 1152"]);
        assert!(found("we raised 1 500 000 this year").is_empty());
    }

    #[test]
    fn dates_years_cards_and_short_numbers_are_not_phones() {
        assert!(found("on 2024-05-01 at 10:30").is_empty());
        assert!(found("on 01.05.2024, phone me").is_empty());
        assert!(found("in 1999 2000 2001").is_empty());
        assert!(found("PIN 1234, room 12 34").is_empty());
        assert!(found("4111 1111 1111 1111").is_empty());
    }

    #[test]
    fn shapes() {
        assert_eq!(grouped_shape("020 7946 0958"), Shape::Strong);
        assert_eq!(grouped_shape("88 165 40 96"), Shape::Strong);
        assert_eq!(grouped_shape("785 8949"), Shape::Weak);
        assert_eq!(grouped_shape("322 327 102"), Shape::Weak);
        assert_eq!(grouped_shape("(88) 684-334"), Shape::Strong);
        assert_eq!(grouped_shape("12-05-2023"), Shape::Not);
        assert_eq!(grouped_shape("12 34"), Shape::Not);
    }
}
