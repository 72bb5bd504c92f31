//! Builds the model's tokenizer from the GGUF metadata, so token ids match
//! llama.cpp's for the same file.
//!
//! candle has no tokenizer for GGUF files whose pre-tokenizer is `smollm`, and
//! a GPT-2 fallback splits strings differently from llama.cpp. So this module
//! assembles a `tokenizers::Tokenizer` by hand from the metadata keys
//! `tokenizer.ggml.{tokens,token_type,merges}`: byte-level BPE, the `smollm`
//! pre-tokenization (every digit split off on its own, then the GPT-2 word
//! regex, as llama.cpp does for `LLAMA_VOCAB_PRE_TYPE_SMOLLM`), and the
//! control tokens (`<|im_start|>`, ...) as special added tokens so each is
//! always one token.

use super::model_file::{corrupt, missing};
use airlock_core::{Error, Result};
use candle_core::quantized::gguf_file::{Content, Value};
use std::collections::HashMap;
use std::path::Path;
use tokenizers::decoders::byte_level::ByteLevel;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

/// llama.cpp's `token_type` for control tokens (`<|im_start|>`, EOS, ...).
const TOKEN_TYPE_CONTROL: u32 = 3;
/// llama.cpp's `token_type` for user-defined tokens (matched verbatim in text).
const TOKEN_TYPE_USER_DEFINED: u32 = 4;

/// The pre-tokenizers this module knows how to reproduce.
const SUPPORTED_PRE: &[&str] = &["smollm"];

/// The tokenizer and the token ids generation needs to know about.
pub struct GgufTokenizer {
    pub tokenizer: Tokenizer,
    /// Token ids that end a reply: EOS and every control token that means
    /// "end of text/turn" (`<|im_end|>`, `<|endoftext|>`).
    pub end_of_turn_ids: Vec<u32>,
}

impl GgufTokenizer {
    /// Token ids of `text`, parsing special tokens such as `<|im_start|>` and
    /// adding no BOS (llama.cpp's `add_bos=False, special=True`).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self
            .tokenizer
            .encode_fast(text, false)
            .map_err(|e| Error::internal(format!("tokenizing the prompt failed: {e}")))?;
        Ok(encoding.get_ids().to_vec())
    }
}

impl GgufTokenizer {
    /// Reads only the metadata of the GGUF file at `path` and builds its
    /// tokenizer (for counting or checking tokens without loading weights).
    pub fn from_file(path: &Path) -> Result<GgufTokenizer> {
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(missing(path)),
            Err(err) => return Err(Error::io(path, "open the generation model", err)),
        };
        let content = Content::read(&mut std::io::BufReader::new(file))
            .map_err(|e| corrupt(path, format!("it is not a readable GGUF file: {e}")))?;
        from_metadata(&content.metadata, path)
    }
}

