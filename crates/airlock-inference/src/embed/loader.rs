//! Reads a sentence-embedding model directory in Hugging Face layout
//! (`config.json`, `tokenizer.json`, `model.safetensors`, optional
//! `sentence_bert_config.json`) into validated BERT weights, turning every
//! missing or damaged file into an error that names it.

use airlock_core::{Error, ErrorKind, Result};
use candle_core::{DType, Device, Tensor};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const FETCH_HINT: &str =
    "run `airlock models fetch` or point models.embedding at a Hugging Face directory";
const CORRUPT_HINT: &str =
    "the file is damaged or not a BERT model; run `airlock models fetch` to reinstall it";
/// Used when `sentence_bert_config.json` is absent (sentence-transformers' default for MiniLM).
const DEFAULT_MAX_SEQ_LEN: usize = 256;

/// The fields of a Hugging Face BERT `config.json` the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab_size")]
    pub type_vocab_size: usize,
    #[serde(default = "default_layer_norm_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
}

fn default_type_vocab_size() -> usize {
    2
}
fn default_layer_norm_eps() -> f64 {
    1e-12
}
fn default_hidden_act() -> String {
    "gelu".to_string()
}

#[derive(Debug, Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

/// A dense layer stored for `y = x · w + b` with `w` as `[in_dim × out_dim]`
/// row-major (transposed from PyTorch's `[out × in]` once, at load time).
pub struct Linear {
    pub w: Vec<f32>,
    pub b: Vec<f32>,
    pub in_dim: usize,
    pub out_dim: usize,
}

/// Scale and shift of a layer normalisation.
pub struct LayerNormWeights {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
}

/// One transformer block; query, key and value are fused into one layer
/// whose output row is `[q | k | v]`.
pub struct BertLayerWeights {
    pub qkv: Linear,
    pub attn_out: Linear,
    pub attn_norm: LayerNormWeights,
    pub ffn_in: Linear,
    pub ffn_out: Linear,
    pub ffn_norm: LayerNormWeights,
}

/// All weights of a BERT encoder, in the layout the forward pass reads.
pub struct BertWeights {
    pub config: BertConfig,
    pub word_embeddings: Vec<f32>,
    pub position_embeddings: Vec<f32>,
    pub token_type_embeddings: Vec<f32>,
    pub embed_norm: LayerNormWeights,
    pub layers: Vec<BertLayerWeights>,
}

/// Everything read from a model directory.
pub struct LoadedModel {
    pub weights: BertWeights,
    pub tokenizer_path: PathBuf,
    pub max_seq_len: usize,
    pub model_sha256: String,
}

fn missing(path: &Path) -> Error {
    Error::new(
        ErrorKind::ModelMissing,
        format!("embedding model file {} not found", path.display()),
    )
    .with_field(path.display().to_string())
    .with_hint(FETCH_HINT)
}

/// A `ModelCorrupt` error naming `path` and saying what is wrong with it.
pub fn corrupt(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::ModelCorrupt,
        format!(
            "embedding model file {} is unusable: {what}",
            path.display()
        ),
    )
    .with_field(path.display().to_string())
    .with_hint(CORRUPT_HINT)
}

/// Reads a file, mapping "not found" to `ModelMissing`.
fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => missing(path),
        _ => Error::io(path, "read embedding model file", e),
    })
}

/// Loads and validates the model directory `dir`.
pub fn load_model_dir(dir: &Path) -> Result<LoadedModel> {
    if !dir.is_dir() {
        return Err(Error::new(
            ErrorKind::ModelMissing,
            format!("embedding model directory {} not found", dir.display()),
        )
        .with_field(dir.display().to_string())
        .with_hint(FETCH_HINT));
    }
    let config_path = dir.join("config.json");
    let config: BertConfig = serde_json::from_slice(&read(&config_path)?)
        .map_err(|e| corrupt(&config_path, format!("not a BERT config.json: {e}")))?;
    validate_config(&config, &config_path)?;

    let tokenizer_path = dir.join("tokenizer.json");
    if !tokenizer_path.is_file() {
        return Err(missing(&tokenizer_path));
    }

    let max_seq_len = read_max_seq_len(dir)?.min(config.max_position_embeddings);

    let weights_path = dir.join("model.safetensors");
    let bytes = read(&weights_path)?;
    let model_sha256 = hex::encode(Sha256::digest(&bytes));
    let tensors = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
        .map_err(|e| corrupt(&weights_path, e))?;
    drop(bytes);
    let weights = WeightReader {
        tensors,
        path: &weights_path,
    }
    .bert(config)?;
    Ok(LoadedModel {
        weights,
        tokenizer_path,
        max_seq_len,
        model_sha256,
    })
}

