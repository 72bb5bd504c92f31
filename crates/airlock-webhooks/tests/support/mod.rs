//! Test fixtures: an HTTP receiver on an ephemeral port, review runs whose
//! `review.created` deliveries fill the outbox, and bounded waiting.

pub mod outbox;
pub mod receiver;

use std::future::Future;
use std::time::Duration;

/// Polls `check` every 10 ms until it returns `Some`, or panics naming
/// `what` after `limit` (a bound on a hang, not a timing assertion).
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for {what} after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
