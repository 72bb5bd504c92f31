//! Each detector through the public API, overlapping findings resolution,
//! configuration, and a set of business texts without personal data that
//! must stay untouched (over-redaction is a bug too).

use airlock_policy::pii::{resolve_overlaps, EntityType, Finding, PiiDetector};

fn found(text: &str) -> Vec<(EntityType, &str)> {
    PiiDetector::all()
        .expect("detector")
        .detect(text)
        .iter()
        .map(|f| (f.entity, f.text(text)))
        .collect()
}

fn only(text: &str, entity: EntityType) -> Vec<&str> {
    found(text)
        .into_iter()
        .filter(|(e, _)| *e == entity)
        .map(|(_, s)| s)
        .collect()
}

#[test]
fn email_addresses() {
    assert_eq!(
        only(
            "Write to first.last+tag@sub.example.org today.",
            EntityType::Email
        ),
        vec!["first.last+tag@sub.example.org"]
    );
    assert!(only("user@localhost and @handle", EntityType::Email).is_empty());
}

#[test]
fn phone_numbers_international_and_national() {
    let text =
        "US (555) 123-4567, 555.123.4567; UK +44 20 7946 0958, 020 7946 0958; FR 01 23 45 67 89";
    assert_eq!(
        only(text, EntityType::Phone),
        vec![
            "(555) 123-4567",
            "555.123.4567",
            "+44 20 7946 0958",
            "020 7946 0958",
            "01 23 45 67 89"
        ]
    );
    // Dates, amounts and order numbers are not phones.
    assert!(only(
        "On 2024-05-01 we paid 1 250 000 for order 20240501",
        EntityType::Phone
    )
    .is_empty());
}

#[test]
fn payment_cards_are_luhn_checked() {
    assert_eq!(
        only(
            "Visa 4111-1111-1111-1111 and Amex 3782 822463 10005",
            EntityType::PaymentCard
        ),
        vec!["4111-1111-1111-1111", "3782 822463 10005"]
    );
    // One digit off fails the Luhn check and is reported as nothing.
    assert!(found("Visa 4111-1111-1111-1112").is_empty());
}

#[test]
fn ibans_are_mod_97_checked() {
    assert_eq!(
        only(
            "Pay GB82 WEST 1234 5698 7654 32 or fr1420041010050500013m02606.",
            EntityType::Iban
        ),
        vec!["GB82 WEST 1234 5698 7654 32", "fr1420041010050500013m02606"]
    );
    assert!(only("GB82 WEST 1234 5698 7654 33", EntityType::Iban).is_empty());
}

#[test]
fn us_ssn_rules_and_context() {
    assert_eq!(
        only("SSN 078-05-1120", EntityType::UsSsn),
        vec!["078-05-1120"]
    );
    assert!(only(
        "id 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000",
        EntityType::UsSsn
    )
    .is_empty());
    assert_eq!(
        only("social security no. 078051120", EntityType::UsSsn),
        vec!["078051120"]
    );
    assert!(only("tracking 078051120", EntityType::UsSsn).is_empty());
}

#[test]
fn ip_addresses_v4_and_v6() {
    assert_eq!(
        only(
            "from 203.0.113.7 and 2001:db8:85a3::8a2e:370:7334, not 256.1.1.1",
            EntityType::IpAddress
        ),
        vec!["203.0.113.7", "2001:db8:85a3::8a2e:370:7334"]
    );
}

#[test]
fn person_names() {
    assert_eq!(
        only(
            "Dear Ms. Okonkwo, Jean-Luc Picard and Maria da Silva will join.",
            EntityType::Person
        ),
        vec!["Okonkwo", "Jean-Luc Picard", "Maria da Silva"]
    );
}

#[test]
fn overlapping_candidates_resolve_to_the_stronger_type() {
    // The card's digits also look like a phone number; the name is inside
    // the e-mail address; the SSN is also phone-shaped to some eyes.
    let text = "card 4111 1111 1111 1111, mail john.smith@example.com, SSN 078-05-1120";
    assert_eq!(
        found(text),
        vec![
            (EntityType::PaymentCard, "4111 1111 1111 1111"),
            (EntityType::Email, "john.smith@example.com"),
            (EntityType::UsSsn, "078-05-1120"),
        ]
    );
    let resolved = resolve_overlaps(vec![
        Finding::new(EntityType::Person, 5, 15),
        Finding::new(EntityType::Phone, 0, 8),
        Finding::new(EntityType::Phone, 20, 30),
    ]);
    assert_eq!(
        resolved,
        vec![
            Finding::new(EntityType::Phone, 0, 8),
            Finding::new(EntityType::Phone, 20, 30)
        ]
    );
}

#[test]
fn only_configured_types_are_reported() {
    let detector = PiiDetector::from_names(&["email"]).expect("detector");
    let text = "Sarah Connor, sarah@example.com, 555-123-4567";
    let kinds: Vec<EntityType> = detector.detect(text).iter().map(|f| f.entity).collect();
    assert_eq!(kinds, vec![EntityType::Email]);
    assert!(PiiDetector::from_names(&["email", "shoe_size"]).is_err());
}

/// Business and support texts with no personal data, written for this
/// test: product names, companies, places, dates, amounts, order numbers,
/// versions and code.
const CLEAN_TEXTS: &[&str] = &[
    "Pay with Apple Pay or Google Wallet, then open Microsoft Teams.",
    "Ask Alexa, Siri or Claude to summarise the Monday report.",
    "Our Customer Success Team will reply within 24 hours.",
    "The Premium Plan costs 49.99 EUR per month, billed on 2024-06-01.",
    "Order 20240601 shipped from the Rotterdam warehouse on Friday.",
    "Upgrade to version 3.12.4 before 31.12.2024 to keep support.",
    "Please reset my password and update the Billing Settings page.",
    "Invoice INV-2024-00042 for 1 250 000 JPY is overdue.",
    "The Salesforce and Zendesk integrations are available in Europe.",
    "Use std::net::Ipv6Addr and Vec::new() in the Rust example.",
    "Meeting at 10:30 in the Berlin office, room 4.12.",
    "Thanks for contacting Acme Corp Support!",
    "We opened offices in Paris, Sydney and Austin this year.",
    "The Golden Gate Bridge was closed on Sunday.",
    "Capitalised Words In A Heading Are Not Names.",
    "Download the Android App or visit the Help Center.",
    "Your ticket #48213 was escalated to Tier 2.",
    "The API returns HTTP 429 when the rate limit of 1000 requests is hit.",
    "Cyber Monday Sale: 30% off all Pro subscriptions.",
    "Shipping to New York, Los Angeles and Rio de Janeiro takes 5 days.",
];

#[test]
fn business_texts_without_personal_data_stay_clean() {
    let detector = PiiDetector::all().expect("detector");
    for text in CLEAN_TEXTS {
        let findings: Vec<(EntityType, &str)> = detector
            .detect(text)
            .iter()
            .map(|f| (f.entity, f.text(text)))
            .collect();
        assert!(findings.is_empty(), "{text}: {findings:?}");
    }
}
