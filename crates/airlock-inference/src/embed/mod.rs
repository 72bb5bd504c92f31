//! Sentence embeddings with all-MiniLM-L6-v2 (or any BERT model in Hugging
//! Face layout): tokenize, encode, mean-pool over real tokens, L2-normalise;
//! the same vectors sentence-transformers produces.
//!
//! [`Embedder`] is a cheap-to-clone handle to dedicated worker threads fed
//! by a channel; callers block ([`Embedder::embed_blocking`]) or await
//! ([`Embedder::embed`]) without ever running the model on an async
//! runtime's threads. Requests are split into batches of at most
//! `max_batch` texts, spread over the workers, and reassembled in order.
//!
//! Modules: [`loader`] (files, validation, errors), `tokenize`, `matmul`
//! and `kernels` (compute primitives), `bert_backend` (the forward pass),
//! `worker` (threads and queue).

mod bert_backend;
mod kernels;
pub mod loader;
mod matmul;
mod tokenize;
mod worker;

use airlock_core::{Error, Result};
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use worker::{Job, Model, Reply};

/// How to load and run an [`Embedder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedderOptions {
    /// Model directory in Hugging Face layout.
    pub model_dir: PathBuf,
    /// Worker threads, each running whole batches independently.
    pub workers: usize,
    /// Compute threads per worker (1 = the worker thread alone).
    pub threads_per_worker: usize,
    /// Largest batch a worker runs at once.
    pub max_batch: usize,
}

impl EmbedderOptions {
    /// One single-threaded worker, batches of 64.
    pub fn new(model_dir: impl Into<PathBuf>) -> Self {
        EmbedderOptions {
            model_dir: model_dir.into(),
            workers: 1,
            threads_per_worker: 1,
            max_batch: 64,
        }
    }
}

/// Handle to a loaded embedding model and its worker threads. Clones share
/// the workers; they stop when the last clone is dropped.
#[derive(Clone)]
pub struct Embedder {
    inner: Arc<Inner>,
}

struct Inner {
    jobs: mpsc::Sender<Job>,
    dimension: usize,
    model_sha256: String,
    max_seq_len: usize,
    max_batch: usize,
    workers: usize,
}

impl Embedder {
    /// Loads the model in `opts.model_dir` and starts the workers.
    ///
    /// Missing files are `ModelMissing`, damaged ones `ModelCorrupt`; both
    /// name the file.
    pub fn load(opts: EmbedderOptions) -> Result<Embedder> {
        for (name, value) in [
            ("inference.embed_workers", opts.workers),
            ("inference.embed_threads", opts.threads_per_worker),
            ("inference.embed_max_batch", opts.max_batch),
        ] {
            if value == 0 {
                return Err(
                    Error::invalid_config(format!("{name} must be at least 1")).with_field(name)
                );
            }
        }
        let loaded = loader::load_model_dir(&opts.model_dir)?;
        let tokenizer =
            tokenize::SentenceTokenizer::load(&loaded.tokenizer_path, loaded.max_seq_len)?;
        let dimension = loaded.weights.config.hidden_size;
        let model = Arc::new(Model {
            weights: loaded.weights,
            tokenizer,
        });
        let jobs = worker::spawn_workers(model, opts.workers, opts.threads_per_worker)?;
        Ok(Embedder {
            inner: Arc::new(Inner {
                jobs,
                dimension,
                model_sha256: loaded.model_sha256,
                max_seq_len: loaded.max_seq_len,
                max_batch: opts.max_batch,
                workers: opts.workers,
            }),
        })
    }

    /// Length of every embedding (384 for MiniLM-L6).
    pub fn dimension(&self) -> usize {
        self.inner.dimension
    }

    /// SHA-256 (hex) of `model.safetensors`, to pin artifacts to the model.
    pub fn model_sha256(&self) -> &str {
        &self.inner.model_sha256
    }

    /// Tokens per text (special tokens included) beyond which text is cut.
    pub fn max_seq_len(&self) -> usize {
        self.inner.max_seq_len
    }

    /// Embeds `texts`, blocking the calling thread until done. Safe to call
    /// from many threads at once. Do not call it on an async runtime's
    /// threads; use [`Embedder::embed`] there.
    pub fn embed_blocking(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>> {
        let mut pending = Vec::new();
        for batch in self.split(texts) {
            let (tx, rx) = mpsc::channel();
            self.submit(batch, Reply::Blocking(tx))?;
            pending.push(rx);
        }
        let mut out = Vec::new();
        for rx in pending {
            out.extend(rx.recv().map_err(|_| worker_gone())??);
        }
        Ok(out)
    }

    /// Embeds `texts` on the worker threads; awaiting never blocks the runtime.
    pub async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>> {
        let mut pending = Vec::new();
        for batch in self.split(texts) {
            let (tx, rx) = tokio::sync::oneshot::channel();
            self.submit(batch, Reply::Async(tx))?;
            pending.push(rx);
        }
        let mut out = Vec::new();
        for rx in pending {
            out.extend(rx.await.map_err(|_| worker_gone())??);
        }
        Ok(out)
    }

    fn submit(&self, texts: Vec<String>, reply: Reply) -> Result<()> {
        self.inner
            .jobs
            .send(Job { texts, reply })
            .map_err(|_| worker_gone())
    }

    /// Batches of at most `max_batch`, and small enough that every worker
    /// gets a share of a large request.
    fn split(&self, texts: Vec<String>) -> Vec<Vec<String>> {
        let per_worker = texts.len().div_ceil(self.inner.workers);
        batch_texts(texts, per_worker.clamp(1, self.inner.max_batch))
    }
}

fn worker_gone() -> Error {
    Error::internal("the embedding worker threads stopped; this is a bug, please report it")
}

/// Splits `texts` into consecutive batches of at most `size`.
fn batch_texts(texts: Vec<String>, size: usize) -> Vec<Vec<String>> {
    let mut batches = Vec::with_capacity(texts.len().div_ceil(size.max(1)));
    let mut current = Vec::new();
    for text in texts {
        current.push(text);
        if current.len() == size {
            batches.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_keep_order_and_bound_size() {
        let texts: Vec<String> = (0..7).map(|i| i.to_string()).collect();
        let batches = batch_texts(texts, 3);
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 3, 1]);
        assert_eq!(batches.concat().join(","), "0,1,2,3,4,5,6");
        assert!(batch_texts(Vec::new(), 3).is_empty());
    }

    #[test]
    fn zero_workers_is_a_config_error() {
        let mut opts = EmbedderOptions::new("/nonexistent");
        opts.workers = 0;
        let err = Embedder::load(opts).err().map(|e| e.kind());
        assert_eq!(err, Some(airlock_core::ErrorKind::InvalidConfig));
    }
}
