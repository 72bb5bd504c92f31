//! Small text helpers the recognizers share: windows around a match that
//! respect UTF-8 boundaries, and whether a match stands alone (is not a
//! piece of a longer number or word).
//!
//! The `regex` crate has no look-around, so "not preceded by a digit" and
//! similar conditions are checked here, on the matched offsets.

use regex::Regex;

/// The largest char boundary of `text` at or below `index`.
pub(crate) fn floor_boundary(text: &str, index: usize) -> usize {
    let mut i = index.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary of `text` at or above `index`.
pub(crate) fn ceil_boundary(text: &str, index: usize) -> usize {
    let mut i = index.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Up to `max_bytes` of `text` ending at `start`.
pub(crate) fn window_before(text: &str, start: usize, max_bytes: usize) -> &str {
    let from = ceil_boundary(text, start.saturating_sub(max_bytes));
    text.get(from..start).unwrap_or("")
}

/// Up to `max_bytes` of `text` starting at `end`.
pub(crate) fn window_after(text: &str, end: usize, max_bytes: usize) -> &str {
    let to = floor_boundary(text, end.saturating_add(max_bytes));
    text.get(end..to).unwrap_or("")
}

/// Characters that glue two pieces of one token together (`12-34`,
/// `1.2.3`, `10:30`, `a@b`, `a_b`).
const JOINERS: &[char] = &['-', '.', '/', ':', '_', '@', '+', ','];

/// Whether `c`, next to a joiner, makes the joiner glue: a digit for
/// number joiners, any letter or digit for `@` and `_`.
fn glues(joiner: char, c: char) -> bool {
    match joiner {
        '@' | '_' => c.is_alphanumeric(),
        _ => c.is_ascii_digit(),
    }
}

/// Whether `text[start..end]` is not glued to more letters or digits on
/// either side: the character before is neither alphanumeric nor a joiner
/// glued to something before it (`12-` of `12-555-1234`), and likewise
/// after (a sentence's full stop or comma does not glue).
pub(crate) fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).unwrap_or("");
    let mut back = before.chars().rev();
    let glued_before = match back.next() {
        Some(c) if c.is_alphanumeric() => true,
        Some(c) if JOINERS.contains(&c) && c != ',' => back.next().is_some_and(|p| glues(c, p)),
        _ => false,
    };
    if glued_before {
        return false;
    }
    let after = text.get(end..).unwrap_or("");
    let mut forward = after.chars();
    match forward.next() {
        Some(c) if c.is_alphanumeric() => false,
        Some(c) if JOINERS.contains(&c) => !forward.next().is_some_and(|n| glues(c, n)),
        _ => true,
    }
}

/// Whether one of the context words of `words` (a case-insensitive regex
/// with word boundaries) occurs within `before` bytes before `start` or
/// `after` bytes after `end`.
pub(crate) fn has_context(
    text: &str,
    start: usize,
    end: usize,
    words: &Regex,
    before: usize,
    after: usize,
) -> bool {
    words.is_match(window_before(text, start, before))
        || words.is_match(window_after(text, end, after))
}

/// The ASCII digits of `s`, in order.
pub(crate) fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_stay_on_char_boundaries() {
        let text = "ééé 123";
        assert_eq!(window_before(text, 7, 3), "é ");
        assert_eq!(window_after(text, 0, 3), "é");
    }

    #[test]
    fn alone_means_not_glued() {
        let text = "a 555-1234 b";
        assert!(stands_alone(text, 2, 10));
        let text = "12-555-1234";
        assert!(!stands_alone(text, 3, 11));
        let text = "call 555-1234.";
        assert!(stands_alone(text, 5, 13));
        let text = "1.2.3.4.5";
        assert!(!stands_alone(text, 0, 7));
        let text = "at 10:30:45";
        assert!(!stands_alone(text, 3, 8));
        let text = "(555) 123, and";
        assert!(stands_alone(text, 6, 9));
        let text = "Phone:555-1234";
        assert!(stands_alone(text, 6, 14));
        let text = "x@example.com";
        assert!(!stands_alone(text, 2, 13));
    }
}
