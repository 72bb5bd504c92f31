//! Local text generation with SmolLM2-135M-Instruct (GGUF) via candle's
//! quantized llama.
//!
//! [`Generator::load`] reads the GGUF file, builds the tokenizer from its
//! metadata, re-quantizes Q4_1 weights to Q8_0 for speed and starts one
//! dedicated worker thread that owns the model. [`Generator`] is a cheap,
//! cloneable handle: [`Generator::generate_blocking`] and the async
//! [`Generator::generate`] queue a request for that thread and stream the
//! reply's text as it is produced.

mod chat_template;
mod decode;
mod gguf_tokenizer;
mod model_file;
mod requantize;
mod sampling;
mod stop_sequences;
mod worker;

pub use gguf_tokenizer::GgufTokenizer;

use airlock_core::{Error, Result};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// Where the model is and how many threads run it.
#[derive(Debug, Clone)]
pub struct GeneratorOptions {
    pub gguf_path: PathBuf,
    /// Compute threads (at least 1). 1 is the robust default: candle's
    /// multi-threaded kernels spin-wait, so on a busy machine more threads
    /// can be much slower.
    pub threads: usize,
}

/// One chat turn to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateRequest {
    /// System message; `None` uses the model's default one.
    pub system: Option<String>,
    /// The user's message.
    pub prompt: String,
    /// Most tokens to generate (at least 1).
    pub max_tokens: usize,
    /// 0 = greedy and deterministic; higher = more random.
    pub temperature: f64,
    /// Nucleus sampling threshold in (0, 1]; 1 = off.
    pub top_p: f64,
    /// Seed of the sampler: same seed and settings, same reply.
    pub seed: u64,
    /// Generation ends before the first of these strings; the reply never
    /// contains it.
    pub stop: Vec<String>,
}

impl GenerateRequest {
    /// A greedy request for `prompt` with up to `max_tokens` tokens.
    pub fn new(prompt: impl Into<String>, max_tokens: usize) -> Self {
        GenerateRequest {
            system: None,
            prompt: prompt.into(),
            max_tokens,
            temperature: 0.0,
            top_p: 1.0,
            seed: 0,
            stop: Vec::new(),
        }
    }

    /// Checks the limits and sampling settings without running the model.
    pub fn validate(&self) -> Result<()> {
        if self.max_tokens == 0 {
            return Err(
                Error::invalid_input("max_tokens must be at least 1").with_field("max_tokens")
            );
        }
        sampling::SamplingParams {
            temperature: self.temperature,
            top_p: self.top_p,
            seed: self.seed,
        }
        .validate()
    }
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishReason {
    /// The model ended its turn (`<|im_end|>` / end of text).
    Stop,
    /// `max_tokens` were generated.
    Length,
    /// A stop sequence from the request appeared.
    StopSequence,
}

impl FinishReason {
    /// Stable lower-case name for APIs and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::StopSequence => "stop_sequence",
        }
    }
}

/// A finished reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub text: String,
    pub prompt_tokens: usize,
    /// Tokens generated, not counting the end-of-turn token.
    pub completion_tokens: usize,
    pub finish_reason: FinishReason,
    /// From the worker starting the request to the first sampled token
    /// (tokenizing plus running the whole prompt through the model).
    pub time_to_first_token: Duration,
    /// From the worker starting the request to the end.
    pub total: Duration,
}

/// Handle to the generation worker thread; clones share the same model.
#[derive(Clone)]
pub struct Generator {
    inner: Arc<Inner>,
}

struct Inner {
    jobs: Mutex<mpsc::Sender<worker::Job>>,
    model_sha256: String,
    threads: usize,
}

impl Generator {
    /// Loads the model and starts its worker thread.
    ///
    /// Errors: [`airlock_core::ErrorKind::ModelMissing`] if the file does not
    /// exist, [`airlock_core::ErrorKind::ModelCorrupt`] if it is not a usable
    /// GGUF chat model.
    pub fn load(opts: GeneratorOptions) -> Result<Generator> {
        if opts.threads == 0 {
            return Err(
                Error::invalid_config("generation threads must be at least 1")
                    .with_field("inference.generate_threads"),
            );
        }
        let threads = worker::configure_candle_threads(opts.threads);
        let loaded = model_file::load(&opts.gguf_path)?;
        let model_sha256 = loaded.sha256.clone();
        tracing::info!(
            file = %opts.gguf_path.display(),
            sha256 = %model_sha256,
            threads,
            requantized = loaded.requantized.converted,
            "generation model loaded"
        );
        let jobs = worker::spawn(loaded, opts.threads)?;
        Ok(Generator {
            inner: Arc::new(Inner {
                jobs: Mutex::new(jobs),
                model_sha256,
                threads,
            }),
        })
    }

    /// Hex SHA-256 of the GGUF file the model was loaded from.
    pub fn model_sha256(&self) -> &str {
        &self.inner.model_sha256
    }

    /// Compute threads candle actually uses for the model.
    pub fn threads(&self) -> usize {
        self.inner.threads
    }

    /// Generates a reply, calling `on_token` with each decoded piece of text
    /// as it is produced (on the worker thread). Blocks until done; do not
    /// call from an async task (use [`Generator::generate`]).
    pub fn generate_blocking(
        &self,
        req: GenerateRequest,
        on_token: impl FnMut(&str) + Send + 'static,
    ) -> Result<Generation> {
        let (reply_tx, reply_rx) = mpsc::sync_channel(1);
        self.submit(
            req,
            Box::new(on_token),
            Box::new(move |result| {
                // The caller waits on the receiver; if it is gone nobody wants it.
                let _ = reply_tx.send(result);
            }),
            Arc::new(AtomicBool::new(false)),
        )?;
        reply_rx.recv().unwrap_or_else(|_| Err(worker_gone()))
    }

    /// Generates a reply without blocking the async runtime. Each decoded
    /// piece of text is sent to `tokens` (if given) as it is produced; the
    /// pieces concatenated equal the final text. Dropping the returned future
    /// cancels the request at the next token.
    pub async fn generate(
        &self,
        req: GenerateRequest,
        tokens: Option<tokio::sync::mpsc::UnboundedSender<String>>,
    ) -> Result<Generation> {
        let (reply_tx, reply_rx) = tokio::sync::oneshot::channel();
        let cancelled = Arc::new(AtomicBool::new(false));
        self.submit(
            req,
            Box::new(move |piece: &str| {
                if let Some(tokens) = &tokens {
                    // A closed stream just means the listener stopped listening.
                    let _ = tokens.send(piece.to_string());
                }
            }),
            Box::new(move |result| {
                let _ = reply_tx.send(result);
            }),
            Arc::clone(&cancelled),
        )?;
        // Flagging a finished request as cancelled is harmless.
        let _cancel_if_dropped = CancelOnDrop(cancelled);
        reply_rx.await.unwrap_or_else(|_| Err(worker_gone()))
    }

    fn submit(
        &self,
        request: GenerateRequest,
        on_piece: worker::PieceFn,
        reply: worker::ReplyFn,
        cancelled: Arc<AtomicBool>,
    ) -> Result<()> {
        request.validate()?;
        let job = worker::Job {
            request,
            on_piece,
            reply,
            cancelled,
        };
        let jobs = self
            .inner
            .jobs
            .lock()
            .map_err(|_| Error::internal("the generation queue lock is poisoned"))?;
        jobs.send(job).map_err(|_| worker_gone())
    }
}

/// Marks a request cancelled when the future waiting for it is dropped.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn worker_gone() -> Error {
    Error::internal("the generation worker thread stopped; reload the model")
}
