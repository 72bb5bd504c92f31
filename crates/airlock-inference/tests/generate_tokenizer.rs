//! The tokenizer built from the SmolLM2 GGUF metadata must produce exactly
//! llama.cpp's token ids (`add_bos=False, special=True`).

mod common;

use airlock_inference::generate::GgufTokenizer;
use std::path::PathBuf;

const GGUF: &str = "smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf";

fn tokenizer() -> Option<GgufTokenizer> {
    let path = common::model_path(GGUF)?;
    Some(GgufTokenizer::from_file(&path).expect("tokenizer builds from the GGUF metadata"))
}

#[test]
fn hand_checked_cases() {
    let Some(tokenizer) = tokenizer() else { return };
    // Expected ids looked up by hand in the GGUF's token list.
    let cases: &[(&str, &[u32])] = &[
        // Control tokens are single tokens, glued words are not split oddly.
        ("<|im_start|>system", &[1, 9690]),
        ("<|im_end|>", &[2]),
        ("Hello world", &[19556, 905]),
        // smollm pre-tokenization: every digit on its own.
        ("12345", &[33, 34, 35, 36, 37]),
        ("3.14", &[35, 30, 33, 36]),
        // A run of spaces leaves the last one to the next word.
        ("multiple   spaces", &[30404, 256, 5600]),
        ("", &[]),
    ];
    for (text, expected) in cases {
        let ids = tokenizer.encode(text).expect("encodes");
        assert_eq!(&ids, expected, "token ids of {text:?}");
    }
}

#[test]
fn matches_llama_cpp_reference_ids() {
    let Some(tokenizer) = tokenizer() else { return };
    let reference =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/smollm_token_ids.json");
    let Ok(json) = std::fs::read_to_string(&reference) else {
        eprintln!(
            "SKIPPED: matches_llama_cpp_reference_ids: {} not generated yet (run: bench/.venv/bin/python bench/reference_tokens.py)",
            reference.display()
        );
        return;
    };
    let reference: serde_json::Value = serde_json::from_str(&json).expect("reference is JSON");
    let cases = reference["cases"].as_array().expect("`cases` is an array");
    assert!(!cases.is_empty(), "reference has no cases");
    let mut mismatches = Vec::new();
    for case in cases {
        let text = case["text"].as_str().expect("case has `text`");
        let expected: Vec<u32> = case["ids"]
            .as_array()
            .expect("case has `ids`")
            .iter()
            .map(|id| id.as_u64().expect("ids are integers") as u32)
            .collect();
        let ids = tokenizer.encode(text).expect("encodes");
        if ids != expected {
            mismatches.push(format!(
                "{text:?}\n  ours:      {ids:?}\n  llama.cpp: {expected:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "token ids differ from llama.cpp:\n{}",
        mismatches.join("\n")
    );
}
