//! `airlock classify predict`: one JSON line per text with the predicted
//! label, its calibrated confidence and the top alternatives.

use super::embedding::{embed_all, load_classifier};
use super::print_json;
use airlock_classifier::LabelConfidence;
use airlock_config::Settings;
use airlock_core::Result;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// Classifier made by `airlock classify train`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// Texts to classify.
    #[arg(required = true)]
    pub texts: Vec<String>,
}

#[derive(Serialize)]
struct PredictionLine<'a> {
    text: &'a str,
    label: String,
    confidence: f64,
    alternatives: Vec<LabelConfidence>,
}

pub fn run(args: PredictArgs, settings: &Settings) -> Result<()> {
    let (classifier, embedder) = load_classifier(&args.model, settings)?;
    let embeddings = embed_all(&embedder, &args.texts)?;
    for (text, embedding) in args.texts.iter().zip(&embeddings) {
        let prediction = classifier.predict(embedding)?;
        print_json(
            &PredictionLine {
                text,
                label: prediction.label,
                confidence: prediction.confidence,
                alternatives: prediction.alternatives,
            },
            false,
        )?;
    }
    Ok(())
}
