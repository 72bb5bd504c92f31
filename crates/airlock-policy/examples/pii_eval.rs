//! Evaluates the PII detector on the Presidio synthetic dataset shipped in
//! `data/pii/` and prints markdown tables (per entity type: support,
//! findings, exact-match and overlap-match precision/recall/F1), for all
//! texts and for the even- and odd-numbered generator templates separately,
//! then a throughput measurement.
//!
//! ```sh
//! cargo run -p airlock-policy --example pii_eval --release
//! # with the mismatches of one type (or ALL), in context, on the even
//! # templates (add --all for every text):
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
        // Errors of the even templates only, unless `--all`: while rules
        // are being developed the odd ones stay unseen.
        let all = args.iter().any(|a| a == "--all");
        let shown: Vec<LabelledText> = texts
            .iter()
            .filter(|t| all || t.template_id.is_some_and(|id| id % 2 == 0))
            .cloned()
            .collect();
        print_errors(&shown, &detector, entity);
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

    // Throughput on one thread: detection alone, and placeholder
    // redaction, over every text; after a warm-up pass, the best of three
    // passes (the machine may be shared with other work).
    let bytes: usize = texts.iter().map(|t| t.text.len()).sum();
    let mut found = 0;
    let mut out_bytes = 0;
    let redactor = Redactor::new(detector.clone(), RedactionMode::Placeholder);
    let mut best_detect = f64::INFINITY;
    let mut best_redact = f64::INFINITY;
    for pass in 0..4 {
        let started = Instant::now();
        for t in &texts {
            found += detector.detect(&t.text).len();
        }
        let detect_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let mut session = redactor.session();
        for t in &texts {
            out_bytes += redactor.redact_text(&t.text, &mut session).len();
        }
        let redact_secs = started.elapsed().as_secs_f64();
        if pass > 0 {
            best_detect = best_detect.min(detect_secs);
            best_redact = best_redact.min(redact_secs);
        }
    }
    let n = texts.len() as f64;
    println!(
        "\n## throughput (one thread, {} texts, {:.0} bytes/text on average, best of 3 passes)\n",
        texts.len(),
        bytes as f64 / n
    );
    println!("| what | texts/s | MB/s |\n|---|---:|---:|");
    for (what, secs) in [
        ("detect (all types)", best_detect),
        ("redact_text (placeholder)", best_redact),
    ] {
        println!(
            "| {what} | {:.0} | {:.2} |",
            n / secs,
            bytes as f64 / secs / 1e6
        );
    }
    // Keep the work observable so it is not optimised away.
    eprintln!("({found} findings, {out_bytes} output bytes)");
}
