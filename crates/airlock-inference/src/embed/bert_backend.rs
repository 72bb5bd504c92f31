//! BERT encoder forward pass over *packed* sequences, plus mean pooling and
//! L2 normalisation.
//!
//! Sequences of a batch are laid end to end (no padding), so every dense
//! layer is one large matrix multiply over exactly the real tokens and
//! attention runs per sequence: no compute is spent on padding and no
//! attention mask is needed. This is mathematically the same as a padded,
//! masked batch (which is what sentence-transformers computes).

use super::kernels::{self, add_layer_norm_rows, axpy, dot, gelu_in_place, softmax_in_place};
use super::loader::BertWeights;
use super::matmul::{linear_forward, Threads};
use airlock_core::{Error, Result};
use rayon::prelude::*;

/// Work buffers reused across batches by one worker.
#[derive(Default)]
pub struct Scratch {
    hidden: Vec<f32>,
    qkv: Vec<f32>,
    context: Vec<f32>,
    projected: Vec<f32>,
    intermediate: Vec<f32>,
}

/// Rows per parallel unit for row-wise kernels when running multi-threaded.
const ROWS_PER_TASK: usize = 16;

/// Unit-length mean-pooled sentence embeddings of `sequences` (token ids,
/// special tokens included, each at most `max_position_embeddings` long).
pub fn embed_sequences(
    weights: &BertWeights,
    sequences: &[Vec<u32>],
    threads: Threads,
    scratch: &mut Scratch,
) -> Result<Vec<Vec<f32>>> {
    let cfg = &weights.config;
    let h = cfg.hidden_size;
    let total: usize = sequences.iter().map(Vec::len).sum();
    let spans = spans(sequences);

    embed_tokens(weights, sequences, &mut scratch.hidden)?;
    let eps = cfg.layer_norm_eps as f32;
    row_wise(threads, &mut scratch.hidden, h, |rows| {
        add_layer_norm_rows(
            rows,
            None,
            &weights.embed_norm.gamma,
            &weights.embed_norm.beta,
            eps,
        )
    });

    for layer in &weights.layers {
        linear_forward(
            &scratch.hidden,
            total,
            &layer.qkv,
            &mut scratch.qkv,
            threads,
        );
        attention(
            &scratch.qkv,
            &spans,
            h,
            cfg.num_attention_heads,
            &mut scratch.context,
            threads,
        );
        linear_forward(
            &scratch.context,
            total,
            &layer.attn_out,
            &mut scratch.projected,
            threads,
        );
        add_norm(
            threads,
            &mut scratch.hidden,
            &scratch.projected,
            h,
            &layer.attn_norm.gamma,
            &layer.attn_norm.beta,
            eps,
        );

        linear_forward(
            &scratch.hidden,
            total,
            &layer.ffn_in,
            &mut scratch.intermediate,
            threads,
        );
        row_wise(
            threads,
            &mut scratch.intermediate,
            layer.ffn_in.out_dim,
            gelu_in_place,
        );
        linear_forward(
            &scratch.intermediate,
            total,
            &layer.ffn_out,
            &mut scratch.projected,
            threads,
        );
        add_norm(
            threads,
            &mut scratch.hidden,
            &scratch.projected,
            h,
            &layer.ffn_norm.gamma,
            &layer.ffn_norm.beta,
            eps,
        );
    }

    Ok(spans
        .iter()
        .map(|&(start, len)| mean_pool_normalised(&scratch.hidden[start * h..(start + len) * h], h))
        .collect())
}

/// `(first token, length)` of each sequence in the packed batch.
fn spans(sequences: &[Vec<u32>]) -> Vec<(usize, usize)> {
    let mut start = 0;
    sequences
        .iter()
        .map(|s| {
            let span = (start, s.len());
            start += s.len();
            span
        })
        .collect()
}

/// Word + position + token-type (always type 0: single sentences) embeddings.
fn embed_tokens(weights: &BertWeights, sequences: &[Vec<u32>], out: &mut Vec<f32>) -> Result<()> {
    let cfg = &weights.config;
    let h = cfg.hidden_size;
    out.clear();
    let type0 = &weights.token_type_embeddings[..h];
    for seq in sequences {
        if seq.len() > cfg.max_position_embeddings {
            return Err(Error::internal(format!(
                "sequence of {} tokens exceeds the model's {} positions (truncation failed)",
                seq.len(),
                cfg.max_position_embeddings
            )));
        }
        for (pos, &id) in seq.iter().enumerate() {
            let id = id as usize;
            let word = weights
                .word_embeddings
                .get(id * h..(id + 1) * h)
                .ok_or_else(|| {
                    Error::inference(format!(
                        "token id {id} is outside the model's vocabulary of {} (tokenizer.json does not match model.safetensors)",
                        cfg.vocab_size
                    ))
                })?;
            let position = &weights.position_embeddings[pos * h..(pos + 1) * h];
            out.extend(
                word.iter()
                    .zip(position)
                    .zip(type0)
                    .map(|((w, p), t)| w + p + t),
            );
        }
    }
    Ok(())
}

