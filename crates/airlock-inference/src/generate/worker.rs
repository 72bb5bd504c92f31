//! The dedicated OS thread that owns the generation model.
//!
//! Requests arrive over a channel and run one at a time (the model keeps a
//! KV cache, so it cannot serve two at once). The thread runs each request
//! inside its own rayon pool of the configured size, so candle's rayon-based
//! kernels use exactly that many threads.
//!
//! candle 0.11 also has a process-wide spinning "barrier pool" for quantized
//! matmuls, sized once from `CANDLE_NUM_THREADS` (else `RAYON_NUM_THREADS`,
//! else the physical core count) when first used. There is no API to size
//! it, so [`configure_candle_threads`] sets `CANDLE_NUM_THREADS` if nobody
//! has, before the first model loads, and reports the size candle really uses.
//!
//! candle's f32 matmuls (attention) ask `RAYON_NUM_THREADS` on every call and,
//! when it is unset, count the CPUs again each time and split the work for
//! all of them, whatever pool they run in. Setting it to the configured count
//! made decode 13% faster at 1 thread (BENCHMARKS.md). The embedder never
//! reads it (it sizes its own pools), so setting it here is safe for the rest
//! of Airlock.

use super::decode;
use super::model_file::LoadedModel;
use super::{GenerateRequest, Generation};
use airlock_core::{Error, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

/// Called with the final result of a job, on the worker thread.
pub type ReplyFn = Box<dyn FnOnce(Result<Generation>) + Send>;
/// Called with each streamable piece of text, on the worker thread.
pub type PieceFn = Box<dyn FnMut(&str) + Send>;

/// One request for the worker.
pub struct Job {
    pub request: GenerateRequest,
    pub on_piece: PieceFn,
    pub reply: ReplyFn,
    /// Set when the caller no longer wants the result.
    pub cancelled: Arc<AtomicBool>,
}

/// Starts the worker thread for `loaded`; it runs until every sender of the
/// returned channel is dropped.
pub fn spawn(mut loaded: LoadedModel, threads: usize) -> Result<mpsc::Sender<Job>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("airlock-generate-{i}"))
        .build()
        .map_err(|e| Error::internal(format!("cannot start the generation threads: {e}")))?;
    let (sender, receiver) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("airlock-generate".to_string())
        .spawn(move || {
            for job in receiver {
                let Job {
                    request,
                    mut on_piece,
                    reply,
                    cancelled,
                } = job;
                let outcome = pool.install(|| {
                    catch_unwind(AssertUnwindSafe(|| {
                        decode::run(&mut loaded, &request, &mut *on_piece, &|| {
                            cancelled.load(Ordering::Relaxed)
                        })
                    }))
                });
                let result = outcome.unwrap_or_else(|_| {
                    Err(Error::internal(
                        "the generation model crashed on this request; it was reset for the next one",
                    ))
                });
                reply(result);
            }
        })
        .map_err(|e| Error::internal(format!("cannot start the generation thread: {e}")))?;
    Ok(sender)
}

/// Asks candle for `requested` compute threads and returns how many its
/// process-wide quantized-matmul pool actually has.
pub fn configure_candle_threads(requested: usize) -> usize {
    const VAR: &str = "CANDLE_NUM_THREADS";
    // Only takes effect if candle's pool is not yet built, i.e. before any
    // model has run in this process. Setting it while other threads read
    // the environment is a (libc-level) race; it happens once, at load.
    for var in [VAR, "RAYON_NUM_THREADS"] {
        if std::env::var_os(var).is_none() {
            std::env::set_var(var, requested.to_string());
        }
    }
    let actual = candle_pool_threads();
    if actual != requested {
        tracing::warn!(
            requested,
            actual,
            "candle's compute pool is process-wide and was already sized by {VAR} or an \
             earlier model; generation uses {actual} threads"
        );
    }
    actual
}

/// Threads in candle's barrier pool, counting the calling thread (which
/// takes part in the work as the last worker id).
fn candle_pool_threads() -> usize {
    let highest = AtomicUsize::new(0);
    candle_core::utils::barrier_pool().execute(|worker| {
        highest.fetch_max(worker, Ordering::Relaxed);
    });
    highest.load(Ordering::Relaxed) + 1
}
