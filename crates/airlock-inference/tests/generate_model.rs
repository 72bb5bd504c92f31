//! End-to-end generation with the installed SmolLM2 GGUF: determinism,
//! sampling seeds, limits, stop sequences and streaming. Token counts stay
//! small because the test machine is slow and shared.

mod common;

use airlock_inference::generate::{FinishReason, GenerateRequest, Generator, GeneratorOptions};
use std::sync::{Arc, Mutex, OnceLock};

const GGUF: &str = "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";

/// One model shared by all tests in this binary (loading takes seconds).
fn generator() -> Option<Generator> {
    static GENERATOR: OnceLock<Generator> = OnceLock::new();
    let path = common::model_path(GGUF)?;
    Some(
        GENERATOR
            .get_or_init(|| {
                Generator::load(GeneratorOptions {
                    gguf_path: path,
                    threads: 1,
                })
                .expect("model loads")
            })
            .clone(),
    )
}

fn request(prompt: &str, max_tokens: usize, temperature: f64, seed: u64) -> GenerateRequest {
    GenerateRequest {
        temperature,
        top_p: 0.95,
        seed,
        ..GenerateRequest::new(prompt, max_tokens)
    }
}

#[test]
fn greedy_is_deterministic_and_non_empty() {
    let Some(generator) = generator() else { return };
    let req = request("Name three colours.", 12, 0.0, 1);
    let first = generator
        .generate_blocking(req.clone(), |_| {})
        .expect("generates");
    let second = generator.generate_blocking(req, |_| {}).expect("generates");
    assert!(!first.text.trim().is_empty(), "empty reply");
    assert_eq!(first.text, second.text);
    assert!(
        first.prompt_tokens > 10,
        "the chat template adds a system turn"
    );
    assert_eq!(generator.model_sha256().len(), 64);
}

#[test]
fn sampling_follows_the_seed() {
    let Some(generator) = generator() else { return };
    let prompt = "Write a short poem about the sea.";
    let run = |seed| {
        generator
            .generate_blocking(request(prompt, 12, 0.8, seed), |_| {})
            .expect("generates")
            .text
    };
    let a = run(11);
    assert_eq!(a, run(11), "same seed, different text");
    // Different seeds could in principle agree; three in a row agreeing
    // with the first would mean the seed is ignored.
    let others = [run(12), run(13), run(14)];
    assert!(
        others.iter().any(|t| *t != a),
        "seeds 11..14 all gave {a:?}"
    );
}

#[test]
fn max_tokens_is_respected() {
    let Some(generator) = generator() else { return };
    let out = generator
        .generate_blocking(
            request("Count from 1 to 100, one number per line.", 5, 0.0, 0),
            |_| {},
        )
        .expect("generates");
    assert_eq!(out.finish_reason, FinishReason::Length);
    assert_eq!(out.completion_tokens, 5);
}

#[test]
fn stop_sequence_ends_the_reply_before_it() {
    let Some(generator) = generator() else { return };
    let prompt = "Count from 1 to 20, separated by commas.";
    let free = generator
        .generate_blocking(request(prompt, 24, 0.0, 0), |_| {})
        .expect("generates");
    // Stop at the second character of whatever the model writes greedily,
    // so the test does not depend on the exact wording.
    let mut chars = free.text.chars();
    let first = chars.next().expect("non-empty reply");
    let stop: String = chars.next().expect("two characters").to_string();
    let mut req = request(prompt, 24, 0.0, 0);
    req.stop = vec![stop.clone()];
    let streamed = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&streamed);
    let out = generator
        .generate_blocking(req, move |piece| sink.lock().expect("lock").push_str(piece))
        .expect("generates");
    assert_eq!(out.finish_reason, FinishReason::StopSequence);
    assert!(
        !out.text.contains(&stop),
        "{:?} contains the stop {stop:?}",
        out.text
    );
    assert!(free.text.starts_with(&out.text));
    assert!(out.text.starts_with(first));
    assert_eq!(*streamed.lock().expect("lock"), out.text);
}

#[test]
fn streamed_pieces_add_up_to_the_text() {
    let Some(generator) = generator() else { return };
    let streamed = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&streamed);
    let out = generator
        .generate_blocking(
            request("Say hello in French and Spanish.", 12, 0.0, 0),
            move |piece| sink.lock().expect("lock").push(piece.to_string()),
        )
        .expect("generates");
    let pieces = streamed.lock().expect("lock").clone();
    assert!(pieces.len() > 1, "expected several pieces, got {pieces:?}");
    assert_eq!(pieces.concat(), out.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_generate_streams_over_a_channel() {
    let Some(generator) = generator() else { return };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let out = generator
        .generate(request("What is 2+2?", 8, 0.0, 0), Some(tx))
        .await
        .expect("generates");
    let mut streamed = String::new();
    while let Some(piece) = rx.recv().await {
        streamed.push_str(&piece);
    }
    assert_eq!(streamed, out.text);
    assert!(out.completion_tokens >= 1 && out.completion_tokens <= 8);
}

#[test]
fn invalid_requests_are_rejected() {
    let Some(generator) = generator() else { return };
    for req in [
        request("hi", 0, 0.0, 0),
        request("hi", 4, -1.0, 0),
        GenerateRequest {
            top_p: 0.0,
            ..request("hi", 4, 0.5, 0)
        },
        request("hi", 100_000, 0.0, 0),
    ] {
        let err = generator
            .generate_blocking(req.clone(), |_| {})
            .expect_err("rejected");
        assert_eq!(
            err.kind(),
            airlock_core::ErrorKind::InvalidInput,
            "{req:?}: {err}"
        );
    }
}

#[test]
fn greedy_reply_matches_llama_cpp() {
    let Some(generator) = generator() else { return };
    let reference = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/smollm_token_ids.json");
    let Ok(json) = std::fs::read_to_string(&reference) else {
        eprintln!(
            "SKIPPED: greedy_reply_matches_llama_cpp: {} not generated yet",
            reference.display()
        );
        return;
    };
    let reference: serde_json::Value = serde_json::from_str(&json).expect("reference is JSON");
    let greedy = &reference["greedy_completion"];
    let prompt_ids = greedy["prompt_ids"].as_array().expect("prompt_ids");
    let expected = greedy["text"].as_str().expect("text");
    let max_tokens = greedy["max_tokens"].as_u64().expect("max_tokens") as usize;
    // The reference prompt is the default system turn plus this user turn.
    let out = generator
        .generate_blocking(request("What is 2+2?", max_tokens, 0.0, 0), |_| {})
        .expect("generates");
    assert_eq!(out.prompt_tokens, prompt_ids.len());
    assert_eq!(out.text, expected);
    if greedy["stopped_at_eos"].as_bool() == Some(true) {
        assert_eq!(out.finish_reason, FinishReason::Stop);
    }
}
