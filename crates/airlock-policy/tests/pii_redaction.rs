//! Redaction through the public API: the three modes, placeholder
//! consistency within a run, keyed-hash stability across runs, JSON
//! walking, reports, restoring, and offsets in text with multi-byte
//! characters before the personal data.

use airlock_policy::pii::{EntityType, PiiDetector, RedactionMode, Redactor};
use serde_json::json;

const KEY: &[u8] = b"a test key of 32 bytes, not real";

fn redactor(mode: RedactionMode) -> Redactor {
    Redactor::new(PiiDetector::all().expect("detector"), mode)
}

#[test]
fn mask_hides_values_with_a_fixed_run_and_keeps_card_last_four() {
    let r = redactor(RedactionMode::Mask);
    let mut session = r.session();
    let out = r.redact_text(
        "Mail jane@example.com, card 4111 1111 1111 1111, call 555-123-4567.",
        &mut session,
    );
    assert_eq!(out, "Mail ****, card ****1111, call ****.");
    assert_eq!(session.report().total, 3);
    // Mask mode remembers no values.
    assert!(session.mapping().is_empty());
}

#[test]
fn placeholders_are_consistent_within_a_run_and_numbered_per_type() {
    let r = redactor(RedactionMode::Placeholder);
    let mut session = r.session();
    let first = r.redact_text(
        "Sarah Connor wrote from sarah@example.com to bob@example.com.",
        &mut session,
    );
    assert_eq!(
        first,
        "<PERSON_1> wrote from <EMAIL_ADDRESS_1> to <EMAIL_ADDRESS_2>."
    );
    // A later text of the same run: the same values keep their
    // placeholders, also written in another case; a new value gets the next number.
    let second = r.redact_text(
        "Reply to SARAH@example.com, cc carol@example.com",
        &mut session,
    );
    assert_eq!(second, "Reply to <EMAIL_ADDRESS_1>, cc <EMAIL_ADDRESS_3>");
    assert_eq!(session.counts().get(&EntityType::Email), Some(&4));
    assert_eq!(session.distinct_values().get(&EntityType::Email), Some(&3));
    assert_eq!(
        session.original("<EMAIL_ADDRESS_2>"),
        Some("bob@example.com")
    );
    // A new run starts numbering again.
    let mut other = r.session();
    assert_eq!(
        r.redact_text("bob@example.com", &mut other),
        "<EMAIL_ADDRESS_1>"
    );
}

#[test]
fn restore_puts_the_originals_back_and_leaves_other_angle_brackets() {
    let r = redactor(RedactionMode::Placeholder);
    let mut session = r.session();
    let redacted = r.redact_text("Call Sarah Connor at 555-123-4567", &mut session);
    assert_eq!(redacted, "Call <PERSON_1> at <PHONE_NUMBER_1>");
    let answer = "I called <PERSON_1> on <PHONE_NUMBER_1> (see <PERSON_9> and a<b).";
    assert_eq!(
        session.restore(answer),
        "I called Sarah Connor on 555-123-4567 (see <PERSON_9> and a<b)."
    );
}

#[test]
fn keyed_hash_is_stable_across_runs_and_depends_on_the_key() {
    let r = redactor(RedactionMode::keyed_hash(KEY).expect("key"));
    let text = "Write to jane@example.com";
    let once = r.redact_text(text, &mut r.session());
    let again = r.redact_text(text, &mut r.session());
    assert_eq!(once, again);
    let token = once.trim_start_matches("Write to ");
    assert!(
        token.starts_with("<EMAIL_ADDRESS:") && token.ends_with('>'),
        "{once}"
    );
    let hex = &token["<EMAIL_ADDRESS:".len()..token.len() - 1];
    assert_eq!(hex.len(), 16);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    // Same value written differently: same token.
    let upper = r.redact_text("Write to Jane@Example.com", &mut r.session());
    assert_eq!(upper, once);
    // Another key: another token.
    let other =
        redactor(RedactionMode::keyed_hash(b"another key, also 32 bytes long!").expect("key"));
    assert_ne!(other.redact_text(text, &mut other.session()), once);
    // The value itself is nowhere in the token.
    assert!(!once.contains("jane"));
}

#[test]
fn keyed_hash_needs_a_long_enough_key() {
    assert!(RedactionMode::keyed_hash(b"too short").is_err());
}