fn validate_config(config: &BertConfig, path: &Path) -> Result<()> {
    if config.hidden_act != "gelu" {
        return Err(corrupt(
            path,
            format!(
                "hidden_act `{}` is not supported (only `gelu`)",
                config.hidden_act
            ),
        ));
    }
    let dims = [
        ("vocab_size", config.vocab_size),
        ("hidden_size", config.hidden_size),
        ("num_hidden_layers", config.num_hidden_layers),
        ("num_attention_heads", config.num_attention_heads),
        ("intermediate_size", config.intermediate_size),
        ("max_position_embeddings", config.max_position_embeddings),
        ("type_vocab_size", config.type_vocab_size),
    ];
    if let Some((name, _)) = dims.iter().find(|(_, v)| *v == 0) {
        return Err(corrupt(path, format!("`{name}` must be positive")));
    }
    if !config
        .hidden_size
        .is_multiple_of(config.num_attention_heads)
    {
        return Err(corrupt(
            path,
            "`hidden_size` is not a multiple of `num_attention_heads`",
        ));
    }
    Ok(())
}

/// `max_seq_length` from `sentence_bert_config.json`, or the default if the
/// file is absent.
fn read_max_seq_len(dir: &Path) -> Result<usize> {
    let path = dir.join("sentence_bert_config.json");
    if !path.exists() {
        return Ok(DEFAULT_MAX_SEQ_LEN);
    }
    let parsed: SentenceBertConfig =
        serde_json::from_slice(&read(&path)?).map_err(|e| corrupt(&path, e))?;
    match parsed.max_seq_length {
        None => Ok(DEFAULT_MAX_SEQ_LEN),
        Some(n) if n >= 2 => Ok(n),
        Some(n) => Err(corrupt(&path, format!("max_seq_length {n} is below 2"))),
    }
}

/// Pulls named tensors out of the parsed safetensors with shape checks.
struct WeightReader<'a> {
    tensors: HashMap<String, Tensor>,
    path: &'a Path,
}

