//! Generation speed of Airlock's candle engine on the SmolLM2 GGUF, for
//! comparison with `bench/generate_bench.py` (llama.cpp).
//!
//! Greedy decoding of the same fixed prompt as the llama.cpp benchmark; the
//! median over `--repeats` runs (after one warm-up) is printed as one JSON
//! line. The prompt asks for a long explanation so the reply normally runs
//! to `--tokens`; `completion_tokens` shows if it ended earlier.
//!
//! ```text
//! cargo run --release -p airlock-inference --example generate_bench -- --threads 1 --tokens 128
//! ```

use airlock_inference::generate::{GenerateRequest, Generator, GeneratorOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const PROMPT: &str = "Explain step by step what happens when I pay in a shop with my bank card, \
                      from tapping the card to the money leaving my account.";
const GGUF: &str = "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";

struct Args {
    gguf: PathBuf,
    threads: usize,
    tokens: usize,
    repeats: usize,
}

fn parse_args() -> Result<Args, String> {
    let models = std::env::var_os("AIRLOCK_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../airlock-data/models")
        });
    let mut args = Args {
        gguf: models.join(GGUF),
        threads: 1,
        tokens: 128,
        repeats: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--gguf" => args.gguf = PathBuf::from(&value),
            "--threads" => args.threads = number()?,
            "--tokens" => args.tokens = number()?,
            "--repeats" => args.repeats = number()?,
            other => {
                return Err(format!(
                    "unknown flag {other} (use --gguf, --threads, --tokens, --repeats)"
                ))
            }
        }
    }
    if args.tokens < 2 || args.repeats < 1 || args.threads < 1 {
        return Err("--tokens must be at least 2, --repeats and --threads at least 1".to_string());
    }
    Ok(args)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let load_started = Instant::now();
    let generator = match Generator::load(GeneratorOptions {
        gguf_path: args.gguf.clone(),
        threads: args.threads,
    }) {
        Ok(generator) => generator,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(err.kind().exit_code());
        }
    };
    let load_ms = load_started.elapsed().as_secs_f64() * 1000.0;
    let request = GenerateRequest::new(PROMPT, args.tokens);
    let mut runs = Vec::new();
    for run in 0..=args.repeats {
        let req = if run == 0 {
            GenerateRequest::new(PROMPT, 8)
        } else {
            request.clone()
        };
        match generator.generate_blocking(req, |_| {}) {
            Ok(out) if run > 0 => runs.push(out),
            Ok(_) => {}
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(err.kind().exit_code());
            }
        }
    }
    let Some(first) = runs.first() else {
        eprintln!("error: no timed runs");
        return ExitCode::FAILURE;
    };
    let ttft_ms = median(
        runs.iter()
            .map(|r| r.time_to_first_token.as_secs_f64() * 1000.0)
            .collect(),
    );
    let decode_rates: Vec<f64> = runs
        .iter()
        .map(|r| {
            let rest = (r.total - r.time_to_first_token).as_secs_f64();
            r.completion_tokens.saturating_sub(1) as f64 / rest.max(f64::EPSILON)
        })
        .collect();
    let best = decode_rates.iter().copied().fold(0.0, f64::max);
    let report = serde_json::json!({
        "impl": "airlock-candle",
        "prompt_tokens": first.prompt_tokens,
        "completion_tokens": first.completion_tokens,
        "finish_reason": first.finish_reason.as_str(),
        "time_to_first_token_ms": (ttft_ms * 100.0).round() / 100.0,
        "decode_tokens_per_sec": (median(decode_rates) * 100.0).round() / 100.0,
        "best_decode_tokens_per_sec": (best * 100.0).round() / 100.0,
        "threads": generator.threads(),
        "repeats": args.repeats,
        "load_ms": load_ms.round(),
        "completion_head": first.text.chars().take(80).collect::<String>(),
    });
    println!("{report}");
    ExitCode::SUCCESS
}