/// Builds the tokenizer from `metadata` of the GGUF file at `path`.
pub fn from_metadata(metadata: &HashMap<String, Value>, path: &Path) -> Result<GgufTokenizer> {
    let invalid = |msg: String| corrupt(path, format!("its tokenizer is invalid: {msg}"));
    let get = |key: &str| {
        metadata
            .get(key)
            .ok_or_else(|| invalid(format!("metadata key `{key}` is missing")))
    };

    let model = string_value(
        get("tokenizer.ggml.model")?,
        "tokenizer.ggml.model",
        &invalid,
    )?;
    if model != "gpt2" {
        return Err(invalid(format!(
            "tokenizer model `{model}` is not supported (expected `gpt2` byte-level BPE)"
        )));
    }
    let pre = string_value(get("tokenizer.ggml.pre")?, "tokenizer.ggml.pre", &invalid)?;
    if !SUPPORTED_PRE.contains(&pre.as_str()) {
        return Err(invalid(format!(
            "pre-tokenizer `{pre}` is not supported (supported: {})",
            SUPPORTED_PRE.join(", ")
        )));
    }

    let tokens = string_list(
        get("tokenizer.ggml.tokens")?,
        "tokenizer.ggml.tokens",
        &invalid,
    )?;
    let token_types = u32_list(
        get("tokenizer.ggml.token_type")?,
        "tokenizer.ggml.token_type",
        &invalid,
    )?;
    if token_types.len() != tokens.len() {
        return Err(invalid(format!(
            "tokenizer.ggml.token_type has {} entries but tokenizer.ggml.tokens has {}",
            token_types.len(),
            tokens.len()
        )));
    }
    let merges = string_list(
        get("tokenizer.ggml.merges")?,
        "tokenizer.ggml.merges",
        &invalid,
    )?;
    let merges = merges
        .iter()
        .enumerate()
        .map(|(i, merge)| {
            merge
                .split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| invalid(format!("merge #{i} `{merge}` is not `left right`")))
        })
        .collect::<Result<Vec<_>>>()?;

    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(id, token)| Ok((token.clone(), token_id(id, &invalid)?)))
        .collect::<Result<_>>()?;
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| invalid(format!("the BPE vocabulary is invalid: {e}")))?;

    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(smollm_pre_tokenizer()?));
    tokenizer.with_decoder(Some(ByteLevel::default()));

    let mut special = Vec::new();
    let mut user_defined = Vec::new();
    for (token, &kind) in tokens.iter().zip(&token_types) {
        match kind {
            TOKEN_TYPE_CONTROL => special.push(AddedToken::from(token.clone(), true)),
            TOKEN_TYPE_USER_DEFINED => {
                user_defined.push(AddedToken::from(token.clone(), false).normalized(false))
            }
            _ => {}
        }
    }
    tokenizer
        .add_special_tokens(special)
        .map_err(|e| invalid(format!("the control tokens cannot be registered: {e}")))?;
    tokenizer
        .add_tokens(user_defined)
        .map_err(|e| invalid(format!("the user-defined tokens cannot be registered: {e}")))?;

    let eos = get("tokenizer.ggml.eos_token_id")?
        .to_u32()
        .map_err(|e| invalid(format!("tokenizer.ggml.eos_token_id: {e}")))?;
    let mut end_of_turn_ids = vec![eos];
    for name in ["<|im_end|>", "<|endoftext|>"] {
        if let Some(id) = tokenizer.token_to_id(name) {
            if !end_of_turn_ids.contains(&id) {
                end_of_turn_ids.push(id);
            }
        }
    }
    Ok(GgufTokenizer {
        tokenizer,
        end_of_turn_ids,
    })
}

/// llama.cpp's `smollm` pre-tokenization: every numeric character becomes its
/// own piece, then the GPT-2 regex splits words, numbers, punctuation runs
/// and whitespace (the byte-level step also maps bytes to BPE symbols).
fn smollm_pre_tokenizer() -> Result<Sequence> {
    let digits = Split::new(
        SplitPattern::Regex(r"\p{N}".to_string()),
        SplitDelimiterBehavior::Isolated,
        false,
    )
    .map_err(|e| Error::internal(format!("the digit-split regex does not compile: {e}")))?;
    let byte_level = ByteLevel::new(false, false, true);
    Ok(Sequence::new(vec![digits.into(), byte_level.into()]))
}

fn token_id(index: usize, invalid: &impl Fn(String) -> Error) -> Result<u32> {
    u32::try_from(index).map_err(|_| invalid(format!("token index {index} does not fit in u32")))
}

fn string_value(value: &Value, key: &str, invalid: &impl Fn(String) -> Error) -> Result<String> {
    value
        .to_string()
        .cloned()
        .map_err(|e| invalid(format!("{key}: {e}")))
}

fn string_list(
    value: &Value,
    key: &str,
    invalid: &impl Fn(String) -> Error,
) -> Result<Vec<String>> {
    let list = value.to_vec().map_err(|e| invalid(format!("{key}: {e}")))?;
    list.iter()
        .map(|v| {
            v.to_string()
                .cloned()
                .map_err(|e| invalid(format!("{key}: {e}")))
        })
        .collect()
}

fn u32_list(value: &Value, key: &str, invalid: &impl Fn(String) -> Error) -> Result<Vec<u32>> {
    let list = value.to_vec().map_err(|e| invalid(format!("{key}: {e}")))?;
    list.iter()
        .map(|v| match v {
            Value::I32(x) => u32::try_from(*x).map_err(|_| invalid(format!("{key}: {x} < 0"))),
            other => other.to_u32().map_err(|e| invalid(format!("{key}: {e}"))),
        })
        .collect()
}
