//! `airlock guard eval`: scores a labelled file with the heuristics alone,
//! the learned detector alone and both combined (and, with `--attacks`,
//! the embedding-similarity baseline), and prints detection rate, false-
//! positive rate, precision and F1 at the threshold, ROC AUC, a threshold
//! sweep and how often each rule fired on attacks and on benign texts.

use super::detector::{Guard, Scored};
use super::labelled_data::read_labelled;
use super::metrics::{detector_metrics, AtThreshold, DetectorMetrics, SWEEP};
use super::DetectorArgs;
use crate::commands::print_json_pretty;
use airlock_config::Settings;
use airlock_core::{Error, Result};
use airlock_policy::injection::{COMBINATION, RULES};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub detector: DetectorArgs,
    /// Labelled prompts: JSON array of {prompt, label}, JSON lines, or CSV
    /// `text,label`; label 1/0 or injection/benign.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Treat every text as benign and ignore labels (e.g. BANKING77's
    /// `text,category`), to measure the false-positive rate on real traffic.
    #[arg(long)]
    pub all_benign: bool,
    /// Also score by max cosine similarity to the attacks (label
    /// injection) of this labelled file, e.g. the training CSV.
    #[arg(long, value_name = "FILE")]
    pub attacks: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// With --json: include every prompt's scores and matched rules.
    #[arg(long)]
    pub per_prompt: bool,
}

#[derive(Serialize)]
struct Detectors {
    heuristics: DetectorMetrics,
    model: Option<DetectorMetrics>,
    combined: Option<DetectorMetrics>,
    similarity: Option<DetectorMetrics>,
}

#[derive(Serialize)]
struct RuleCount {
    rule: &'static str,
    injection: usize,
    benign: usize,
}

#[derive(Serialize)]
struct PromptScore<'a> {
    text: &'a str,
    injection: bool,
    score: f64,
    heuristic_score: f64,
    model_score: Option<f64>,
    similarity: Option<f64>,
    matched: &'a [String],
}

#[derive(Serialize)]
struct EvalReport<'a> {
    data: String,
    prompts: usize,
    injection: usize,
    benign: usize,
    threshold: f64,
    combination: &'static str,
    detectors: Detectors,
    rules: Vec<RuleCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_prompt: Option<Vec<PromptScore<'a>>>,
}

pub fn run(args: EvalArgs, settings: &Settings) -> Result<()> {
    let threshold = args.detector.threshold;
    if !(0.0..=1.0).contains(&threshold) {
        return Err(
            Error::invalid_input(format!("--threshold {threshold} is not in [0, 1]"))
                .with_field("threshold"),
        );
    }
    let prompts = read_labelled(&args.data, args.all_benign)?;
    let guard = Guard::load(
        args.detector.model.as_deref(),
        args.attacks.as_deref(),
        settings,
    )?;
    let texts: Vec<String> = prompts.iter().map(|p| p.text.clone()).collect();
    let labels: Vec<bool> = prompts.iter().map(|p| p.injection).collect();
    let scored = guard.score_all(&texts)?;

    let column =
        |f: fn(&Scored) -> Option<f64>| -> Option<Vec<f64>> { scored.iter().map(f).collect() };
    let metrics =
        |scores: Option<Vec<f64>>| scores.map(|s| detector_metrics(&s, &labels, threshold));
    let detectors = Detectors {
        heuristics: detector_metrics(
            &scored
                .iter()
                .map(|s| s.guard.heuristic_score)
                .collect::<Vec<_>>(),
            &labels,
            threshold,
        ),
        model: metrics(column(|s| s.guard.model_score).filter(|_| guard.has_model())),
        combined: metrics(column(|s| Some(s.guard.score)).filter(|_| guard.has_model())),
        similarity: metrics(column(|s| s.similarity).filter(|_| guard.has_similarity())),
    };
    let report = EvalReport {
        data: args.data.display().to_string(),
        prompts: prompts.len(),
        injection: labels.iter().filter(|a| **a).count(),
        benign: labels.iter().filter(|a| !**a).count(),
        threshold,
        combination: COMBINATION,
        detectors,
        rules: rule_counts(&scored, &labels),
        per_prompt: (args.json && args.per_prompt).then(|| {
            prompts
                .iter()
                .zip(&scored)
                .map(|(p, s)| PromptScore {
                    text: &p.text,
                    injection: p.injection,
                    score: s.guard.score,
                    heuristic_score: s.guard.heuristic_score,
                    model_score: s.guard.model_score,
                    similarity: s.similarity,
                    matched: &s.guard.matched,
                })
                .collect()
        }),
    };
    if args.json {
        print_json_pretty(&report)
    } else {
        print_tables(&report);
        Ok(())
    }
}