/// `hidden = LayerNorm(hidden + projected)`.
fn add_norm(
    threads: Threads,
    hidden: &mut [f32],
    projected: &[f32],
    h: usize,
    gamma: &[f32],
    beta: &[f32],
    eps: f32,
) {
    match threads {
        Threads::One => add_layer_norm_rows(hidden, Some(projected), gamma, beta, eps),
        Threads::Pool(_) => hidden
            .par_chunks_mut(h * ROWS_PER_TASK)
            .zip(projected.par_chunks(h * ROWS_PER_TASK))
            .for_each(|(rows, res)| add_layer_norm_rows(rows, Some(res), gamma, beta, eps)),
    }
}

/// Applies `f` to groups of whole rows, in parallel when allowed.
fn row_wise(
    threads: Threads,
    data: &mut [f32],
    row_len: usize,
    f: impl Fn(&mut [f32]) + Sync + Send,
) {
    match threads {
        Threads::One => f(data),
        Threads::Pool(_) => data.par_chunks_mut(row_len * ROWS_PER_TASK).for_each(f),
    }
}

/// Scaled dot-product self-attention of every sequence with itself, all
/// heads; `qkv` rows are `[q | k | v]`, `context` gets `total × h`.
fn attention(
    qkv: &[f32],
    spans: &[(usize, usize)],
    h: usize,
    heads: usize,
    context: &mut Vec<f32>,
    threads: Threads,
) {
    let total: usize = spans.iter().map(|s| s.1).sum();
    context.clear();
    context.resize(total * h, 0.0);
    // Split `context` into one disjoint slice per sequence.
    let mut per_seq = Vec::with_capacity(spans.len());
    let mut rest = context.as_mut_slice();
    for &(start, len) in spans {
        let (mine, tail) = rest.split_at_mut(len * h);
        per_seq.push((start, len, mine));
        rest = tail;
    }
    let run = |(start, len, out): (usize, usize, &mut [f32])| {
        let rows = &qkv[start * 3 * h..(start + len) * 3 * h];
        kernels::with_simd(|| sequence_attention(rows, len, h, heads, out));
    };
    match threads {
        Threads::One => per_seq.into_iter().for_each(run),
        Threads::Pool(_) => per_seq.into_par_iter().for_each(run),
    }
}

/// Attention within one sequence of `len` tokens.
#[inline(always)]
fn sequence_attention(rows: &[f32], len: usize, h: usize, heads: usize, out: &mut [f32]) {
    let d = h / heads;
    let scale = 1.0 / (d as f32).sqrt();
    let stride = 3 * h;
    let mut scores = vec![0.0f32; len];
    for head in 0..heads {
        let (q_off, k_off, v_off) = (head * d, h + head * d, 2 * h + head * d);
        for i in 0..len {
            let q = &rows[i * stride + q_off..i * stride + q_off + d];
            for (j, s) in scores.iter_mut().enumerate() {
                *s = dot(q, &rows[j * stride + k_off..j * stride + k_off + d]) * scale;
            }
            softmax_in_place(&mut scores);
            let ctx = &mut out[i * h + head * d..i * h + head * d + d];
            for (j, &p) in scores.iter().enumerate() {
                axpy(p, &rows[j * stride + v_off..j * stride + v_off + d], ctx);
            }
        }
    }
}

/// Mean of the token rows of one sequence, scaled to unit length.
fn mean_pool_normalised(rows: &[f32], h: usize) -> Vec<f32> {
    let mut pooled = vec![0.0f32; h];
    let count = rows.len() / h;
    for row in rows.chunks_exact(h) {
        for (p, v) in pooled.iter_mut().zip(row) {
            *p += v;
        }
    }
    let inv = 1.0 / count.max(1) as f32;
    pooled.iter_mut().for_each(|p| *p *= inv);
    normalise(&mut pooled);
    pooled
}

/// Scales `v` to unit L2 norm (left as is if it is all zeros), like
/// `torch.nn.functional.normalize` with its 1e-12 floor.
pub fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_consecutive() {
        let seqs = vec![vec![1, 2, 3], vec![4], vec![5, 6]];
        assert_eq!(spans(&seqs), vec![(0, 3), (3, 1), (4, 2)]);
    }

    #[test]
    fn mean_pool_is_unit_length_and_averaged() {
        // two tokens [1, 0] and [3, 0] -> mean [2, 0] -> [1, 0]
        let v = mean_pool_normalised(&[1.0, 0.0, 3.0, 0.0], 2);
        assert_eq!(v, vec![1.0, 0.0]);
        let v = mean_pool_normalised(&[3.0, 4.0], 2);
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
    }

    #[test]
    fn attention_of_single_token_copies_value() {
        // one token, h = 4, 2 heads: context equals v whatever q and k are.
        let rows = [
            0.3, -1.0, 2.0, 0.5, 1.0, 1.0, -1.0, 4.0, 7.0, 8.0, 9.0, 10.0,
        ];
        let mut out = vec![0.0; 4];
        sequence_attention(&rows, 1, 4, 2, &mut out);
        assert_eq!(out, vec![7.0, 8.0, 9.0, 10.0]);
    }
}
