//! What the words just before a capitalised sequence say about it: a cue
//! phrase that introduces a name ("my name is", "Dear", "Regards,"), a
//! sentence start, a house number, or "the".

use crate::pii::text::window_before;

/// Phrases after which the next capitalised words are a name, whatever
/// they are (unless they are stop or generic words). Lower case; compared
/// with the text before the name, trailing whitespace removed.
const STRONG_CUES: &[&str] = &[
    // introductions
    "my name is",
    "my name's",
    "name is",
    "name was",
    "name:",
    "name -",
    "named",
    "call me",
    "calls me",
    "known as",
    "aka",
    "a.k.a.",
    "nicknamed",
    // greetings
    "dear",
    "hi",
    "hi,",
    "hello",
    "hello,",
    "hey",
    "hey,",
    "good morning",
    "good morning,",
    "good afternoon",
    "good afternoon,",
    "good evening",
    "good evening,",
    // sign-offs and attributions
    "regards",
    "regards,",
    "thanks",
    "thanks,",
    "thank you",
    "thank you,",
    "cheers,",
    "best,",
    "best wishes,",
    "sincerely",
    "sincerely,",
    "yours truly,",
    "yours,",
    "warmly,",
    "signed",
    "signed,",
    "signed:",
    "signed by",
    "written by",
    "author:",
    "attn:",
    "attn",
    "attention:",
    "c/o",
    "contact person:",
];

/// How much text before a word the cue and context checks look at.
const LOOK_BEHIND: usize = 48;

/// Whether the text before `start` ends with a strong cue phrase.
pub(crate) fn strong_cue(text: &str, start: usize) -> bool {
    let before = window_before(text, start, LOOK_BEHIND).to_lowercase();
    let before = before.trim_end();
    STRONG_CUES.iter().any(|cue| {
        before.strip_suffix(cue).is_some_and(|head| {
            head.chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        })
    })
}

/// Whether `start` begins a sentence or a line (only spaces, quotes,
/// brackets or bullets between it and the previous `.`, `!`, `?`, `:`,
/// `;`, line break or the start of the text).
pub(crate) fn at_sentence_start(text: &str, start: usize) -> bool {
    for c in text.get(..start).unwrap_or("").chars().rev() {
        match c {
            ' ' | '\t' | '"' | '\'' | '(' | '[' | '*' | '•' | '-' | '“' | '‘' | '«' | '>' => {
                continue
            }
            '.' | '!' | '?' | ':' | ';' | '\n' | '\r' | '…' => return true,
            _ => return false,
        }
    }
    true
}

/// Whether a number stands just before `start` on the same line
/// (`4748 Westfall Avenue`, `Suite 12, Victoria`): then the words are an
/// address.
pub(crate) fn after_number(text: &str, start: usize) -> bool {
    let before = window_before(text, start, LOOK_BEHIND);
    let before = before.trim_end_matches([' ', ',']);
    before.ends_with(|c: char| c.is_ascii_digit())
}

/// Whether a house number follows `end` (`Rijksweg 145`, `Calle Mayor
/// 12b,`): a space, one to five digits, an optional letter, then no more
/// digits or a time's colon.
pub(crate) fn before_house_number(text: &str, end: usize) -> bool {
    let Some(rest) = text.get(end..).and_then(|r| r.strip_prefix(' ')) else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=5).contains(&digits) {
        return false;
    }
    let mut after = rest[digits..].chars();
    let next = match after.clone().next() {
        Some(c) if c.is_ascii_alphabetic() => {
            after.next();
            after.next()
        }
        other => other,
    };
    !matches!(next, Some(c) if c.is_alphanumeric() || c == ':')
}

/// Whether the word just before `start` is "the" (`the Oliver Wyman
/// office`): then the words are more likely an organisation or a title.
pub(crate) fn after_the(text: &str, start: usize) -> bool {
    let before = window_before(text, start, 8).to_lowercase();
    let before = before.trim_end_matches(' ');
    before.strip_suffix("the").is_some_and(|head| {
        head.chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_whole_phrases() {
        let text = "Hello, my name is Anna";
        assert!(strong_cue(text, 18));
        let text = "Regards,\n  Anna";
        assert!(strong_cue(text, 11));
        // "within" ends in "hi" but is not the greeting.
        let text = "within Anna";
        assert!(!strong_cue(text, 7));
    }

    #[test]
    fn sentence_starts_numbers_and_the() {
        let text = "Done. \"Anna came";
        assert!(at_sentence_start(text, 7));
        assert!(at_sentence_start("Anna", 0));
        assert!(!at_sentence_start("ask Anna", 4));
        assert!(after_number("at 4748 Westfall", 8));
        assert!(!after_number("Suite 12\n Anna", 10));
        assert!(before_house_number("Rijksweg 145, Ede", 8));
        assert!(before_house_number("Calle Mayor 12b", 11));
        assert!(!before_house_number("Anna 10:30", 4));
        assert!(!before_house_number("Anna 3rd", 4));
        assert!(!before_house_number("Anna went", 4));
        assert!(after_the("by the Oliver", 7));
        assert!(!after_the("bathe Oliver", 6));
    }
}