/// How often each rule matched, on attacks and on benign prompts; rules
/// that never matched are left out.
fn rule_counts(scored: &[Scored], labels: &[bool]) -> Vec<RuleCount> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (s, &attack) in scored.iter().zip(labels) {
        for name in &s.guard.matched {
            let entry = counts.entry(name.as_str()).or_default();
            if attack {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    let signal_names = [
        airlock_policy::injection::ZERO_WIDTH,
        airlock_policy::injection::BIDI,
        airlock_policy::injection::HOMOGLYPHS,
        airlock_policy::injection::LEETSPEAK,
        airlock_policy::injection::ENCODED_PAYLOAD,
    ];
    RULES
        .iter()
        .map(|r| r.name)
        .chain(signal_names)
        .filter_map(|rule| {
            counts.get(rule).map(|&(injection, benign)| RuleCount {
                rule,
                injection,
                benign,
            })
        })
        .collect()
}

fn rate(value: Option<f64>, num: usize, den: usize) -> String {
    match value {
        Some(v) => format!("{v:.3} ({num}/{den})"),
        None => "-".to_string(),
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"))
}

fn detector_rows(d: &Detectors) -> Vec<(&'static str, &DetectorMetrics)> {
    let mut rows = vec![("heuristics", &d.heuristics)];
    rows.extend(d.model.as_ref().map(|m| ("model", m)));
    rows.extend(d.combined.as_ref().map(|m| ("combined", m)));
    rows.extend(d.similarity.as_ref().map(|m| ("similarity", m)));
    rows
}

fn print_tables(report: &EvalReport) {
    println!(
        "{}: {} prompts ({} injection, {} benign); threshold {}; combined = {}",
        report.data,
        report.prompts,
        report.injection,
        report.benign,
        report.threshold,
        report.combination
    );
    println!();
    println!(
        "{:<11} {:>17} {:>17} {:>10} {:>6} {:>6}",
        "detector", "detection (TPR)", "false pos. (FPR)", "precision", "F1", "AUC"
    );
    let rows = detector_rows(&report.detectors);
    for (name, m) in &rows {
        let t: &AtThreshold = &m.at_threshold;
        println!(
            "{:<11} {:>17} {:>17} {:>10} {:>6} {:>6}",
            name,
            rate(
                t.tpr,
                t.true_positives,
                t.true_positives + t.false_negatives
            ),
            rate(
                t.fpr,
                t.false_positives,
                t.false_positives + t.true_negatives
            ),
            number(t.precision),
            number(t.f1),
            number(m.auc),
        );
    }
    println!();
    println!("sweep: TPR / FPR at each threshold");
    let header: Vec<String> = rows.iter().map(|(n, _)| format!("{n:>15}")).collect();
    println!("{:<9} {}", "threshold", header.join(" "));
    for (i, threshold) in SWEEP.iter().enumerate() {
        let cells: Vec<String> = rows
            .iter()
            .map(|(_, m)| {
                let t = &m.sweep[i];
                format!("{:>15}", format!("{} / {}", number(t.tpr), number(t.fpr)))
            })
            .collect();
        println!("{threshold:<9} {}", cells.join(" "));
    }
    if !report.rules.is_empty() {
        println!();
        println!(
            "{:<30} {:>9} {:>7}",
            "rule matched on", "injection", "benign"
        );
        for r in &report.rules {
            println!("{:<30} {:>9} {:>7}", r.rule, r.injection, r.benign);
        }
    }
}
