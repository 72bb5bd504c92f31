//! Embedding throughput benchmark over BANKING77 sentences, printing one JSON
//! line per batch size so `bench/` scripts can compare Airlock with Python.
//!
//! Usage: `cargo run --release -p airlock-inference --example embed_bench --
//! [CSV] [--workers N] [--threads N] [--max-batch N] [--batches 1,16,64]
//! [--limit 1024] [--model DIR]`

use airlock_inference::embed::{Embedder, EmbedderOptions};
use std::path::PathBuf;
use std::time::Instant;

struct Args {
    csv: PathBuf,
    model: PathBuf,
    workers: usize,
    threads: usize,
    max_batch: usize,
    batches: Vec<usize>,
    limit: usize,
}

fn parse_args() -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let models = std::env::var_os("AIRLOCK_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("airlock-data/models"));
    let mut args = Args {
        // The shared data folder sits beside the repository checkout.
        csv: root.join("../shared/data/banking77/test.csv"),
        model: models.join("all-minilm-l6-v2"),
        workers: 1,
        threads: 1,
        max_batch: 64,
        batches: vec![1, 16, 64],
        limit: 1024,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{v}: {e}"));
        match arg.as_str() {
            "--workers" => args.workers = number(value("--workers")?)?,
            "--threads" => args.threads = number(value("--threads")?)?,
            "--max-batch" => args.max_batch = number(value("--max-batch")?)?,
            "--limit" => args.limit = number(value("--limit")?)?,
            "--model" => args.model = PathBuf::from(value("--model")?),
            "--batches" => {
                args.batches = value("--batches")?
                    .split(',')
                    .map(|b| number(b.trim().to_string()))
                    .collect::<Result<_, _>>()?
            }
            other if !other.starts_with("--") => args.csv = PathBuf::from(other),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(args)
}

fn read_texts(path: &PathBuf, limit: usize) -> Result<Vec<String>, String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let column = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .position(|h| h == "text")
        .ok_or(format!("{}: no `text` column", path.display()))?;
    let mut texts = Vec::new();
    for record in reader.records().take(limit) {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        texts.push(record.get(column).unwrap_or_default().to_string());
    }
    Ok(texts)
}

fn main() -> Result<(), String> {
    let args = parse_args()?;
    let texts = read_texts(&args.csv, args.limit)?;
    let embedder = Embedder::load(EmbedderOptions {
        model_dir: args.model.clone(),
        workers: args.workers,
        threads_per_worker: args.threads,
        max_batch: args.max_batch,
    })
    .map_err(|e| e.to_string())?;
    // Warm-up: first-touch allocations, page faults, thread start-up.
    embedder
        .embed_blocking(texts.iter().take(64).cloned().collect())
        .map_err(|e| e.to_string())?;
    for &batch in &args.batches {
        let start = Instant::now();
        for chunk in texts.chunks(batch.max(1)) {
            embedder
                .embed_blocking(chunk.to_vec())
                .map_err(|e| e.to_string())?;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{}",
            serde_json::json!({
                "batch": batch,
                "sentences": texts.len(),
                "seconds": secs,
                "sentences_per_sec": texts.len() as f64 / secs,
                "workers": args.workers,
                "threads": args.threads,
                "max_batch": args.max_batch,
            })
        );
    }
    Ok(())
}
