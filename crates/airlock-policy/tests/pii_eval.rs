//! The evaluation of docs/pii.md, run as a test: the detector on the
//! Presidio synthetic dataset in `data/pii/`, with floors a little under the
//! measured figures so that a regression fails. Re-measure with
//! `cargo run -p airlock-policy --example pii_eval --release` and update both
//! the floors and docs/pii.md when a change moves them.

use airlock_policy::pii::evaluation::{evaluate, parse_presidio_dataset, EvaluationReport};
use airlock_policy::pii::{EntityType, PiiDetector};

const DATASET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/pii/presidio_generated_large.json"
);

fn report() -> EvaluationReport {
    let json = std::fs::read_to_string(DATASET).expect("read the dataset");
    let texts = parse_presidio_dataset(&json).expect("parse the dataset");
    assert_eq!(texts.len(), 2109);
    evaluate(&PiiDetector::all().expect("detector"), &texts)
}

/// (type, support, exact precision, exact recall, overlap precision, overlap recall)
const FLOORS: &[(EntityType, usize, f64, f64, f64, f64)] = &[
    (EntityType::Email, 58, 0.99, 0.99, 0.99, 0.99),
    (EntityType::Iban, 28, 0.99, 0.99, 0.99, 0.99),
    (EntityType::PaymentCard, 212, 0.99, 0.99, 0.99, 0.99),
    (EntityType::IpAddress, 11, 0.99, 0.99, 0.99, 0.99),
    (EntityType::UsSsn, 44, 0.95, 0.99, 0.95, 0.99),
    (EntityType::Phone, 136, 0.97, 0.89, 0.97, 0.89),
    (EntityType::Person, 1411, 0.92, 0.70, 0.95, 0.72),
];

#[test]
fn scores_stay_above_the_measured_floors() {
    let report = report();
    let mut failures = Vec::new();
    for &(entity, support, exact_p, exact_r, overlap_p, overlap_r) in FLOORS {
        let scores = report.scores(entity).cloned().unwrap_or_default();
        assert_eq!(scores.support, support, "{entity} support");
        let (exact, overlap) = (scores.exact(), scores.overlap());
        for (what, value, floor) in [
            ("exact precision", exact.precision, exact_p),
            ("exact recall", exact.recall, exact_r),
            ("overlap precision", overlap.precision, overlap_p),
            ("overlap recall", overlap.recall, overlap_r),
        ] {
            if value < floor {
                failures.push(format!("{entity} {what} {value:.3} < {floor}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{failures:?}\n{}",
        report.to_markdown()
    );
}

#[test]
fn overlap_matching_is_never_stricter_than_exact() {
    let report = report();
    for (entity, scores) in &report.per_entity {
        assert!(
            scores.overlap().precision >= scores.exact().precision,
            "{entity}"
        );
        assert!(scores.overlap().recall >= scores.exact().recall, "{entity}");
    }
    let micro = report.micro();
    assert_eq!(micro.support, FLOORS.iter().map(|f| f.1).sum::<usize>());
}
