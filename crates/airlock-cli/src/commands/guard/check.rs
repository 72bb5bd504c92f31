//! `airlock guard check`: one JSON line per text with the combined score,
//! the heuristic and model scores, the rules that matched and whether the
//! text is flagged at the threshold.

use super::detector::Guard;
use super::DetectorArgs;
use airlock_config::Settings;
use airlock_core::{Error, Result};
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub detector: DetectorArgs,
    /// Texts to score.
    #[arg(required = true)]
    pub texts: Vec<String>,
}

#[derive(Serialize)]
struct CheckLine<'a> {
    text: &'a str,
    flagged: bool,
    score: f64,
    heuristic_score: f64,
    model_score: Option<f64>,
    matched: &'a [String],
}

pub fn run(args: CheckArgs, settings: &Settings) -> Result<()> {
    let guard = Guard::load(args.detector.model.as_deref(), None, settings)?;
    let scored = guard.score_all(&args.texts)?;
    for (text, s) in args.texts.iter().zip(&scored) {
        let line = CheckLine {
            text,
            flagged: s.guard.score >= args.detector.threshold,
            score: s.guard.score,
            heuristic_score: s.guard.heuristic_score,
            model_score: s.guard.model_score,
            matched: &s.guard.matched,
        };
        let json = serde_json::to_string(&line)
            .map_err(|e| Error::internal(format!("cannot encode JSON: {e}")))?;
        println!("{json}");
    }
    Ok(())
}
