//! The embedding worker threads: each pulls batches from one shared queue,
//! tokenizes them and runs the forward pass with its own, explicitly sized
//! compute threads, then hands the vectors back over a channel.

use super::bert_backend::{embed_sequences, Scratch};
use super::loader::BertWeights;
use super::matmul::Threads;
use super::tokenize::SentenceTokenizer;
use airlock_core::{Error, Result};
use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex};

/// Result of one batch: one vector per text, in order.
pub type BatchResult = Result<Vec<Vec<f32>>>;

/// Where a batch's result goes.
pub enum Reply {
    /// A thread waiting in `embed_blocking`.
    Blocking(mpsc::Sender<BatchResult>),
    /// A task awaiting in `embed`.
    Async(tokio::sync::oneshot::Sender<BatchResult>),
}

impl Reply {
    fn send(self, result: BatchResult) {
        // A caller that stopped waiting (dropped future) is not an error.
        match self {
            Reply::Blocking(tx) => drop(tx.send(result)),
            Reply::Async(tx) => drop(tx.send(result)),
        }
    }
}

/// One batch of texts (at most `max_batch`) to embed.
pub struct Job {
    pub texts: Vec<String>,
    pub reply: Reply,
}

/// What every worker shares, read-only.
pub struct Model {
    pub weights: BertWeights,
    pub tokenizer: SentenceTokenizer,
}

/// Starts `workers` threads with `threads_per_worker` compute threads each
/// and returns the queue that feeds them. They stop when every sender of the
/// queue is dropped.
pub fn spawn_workers(
    model: Arc<Model>,
    workers: usize,
    threads_per_worker: usize,
) -> Result<mpsc::Sender<Job>> {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for index in 0..workers {
        // threads_per_worker == 1: compute on the worker thread itself, no
        // pool, no spinning helpers. Otherwise a private rayon pool of
        // exactly that size; gemm and the row-wise kernels run inside it
        // via `install`, so no global thread count (RAYON_NUM_THREADS,
        // candle's pool) is involved.
        let pool = if threads_per_worker > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads_per_worker)
                    .thread_name(move |t| format!("embed-{index}-{t}"))
                    .build()
                    .map_err(|e| {
                        Error::internal(format!("cannot start embedding compute threads: {e}"))
                    })?,
            )
        } else {
            None
        };
        let (model, rx) = (Arc::clone(&model), Arc::clone(&rx));
        std::thread::Builder::new()
            .name(format!("embed-{index}"))
            .spawn(move || worker_loop(&model, &rx, pool.as_ref(), threads_per_worker))
            .map_err(|e| Error::internal(format!("cannot start embedding worker thread: {e}")))?;
    }
    Ok(tx)
}

fn worker_loop(
    model: &Model,
    queue: &Mutex<mpsc::Receiver<Job>>,
    pool: Option<&rayon::ThreadPool>,
    threads: usize,
) {
    let mut scratch = Scratch::default();
    loop {
        let job = {
            // A poisoned lock only means another worker panicked while
            // waiting; the receiver itself is still fine.
            let rx = queue.lock().unwrap_or_else(|p| p.into_inner());
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return, // every Embedder handle is gone
            }
        };
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| match pool {
            Some(pool) => {
                pool.install(|| run_batch(model, &job.texts, Threads::Pool(threads), &mut scratch))
            }
            None => run_batch(model, &job.texts, Threads::One, &mut scratch),
        }))
        .unwrap_or_else(|_| {
            scratch = Scratch::default();
            Err(Error::internal(
                "embedding worker panicked on a batch; this is a bug",
            ))
        });
        job.reply.send(result);
    }
}

fn run_batch(
    model: &Model,
    texts: &[String],
    threads: Threads,
    scratch: &mut Scratch,
) -> BatchResult {
    let sequences = texts
        .iter()
        .map(|t| model.tokenizer.encode(t))
        .collect::<Result<Vec<_>>>()?;
    embed_sequences(&model.weights, &sequences, threads, scratch)
}