impl WeightReader<'_> {
    /// The f32 values of tensor `name`, which must have `shape`.
    fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        // Some exports prefix every name with `bert.`.
        let tensor = match self.tensors.remove(name) {
            Some(t) => t,
            None => self
                .tensors
                .remove(&format!("bert.{name}"))
                .ok_or_else(|| corrupt(self.path, format!("tensor `{name}` is missing")))?,
        };
        if tensor.dims() != shape {
            return Err(corrupt(
                self.path,
                format!(
                    "tensor `{name}` has shape {:?}, expected {shape:?}",
                    tensor.dims()
                ),
            ));
        }
        tensor
            .to_dtype(DType::F32)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|e| corrupt(self.path, format!("tensor `{name}`: {e}")))
    }

    /// A PyTorch `nn.Linear` (`weight` is `[out × in]`), transposed for `x · w`.
    fn linear(&mut self, prefix: &str, in_dim: usize, out_dim: usize) -> Result<Linear> {
        let w = self.take(&format!("{prefix}.weight"), &[out_dim, in_dim])?;
        let b = self.take(&format!("{prefix}.bias"), &[out_dim])?;
        Ok(Linear {
            w: transpose(&w, out_dim, in_dim),
            b,
            in_dim,
            out_dim,
        })
    }

    fn layer_norm(&mut self, prefix: &str, dim: usize) -> Result<LayerNormWeights> {
        // Old BERT checkpoints call them gamma/beta.
        let gamma = self
            .take(&format!("{prefix}.weight"), &[dim])
            .or_else(|_| self.take(&format!("{prefix}.gamma"), &[dim]))?;
        let beta = self
            .take(&format!("{prefix}.bias"), &[dim])
            .or_else(|_| self.take(&format!("{prefix}.beta"), &[dim]))?;
        Ok(LayerNormWeights { gamma, beta })
    }

    fn bert(mut self, config: BertConfig) -> Result<BertWeights> {
        let h = config.hidden_size;
        let word_embeddings =
            self.take("embeddings.word_embeddings.weight", &[config.vocab_size, h])?;
        let position_embeddings = self.take(
            "embeddings.position_embeddings.weight",
            &[config.max_position_embeddings, h],
        )?;
        let token_type_embeddings = self.take(
            "embeddings.token_type_embeddings.weight",
            &[config.type_vocab_size, h],
        )?;
        let embed_norm = self.layer_norm("embeddings.LayerNorm", h)?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{i}");
            let q = self.linear(&format!("{p}.attention.self.query"), h, h)?;
            let k = self.linear(&format!("{p}.attention.self.key"), h, h)?;
            let v = self.linear(&format!("{p}.attention.self.value"), h, h)?;
            layers.push(BertLayerWeights {
                qkv: fuse_columns(&[q, k, v]),
                attn_out: self.linear(&format!("{p}.attention.output.dense"), h, h)?,
                attn_norm: self.layer_norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                ffn_in: self.linear(
                    &format!("{p}.intermediate.dense"),
                    h,
                    config.intermediate_size,
                )?,
                ffn_out: self.linear(&format!("{p}.output.dense"), config.intermediate_size, h)?,
                ffn_norm: self.layer_norm(&format!("{p}.output.LayerNorm"), h)?,
            });
        }
        Ok(BertWeights {
            config,
            word_embeddings,
            position_embeddings,
            token_type_embeddings,
            embed_norm,
            layers,
        })
    }
}

/// `[rows × cols]` row-major → `[cols × rows]` row-major.
fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; m.len()];
    for (r, row) in m.chunks_exact(cols).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            out[c * rows + r] = v;
        }
    }
    out
}

/// Layers with the same input, side by side: output row is `[y0 | y1 | ...]`.
fn fuse_columns(parts: &[Linear]) -> Linear {
    let in_dim = parts.first().map_or(0, |p| p.in_dim);
    let out_dim: usize = parts.iter().map(|p| p.out_dim).sum();
    let mut w = Vec::with_capacity(in_dim * out_dim);
    for r in 0..in_dim {
        for p in parts {
            w.extend_from_slice(&p.w[r * p.out_dim..(r + 1) * p.out_dim]);
        }
    }
    let b = parts.iter().flat_map(|p| p.b.iter().copied()).collect();
    Linear {
        w,
        b,
        in_dim,
        out_dim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_swaps_rows_and_columns() {
        // [[1,2,3],[4,5,6]] -> [[1,4],[2,5],[3,6]]
        let t = transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3);
        assert_eq!(t, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }

    #[test]
    fn fused_columns_interleave_per_input_row() {
        let a = Linear {
            w: vec![1.0, 2.0],
            b: vec![10.0],
            in_dim: 2,
            out_dim: 1,
        };
        let b = Linear {
            w: vec![3.0, 4.0, 5.0, 6.0],
            b: vec![20.0, 30.0],
            in_dim: 2,
            out_dim: 2,
        };
        let f = fuse_columns(&[a, b]);
        assert_eq!(f.out_dim, 3);
        assert_eq!(f.w, vec![1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
        assert_eq!(f.b, vec![10.0, 20.0, 30.0]);
    }

    #[test]
    fn missing_directory_is_model_missing() {
        let err = load_model_dir(Path::new("/nonexistent/airlock-model")).err();
        let err = err.map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::ModelMissing));
    }
}