#[test]
fn json_strings_are_redacted_keys_kept_and_counts_reported() {
    let r = redactor(RedactionMode::Placeholder);
    let mut session = r.session();
    let input = json!({
        "customer": {"name": "Sarah Connor", "email": "sarah@example.com"},
        "messages": ["Hi, I'm Sarah Connor", "my SSN is 123-45-6789", 42, true, null],
        "sarah@example.com": "key left alone",
        "card_as_number": 4111111111111111u64,
        "amount": 1999
    });
    let out = r.redact_value(&input, &mut session);
    assert_eq!(
        out,
        json!({
            "customer": {"name": "<PERSON_1>", "email": "<EMAIL_ADDRESS_1>"},
            "messages": ["Hi, I'm <PERSON_1>", "my SSN is <US_SSN_1>", 42, true, null],
            "sarah@example.com": "key left alone",
            "card_as_number": "<CREDIT_CARD_1>",
            "amount": 1999
        })
    );
    let report = session.report();
    assert_eq!(report.count(EntityType::Person), 2);
    assert_eq!(report.count(EntityType::Email), 1);
    assert_eq!(report.total, 5);
    let shown = serde_json::to_value(&report).expect("report json");
    assert_eq!(shown["counts"]["PERSON"], 2);
    assert_eq!(shown["total"], 5);
    assert_eq!(
        report.to_string(),
        "1 EMAIL_ADDRESS, 1 CREDIT_CARD, 1 US_SSN, 2 PERSON redacted"
    );
    // The report and the session's debug output never carry values.
    assert!(!shown.to_string().contains("Sarah"));
    assert!(!format!("{session:?}").contains("Sarah"));
}

#[test]
fn redacting_in_place_matches_the_copy_and_leaves_clean_values_untouched() {
    let r = redactor(RedactionMode::Placeholder);
    let input = json!({
        "messages": [{"role": "user", "content": "call Sarah Connor at 555-123-4567"}],
        "card": 4111111111111111u64,
        "max_tokens": 16
    });
    let copied = r.redact_value(&input, &mut r.session());
    let mut in_place = input.clone();
    let mut session = r.session();
    r.redact_in_place(&mut in_place, &mut session);
    assert_eq!(in_place, copied);
    assert_ne!(
        in_place, input,
        "the name, the phone number and the card go"
    );
    assert_eq!(session.report().total, 3);

    let clean = json!({"messages": [{"role": "user", "content": "hello there"}], "max_tokens": 16});
    let mut same = clean.clone();
    let mut session = r.session();
    r.redact_in_place(&mut same, &mut session);
    assert_eq!(same, clean);
    assert_eq!(session.report().total, 0);
}

#[test]
fn multi_byte_text_before_the_data_keeps_offsets_right() {
    let detector = PiiDetector::all().expect("detector");
    let text = "Grüße aus Köln 🌍 — 電話 555-123-4567, Ελένη: eleni@example.gr";
    let found: Vec<(EntityType, &str)> = detector
        .detect(text)
        .iter()
        .map(|f| (f.entity, f.text(text)))
        .collect();
    assert_eq!(
        found,
        vec![
            (EntityType::Phone, "555-123-4567"),
            (EntityType::Email, "eleni@example.gr"),
        ]
    );
    let r = redactor(RedactionMode::Placeholder);
    assert_eq!(
        r.redact_text(text, &mut r.session()),
        "Grüße aus Köln 🌍 — 電話 <PHONE_NUMBER_1>, Ελένη: <EMAIL_ADDRESS_1>"
    );
}

#[test]
fn redacting_twice_changes_nothing_more() {
    for mode in [
        RedactionMode::Mask,
        RedactionMode::Placeholder,
        RedactionMode::keyed_hash(KEY).expect("key"),
    ] {
        let r = redactor(mode);
        let mut session = r.session();
        let once = r.redact_text(
            "Dr. Anna Schmidt, anna@example.de, +49 30 1234 5678, IBAN DE89 3704 0044 0532 0130 00",
            &mut session,
        );
        let twice = r.redact_text(&once, &mut r.session());
        assert_eq!(once, twice, "{}", r.mode().name());
        assert!(!once.contains("Schmidt") && !once.contains("DE89"));
    }
}

#[test]
fn redactor_is_send_and_sync() {
    fn shared<T: Send + Sync + 'static>(_: &T) {}
    shared(&redactor(RedactionMode::Placeholder));
}
