//! Evaluates the PII detector on the Presidio synthetic dataset shipped in
//! `data/pii/` and prints markdown tables (per entity type: support,
//! findings, exact-match and overlap-match precision/recall/F1), for all
//! texts and for the even- and odd-numbered generator templates separately,
//! then a throughput measurement.
//!
//! ```sh
//! cargo run -p airlock-policy --example pii_eval --release
//! # with the mismatches of one type (or ALL), in context:
//! cargo run -p airlock-policy --example pii_eval --release -- --errors PERSON
//! ```

use airlock_policy::pii::evaluation::{
    evaluate, parse_presidio_dataset, LabelledText, MismatchKind,
};
use airlock_policy::pii::{PiiDetector, RedactionMode, Redactor};
use std::time::Instant;

const DATASET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/pii/presidio_generated_large.json"
);

fn context(text: &str, start: usize, end: usize) -> String {
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(30)
        .map_or(0, |(i, _)| i);
    let to = text[end..]
        .char_indices()
        .nth(30)
        .map_or(text.len(), |(i, _)| end + i);
    format!(
        "{}[[{}]]{}",
        &text[from..start],
        &text[start..end],
        &text[end..to]
    )
    .replace('\n', "⏎")
}

fn print_errors(texts: &[LabelledText], detector: &PiiDetector, entity: &str) {
    let report = evaluate(detector, texts);
    for kind in [MismatchKind::FalseNegative, MismatchKind::FalsePositive] {
        println!("\n### {kind:?} ({entity})\n");
        for m in report
            .mismatches
            .iter()
            .filter(|m| m.kind == kind && (entity == "ALL" || m.entity.as_str() == entity))
        {
            let text = &texts[m.text_index].text;
            let gold: Vec<String> = texts[m.text_index]
                .spans
                .iter()
                .filter(|s| s.start < m.end && m.start < s.end)
                .map(|s| format!("{}={:?}", s.entity_type, &text[s.start..s.end]))
                .collect();
            println!(
                "- {} {}{} | gold here: {}",
                m.entity,
                context(text, m.start, m.end),
                if m.overlaps { " (overlaps)" } else { "" },
                gold.join(", ")
            );
        }
    }
}

fn main() {
    let json = std::fs::read_to_string(DATASET).expect("read the dataset");
    let texts = parse_presidio_dataset(&json).expect("parse the dataset");
    let detector = PiiDetector::all().expect("detector");

    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--errors") {
        let entity = args.get(at + 1).map_or("ALL", String::as_str);
        // Errors of the even templates only: the odd ones stay unseen.
        let dev: Vec<LabelledText> = texts
            .iter()
            .filter(|t| t.template_id.is_some_and(|id| id % 2 == 0))
            .cloned()
            .collect();
        print_errors(&dev, &detector, entity);
        return;
    }

    let even: Vec<LabelledText> = texts
        .iter()
        .filter(|t| t.template_id.is_some_and(|id| id % 2 == 0))
        .cloned()
        .collect();
    let odd: Vec<LabelledText> = texts
        .iter()
        .filter(|t| t.template_id.is_some_and(|id| id % 2 == 1))
        .cloned()
        .collect();
    for (name, subset) in [
        ("all texts", &texts),
        ("even templates (looked at while developing)", &even),
        ("odd templates (not looked at)", &odd),
    ] {
        let report = evaluate(&detector, subset);
        println!("\n## {name}: {} texts\n", report.texts);
        print!("{}", report.to_markdown());
    }

    // Throughput: detection alone, and placeholder redaction, over every
    // text, repeated to run for about a second each.
    let bytes: usize = texts.iter().map(|t| t.text.len()).sum();
    let rounds = 5;
    let started = Instant::now();
    let mut found = 0;
    for _ in 0..rounds {
        for t in &texts {
            found += detector.detect(&t.text).len();
        }
    }
    let detect_secs = started.elapsed().as_secs_f64();
    let redactor = Redactor::new(detector.clone(), RedactionMode::Placeholder);
    let started = Instant::now();
    let mut out_bytes = 0;
    for _ in 0..rounds {
        let mut session = redactor.session();
        for t in &texts {
            out_bytes += redactor.redact_text(&t.text, &mut session).len();
        }
    }
    let redact_secs = started.elapsed().as_secs_f64();
    let n = (texts.len() * rounds) as f64;
    println!(
        "\n## throughput (one thread, {} texts x {rounds}, {:.0} bytes/text mean)\n",
        texts.len(),
        bytes as f64 / texts.len() as f64
    );
    println!("| what | texts/s | MB/s |\n|---|---:|---:|");
    println!(
        "| detect (all types) | {:.0} | {:.2} |",
        n / detect_secs,
        (bytes * rounds) as f64 / detect_secs / 1e6
    );
    println!(
        "| redact_text (placeholder) | {:.0} | {:.2} |",
        n / redact_secs,
        (bytes * rounds) as f64 / redact_secs / 1e6
    );
    // Keep the work observable so it is not optimised away.
    eprintln!("({found} findings, {out_bytes} output bytes)");
}
