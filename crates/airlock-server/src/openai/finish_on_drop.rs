//! A model call that runs on the request's own task yet outlives the
//! request: [`finish_on_drop`] polls the call in place and, if the
//! request future is dropped first (the client hung up, the request
//! timed out), moves what is left of the call onto a task of its own, so
//! the provider's answer is still taken and the call's run still
//! committed.
//!
//! Spawning every call up front gave the same guarantee, but cost each
//! request a task hop (the spawned task was often picked up by the other
//! worker thread, which then woke the request's task back): two thread
//! wake-ups per call on the gateway's hot path. No crate offers this
//! hand-over; it is a small `Future` wrapper.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::FutureExt;

/// Runs `call` in place; if dropped before it finishes, finishes it on a
/// task of its own (its result then goes unused). A panic in the call
/// becomes an internal error, as it did on a task of its own.
pub(crate) async fn finish_on_drop<T, F>(call: F) -> Result<T, airlock_core::Error>
where
    F: Future<Output = Result<T, airlock_core::Error>> + Send + 'static,
    T: Send + 'static,
{
    let caught = AssertUnwindSafe(call).catch_unwind();
    match (FinishOnDrop {
        call: Some(Box::pin(caught)),
    })
    .await
    {
        Ok(result) => result,
        Err(panic) => Err(airlock_core::Error::internal(format!(
            "the model call panicked: {}",
            panic_message(panic.as_ref())
        ))),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}

/// The call while it runs in place; `None` once it has finished.
struct FinishOnDrop<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    call: Option<Pin<Box<F>>>,
}

impl<F> Future for FinishOnDrop<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let Some(call) = self.call.as_mut() else {
            panic!("FinishOnDrop polled after it finished");
        };
        let polled = call.as_mut().poll(cx);
        if polled.is_ready() {
            self.call = None;
        }
        polled
    }
}

impl<F> Drop for FinishOnDrop<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn drop(&mut self) {
        if let Some(call) = self.call.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(call);
                }
                Err(_) => {
                    tracing::warn!("a model call was dropped outside a runtime; it is not finished")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::sync::oneshot;

    #[tokio::test]
    async fn a_finished_call_gives_its_result() {
        let answer = finish_on_drop(async { Ok::<_, airlock_core::Error>(7) }).await;
        assert_eq!(answer.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_call_dropped_midway_still_runs_to_its_end() {
        let (release, released) = oneshot::channel::<()>();
        let (finished, finished_rx) = oneshot::channel::<&'static str>();
        let call = finish_on_drop(async move {
            released.await.ok();
            finished.send("committed").ok();
            Ok::<_, airlock_core::Error>(())
        });
        // The request gives up while the call waits (a client hanging up).
        let gave_up = tokio::time::timeout(Duration::from_millis(20), call).await;
        assert!(gave_up.is_err(), "the call cannot finish before release");
        release.send(()).unwrap();
        let end = tokio::time::timeout(Duration::from_secs(5), finished_rx)
            .await
            .expect("the dropped call went on to its end")
            .unwrap();
        assert_eq!(end, "committed");
    }

    #[tokio::test]
    async fn a_panicking_call_becomes_an_internal_error() {
        let answer: Result<(), _> = finish_on_drop(async { panic!("boom") }).await;
        let err = answer.unwrap_err();
        assert_eq!(err.kind(), airlock_core::ErrorKind::Internal);
        assert!(err.message().contains("boom"), "{}", err.message());
    }
}
